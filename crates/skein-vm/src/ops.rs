//! Operators on values with Python's semantics and messages: arithmetic,
//! comparison, truthiness, indexing, slicing, unpacking, iteration, and
//! writing through a place's key path copy-on-write.
//!
//! Comparison walks lists and dicts with an explicit stack (see [`cmp3`]),
//! so `==` and `<` on a 100 000-deep list never recurse on the host stack.

use std::cmp::Ordering;
use std::sync::Arc;

use skein_script::bytecode::{BinOp, CmpOp, UnaryOp};

use crate::Cx;
use crate::errors::{
    check_size, index_error, int_overflow, key_error, overflow, type_error, value_error,
    zero_division,
};
use crate::format::type_name;
use crate::value::{Dict, IterState, Key, List, RangeObj, Value};

/// Python truthiness.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::None | Value::Unbound => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::List(l) => !l.items.is_empty(),
        Value::Dict(d) => !d.map.is_empty(),
        Value::Range(r) => range_len(r) > 0,
        _ => true,
    }
}

/// Subtracts `n` from the fuel, stopping at zero.
pub fn charge(cx: &mut Cx, n: u64) {
    *cx.fuel = cx.fuel.saturating_sub(n);
}

#[derive(Clone, Copy)]
enum Num {
    I(i64),
    F(f64),
}

fn num(v: &Value) -> Option<Num> {
    match v {
        Value::Bool(b) => Some(Num::I(*b as i64)),
        Value::Int(i) => Some(Num::I(*i)),
        Value::Float(f) => Some(Num::F(*f)),
        _ => None,
    }
}

fn as_f64(n: Num) -> f64 {
    match n {
        Num::I(i) => i as f64,
        Num::F(f) => f,
    }
}

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

// ---------------------------------------------------------------------------
// Comparison.

/// The outcome of comparing two values in one walk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ord3 {
    Less,
    Equal,
    Greater,
    /// Unequal and every ordering false (a NaN was involved).
    Unordered,
    /// Unequal, and ordering them is a `TypeError` naming these types.
    NotEqual(&'static str, &'static str),
}

fn from_ordering(o: Ordering) -> Ord3 {
    match o {
        Ordering::Less => Ord3::Less,
        Ordering::Equal => Ord3::Equal,
        Ordering::Greater => Ord3::Greater,
    }
}

/// Exact comparison of an int with a float (`2**53 + 1 != float(2**53)`).
fn cmp_int_float(i: i64, f: f64) -> Ord3 {
    if f.is_nan() {
        return Ord3::Unordered;
    }
    // 2^63 is exactly representable; every i64 is below it.
    if f >= 9_223_372_036_854_775_808.0 {
        return Ord3::Less;
    }
    if f < -9_223_372_036_854_775_808.0 {
        return Ord3::Greater;
    }
    let t = f.trunc();
    let ti = t as i64;
    match i.cmp(&ti) {
        Ordering::Equal => {
            let frac = f - t;
            if frac > 0.0 {
                Ord3::Less
            } else if frac < 0.0 {
                Ord3::Greater
            } else {
                Ord3::Equal
            }
        }
        o => from_ordering(o),
    }
}

fn num_cmp(x: Num, y: Num) -> Ord3 {
    match (x, y) {
        (Num::I(a), Num::I(b)) => from_ordering(a.cmp(&b)),
        (Num::F(a), Num::F(b)) => a.partial_cmp(&b).map_or(Ord3::Unordered, from_ordering),
        (Num::I(a), Num::F(b)) => cmp_int_float(a, b),
        (Num::F(a), Num::I(b)) => match cmp_int_float(b, a) {
            Ord3::Less => Ord3::Greater,
            Ord3::Greater => Ord3::Less,
            o => o,
        },
    }
}

fn range_eq(a: &RangeObj, b: &RangeObj) -> bool {
    let (la, lb) = (range_len(a), range_len(b));
    la == lb && (la == 0 || (a.start == b.start && (la == 1 || a.step == b.step)))
}

