//! The world as the VM's [`Host`]: while the scheduler steps a tasklet's
//! fiber, every host call (printing, `stackless`, `random`, `sim`, tasklet
//! and channel attributes and methods, natives) lands here with the rest of
//! the world in hand.
//!
//! The scheduler resource is owned by the host for the whole tick (taken
//! out of the world), so ring operations are plain field accesses. A call
//! that blocks, yields or hands off rearranges the ring, records in the
//! caller's [`Suspension`] what the call will return, and answers
//! `HostResult::Suspend`; the scheduler loop then runs whatever is at the
//! head.

use std::sync::Arc;

use bevy_ecs::entity::Entity;
use bevy_ecs::world::{Mut, World};
use skein_script::bytecode::{BUILTIN_MODULES, Program};
use skein_vm::error::ErrorObj;
use skein_vm::{Host, HostResult, Kind, KwArgs, ModRef, TypeTag, Value, errors};

use crate::components::{ChannelState, Suspension, TaskletFiber, TaskletState, Wait};
use crate::resources::{Output, Scheduler};

/// The host of one tick (or of one call from Rust between ticks).
pub struct WorldHost<'w> {
    /// The world, with the scheduler taken out of it (below).
    pub world: &'w mut World,
    /// The scheduler resource, held by the host for the tick.
    pub sched: Scheduler,
    /// The code the fibers run.
    pub program: Arc<Program>,
}

impl<'w> WorldHost<'w> {
    /// The running tasklet's id (0 between ticks).
    pub fn current(&self) -> u64 {
        self.sched.current
    }

    /// The entity of tasklet or channel `id`.
    pub fn entity(&self, id: u64) -> Option<Entity> {
        self.sched.ring.entity(id)
    }

    /// Tasklet `id`'s state.
    pub fn tasklet(&self, id: u64) -> Option<&TaskletState> {
        self.world.get::<TaskletState>(self.entity(id)?)
    }

    /// Tasklet `id`'s state, to change.
    pub fn tasklet_mut(&mut self, id: u64) -> Option<Mut<'_, TaskletState>> {
        let e = self.entity(id)?;
        self.world.get_mut::<TaskletState>(e)
    }

    /// Channel `id`'s state.
    pub fn channel(&self, id: u64) -> Option<&ChannelState> {
        self.world.get::<ChannelState>(self.entity(id)?)
    }

    /// Channel `id`'s state, to change.
    pub fn channel_mut(&mut self, id: u64) -> Option<Mut<'_, ChannelState>> {
        let e = self.entity(id)?;
        self.world.get_mut::<ChannelState>(e)
    }

    /// Runs `f` on the current tasklet's state (a no-op between ticks).
    pub fn with_current(&mut self, f: impl FnOnce(&mut TaskletState)) {
        let cur = self.sched.current;
        if let Some(mut t) = self.tasklet_mut(cur) {
            f(&mut t);
        }
    }

    /// A new tasklet entity (bound to nothing, not alive).
    pub fn spawn_tasklet(&mut self) -> u64 {
        spawn_tasklet(self.world, &mut self.sched)
    }

    /// A new channel entity.
    pub fn spawn_channel(&mut self) -> u64 {
        let id = self.sched.ring.next_id();
        let e = self.world.spawn(ChannelState::new(id)).id();
        self.sched.ring.allocate(e)
    }

    /// `<tasklet NAME>` / `<tasklet #ID>`.
    pub fn tasklet_label(&self, id: u64) -> String {
        match self.tasklet(id).and_then(|t| t.name.as_ref()) {
            Some(n) => format!("<tasklet {n}>"),
            None => format!("<tasklet #{id}>"),
        }
    }

    /// The world's error output.
    pub fn eprint(&mut self, text: &str) {
        self.world.resource_mut::<Output>().eprint(text);
    }

    /// Runs `f` with the scheduler back in the world, for code (immediate
    /// natives) that expects an ordinary world.
    pub fn with_world<R>(&mut self, f: impl FnOnce(&mut World) -> R) -> R {
        std::mem::swap(
            &mut *self.world.resource_mut::<Scheduler>(),
            &mut self.sched,
        );
        let r = f(self.world);
        std::mem::swap(
            &mut *self.world.resource_mut::<Scheduler>(),
            &mut self.sched,
        );
        r
    }

    /// Takes a tasklet off whatever it is blocked on (a channel, a sleep,
    /// a native request, which is cancelled).
    pub fn unblock(&mut self, id: u64) {
        let Some(mut t) = self.tasklet_mut(id) else {
            return;
        };
        let wait = std::mem::take(&mut t.wait);
        let entity = self.entity(id);
        match wait {
            Wait::None => {}
            Wait::Channel { channel, .. } => {
                if let Some(mut ch) = self.channel_mut(channel)
                    && let Some(pos) = ch.waiters.iter().position(|w| *w == id)
                {
                    ch.waiters.remove(pos);
                }
            }
            Wait::Sleep { until, seq } => {
                self.sched.sleepers.remove(&(until, seq));
            }
            Wait::Native(req) => {
                if let Some(entity) = entity {
                    self.world
                        .resource_mut::<crate::NativeQueue>()
                        .cancel(crate::NativeCall::of(*req, id, entity));
                }
            }
        }
    }
}

