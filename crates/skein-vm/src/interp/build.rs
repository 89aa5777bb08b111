//! The instructions that build a value out of several on the stack: lists,
//! dicts, f-strings and their formatted parts. They sit apart from the
//! dispatch loop so its arms stay one call long.

use std::sync::Arc;

use skein_script::bytecode::Conversion;

use super::{pop, values};
use crate::context::Cx;
use crate::value::Value;
use crate::{format, ops};

/// `BuildList(n)`: the top `n` values become a list.
pub(super) fn list(stack: &mut Vec<Value>, n: u16, cx: &Cx) -> Result<Value, Value> {
    let items = stack.split_off(stack.len() - n as usize);
    values::make_list(items, cx)
}

/// `BuildDict(n)`: the top `n` key/value pairs become a dict, keys stored
/// as `d[k] = v` stores them.
pub(super) fn dict(stack: &mut Vec<Value>, n: u16, cx: &mut Cx) -> Result<Value, Value> {
    let pairs = stack.split_off(stack.len() - 2 * n as usize);
    let mut d = Value::Dict(Arc::default());
    let mut it = pairs.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        ops::store_index(&mut d, k, v, cx)?;
    }
    Ok(d)
}

/// `BuildString(n)`: the top `n` values joined as `str` shows them.
pub(super) fn string(stack: &mut Vec<Value>, n: u16, cx: &mut Cx) -> Value {
    let parts = stack.split_off(stack.len() - n as usize);
    let mut s = String::new();
    for p in &parts {
        match p {
            Value::Str(x) => s.push_str(x),
            other => s.push_str(&format::str(other, cx)),
        }
    }
    Value::str(s)
}

/// `FormatValue`: the top value (under its spec, when there is one),
/// converted and formatted.
pub(super) fn format_value(
    stack: &mut Vec<Value>,
    conv: Conversion,
    spec: bool,
    cx: &mut Cx,
) -> Result<Value, Value> {
    let spec = if spec { Some(pop(stack)) } else { None };
    let v = pop(stack);
    let conv_v = match conv {
        Conversion::Str => Value::str(format::str(&v, cx)),
        Conversion::Repr => Value::str(format::repr(&v, cx)),
        Conversion::None => v,
    };
    Ok(match &spec {
        Some(Value::Str(sp)) if !sp.is_empty() => Value::str(format::format_spec(&conv_v, sp, cx)?),
        _ => match conv_v {
            Value::Str(s) => Value::Str(s),
            other => Value::str(format::str(&other, cx)),
        },
    })
}
