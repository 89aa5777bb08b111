//! The Skein VM: values, fibers whose entire state is serde data, and
//! [`step`], which runs a fiber for a given amount of fuel. No ECS here: the
//! world crate drives fibers through the [`Host`] trait.

#![warn(missing_docs)]

pub mod builtins;
pub mod error;
pub mod errors;
pub mod fiber;
pub mod fiber_ops;
pub mod format;
pub mod host;
pub mod interp;
pub mod machine;
pub mod mathmod;
pub mod methods;
pub mod ops;
pub mod traceback;
pub mod value;

use serde::{Deserialize, Serialize};
use skein_script::bytecode::Program;

pub use error::{ErrorObj, TraceEntry};
pub use fiber::{Cont, Fiber, FiberState, Frame, Handler, Step};
pub use host::{Host, HostResult, KwArgs};
pub use interp::step;
pub use machine::{BufferHost, Machine, MachineState};
pub use value::{Kind, ModRef, TypeTag, Value};

/// Resource limits of docs/language.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Frames per fiber, the top-level frame included (default 1 000).
    pub frame_limit: u32,
    /// Largest value size (items counted recursively plus string bytes; default 16 Mi).
    pub size_limit: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            frame_limit: 1000,
            size_limit: 16 * 1024 * 1024,
        }
    }
}

/// Whether a module's top level has run (docs/language.md, "Modules").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ImportState {
    #[default]
    /// Not imported yet.
    NotRun,
    /// Its top level is on some fiber's stack right now.
    Running,
    /// Its top level has finished.
    Done,
}

/// One module's globals in one world.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ModuleGlobals {
    /// By slot, as `Module::globals` names them; `Value::Unbound` until assigned.
    pub values: Vec<Value>,
    /// Whether its top level has run.
    pub state: ImportState,
}

/// Every module's globals, indexed like `Program::modules`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Globals {
    /// One entry per module of the program.
    pub modules: Vec<ModuleGlobals>,
}

impl Globals {
    /// Unbound globals for every module of `program`, none of them run yet.
    pub fn new(program: &Program) -> Self {
        Globals {
            modules: program
                .modules
                .iter()
                .map(|m| ModuleGlobals {
                    values: vec![Value::Unbound; m.globals.len()],
                    state: ImportState::NotRun,
                })
                .collect(),
        }
    }
}

/// What builtins, methods, operators and formatting need from their
/// surroundings: the code (to name functions), the host (to print and to name
/// tasklets), the limits, and the fuel to charge by the elements touched.
pub struct Cx<'a> {
    /// The code.
    pub program: &'a Program,
    /// The world around the VM.
    pub host: &'a mut dyn Host,
    /// Frame, size and integer limits.
    pub limits: Limits,
    /// Fuel left, charged by the elements an operation touches.
    pub fuel: &'a mut u64,
}

/// What `step` needs besides the fiber and the host: the code, the world's
/// globals and its limits.
pub struct Vm<'a> {
    /// The code.
    pub program: &'a Program,
    /// The world's module globals.
    pub globals: &'a mut Globals,
    /// Frame, size and integer limits.
    pub limits: Limits,
}