/// Spawns a tasklet entity with the next id.
pub fn spawn_tasklet(world: &mut World, sched: &mut Scheduler) -> u64 {
    let id = sched.ring.next_id();
    let e = world
        .spawn((TaskletState::new(id), TaskletFiber::default()))
        .id();
    sched.counts.tasklets += 1;
    sched.ring.allocate(e)
}

/// An error value from an error or a kind (`throw`, `send_exception`).
pub fn to_error(v: Value, args: Vec<Value>) -> Result<Value, Value> {
    match v {
        Value::Error(e) if args.is_empty() => Ok(Value::Error(e)),
        Value::Type(TypeTag::Kind(kind)) => Ok(Value::Error(Arc::new(ErrorObj {
            kind,
            args,
            traceback: Vec::new(),
        }))),
        Value::Error(_) => Err(errors::type_error(
            "instance exception may not have a separate value",
        )),
        _ => Err(errors::type_error(
            "exceptions must derive from BaseException",
        )),
    }
}

/// The kind of an error value.
pub fn error_kind(v: &Value) -> Option<Kind> {
    match v {
        Value::Error(e) => Some(e.kind),
        Value::Type(TypeTag::Kind(k)) => Some(*k),
        _ => None,
    }
}

/// An int or bool argument (`preference`, `block_trap`, `set_atomic`).
pub fn int_or_bool(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

/// `name() takes …` checks for host functions and methods.
pub fn check_args(
    name: &str,
    args: &[Value],
    kwargs: &KwArgs,
    min: usize,
    max: usize,
) -> Result<(), Value> {
    if let Some((k, _)) = kwargs.first() {
        return Err(errors::type_error(format!(
            "{name}() got an unexpected keyword argument '{k}'"
        )));
    }
    let n = args.len();
    if n < min || n > max {
        let msg = if min == max {
            match min {
                0 => format!("{name}() takes no arguments ({n} given)"),
                1 => format!("{name}() takes exactly one argument ({n} given)"),
                _ => format!("{name}() takes exactly {min} arguments ({n} given)"),
            }
        } else if n < min {
            format!(
                "{name}() takes at least {min} argument{} ({n} given)",
                plural(min)
            )
        } else {
            format!(
                "{name}() takes at most {max} argument{} ({n} given)",
                plural(max)
            )
        };
        return Err(errors::type_error(msg));
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Turns a `Result` from the helpers into a host answer.
pub fn answer(r: Result<Value, Value>) -> HostResult {
    match r {
        Ok(v) => HostResult::Return(v),
        Err(e) => HostResult::Raise(e),
    }
}

impl Host for WorldHost<'_> {
    fn print(&mut self, text: &str) {
        self.world.resource_mut::<Output>().print(text);
    }

    fn module_attr(&mut self, module: ModRef, name: &str) -> Option<Value> {
        let ModRef::Native(i) = module else {
            return None;
        };
        let i = i as usize;
        if let Some(m) = BUILTIN_MODULES.get(i) {
            // The built-in modules' names are static: no allocation on the
            // hot path (`stackless.schedule()` looks the name up each call).
            if let Some(v) = crate::modules::attr(self, m, name) {
                return Some(v);
            }
            return self.world.resource::<crate::Natives>().lookup(m, name);
        }
        let mname = self.program.host_modules.get(i - BUILTIN_MODULES.len())?;
        self.world.resource::<crate::Natives>().lookup(mname, name)
    }

    fn describe(&self, v: &Value) -> String {
        match v {
            Value::Tasklet(id) => self.tasklet_label(*id),
            Value::Channel(id) => format!("<channel #{id}>"),
            _ => String::from("<?>"),
        }
    }

    fn construct(&mut self, tag: TypeTag, args: Vec<Value>, kwargs: KwArgs) -> HostResult {
        match tag {
            TypeTag::Tasklet => answer(crate::tasklets::construct(self, args, kwargs)),
            TypeTag::Channel => match check_args("channel", &args, &kwargs, 0, 0) {
                Ok(()) => HostResult::Return(Value::Channel(self.spawn_channel())),
                Err(e) => HostResult::Raise(e),
            },
            _ => HostResult::Raise(errors::type_error("cannot construct this type")),
        }
    }

    fn call_native(&mut self, id: u32, args: Vec<Value>, kwargs: KwArgs) -> HostResult {
        crate::modules::call(self, id, args, kwargs)
    }

    fn get_attr(&mut self, obj: &Value, name: &str) -> Result<Value, Value> {
        match obj {
            Value::Tasklet(id) => crate::tasklets::get_attr(self, *id, obj, name),
            Value::Channel(id) => crate::channels::get_attr(self, *id, obj, name),
            _ => Err(errors::attribute_error(obj, name)),
        }
    }

    fn with_attr_mut(
        &mut self,
        obj: &Value,
        name: &str,
        f: &mut dyn FnMut(&mut Value) -> Result<(), Value>,
    ) -> Result<(), Value> {
        match obj {
            Value::Tasklet(id) => crate::tasklets::with_attr_mut(self, *id, obj, name, f),
            Value::Channel(id) => crate::channels::with_attr_mut(self, *id, obj, name, f),
            _ => Err(errors::attribute_error(obj, name)),
        }
    }

    fn call_method(
        &mut self,
        recv: &Value,
        name: &str,
        args: Vec<Value>,
        kwargs: KwArgs,
    ) -> HostResult {
        match recv {
            Value::Tasklet(id) => crate::tasklets::call_method(self, *id, recv, name, args, kwargs),
            Value::Channel(id) => crate::channels::call_method(self, *id, recv, name, args, kwargs),
            _ => HostResult::Raise(errors::attribute_error(recv, name)),
        }
    }

    fn call_quick(
        &mut self,
        recv: &Value,
        id: skein_vm::methods::MethodId,
        args: &mut [Value],
    ) -> Option<HostResult> {
        crate::quick::call(self, recv, id, args)
    }

    fn channel_next(&mut self, channel: u64) -> HostResult {
        crate::channels::receive(self, channel, true)
    }
}

/// Marks the current tasklet suspended in `s` (what its call returns later).
pub fn suspend_current(host: &mut WorldHost, s: Suspension) {
    host.with_current(|t| t.suspension = s);
}

/// An error value from what a native or a completion raised: an error, a
/// kind (called with no arguments), or anything else (a `TypeError`).
pub fn as_error(v: Value) -> Value {
    match to_error(v, Vec::new()) {
        Ok(e) => e,
        Err(e) => e,
    }
}
