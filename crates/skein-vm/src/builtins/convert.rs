//! `int(…)`, `float(…)` and `dict(…)`: conversions with Python's parsing
//! rules (whitespace, signs, underscores, base prefixes) and messages.

use crate::args::{arity, int_arg, take_kwargs};
use crate::context::Cx;
use crate::errors::{check_size, int_overflow, type_error, value_error};
use crate::format::{str_repr, type_name};
use crate::host::KwArgs;
use crate::num::float_to_int;
use crate::ops::charge;
use crate::value::{Dict, Value};

pub(super) fn to_int(args: Vec<Value>, kwargs: KwArgs) -> Result<Value, Value> {
    take_kwargs("int", kwargs, &[])?;
    arity("int", &args, 0, 2)?;
    let base = match args.get(1) {
        Some(b) => Some(int_arg(b)?),
        None => None,
    };
    let Some(x) = args.first() else {
        return Ok(Value::Int(0));
    };
    match (x, base) {
        (Value::Str(s), b) => {
            let b = b.unwrap_or(10);
            if b != 0 && !(2..=36).contains(&b) {
                return Err(value_error("int() base must be >= 2 and <= 36, or 0"));
            }
            parse_int(s, b as u32).map(Value::Int)
        }
        (_, Some(_)) => Err(type_error(
            "int() can't convert non-string with explicit base",
        )),
        (Value::Int(i), None) => Ok(Value::Int(*i)),
        (Value::Bool(b), None) => Ok(Value::Int(*b as i64)),
        (Value::Float(f), None) => float_to_int(f.trunc()),
        (other, None) => Err(type_error(format!(
            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
            type_name(other)
        ))),
    }
}

/// Parses an int literal as Python's `int(s, base)` does.
pub fn parse_int(original: &str, base: u32) -> Result<i64, Value> {
    let invalid = || {
        value_error(format!(
            "invalid literal for int() with base {base}: {}",
            str_repr(original)
        ))
    };
    let s = original.trim();
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = s.to_ascii_lowercase();
    let prefix_base = match lower.get(..2) {
        Some("0x") => Some(16),
        Some("0o") => Some(8),
        Some("0b") => Some(2),
        _ => None,
    };
    let (radix, digits, had_prefix) = match (base, prefix_base) {
        (0, Some(p)) => (p, &s[2..], true),
        (0, None) => (10, s, false),
        (b, Some(p)) if b == p => (b, &s[2..], true),
        (b, _) => (b, s, false),
    };
    // Underscores: one at a time, between digits (or right after a prefix).
    let mut value: i128 = 0;
    let mut prev_digit = had_prefix;
    let mut ndigits = 0;
    for c in digits.chars() {
        if c == '_' {
            if !prev_digit {
                return Err(invalid());
            }
            prev_digit = false;
            continue;
        }
        let d = c.to_digit(radix).ok_or_else(invalid)?;
        value = value * radix as i128 + d as i128;
        if value > 1 << 64 {
            return Err(int_overflow());
        }
        prev_digit = true;
        ndigits += 1;
    }
    if ndigits == 0 || !prev_digit {
        return Err(invalid());
    }
    // Base 0 forbids leading zeros on a non-zero decimal ("010").
    if base == 0 && !had_prefix && value != 0 && digits.starts_with('0') {
        return Err(invalid());
    }
    let v = if neg { -value } else { value };
    i64::try_from(v).map_err(|_| int_overflow())
}

pub(super) fn to_float(args: Vec<Value>, kwargs: KwArgs) -> Result<Value, Value> {
    take_kwargs("float", kwargs, &[])?;
    arity("float", &args, 0, 1)?;
    match args.first() {
        None => Ok(Value::Float(0.0)),
        Some(Value::Float(f)) => Ok(Value::Float(*f)),
        Some(Value::Int(i)) => Ok(Value::Float(*i as f64)),
        Some(Value::Bool(b)) => Ok(Value::Float(*b as i64 as f64)),
        Some(Value::Str(s)) => parse_float(s).map(Value::Float),
        Some(other) => Err(type_error(format!(
            "float() argument must be a string or a real number, not '{}'",
            type_name(other)
        ))),
    }
}

/// Parses a float as Python's `float(s)` does.
pub fn parse_float(original: &str) -> Result<f64, Value> {
    let invalid = || {
        value_error(format!(
            "could not convert string to float: {}",
            str_repr(original)
        ))
    };
    let s = original.trim();
    let body = s.trim_start_matches(['+', '-']);
    if s.len() - body.len() > 1 {
        return Err(invalid());
    }
    let word = body.to_ascii_lowercase();
    if matches!(word.as_str(), "inf" | "infinity" | "nan") {
        return s.to_ascii_lowercase().parse().map_err(|_| invalid());
    }
    let bytes = body.as_bytes();
    let mut clean = String::with_capacity(s.len());
    clean.push_str(&s[..s.len() - body.len()]);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'_' => {
                let ok = i > 0
                    && bytes[i - 1].is_ascii_digit()
                    && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
                if !ok {
                    return Err(invalid());
                }
            }
            b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-' => clean.push(b as char),
            _ => return Err(invalid()),
        }
    }
    clean.parse().map_err(|_| invalid())
}

pub(super) fn to_dict(args: Vec<Value>, kwargs: KwArgs, cx: &mut Cx) -> Result<Value, Value> {
    arity("dict", &args, 0, 1)?;
    let mut d = match args.first() {
        None => Dict::new(),
        Some(Value::Dict(src)) => (**src).clone(),
        Some(v) => {
            let pairs = crate::ops::iter_items(v, cx)?;
            charge(cx, pairs.len() as u64);
            let mut d = Dict::new();
            for (i, p) in pairs.iter().enumerate() {
                let (k, v) = crate::ops::update_pair(i, p, cx)?;
                d.insert(k, v)?;
            }
            d
        }
    };
    charge(cx, kwargs.len() as u64);
    for (k, v) in kwargs {
        d.insert(Value::str(k.to_string()), v)?;
    }
    check_size(d.size, cx.limits.size_limit)?;
    Ok(Value::dict(d))
}
