//! A standalone runner: one program, its globals and a main fiber, with no
//! world around it: what the conformance tests and the VM's own benches run,
//! so a script can be tried without bevy_ecs.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use skein_script::bytecode::Program;

use crate::context::{Limits, Vm};
use crate::fiber::{Fiber, Step};
use crate::globals::Globals;
use crate::host::Host;
use crate::kind::Kind;
use crate::value::Value;
use crate::{interp, traceback};

/// The part of a [`Machine`] that changes as it runs: what a save holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MachineState {
    /// Module globals.
    pub globals: Globals,
    /// The main tasklet's interpreter state.
    pub fiber: Fiber,
}

/// A program running as a single main tasklet.
pub struct Machine {
    /// The code.
    pub program: Arc<Program>,
    /// Module globals.
    pub globals: Globals,
    /// The main tasklet's interpreter state.
    pub fiber: Fiber,
    /// Frame, size and integer limits.
    pub limits: Limits,
}

impl Machine {
    /// Ready to run the program's first module (the main script).
    pub fn new(program: Arc<Program>, limits: Limits) -> Machine {
        let globals = Globals::new(&program);
        let fiber = Fiber::new_main(&program, 0);
        Machine {
            program,
            globals,
            fiber,
            limits,
        }
    }

    /// A copy of the running state.
    pub fn state(&self) -> MachineState {
        MachineState {
            globals: self.globals.clone(),
            fiber: self.fiber.clone(),
        }
    }

    /// Puts a saved state back.
    pub fn set_state(&mut self, state: MachineState) {
        self.globals = state.globals;
        self.fiber = state.fiber;
    }

    /// Runs at most `fuel` instructions.
    pub fn run(&mut self, fuel: u64, host: &mut dyn Host) -> Step {
        let mut fuel = fuel;
        let mut vm = Vm::new(&self.program, &mut self.globals, self.limits);
        interp::step(&mut vm, &mut self.fiber, &mut fuel, host)
    }

    /// Runs to the end; the uncaught error, if any (an uncaught
    /// `TaskletExit` ends the tasklet silently, so it gives `None`). With no
    /// scheduler, a host call that suspends is an error too.
    pub fn run_to_end(&mut self, host: &mut dyn Host) -> Option<Value> {
        loop {
            match self.run(u64::MAX, host) {
                Step::OutOfFuel => {}
                Step::Done(_) => return None,
                Step::Raised(e) => {
                    return match &e {
                        Value::Error(obj) if obj.kind == Kind::TaskletExit => None,
                        _ => Some(e),
                    };
                }
                Step::Suspended => {
                    return Some(crate::errors::runtime_error(
                        "the main tasklet blocked, and nothing else can run",
                    ));
                }
            }
        }
    }

    /// The report of an uncaught error, as the world prints it for main.
    pub fn report(&self, err: &Value, host: &dyn Host) -> String {
        format!(
            "Uncaught error in <tasklet #1>:\n{}",
            traceback::render(err, &self.program, host)
        )
    }
}

/// A host that collects what scripts print.
#[derive(Debug, Default)]
pub struct BufferHost {
    /// Everything printed so far.
    pub out: String,
}

impl Host for BufferHost {
    fn print(&mut self, text: &str) {
        self.out.push_str(text);
    }
}
