//! A tasklet record of a binary world save read straight from its bytes
//! into the staged state and fiber, with no `TaskletRec`, `FrameRec` or
//! `ValueRec` built on the way: the one-pass loader's hot loop.
//!
//! It makes every check the record path makes (`tasklet/load.rs` and the
//! staging area), through the same check functions where they take parts
//! rather than records. It takes the common shapes only: a tasklet waiting
//! in a native call or a `send_sequence` is left to the record path
//! (`None`), as is anything it would refuse, so the
//! caller reads those bytes again as a record and a refusal is the record
//! path's own, with its message and field path.

use std::collections::BTreeMap;

use skein_script::bytecode::FuncRef;
use skein_vm::Value;
use skein_vm::fiber::{Fiber, FiberState, Frame, Handler};
use skein_world::TaskletFiber;
use skein_world::components::{Suspension, Wait as WWait};

use crate::bytes::Reader;
use crate::check::{FrameRole, FrameShape, check_ret, check_shape};
use crate::error::FieldPath;
use crate::ext::ExtValue;
use crate::format::{Dir, HandlerRec, Status, TickStateRec};
use crate::resolve::IdTable;
use crate::staging::{StagedTasklet, Tasklets, WaitOf, check_ext};
use crate::tasklet::{SavedState, status};
use crate::values::{Place, Resolve, Strs};

/// Distinct function names remembered per load (a world's frames run a
/// few functions); past this, names are resolved each time.
const FUNCS: usize = 64;

/// A tasklet read fast (and staged): its wait for the channels' checks,
/// and whether it sleeps.
pub(super) type Read = (WaitOf, bool);

/// The fast reader's state across one load's tasklets.
pub(super) struct Fast<'a, 'r, 'b> {
    pub stager: Tasklets<'a, 'r>,
    strs: Strs,
    /// Function names as read (both length-prefixed names' bytes, one
    /// slice) and what they resolved to.
    funcs: Vec<(&'b [u8], FuncRef)>,
    /// One frame's handlers, reused.
    handlers: Vec<HandlerRec>,
}

/// The innermost frame's check, made once the fiber's pending error (written
/// after the frames) is known.
struct Last {
    func: FuncRef,
    pc: u32,
    locals: usize,
    height: usize,
    handlers: Vec<HandlerRec>,
}

impl<'a, 'r, 'b> Fast<'a, 'r, 'b> {
    pub fn new(stager: Tasklets<'a, 'r>) -> Self {
        Fast {
            stager,
            strs: Strs::default(),
            funcs: Vec::new(),
            handlers: Vec::new(),
        }
    }

    /// A function by its two names, read at `r`.
    fn func(&mut self, r: &mut Reader<'b>) -> Option<FuncRef> {
        // One comparison of both names with their lengths: equal bytes are
        // equal names (another spelling of a length only misses the cache).
        // The names are length-prefixed, so a cached pair the rest starts
        // with is the next two names exactly.
        let rest = r.rest();
        if let Some(&(both, func)) = self.funcs.iter().find(|e| rest.starts_with(e.0)) {
            r.seek(r.pos() + both.len());
            return Some(func);
        }
        let start = r.pos();
        let (m, f) = (r.str_bytes()?, r.str_bytes()?);
        let both = r.since(start);
        let (ms, fs) = (std::str::from_utf8(m).ok()?, std::str::from_utf8(f).ok()?);
        let func = self.stager.resolve.function(ms, fs).ok()?;
        if self.funcs.len() < FUNCS {
            self.funcs.push((both, func));
        }
        Some(func)
    }

    fn value(&mut self, r: &mut Reader<'b>, place: Place) -> Option<Value> {
        self.stager.dec.read(r, place, &mut self.strs)
    }

