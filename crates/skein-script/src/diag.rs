//! Compile errors as the user sees them, in rustc's shape:
//! `error: MESSAGE`, `--> FILE:LINE:COL`, the source line and a caret.

use crate::ast::Span;

/// One compile error, located in one file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{}:{}: {message}", span.line, span.col)]
pub struct CompileError {
    pub message: String,
    /// The module's path as the user named it (relative to its search root).
    pub file: String,
    pub span: Span,
}

impl CompileError {
    /// Renders the error as rustc does, given the file's source text.
    pub fn render(&self, source: &str) -> String {
        let _ = source;
        todo!()
    }
}
