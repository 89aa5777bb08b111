//! Engine faults are not script errors: bytecode the verifier would refuse,
//! built by hand here, makes the VM fault, and no `except` catches that; the
//! tasklet's run ends with a report naming it a bug in Skein.

use std::sync::Arc;

use skein_script::bytecode::{Op, Program};
use skein_script::loader::compile_str;

use crate::context::Limits;
use crate::errors;
use crate::machine::{BufferHost, Machine};

/// The report an engine fault ends a run with.
fn fault_report(what: &str) -> String {
    format!(
        "Uncaught error in <tasklet #1>:\nSkeinFault: {what} (an engine fault: a bug in Skein, not in the script; please report it)\n"
    )
}

/// Compiles `src` (verified), lets `patch` break its top level, and runs it
/// unverified: what it printed, the report, and whether the error was a fault.
fn run_patched(src: &str, patch: impl FnOnce(&mut Vec<Op>)) -> (String, bool) {
    let mut program: Program = compile_str("main", src).expect("compiles");
    patch(&mut program.modules[0].functions[0].code);
    let mut m = Machine::new(Arc::new(program), Limits::default());
    let mut host = BufferHost::default();
    let err = m.run_to_end(&mut host).expect("the run fails");
    let faulted = errors::fault_message(&err).is_some();
    let out = host.out.clone() + &m.report(&err, &host);
    (out, faulted)
}

const GUARDED: &str = "\
try:
    x = 5
except Exception:
    print('caught')
print('after')
";

#[test]
fn except_exception_does_not_catch_an_engine_fault() {
    // The store of `x` becomes a `ForIter` over the int 5, which is no
    // loop iterator: a state no verified code reaches.
    let (out, faulted) = run_patched(GUARDED, |code| {
        let store = code
            .iter()
            .position(|op| matches!(op, Op::StoreGlobal(_)))
            .expect("a global store");
        code[store] = Op::ForIter(0);
    });
    assert!(faulted);
    assert_eq!(out, fault_report("ForIter without an iterator"));
}

#[test]
fn running_past_the_end_of_a_function_is_a_fault() {
    let (out, faulted) = run_patched(GUARDED, |code| {
        // Everything after the try body's store is cut, the handler's
        // code and the final return with it.
        let store = code
            .iter()
            .position(|op| matches!(op, Op::StoreGlobal(_)))
            .expect("a global store");
        code.truncate(store + 1);
    });
    assert!(faulted);
    assert_eq!(out, fault_report("ran past the end of a function"));
}

#[test]
fn a_script_error_with_the_same_words_is_still_an_error() {
    let src = "\
try:
    raise RuntimeError('ran past the end of a function')
except Exception as e:
    print('caught:', e)
";
    let (out, faulted) = run_patched(&format!("{src}raise RuntimeError('x')\n"), |_| {});
    assert!(!faulted);
    assert!(
        out.starts_with("caught: ran past the end of a function\n"),
        "{out}"
    );
}
