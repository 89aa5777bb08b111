//! The str methods of the second round (`index`, `partition`, `center`,
//! `title`, `isupper` …), with Python's results and messages. Positions
//! count chars; `start`/`end` arguments clamp as slices do.

use super::args::arity;
use crate::args::int_arg;
use crate::context::Cx;
use crate::errors::{attribute_error, check_size, type_error, value_error};
use crate::format::type_name;
use crate::value::{Str, Value};

pub(super) const METHODS: &[&str] = &[
    "index",
    "rfind",
    "rindex",
    "partition",
    "rpartition",
    "splitlines",
    "center",
    "ljust",
    "rjust",
    "zfill",
    "title",
    "capitalize",
    "swapcase",
    "isspace",
    "isupper",
    "islower",
    "isalnum",
    "removeprefix",
    "removesuffix",
];

/// A str method of this module; `None` when `name` is not one of them.
pub(super) fn call(
    s: &Str,
    name: &str,
    args: &[Value],
    cx: &mut Cx,
) -> Option<Result<Value, Value>> {
    let r = match name {
        "find" | "index" | "rfind" | "rindex" => find(s, name, args),
        "partition" | "rpartition" => partition(s, name, args),
        "center" | "ljust" | "rjust" => pad(s, name, args, cx),
        "zfill" => zfill(s, args, cx),
        "title" | "capitalize" | "swapcase" => {
            arity("str", name, args, 0, 0).map(|_| Value::str(recase(s, name)))
        }
        "isspace" | "isupper" | "islower" | "isalnum" => {
            arity("str", name, args, 0, 0).map(|_| Value::Bool(test(s, name)))
        }
        "removeprefix" | "removesuffix" => affix(s, name, args),
        _ => return None,
    };
    Some(r)
}

fn str_arg<'v>(v: &'v Value, what: &str) -> Result<&'v str, Value> {
    match v {
        Value::Str(s) => Ok(s.as_str()),
        other => Err(type_error(format!("{what}, not {}", type_name(other)))),
    }
}

/// Python's ADJUST_INDICES: an optional slice bound against `len` (a start
/// past the end stays there, so nothing is found).
fn bound(v: Option<&Value>, len: usize, dflt: i64, is_end: bool) -> Result<i64, Value> {
    let n = match v {
        None | Some(Value::None) => return Ok(dflt),
        Some(Value::Int(i)) => *i,
        Some(Value::Bool(b)) => *b as i64,
        Some(_) => {
            return Err(type_error(
                "slice indices must be integers or None or have an __index__ method",
            ));
        }
    };
    let len = len as i64;
    Ok(if n > len && is_end {
        len
    } else if n < 0 {
        (n + len).max(0)
    } else {
        n
    })
}

/// `find`/`index`/`rfind`/`rindex(sub[, start[, end]])`.
fn find(s: &Str, name: &str, args: &[Value]) -> Result<Value, Value> {
    if args.is_empty() {
        return Err(type_error(format!(
            "{name}() takes at least 1 argument (0 given)"
        )));
    }
    if args.len() > 3 {
        return Err(type_error(format!(
            "{name}() takes at most 3 arguments ({} given)",
            args.len()
        )));
    }
    let sub = str_arg(&args[0], "must be str")?;
    let len = s.char_len();
    let start = bound(args.get(1), len, 0, false)?;
    let end = bound(args.get(2), len, len as i64, true)?;
    let sub_len = sub.chars().count() as i64;
    let found = if end - start < sub_len || start > len as i64 {
        None
    } else {
        let (st, en) = (start as usize, end as usize);
        let hay = s.char_slice(st, en);
        let hit = if name.starts_with('r') {
            hay.rfind(sub)
        } else {
            hay.find(sub)
        };
        hit.map(|b| st + hay[..b].chars().count())
    };
    match found {
        Some(i) => Ok(Value::Int(i as i64)),
        None if name.ends_with("index") => Err(value_error("substring not found")),
        None => Ok(Value::Int(-1)),
    }
}

/// `partition(sep)` / `rpartition(sep)`: `[head, sep, tail]` (a list: Skein
/// has no tuples).
fn partition(s: &Str, name: &str, args: &[Value]) -> Result<Value, Value> {
    arity("str", name, args, 1, 1)?;
    let sep = str_arg(&args[0], "must be str")?;
    if sep.is_empty() {
        return Err(value_error("empty separator"));
    }
    let hit = if name == "partition" {
        s.find(sep)
    } else {
        s.rfind(sep)
    };
    let parts = match hit {
        Some(b) => [&s[..b], sep, &s[b + sep.len()..]],
        None if name == "partition" => [s.as_str(), "", ""],
        None => ["", "", s.as_str()],
    };
    Ok(Value::list(parts.into_iter().map(Value::str).collect()))
}

