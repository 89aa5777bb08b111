//! printf-style `str % args`: `%s %r %d %i %f %e %g %x %o %c %%` with flags
//! `-+ 0#`, width and precision (`*` too), as Python does it. Skein has no
//! tuples: a list on the right is the argument list; a dict on the right
//! serves `%(key)s` conversions (and is one argument for the others).

use super::float;
use crate::context::Cx;
use crate::errors::{overflow, type_error, value_error};
use crate::format::type_name;
use crate::value::Value;

/// `fmt % args` (printf-style; `args` is one value or a list of values).
pub fn percent(fmt: &str, args: &Value, cx: &mut Cx) -> Result<String, Value> {
    let mapping = match args {
        Value::Dict(d) => Some(d),
        _ => None,
    };
    let list;
    let args: &[Value] = match args {
        Value::List(l) => &l.items,
        other => {
            list = [other.clone()];
            &list
        }
    };
    let mut next = 0usize;
    let mut take = || -> Result<&Value, Value> {
        let v = args
            .get(next)
            .ok_or_else(|| type_error("not enough arguments for format string"))?;
        next += 1;
        Ok(v)
    };
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::with_capacity(fmt.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut keyed: Option<Value> = None;
        if chars.get(i) == Some(&'(') {
            let Some(d) = mapping else {
                return Err(type_error("format requires a mapping"));
            };
            let (key, after) = mapping_key(&chars, i + 1)?;
            i = after;
            let k = Value::str(key);
            let found = d.get(&crate::value::Key::from_value(&k)?).cloned();
            keyed = Some(found.ok_or_else(|| crate::errors::key_error(k))?);
        }
        let (mut left, mut plus, mut space, mut zero, mut alt) =
            (false, false, false, false, false);
        while let Some(&f) = chars.get(i) {
            match f {
                '-' => left = true,
                '+' => plus = true,
                ' ' => space = true,
                '0' => zero = true,
                '#' => alt = true,
                _ => break,
            }
            i += 1;
        }
        let mut width = 0usize;
        if chars.get(i) == Some(&'*') {
            i += 1;
            let w = star(take()?)?;
            if w < 0 {
                left = true;
            }
            width = w.unsigned_abs() as usize;
        } else {
            while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                width = width.saturating_mul(10).saturating_add(d as usize);
                i += 1;
            }
        }
        let mut prec: Option<usize> = None;
        if chars.get(i) == Some(&'.') {
            i += 1;
            if chars.get(i) == Some(&'*') {
                i += 1;
                prec = Some(star(take()?)?.max(0) as usize);
            } else {
                let mut p = 0usize;
                while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                    p = p.saturating_mul(10).saturating_add(d as usize);
                    i += 1;
                }
                prec = Some(p);
            }
        }
        while matches!(chars.get(i), Some('h' | 'l' | 'L')) {
            i += 1;
        }
        let Some(&ty) = chars.get(i) else {
            return Err(value_error("incomplete format"));
        };
        i += 1;
        let big = width.max(prec.unwrap_or(0)) as u64;
        crate::errors::check_size(big, cx.limits.size_limit)?;
        if ty == '%' {
            out.push('%');
            continue;
        }
        let keyed_arg = keyed.take();
        let mut take = || -> Result<&Value, Value> {
            match &keyed_arg {
                Some(v) => Ok(v),
                None => take(),
            }
        };
        let sign_of = |neg: bool| -> &'static str {
            if neg {
                "-"
            } else if plus {
                "+"
            } else if space {
                " "
            } else {
                ""
            }
        };
        let (head, body): (String, String) = match ty {
            's' | 'r' | 'a' => {
                let v = take()?;
                let s = if ty == 's' {
                    super::str(v, cx)
                } else {
                    super::repr(v, cx)
                };
                let s = match prec {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                };
                (String::new(), s)
            }
            'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                let v = take()?;
                let n: i64 = match v {
                    Value::Int(n) => *n,
                    Value::Bool(b) => *b as i64,
                    Value::Float(f) if matches!(ty, 'd' | 'i' | 'u') => {
                        match crate::num::float_to_int(f.trunc())? {
                            Value::Int(n) => n,
                            _ => 0,
                        }
                    }
                    other if matches!(ty, 'd' | 'i' | 'u') => {
                        return Err(type_error(format!(
                            "%{ty} format: a real number is required, not {}",
                            type_name(other)
                        )));
                    }
                    other => {
                        return Err(type_error(format!(
                            "%{ty} format: an integer is required, not {}",
                            type_name(other)
                        )));
                    }
                };
                let mag = n.unsigned_abs();
                let (mut digits, prefix) = match ty {
                    'x' => (format!("{mag:x}"), "0x"),
                    'X' => (format!("{mag:X}"), "0X"),
                    'o' => (format!("{mag:o}"), "0o"),
                    _ => (mag.to_string(), ""),
                };
                if let Some(p) = prec {
                    while digits.len() < p {
                        digits.insert(0, '0');
                    }
                }
                let head = format!("{}{}", sign_of(n < 0), if alt { prefix } else { "" });
                (head, digits)
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let v = take()?;
                let f = match v {
                    Value::Float(f) => *f,
                    Value::Int(n) => *n as f64,
                    Value::Bool(b) => *b as i64 as f64,
                    other => {
                        return Err(type_error(format!(
                            "must be real number, not {}",
                            type_name(other)
                        )));
                    }
                };
                let p = prec.unwrap_or(6);
                let upper = ty.is_ascii_uppercase();
                let body = match ty {
                    'e' | 'E' => float::exponent(f, p, alt, upper),
                    'f' | 'F' => float::fixed(f, p, alt, upper),
                    _ => float::general(f, p, alt, upper, false),
                };
                let neg = f.is_sign_negative() && !f.is_nan();
                (sign_of(neg).to_string(), body)
            }
            'c' => {
                let v = take()?;
                let s = match v {
                    Value::Str(s) if s.chars().count() == 1 => s.as_str().to_owned(),
                    Value::Int(n) => u32::try_from(*n)
                        .ok()
                        .and_then(char::from_u32)
                        .map(String::from)
                        .ok_or_else(|| overflow("%c arg not in range(0x110000)"))?,
                    _ => return Err(type_error("%c requires int or char")),
                };
                (String::new(), s)
            }
            other => {
                return Err(value_error(format!(
                    "unsupported format character '{other}' ({:#x}) at index {}",
                    other as u32,
                    i - 1
                )));
            }
        };
        let len = head.chars().count() + body.chars().count();
        let pad = width.saturating_sub(len);
        let numeric = !matches!(ty, 's' | 'r' | 'a' | 'c');
        if left {
            out.push_str(&head);
            out.push_str(&body);
            out.extend(std::iter::repeat_n(' ', pad));
        } else if zero && numeric {
            out.push_str(&head);
            out.extend(std::iter::repeat_n('0', pad));
            out.push_str(&body);
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&head);
            out.push_str(&body);
        }
        if out.len() as u64 > cx.limits.size_limit {
            crate::errors::check_size(out.len() as u64, cx.limits.size_limit)?;
        }
    }
    if next < args.len() && mapping.is_none() {
        return Err(type_error(
            "not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

/// The key of `%(key)s` starting at `i` (just past the `(`), parentheses
/// nesting as in Python; returns it and the index past its `)`.
fn mapping_key(chars: &[char], mut i: usize) -> Result<(String, usize), Value> {
    let start = i;
    let mut depth = 1;
    while let Some(&c) = chars.get(i) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok((chars[start..i].iter().collect(), i + 1));
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err(value_error("incomplete format key"))
}

fn star(v: &Value) -> Result<i64, Value> {
    match v {
        Value::Int(n) => Ok(*n),
        Value::Bool(b) => Ok(*b as i64),
        _ => Err(type_error("* wants int")),
    }
}
