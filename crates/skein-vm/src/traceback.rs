//! Uncaught errors as the user sees them: Python's traceback shape
//! (docs/language.md, "Errors"), with the `__prelude__` module's
//! frames left out.

use skein_script::bytecode::Program;

use crate::context::with_cx;
use crate::host::Host;
use crate::value::Value;
use crate::{errors, format};

/// Python prints at most this many identical consecutive lines, then a
/// `[Previous line repeated N more times]` note (CPython's `TB_RECURSIVE_CUTOFF`).
const RECURSIVE_CUTOFF: usize = 3;

/// A host that only describes tasklets and channels, for printing an
/// error's message from behind a shared reference.
struct Describe<'a>(&'a dyn Host);

impl Host for Describe<'_> {
    fn print(&mut self, _text: &str) {}
    fn describe(&self, v: &Value) -> String {
        self.0.describe(v)
    }
}

/// `Kind: message`, or just `Kind` when the message is empty.
pub fn last_line(err: &Value, program: &Program, host: &dyn Host) -> String {
    if let Some(what) = errors::fault_message(err) {
        return fault_line(what);
    }
    let Value::Error(e) = err else {
        return String::from("TypeError: exceptions must derive from BaseException");
    };
    let msg = with_cx(program, &mut Describe(host), |cx| format::str(err, cx));
    let kind = e.kind.name();
    if msg.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {msg}")
    }
}

/// The whole traceback, ending in a newline:
///
/// ```text
/// Traceback (most recent call last):
///   File "village.sk", line 6, in <module>
///     outer()
/// IndexError: list index out of range
/// ```
pub fn render(err: &Value, program: &Program, cx_host: &dyn Host) -> String {
    // An engine fault has no script traceback worth showing: it is the
    // VM's own, so the report says so instead.
    if let Some(what) = errors::fault_message(err) {
        return fault_line(what) + "\n";
    }
    let mut out = String::new();
    let entries = match err {
        Value::Error(e) => e.traceback.as_slice(),
        _ => &[],
    };
    let prelude = program.module_index("__prelude__");
    let mut shown = entries
        .iter()
        .filter(|t| Some(t.func.module) != prelude)
        .peekable();
    if shown.peek().is_some() {
        out.push_str("Traceback (most recent call last):\n");
    }
    let mut last = None;
    let mut count = 0usize;
    for t in shown {
        if last != Some((t.func, t.line)) {
            repeated_note(&mut out, count);
            last = Some((t.func, t.line));
            count = 0;
        }
        count += 1;
        if count > RECURSIVE_CUTOFF {
            continue;
        }
        let Some(module) = program.modules.get(t.func.module as usize) else {
            continue;
        };
        let name = match module.functions.get(t.func.func as usize) {
            _ if t.func.func == 0 => "<module>",
            Some(f) => f.name.as_str(),
            None => "?",
        };
        out.push_str(&format!(
            "  File \"{}\", line {}, in {}\n",
            module.path, t.line, name
        ));
        let src = (t.line as usize)
            .checked_sub(1)
            .and_then(|i| module.source_of(t.func.func).lines().nth(i))
            .map(str::trim)
            .unwrap_or("");
        if !src.is_empty() {
            out.push_str("    ");
            out.push_str(src);
            out.push('\n');
        }
    }
    repeated_note(&mut out, count);
    out.push_str(&last_line(err, program, cx_host));
    out.push('\n');
    out
}

fn repeated_note(out: &mut String, count: usize) {
    if count > RECURSIVE_CUTOFF {
        let n = count - RECURSIVE_CUTOFF;
        let s = if n > 1 { "s" } else { "" };
        out.push_str(&format!("  [Previous line repeated {n} more time{s}]\n"));
    }
}

/// What an engine fault reads as: the fault, and whose bug it is.
fn fault_line(what: &str) -> String {
    format!(
        "SkeinFault: {what} (an engine fault: a bug in Skein, not in the script; please report it)"
    )
}