/// The fill character of `center`/`ljust`/`rjust`.
fn fill_char(v: Option<&Value>) -> Result<char, Value> {
    match v {
        None => Ok(' '),
        Some(Value::Str(f)) => {
            let mut it = f.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(type_error(
                    "The fill character must be exactly one character long",
                )),
            }
        }
        Some(other) => Err(type_error(format!(
            "The fill character must be a unicode character, not {}",
            type_name(other)
        ))),
    }
}

fn width_arg(v: &Value, cx: &Cx, extra: usize) -> Result<usize, Value> {
    let w = int_arg(v)?.max(0) as u64;
    check_size(w.saturating_mul(4).max(extra as u64), cx.limits.size_limit)?;
    Ok(w as usize)
}

/// `center`/`ljust`/`rjust(width[, fillchar])`.
fn pad(s: &Str, name: &str, args: &[Value], cx: &mut Cx) -> Result<Value, Value> {
    arity("str", name, args, 1, 2)?;
    let width = width_arg(&args[0], cx, s.len())?;
    let fill = fill_char(args.get(1))?;
    let len = s.char_len();
    if width <= len {
        return Ok(Value::str(s.as_str()));
    }
    let marg = width - len;
    let left = match name {
        "ljust" => 0,
        "rjust" => marg,
        // CPython's split: the odd one out goes left when the width is odd.
        _ => marg / 2 + (marg & width & 1),
    };
    let mut out = String::with_capacity(s.len() + marg * fill.len_utf8());
    out.extend(std::iter::repeat_n(fill, left));
    out.push_str(s);
    out.extend(std::iter::repeat_n(fill, marg - left));
    crate::ops::charge(cx, out.len() as u64 / 16);
    Ok(Value::str(out))
}

/// `zfill(width)`: zeros after a leading sign.
fn zfill(s: &Str, args: &[Value], cx: &mut Cx) -> Result<Value, Value> {
    arity("str", "zfill", args, 1, 1)?;
    let width = width_arg(&args[0], cx, s.len())?;
    let len = s.char_len();
    if width <= len {
        return Ok(Value::str(s.as_str()));
    }
    let (sign, rest) = match s.chars().next() {
        Some(c @ ('+' | '-')) => (Some(c), &s[1..]),
        _ => (None, s.as_str()),
    };
    let mut out = String::with_capacity(width);
    out.extend(sign);
    out.extend(std::iter::repeat_n('0', width - len));
    out.push_str(rest);
    Ok(Value::str(out))
}

fn is_cased(c: char) -> bool {
    c.is_uppercase() || c.is_lowercase()
}

/// Lowers `chars[i]` into `out`; a capital sigma that ends a word becomes
/// the final form `ς`, as Python's (and Unicode's) lowering does.
fn push_lower(out: &mut String, chars: &[char], i: usize) {
    let c = chars[i];
    let ends_word =
        i > 0 && is_cased(chars[i - 1]) && !chars.get(i + 1).copied().is_some_and(is_cased);
    if c == 'Σ' && ends_word {
        out.push('ς');
    } else {
        out.extend(c.to_lowercase());
    }
}

/// `title`, `capitalize`, `swapcase`.
fn recase(s: &Str, name: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let lower = match name {
            "title" => i > 0 && is_cased(chars[i - 1]),
            "capitalize" => i > 0,
            _ => c.is_uppercase(),
        };
        if lower {
            push_lower(&mut out, &chars, i);
        } else if name != "swapcase" || c.is_lowercase() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `isspace`, `isupper`, `islower`, `isalnum`.
fn test(s: &Str, name: &str) -> bool {
    match name {
        "isspace" => !s.is_empty() && s.chars().all(super::chars::is_space),
        "isalnum" => {
            !s.is_empty()
                && s.chars().all(|c| {
                    super::chars::is_alpha(c) || super::chars::is_digit(c) || c.is_numeric()
                })
        }
        _ => {
            let upper = name == "isupper";
            let mut any = false;
            for c in s.chars() {
                if (upper && c.is_lowercase()) || (!upper && c.is_uppercase()) {
                    return false;
                }
                any |= is_cased(c);
            }
            any
        }
    }
}

/// `removeprefix` / `removesuffix`.
fn affix(s: &Str, name: &str, args: &[Value]) -> Result<Value, Value> {
    arity("str", name, args, 1, 1)?;
    let a = str_arg(&args[0], &format!("{name}() argument must be str"))?;
    let out = if name == "removeprefix" {
        s.strip_prefix(a)
    } else {
        s.strip_suffix(a)
    };
    Ok(Value::str(out.unwrap_or(s.as_str())))
}

/// `splitlines([keepends])`: Python's line boundaries.
pub(super) fn splitlines(s: &str, keepends: bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '\r' && it.peek().is_some_and(|(_, n)| *n == '\n') {
            it.next();
            end += 1;
        }
        out.push(&s[start..if keepends { end } else { i }]);
        start = end;
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// For the caller's unknown-method error.
pub(super) fn unknown(recv: &Value, name: &str) -> Value {
    attribute_error(recv, name)
}
