//! Making fibers, resuming them after a host call, and asking where one is.
//!
//! Invariants every `Fiber` keeps between two instructions (what `step`
//! relies on and what a verifier of saved fibers may check):
//! - it has frames unless the fiber is `Done` or `Failed`;
//!   `frames[0]` is the fiber's entry (a module top level for main, the
//!   tasklet's function otherwise) and counts toward the frame limit.
//! - Frame `i`'s locals are `stack[base_i .. base_i + nlocals]` and bases
//!   increase with `i`; its `pc` is the next instruction to run, so
//!   `pc - 1` is the instruction it is in (a call, while deeper frames run).
//! - A frame of function 0 of a module is that module's top level: when it
//!   returns the module is `Done`, and an importer below it gets the module.
//! - `handlers` are ordered by `frame`, every `frame` indexing a live frame.
//! - `Waiting`: suspended in a host call; the result is not yet pushed.
//!   For a `for` over a channel the iterator is on top and `pc` is just past
//!   the `ForIter`.

use std::sync::Arc;

use skein_script::bytecode::{FuncRef, Program};

use crate::context::with_cx;
use crate::fiber::{Cont, Fiber, FiberState, Frame};
use crate::host::KwArgs;
use crate::interp::{NullHost, bind_args};
use crate::value::{IterState, Value};

/// Stack slots a new fiber with hidden locals has room for past them: four,
/// what a vector of 16-byte values first grows to.
const ENTRY_ROOM: usize = 4;

impl Fiber {
    /// A fiber that will run `module`'s top level (a world's main tasklet).
    pub fn new_main(program: &Program, module: u16) -> Fiber {
        let func = FuncRef { module, func: 0 };
        Fiber::entry(program, func, Vec::new())
    }

    /// A fiber that will call `func(*args, **kwargs)` (a tasklet's body).
    /// Arguments that do not bind leave the `TypeError` pending, so it is
    /// raised when the tasklet first runs, at its `def` line.
    pub fn new_call(program: &Program, func: FuncRef, args: Vec<Value>, kwargs: KwArgs) -> Fiber {
        match with_cx(program, &mut NullHost, |cx| {
            bind_args(program, func, args, kwargs, cx)
        }) {
            Ok(locals) => Fiber::entry(program, func, locals),
            Err(e) => {
                let mut f = Fiber::entry(program, func, Vec::new());
                f.set_pending(Some(e));
                f
            }
        }
    }

    fn entry(program: &Program, func: FuncRef, mut locals: Vec<Value>) -> Fiber {
        let nlocals = program.function(func).nlocals as usize;
        if locals.len() < nlocals {
            // The arguments arrive in a vector just their size: growing it
            // to the locals and then for the first temporaries pushed cost
            // two copying reallocations per spawned tasklet (~1 100
            // instructions of skynet's ~10 600 a tasklet); one makes room
            // for both. A function with no locals past its arguments is
            // left to grow on its first push, if it has one.
            let room = nlocals + ENTRY_ROOM;
            if locals.capacity() < room {
                locals.reserve_exact(room - locals.len());
            }
            locals.resize(nlocals, Value::Unbound);
        }
        let ret = if func.func == 0 {
            Cont::Import
        } else {
            Cont::Push
        };
        Fiber::with_frame(
            Frame {
                func,
                pc: 0,
                base: 0,
                ret,
            },
            locals,
        )
    }

    /// The host call this fiber waits in returned `v`.
    pub fn resume_value(&mut self, v: Value) {
        self.stack.push(v);
        self.state = FiberState::Ready;
    }

    /// The host call this fiber waits in raised `err` (an error or a kind),
    /// or an error was thrown into it: it is raised when the fiber next runs.
    pub fn resume_error(&mut self, err: Value) {
        self.set_pending(Some(err));
        if matches!(self.state, FiberState::Waiting) {
            self.state = FiberState::Ready;
        }
    }

    /// The `for` loop over a channel this fiber waits in has ended.
    ///
    /// The iterator on top is swapped for an exhausted one and the `ForIter`
    /// runs again, so the loop exits through its usual path.
    pub fn resume_iter_end(&mut self) {
        if let Some(frame) = self.top_mut() {
            frame.pc = frame.pc.saturating_sub(1);
        }
        if let Some(top) = self.stack.last_mut() {
            *top = Value::Iter(Arc::new(IterState::Range {
                next: 0,
                stop: 0,
                step: 1,
            }));
        }
        self.state = FiberState::Ready;
    }

    /// Where the fiber is: its innermost frame's function and line (for
    /// deadlock reports and `inspect`).
    pub fn current_line(&self, program: &Program) -> Option<(FuncRef, u32)> {
        let frame = self.top()?;
        Some((frame.func, crate::interp::frame_line(program, frame)))
    }
}
