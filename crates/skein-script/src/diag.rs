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
    ///
    /// ```text
    /// error: chained comparisons are not in the language
    ///  --> game.sk:3:8
    ///   |
    /// 3 | if a < b < c:
    ///   |        ^
    /// ```
    ///
    /// Tabs in the quoted line print as one space each, so the caret stays
    /// under the column the message names. The result ends with a newline.
    pub fn render(&self, source: &str) -> String {
        let Span { line, col, .. } = self.span;
        let text = source
            .split('\n')
            .nth((line as usize).saturating_sub(1))
            .unwrap_or("")
            .trim_end_matches('\r')
            .replace('\t', " ");
        let number = line.to_string();
        let pad = " ".repeat(number.len());
        let indent = " ".repeat((col as usize).saturating_sub(1));
        let carets = "^".repeat(self.caret_len(source, text.chars().count()));
        format!(
            "error: {msg}\n{pad}--> {file}:{line}:{col}\n{pad} |\n{number} | {text}\n{pad} | {indent}{carets}\n",
            msg = self.message,
            file = self.file,
        )
    }

    /// How many characters of the span lie on its first line (at least one).
    fn caret_len(&self, source: &str, line_chars: usize) -> usize {
        let Span {
            start, end, col, ..
        } = self.span;
        let spanned = source
            .get(start as usize..end.max(start) as usize)
            .map_or(0, |s| s.chars().take_while(|&c| c != '\n').count());
        let room = line_chars.saturating_sub((col as usize).saturating_sub(1));
        spanned.min(room).max(1)
    }
}
