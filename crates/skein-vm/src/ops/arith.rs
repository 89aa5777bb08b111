//! Arithmetic and bitwise operators: Python's results and messages on
//! 64-bit ints (overflow is an error), floats, and str/list `+` and `*`.

use std::sync::Arc;

use skein_script::bytecode::{BinOp, UnaryOp};

use super::operand::{Num, as_f64, num};
use crate::context::Cx;
use crate::context::charge;
use crate::errors::{check_size, int_overflow, overflow, type_error, value_error, zero_division};
use crate::format::type_name;
use crate::value::{List, Value};

fn unsupported(op: BinOp, a: &Value, b: &Value) -> Value {
    type_error(format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        op.symbol(),
        type_name(a),
        type_name(b)
    ))
}

/// `a op b`. `%` on a str is printf-style formatting.
pub fn binary(op: BinOp, a: &Value, b: &Value, cx: &mut Cx) -> Result<Value, Value> {
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        if let (Value::Bool(p), Value::Bool(q)) = (a, b) {
            match op {
                BinOp::BitAnd => return Ok(Value::Bool(*p & *q)),
                BinOp::BitOr => return Ok(Value::Bool(*p | *q)),
                BinOp::BitXor => return Ok(Value::Bool(*p ^ *q)),
                _ => {}
            }
        }
        return match (x, y) {
            (Num::I(x), Num::I(y)) => int_op(op, x, y, a, b),
            _ => float_op(op, as_f64(x), as_f64(y), a, b),
        };
    }
    match (op, a, b) {
        (BinOp::Add, Value::Str(x), Value::Str(y)) => {
            check_size(x.len() as u64 + y.len() as u64, cx.limits.size_limit)?;
            charge(cx, (x.len() + y.len()) as u64 / 16);
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            Ok(Value::str(s))
        }
        (BinOp::Add, Value::Str(_), _) => Err(type_error(format!(
            "can only concatenate str (not \"{}\") to str",
            type_name(b)
        ))),
        (BinOp::Add, Value::List(x), Value::List(y)) => {
            check_size(x.size.saturating_add(y.size), cx.limits.size_limit)?;
            charge(cx, (x.items.len() + y.items.len()) as u64);
            let mut items = Vec::with_capacity(x.items.len() + y.items.len());
            items.extend(x.items.iter().cloned());
            items.extend(y.items.iter().cloned());
            Ok(Value::List(Arc::new(List {
                items,
                size: x.size + y.size,
            })))
        }
        (BinOp::Add, Value::List(_), _) => Err(type_error(format!(
            "can only concatenate list (not \"{}\") to list",
            type_name(b)
        ))),
        (BinOp::Mul, Value::Str(_) | Value::List(_), _) => repeat(a, b, cx),
        (BinOp::Mul, _, Value::Str(_) | Value::List(_)) => repeat(b, a, cx),
        (BinOp::Mod, Value::Str(f), _) => Ok(Value::str(crate::format::percent(f, b, cx)?)),
        _ => Err(unsupported(op, a, b)),
    }
}

/// `seq * n` for a str or list.
fn repeat(seq: &Value, n: &Value, cx: &mut Cx) -> Result<Value, Value> {
    let n = match n {
        Value::Int(i) => (*i).max(0) as u64,
        Value::Bool(b) => *b as u64,
        other => {
            return Err(type_error(format!(
                "can't multiply sequence by non-int of type '{}'",
                type_name(other)
            )));
        }
    };
    match seq {
        Value::Str(s) => {
            let size = (s.len() as u64).saturating_mul(n);
            check_size(size, cx.limits.size_limit)?;
            charge(cx, size / 16);
            Ok(Value::str(s.repeat(n as usize)))
        }
        Value::List(l) => {
            let size = l.size.saturating_mul(n);
            check_size(size, cx.limits.size_limit)?;
            let count = (l.items.len() as u64).saturating_mul(n);
            charge(cx, count);
            let mut items = Vec::with_capacity(count as usize);
            for _ in 0..n {
                items.extend(l.items.iter().cloned());
            }
            Ok(Value::List(Arc::new(List { items, size })))
        }
        _ => Err(type_error("can't multiply sequence")),
    }
}

fn int_op(op: BinOp, x: i64, y: i64, a: &Value, b: &Value) -> Result<Value, Value> {
    let r = match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        BinOp::Div => {
            if y == 0 {
                return Err(zero_division("division by zero"));
            }
            return Ok(Value::Float(int_true_div(x, y)));
        }
        BinOp::FloorDiv => {
            if y == 0 {
                return Err(zero_division("integer division or modulo by zero"));
            }
            x.checked_div(y).map(|q| {
                if x % y != 0 && ((x < 0) != (y < 0)) {
                    q - 1
                } else {
                    q
                }
            })
        }
        BinOp::Mod => {
            if y == 0 {
                return Err(zero_division("integer modulo by zero"));
            }
            let r = x.wrapping_rem(y);
            Some(if r != 0 && ((r < 0) != (y < 0)) {
                r + y
            } else {
                r
            })
        }
        BinOp::Pow => {
            if y < 0 {
                return float_pow(x as f64, y as f64);
            }
            int_pow(x, y)
        }
        BinOp::BitAnd => Some(x & y),
        BinOp::BitOr => Some(x | y),
        BinOp::BitXor => Some(x ^ y),
        BinOp::Shl => {
            if y < 0 {
                return Err(value_error("negative shift count"));
            }
            if x == 0 {
                Some(0)
            } else if y >= 64 {
                None
            } else {
                let r = x << y;
                (r >> y == x).then_some(r)
            }
        }
        BinOp::Shr => {
            if y < 0 {
                return Err(value_error("negative shift count"));
            }
            Some(if y >= 64 {
                if x < 0 { -1 } else { 0 }
            } else {
                x >> y
            })
        }
    };
    let _ = (a, b);
    r.map(Value::Int).ok_or_else(int_overflow)
}

