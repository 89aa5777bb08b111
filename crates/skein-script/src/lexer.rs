//! Source text to tokens: names, keywords, numbers, strings, operators, and
//! the `Newline`/`Indent`/`Dedent` tokens that indentation becomes.
//!
//! The lexer is pulled one token at a time, so a lexical error late in a file
//! does not hide a syntax error earlier on: it becomes an `Error` token that
//! the parser reports only when it gets there.

use std::collections::VecDeque;

use crate::ast::Span;
use crate::diag::CompileError;
use crate::token::{KEYWORDS, Tok, Token};

/// Deepest bracket nesting accepted; deeper input is an error rather than a
/// risk to the host's stack.
pub const MAX_NESTING: usize = 200;
/// Python's own limit on indentation levels.
const MAX_INDENT_LEVELS: usize = 100;

const OPS3: &[&str] = &["**=", "//=", ">>=", "<<=", "..."];
const OPS2: &[&str] = &[
    "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", "+=", "-=", "*=", "/=", "%=", "&=", "|=",
    "^=", "@=", ":=",
];
const OPS1: &[&str] = &[
    "+", "-", "*", "/", "%", "&", "|", "^", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":",
    ".", ";", "=", "@",
];

pub struct Lexer<'s> {
    src: &'s str,
    file: &'s str,
    pos: usize,
    end: usize,
    line: u32,
    col: u32,
    /// Lexing an f-string's embedded expression: no layout tokens.
    sub: bool,
    indents: Vec<u32>,
    brackets: Vec<(char, Span)>,
    pending: VecDeque<Token>,
    at_line_start: bool,
    line_has_tokens: bool,
    finished: bool,
}

impl<'s> Lexer<'s> {
    pub fn new(src: &'s str, file: &'s str) -> Self {
        // A UTF-8 byte-order mark is not part of the text.
        let start = if src.starts_with('\u{feff}') { 3 } else { 0 };
        let mut lx = Self::new_sub(src, file, start, src.len(), 1, 1);
        lx.sub = false;
        lx.at_line_start = true;
        lx
    }

    /// A lexer over `src[start..end]`, which begins at `line`:`col`, as if
    /// inside brackets (newlines ignored, no indentation).
    pub fn new_sub(
        src: &'s str,
        file: &'s str,
        start: usize,
        end: usize,
        line: u32,
        col: u32,
    ) -> Self {
        Lexer {
            src,
            file,
            pos: start,
            end,
            line,
            col,
            sub: true,
            indents: vec![0],
            brackets: Vec::new(),
            pending: VecDeque::new(),
            at_line_start: false,
            line_has_tokens: false,
            finished: false,
        }
    }

    pub fn next_token(&mut self) -> Token {
        loop {
            if let Some(t) = self.pending.pop_front() {
                return t;
            }
            if self.finished {
                return Token {
                    tok: Tok::Eof,
                    span: self.span_here(),
                };
            }
            if let Err(e) = self.lex() {
                self.finished = true;
                self.pending.clear();
                return Token {
                    tok: Tok::Error(Box::new(e)),
                    span: self.span_here(),
                };
            }
        }
    }

    fn peek_char(&self) -> Option<char> {
        self.src[self.pos..self.end].chars().next()
    }

