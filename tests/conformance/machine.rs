//! Running corpus scripts through the library, without the binary: load a
//! program, then drive a [`Machine`] with a chosen way of interrupting it.

use std::sync::Arc;

use skein_script::bytecode::Program;
use skein_script::loader::{LoadOptions, load_program};
use skein_vm::Limits;
use skein_vm::fiber::Step;
use skein_vm::machine::{BufferHost, Machine, MachineState};
use skein_vm::value::{Kind, Value};

use crate::corpus::Script;

/// How a run is cut into slices.
#[derive(Debug, Clone)]
pub enum Plan {
    /// One slice with unlimited fuel.
    Uninterrupted,
    /// Slices of these sizes, cycled.
    Fuel(Vec<u64>),
    /// Slices of `n` instructions, with the whole state written to RON and
    /// read back between every two; `check` also asserts that writing the
    /// state read back gives the same text. Deep recursions make the state
    /// big and debug-build RON slow, so after every [`RON_BUDGET`] bytes
    /// written the slice length doubles: small states get a round trip
    /// every `n` instructions from start to end, deep ones ever sparser ones.
    RonEvery { n: u64, check: bool },
}

/// Bytes of RON a run writes before its round trips get twice as sparse.
pub const RON_BUDGET: usize = 150_000;

/// What a run showed a user: its stdout, then the uncaught error report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub text: String,
    /// Slices taken (for fuel 1: the number of instructions).
    pub slices: u64,
}

/// Compiles a corpus script (with its imports, found beside it).
pub fn load(script: &Script) -> Result<Arc<Program>, String> {
    load_program(&script.path, &LoadOptions::default())
        .map(Arc::new)
        .map_err(|e| e.render())
}

/// The report a user sees for an uncaught error, or nothing.
fn finish(machine: &Machine, host: &BufferHost, step: &Step) -> Option<String> {
    match step {
        Step::Done(_) => Some(String::new()),
        Step::Raised(Value::Error(e)) if e.kind == Kind::TaskletExit => Some(String::new()),
        Step::Raised(e) => Some(machine.report(e, host)),
        Step::Suspended => Some(String::from("<suspended: no host to resume it>\n")),
        Step::OutOfFuel => None,
    }
}

/// Runs `program` to its end by `plan`; `Err` if the RON round trip fails
/// or slices exceed `max_slices` (a hang).
pub fn run(
    program: &Arc<Program>,
    limits: Limits,
    plan: &Plan,
    max_slices: u64,
) -> Result<Transcript, String> {
    let mut machine = Machine::new(Arc::clone(program), limits);
    let mut host = BufferHost::default();
    let mut slices = 0u64;
    let mut stride = match plan {
        Plan::RonEvery { n, .. } => *n,
        _ => 1,
    };
    let mut written = 0usize;
    loop {
        let fuel = match plan {
            Plan::Uninterrupted => u64::MAX,
            Plan::Fuel(sizes) => sizes[(slices % sizes.len() as u64) as usize],
            Plan::RonEvery { .. } => stride,
        };
        let step = machine.run(fuel, &mut host);
        slices += 1;
        if let Some(report) = finish(&machine, &host, &step) {
            let mut text = std::mem::take(&mut host.out);
            text.push_str(&report);
            return Ok(Transcript { text, slices });
        }
        if slices > max_slices {
            return Err(format!("still running after {max_slices} slices"));
        }
        if let Plan::RonEvery { check, .. } = plan {
            let saved = ron::to_string(&machine.state())
                .map_err(|e| format!("slice {slices}: cannot write the state: {e}"))?;
            let state: MachineState = ron::from_str(&saved)
                .map_err(|e| format!("slice {slices}: cannot read the state back: {e}"))?;
            if *check {
                let again = ron::to_string(&state)
                    .map_err(|e| format!("slice {slices}: cannot rewrite the state: {e}"))?;
                if again != saved {
                    return Err(format!(
                        "slice {slices}: the state read back writes differently:\n{saved}\n{again}"
                    ));
                }
            }
            machine.set_state(state);
            written += saved.len();
            if written > RON_BUDGET {
                written = 0;
                stride = stride.saturating_mul(2);
            }
        }
    }
}
