//! Constructors for the errors the VM raises, with CPython 3.11's messages.

use std::sync::Arc;

use crate::error::ErrorObj;
use crate::value::{Kind, Value};

/// A new error value of `kind` with one message argument.
pub fn error(kind: Kind, msg: impl Into<String>) -> Value {
    Value::Error(Arc::new(ErrorObj {
        kind,
        args: vec![Value::Str(Arc::new(msg.into()))],
        traceback: Vec::new(),
    }))
}

pub fn runtime_error(msg: impl Into<String>) -> Value {
    error(Kind::RuntimeError, msg)
}

pub fn type_error(msg: impl Into<String>) -> Value {
    error(Kind::TypeError, msg)
}

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