/// Compares values that are not lists, dicts or errors.
fn scalar_cmp(a: &Value, b: &Value) -> Ord3 {
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return num_cmp(x, y);
    }
    let eq = match (a, b) {
        (Value::Str(x), Value::Str(y)) => return from_ordering(x.as_str().cmp(y.as_str())),
        (Value::Range(x), Value::Range(y)) => range_eq(x, y),
        (Value::Method(x), Value::Method(y)) => x.1 == y.1 && x.0 == y.0,
        (Value::Iter(_), _) | (_, Value::Iter(_)) => false,
        _ => a == b,
    };
    if eq {
        Ord3::Equal
    } else {
        Ord3::NotEqual(type_name(a), type_name(b))
    }
}

enum Frame<'a> {
    Seq {
        a: &'a [Value],
        b: &'a [Value],
        i: usize,
        /// For error arguments: the names an ordering error reports.
        names: Option<(&'static str, &'static str)>,
    },
    Dict {
        a: &'a Dict,
        b: &'a Dict,
        i: usize,
    },
}

/// Compares two values as Python's `==` and `<` see them, in one walk:
/// lists lexicographically (the first unequal pair decides), dicts and
/// errors by equality only.
pub fn cmp3(a: &Value, b: &Value) -> Ord3 {
    let mut stack: Vec<Frame> = Vec::new();
    let mut pending = Some((a, b));
    loop {
        if let Some((x, y)) = pending.take() {
            let r = match (x, y) {
                (Value::List(p), Value::List(q)) => {
                    if !Arc::ptr_eq(p, q) {
                        stack.push(Frame::Seq {
                            a: &p.items,
                            b: &q.items,
                            i: 0,
                            names: None,
                        });
                    }
                    Ord3::Equal
                }
                (Value::Dict(p), Value::Dict(q)) => {
                    if p.map.len() != q.map.len() {
                        Ord3::NotEqual("dict", "dict")
                    } else {
                        if !Arc::ptr_eq(p, q) {
                            stack.push(Frame::Dict { a: p, b: q, i: 0 });
                        }
                        Ord3::Equal
                    }
                }
                (Value::Error(p), Value::Error(q)) => {
                    let names = (type_name(x), type_name(y));
                    if p.kind != q.kind {
                        Ord3::NotEqual(names.0, names.1)
                    } else {
                        stack.push(Frame::Seq {
                            a: &p.args,
                            b: &q.args,
                            i: 0,
                            names: Some(names),
                        });
                        Ord3::Equal
                    }
                }
                _ => scalar_cmp(x, y),
            };
            if r != Ord3::Equal {
                return finish(r, &stack);
            }
        }
        let Some(top) = stack.last_mut() else {
            return Ord3::Equal;
        };
        match top {
            Frame::Seq { a, b, i, names } => {
                if *i < a.len() && *i < b.len() {
                    pending = Some((&a[*i], &b[*i]));
                    *i += 1;
                } else {
                    let r = from_ordering(a.len().cmp(&b.len()));
                    let names = *names;
                    stack.pop();
                    if r != Ord3::Equal {
                        let r = match names {
                            Some((p, q)) => Ord3::NotEqual(p, q),
                            None => r,
                        };
                        return finish(r, &stack);
                    }
                }
            }
            Frame::Dict { a, b, i } => match a.map.get_index(*i) {
                Some((k, (_, va))) => {
                    *i += 1;
                    match b.map.get(k) {
                        Some((_, vb)) => pending = Some((va, vb)),
                        None => return finish(Ord3::NotEqual("dict", "dict"), &stack),
                    }
                }
                None => {
                    stack.pop();
                }
            },
        }
    }
}

/// A difference found inside a dict or an error makes that whole container
/// unequal and unorderable; the outermost such container names the types.
fn finish(r: Ord3, stack: &[Frame]) -> Ord3 {
    for f in stack {
        match f {
            Frame::Dict { .. } => return Ord3::NotEqual("dict", "dict"),
            Frame::Seq {
                names: Some((p, q)),
                ..
            } => return Ord3::NotEqual(p, q),
            _ => {}
        }
    }
    r
}

