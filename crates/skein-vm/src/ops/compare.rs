//! Comparison: `==` and `<` walk lists and dicts with an explicit stack
//! (see [`cmp3`]), `in`, and `is` on the values that have an identity.

use std::cmp::Ordering;
use std::sync::Arc;

use skein_script::bytecode::CmpOp;

use super::index::range_index_of;
use super::index::range_len;
use super::operand::{Num, num};
use crate::errors::type_error;
use crate::format::type_name;
use crate::value::{Dict, Key, RangeObj, Value};

/// The outcome of comparing two values in one walk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ord3 {
    /// The left value is smaller.
    Less,
    /// They are equal.
    Equal,
    /// The left value is larger.
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
    // Two strs, the commonest non-number test (`ai == b[j]`, `state ==
    // "idle"`): their bytes, with no walk set up.
    if let (Value::Str(x), Value::Str(y)) = (a, b) {
        return Arc::ptr_eq(x, y) || x.as_str() == y.as_str();
    }
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

/// Python's `a < b` as a bool (sorting uses only this).
pub fn less_than(a: &Value, b: &Value) -> Result<bool, Value> {
    order(CmpOp::Lt, a, b)
}
