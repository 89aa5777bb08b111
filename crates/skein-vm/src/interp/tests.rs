//! Source-level tests of the interpreter, against what CPython 3.11 prints.

use std::sync::Arc;

use skein_script::loader::compile_str;

use crate::machine::{BufferHost, Machine};
use crate::{Limits, Step};

/// Runs `src` as module `main`; stdout plus the uncaught-error report.
fn run(src: &str) -> String {
    run_with(src, Limits::default())
}

fn run_with(src: &str, limits: Limits) -> String {
    let program = match compile_str("main", src) {
        Ok(p) => Arc::new(p),
        Err(e) => panic!("compile error: {}", e.render()),
    };
    let mut m = Machine::new(program, limits);
    let mut host = BufferHost::default();
    let err = m.run_to_end(&mut host);
    let mut out = host.out.clone();
    if let Some(e) = err {
        out.push_str(&m.report(&e, &host));
    }
    out
}

#[test]
fn smoke() {
    assert_eq!(run("print(1 + 2)\n"), "3\n");
}