/// Script `==`.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    cmp3(a, b) == Ord3::Equal
}

fn orderable(v: &Value) -> bool {
    matches!(
        v,
        Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_) | Value::List(_)
    )
}

/// `a < b` and friends; `Less`/`Greater` etc. mapped to a bool.
fn order(op: CmpOp, a: &Value, b: &Value) -> Result<bool, Value> {
    let sym = match op {
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        _ => ">=",
    };
    let not_supported = |x: &str, y: &str| {
        type_error(format!(
            "'{sym}' not supported between instances of '{x}' and '{y}'"
        ))
    };
    let same_kind = match (a, b) {
        (Value::List(_), Value::List(_)) | (Value::Str(_), Value::Str(_)) => true,
        _ => num(a).is_some() && num(b).is_some(),
    };
    if !same_kind || !orderable(a) {
        return Err(not_supported(type_name(a), type_name(b)));
    }
    let r = cmp3(a, b);
    Ok(match (op, r) {
        (_, Ord3::NotEqual(x, y)) => return Err(not_supported(x, y)),
        (_, Ord3::Unordered) => false,
        (CmpOp::Lt, r) => r == Ord3::Less,
        (CmpOp::Le, r) => r != Ord3::Greater,
        (CmpOp::Gt, r) => r == Ord3::Greater,
        (_, r) => r != Ord3::Less,
    })
}

fn has_identity(v: &Value) -> bool {
    matches!(
        v,
        Value::None
            | Value::Bool(_)
            | Value::Tasklet(_)
            | Value::Channel(_)
            | Value::Function(_)
            | Value::Module(_)
            | Value::Type(_)
            | Value::Builtin(_)
            | Value::Native(_)
            | Value::Method(_)
    )
}

/// `needle in haystack`.
pub fn contains(hay: &Value, needle: &Value) -> Result<bool, Value> {
    match hay {
        // Membership is Python's even for floats (`1.0 in {1: 2}`), which
        // can never be keys but can equal one.
        Value::Dict(d) => match needle {
            Value::Float(f) => Ok(f.fract() == 0.0
                && f.abs() < 9.2e18
                && d.map.contains_key(&Key::Int(*f as i64))),
            _ => Ok(d.map.contains_key(&Key::from_value(needle)?)),
        },
        Value::Str(s) => match needle {
            Value::Str(n) => Ok(s.contains(n.as_str())),
            other => Err(type_error(format!(
                "'in <string>' requires string as left operand, not {}",
                type_name(other)
            ))),
        },
        Value::List(l) => Ok(l.items.iter().any(|x| values_equal(x, needle))),
        Value::Range(r) => {
            let n = match num(needle) {
                Some(Num::I(i)) => i,
                Some(Num::F(f)) if f.fract() == 0.0 && f.abs() < 9.2e18 => f as i64,
                _ => return Ok(false),
            };
            Ok(range_index_of(r, n).is_some())
        }
        other => Err(type_error(format!(
            "argument of type '{}' is not iterable",
            type_name(other)
        ))),
    }
}

/// Every comparison, `in`/`not in`, `is`/`is not`; returns a bool value.
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> Result<Value, Value> {
    let r = match op {
        CmpOp::Eq => values_equal(a, b),
        CmpOp::Ne => !values_equal(a, b),
        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => order(op, a, b)?,
        CmpOp::In => contains(b, a)?,
        CmpOp::NotIn => !contains(b, a)?,
        CmpOp::Is | CmpOp::IsNot => {
            if !has_identity(a) && !has_identity(b) {
                return Err(type_error("values have no identity: use =="));
            }
            let same = has_identity(a) && has_identity(b) && scalar_cmp(a, b) == Ord3::Equal
                // `1 is True` is False although `1 == True`.
                && std::mem::discriminant(a) == std::mem::discriminant(b);
            same == (op == CmpOp::Is)
        }
    };
    Ok(Value::Bool(r))
}

