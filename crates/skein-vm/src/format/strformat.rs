//! `str.format`: replacement fields `{}` `{0}` `{name}` with `[index]`
//! chains, `!r`/`!s` conversions and format specs (nested fields allowed
//! once), with Python's messages.

use super::spec::format_spec;
use crate::context::Cx;
use crate::errors::{index_error, key_error, value_error};
use crate::value::{Key, Value};

/// `fmt.format(*args, **kwargs)`.
pub fn str_format(
    fmt: &str,
    args: &[Value],
    kwargs: &[(std::sync::Arc<str>, Value)],
    cx: &mut Cx,
) -> Result<String, Value> {
    let mut fields = Fields {
        args,
        kwargs,
        next_auto: 0,
        numbering: None,
    };
    fields.format(fmt, cx, 0)
}

/// How a format string numbers its positional fields: Python refuses to
/// mix `{}` with `{0}` in one string (nested specs included).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Numbering {
    Automatic,
    Manual,
}

/// The arguments of one `str.format` call and the numbering state its
/// fields share.
struct Fields<'a> {
    args: &'a [Value],
    kwargs: &'a [(std::sync::Arc<str>, Value)],
    next_auto: usize,
    numbering: Option<Numbering>,
}

impl Fields<'_> {
    /// Formats `fmt`; `depth` counts nesting in format specs.
    fn format(&mut self, fmt: &str, cx: &mut Cx, depth: u32) -> Result<String, Value> {
        let mut out = String::new();
        let mut chars = fmt.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|p| p.1) == Some('{') => {
                    chars.next();
                    out.push('{');
                }
                '}' if chars.peek().map(|p| p.1) == Some('}') => {
                    chars.next();
                    out.push('}');
                }
                '}' => return Err(value_error("Single '}' encountered in format string")),
                '{' => {
                    // Find the matching '}' allowing one nested level in the spec.
                    let mut level = 1;
                    let mut end = None;
                    for (j, d) in chars.by_ref() {
                        match d {
                            '{' => level += 1,
                            '}' => {
                                level -= 1;
                                if level == 0 {
                                    end = Some(j);
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    let Some(end) = end else {
                        return Err(value_error(if level > 1 {
                            "expected '}' before end of string"
                        } else {
                            "Single '{' encountered in format string"
                        }));
                    };
                    let field = &fmt[i + 1..end];
                    let text = self.replacement(field, cx, depth)?;
                    out.push_str(&text);
                }
                c => out.push(c),
            }
        }
        Ok(out)
    }

    /// Positional argument `i`, switching to `numbering` (an error if the
    /// string numbered its fields the other way before).
    fn positional(&mut self, i: usize, numbering: Numbering) -> Result<Value, Value> {
        match (self.numbering, numbering) {
            (Some(Numbering::Manual), Numbering::Automatic) => {
                return Err(value_error(
                    "cannot switch from manual field specification to automatic field numbering",
                ));
            }
            (Some(Numbering::Automatic), Numbering::Manual) => {
                return Err(value_error(
                    "cannot switch from automatic field numbering to manual field specification",
                ));
            }
            _ => {}
        }
        self.numbering = Some(numbering);
        self.args.get(i).cloned().ok_or_else(|| {
            index_error(format!(
                "Replacement index {i} out of range for positional args tuple"
            ))
        })
    }

    /// The text of one replacement field (what is between the braces).
    fn replacement(&mut self, field: &str, cx: &mut Cx, depth: u32) -> Result<String, Value> {
        if depth > 1 {
            return Err(value_error("Max string recursion exceeded"));
        }
        // Split off `:spec` (outside brackets) and `!conv`.
        let mut name_end = field.len();
        let mut in_bracket = false;
        for (i, c) in field.char_indices() {
            match c {
                '[' => in_bracket = true,
                ']' => in_bracket = false,
                ':' | '!' if !in_bracket => {
                    name_end = i;
                    break;
                }
                _ => {}
            }
        }
        let name = &field[..name_end];
        let mut rest = &field[name_end..];
        let mut conv = None;
        if let Some(r) = rest.strip_prefix('!') {
            let mut it = r.chars();
            let c = it.next();
            conv = c;
            rest = it.as_str();
            if !(rest.is_empty() || rest.starts_with(':')) {
                return Err(value_error("expected ':' after conversion specifier"));
            }
            if !matches!(c, Some('r' | 's' | 'a')) {
                return Err(value_error(format!(
                    "Unknown conversion specifier {}",
                    c.map(String::from).unwrap_or_default()
                )));
            }
        }
        let spec = rest.strip_prefix(':').unwrap_or("");
        // The argument: positional (auto or numbered) or keyword, then `[key]`s.
        let first_end = name.find(['[', '.']).unwrap_or(name.len());
        let head = &name[..first_end];
        let mut value = if head.is_empty() {
            let i = self.next_auto;
            self.next_auto += 1;
            self.positional(i, Numbering::Automatic)?
        } else if let Ok(i) = head.parse::<usize>() {
            self.positional(i, Numbering::Manual)?
        } else {
            self.kwargs
                .iter()
                .find(|(k, _)| **k == *head)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| key_error(Value::str(head)))?
        };
        let mut path = &name[first_end..];
        while !path.is_empty() {
            if let Some(attr) = path.strip_prefix('.') {
                let n = attr.find(['[', '.']).unwrap_or(attr.len());
                return Err(crate::errors::attribute_error(&value, &attr[..n]));
            }
            let Some(close) = path.find(']') else {
                return Err(value_error("Missing ']' in format string"));
            };
            let key = &path[1..close];
            let k = match key.parse::<i64>() {
                Ok(n) => Value::Int(n),
                Err(_) => Value::str(key),
            };
            value = match (&value, &k) {
                (Value::Dict(d), _) => d
                    .get(&Key::from_value(&k)?)
                    .cloned()
                    .ok_or_else(|| key_error(k.clone()))?,
                _ => crate::ops::index(&value, &k)?,
            };
            path = &path[close + 1..];
        }
        let value = match conv {
            Some('r') | Some('a') => Value::str(super::repr(&value, cx)),
            Some('s') => Value::str(super::str(&value, cx)),
            _ => value,
        };
        let spec = if spec.contains('{') {
            self.format(spec, cx, depth + 1)?
        } else {
            spec.to_string()
        };
        format_spec(&value, &spec, cx)
    }
}