    fn peek_char_at(&self, n: usize) -> Option<char> {
        self.src[self.pos..self.end].chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn span_here(&self) -> Span {
        let end = (self.pos + self.peek_char().map_or(0, char::len_utf8)) as u32;
        Span {
            start: self.pos as u32,
            end,
            line: self.line,
            col: self.col,
        }
    }

    fn span_from(&self, start: usize, line: u32, col: u32) -> Span {
        Span {
            start: start as u32,
            end: self.pos as u32,
            line,
            col,
        }
    }

    fn error(&self, message: impl Into<String>, span: Span) -> CompileError {
        CompileError {
            message: message.into(),
            file: self.file.to_string(),
            span,
        }
    }

    fn push(&mut self, tok: Tok, span: Span) {
        self.pending.push_back(Token { tok, span });
    }

    fn in_brackets(&self) -> bool {
        self.sub || !self.brackets.is_empty()
    }

    /// Lexes until at least one token is pending.
    fn lex(&mut self) -> Result<(), CompileError> {
        loop {
            if self.at_line_start && !self.in_brackets() {
                if self.indentation()? {
                    return Ok(());
                }
                continue;
            }
            while matches!(self.peek_char(), Some(' ' | '\t' | '\x0c' | '\r')) {
                self.bump();
            }
            let Some(c) = self.peek_char() else {
                return self.eof();
            };
            match c {
                '#' => {
                    while !matches!(self.peek_char(), None | Some('\n')) {
                        self.bump();
                    }
                }
                '\n' => {
                    let span = self.span_here();
                    self.bump();
                    if self.in_brackets() {
                        continue;
                    }
                    self.at_line_start = true;
                    if self.line_has_tokens {
                        self.line_has_tokens = false;
                        self.push(Tok::Newline, span);
                        return Ok(());
                    }
                }
                '\\' => {
                    let span = self.span_here();
                    self.bump();
                    if self.peek_char() == Some('\r') {
                        self.bump();
                    }
                    match self.peek_char() {
                        Some('\n') => {
                            self.bump();
                        }
                        None => return Err(self.error("unexpected EOF while parsing", span)),
                        Some(_) => {
                            return Err(self.error(
                                "unexpected character after line continuation character",
                                span,
                            ));
                        }
                    }
                }
                _ => {
                    self.line_has_tokens = true;
                    return self.token(c);
                }
            }
        }
    }

    /// Handles the start of a line: skips it if blank, else emits indent or
    /// dedent tokens. Returns whether any token was pushed.
    fn indentation(&mut self) -> Result<bool, CompileError> {
        let (mut width, mut tab) = (0u32, None);
        while let Some(c) = self.peek_char() {
            match c {
                ' ' => width += 1,
                '\t' => tab = tab.or(Some(self.span_here())),
                '\x0c' | '\r' => {}
                _ => break,
            }
            self.bump();
        }
        match self.peek_char() {
            None => {
                self.at_line_start = false;
                return Ok(false);
            }
            Some('#' | '\n') => {
                while !matches!(self.peek_char(), None | Some('\n')) {
                    self.bump();
                }
                self.bump();
                return Ok(false);
            }
            _ => {}
        }
        self.at_line_start = false;
        if let Some(span) = tab {
            return Err(self.error("tabs are not allowed in indentation (use spaces)", span));
        }
        let top = self.indents.last().copied().unwrap_or(0);
        let span = self.span_here();
        if width > top {
            if self.indents.len() > MAX_INDENT_LEVELS {
                return Err(self.error("too many levels of indentation", span));
            }
            self.indents.push(width);
            self.push(Tok::Indent, span);
            return Ok(true);
        }
        let mut pushed = false;
        while self.indents.last().is_some_and(|&w| w > width) {
            self.indents.pop();
            self.push(Tok::Dedent, span);
            pushed = true;
        }
        if self.indents.last() != Some(&width) {
            return Err(self.error("unindent does not match any outer indentation level", span));
        }
        Ok(pushed)
    }

    fn eof(&mut self) -> Result<(), CompileError> {
        if let Some(&(open, span)) = self.brackets.last()
            && !self.sub
        {
            return Err(self.error(format!("'{open}' was never closed"), span));
        }
        let span = self.span_here();
        if !self.sub {
            if self.line_has_tokens {
                self.line_has_tokens = false;
                self.push(Tok::Newline, span);
            }
            while self.indents.len() > 1 {
                self.indents.pop();
                self.push(Tok::Dedent, span);
            }
        }
        self.push(Tok::Eof, span);
        self.finished = true;
        Ok(())
    }

    fn token(&mut self, c: char) -> Result<(), CompileError> {
        let (start, line, col) = (self.pos, self.line, self.col);
        if matches!(c, 'f' | 'F') && matches!(self.peek_char_at(1), Some('\'' | '"')) {
            self.bump();
            return self.string(true, start, line, col);
        }
        if c == '\'' || c == '"' {
            return self.string(false, start, line, col);
        }
        if c.is_alphabetic() || c == '_' {
            while self
                .peek_char()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                self.bump();
            }
            let word = &self.src[start..self.pos];
            let prefix = matches!(
                word.to_ascii_lowercase().as_str(),
                "r" | "b" | "u" | "rb" | "br" | "rf" | "fr"
            );
            if prefix && matches!(self.peek_char(), Some('\'' | '"')) {
                let span = self.span_from(start, line, col);
                return Err(self.error(
                    format!("string prefix `{word}` is not in the language (only `f`)"),
                    span,
                ));
            }
            let tok = match KEYWORDS.iter().find(|k| **k == word) {
                Some(k) => Tok::Kw(k),
                None => Tok::Name(word.to_string()),
            };
            let span = self.span_from(start, line, col);
            self.push(tok, span);
            return Ok(());
        }
        if c.is_ascii_digit()
            || (c == '.' && self.peek_char_at(1).is_some_and(|d| d.is_ascii_digit()))
        {
            return self.number(start, line, col);
        }
        self.operator(c, start, line, col)
    }

