//! The argument and result checks the math functions share, with
//! CPython's messages: a real-number argument, and a libm result that is a
//! domain or range error.

use crate::value::Value;

/// A real-number argument (an int or a bool counts).
pub(super) fn real(v: &Value) -> Result<f64, Value> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(*b as i64 as f64),
        other => Err(crate::errors::type_error(format!(
            "must be real number, not {}",
            crate::format::type_name(other)
        ))),
    }
}

/// `ValueError: math domain error`.
pub(super) fn domain() -> Value {
    crate::errors::value_error("math domain error")
}

/// Checks a libm result as CPython's math module does: NaN from non-NaN
/// input is a domain error, infinity from finite input a range error.
pub(super) fn checked(x: f64, r: f64, can_overflow: bool) -> Result<Value, Value> {
    if r.is_nan() && !x.is_nan() {
        return Err(domain());
    }
    if r.is_infinite() && x.is_finite() {
        return Err(if can_overflow {
            crate::errors::overflow("math range error")
        } else {
            domain()
        });
    }
    Ok(Value::Float(r))
}