// ---------------------------------------------------------------------------
// Indexing and slicing.

/// The number of items of a range.
pub fn range_len(r: &RangeObj) -> u64 {
    let (start, stop, step) = (r.start as i128, r.stop as i128, r.step as i128);
    let n = if step > 0 && start < stop {
        (stop - start + step - 1) / step
    } else if step < 0 && start > stop {
        (start - stop - step - 1) / -step
    } else {
        0
    };
    n as u64
}

/// Item `i` (0-based, in bounds) of a range.
pub fn range_item(r: &RangeObj, i: u64) -> i64 {
    (r.start as i128 + i as i128 * r.step as i128) as i64
}

fn range_index_of(r: &RangeObj, n: i64) -> Option<u64> {
    let off = n as i128 - r.start as i128;
    let step = r.step as i128;
    if off % step != 0 {
        return None;
    }
    let i = off / step;
    (i >= 0 && (i as u64) < range_len(r)).then_some(i as u64)
}

fn int_of(i: &Value) -> Option<i64> {
    match i {
        Value::Int(n) => Some(*n),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

/// Resolves a possibly negative index against `len`.
pub fn norm_index(i: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let j = if i < 0 { i.checked_add(len)? } else { i };
    (0..len).contains(&j).then_some(j as usize)
}

fn list_pos(len: usize, i: &Value, what: &str) -> Result<usize, Value> {
    let n = int_of(i).ok_or_else(|| {
        type_error(format!(
            "list indices must be integers or slices, not {}",
            type_name(i)
        ))
    })?;
    norm_index(n, len).ok_or_else(|| index_error(format!("list {what} out of range")))
}

/// The `n`th char of `s` (negative from the end), as a 1-char str.
fn str_char(s: &str, i: &Value) -> Result<Value, Value> {
    let n = int_of(i).ok_or_else(|| {
        type_error(format!(
            "string indices must be integers, not '{}'",
            type_name(i)
        ))
    })?;
    let out_of_range = || index_error("string index out of range");
    if s.is_ascii() {
        let k = norm_index(n, s.len()).ok_or_else(out_of_range)?;
        return Ok(Value::str(&s[k..k + 1]));
    }
    let len = s.chars().count();
    let k = norm_index(n, len).ok_or_else(out_of_range)?;
    let c = s.chars().nth(k).ok_or_else(out_of_range)?;
    Ok(Value::str(c.to_string()))
}

/// `a[i]`.
pub fn index(a: &Value, i: &Value) -> Result<Value, Value> {
    match a {
        Value::List(l) => Ok(l.items[list_pos(l.items.len(), i, "index")?].clone()),
        Value::Str(s) => str_char(s, i),
        Value::Dict(d) => match d.get(&Key::from_value(i)?) {
            Some(v) => Ok(v.clone()),
            None => Err(key_error(i.clone())),
        },
        Value::Range(r) => {
            let n = int_of(i).ok_or_else(|| {
                type_error(format!(
                    "range indices must be integers or slices, not {}",
                    type_name(i)
                ))
            })?;
            let len = range_len(r) as i128;
            let k = if n < 0 { n as i128 + len } else { n as i128 };
            if k < 0 || k >= len {
                return Err(index_error("range object index out of range"));
            }
            Ok(Value::Int(range_item(r, k as u64)))
        }
        other => Err(type_error(format!(
            "'{}' object is not subscriptable",
            type_name(other)
        ))),
    }
}

fn slice_part(v: &Value) -> Result<Option<i64>, Value> {
    match v {
        Value::None => Ok(None),
        other => int_of(other).map(Some).ok_or_else(|| {
            type_error("slice indices must be integers or None or have an __index__ method")
        }),
    }
}

/// Python's `slice.indices(len)`: (start, stop, step) clamped to the sequence.
pub fn slice_indices(
    len: usize,
    lo: Option<i64>,
    hi: Option<i64>,
    step: Option<i64>,
) -> Result<(i64, i64, i64), Value> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(value_error("slice step cannot be zero"));
    }
    let len = len as i64;
    let clamp = |v: Option<i64>, dflt: i64| -> i64 {
        match v {
            None => dflt,
            Some(v) if v < 0 => {
                let v = v.saturating_add(len);
                if v < 0 {
                    if step < 0 { -1 } else { 0 }
                } else {
                    v
                }
            }
            Some(v) if v >= len => {
                if step < 0 {
                    len - 1
                } else {
                    len
                }
            }
            Some(v) => v,
        }
    };
    if step > 0 {
        Ok((clamp(lo, 0), clamp(hi, len), step))
    } else {
        Ok((clamp(lo, len - 1), clamp(hi, -1), step))
    }
}

