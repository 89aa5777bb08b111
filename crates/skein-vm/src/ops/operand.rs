//! Numeric operands as the arithmetic and comparison operators see them.

use crate::value::Value;

/// A numeric operand: arithmetic and comparison mix ints and floats.
#[derive(Clone, Copy)]
pub(super) enum Num {
    /// An int, or a bool as one.
    I(i64),
    /// A float.
    F(f64),
}

/// The number `v` is, if it is one (bools are ints).
pub(super) fn num(v: &Value) -> Option<Num> {
    match v {
        Value::Bool(b) => Some(Num::I(*b as i64)),
        Value::Int(i) => Some(Num::I(*i)),
        Value::Float(f) => Some(Num::F(*f)),
        _ => None,
    }
}

/// `n` as a float.
pub(super) fn as_f64(n: Num) -> f64 {
    match n {
        Num::I(i) => i as f64,
        Num::F(f) => f,
    }
}
