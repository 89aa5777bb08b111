//! The binary's two output streams. Script output and `disasm` go through a
//! buffered, locked stdout whose first write error is kept rather than
//! panicking (`println!` would panic on a closed pipe); diagnostics go to
//! stderr through [`report`], which never fails the process.

use std::io::{self, BufWriter, ErrorKind, StdoutLock, Write};

use super::ExitStatus;
use super::failure::{Failure, Outcome};

/// Buffered stdout that remembers its first write error and drops
/// everything written after it.
pub struct Stdout {
    inner: BufWriter<StdoutLock<'static>>,
    error: Option<io::Error>,
}

impl Stdout {
    pub fn new() -> Stdout {
        Stdout {
            inner: BufWriter::with_capacity(64 * 1024, io::stdout().lock()),
            error: None,
        }
    }

    pub fn write_str(&mut self, text: &str) {
        if self.error.is_none()
            && let Err(e) = self.inner.write_all(text.as_bytes())
        {
            self.error = Some(e);
        }
    }

    /// Flushes and says how writing went. A reader that went away (`| head`)
    /// is not an error, as for any Unix filter; anything else is exit 3.
    pub fn flush(&mut self) -> Outcome {
        if self.error.is_none()
            && let Err(e) = self.inner.flush()
        {
            self.error = Some(e);
        }
        match self.error.take() {
            None => Ok(ExitStatus::Success),
            Some(e) if e.kind() == ErrorKind::BrokenPipe => Ok(ExitStatus::Success),
            Some(e) => Err(Failure::cannot_write(format!(
                "cannot write to stdout: {e}"
            ))),
        }
    }
}

/// Writes a diagnostic to stderr, ending it with a newline if it lacks one.
/// Errors are ignored: there is nowhere left to report them.
pub fn report(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = err.write_all(b"\n");
    }
    let _ = err.flush();
}
