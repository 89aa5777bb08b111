//! F-string bodies: literal text (escapes, `{{`, `}}`) and `{expr!c:spec}`
//! fields. Each field's expression is lexed and parsed in place, so its
//! spans point into the real source.

use super::Parser;
use crate::ast::FPart;
use crate::diag::CompileError;
use crate::lexer::{Lexer, Pos, escape_at};
use crate::token::Tok;

type R<T> = Result<T, CompileError>;

impl Parser<'_> {
    /// Parses the f-string body `src[start..end]`, which begins at `line`:`col`.
    pub(super) fn fstring(
        &mut self,
        start: usize,
        end: usize,
        line: u32,
        col: u32,
    ) -> R<Vec<FPart>> {
        let mut cur = Pos {
            offset: start,
            line,
            col,
        };
        self.fparts(&mut cur, end, 0)
    }

    fn error_at(&self, cur: Pos, at: usize, len: usize, msg: impl Into<String>) -> CompileError {
        let mut p = cur;
        p.advance(self.src, at);
        self.error(msg, p.span_to(at + len))
    }

    /// Literal text and fields from `cur` on. At `level` 0 it runs to `end`;
    /// inside a format spec it stops at the `}` closing the field, leaving
    /// `cur` on it.
    fn fparts(&mut self, cur: &mut Pos, end: usize, level: u32) -> R<Vec<FPart>> {
        let src = self.src;
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut i = cur.offset;
        while i < end {
            let rest = &src[i..end];
            let Some(c) = rest.chars().next() else { break };
            match c {
                '\\' => match escape_at(&src[..end], i) {
                    Ok((ch, next)) => {
                        lit.extend(ch);
                        i = next;
                    }
                    Err((msg, len)) => return Err(self.error_at(*cur, i, len, msg)),
                },
                '{' if level == 0 && rest[1..].starts_with('{') => {
                    lit.push('{');
                    i += 2;
                }
                '}' if level == 0 && rest[1..].starts_with('}') => {
                    lit.push('}');
                    i += 2;
                }
                '}' if level > 0 => break,
                '}' => {
                    return Err(self.error_at(*cur, i, 1, "f-string: single '}' is not allowed"));
                }
                '{' => {
                    if !lit.is_empty() {
                        parts.push(FPart::Lit(std::mem::take(&mut lit)));
                    }
                    cur.advance(src, i);
                    let (part, next) = self.field(cur, end, level)?;
                    parts.push(part);
                    i = next;
                }
                _ => {
                    lit.push(c);
                    i += c.len_utf8();
                }
            }
        }
        if !lit.is_empty() {
            parts.push(FPart::Lit(lit));
        }
        cur.advance(src, i);
        Ok(parts)
    }

    /// One `{…}` field whose `{` is at `cur`; returns it and the offset
    /// after its `}`.
    fn field(&mut self, cur: &mut Pos, end: usize, level: u32) -> R<(FPart, usize)> {
        let src = self.src;
        let brace = cur.offset;
        let at_brace = *cur;
        let expecting = |p: &Self| p.error_at(at_brace, brace, 1, "f-string: expecting '}'");
        if level >= 2 {
            return Err(self.error_at(*cur, brace, 1, "f-string: expressions nested too deeply"));
        }
        let expr_start = brace + 1;
        let mut j = expr_start;
        let mut depth = 0u32;
        loop {
            let Some(c) = src[j..end].chars().next() else {
                return Err(expecting(self));
            };
            match c {
                '\'' | '"' => {
                    let triple = src[j..end].starts_with(&c.to_string().repeat(3));
                    let q = if triple { 3 } else { 1 };
                    let close = if triple {
                        c.to_string().repeat(3)
                    } else {
                        c.to_string()
                    };
                    match src[j + q..end].find(&close) {
                        Some(k) => j += q + k + q,
                        None => {
                            return Err(self.error_at(*cur, j, 1, "f-string: unterminated string"));
                        }
                    }
                    continue;
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' if depth == 0 => {
                    return Err(self.error_at(*cur, j, 1, format!("f-string: unmatched '{c}'")));
                }
                ')' | ']' => depth -= 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                '!' if depth == 0 && !src[j + 1..end].starts_with('=') => break,
                ':' if depth == 0 => break,
                '#' => {
                    return Err(self.error_at(
                        *cur,
                        j,
                        1,
                        "f-string expression part cannot include '#'",
                    ));
                }
                '\\' => {
                    return Err(self.error_at(
                        *cur,
                        j,
                        1,
                        "f-string expression part cannot include a backslash",
                    ));
                }
                _ => {}
            }
            j += c.len_utf8();
        }
        if src[expr_start..j].trim().is_empty() {
            return Err(self.error_at(*cur, brace, 1, "f-string: empty expression not allowed"));
        }
        let text = src[expr_start..j].trim_end();
        if text.ends_with('=') && !["==", "!=", "<=", ">="].iter().any(|op| text.ends_with(op)) {
            let at = expr_start + text.len() - 1;
            return Err(self.error_at(
                *cur,
                at,
                1,
                "f-string `=` (self-documenting expressions) is not in the language",
            ));
        }
        cur.advance(src, expr_start);
        let lx = Lexer::new_sub(src, self.file, expr_start, j, cur.line, cur.col);
        let mut sub = Parser::new(lx, src, self.file, self.depth);
        let expr = sub.testlist()?;
        if !matches!(sub.tok(), Tok::Eof) {
            return Err(sub.syntax_error());
        }
        let mut conversion = None;
        if src[j..end].starts_with('!') {
            let c = src[j + 1..end].chars().next();
            match c {
                Some(c @ ('r' | 's')) => conversion = Some(c),
                _ => {
                    return Err(self.error_at(
                        *cur,
                        j,
                        1,
                        "f-string: invalid conversion character: expected 's' or 'r'",
                    ));
                }
            }
            j += 2;
        }
        let mut spec = Vec::new();
        if src[j..end].starts_with(':') {
            cur.advance(src, j + 1);
            spec = self.fparts(cur, end, level + 1)?;
            j = cur.offset;
        }
        if !src[j..end].starts_with('}') {
            return Err(expecting(self));
        }
        let part = FPart::Expr {
            expr: Box::new(expr),
            conversion,
            spec,
        };
        Ok((part, j + 1))
    }
}
