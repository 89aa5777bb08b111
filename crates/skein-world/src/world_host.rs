//! [`WorldHost`]: the world, its scheduler and its code as a host call sees
//! them, with the tasklet and channel look-ups every host function shares.
//! The VM's `Host` trait is implemented for it in [`crate::host`].
//!
//! The scheduler resource is owned by the host for the whole tick (taken
//! out of the world), so ring operations are plain field accesses; so are
//! the query states every tasklet and channel look goes through.

use std::sync::Arc;

use bevy_ecs::entity::Entity;
use bevy_ecs::world::World;
use skein_script::bytecode::Program;
use skein_vm::Value;

use crate::components::{ChannelState, Parked, Suspension, TaskletFiber, TaskletState, Wait};
use crate::held::{Held, HeldMut};
use crate::lookups::Lookups;
use crate::natives::{NativeCall, NativeQueue};
use crate::resources::{Code, Output, RunCounters, Scheduler};

/// The host of one tick (or of one call from Rust between ticks).
pub struct WorldHost<'w> {
    /// The world, with the scheduler taken out of it (below).
    pub world: &'w mut World,
    /// The scheduler resource, held by the host for the tick.
    pub sched: Scheduler,
    /// The code the fibers run.
    pub program: Arc<Program>,
    /// The query states of the tasklet and channel looks (taken out of
    /// the world like the scheduler).
    pub look: Lookups,
    /// The tasklets held out of their components for the tick
    /// (`held.rs`): every tasklet look asks here first.
    pub held: Held,
    /// Native module functions found by name this tick (`function_cache.rs`).
    pub(crate) fns: crate::function_cache::FunctionCache,
}

impl<'w> WorldHost<'w> {
    /// A host over `world`: the scheduler and the look states are taken
    /// out of it until [`WorldHost::release`] puts them back.
    pub fn over(world: &'w mut World) -> WorldHost<'w> {
        let sched = std::mem::take(&mut *world.resource_mut::<Scheduler>());
        let program = world.resource::<Code>().0.clone();
        let look = Lookups::take(world);
        WorldHost {
            world,
            sched,
            program,
            look,
            held: Held::default(),
            fns: Default::default(),
        }
    }

    /// Puts the scheduler (with the counts of what this host did) and the
    /// look states back into the world, and gives the world back.
    pub fn release(mut self) -> &'w mut World {
        self.flush_held();
        let WorldHost {
            world,
            mut sched,
            look,
            ..
        } = self;
        sched.flush_counts(&mut world.resource_mut::<RunCounters>());
        *world.resource_mut::<Scheduler>() = sched;
        look.put(world);
        world
    }

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
        if let Some(slot) = self.held.get(id) {
            return Some(&slot.state);
        }
        self.look.tasklet(self.world, self.entity(id)?)
    }

    /// Tasklet `id`'s state, to change.
    pub fn tasklet_mut(&mut self, id: u64) -> Option<HeldMut<'_, TaskletState>> {
        if let Some(i) = self.held.find(id) {
            return Some(HeldMut::Held(&mut self.held.at(i).state));
        }
        let e = self.entity(id)?;
        self.look.tasklet_mut(self.world, e).map(HeldMut::World)
    }

    /// Tasklet `id`'s fiber, to change: a held one is written back first
    /// (a slot holds its fiber out of its `Arc`; the few calls that replace
    /// a fiber are rare).
    pub fn fiber_mut(&mut self, id: u64) -> Option<bevy_ecs::world::Mut<'_, TaskletFiber>> {
        self.held.let_go(self.world, &mut self.look, id);
        let e = self.entity(id)?;
        self.look.fiber(self.world, e)
    }

    /// Writes every held tasklet back into its components, for code that
    /// reads or changes the world's tasklets directly.
    pub fn flush_held(&mut self) {
        self.held.flush(self.world, &mut self.look);
    }

    /// Channel `id`'s state.
    pub fn channel(&self, id: u64) -> Option<&ChannelState> {
        if let Some(c) = self.held.channel(id) {
            return Some(c);
        }
        self.look.channel(self.world, self.entity(id)?)
    }

    /// Channel `id`'s state, to change.
    pub fn channel_mut(&mut self, id: u64) -> Option<HeldMut<'_, ChannelState>> {
        let at = match self.held.find_channel(id) {
            Some(i) => Some(i),
            None => {
                let e = self.entity(id)?;
                self.held.channel_again(self.world, &mut self.look, id, e)
            }
        };
        if let Some(i) = at {
            return Some(HeldMut::Held(self.held.channel_at(i)));
        }
        let e = self.entity(id)?;
        self.look.channel_mut(self.world, e).map(HeldMut::World)
    }

    /// Runs `f` on the current tasklet's state (a no-op between ticks).
    pub fn with_current(&mut self, f: impl FnOnce(&mut TaskletState)) {
        let cur = self.sched.current;
        if let Some(mut t) = self.tasklet_mut(cur) {
            f(&mut t);
        }
    }

    /// A new tasklet entity bound to `func` (`None`: to nothing), not alive.
    pub fn spawn_tasklet(&mut self, func: Value) -> u64 {
        spawn_bound_tasklet(self.world, &mut self.sched, func)
    }

    /// A new channel entity.
    pub fn spawn_channel(&mut self) -> u64 {
        let id = self.sched.ring.next_id();
        let e = self.world.spawn(ChannelState::new(id)).id();
        self.sched.spawned += 1;
        self.sched.ring.allocate(e)
    }

    /// `<tasklet NAME>` / `<tasklet #ID>`.
    pub fn tasklet_label(&self, id: u64) -> String {
        match self.tasklet(id).and_then(|t| t.name()) {
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
        self.flush_held();
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
                if let Some(mut ch) = self.channel_mut(channel) {
                    ch.waiters.remove_id(id);
                }
            }
            Wait::Sleep { until, seq } => {
                self.sched.sleepers.remove(&(until, seq));
            }
            Wait::Native(req) => {
                if let Some(entity) = entity {
                    self.world
                        .resource_mut::<NativeQueue>()
                        .cancel(NativeCall::of(*req, id, entity));
                }
            }
        }
    }
}

impl WorldHost<'_> {
    /// Suspends the current tasklet with `p`: kept for the end of the turn
    /// while one is stepped (written there with its fiber, held or not),
    /// written at once otherwise.
    pub fn park_current(&mut self, p: Parked) {
        if self.sched.parking {
            self.sched.parked = Some(p);
        } else {
            let tick = self.sched.tick;
            self.with_current(|t| p.apply(t, tick));
        }
    }
}

/// Spawns a tasklet entity with the next id.
pub fn spawn_tasklet(world: &mut World, sched: &mut Scheduler) -> u64 {
    spawn_bound_tasklet(world, sched, Value::None)
}

/// Spawns a tasklet entity with the next id, bound to `func` (what its
/// `setup` calls): made so, rather than changed by a second look.
pub fn spawn_bound_tasklet(world: &mut World, sched: &mut Scheduler, func: Value) -> u64 {
    let id = sched.ring.next_id();
    let mut state = TaskletState::new(id);
    state.tempval = func;
    let e = world.spawn((state, TaskletFiber::default())).id();
    sched.counts.tasklets += 1;
    sched.spawned += 1;
    sched.ring.allocate(e)
}

/// Marks the current tasklet suspended in `s` (what its call returns later).
pub fn suspend_current(host: &mut WorldHost, s: Suspension) {
    host.with_current(|t| t.suspension = s);
}
