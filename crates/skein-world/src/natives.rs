//! Native functions a host game registers in modules of its own
//! (docs/language.md, "The world": `npc.walk_to(x, y)`), and the queue through
//! which ordinary bevy systems serve the blocking ones.
//!
//! An immediate native runs inside the scheduler with the world in hand and
//! returns at once. A blocking native parks its tasklet: the request is
//! plain data in the tasklet's [`Wait::Native`](crate::Wait) and in
//! [`NativeQueue::requests`]; a system takes it, works on it for as many
//! ticks as it likes and calls [`NativeQueue::complete`]. The tasklet is
//! appended to the ring at the start of the next tick. When a waiting
//! tasklet is killed or thrown into, its request is cancelled and shows up
//! in [`NativeQueue::cancelled`].

use std::collections::BTreeMap;
use std::sync::Arc;

use bevy_ecs::entity::Entity;
use bevy_ecs::resource::Resource;
use bevy_ecs::world::World;
use skein_vm::{KwArgs, Value};

use crate::resources::Scheduler;

/// What an immediate native gets besides its arguments.
pub struct NativeCx<'a> {
    /// The world. An [`Immediate`](NativeKind::Immediate) native finds
    /// the scheduler in it as between ticks; a
    /// [`Positional`](NativeKind::Positional) one finds it in `sched`
    /// (read it through [`NativeCx::scheduler`]), the tick's own, not
    /// swapped back into the world for each call.
    pub world: &'a mut World,
    /// The calling tasklet.
    pub tasklet: u64,
    /// The calling tasklet's entity, for its components.
    pub entity: Entity,
    /// The scheduler when it is not in `world` (a positional native's call).
    pub sched: Option<&'a mut Scheduler>,
}

impl NativeCx<'_> {
    /// The world's scheduler, wherever it is during this call.
    pub fn scheduler(&mut self) -> &mut Scheduler {
        match &mut self.sched {
            Some(s) => s,
            None => self.world.resource_mut::<Scheduler>().into_inner(),
        }
    }
}

/// An immediate native: returns a value or raises an error value (or kind).
pub type ImmediateFn =
    Arc<dyn Fn(&mut NativeCx, Vec<Value>, KwArgs) -> Result<Value, Value> + Send + Sync>;

/// An immediate native that takes positional arguments only, lent as a
/// slice (it may take values out of it): see [`NativeKind::positional`].
pub type PositionalFn =
    Arc<dyn Fn(&mut NativeCx, &mut [Value]) -> Result<Value, Value> + Send + Sync>;

/// How a native behaves when a script calls it.
#[derive(Clone)]
pub enum NativeKind {
    /// Returns (or raises) at once, inside the calling tasklet's turn.
    Immediate(ImmediateFn),
    /// As `Immediate`, with positional arguments only.
    Positional(PositionalFn),
    /// Parks the calling tasklet until a system completes the request.
    Blocking,
}

impl NativeKind {
    /// An immediate native from a closure.
    pub fn immediate(
        f: impl Fn(&mut NativeCx, Vec<Value>, KwArgs) -> Result<Value, Value> + Send + Sync + 'static,
    ) -> Self {
        NativeKind::Immediate(Arc::new(f))
    }

    /// An immediate native that takes no keyword arguments (a call with
    /// any raises `TypeError` for it, as Python's
    /// "got an unexpected keyword argument"). Its arguments are lent as a
    /// slice: a call `module.f(a, b)` reaches it with no name look-up and no
    /// argument vector made (BENCHMARKS.md, "`sched15`: the village tick").
    pub fn positional(
        f: impl Fn(&mut NativeCx, &mut [Value]) -> Result<Value, Value> + Send + Sync + 'static,
    ) -> Self {
        NativeKind::Positional(Arc::new(f))
    }
}

