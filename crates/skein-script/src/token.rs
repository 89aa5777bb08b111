//! The tokens the lexer hands the parser: names, keywords, operators,
//! literals and the layout tokens (`Newline`, `Indent`, `Dedent`) that turn
//! indentation into blocks.

use crate::ast::Span;
use crate::diag::CompileError;

/// Python's keywords, including the ones Skein rejects (`class`, `lambda`…):
/// lexing them as keywords lets the parser name the construct in its error.
pub const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Name(String),
    Kw(&'static str),
    /// Operators and punctuation, spelled as in the source.
    Op(&'static str),
    /// Unsigned: the parser decides whether it fits an `i64` (it may be
    /// negated: `-9223372036854775808`).
    Int(u64),
    Float(f64),
    /// A plain string literal, escapes already decoded.
    Str(String),
    /// An f-string: its raw body (between the quotes) is `src[start..end]`,
    /// beginning at `line`:`col`; the parser splits it into parts.
    FStr {
        start: u32,
        end: u32,
        line: u32,
        col: u32,
    },
    Newline,
    Indent,
    Dedent,
    Eof,
    /// A lexical error; the parser reports it when it reaches it.
    Error(Box<CompileError>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}
