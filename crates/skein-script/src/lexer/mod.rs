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

mod escape;
mod literal;

pub use escape::{Pos, decode_escapes, escape_at};

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

/// Turns source text into tokens, one at a time, with Python's layout tokens (`Newline`, `Indent`, `Dedent`) outside brackets.
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
    /// A lexer over `src`, naming `file` in its errors.
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

    /// The next token; after the end, `Eof` again and again.
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
}

fn matching(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
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
}
