//! Number and string literals: digits with underscores and radix
//! prefixes, quotes (single or triple), and the f-string bodies the parser
//! splits later.

use super::{Lexer, Pos, decode_escapes};
use crate::ast::Span;
use crate::diag::CompileError;
use crate::token::Tok;

impl Lexer<'_> {
    pub(super) fn number(&mut self, start: usize, line: u32, col: u32) -> Result<(), CompileError> {
        let radix = match (self.peek_char(), self.peek_char_at(1)) {
            (Some('0'), Some('x' | 'X')) => Some((16, "hexadecimal")),
            (Some('0'), Some('o' | 'O')) => Some((8, "octal")),
            (Some('0'), Some('b' | 'B')) => Some((2, "binary")),
            _ => None,
        };
        if let Some((radix, name)) = radix {
            self.bump();
            self.bump();
            let digits = self.digits(radix, true);
            let bad = || format!("invalid {name} literal");
            if let Some(d) = self
                .peek_char()
                .filter(|c| c.is_ascii_digit() && radix < 10)
                && digits.as_deref().is_some_and(|d| !d.is_empty())
            {
                let span = self.span_here();
                return Err(self.error(format!("invalid digit '{d}' in {name} literal"), span));
            }
            let digits = match digits {
                Some(d) if !d.is_empty() && !self.ident_follows() => d,
                _ => {
                    self.skip_ident();
                    let span = self.span_from(start, line, col);
                    return Err(self.error(bad(), span));
                }
            };
            let span = self.span_from(start, line, col);
            let value = u64::from_str_radix(&digits, radix)
                .map_err(|_| self.error("integer literal is too large", span))?;
            self.push(Tok::Int(value), span);
            return Ok(());
        }
        let mut text = self.digits(10, false).unwrap_or_default();
        let int_part = text.clone();
        let mut is_float = false;
        if self.peek_char() == Some('.') {
            is_float = true;
            self.bump();
            text.push('.');
            if self.peek_char().is_some_and(|c| c.is_ascii_digit()) {
                match self.digits(10, false) {
                    Some(d) => text.push_str(&d),
                    None => return Err(self.invalid_decimal(start, line, col)),
                }
            }
        }
        if matches!(self.peek_char(), Some('e' | 'E')) {
            let sign = matches!(self.peek_char_at(1), Some('+' | '-'));
            let digit_at = if sign { 2 } else { 1 };
            if self
                .peek_char_at(digit_at)
                .is_some_and(|c| c.is_ascii_digit())
            {
                is_float = true;
                text.push('e');
                self.bump();
                if sign {
                    text.push(self.bump().unwrap_or('+'));
                }
                match self.digits(10, false) {
                    Some(d) => text.push_str(&d),
                    None => return Err(self.invalid_decimal(start, line, col)),
                }
            }
        }
        if self.ident_follows() || text.is_empty() {
            return Err(self.invalid_decimal(start, line, col));
        }
        let span = self.span_from(start, line, col);
        if is_float {
            let value: f64 = text
                .parse()
                .map_err(|_| self.error("invalid decimal literal", span))?;
            self.push(Tok::Float(value), span);
            return Ok(());
        }
        if int_part.len() > 1 && int_part.starts_with('0') && int_part.bytes().any(|b| b != b'0') {
            return Err(self.error(
                "leading zeros in decimal integer literals are not permitted; \
                 use an 0o prefix for octal integers",
                span,
            ));
        }
        let value: u64 = int_part
            .parse()
            .map_err(|_| self.error("integer literal is too large", span))?;
        self.push(Tok::Int(value), span);
        Ok(())
    }

    fn invalid_decimal(&mut self, start: usize, line: u32, col: u32) -> CompileError {
        self.skip_ident();
        let span = self.span_from(start, line, col);
        self.error("invalid decimal literal", span)
    }

    /// Reads digits of `radix` with single underscores between them (and,
    /// after a radix prefix, before the first). `None` on a misplaced `_`.
    fn digits(&mut self, radix: u32, lead_underscore: bool) -> Option<String> {
        let mut out = String::new();
        loop {
            match self.peek_char() {
                Some(c) if c.is_digit(radix) => {
                    out.push(c);
                    self.bump();
                }
                Some('_') => {
                    let after_ok = self.peek_char_at(1).is_some_and(|c| c.is_digit(radix));
                    if !after_ok || (out.is_empty() && !lead_underscore) {
                        return None;
                    }
                    self.bump();
                }
                _ => return Some(out),
            }
        }
    }

    fn ident_follows(&self) -> bool {
        self.peek_char()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    }

    fn skip_ident(&mut self) {
        while self.ident_follows() {
            self.bump();
        }
    }

    pub(super) fn string(
        &mut self,
        fstring: bool,
        start: usize,
        line: u32,
        col: u32,
    ) -> Result<(), CompileError> {
        let quote = self.bump().unwrap_or('"');
        let triple = self.peek_char() == Some(quote) && self.peek_char_at(1) == Some(quote);
        if triple {
            self.bump();
            self.bump();
        }
        let (body_start, body_line, body_col) = (self.pos, self.line, self.col);
        let start_span = Span {
            start: start as u32,
            end: self.pos as u32,
            line,
            col,
        };
        let body_end = loop {
            let Some(c) = self.peek_char() else {
                return Err(self.unterminated(triple, start_span));
            };
            if c == '\\' {
                self.bump();
                self.bump();
            } else if c == quote {
                let end = self.pos;
                if !triple {
                    self.bump();
                    break end;
                }
                if self.peek_char_at(1) == Some(quote) && self.peek_char_at(2) == Some(quote) {
                    self.bump();
                    self.bump();
                    self.bump();
                    break end;
                }
                self.bump();
            } else if c == '\n' && !triple {
                return Err(self.unterminated(triple, start_span));
            } else {
                self.bump();
            }
        };
        let span = self.span_from(start, line, col);
        let tok = if fstring {
            Tok::FStr {
                start: body_start as u32,
                end: body_end as u32,
                line: body_line,
                col: body_col,
            }
        } else {
            let at = Pos {
                offset: body_start,
                line: body_line,
                col: body_col,
            };
            Tok::Str(decode_escapes(self.src, self.file, at, body_end)?)
        };
        self.push(tok, span);
        Ok(())
    }

    fn unterminated(&self, triple: bool, span: Span) -> CompileError {
        let kind = if triple {
            "triple-quoted string"
        } else {
            "string"
        };
        // At the end of a file that ends in a newline, CPython counts the
        // last line with text.
        let line = match (triple, self.src[..self.pos].ends_with('\n')) {
            (false, _) => span.line,
            (true, true) => self.line - 1,
            (true, false) => self.line,
        };
        self.error(
            format!("unterminated {kind} literal (detected at line {line})"),
            span,
        )
    }
}
