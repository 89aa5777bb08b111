//! Tokens to the syntax tree of [`crate::ast`]: a hand-written recursive
//! descent parser that stops at the first error, and rejects Python syntax
//! that is not in Skein by naming the construct.
//!
//! Statements are in `stmt.rs`, expressions in `expr.rs`, assignment targets
//! in `target.rs` and f-string bodies in `fstring.rs`.

mod expr;
mod fstring;
mod stmt;
mod target;

use std::collections::VecDeque;

use crate::ast::{ModuleAst, Span};
use crate::diag::CompileError;
use crate::lexer::{Lexer, MAX_NESTING};
use crate::token::{Tok, Token, starts_expr};

/// Parses one module's source. `file` is the path errors name.
///
/// The parser runs on a thread of its own with a known stack, so that the
/// deepest nesting it accepts ([`MAX_NESTING`]) is safe whatever thread calls
/// it (an unoptimised build needs a few MiB for that; a test thread has 2).
pub fn parse_module(source: &str, file: &str) -> Result<ModuleAst, CompileError> {
    let parse = || Parser::new(Lexer::new(source, file), source, file, 0).module();
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("skein-parse".into())
            .stack_size(PARSE_STACK)
            .spawn_scoped(scope, parse);
        match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: parse here, on whatever stack there is.
            Err(_) => parse(),
        }
    })
}

/// Stack for the parsing thread; only the pages touched are ever committed.
const PARSE_STACK: usize = 64 << 20;

/// How many tokens past the current one are always buffered.
const LOOKAHEAD: usize = 3;

pub(crate) struct Parser<'s> {
    lx: Lexer<'s>,
    src: &'s str,
    file: &'s str,
    /// The current token is `toks[0]`.
    toks: VecDeque<Token>,
    /// Byte offset just past the last consumed token, to end spans.
    prev_end: u32,
    /// Expression nesting, bounded by [`MAX_NESTING`].
    depth: usize,
    in_func: bool,
    loop_depth: u32,
}

impl<'s> Parser<'s> {
    fn new(lx: Lexer<'s>, src: &'s str, file: &'s str, depth: usize) -> Self {
        let mut p = Parser {
            lx,
            src,
            file,
            toks: VecDeque::new(),
            prev_end: 0,
            depth,
            in_func: false,
            loop_depth: 0,
        };
        p.fill(LOOKAHEAD + 1);
        p
    }

    fn fill(&mut self, n: usize) {
        while self.toks.len() < n {
            let t = self.lx.next_token();
            self.toks.push_back(t);
        }
    }

    fn tok(&self) -> &Tok {
        &self.toks[0].tok
    }

    fn span(&self) -> Span {
        self.toks[0].span
    }

    /// The token `n` places ahead (`n` ≤ [`LOOKAHEAD`]).
    fn tok_at(&self, n: usize) -> &Tok {
        &self.toks[n.min(LOOKAHEAD)].tok
    }

    /// Any token ahead, buffering as needed.
    fn tok_far(&mut self, n: usize) -> &Tok {
        self.fill(n + 1);
        &self.toks[n].tok
    }

    fn advance(&mut self) -> Token {
        let t = match self.toks.pop_front() {
            Some(t) => t,
            None => self.lx.next_token(),
        };
        // Never step past the end: the lexer keeps answering `Eof`.
        self.prev_end = t.span.end;
        self.fill(LOOKAHEAD + 1);
        t
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.tok(), Tok::Op(o) if *o == op)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.tok(), Tok::Kw(k) if *k == kw)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let yes = self.is_op(op);
        if yes {
            self.advance();
        }
        yes
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.is_kw(kw);
        if yes {
            self.advance();
        }
        yes
    }

    fn expect_op(&mut self, op: &str) -> Result<Span, CompileError> {
        if self.is_op(op) {
            return Ok(self.advance().span);
        }
        if matches!(op, ")" | "]" | "}") && starts_expr(self.tok()) {
            return Err(self.unexpected_or("invalid syntax. Perhaps you forgot a comma?"));
        }
        Err(self.unexpected_or(format!("expected '{op}'")))
    }

    fn expect_name(&mut self) -> Result<(String, Span), CompileError> {
        if let Tok::Name(n) = self.tok() {
            let n = n.clone();
            return Ok((n, self.advance().span));
        }
        Err(self.unexpected_or("invalid syntax"))
    }

    fn error(&self, message: impl Into<String>, span: Span) -> CompileError {
        CompileError {
            message: message.into(),
            file: self.file.to_string(),
            span,
        }
    }

    /// A span from `start` to the end of the last consumed token.
    fn since(&self, start: Span) -> Span {
        Span {
            end: self.prev_end.max(start.start),
            ..start
        }
    }

    /// The error for the current token not fitting: a pending lexical error
    /// wins, then layout problems and constructs not in the language, then
    /// `message` — unless, as in CPython, lexing the rest of the file finds
    /// a lexical error (an unclosed bracket, most often), which explains it
    /// better.
    fn unexpected_or(&mut self, message: impl Into<String>) -> CompileError {
        let span = self.span();
        match self.tok() {
            Tok::Error(e) => return (**e).clone(),
            Tok::Indent => return self.error("unexpected indent", span),
            Tok::Op("@") => return self.error("the `@` operator is not in the language", span),
            Tok::Kw(kw) => {
                if let Some(m) = not_in_language(kw) {
                    return self.error(m, span);
                }
            }
            _ => {}
        }
        let generic = self.error(message, span);
        if let Some(e) = self.toks.iter().find_map(|t| match &t.tok {
            Tok::Error(e) => Some((**e).clone()),
            _ => None,
        }) {
            return e;
        }
        loop {
            let t = self.lx.next_token();
            match t.tok {
                Tok::Eof => return generic,
                Tok::Error(e) => return *e,
                _ => {}
            }
        }
    }

    fn syntax_error(&mut self) -> CompileError {
        self.unexpected_or("invalid syntax")
    }

    /// Guards one level of recursion against hostile nesting.
    fn enter(&mut self) -> Result<(), CompileError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error("too deeply nested", self.span()));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }
}

/// The message for a keyword whose construct Skein leaves out.
fn not_in_language(kw: &str) -> Option<&'static str> {
    Some(match kw {
        "class" => "classes are not in the language",
        "lambda" => "`lambda` is not in the language",
        "yield" => "`yield` is not in the language (generators are not in the language)",
        "with" => "`with` is not in the language",
        "async" => "`async` is not in the language",
        "await" => "`await` is not in the language",
        "nonlocal" => "`nonlocal` is not in the language",
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
