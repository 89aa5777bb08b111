//! The argument checks builtins, methods and math functions share, with
//! CPython's messages: how many arguments, which keywords, an int argument.

use crate::errors::type_error;
use crate::host::KwArgs;
use crate::names::type_name;
use crate::value::Value;

/// `name() takes exactly one argument (2 given)` and friends.
pub fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Result<(), Value> {
    let n = args.len();
    if n >= min && n <= max {
        return Ok(());
    }
    let msg = if min == max {
        match min {
            0 => format!("{name}() takes no arguments ({n} given)"),
            1 => format!("{name}() takes exactly one argument ({n} given)"),
            m => format!("{name} expected {m} arguments, got {n}"),
        }
    } else if n < min {
        format!(
            "{name} expected at least {min} argument{}, got {n}",
            if min == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "{name} expected at most {max} argument{}, got {n}",
            if max == 1 { "" } else { "s" }
        )
    };
    Err(type_error(msg))
}

/// Takes the keyword arguments a builtin accepts, in `allowed`'s order;
/// any other is a `TypeError`.
pub fn take_kwargs(
    name: &str,
    kwargs: KwArgs,
    allowed: &[&str],
) -> Result<Vec<Option<Value>>, Value> {
    let mut out = vec![None; allowed.len()];
    for (k, v) in kwargs {
        match allowed.iter().position(|a| **a == *k) {
            Some(i) => out[i] = Some(v),
            None if allowed.is_empty() => {
                return Err(type_error(format!("{name}() takes no keyword arguments")));
            }
            None => {
                return Err(type_error(format!(
                    "'{k}' is an invalid keyword argument for {name}()"
                )));
            }
        }
    }
    Ok(out)
}

/// An int argument (bools count), else Python's `__index__` message.
pub fn int_arg(v: &Value) -> Result<i64, Value> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        other => Err(type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(other)
        ))),
    }
}
