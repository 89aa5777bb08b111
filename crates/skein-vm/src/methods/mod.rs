//! Methods of lists, dicts and strings. Mutating methods change `recv` in
//! place: the interpreter passes the place itself (`CallPlace`) or a
//! temporary whose change is then dropped (`CallMethod`). They keep the
//! cached sizes right and check the size limit before growing a value.

mod args;
mod chars;
mod dict;
mod list;
mod quick;
mod slices;
mod string;
mod text;

pub use dict::fromkeys;
pub use quick::{MethodId, call_quick};

use crate::context::Cx;
use crate::errors::attribute_error;
use crate::host::KwArgs;
use crate::value::Value;

/// Calls method `name` of a list, dict or str. Unknown: `AttributeError`.
pub fn call(
    recv: &mut Value,
    name: &str,
    args: Vec<Value>,
    kwargs: KwArgs,
    cx: &mut Cx,
) -> Result<Value, Value> {
    crate::ops::charge(cx, 1 + args.len() as u64);
    if is_slice_op(name) {
        return slices::call(recv, name, args, cx);
    }
    match recv {
        Value::List(_) => list::call(recv, name, args, kwargs, cx),
        Value::Dict(_) => dict::call(recv, name, args, kwargs, cx),
        Value::Str(_) => string::call(recv, name, args, kwargs, cx),
        other => Err(attribute_error(other, name)),
    }
}

/// Whether `name` is what the compiler calls for `a[i:j] = v` or
/// `del a[i:j]` (hidden: scripts cannot name it).
pub fn is_slice_op(name: &str) -> bool {
    name == "__setslice__" || name == "__delslice__"
}

/// Whether `name` is a method of `v` (for `x.name` used without a call,
/// which is a `TypeError` on lists and dicts rather than an `AttributeError`).
pub fn has_method(v: &Value, name: &str) -> bool {
    match v {
        Value::List(_) => list::METHODS.contains(&name),
        Value::Dict(_) => dict::METHODS.contains(&name),
        Value::Str(_) => string::METHODS.contains(&name) || text::METHODS.contains(&name),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
