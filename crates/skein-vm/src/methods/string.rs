//! Str methods. Positions (`find`) count chars, as Python's do.

use super::args::{arity, no_kwargs};
use super::chars::is_space;
use crate::args::{int_arg, take_kwargs};
use crate::context::Cx;
use crate::errors::{attribute_error, check_size, type_error, value_error};
use crate::format::type_name;
use crate::host::KwArgs;
use crate::ops::{charge, items_of};
use crate::value::Value;

pub(super) const METHODS: &[&str] = &[
    "split",
    "join",
    "strip",
    "lstrip",
    "rstrip",
    "upper",
    "lower",
    "startswith",
    "endswith",
    "replace",
    "find",
    "count",
    "isdigit",
    "isalpha",
    "format",
];

fn str_arg(v: &Value, msg: impl FnOnce(&str) -> String) -> Result<&str, Value> {
    match v {
        Value::Str(s) => Ok(s.as_str()),
        other => Err(type_error(msg(type_name(other)))),
    }
}

fn str_list(parts: Vec<&str>, cx: &mut Cx) -> Result<Value, Value> {
    charge(cx, parts.len() as u64);
    let v = Value::list(parts.into_iter().map(Value::str).collect());
    check_size(v.size(), cx.limits.size_limit)?;
    Ok(v)
}

