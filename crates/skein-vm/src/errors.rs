//! Constructors for the errors the VM raises, with CPython 3.11's messages.

use std::sync::Arc;

use skein_script::bytecode::FuncRef;

use crate::kind::Kind;
use crate::value::Value;
use crate::value::{ErrorObj, TraceEntry};

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

/// The traceback entry that marks an engine fault: no frame has this
/// function or line, so no script error carries it.
const FAULT_MARK: TraceEntry = TraceEntry {
    func: FuncRef {
        module: u16::MAX,
        func: u16::MAX,
    },
    line: u32::MAX,
};

/// An engine fault: the VM found itself somewhere verified bytecode never
/// takes it (past the end of a function, a missing operand, a state no
/// instruction makes). It is not a script error: no `except` catches it,
/// and it ends the tasklet's run with a report that names it a bug in
/// Skein (docs/language.md, "Engine faults").
pub fn fault(what: impl Into<String>) -> Value {
    Value::Error(Arc::new(ErrorObj {
        kind: Kind::RuntimeError,
        args: vec![Value::str(what)],
        traceback: vec![FAULT_MARK],
    }))
}

/// What went wrong, when `v` is an engine fault (see [`fault`]).
pub fn fault_message(v: &Value) -> Option<&str> {
    match v {
        Value::Error(e) if e.traceback.first() == Some(&FAULT_MARK) => match e.args.first() {
            Some(Value::Str(s)) => Some(s.as_str()),
            _ => Some(""),
        },
        _ => None,
    }
}
