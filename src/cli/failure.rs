//! What a command returns when it fails: the message for stderr and the exit
//! status docs/cli.md gives that kind of failure. Commands return a
//! [`Failure`] instead of printing and choosing a status themselves; `main`
//! is the one place that prints it and ends the process with its code.

use super::ExitStatus;

/// A failed command: what to tell the user, and how the process ends.
#[derive(Debug)]
pub struct Failure {
    pub status: ExitStatus,
    /// The whole text for stderr, `error: …` or a rendered diagnostic.
    pub message: String,
}

/// A command's outcome: `Ok` is success, an uncaught script error under
/// `--strict`, or an interrupted run; `Err` is everything that failed.
pub type Outcome = Result<ExitStatus, Failure>;

impl Failure {
    /// Bad usage, or input that cannot be read or is refused (exit 2).
    pub fn bad_input(message: impl std::fmt::Display) -> Failure {
        Failure::new(ExitStatus::BadInput, format!("error: {message}"))
    }

    /// A save or other output that cannot be written, or a service (NATS)
    /// that cannot be reached (exit 3).
    pub fn cannot_write(message: impl std::fmt::Display) -> Failure {
        Failure::new(ExitStatus::CannotWrite, format!("error: {message}"))
    }

    /// A failure already reported on stderr by someone else (a shard
    /// process), so only its status is left to give.
    pub fn reported(status: ExitStatus) -> Failure {
        Failure::new(status, String::new())
    }

    /// A diagnostic already rendered with its file, line and column (exit 2).
    pub fn diagnostic(rendered: String) -> Failure {
        Failure::new(ExitStatus::BadInput, rendered)
    }

    fn new(status: ExitStatus, message: String) -> Failure {
        Failure { status, message }
    }
}