    /// The tasklet record at `r`, checked and pushed onto `staged` (built
    /// where it goes, not moved there: it is large); `None`, with nothing
    /// pushed, when the record path must read it.
    pub fn tasklet(&mut self, r: &mut Reader<'b>, staged: &mut Vec<StagedTasklet>) -> Option<Read> {
        let id = r.u64()?;
        // A tasklet's own id is a record by definition: only ids that other
        // records name need noting for the check after the last tasklet.
        let new_id = match &self.stager.resolve.tasklets {
            IdTable::Noted(_) if id != 0 => id,
            _ => self.stager.resolve.tasklet(id).ok()?,
        };
        let name = if r.some()? {
            Some(r.str()?.to_string())
        } else {
            None
        };
        let saved_status = match r.tag()? {
            0 => Status::Bound,
            1 => Status::Runnable,
            2 => Status::Paused,
            3 => Status::Blocked,
            4 => Status::Dead,
            _ => return None,
        };
        let (alive, started, atomic, block_trap) = (r.bool()?, r.bool()?, r.bool()?, r.bool()?);
        // Most tasklets' data is the empty dict, which the state holds
        // without an allocation.
        let data = if r.rest().starts_with(&[6, 0]) {
            r.seek(r.pos() + 2);
            None
        } else {
            let data = self.value(r, Place::Plain)?;
            if !matches!(data, Value::Dict(_)) {
                return None;
            }
            Some(data)
        };
        let tempval = self.value(r, Place::Plain)?;
        let pending = if r.some()? {
            Some(self.value(r, Place::Plain)?)
        } else {
            None
        };
        let pending_is_payload = r.bool()?;
        if pending_is_payload && pending.is_none() {
            return None;
        }
        let resolve = self.stager.resolve;
        let (wait, channel, sleeps) = match r.tag()? {
            0 => (WWait::None, None, false),
            1 => {
                let cid = r.u64()?;
                let dir = match r.tag()? {
                    0 => Dir::Send,
                    1 => Dir::Receive,
                    _ => return None,
                };
                let channel = resolve.channel(cid).ok()?;
                let sending = dir == Dir::Send;
                (WWait::Channel { channel, sending }, Some((cid, dir)), false)
            }
            2 => {
                let until = self.stager.base_tick.saturating_add(r.u64()?);
                (WWait::Sleep { until, seq: 0 }, None, true)
            }
            // A native call's request: the record path.
            _ => return None,
        };
        let suspension = match r.tag()? {
            0 => Suspension::None,
            1 => Suspension::Schedule,
            2 => Suspension::Nothing,
            3 => Suspension::Send { exception: false },
            4 => Suspension::Send { exception: true },
            6 => Suspension::Receive { iterating: false },
            7 => Suspension::Receive { iterating: true },
            8 => Suspension::Native,
            // `send_sequence` (5) carries its items: the record path.
            _ => return None,
        };
        let func = if r.some()? { Some(self.func(r)?) } else { None };
        let (yielded, budget_tick, budget_used) = (r.u64()?, r.u64()?, r.u64()?);
        let fiber = self.fiber(r)?;
        // Host components, by tag: few per tasklet, read by postcard and
        // checked against the registry as the records are.
        let ext: BTreeMap<String, ExtValue> = if r.rest().first() == Some(&0) {
            r.seek(r.pos() + 1);
            BTreeMap::new()
        } else {
            let ext = r.serde()?;
            check_ext(self.stager.registry, &ext, &FieldPath::root()).ok()?;
            ext
        };
        if alive == fiber.has_no_frames() || (!alive && wait != WWait::None) {
            return None;
        }
        let waits = wait != WWait::None;
        let in_ring = self.stager.in_ring.contains(&id);
        if status(alive, started, waits, in_ring) != saved_status {
            return None;
        }
        let state = SavedState {
            name,
            data,
            tempval,
            pending,
            pending_is_payload,
            alive,
            started,
            block_trap,
            atomic,
            wait,
            suspension,
            sequence: None,
            func,
            tick: TickStateRec {
                yielded,
                budget_tick,
                budget_used,
            },
        }
        .into_state(new_id);
        staged.push(StagedTasklet {
            rec_id: id,
            state,
            fiber: TaskletFiber::new(fiber),
            ext,
        });
        Some((WaitOf { id, channel, waits }, sleeps))
    }