/// The positions a slice selects, in order.
fn slice_positions(start: i64, stop: i64, step: i64) -> impl Iterator<Item = usize> {
    let mut i = start;
    std::iter::from_fn(move || {
        if (step > 0 && i < stop) || (step < 0 && i > stop) {
            let r = i as usize;
            i += step;
            Some(r)
        } else {
            None
        }
    })
}

/// `a[lo:hi:step]`; absent parts are `None`.
pub fn slice(a: &Value, lo: &Value, hi: &Value, step: &Value) -> Result<Value, Value> {
    let (lo, hi, st) = (slice_part(lo)?, slice_part(hi)?, slice_part(step)?);
    match a {
        Value::List(l) => {
            let (s, e, k) = slice_indices(l.items.len(), lo, hi, st)?;
            let items = slice_positions(s, e, k)
                .map(|i| l.items[i].clone())
                .collect();
            Ok(Value::list(items))
        }
        Value::Str(text) => {
            if text.is_ascii() {
                let (s, e, k) = slice_indices(text.len(), lo, hi, st)?;
                let b = text.as_bytes();
                let out: String = slice_positions(s, e, k).map(|i| b[i] as char).collect();
                return Ok(Value::str(out));
            }
            let chars: Vec<char> = text.chars().collect();
            let (s, e, k) = slice_indices(chars.len(), lo, hi, st)?;
            Ok(Value::str(
                slice_positions(s, e, k)
                    .map(|i| chars[i])
                    .collect::<String>(),
            ))
        }
        Value::Range(r) => {
            let len = range_len(r);
            let (s, e, k) = slice_indices(len as usize, lo, hi, st)?;
            let at = |i: i64| r.start as i128 + i as i128 * r.step as i128;
            let (start, stop, step) = (at(s), at(e), r.step as i128 * k as i128);
            let fit = |v: i128| i64::try_from(v).map_err(|_| int_overflow());
            Ok(Value::Range(Arc::new(RangeObj {
                start: fit(start)?,
                stop: fit(stop)?,
                step: fit(step)?,
            })))
        }
        Value::Dict(_) => Err(type_error("unhashable type: 'slice'")),
        other => Err(type_error(format!(
            "'{}' object is not subscriptable",
            type_name(other)
        ))),
    }
}

// ---------------------------------------------------------------------------
// Places.

/// Runs `f` on the value at `root[keys[0]]…[keys[n-1]]` (or `root` itself
/// for no keys), copying on write along the path, then fixes the cached
/// sizes of every container on the path and checks the size limit.
///
/// While `f` runs, `cx.limits.size_limit` is the room left for the value at
/// the place (the limit minus the rest of the root), so `f`'s own checks of
/// the limit are exact. A value over the room that `f` leaves there is a
/// `MemoryError` (the place keeps it).
pub fn with_place<R>(
    root: &mut Value,
    keys: &[Value],
    cx: &mut Cx,
    f: &mut dyn FnMut(&mut Value, &mut Cx) -> Result<R, Value>,
) -> Result<R, Value> {
    let limit = cx.limits.size_limit;
    let r = place_rec(root, keys, cx, f);
    cx.limits.size_limit = limit;
    let r = r?;
    check_size(root.size(), limit)?;
    Ok(r)
}