pub(super) fn call(
    recv: &mut Value,
    name: &str,
    args: Vec<Value>,
    kwargs: KwArgs,
    cx: &mut Cx,
) -> Result<Value, Value> {
    let Value::Str(s) = &*recv else {
        return Err(attribute_error(recv, name));
    };
    let text = s.clone();
    let s = text.as_str();
    if name == "splitlines" {
        let kw = take_kwargs("str.splitlines", kwargs, &["keepends"])?;
        if args.len() > 1 {
            return Err(type_error(format!(
                "splitlines() takes at most 1 argument ({} given)",
                args.len()
            )));
        }
        let keep = args.first().or(kw[0].as_ref());
        let keep = match keep {
            None => false,
            Some(v @ (Value::Bool(_) | Value::Int(_))) => crate::ops::truthy(v),
            Some(other) => {
                return Err(type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    type_name(other)
                )));
            }
        };
        charge(cx, s.len() as u64 / 16);
        return str_list(super::text::splitlines(s, keep), cx);
    }
    if name == "format" {
        charge(cx, s.len() as u64 / 16);
        let out = crate::format::strformat::str_format(s, &args, &kwargs, cx)?;
        check_size(out.len() as u64, cx.limits.size_limit)?;
        return Ok(Value::str(out));
    }
    no_kwargs("str", name, kwargs)?;
    charge(cx, s.len() as u64 / 16);
    match name {
        "split" => {
            arity("str", name, &args, 0, 2)?;
            let sep = args.first();
            let maxsplit = match args.get(1) {
                Some(v) => int_arg(v)?,
                None => -1,
            };
            let max = if maxsplit < 0 {
                usize::MAX
            } else {
                maxsplit as usize
            };
            match sep {
                None | Some(Value::None) => str_list(split_whitespace(s, max), cx),
                Some(Value::Str(sep)) => {
                    if sep.is_empty() {
                        return Err(value_error("empty separator"));
                    }
                    str_list(s.splitn(max.saturating_add(1), sep.as_str()).collect(), cx)
                }
                Some(other) => Err(type_error(format!(
                    "must be str or None, not {}",
                    type_name(other)
                ))),
            }
        }
        "join" => {
            arity("str", name, &args, 1, 1)?;
            crate::ops::check_len(&args[0], cx)?;
            let items =
                items_of(&args[0]).ok_or_else(|| type_error("can only join an iterable"))?;
            charge(cx, items.len() as u64);
            let mut total: u64 = 0;
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Str(p) => total = total.saturating_add(p.len() as u64),
                    other => {
                        return Err(type_error(format!(
                            "sequence item {i}: expected str instance, {} found",
                            type_name(other)
                        )));
                    }
                }
            }
            let seps = (s.len() as u64).saturating_mul(items.len().saturating_sub(1) as u64);
            check_size(total.saturating_add(seps), cx.limits.size_limit)?;
            let parts: Vec<&str> = items
                .iter()
                .map(|v| match v {
                    Value::Str(p) => p.as_str(),
                    _ => "",
                })
                .collect();
            Ok(Value::str(parts.join(s)))
        }
        "strip" | "lstrip" | "rstrip" => {
            arity("str", name, &args, 0, 1)?;
            let chars: Option<Vec<char>> = match args.first() {
                None | Some(Value::None) => None,
                Some(Value::Str(c)) => Some(c.chars().collect()),
                Some(_) => return Err(type_error(format!("{name} arg must be None or str"))),
            };
            let m = |c: char| match &chars {
                None => is_space(c),
                Some(set) => set.contains(&c),
            };
            let out = match name {
                "strip" => s.trim_matches(m),
                "lstrip" => s.trim_start_matches(m),
                _ => s.trim_end_matches(m),
            };
            Ok(Value::str(out))
        }
        "upper" | "lower" => {
            arity("str", name, &args, 0, 0)?;
            let out = if name == "upper" {
                s.to_uppercase()
            } else {
                s.to_lowercase()
            };
            check_size(out.len() as u64, cx.limits.size_limit)?;
            Ok(Value::str(out))
        }
        "startswith" | "endswith" => {
            arity("str", name, &args, 1, 1)?;
            let bad = |t: &str| format!("{name} first arg must be str or a tuple of str, not {t}");
            let pats: Vec<&str> = match &args[0] {
                Value::Str(p) => vec![p.as_str()],
                Value::List(l) => l
                    .items
                    .iter()
                    .map(|p| str_arg(p, |_| bad("list")))
                    .collect::<Result<_, _>>()?,
                other => return Err(type_error(bad(type_name(other)))),
            };
            let hit = pats.iter().any(|p| {
                if name == "startswith" {
                    s.starts_with(p)
                } else {
                    s.ends_with(p)
                }
            });
            Ok(Value::Bool(hit))
        }
        "replace" => {
            arity("str", name, &args, 2, 3)?;
            let msg = |t: &str| format!("replace() argument 1 must be str, not {t}");
            let a = str_arg(&args[0], msg)?;
            let b = str_arg(&args[1], |t| {
                format!("replace() argument 2 must be str, not {t}")
            })?;
            let count = match args.get(2) {
                Some(v) => int_arg(v)?,
                None => -1,
            };
            let n = if a.is_empty() {
                s.chars().count() + 1
            } else {
                s.matches(a).count()
            };
            let n = if count < 0 { n } else { n.min(count as usize) };
            let size = (s.len() as u64)
                .saturating_add((b.len() as u64).saturating_mul(n as u64))
                .saturating_sub((a.len() as u64).saturating_mul(n as u64));
            check_size(size, cx.limits.size_limit)?;
            Ok(Value::str(replace(s, a, b, n)))
        }
        "count" => {
            if args.is_empty() {
                return Err(type_error(format!(
                    "{name}() takes at least 1 argument (0 given)"
                )));
            }
            arity("str", name, &args, 1, 1)?;
            let sub = str_arg(&args[0], |t| format!("must be str, not {t}"))?;
            Ok(Value::Int(s.matches(sub).count() as i64))
        }
        "isdigit" => {
            arity("str", name, &args, 0, 0)?;
            Ok(Value::Bool(
                !s.is_empty() && s.chars().all(super::chars::is_digit),
            ))
        }
        "isalpha" => {
            arity("str", name, &args, 0, 0)?;
            Ok(Value::Bool(
                !s.is_empty() && s.chars().all(super::chars::is_alpha),
            ))
        }
        _ => super::text::call(&text, name, &args, cx)
            .unwrap_or_else(|| Err(super::text::unknown(recv, name))),
    }
}

/// `str.split()` with no separator: runs of whitespace, at most `max` splits,
/// the rest kept with its leading whitespace removed.
fn split_whitespace(s: &str, max: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s.trim_start_matches(is_space);
    while !rest.is_empty() {
        if out.len() == max {
            out.push(rest);
            break;
        }
        match rest.find(is_space) {
            Some(i) => {
                out.push(&rest[..i]);
                rest = rest[i..].trim_start_matches(is_space);
            }
            None => {
                out.push(rest);
                break;
            }
        }
    }
    out
}

/// Replaces the first `n` occurrences of `a` (empty `a`: between chars).
fn replace(s: &str, a: &str, b: &str, n: usize) -> String {
    if a.is_empty() {
        let mut out = String::new();
        let mut done = 0;
        for c in s.chars() {
            if done < n {
                out.push_str(b);
                done += 1;
            }
            out.push(c);
        }
        if done < n {
            out.push_str(b);
        }
        return out;
    }
    s.replacen(a, b, n)
}
