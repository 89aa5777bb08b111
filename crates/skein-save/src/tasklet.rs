//! One tasklet's state and fiber to a record and back, shared by world saves
//! and selections (which differ only in how ids are written and which waits
//! survive).
//!
//! Values are encoded in the order docs/saves.md numbers a selection by: frames
//! outermost first (locals, then the operand stack bottom-up, which holds the
//! loop iterators), then tempval, the pending errors, a `send_sequence`'s
//! channel and items, data, and a native request's arguments.

use skein_script::bytecode::Program;
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
    let pending = t
        .pending
        .as_ref()
        .map(|v| enc.encode(v, refs))
        .transpose()?;
    let fiber_pending = fiber
        .pending
        .as_ref()
        .map(|v| enc.encode(v, refs))
        .transpose()?;
    let suspension = suspension_rec(enc, refs, &t.suspension)?;
    let data = enc.encode(&t.data, refs)?;
    let wait = match &t.wait {
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
    };
    let func = match t.func {
        Some(f) => {
            let (module, function) = enc.func_names(f)?;
            Some(FuncRec(module, function))
        }
        None => None,
    };
    Ok(TaskletRec {
        id,
        name: t.name.clone(),
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
            yielded: t.yielded,
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

/// The status a record's fields give, with `in_ring` from the ring (or the
/// selection's ring order).
pub(crate) fn status_of(rec: &TaskletRec, in_ring: bool) -> Status {
    if !rec.alive {
        if rec.started {
            Status::Dead
        } else {
            Status::Bound
        }
    } else if rec.wait != Wait::Nothing {
        Status::Blocked
    } else if in_ring {
        Status::Runnable
    } else {
        Status::Paused
    }
}

fn suspension_rec(
    enc: &mut Encoder,
    refs: &mut dyn EncodeRefs,
    s: &Suspension,
) -> Result<SuspensionRec, SaveError> {
    Ok(match s {
        Suspension::None => SuspensionRec::NotSuspended,
        Suspension::Schedule => SuspensionRec::Schedule,
        Suspension::Nothing => SuspensionRec::ReturnsNone,
        Suspension::Send { exception: false } => SuspensionRec::Send,
        Suspension::Send { exception: true } => SuspensionRec::SendException,
        Suspension::SendSequence(s) => {
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

/// A fiber's frames, each with its own slice of the operand stack.
pub(crate) fn fiber_rec(
    enc: &mut Encoder,
    refs: &mut dyn EncodeRefs,
    fiber: &Fiber,
) -> Result<FiberRec, SaveError> {
    let program: &Program = enc.program();
    let broken = |m: String| SaveError::Unsaveable(format!("inconsistent fiber: {m}"));
    let mut frames = Vec::with_capacity(fiber.frames.len());
    let mut spans = Vec::with_capacity(fiber.frames.len());
    for (i, f) in fiber.frames.iter().enumerate() {
        let func = program
            .modules
            .get(f.func.module as usize)
            .and_then(|m| m.functions.get(f.func.func as usize))
            .ok_or_else(|| broken(format!("frame {i} names no function")))?;
        let base = f.base as usize;
        let locals_end = base + func.nlocals as usize;
        let end = fiber
            .frames
            .get(i + 1)
            .map_or(fiber.stack.len(), |n| n.base as usize);
        if locals_end > end || end > fiber.stack.len() {
            return Err(broken(format!("frame {i}'s stack window")));
        }
        spans.push((locals_end, end));
        let line = func
            .lines
            .get(f.pc as usize)
            .copied()
            .unwrap_or(func.def_line);
        let (module, function) = enc.func_names(f.func)?;
        frames.push(FrameRec {
            func: FuncRec(module, function),
            pc: f.pc,
            line,
            locals: Vec::with_capacity(func.nlocals as usize),
            stack: Vec::with_capacity(end - locals_end),
            handlers: Vec::new(),
            ret: f.ret,
        });
        let _ = base;
    }
    for (i, f) in fiber.frames.iter().enumerate() {
        let (locals_end, end) = spans[i];
        for v in &fiber.stack[f.base as usize..locals_end] {
            let r = enc.encode(v, refs)?;
            frames[i].locals.push(r);
        }
        for v in &fiber.stack[locals_end..end] {
            let r = enc.encode(v, refs)?;
            frames[i].stack.push(r);
        }
    }
    let mut last_frame = 0;
    for h in &fiber.handlers {
        let i = h.frame as usize;
        if i < last_frame || i >= frames.len() {
            return Err(broken("handlers out of frame order".into()));
        }
        last_frame = i;
        let (locals_end, _) = spans[i];
        let height = (h.stack_len as usize)
            .checked_sub(locals_end)
            .ok_or_else(|| broken("a handler below its frame's locals".into()))?;
        frames[i].handlers.push(HandlerRec {
            target: h.target,
            height: height as u32,
            catch_all: h.catch_all,
        });
    }
    let state = match fiber.state {
        FiberState::Ready => FiberStateRec::Ready,
        FiberState::Waiting => FiberStateRec::Waiting,
        FiberState::Done => FiberStateRec::Done,
        FiberState::Failed => FiberStateRec::Failed,
    };
    Ok(FiberRec {
        state,
        frames,
        pending: None,
    })
}

mod load;

pub(crate) use load::tasklet_from;
