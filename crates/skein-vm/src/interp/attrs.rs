//! `obj.name` for reading: module globals, native module members, tasklet
//! and channel attributes, an error's `args`.

use skein_script::bytecode::{BUILTIN_MODULES, Program};

use super::Exec;
use super::values::make_list;
use crate::kind::Kind;
use crate::value::{ModRef, Value};
use crate::{errors, mathmod};

/// A module's name as `import` spells it.
pub(crate) fn module_name(program: &Program, m: ModRef) -> String {
    match m {
        ModRef::Script(i) => program
            .modules
            .get(i as usize)
            .map_or_else(|| format!("#{i}"), |m| m.name.clone()),
        ModRef::Native(i) => {
            let i = i as usize;
            BUILTIN_MODULES
                .get(i)
                .map(|s| s.to_string())
                .or_else(|| program.host_modules.get(i - BUILTIN_MODULES.len()).cloned())
                .unwrap_or_else(|| format!("#{i}"))
        }
    }
}

fn no_module_attr(program: &Program, m: ModRef, name: &str) -> Value {
    errors::error(
        Kind::AttributeError,
        format!(
            "module '{}' has no attribute '{name}'",
            module_name(program, m)
        ),
    )
}

/// `m.name` on a module, `None` when it has no such (bound) name.
pub(crate) fn module_attr(ex: &mut Exec, m: ModRef, name: &str) -> Option<Value> {
    match m {
        ModRef::Script(i) => {
            let slot = ex
                .program
                .modules
                .get(i as usize)?
                .globals
                .iter()
                .position(|g| g == name)?;
            match &ex.globals.modules.get(i as usize)?.values[slot] {
                Value::Unbound => None,
                v => Some(v.clone()),
            }
        }
        ModRef::Native(i) if BUILTIN_MODULES.get(i as usize) == Some(&"math") => {
            mathmod::attr(name)
        }
        ModRef::Native(_) => ex.host.module_attr(m, name),
    }
}

/// `LoadAttr`: `obj.name`.
pub(crate) fn get_attr(
    ex: &mut Exec,
    fuel: &mut u64,
    obj: &Value,
    name: &str,
) -> Result<Value, Value> {
    match obj {
        Value::Module(m) => {
            module_attr(ex, *m, name).ok_or_else(|| no_module_attr(ex.program, *m, name))
        }
        Value::Tasklet(_) | Value::Channel(_) => ex.host.get_attr(obj, name),
        Value::Type(crate::value::TypeTag::Dict) if name == "fromkeys" => {
            let i = skein_script::bytecode::builtin_index("__dict_fromkeys");
            i.map(Value::Builtin)
                .ok_or_else(|| errors::attribute_error(obj, name))
        }
        Value::Error(e) if name == "args" => make_list(e.args.clone(), &super::cx!(ex, fuel)),
        // Naming a list, dict or str method without calling it is a
        // `TypeError` (docs/language.md), not an `AttributeError`.
        Value::List(_) | Value::Dict(_) | Value::Str(_)
            if crate::methods::has_method(obj, name) =>
        {
            Err(errors::type_error(format!(
                "{} methods are not values: call .{name}(...) directly",
                crate::format::type_name(obj)
            )))
        }
        _ => Err(errors::attribute_error(obj, name)),
    }
}
