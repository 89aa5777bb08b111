//! The module globals of one world: a slot vector per module and whether
//! its top level has run.

use serde::{Deserialize, Serialize};
use skein_script::bytecode::Program;

use crate::value::Value;

/// Whether a module's top level has run (docs/language.md, "Modules").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ImportState {
    #[default]
    /// Not imported yet.
    NotRun,
    /// Its top level is on some fiber's stack right now.
    Running,
    /// Its top level has finished.
    Done,
}

/// One module's globals in one world.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ModuleGlobals {
    /// By slot, as `Module::globals` names them; `Value::Unbound` until assigned.
    pub values: Vec<Value>,
    /// Whether its top level has run.
    pub state: ImportState,
}

/// Every module's globals, indexed like `Program::modules`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Globals {
    /// One entry per module of the program.
    pub modules: Vec<ModuleGlobals>,
}

impl Globals {
    /// Unbound globals for every module of `program`, none of them run yet.
    pub fn new(program: &Program) -> Self {
        Globals {
            modules: program
                .modules
                .iter()
                .map(|m| ModuleGlobals {
                    values: vec![Value::Unbound; m.globals.len()],
                    state: ImportState::NotRun,
                })
                .collect(),
        }
    }
}