fn place_rec<R>(
    v: &mut Value,
    keys: &[Value],
    cx: &mut Cx,
    f: &mut dyn FnMut(&mut Value, &mut Cx) -> Result<R, Value>,
) -> Result<R, Value> {
    let Some((k, rest)) = keys.split_first() else {
        let room = cx.limits.size_limit;
        let r = f(v, cx)?;
        check_size(v.size(), room)?;
        return Ok(r);
    };
    match v {
        Value::List(arc) => {
            let pos = list_pos(arc.items.len(), k, "index")?;
            let l = Arc::make_mut(arc);
            let old = l.items[pos].size();
            let others = l.size.saturating_sub(old);
            cx.limits.size_limit = cx.limits.size_limit.saturating_sub(others);
            let r = place_rec(&mut l.items[pos], rest, cx, f);
            l.size = others.saturating_add(l.items[pos].size());
            r
        }
        Value::Dict(arc) => {
            let key = Key::from_value(k)?;
            if !arc.map.contains_key(&key) {
                return Err(key_error(k.clone()));
            }
            let d = Arc::make_mut(arc);
            let size = d.size;
            let Some(entry) = d.map.get_mut(&key) else {
                return Err(key_error(k.clone()));
            };
            let old = entry.1.size();
            let others = size.saturating_sub(old);
            cx.limits.size_limit = cx.limits.size_limit.saturating_sub(others);
            let r = place_rec(&mut entry.1, rest, cx, f);
            let new = entry.1.size();
            d.size = others.saturating_add(new);
            r
        }
        other => Err(type_error(format!(
            "'{}' object does not support item assignment",
            type_name(other)
        ))),
    }
}

/// `a[i] = v` on the container `a` itself (list item or dict entry).
pub fn store_index(a: &mut Value, i: Value, v: Value, cx: &mut Cx) -> Result<(), Value> {
    let limit = cx.limits.size_limit;
    match a {
        Value::List(arc) => {
            let pos = list_pos(arc.items.len(), &i, "assignment index")?;
            let new = arc.size - arc.items[pos].size() + v.size();
            check_size(new, limit)?;
            Arc::make_mut(arc).set(pos, v);
            Ok(())
        }
        Value::Dict(arc) => {
            let key = Key::from_value(&i)?;
            let new = match arc.map.get(&key) {
                Some((_, old)) => arc.size - old.size() + v.size(),
                None => arc.size + 1 + i.size() + v.size(),
            };
            check_size(new, limit)?;
            Arc::make_mut(arc).insert_key(key, i, v);
            Ok(())
        }
        other => Err(type_error(format!(
            "'{}' object does not support item assignment",
            type_name(other)
        ))),
    }
}

/// `del a[i]`.
pub fn del_index(a: &mut Value, i: &Value) -> Result<(), Value> {
    match a {
        Value::List(arc) => {
            let pos = list_pos(arc.items.len(), i, "assignment index")?;
            Arc::make_mut(arc).remove(pos);
            Ok(())
        }
        Value::Dict(arc) => {
            let key = Key::from_value(i)?;
            if !arc.map.contains_key(&key) {
                return Err(key_error(i.clone()));
            }
            Arc::make_mut(arc).remove(&key);
            Ok(())
        }
        other => Err(type_error(format!(
            "'{}' object doesn't support item deletion",
            type_name(other)
        ))),
    }
}

// ---------------------------------------------------------------------------
// Unpacking and iteration.

/// The items of an iterable value (list, str, range, dict keys), or the
/// `not iterable` error. `what` builds the error for other values.
pub fn items_of(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l) => Some(l.items.clone()),
        Value::Str(s) => Some(s.chars().map(|c| Value::str(c.to_string())).collect()),
        Value::Range(r) => Some(
            (0..range_len(r))
                .map(|i| Value::Int(range_item(r, i)))
                .collect(),
        ),
        Value::Dict(d) => Some(d.map.values().map(|(k, _)| k.clone()).collect()),
        _ => None,
    }
}

