//! The script module `pickle`: `dumps(value)` saves a selection of
//! everything `value` reaches as compact RON text, `loads(text)` loads one
//! into the running world (docs/language.md, "The world").
//!
//! Both are immediate natives of the world: [`install`] registers them
//! before scripts are loaded.

use std::sync::Arc;

use bevy_ecs::world::World;
use skein_vm::value::ErrorObj;
use skein_vm::{Kind, KwArgs, Value, errors};
use skein_world::{NativeCx, NativeKind};

use crate::error::{LoadError, Problem};
use crate::selection::{load_selection, save_selection};
use crate::write::{Encoding, to_bytes};

/// Registers `pickle.dumps` and `pickle.loads` in `world`.
pub fn install(world: &mut World) {
    skein_world::register_native(world, "pickle", "dumps", NativeKind::immediate(dumps));
    skein_world::register_native(world, "pickle", "loads", NativeKind::immediate(loads));
}

fn one_arg(name: &str, args: Vec<Value>, kwargs: &KwArgs) -> Result<Value, Value> {
    if let Some((k, _)) = kwargs.first() {
        return Err(errors::type_error(format!(
            "{name}() got an unexpected keyword argument '{k}'"
        )));
    }
    let n = args.len();
    let mut it = args.into_iter();
    match (it.next(), n) {
        (Some(v), 1) => Ok(v),
        _ => Err(errors::type_error(format!(
            "{name}() takes exactly one argument ({n} given)"
        ))),
    }
}

fn dumps(cx: &mut NativeCx, args: Vec<Value>, kwargs: KwArgs) -> Result<Value, Value> {
    let v = one_arg("dumps", args, &kwargs)?;
    let (save, _) = save_selection(cx.world, &[v], cx.tasklet)
        .map_err(|e| errors::runtime_error(e.to_string()))?;
    let bytes =
        to_bytes(&save, Encoding::Compact).map_err(|e| errors::runtime_error(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| errors::runtime_error(e.to_string()))?;
    Ok(Value::str(text.trim_end()))
}

fn loads(cx: &mut NativeCx, args: Vec<Value>, kwargs: KwArgs) -> Result<Value, Value> {
    let v = one_arg("loads", args, &kwargs)?;
    let Value::Str(text) = v else {
        return Err(errors::type_error(format!(
            "loads() argument must be str, not {}",
            skein_vm::format::type_name(&v)
        )));
    };
    let save = crate::read::from_bytes(text.as_bytes()).map_err(as_script_error)?;
    let roots = load_selection(cx.world, &save, false).map_err(as_script_error)?;
    Ok(roots.into_iter().next().unwrap_or(Value::None))
}

/// Missing code or natives are an `ImportError`, anything else a
/// `ValueError` naming the bad field.
fn as_script_error(e: LoadError) -> Value {
    let kind = match *e.problem {
        Problem::UnknownModule(_)
        | Problem::UnknownFunction { .. }
        | Problem::UnknownNative { .. }
        | Problem::ChangedFunctions(_) => Kind::ImportError,
        _ => Kind::ValueError,
    };
    Value::Error(Arc::new(ErrorObj {
        kind,
        args: vec![Value::str(e.to_string())],
        traceback: Vec::new(),
    }))
}
