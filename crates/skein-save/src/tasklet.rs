//! One tasklet's state and fiber to a record and back, shared by world saves
//! and selections (which differ only in how ids are written and which waits
//! survive).
//!
//! Values are encoded in the order saves.md numbers a selection by: frames
//! outermost first (locals, then the operand stack bottom-up, which holds the
//! loop iterators), then tempval, the pending errors, a `send_sequence`'s
//! channel and items, data, and a native request's arguments.

use skein_script::bytecode::Program;
use skein_vm::Value;
use skein_vm::fiber::{Fiber, FiberState, Frame, Handler};
use skein_world::NativeRequest;
use skein_world::components::{Suspension, TaskletState, Wait as WWait};

use crate::check::{FrameRole, Verified, check_frame};
use crate::error::{FieldPath, LoadError, Problem, SaveError};
use crate::format::{
    Dir, FiberRec, FiberStateRec, FrameRec, FuncRec, HandlerRec, Status, SuspensionRec, TaskletRec,
    TickStateRec, Wait,
};
use crate::staging::MapResolve;
use crate::values::{Decoder, EncodeRefs, Encoder, Place, Resolve};

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
        Suspension::SendSequence {
            channel,
            items,
            next,
        } => {
            // The channel a `send_sequence` goes on sending to is part of
            // its saved progress, so it is a reference like any other.
            let channel = refs.channel(*channel)?;
            SuspensionRec::SendSequence {
                channel,
                items: enc.encode(items, refs)?,
                next: *next as u64,
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

/// A tasklet's state and fiber from its record, checked. The wait comes
/// back with channel and tasklet ids mapped by `resolve`, a sleep as
/// `until = base_tick + remaining` (the caller orders sleepers) and a native
/// request with its saved number (the caller renumbers if it must).
pub(crate) fn tasklet_from(
    dec: &Decoder,
    resolve: &MapResolve,
    verified: &Verified,
    rec: &TaskletRec,
    new_id: u64,
    base_tick: u64,
    path: &FieldPath,
) -> Result<(TaskletState, Fiber), LoadError> {
    let fiber = fiber_from(
        dec,
        resolve,
        resolve.program,
        verified,
        &rec.fiber,
        &path.field("fiber"),
    )?;
    let data = dec.decode(&rec.data, Place::Plain, &path.field("data"))?;
    if !matches!(data, Value::Dict(_)) {
        return Err(LoadError::at(
            &path.field("data"),
            Problem::WrongType {
                expected: "a dict",
                found: crate::values::shape(&rec.data).to_string(),
            },
        ));
    }
    let tempval = dec.decode(&rec.tempval, Place::Plain, &path.field("tempval"))?;
    let pending = match &rec.pending {
        Some(p) => Some(dec.decode(p, Place::Plain, &path.field("pending"))?),
        None => None,
    };
    if rec.pending_is_payload && pending.is_none() {
        return Err(LoadError::invalid(
            &path.field("pending_is_payload"),
            "a send_exception payload flag without a payload",
        ));
    }
    let suspension = suspension_from(dec, resolve, &rec.suspension, &path.field("suspension"))?;
    let wait = match &rec.wait {
        Wait::Nothing => WWait::None,
        Wait::Channel { id, dir } => WWait::Channel {
            channel: resolve
                .channel(*id)
                .map_err(|p| LoadError::at(&path.field("wait").field("id"), p))?,
            sending: *dir == Dir::Send,
        },
        Wait::Sleep { remaining } => WWait::Sleep {
            until: base_tick.saturating_add(*remaining),
            seq: 0,
        },
        Wait::Native {
            request,
            module,
            name,
            args,
        } => {
            resolve
                .native(module, name)
                .map_err(|p| LoadError::at(&path.field("wait"), p))?;
            let mut vs = Vec::with_capacity(args.len());
            for (i, a) in args.iter().enumerate() {
                let p_0 = path.field("wait");
                let p_1 = p_0.field("args");
                let p = p_1.index(i);
                vs.push(dec.decode(a, Place::Plain, &p)?);
            }
            WWait::Native(NativeRequest {
                request: *request,
                module: module.clone(),
                name: name.clone(),
                args: vs,
            })
        }
    };
    let func = match &rec.func {
        Some(f) => Some(
            resolve
                .function(f.module(), f.function())
                .map_err(|p| LoadError::at(&path.field("func"), p))?,
        ),
        None => None,
    };
    if rec.alive == fiber.frames.is_empty() {
        return Err(LoadError::invalid(
            &path.field("alive"),
            if rec.alive {
                "an alive tasklet without frames"
            } else {
                "a tasklet that is not alive has frames"
            },
        ));
    }
    if !rec.alive && (wait != WWait::None) {
        return Err(LoadError::invalid(
            &path.field("wait"),
            "a tasklet that is not alive cannot wait",
        ));
    }
    let state = TaskletState {
        id: new_id,
        name: rec.name.clone(),
        data,
        tempval,
        pending,
        pending_is_payload: rec.pending_is_payload,
        alive: rec.alive,
        started: rec.started,
        block_trap: rec.block_trap,
        atomic: rec.atomic,
        wait,
        suspension,
        func,
        yielded: rec.tick_state.yielded,
        budget_tick: rec.tick_state.budget_tick,
        budget_used: rec.tick_state.budget_used,
    };
    Ok((state, fiber))
}

fn suspension_from(
    dec: &Decoder,
    resolve: &dyn Resolve,
    s: &SuspensionRec,
    path: &FieldPath,
) -> Result<Suspension, LoadError> {
    Ok(match s {
        SuspensionRec::NotSuspended => Suspension::None,
        SuspensionRec::Schedule => Suspension::Schedule,
        SuspensionRec::ReturnsNone => Suspension::Nothing,
        SuspensionRec::Send => Suspension::Send { exception: false },
        SuspensionRec::SendException => Suspension::Send { exception: true },
        SuspensionRec::SendSequence {
            channel,
            items,
            next,
        } => {
            let channel = resolve
                .channel(*channel)
                .map_err(|p| LoadError::at(&path.field("channel"), p))?;
            let items = dec.decode(items, Place::Plain, &path.field("items"))?;
            let Value::List(l) = &items else {
                return Err(LoadError::at(
                    &path.field("items"),
                    Problem::WrongType {
                        expected: "a list",
                        found: format!("{items:?}").chars().take(40).collect(),
                    },
                ));
            };
            if *next > l.items.len() as u64 {
                return Err(LoadError::invalid(
                    &path.field("next"),
                    format!("position {next} is past the end ({})", l.items.len()),
                ));
            }
            Suspension::SendSequence {
                channel,
                items,
                next: *next as usize,
            }
        }
        SuspensionRec::Receive => Suspension::Receive { iterating: false },
        SuspensionRec::ReceiveInLoop => Suspension::Receive { iterating: true },
        SuspensionRec::Native => Suspension::Native,
    })
}

/// A fiber from its record, every frame checked against the verifier.
pub(crate) fn fiber_from(
    dec: &Decoder,
    resolve: &dyn Resolve,
    program: &Program,
    verified: &Verified,
    rec: &FiberRec,
    path: &FieldPath,
) -> Result<Fiber, LoadError> {
    let state = match rec.state {
        FiberStateRec::Ready => FiberState::Ready,
        FiberStateRec::Waiting => FiberState::Waiting,
        FiberStateRec::Done => FiberState::Done,
        FiberStateRec::Failed => FiberState::Failed,
    };
    let pending = match &rec.pending {
        Some(p) => Some(dec.decode(p, Place::Plain, &path.field("pending"))?),
        None => None,
    };
    // A finished fiber has no frames; one with frames is ready or waiting
    // (a dead tasklet's emptied fiber reads as ready with no frames).
    let live = matches!(state, FiberState::Ready | FiberState::Waiting);
    if !live && !rec.frames.is_empty() {
        return Err(LoadError::invalid(
            &path.field("frames"),
            "a finished fiber has no frames",
        ));
    }
    let waiting = state == FiberState::Waiting;
    let mut fiber = Fiber {
        frames: Vec::with_capacity(rec.frames.len()),
        stack: Vec::new(),
        handlers: Vec::new(),
        state,
        pending,
    };
    let n = rec.frames.len();
    let limit = dec.limits().frame_limit as usize;
    if n > limit {
        return Err(LoadError::at(
            &path.field("frames"),
            Problem::TooLarge {
                what: "a call stack",
                size: n as u64,
                limit: limit as u64,
            },
        ));
    }
    for (i, f) in rec.frames.iter().enumerate() {
        let p_0 = path.field("frames");
        let p = p_0.index(i);
        let func_ref = resolve
            .function(f.func.module(), f.func.function())
            .map_err(|pr| LoadError::at(&p.field("func"), pr))?;
        let func = program.function(func_ref);
        let info = verified
            .info(func_ref.module, func_ref.func)
            .ok_or_else(|| LoadError::invalid(&p, "function not verified"))?;
        let role = if i + 1 < n || waiting {
            FrameRole::AwaitingResult
        } else if fiber.pending.is_some() {
            FrameRole::Either
        } else {
            FrameRole::Running
        };
        check_frame(func, info, f, role, &p)?;
        let base = fiber.stack.len();
        for (j, v) in f.locals.iter().enumerate() {
            let val = dec.decode(v, Place::Slot, &p.field("locals").index(j))?;
            fiber.stack.push(val);
        }
        for (j, v) in f.stack.iter().enumerate() {
            let val = dec.decode(v, Place::Operand, &p.field("stack").index(j))?;
            fiber.stack.push(val);
        }
        for h in &f.handlers {
            fiber.handlers.push(Handler {
                frame: i as u32,
                target: h.target,
                stack_len: (base + func.nlocals as usize + h.height as usize) as u32,
                catch_all: h.catch_all,
            });
        }
        fiber.frames.push(Frame {
            func: func_ref,
            pc: f.pc,
            base: base as u32,
        });
    }
    Ok(fiber)
}