/// `x / y` on ints correctly rounded, as Python does it: converting a
/// big int to float first would round twice.
fn int_true_div(x: i64, y: i64) -> f64 {
    const EXACT: u64 = 1 << 53;
    if x.unsigned_abs() <= EXACT && y.unsigned_abs() <= EXACT {
        return x as f64 / y as f64;
    }
    let (a, b) = (x.unsigned_abs() as u128, y.unsigned_abs() as u128);
    // Put `a`'s top bit at bit 126 so the quotient has at least 62 bits,
    // then keep a sticky bit for the remainder: one rounding, at the end.
    let shift = 127 - (128 - a.leading_zeros()) as i32;
    let n = a << shift;
    let q = ((n / b) << 1) | u128::from(!n.is_multiple_of(b));
    let mag = libm::scalbn(q as f64, -(shift + 1));
    if (x < 0) != (y < 0) { -mag } else { mag }
}

fn int_pow(mut base: i64, mut exp: i64) -> Option<i64> {
    let mut acc: i64 = 1;
    // Bases 0, 1 and -1 never overflow whatever the exponent.
    match base {
        0 => return Some(if exp == 0 { 1 } else { 0 }),
        1 => return Some(1),
        -1 => return Some(if exp % 2 == 0 { 1 } else { -1 }),
        _ => {}
    }
    while exp > 0 {
        if exp & 1 == 1 {
            acc = acc.checked_mul(base)?;
        }
        exp >>= 1;
        if exp > 0 {
            base = base.checked_mul(base)?;
        }
    }
    Some(acc)
}

fn float_op(op: BinOp, x: f64, y: f64, a: &Value, b: &Value) -> Result<Value, Value> {
    let r = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return Err(zero_division("float division by zero"));
            }
            x / y
        }
        BinOp::FloorDiv => {
            if y == 0.0 {
                return Err(zero_division("float floor division by zero"));
            }
            float_divmod(x, y).0
        }
        BinOp::Mod => {
            if y == 0.0 {
                return Err(zero_division("float modulo"));
            }
            float_divmod(x, y).1
        }
        BinOp::Pow => return float_pow(x, y),
        _ => return Err(unsupported(op, a, b)),
    };
    Ok(Value::Float(r))
}

/// Python's float `divmod` (floor quotient, remainder with the divisor's sign).
fn float_divmod(x: f64, y: f64) -> (f64, f64) {
    let mut m = libm::fmod(x, y);
    let mut div = (x - m) / y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m += y;
            div -= 1.0;
        }
    } else {
        m = libm::copysign(0.0, y);
    }
    let q = if div != 0.0 {
        let f = libm::floor(div);
        if div - f > 0.5 { f + 1.0 } else { f }
    } else {
        libm::copysign(0.0, x / y)
    };
    (q, m)
}

/// `x ** y` on floats, with Python's special cases and errors.
pub fn float_pow(x: f64, y: f64) -> Result<Value, Value> {
    if y == 0.0 {
        return Ok(Value::Float(1.0));
    }
    if x.is_nan() || y.is_nan() {
        return Ok(Value::Float(if x == 1.0 { 1.0 } else { f64::NAN }));
    }
    if x == 0.0 && y < 0.0 && y.is_finite() {
        return Err(zero_division("0.0 cannot be raised to a negative power"));
    }
    if x < 0.0 && x.is_finite() && y.is_finite() && libm::floor(y) != y {
        return Err(value_error(
            "negative number cannot be raised to a fractional power",
        ));
    }
    let r = crate::mathmod::dd::pow(x, y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(overflow("(34, 'Numerical result out of range')"));
    }
    Ok(Value::Float(r))
}

/// `op a`.
pub fn unary(op: UnaryOp, a: &Value) -> Result<Value, Value> {
    let sym = match op {
        UnaryOp::Neg => "-",
        UnaryOp::Pos => "+",
        UnaryOp::Invert => "~",
    };
    match (op, num(a)) {
        (UnaryOp::Neg, Some(Num::I(i))) => i.checked_neg().map(Value::Int).ok_or_else(int_overflow),
        (UnaryOp::Neg, Some(Num::F(f))) => Ok(Value::Float(-f)),
        (UnaryOp::Pos, Some(Num::I(i))) => Ok(Value::Int(i)),
        (UnaryOp::Pos, Some(Num::F(f))) => Ok(Value::Float(f)),
        (UnaryOp::Invert, Some(Num::I(i))) => Ok(Value::Int(!i)),
        _ => Err(type_error(format!(
            "bad operand type for unary {sym}: '{}'",
            type_name(a)
        ))),
    }
}