impl std::fmt::Debug for NativeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NativeKind::Immediate(_) => f.write_str("Immediate"),
            NativeKind::Positional(_) => f.write_str("Positional"),
            NativeKind::Blocking => f.write_str("Blocking"),
        }
    }
}

/// One registered native.
#[derive(Debug, Clone)]
pub struct NativeFn {
    /// The module scripts import it from.
    pub module: String,
    /// Its name in that module.
    pub name: String,
    /// Immediate or blocking.
    pub kind: NativeKind,
}

/// Host-native ids start here; lower ids are the world's own functions
/// (`stackless.schedule`, `random.randint`, …).
pub const HOST_NATIVE_BASE: u32 = 1 << 16;

/// The registry: host modules in registration order and their functions.
#[derive(Resource, Debug, Clone, Default)]
pub struct Natives {
    /// Module names in registration order: `Program::host_modules`.
    pub modules: Vec<String>,
    /// Every native in registration order; the id is `HOST_NATIVE_BASE` plus the index.
    pub fns: Vec<NativeFn>,
}

impl Natives {
    /// Registers `module.name`; re-registering replaces the function.
    pub fn register(&mut self, module: &str, name: &str, kind: NativeKind) {
        if !self.modules.iter().any(|m| m == module) {
            self.modules.push(module.to_string());
        }
        if let Some(f) = self
            .fns
            .iter_mut()
            .find(|f| f.module == module && f.name == name)
        {
            f.kind = kind;
        } else {
            self.fns.push(NativeFn {
                module: module.to_string(),
                name: name.to_string(),
                kind,
            });
        }
    }

    /// The value `module.name` evaluates to.
    pub fn lookup(&self, module: &str, name: &str) -> Option<Value> {
        self.fns
            .iter()
            // By name first: a game's natives mostly share one module, so
            // comparing it first compared equal bytes on every entry.
            .position(|f| f.name == name && f.module == module)
            .map(|i| Value::Native(HOST_NATIVE_BASE + i as u32))
    }

    /// The native with value id `id`, if it is a host native.
    pub fn get(&self, id: u32) -> Option<&NativeFn> {
        id.checked_sub(HOST_NATIVE_BASE)
            .and_then(|i| self.fns.get(i as usize))
    }

    /// Module names with the names they export, for the loader.
    pub fn exports(&self) -> Vec<(String, Vec<String>)> {
        self.modules
            .iter()
            .map(|m| {
                let names = self
                    .fns
                    .iter()
                    .filter(|f| &f.module == m)
                    .map(|f| f.name.clone())
                    .collect();
                (m.clone(), names)
            })
            .collect()
    }
}

/// A blocking call as the host sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct NativeCall {
    /// The request number, unique in the world.
    pub request: u64,
    /// The calling tasklet's id.
    pub tasklet: u64,
    /// The calling tasklet's entity.
    pub entity: Entity,
    /// The native's module.
    pub module: String,
    /// The native's name.
    pub name: String,
    /// The arguments of the call.
    pub args: Vec<Value>,
}

impl NativeCall {
    /// The call `request` of tasklet `tasklet` (entity `entity`), as the
    /// host is shown it: parked, loaded from a save, or cancelled.
    pub fn of(request: crate::NativeRequest, tasklet: u64, entity: Entity) -> NativeCall {
        NativeCall {
            request: request.request,
            tasklet,
            entity,
            module: request.module,
            name: request.name,
            args: request.args,
        }
    }
}

/// Blocking requests waiting for the host, and the host's answers.
#[derive(Resource, Debug, Clone, Default)]
pub struct NativeQueue {
    pub(crate) next_request: u64,
    /// New requests not yet taken by a system, in call order.
    pub requests: Vec<NativeCall>,
    /// Requests whose tasklet was killed or thrown into while waiting.
    pub cancelled: Vec<NativeCall>,
    /// Tasklet id → its outstanding request.
    pub(crate) waiting: BTreeMap<u64, u64>,
    /// Completed, not yet appended to the ring: (tasklet, request, result).
    pub(crate) completed: Vec<(u64, u64, Result<Value, Value>)>,
}

