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

/// What a token is, without where.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// An identifier that is not a keyword.
    Name(String),
    /// A keyword (`def`, `if`, `None`, …).
    Kw(&'static str),
    /// Operators and punctuation, spelled as in the source.
    Op(&'static str),
    /// Unsigned: the parser decides whether it fits an `i64` (it may be
    /// negated: `-9223372036854775808`).
    Int(u64),
    /// A float literal.
    Float(f64),
    /// A plain string literal, escapes already decoded.
    Str(String),
    /// An f-string: its raw body (between the quotes) is `src[start..end]`,
    /// beginning at `line`:`col`; the parser splits it into parts.
    FStr {
        /// Byte offset of the body's first character.
        start: u32,
        /// Byte offset just past the body.
        end: u32,
        /// Line of the body's start.
        line: u32,
        /// Column of the body's start.
        col: u32,
    },
    /// The end of a logical line.
    Newline,
    /// A line indented deeper than the one before.
    Indent,
    /// One level of indentation closed.
    Dedent,
    /// The end of the source (repeated if asked again).
    Eof,
    /// A lexical error; the parser reports it when it reaches it.
    Error(Box<CompileError>),
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// Where it is.
    pub span: Span,
}

/// Whether `tok` can begin an expression (used after a trailing comma).
pub(crate) fn starts_expr(tok: &Tok) -> bool {
    match tok {
        Tok::Name(_) | Tok::Int(_) | Tok::Float(_) | Tok::Str(_) | Tok::FStr { .. } => true,
        Tok::Kw(k) => matches!(
            *k,
            "True" | "False" | "None" | "not" | "lambda" | "yield" | "await"
        ),
        Tok::Op(o) => matches!(*o, "(" | "[" | "{" | "-" | "+" | "~" | "*" | "**"),
        _ => false,
    }
}
