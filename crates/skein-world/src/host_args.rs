//! The argument checks and error values host functions and methods share:
//! `name() takes …` messages, int-or-bool flags, and errors made from what a
//! script passed to `throw` or a native raised.

use std::sync::Arc;

use skein_vm::value::ErrorObj;
use skein_vm::{HostResult, Kind, KwArgs, TypeTag, Value, errors};

/// An error value from an error or a kind (`throw`, `send_exception`).
pub fn to_error(v: Value, args: Vec<Value>) -> Result<Value, Value> {
    match v {
        Value::Error(e) if args.is_empty() => Ok(Value::Error(e)),
        Value::Type(TypeTag::Kind(kind)) => Ok(Value::Error(Arc::new(ErrorObj {
            kind,
            args,
            traceback: Vec::new(),
        }))),
        Value::Error(_) => Err(errors::type_error(
            "instance exception may not have a separate value",
        )),
        _ => Err(errors::type_error(
            "exceptions must derive from BaseException",
        )),
    }
}

/// The kind of an error value.
pub fn error_kind(v: &Value) -> Option<Kind> {
    match v {
        Value::Error(e) => Some(e.kind),
        Value::Type(TypeTag::Kind(k)) => Some(*k),
        _ => None,
    }
}

/// An int or bool argument (`preference`, `block_trap`, `set_atomic`).
pub fn int_or_bool(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

/// `name() takes …` checks for host functions and methods.
pub fn check_args(
    name: &str,
    args: &[Value],
    kwargs: &KwArgs,
    min: usize,
    max: usize,
) -> Result<(), Value> {
    if let Some((k, _)) = kwargs.first() {
        return Err(errors::type_error(format!(
            "{name}() got an unexpected keyword argument '{k}'"
        )));
    }
    let n = args.len();
    if n < min || n > max {
        let msg = if min == max {
            match min {
                0 => format!("{name}() takes no arguments ({n} given)"),
                1 => format!("{name}() takes exactly one argument ({n} given)"),
                _ => format!("{name}() takes exactly {min} arguments ({n} given)"),
            }
        } else if n < min {
            format!(
                "{name}() takes at least {min} argument{} ({n} given)",
                plural(min)
            )
        } else {
            format!(
                "{name}() takes at most {max} argument{} ({n} given)",
                plural(max)
            )
        };
        return Err(errors::type_error(msg));
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Turns a `Result` from the helpers into a host answer.
pub fn answer(r: Result<Value, Value>) -> HostResult {
    match r {
        Ok(v) => HostResult::Return(v),
        Err(e) => HostResult::Raise(e),
    }
}

/// An error value from what a native or a completion raised: an error, a
/// kind (called with no arguments), or anything else (a `TypeError`).
pub fn as_error(v: Value) -> Value {
    match to_error(v, Vec::new()) {
        Ok(e) => e,
        Err(e) => e,
    }
}
