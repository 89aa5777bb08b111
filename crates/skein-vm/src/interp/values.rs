//! Small value constructors the interpreter needs on its own: constants from
//! a function's pool, list displays, and error values from kinds.

use std::sync::Arc;

use skein_script::bytecode::Const;

use crate::error::ErrorObj;
use crate::errors;
use crate::value::{Kind, List, TypeTag, Value};
use crate::{Cx, ops};

/// A list of `items`, or `MemoryError` past the size limit.
pub(crate) fn make_list(items: Vec<Value>, cx: &Cx) -> Result<Value, Value> {
    let list = List::new(items);
    errors::check_size(list.size, cx.limits.size_limit)?;
    Ok(Value::List(Arc::new(list)))
}

/// The value of a constant. Dict constants go through `ops::store_index` so
/// keys are normalised exactly as a running `d[k] = v` would.
pub(crate) fn const_value(c: &Const, cx: &mut Cx) -> Result<Value, Value> {
    Ok(match c {
        Const::None => Value::None,
        Const::Bool(b) => Value::Bool(*b),
        Const::Int(i) => Value::Int(*i),
        Const::Float(f) => Value::Float(*f),
        Const::Str(s) => Value::str(s.clone()),
        Const::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(const_value(item, cx)?);
            }
            make_list(out, cx)?
        }
        Const::Dict(pairs) => {
            let mut d = Value::Dict(Arc::default());
            for (k, v) in pairs {
                let k = const_value(k, cx)?;
                let v = const_value(v, cx)?;
                ops::store_index(&mut d, k, v, cx)?;
            }
            d
        }
    })
}

/// An error value of `kind` with no arguments (`raise KeyError`).
pub(crate) fn bare_error(kind: Kind) -> Value {
    Value::Error(Arc::new(ErrorObj {
        kind,
        args: Vec::new(),
        traceback: Vec::new(),
    }))
}

/// What a host or builtin handed back as "the error": an error value stays as
/// it is, a kind becomes an error with no arguments, anything else is the
/// `TypeError` Python gives for raising a non-exception.
pub(crate) fn as_error(v: Value) -> Value {
    match v {
        Value::Error(_) => v,
        Value::Type(TypeTag::Kind(k)) => bare_error(k),
        _ => errors::type_error("exceptions must derive from BaseException"),
    }
}
