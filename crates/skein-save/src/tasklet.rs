//! One tasklet's state and fiber to a record and back, shared by world saves
//! and selections (which differ only in how ids are written and which waits
//! survive).
//!
//! Values are encoded in the order docs/saves.md numbers a selection by: frames
//! outermost first (locals, then the operand stack bottom-up, which holds the
//! loop iterators), then tempval, the pending errors, a `send_sequence`'s
//! channel and items, data, and a native request's arguments.

use skein_script::bytecode::Program;
use skein_vm::Value;
use skein_vm::fiber::{Fiber, FiberState};
use skein_world::components::{Suspension, TaskletState, Wait as WWait};

use crate::error::SaveError;
use crate::format::{
    Dir, FiberRec, FiberStateRec, FrameRec, FuncRec, HandlerRec, Status, SuspensionRec, TaskletRec,
    TickStateRec, Wait,
};
use crate::values::{EncodeRefs, Encoder};

/// A tasklet's record with its wait as the world has it, channel ids still
/// the world's: the caller decides how they are written.
pub(crate) fn tasklet_rec(
    enc: &mut Encoder,
    refs: &mut dyn EncodeRefs,
    id: u64,
    t: &TaskletState,
    fiber: &Fiber,
    tick: u64,
) -> Result<TaskletRec, SaveError> {
    let fiber_rec = fiber_rec(enc, refs, fiber)?;
    let tempval = enc.encode(&t.tempval, refs)?;
    let pending = t.pending().map(|v| enc.encode(v, refs)).transpose()?;
    let fiber_pending = fiber.pending().map(|v| enc.encode(v, refs)).transpose()?;
    let suspension = suspension_rec(enc, refs, t)?;
    let data = enc.encode(t.data(), refs)?;
    let wait = wait_rec(enc, refs, &t.wait, tick)?;
    let func = match t.func {
        Some(f) => {
            let (module, function) = enc.func_names(f)?;
            Some(FuncRec(module.into(), function.into()))
        }
        None => None,
    };
    Ok(TaskletRec {
        id,
        name: t.name().map(str::to_string),
        status: Status::Paused,
        alive: t.alive,
        started: t.started,
        atomic: t.atomic,
        block_trap: t.block_trap,
        data,
        tempval,
        pending,
        pending_is_payload: t.pending_is_payload,
        wait,
        suspension,
        func,
        tick_state: TickStateRec {
            // The record keeps the tick, as the world once did.
            yielded: if t.yielded { t.budget_tick } else { 0 },
            budget_tick: t.budget_tick,
            budget_used: t.budget_used,
        },
        fiber: FiberRec {
            pending: fiber_pending,
            ..fiber_rec
        },
        ext: Default::default(),
    })
}

/// What a tasklet waits for, sleeps counted from `tick`.
/// Whether a tasklet's own values (its `tempval`, pending errors, data and
/// wait) are all ones a direct writer writes as they are (`direct`): then
/// none of them touches the value table, so its leading fields can go
/// before its frames (see `binary.rs`).
pub(crate) fn own_direct(s: &TaskletState, fiber: &Fiber, direct: fn(&Value) -> bool) -> bool {
    direct(&s.tempval)
        && s.pending().is_none_or(direct)
        && fiber.pending().is_none_or(direct)
        && !matches!(s.suspension, Suspension::SendSequence)
        && direct(s.data())
        && !matches!(s.wait, WWait::Native(_))
}

pub(crate) fn wait_rec(
    enc: &mut Encoder,
    refs: &mut dyn EncodeRefs,
    w: &WWait,
    tick: u64,
) -> Result<Wait, SaveError> {
    Ok(match w {
        WWait::None => Wait::Nothing,
        WWait::Channel { channel, sending } => Wait::Channel {
            id: *channel,
            dir: if *sending { Dir::Send } else { Dir::Receive },
        },
        WWait::Sleep { until, .. } => Wait::Sleep {
            remaining: until.saturating_sub(tick),
        },
        WWait::Native(req) => Wait::Native {
            request: req.request,
            module: req.module.clone(),
            name: req.name.clone(),
            args: req
                .args
                .iter()
                .map(|a| enc.encode(a, refs))
                .collect::<Result<_, _>>()?,
        },
    })
}

/// The status a record's fields give, with `in_ring` from the ring (or the
/// selection's ring order).
pub(crate) fn status_of(rec: &TaskletRec, in_ring: bool) -> Status {
    status(rec.alive, rec.started, rec.wait != Wait::Nothing, in_ring)
}

/// The status of a tasklet alive or not, started or not, waiting or not,
/// and in the ring or not.
pub(crate) fn status(alive: bool, started: bool, waiting: bool, in_ring: bool) -> Status {
    if !alive {
        if started { Status::Dead } else { Status::Bound }
    } else if waiting {
        Status::Blocked
    } else if in_ring {
        Status::Runnable
    } else {
        Status::Paused
    }
}

