//! A tasklet's record back to world components, checked: every value,
//! the wait and the suspension, and every frame against the verifier.

use skein_script::bytecode::{FuncRef, Program};
use skein_vm::Value;
use skein_vm::fiber::{Fiber, FiberState, Frame, Handler};
use skein_world::NativeRequest;
use skein_world::components::{SendSequence, Suspension, TaskletState, Wait as WWait};

use crate::check::{FrameRole, Verified, check_cont, check_frame};
use crate::error::{FieldPath, LoadError, Problem};
use crate::format::{Dir, FiberRec, FiberStateRec, SuspensionRec, TaskletRec, TickStateRec, Wait};
use crate::resolve::MapResolve;
use crate::values::{Decoder, Place, Resolve};

/// A saved tasklet's fields, already decoded and checked, as both loaders
/// (from records, and the byte-level reader) turn them into its live state.
pub(crate) struct SavedState {
    pub name: Option<String>,
    /// `None` for the empty dict.
    pub data: Option<Value>,
    pub tempval: Value,
    pub pending: Option<Value>,
    pub pending_is_payload: bool,
    pub alive: bool,
    pub started: bool,
    pub block_trap: bool,
    pub atomic: bool,
    pub wait: WWait,
    pub suspension: Suspension,
    pub sequence: Option<SendSequence>,
    pub func: Option<FuncRef>,
    pub tick: TickStateRec,
}

impl SavedState {
    pub(crate) fn into_state(self, new_id: u64) -> TaskletState {
        let mut state = TaskletState::new(new_id);
        state.tempval = self.tempval;
        state.pending_is_payload = self.pending_is_payload;
        state.alive = self.alive;
        state.started = self.started;
        state.block_trap = self.block_trap;
        state.atomic = self.atomic;
        state.wait = self.wait;
        state.suspension = self.suspension;
        state.func = self.func;
        // A yield in another tick than the budget's is from an earlier tick:
        // nothing reads it any more.
        let t = self.tick;
        state.yielded = t.yielded != 0 && t.yielded == t.budget_tick;
        state.budget_tick = t.budget_tick;
        state.budget_used = t.budget_used;
        // Each of these boxes the state's rare attributes when set; most
        // tasklets set none, and then no box is made.
        if self.name.is_some() {
            state.set_name(self.name);
        }
        if let Some(data) = self.data {
            state.set_data(data);
        }
        state.set_pending(self.pending);
        state.set_send_sequence(self.sequence);
        state
    }
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
    let (suspension, sequence) =
        suspension_from(dec, resolve, &rec.suspension, &path.field("suspension"))?;
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
            WWait::Native(Box::new(NativeRequest {
                request: *request,
                module: module.clone(),
                name: name.clone(),
                args: vs,
            }))
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
    if rec.alive == fiber.has_no_frames() {
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
    let state = SavedState {
        name: rec.name.clone(),
        data: Some(data),
        tempval,
        pending,
        pending_is_payload: rec.pending_is_payload,
        alive: rec.alive,
        started: rec.started,
        block_trap: rec.block_trap,
        atomic: rec.atomic,
        wait,
        suspension,
        sequence,
        func,
        tick: rec.tick_state,
    }
    .into_state(new_id);
    Ok((state, fiber))
}

fn suspension_from(
    dec: &Decoder,
    resolve: &dyn Resolve,
    s: &SuspensionRec,
    path: &FieldPath,
) -> Result<(Suspension, Option<SendSequence>), LoadError> {
    let suspension = match s {
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
            let progress = SendSequence {
                channel,
                items,
                next: *next as usize,
            };
            return Ok((Suspension::SendSequence, Some(progress)));
        }
        SuspensionRec::Receive => Suspension::Receive { iterating: false },
        SuspensionRec::ReceiveInLoop => Suspension::Receive { iterating: true },
        SuspensionRec::Native => Suspension::Native,
    };
    Ok((suspension, None))
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
    // Sized from the records (bounded by the file's own length).
    let slots = rec.frames.iter().map(|f| f.locals.len() + f.stack.len());
    let handlers = rec.frames.iter().map(|f| f.handlers.len());
    let mut fiber = Fiber::from_parts(
        Vec::new(),
        Vec::with_capacity(slots.sum()),
        Vec::new(),
        state,
        pending,
    );
    fiber.reserve_frames(rec.frames.len());
    let handlers = handlers.sum::<usize>();
    if handlers > 0 {
        fiber.handlers_mut().reserve_exact(handlers);
    }
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
        } else if fiber.pending().is_some() {
            FrameRole::Either
        } else {
            FrameRole::Running
        };
        check_frame(func, info, f, role, &p)?;
        // Frame i - 1, pushed last, is the fiber's innermost so far.
        let caller = i
            .checked_sub(1)
            .zip(fiber.top())
            .map(|(c, top)| (&rec.frames[c], top.func));
        check_cont(program, func_ref, f.ret, caller, &p.field("ret"))?;
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
            fiber.handlers_mut().push(Handler {
                frame: i as u32,
                target: h.target,
                stack_len: (base + func.nlocals as usize + h.height as usize) as u32,
                catch_all: h.catch_all,
            });
        }
        fiber.push_frame(Frame {
            func: func_ref,
            pc: f.pc,
            base: base as u32,
            ret: f.ret,
        });
    }
    Ok(fiber)
}
