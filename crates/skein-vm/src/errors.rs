//! Constructors for the errors the VM raises, with CPython 3.11's messages.

use std::sync::Arc;

use crate::kind::Kind;
use crate::value::ErrorObj;
use crate::value::Value;

/// A new error value of `kind` with one message argument.
pub fn error(kind: Kind, msg: impl Into<String>) -> Value {
    Value::Error(Arc::new(ErrorObj {
        kind,
        args: vec![Value::str(msg)],
        traceback: Vec::new(),
    }))
}

/// A `RuntimeError` with message `msg`.
pub fn runtime_error(msg: impl Into<String>) -> Value {
    error(Kind::RuntimeError, msg)
}

/// A `TypeError` with message `msg`.
pub fn type_error(msg: impl Into<String>) -> Value {
    error(Kind::TypeError, msg)
}

/// A `ValueError` with message `msg`.
pub fn value_error(msg: impl Into<String>) -> Value {
    error(Kind::ValueError, msg)
}

/// `'int' object has no attribute 'x'`.
pub fn attribute_error(obj: &Value, name: &str) -> Value {
    error(
        Kind::AttributeError,
        format!(
            "'{}' object has no attribute '{}'",
            crate::format::type_name(obj),
            name
        ),
    )
}

/// An `IndexError` with message `msg`.
pub fn index_error(msg: impl Into<String>) -> Value {
    error(Kind::IndexError, msg)
}

/// A `ZeroDivisionError` with message `msg`.
pub fn zero_division(msg: impl Into<String>) -> Value {
    error(Kind::ZeroDivisionError, msg)
}

/// An `OverflowError` with message `msg`.
pub fn overflow(msg: impl Into<String>) -> Value {
    error(Kind::OverflowError, msg)
}

/// The overflow of any int operation: Skein ints are 64-bit.
pub fn int_overflow() -> Value {
    overflow("integer overflow")
}

/// `KeyError(key)`: its `str` is the key's repr, as Python prints it.
pub fn key_error(key: Value) -> Value {
    Value::Error(Arc::new(ErrorObj {
        kind: Kind::KeyError,
        args: vec![key],
        traceback: Vec::new(),
    }))
}

/// `MemoryError` unless `size` is within `limit` (docs/language.md, "Limits").
pub fn check_size(size: u64, limit: u64) -> Result<(), Value> {
    if size > limit {
        Err(error(
            Kind::MemoryError,
            format!("value too large: {size} exceeds the size limit {limit}"),
        ))
    } else {
        Ok(())
    }
}