pub(crate) fn suspension_rec(
    enc: &mut Encoder,
    refs: &mut dyn EncodeRefs,
    t: &TaskletState,
) -> Result<SuspensionRec, SaveError> {
    Ok(match &t.suspension {
        Suspension::None => SuspensionRec::NotSuspended,
        Suspension::Schedule => SuspensionRec::Schedule,
        Suspension::Nothing => SuspensionRec::ReturnsNone,
        Suspension::Send { exception: false } => SuspensionRec::Send,
        Suspension::Send { exception: true } => SuspensionRec::SendException,
        Suspension::SendSequence => {
            let s = t.send_sequence().ok_or_else(|| {
                SaveError::Unsaveable("a send_sequence without its progress".into())
            })?;
            // The channel a `send_sequence` goes on sending to is part of
            // its saved progress, so it is a reference like any other.
            let channel = refs.channel(s.channel)?;
            SuspensionRec::SendSequence {
                channel,
                items: enc.encode(&s.items, refs)?,
                next: s.next as u64,
            }
        }
        Suspension::Receive { iterating: false } => SuspensionRec::Receive,
        Suspension::Receive { iterating: true } => SuspensionRec::ReceiveInLoop,
        Suspension::Native => SuspensionRec::Native,
    })
}

/// Where one frame's values lie on its fiber's operand stack, its source
/// line and its active handlers: what both the record and the direct
/// binary writer take from a frame.
pub(crate) struct FrameShape {
    /// The end of its locals (they start at the frame's base).
    pub locals_end: usize,
    /// The end of its temporaries.
    pub end: usize,
    /// The line of its next instruction.
    pub line: u32,
    /// Its active `try`s, innermost last.
    pub handlers: Vec<HandlerRec>,
}

/// The shape of each of `fiber`'s frames, checked against the code, into
/// `shapes` (emptied first, so a writer can reuse it).
pub(crate) fn frame_shapes(
    program: &Program,
    fiber: &Fiber,
    shapes: &mut Vec<FrameShape>,
) -> Result<(), SaveError> {
    let broken = |m: String| SaveError::Unsaveable(format!("inconsistent fiber: {m}"));
    shapes.clear();
    for (i, f) in fiber.frames().enumerate() {
        let func = program
            .modules
            .get(f.func.module as usize)
            .and_then(|m| m.functions.get(f.func.func as usize))
            .ok_or_else(|| broken(format!("frame {i} names no function")))?;
        let locals_end = f.base as usize + func.nlocals as usize;
        let end = fiber
            .frame(i + 1)
            .map_or(fiber.stack.len(), |n| n.base as usize);
        if locals_end > end || end > fiber.stack.len() {
            return Err(broken(format!("frame {i}'s stack window")));
        }
        let line = func
            .lines
            .get(f.pc as usize)
            .copied()
            .unwrap_or(func.def_line);
        shapes.push(FrameShape {
            locals_end,
            end,
            line,
            handlers: Vec::new(),
        });
    }
    let mut last_frame = 0;
    for h in fiber.handlers() {
        let i = h.frame as usize;
        if i < last_frame || i >= shapes.len() {
            return Err(broken("handlers out of frame order".into()));
        }
        last_frame = i;
        let height = (h.stack_len as usize)
            .checked_sub(shapes[i].locals_end)
            .ok_or_else(|| broken("a handler below its frame's locals".into()))?;
        shapes[i].handlers.push(HandlerRec {
            target: h.target,
            height: height as u32,
            catch_all: h.catch_all,
        });
    }
    Ok(())
}

/// A fiber's state as its record names it.
pub(crate) fn fiber_state(state: &FiberState) -> FiberStateRec {
    match state {
        FiberState::Ready => FiberStateRec::Ready,
        FiberState::Waiting => FiberStateRec::Waiting,
        FiberState::Done => FiberStateRec::Done,
        FiberState::Failed => FiberStateRec::Failed,
    }
}

/// A fiber's frames, each with its own slice of the operand stack.
pub(crate) fn fiber_rec(
    enc: &mut Encoder,
    refs: &mut dyn EncodeRefs,
    fiber: &Fiber,
) -> Result<FiberRec, SaveError> {
    let mut shapes = Vec::with_capacity(fiber.frame_count());
    frame_shapes(enc.program(), fiber, &mut shapes)?;
    let mut frames = Vec::with_capacity(fiber.frame_count());
    let mut spans = Vec::with_capacity(fiber.frame_count());
    for (f, shape) in fiber.frames().zip(shapes) {
        let (module, function) = enc.func_names(f.func)?;
        let base = f.base as usize;
        spans.push((base, shape.locals_end, shape.end));
        frames.push(FrameRec {
            func: FuncRec(module.into(), function.into()),
            pc: f.pc,
            line: shape.line,
            locals: Vec::with_capacity(shape.locals_end - base),
            stack: Vec::with_capacity(shape.end - shape.locals_end),
            handlers: shape.handlers,
            ret: f.ret,
        });
    }
    for (frame, (base, locals_end, end)) in frames.iter_mut().zip(spans) {
        for v in &fiber.stack[base..locals_end] {
            frame.locals.push(enc.encode(v, refs)?);
        }
        for v in &fiber.stack[locals_end..end] {
            frame.stack.push(enc.encode(v, refs)?);
        }
    }
    Ok(FiberRec {
        state: fiber_state(&fiber.state),
        frames,
        pending: None,
    })
}

mod load;

pub(crate) use load::{SavedState, tasklet_from};
