//! Compile errors as the user sees them, in rustc's shape:
//! `error: MESSAGE`, `--> FILE:LINE:COL`, the source line and a caret.

use crate::ast::Span;

/// One compile error, located in one file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{}:{}: {message}", span.line, span.col)]
pub struct CompileError {
    /// What is wrong, as the user reads it.
    pub message: String,
    /// The module's path as the user named it (relative to its search root).
    pub file: String,
    /// Where in the file.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_module;

    fn render(source: &str) -> String {
        match parse_module(source, "game.sk") {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.render(source),
        }
    }

    #[test]
    fn renders_like_rustc() {
        let source = "x = 1\ny = 2\nif a < b < c:\n    pass\n";
        let expected = "\
error: chained comparisons are not in the language
 --> game.sk:3:8
  |
3 | if a < b < c:
  |        ^
";
        assert_eq!(render(source), expected);
    }

    #[test]
    fn gutter_grows_with_the_line_number_and_carets_cover_the_span() {
        let source = format!("{}x = lambda: 1\n", "\n".repeat(11));
        let expected = "\
error: `lambda` is not in the language
  --> game.sk:12:5
   |
12 | x = lambda: 1
   |     ^^^^^^
";
        assert_eq!(render(&source), expected);
    }

    #[test]
    fn columns_are_characters_and_spans_stop_at_the_line_end() {
        let source = "s = 'héllo' + '''ab\\q\ncd'''\n";
        let expected = "\
error: invalid escape sequence '\\q'
 --> game.sk:1:20
  |
1 | s = 'héllo' + '''ab\\q
  |                    ^^
";
        assert_eq!(render(source), expected);
        let unterminated = "x = (1,\n";
        let expected = "\
error: '(' was never closed
 --> game.sk:1:5
  |
1 | x = (1,
  |     ^
";
        assert_eq!(render(unterminated), expected);
    }

    #[test]
    fn a_span_past_the_source_still_renders() {
        let e = CompileError {
            message: "m".into(),
            file: "f.sk".into(),
            span: Span {
                start: 100,
                end: 90,
                line: 7,
                col: 3,
            },
        };
        assert_eq!(
            e.render("x\r\n"),
            "error: m\n --> f.sk:7:3\n  |\n7 | \n  |   ^\n"
        );
        assert_eq!(e.to_string(), "f.sk:7:3: m");
    }
}
