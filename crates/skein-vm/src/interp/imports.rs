//! `import` and `from … import`: script modules run their top level the
//! first time they are imported (as a frame on the importing fiber), built-in
//! and host modules are just values.

use skein_script::bytecode::{BUILTIN_MODULES, FuncRef};

use super::Exec;
use super::calls::{Flow, PRELUDE, push_frame};
use crate::errors;
use crate::fiber::Fiber;
use crate::globals::ImportState;
use crate::kind::Kind;
use crate::value::{ModRef, Value};

fn import_error(msg: String) -> Value {
    errors::error(Kind::ImportError, msg)
}

/// `Import`: `[] → [module]`, after running its top level if it has not run.
pub(crate) fn import(ex: &mut Exec, fiber: &mut Fiber, name: &str) -> Result<Flow, Value> {
    let script = ex.program.module_index(name).filter(|_| name != PRELUDE);
    if let Some(m) = script {
        let state = ex
            .globals
            .modules
            .get(m as usize)
            .map_or(ImportState::NotRun, |g| g.state);
        match state {
            ImportState::Done => fiber.stack.push(Value::Module(ModRef::Script(m))),
            ImportState::Running => {
                // The chain is the module top levels on this fiber, outermost first.
                let mut chain: Vec<&str> = ex
                    .frames
                    .iter()
                    .filter(|f| f.func.func == 0)
                    .map(|f| ex.program.modules[f.func.module as usize].name.as_str())
                    .collect();
                chain.push(name);
                return Err(import_error(format!(
                    "cannot import {name}: its top level has not finished ({})",
                    chain.join(" -> ")
                )));
            }
            ImportState::NotRun => {
                push_frame(
                    ex,
                    fiber,
                    FuncRef { module: m, func: 0 },
                    Vec::new(),
                    crate::fiber::Cont::Import,
                )?;
                if let Some(g) = ex.globals.modules.get_mut(m as usize) {
                    g.state = ImportState::Running;
                }
                return Ok(Flow::Frame);
            }
        }
        return Ok(Flow::Next);
    }
    let native = BUILTIN_MODULES.iter().position(|b| *b == name).or_else(|| {
        ex.program
            .host_modules
            .iter()
            .position(|h| h == name)
            .map(|i| BUILTIN_MODULES.len() + i)
    });
    match native {
        Some(i) => {
            fiber.stack.push(Value::Module(ModRef::Native(i as u16)));
            Ok(Flow::Next)
        }
        None => Err(import_error(format!("No module named '{name}'"))),
    }
}

/// `ImportFrom`: `m.name`, a missing name being an `ImportError`.
pub(crate) fn import_from(
    ex: &mut Exec,
    _fuel: &mut u64,
    module: &Value,
    name: &str,
) -> Result<Value, Value> {
    let Value::Module(m) = module else {
        return Err(errors::fault("ImportFrom without a module"));
    };
    if let Some(v) = super::attrs::module_attr(ex, *m, name) {
        return Ok(v);
    }
    let mname = super::attrs::module_name(ex.program, *m);
    let location = match m {
        ModRef::Script(i) => ex.program.modules[*i as usize].path.clone(),
        ModRef::Native(_) => String::from("unknown location"),
    };
    Err(import_error(format!(
        "cannot import name '{name}' from '{mname}' ({location})"
    )))
}