impl NativeQueue {
    /// Takes the new requests for `module.name` (either may be `"*"`).
    pub fn take_requests(&mut self, module: &str, name: &str) -> Vec<NativeCall> {
        let wanted = wanted(module, name);
        // Polled every tick by each serving system: the usual answers (none,
        // or all of them) move the list as it is instead of rebuilding it.
        if self.requests.is_empty() {
            return Vec::new();
        }
        if self.requests.iter().all(wanted) {
            // The next tick's requests get room for as many at once, not a
            // vector doubled (and copied) from empty on every tick.
            let room = self.requests.len();
            return std::mem::replace(&mut self.requests, Vec::with_capacity(room));
        }
        let (take, keep) = std::mem::take(&mut self.requests)
            .into_iter()
            .partition(wanted);
        self.requests = keep;
        take
    }

    /// As [`take_requests`](Self::take_requests), into `out` (emptied
    /// first), whose room the queue keeps for the next requests when it
    /// takes them all: a system that keeps its `out` (a `Local`) between
    /// ticks then allocates nothing per tick.
    pub fn take_requests_into(&mut self, module: &str, name: &str, out: &mut Vec<NativeCall>) {
        out.clear();
        if !self.requests.is_empty() && self.requests.iter().all(wanted(module, name)) {
            std::mem::swap(&mut self.requests, out);
            return;
        }
        out.extend(self.take_requests(module, name));
    }

    /// Takes the cancellations for `module` (or `"*"`).
    pub fn take_cancelled(&mut self, module: &str) -> Vec<NativeCall> {
        if self.cancelled.is_empty() {
            return Vec::new();
        }
        let (take, keep) = std::mem::take(&mut self.cancelled)
            .into_iter()
            .partition(|c| module == "*" || c.module == module);
        self.cancelled = keep;
        take
    }

    /// Completes the tasklet's outstanding request: its call returns `Ok`'s
    /// value or raises `Err`'s error (an error value or a kind). The tasklet
    /// runs again from the next tick on. `false` if it is not waiting (it
    /// was cancelled, or already completed).
    pub fn complete(&mut self, tasklet: u64, result: Result<Value, Value>) -> bool {
        match self.waiting.remove(&tasklet) {
            Some(request) => {
                self.completed.push((tasklet, request, result));
                true
            }
            None => false,
        }
    }

    /// The tasklet waits in a blocking native whose result has not come.
    pub fn is_waiting(&self, tasklet: u64) -> bool {
        self.waiting.contains_key(&tasklet)
    }

    /// Anything outstanding (docs/rust-api.md, "Native functions": a completed request whose tasklet
    /// is not yet appended counts as pending).
    pub fn pending(&self) -> bool {
        !self.waiting.is_empty() || !self.completed.is_empty()
    }

    pub(crate) fn park(&mut self, call: NativeCall) {
        self.waiting.insert(call.tasklet, call.request);
        self.requests.push(call);
    }

    pub(crate) fn new_request(&mut self) -> u64 {
        self.next_request += 1;
        self.next_request
    }

    /// Drops the tasklet's outstanding request (kill/throw) and tells the host.
    pub(crate) fn cancel(&mut self, call: NativeCall) {
        self.waiting.remove(&call.tasklet);
        self.completed
            .retain(|(t, r, _)| !(*t == call.tasklet && *r == call.request));
        self.requests
            .retain(|c| !(c.tasklet == call.tasklet && c.request == call.request));
        self.cancelled.push(call);
    }
}

/// Whether a request is for `module.name` (either may be `"*"`).
fn wanted<'a>(module: &'a str, name: &'a str) -> impl Fn(&NativeCall) -> bool + Copy + 'a {
    move |c| (module == "*" || c.module == module) && (name == "*" || c.name == name)
}
