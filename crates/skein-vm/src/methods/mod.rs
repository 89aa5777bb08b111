//! Methods of lists, dicts and strings. Mutating methods change `recv` in
//! place: the interpreter passes the place itself (`CallPlace`) or a
//! temporary whose change is then dropped (`CallMethod`). They keep the
//! cached sizes right and check the size limit before growing a value.

mod chars;
mod dict;
mod list;
mod quick;
mod slices;
mod string;
mod text;

pub use dict::fromkeys;
pub use quick::{MethodId, call_quick};

use crate::Cx;
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

/// A method that takes no keyword arguments got none; the message, when it
/// got some, names it as `ty.name`.
pub(crate) fn no_kwargs(ty: &str, name: &str, kwargs: KwArgs) -> Result<(), Value> {
    if kwargs.is_empty() {
        return Ok(());
    }
    crate::builtins::take_kwargs(&format!("{ty}.{name}"), kwargs, &[]).map(drop)
}

/// Python's arity messages for methods: `list.append() takes exactly one
/// argument (0 given)` for fixed counts, `pop expected at most 1 argument,
/// got 2` for ranges.
pub(crate) fn arity(
    ty: &str,
    name: &str,
    args: &[Value],
    min: usize,
    max: usize,
) -> Result<(), Value> {
    // Formatting the name only for the message keeps a good call free of
    // allocation.
    if (min..=max).contains(&args.len()) {
        return Ok(());
    }
    if min == max && min <= 1 {
        crate::builtins::arity(&format!("{ty}.{name}"), args, min, max)
    } else {
        crate::builtins::arity(name, args, min, max)
    }
}

#[cfg(test)]
mod tests;