/// Refuses to materialise an iterable with more items than the size limit
/// allows (`list(range(10**18))` is a `MemoryError`, not a hang).
pub fn check_len(v: &Value, cx: &Cx) -> Result<(), Value> {
    match v {
        Value::Range(r) => check_size(range_len(r), cx.limits.size_limit),
        _ => Ok(()),
    }
}

/// The items of an iterable, or `'int' object is not iterable`; bounded by
/// the size limit (see [`check_len`]).
pub fn iter_items(v: &Value, cx: &Cx) -> Result<Vec<Value>, Value> {
    check_len(v, cx)?;
    items_of(v).ok_or_else(|| not_iterable(v))
}

/// The number of items `items_of` would give, without making them.
pub fn len_of(v: &Value) -> Option<u64> {
    match v {
        Value::List(l) => Some(l.items.len() as u64),
        Value::Str(s) => Some(s.chars().count() as u64),
        Value::Range(r) => Some(range_len(r)),
        Value::Dict(d) => Some(d.map.len() as u64),
        _ => None,
    }
}

/// `'int' object is not iterable`.
pub fn not_iterable(v: &Value) -> Value {
    type_error(format!("'{}' object is not iterable", type_name(v)))
}

/// Unpacks a list, str or range of exactly `n` items, in order.
pub fn unpack(v: &Value, n: usize) -> Result<Vec<Value>, Value> {
    let Some(len) = len_of(v) else {
        return Err(type_error(format!(
            "cannot unpack non-iterable {} object",
            type_name(v)
        )));
    };
    if len < n as u64 {
        return Err(value_error(format!(
            "not enough values to unpack (expected {n}, got {len})"
        )));
    }
    if len > n as u64 {
        return Err(value_error(format!(
            "too many values to unpack (expected {n})"
        )));
    }
    Ok(items_of(v).unwrap_or_default())
}

/// `iter(v)` for a `for` loop: a `Value::Iter` over a snapshot of `v`.
pub fn get_iter(v: &Value) -> Result<Value, Value> {
    let st = match v {
        Value::List(l) => IterState::List {
            list: l.clone(),
            next: 0,
        },
        Value::Range(r) => IterState::Range {
            next: r.start,
            stop: r.stop,
            step: r.step,
        },
        Value::Str(s) => IterState::Str {
            s: s.clone(),
            next: 0,
        },
        Value::Dict(d) => IterState::DictKeys {
            dict: d.clone(),
            next: 0,
        },
        Value::Channel(id) => IterState::Channel(*id),
        Value::Iter(it) => return Ok(Value::Iter(it.clone())),
        other => return Err(not_iterable(other)),
    };
    Ok(Value::Iter(Arc::new(st)))
}

/// The next item, or `None` when exhausted. Never called for channels.
pub fn iter_next(it: &mut IterState) -> Option<Value> {
    match it {
        IterState::List { list, next } => {
            let v = list.items.get(*next)?.clone();
            *next += 1;
            Some(v)
        }
        IterState::Range { next, stop, step } => {
            let live = (*step > 0 && *next < *stop) || (*step < 0 && *next > *stop);
            if !live {
                return None;
            }
            let v = *next;
            // Past i64's end the range is over: park `next` on `stop`.
            *next = next.checked_add(*step).unwrap_or(*stop);
            Some(Value::Int(v))
        }
        IterState::Str { s, next } => {
            let c = s.get(*next..)?.chars().next()?;
            *next += c.len_utf8();
            Some(Value::str(c.to_string()))
        }
        IterState::DictKeys { dict, next } => {
            let (_, (k, _)) = dict.map.get_index(*next)?;
            *next += 1;
            Some(k.clone())
        }
        IterState::Channel(_) => None,
    }
}

/// Python's `a < b` as a bool (sorting uses only this).
pub fn less_than(a: &Value, b: &Value) -> Result<bool, Value> {
    order(CmpOp::Lt, a, b)
}

#[cfg(test)]
mod tests;