    fn operator(&mut self, c: char, start: usize, line: u32, col: u32) -> Result<(), CompileError> {
        let rest = &self.src[self.pos..self.end];
        let op = OPS3
            .iter()
            .chain(OPS2)
            .chain(OPS1)
            .find(|op| rest.starts_with(**op))
            .copied();
        let Some(op) = op else {
            let span = self.span_here();
            let msg = if c == '!' {
                "invalid syntax".to_string()
            } else {
                format!("invalid character '{c}' (U+{:04X})", c as u32)
            };
            return Err(self.error(msg, span));
        };
        for _ in 0..op.len() {
            self.bump();
        }
        let span = self.span_from(start, line, col);
        match op {
            ":=" => return Err(self.error("the walrus operator `:=` is not in the language", span)),
            "(" | "[" | "{" => {
                if self.brackets.len() >= MAX_NESTING {
                    return Err(self.error("too deeply nested", span));
                }
                self.brackets.push((c, span));
            }
            ")" | "]" | "}" => {
                match self.brackets.pop() {
                    None => return Err(self.error(format!("unmatched '{c}'"), span)),
                    Some((open, _)) if matching(open) != c => return Err(self.error(
                        format!(
                            "closing parenthesis '{c}' does not match opening parenthesis '{open}'"
                        ),
                        span,
                    )),
                    Some(_) => {}
                }
            }
            _ => {}
        }
        self.push(Tok::Op(op), span);
        Ok(())
    }

    fn number(&mut self, start: usize, line: u32, col: u32) -> Result<(), CompileError> {
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

    fn string(
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

fn matching(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// A position in the source: byte offset and 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub offset: usize,
    pub line: u32,
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

    /// The token stream, compactly: layout tokens by name, the rest as written.
    fn toks(src: &str) -> String {
        let mut lx = Lexer::new(src, "t.sk");
        let mut out = Vec::new();
        loop {
            let t = lx.next_token();
            out.push(match t.tok {
                Tok::Name(n) => n,
                Tok::Kw(k) => k.to_string(),
                Tok::Op(o) => o.to_string(),
                Tok::Int(i) => i.to_string(),
                Tok::Float(f) => format!("{f:?}"),
                Tok::Str(s) => format!("{s:?}"),
                Tok::FStr { start, end, .. } => {
                    format!("f{:?}", &src[start as usize..end as usize])
                }
                Tok::Newline => "NL".into(),
                Tok::Indent => "IN".into(),
                Tok::Dedent => "DE".into(),
                Tok::Eof => break,
                Tok::Error(e) => format!("ERR({})", e.message),
            });
        }
        out.join(" ")
    }

    #[test]
    fn layout_tokens() {
        assert_eq!(
            toks("if a:\n    b\n\n  # c\n    c\nd\n"),
            "if a : NL IN b NL c NL DE d NL"
        );
        assert_eq!(
            toks("if a:\n  if b:\n    c"),
            "if a : NL IN if b : NL IN c NL DE DE"
        );
        assert_eq!(toks("x = (1,\n  2)\n"), "x = ( 1 , 2 ) NL");
        assert_eq!(toks("a; b"), "a ; b NL");
        assert_eq!(toks(""), "");
        assert_eq!(toks("\n  \n# x\n"), "");
        assert_eq!(toks("a \\\n  b"), "a b NL");
    }

    #[test]
    fn operators_take_the_longest_match() {
        assert_eq!(
            toks("a **= b ** c // d //= e >>= f << g != h -> i"),
            "a **= b ** c // d //= e >>= f << g != h -> i NL"
        );
        assert_eq!(toks("a<=b>=c==d"), "a <= b >= c == d NL");
        assert_eq!(toks("x[1:]"), "x [ 1 : ] NL");
    }

    #[test]
    fn numbers_and_names() {
        assert_eq!(
            toks("1.e3 1e-3 .5 0o777 0b_1 1_2"),
            "1000.0 0.001 0.5 511 1 12 NL"
        );
        assert_eq!(toks("18446744073709551615"), "18446744073709551615 NL");
        assert_eq!(
            toks("18446744073709551616"),
            "ERR(integer literal is too large)"
        );
        assert_eq!(toks("héllo _x1 classy class"), "héllo _x1 classy class NL");
        assert_eq!(toks("f'a{b}' F\"\" f"), "f\"a{b}\" f\"\" f NL");
    }

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
