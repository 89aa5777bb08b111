//! The step loop: runs a fiber's instructions until its fuel runs out, a host
//! call suspends it, it finishes or it raises.
//!
//! Script-to-script calls push a [`Frame`](crate::fiber::Frame) and go on in the same
//! loop, so the Rust stack never grows with the script's; everything the loop
//! needs between two instructions lives in the [`Fiber`] and the globals
//! (while it runs, its frames are lent to the step's buffer, `fiber/lend.rs`).
//! `dispatch` is the loop itself and `stack` its small helpers; `regs` runs
//! the register instructions, `shapes` the int case of their shaped
//! variants and `floats` the float case of every arithmetic and comparison
//! instruction; `fast` is the call-free inner loop a loop's back edge
//! enters for the body's plain int, float and jump instructions; `build`,
//! `calls` (with `quick`, the calls that skip its general path), `places`,
//! `attrs`, `imports` and `unwind` are what its other instructions need
//! beyond a few lines.

mod attrs;
mod build;
mod calls;
mod dispatch;
mod exec;
mod fast;
mod floats;
mod imports;
mod inplace;
mod items;
mod place_call;
mod places;
mod quick;
mod regs;
mod shapes;
mod stack;
mod unwind;

pub(crate) mod values;

pub use exec::NullHost;
pub(crate) use exec::{Exec, cx};
pub(crate) use stack::{name_error, pop, unbound_local};
pub(crate) use unwind::{frame_line, throw};

use skein_script::bytecode::Program;

use crate::context::Vm;
use crate::errors;
use crate::fiber::{Fiber, FiberState, Step};
use crate::globals::{Globals, ImportState};
use crate::host::Host;
use crate::value::Value;

pub(crate) use calls::Flow;
pub use calls::bind_args;

/// Runs `fiber` for at most `*fuel` instructions, decrementing `*fuel`.
///
/// Stops when the fuel is 0 (checked between instructions), when a host call
/// suspends the fiber (`Step::Suspended`, state `Waiting`), when its
/// outermost frame returns (`Step::Done`, state `Done`) or when an error
/// nobody catches ends it (`Step::Raised` with its traceback, state
/// `Failed`). A pending error is raised at the current instruction first.
/// A `Waiting` fiber stays suspended until the host resumes it.
pub fn step(vm: &mut Vm, fiber: &mut Fiber, fuel: &mut u64, host: &mut dyn Host) -> Step {
    match fiber.state {
        FiberState::Done => return Step::Done(Value::None),
        FiberState::Failed => {
            return Step::Raised(errors::runtime_error("the tasklet has already ended"));
        }
        // Still waiting for the host's answer: stepping it now would run on
        // without the call's result.
        FiberState::Waiting if fiber.pending().is_none() => return Step::Suspended,
        FiberState::Ready | FiberState::Waiting => {}
    }
    if fiber.has_no_frames() {
        fiber.state = FiberState::Done;
        return Step::Done(Value::None);
    }
    fiber.state = FiberState::Ready;
    let program = vm.program;
    ensure_globals(program, vm.globals);
    // The main module's top level is a fiber's first frame: it is "running"
    // from its first instruction, so an import of it meanwhile is a cycle.
    if fiber.callers().is_empty()
        && let Some(first) = fiber.top()
        && first.func.func == 0
        && first.pc == 0
        && let Some(g) = vm.globals.modules.get_mut(first.func.module as usize)
        && g.state == ImportState::NotRun
    {
        g.state = ImportState::Running;
    }
    let mut ex = Exec {
        program,
        globals: &mut *vm.globals,
        limits: vm.limits,
        host,
        prelude: vm.prelude,
        frames: fiber.lend_frames(&mut vm.spare),
    };
    let step = match fiber.take_pending() {
        Some(err) => match throw(&mut ex, fiber, err, false) {
            Some(done) => done,
            None => dispatch::run(&mut ex, fiber, fuel),
        },
        None => dispatch::run(&mut ex, fiber, fuel),
    };
    fiber.take_back_frames(ex.frames, &mut vm.spare);
    step
}

/// Modules loaded after the globals were made get fresh, unbound globals.
fn ensure_globals(program: &Program, globals: &mut Globals) {
    for m in program.modules.iter().skip(globals.modules.len()) {
        globals.modules.push(crate::globals::ModuleGlobals {
            values: vec![Value::Unbound; m.globals.len()],
            state: ImportState::NotRun,
        });
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fast;
#[cfg(test)]
mod tests_faults;
#[cfg(test)]
mod tests_python;
#[cfg(test)]
mod tests_quick;
#[cfg(test)]
mod tests_regs;
