//! The language conformance suite: every script of `tests/scripts/` run by
//! the `skein` binary against its expected output, then the same corpus run
//! through the library with interruptions (fuel 1, RON round trips of the
//! whole machine state) that must not change what it prints, and mangled
//! (truncated, byte-edited) to check nothing panics. `tests/README.md` says
//! how the corpus is laid out.

#[path = "conformance/corpus.rs"]
mod corpus;
#[path = "conformance/diff.rs"]
mod diff;
#[path = "conformance/machine.rs"]
mod machine;

#[path = "conformance/cli_runs.rs"]
mod cli_runs;
#[path = "conformance/no_panic.rs"]
mod no_panic;
#[path = "conformance/resume.rs"]
mod resume;
