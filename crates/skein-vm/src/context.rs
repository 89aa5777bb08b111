//! What operations run with: the [`Limits`] of a world, and the borrowed
//! surroundings ([`Cx`] for builtins, methods, operators and formatting;
//! [`Vm`] for `step`), plus [`charge`], the fuel an operation costs.

use serde::{Deserialize, Serialize};
use skein_script::bytecode::Program;

use crate::globals::Globals;
use crate::host::Host;

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

/// Runs `f` with a [`Cx`] outside any `step`: binding arguments, printing
/// a value for a report or an inspection. Nothing is metered there, so the
/// limits are the defaults and the fuel is unbounded.
pub fn with_cx<R>(program: &Program, host: &mut dyn Host, f: impl FnOnce(&mut Cx) -> R) -> R {
    let mut fuel = u64::MAX;
    let mut cx = Cx {
        program,
        host,
        limits: Limits::default(),
        fuel: &mut fuel,
    };
    f(&mut cx)
}

/// What `step` needs besides the fiber and the host: the code, the world's
/// globals and its limits. Keep one for many steps (a tick's): it holds the
/// frame buffer the steps of fibers stopped in their outermost frame share.
pub struct Vm<'a> {
    /// The code.
    pub program: &'a Program,
    /// The world's module globals.
    pub globals: &'a mut Globals,
    /// Frame, size and integer limits.
    pub limits: Limits,
    /// A running fiber's frame buffer, when no fiber holds it.
    pub(crate) spare: Vec<crate::fiber::Frame>,
    /// The prelude module's index, found once: each step needs it, and
    /// finding it by name cost a scheduler's turn ~30 instructions.
    pub(crate) prelude: Option<u16>,
}

/// The prelude module's name (as `interp::calls` names it; this module may
/// not import the interpreter's).
const PRELUDE: &str = "__prelude__";

impl<'a> Vm<'a> {
    /// A VM over `program` and its `globals`.
    pub fn new(program: &'a Program, globals: &'a mut Globals, limits: Limits) -> Vm<'a> {
        Vm {
            program,
            globals,
            limits,
            spare: Vec::new(),
            prelude: program.module_index(PRELUDE),
        }
    }
}

/// Subtracts `n` from the fuel, stopping at zero.
pub fn charge(cx: &mut Cx, n: u64) {
    *cx.fuel = cx.fuel.saturating_sub(n);
}
