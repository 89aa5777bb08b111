//! Numeric conversions shared by builtins, the math module and `%`
//! formatting, with Python's errors.

use crate::errors::{int_overflow, overflow, value_error};
use crate::value::Value;

/// An int from a float that is integral in effect (`round`, `int`, `floor`).
pub fn float_to_int(f: f64) -> Result<Value, Value> {
    if f.is_nan() {
        return Err(value_error("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(overflow("cannot convert float infinity to integer"));
    }
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        Ok(Value::Int(f as i64))
    } else {
        Err(int_overflow())
    }
}
