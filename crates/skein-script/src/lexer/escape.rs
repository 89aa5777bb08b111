//! String escapes (`\n`, `\xHH`, `\u{…}`…) and the source positions their
//! errors point at.

use crate::ast::Span;
use crate::diag::CompileError;

/// A position in the source: byte offset and 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    /// Byte offset.
    pub offset: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

impl Pos {
    /// Moves forward to byte offset `to`, counting lines and characters.
    pub fn advance(&mut self, src: &str, to: usize) {
        if to <= self.offset {
            return;
        }
        for c in src[self.offset..to].chars() {
            if c == '\n' {
                self.line += 1;
                self.col = 1;
            } else {
                self.col += 1;
            }
        }
        self.offset = to;
    }

    /// The span from here to byte offset `end`.
    pub fn span_to(self, end: usize) -> Span {
        Span {
            start: self.offset as u32,
            end: end as u32,
            line: self.line,
            col: self.col,
        }
    }
}

/// Decodes the escapes of the string body `src[at.offset..end]`.
pub fn decode_escapes(src: &str, file: &str, at: Pos, end: usize) -> Result<String, CompileError> {
    let mut out = String::new();
    let mut i = at.offset;
    while i < end {
        let rest = &src[i..end];
        match rest.find('\\') {
            None => {
                out.push_str(rest);
                break;
            }
            Some(k) => {
                out.push_str(&rest[..k]);
                i += k;
                match escape_at(&src[..end], i) {
                    Ok((c, next)) => {
                        out.extend(c);
                        i = next;
                    }
                    Err((msg, len)) => {
                        let mut p = at;
                        p.advance(src, i);
                        return Err(CompileError {
                            message: msg,
                            file: file.to_string(),
                            span: p.span_to(i + len),
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Decodes the escape whose backslash is at byte `i` of `s`: the character it
/// stands for (none for a backslash-newline) and the offset after it. On
/// error, the message and how many bytes of the escape to underline.
pub fn escape_at(s: &str, i: usize) -> Result<(Option<char>, usize), (String, usize)> {
    let rest = &s[i + 1..];
    let Some(c) = rest.chars().next() else {
        return Err(("string ends in a backslash".into(), 1));
    };
    let simple = match c {
        '\n' => return Ok((None, i + 2)),
        '\r' if rest[1..].starts_with('\n') => return Ok((None, i + 3)),
        '\r' => return Ok((None, i + 2)),
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        '0' if rest[1..].starts_with(|c: char| c.is_ascii_digit()) => {
            return Err((
                "octal escapes are not in the language (only `\\0`)".into(),
                3,
            ));
        }
        '0' => '\0',
        '\\' => '\\',
        '\'' => '\'',
        '"' => '"',
        'x' => return hex_escape(rest, i, 2, "truncated \\xXX escape"),
        'u' if rest[1..].starts_with('{') => {
            let bad = || ("invalid \\u{...} escape".to_string(), 2);
            let close = rest.find('}').ok_or_else(bad)?;
            let hex = &rest[2..close];
            if hex.is_empty() || hex.len() > 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad());
            }
            let code = u32::from_str_radix(hex, 16).map_err(|_| bad())?;
            let ch = char::from_u32(code).ok_or_else(|| {
                (
                    "invalid Unicode code point in escape".to_string(),
                    close + 2,
                )
            })?;
            return Ok((Some(ch), i + 2 + close));
        }
        'u' => return hex_escape(rest, i, 4, "truncated \\uXXXX escape"),
        'U' => return hex_escape(rest, i, 8, "truncated \\UXXXXXXXX escape"),
        other => {
            return Err((
                format!("invalid escape sequence '\\{other}'"),
                1 + other.len_utf8(),
            ));
        }
    };
    Ok((Some(simple), i + 2))
}

fn hex_escape(
    rest: &str,
    i: usize,
    n: usize,
    truncated: &str,
) -> Result<(Option<char>, usize), (String, usize)> {
    let hex = rest.get(1..1 + n).unwrap_or("");
    if hex.len() != n || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err((truncated.to_string(), 2));
    }
    let code = u32::from_str_radix(hex, 16).map_err(|_| (truncated.to_string(), 2))?;
    let ch = char::from_u32(code)
        .ok_or_else(|| ("invalid Unicode code point in escape".to_string(), n + 2))?;
    Ok((Some(ch), i + 2 + n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        let dec = |s: &str| {
            let at = Pos {
                offset: 0,
                line: 1,
                col: 1,
            };
            decode_escapes(s, "t.sk", at, s.len()).map_err(|e| (e.message, e.span.col))
        };
        assert_eq!(dec(r"a\nb\tc\\d"), Ok("a\nb\tc\\d".into()));
        assert_eq!(
            dec(r"\x7e\u263A\U0001F600\u{1f600}\u{41}"),
            Ok("~☺😀😀A".into())
        );
        assert_eq!(dec("a\\\nb"), Ok("ab".into()));
        assert_eq!(dec("a\\\r\nb"), Ok("ab".into()));
        assert_eq!(dec(r"\0\'"), Ok("\0'".into()));
        assert_eq!(
            dec(r"ab\a"),
            Err(("invalid escape sequence '\\a'".into(), 3))
        );
        assert_eq!(dec(r"\é"), Err(("invalid escape sequence '\\é'".into(), 1)));
        assert_eq!(dec(r"\xZZ"), Err(("truncated \\xXX escape".into(), 1)));
        assert_eq!(
            dec(r"\uD800"),
            Err(("invalid Unicode code point in escape".into(), 1))
        );
        assert_eq!(
            dec(r"\u{110000}"),
            Err(("invalid Unicode code point in escape".into(), 1))
        );
        assert_eq!(
            dec(r"\u{1234567}"),
            Err(("invalid \\u{...} escape".into(), 1))
        );
        assert_eq!(dec(r"\u{12"), Err(("invalid \\u{...} escape".into(), 1)));
    }
}