    /// A fiber record, every frame checked against the verifier.
    fn fiber(&mut self, r: &mut Reader<'b>) -> Option<Fiber> {
        let state = match r.tag()? {
            0 => FiberState::Ready,
            1 => FiberState::Waiting,
            2 => FiberState::Done,
            3 => FiberState::Failed,
            _ => return None,
        };
        let n = r.len()?;
        let live = matches!(state, FiberState::Ready | FiberState::Waiting);
        let limit = self.stager.dec.limits().frame_limit as usize;
        if (!live && n > 0) || n > limit {
            return None;
        }
        let waiting = state == FiberState::Waiting;
        let program = self.stager.resolve.program;
        let verified = self.stager.verified;
        let mut fiber = Fiber::from_parts(Vec::new(), Vec::new(), Vec::new(), state, None);
        // Counts come from the file: sized by the bytes left too (a frame
        // and a value are at least a byte each), so a hostile count (or a
        // saved frame limit of billions) cannot become an allocation.
        fiber.reserve_frames(n.min(r.rest().len()));
        let mut last = None;
        // The caller's operand height and function, for `ret`'s check.
        let mut caller: Option<(usize, FuncRef)> = None;
        let path = FieldPath::root();
        for i in 0..n {
            let func_ref = self.func(r)?;
            let func = program.function(func_ref);
            let info = verified.info(func_ref.module, func_ref.func)?;
            let (pc, _line) = (r.u32()?, r.u32()?);
            let locals = r.len()?;
            if locals != func.nlocals as usize {
                return None;
            }
            let base = fiber.stack.len();
            fiber.stack.reserve(locals.min(r.rest().len()));
            for _ in 0..locals {
                let v = self.value(r, Place::Slot)?;
                fiber.stack.push(v);
            }
            let height = r.len()?;
            fiber.stack.reserve(height.min(r.rest().len()));
            for _ in 0..height {
                let v = self.value(r, Place::Operand)?;
                fiber.stack.push(v);
            }
            self.handlers.clear();
            for _ in 0..r.len()? {
                let (target, height, catch_all) = (r.u32()?, r.u32()?, r.bool()?);
                self.handlers.push(HandlerRec {
                    target,
                    height,
                    catch_all,
                });
            }
            let at = r.pos();
            let ret = match r.tag()? {
                0 => skein_vm::Cont::Push,
                1 => skein_vm::Cont::Import,
                3 => skein_vm::Cont::PushNone,
                2 => {
                    // A place's continuation: read by serde from its tag.
                    r.seek(at);
                    r.serde()?
                }
                _ => return None,
            };
            if i + 1 < n || waiting {
                let shape = FrameShape {
                    locals,
                    pc,
                    height,
                    handlers: &self.handlers,
                };
                check_shape(func, info, &shape, FrameRole::AwaitingResult, &path).ok()?;
            } else {
                last = Some(Last {
                    func: func_ref,
                    pc,
                    locals,
                    height,
                    handlers: self.handlers.clone(),
                });
            }
            check_ret(program, func_ref, ret, caller, &path).ok()?;
            caller = Some((height, func_ref));
            let handlers = self.handlers.iter().map(|h| Handler {
                frame: i as u32,
                target: h.target,
                stack_len: (base + func.nlocals as usize + h.height as usize) as u32,
                catch_all: h.catch_all,
            });
            if !self.handlers.is_empty() {
                fiber.handlers_mut().extend(handlers);
            }
            fiber.push_frame(Frame {
                func: func_ref,
                pc,
                base: base as u32,
                ret,
            });
        }
        let pending = if r.some()? {
            Some(self.value(r, Place::Plain)?)
        } else {
            None
        };
        if let Some(l) = last {
            let role = if pending.is_some() {
                FrameRole::Either
            } else {
                FrameRole::Running
            };
            let shape = FrameShape {
                locals: l.locals,
                pc: l.pc,
                height: l.height,
                handlers: &l.handlers,
            };
            let info = verified.info(l.func.module, l.func.func)?;
            check_shape(program.function(l.func), info, &shape, role, &path).ok()?;
        }
        fiber.set_pending(pending);
        Some(fiber)
    }
}
