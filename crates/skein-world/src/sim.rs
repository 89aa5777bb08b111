//! [`Simulation`]: a world and a schedule with the scheduler in it, for
//! games and tools that do not bring their own schedule.

use std::path::Path;

use bevy_ecs::entity::Entity;
use bevy_ecs::schedule::{IntoScheduleConfigs, Schedule};
use bevy_ecs::world::World;

use crate::components::TaskletState;
use crate::natives::{NativeKind, NativeQueue};
use crate::resources::{Output, RunCounters, Scheduler, WorldOptions};
use crate::setup::{SkeinSystems, WorldError};
use crate::tick::run_tick;

/// A Skein world plus the schedule that ticks it.
pub struct Simulation {
    /// The world: tasklets, channels, resources and your own entities.
    pub world: World,
    /// Holds [`run_tick`] in [`SkeinSystems::Run`]; add your systems beside it.
    pub schedule: Schedule,
    /// Runs after `schedule` every tick, at the tick boundary, when every
    /// system of the tick has run: where autosave takes its snapshot.
    pub boundary: Schedule,
}

impl Simulation {
    /// A fresh world with `options` (the seed among them); output captured.
    pub fn new(options: WorldOptions) -> Self {
        let mut world = World::new();
        crate::setup::init_world(&mut world, options);
        let mut schedule = Schedule::default();
        schedule.add_systems(run_tick.in_set(SkeinSystems::Run));
        Simulation {
            world,
            schedule,
            boundary: Schedule::default(),
        }
    }

    /// Registers a native function of `module` (before loading scripts).
    pub fn register_native(&mut self, module: &str, name: &str, kind: NativeKind) {
        crate::setup::register_native(&mut self.world, module, name, kind);
    }

    /// Compiles the script at `path` and everything it imports, and starts
    /// it as the main tasklet. Returns main's id.
    pub fn load_main(&mut self, path: &Path) -> Result<u64, WorldError> {
        let opts = crate::setup::load_options(&self.world);
        let program = skein_script::loader::load_program(path, &opts)?;
        crate::setup::start_main(&mut self.world, program)
    }

    /// As [`load_main`](Self::load_main), from a string: module `name`, shown as `name.sk`.
    pub fn load_main_source(&mut self, name: &str, source: &str) -> Result<u64, WorldError> {
        crate::setup::start_main_source(&mut self.world, name, source)
    }

    /// Runs the schedule once, then the boundary schedule: one tick.
    pub fn tick(&mut self) {
        self.schedule.run(&mut self.world);
        self.boundary.run(&mut self.world);
    }

    /// Runs `n` ticks.
    pub fn run(&mut self, n: u64) {
        for _ in 0..n {
            self.tick();
        }
    }

    /// Ticks until the world is idle, at most `max` ticks; returns how many ran.
    pub fn run_until_idle(&mut self, max: u64) -> u64 {
        let mut n = 0;
        while n < max && !self.is_idle() {
            self.tick();
            n += 1;
        }
        n
    }

    /// Whether nothing can run any more (see [`crate::setup::is_idle`]).
    pub fn is_idle(&self) -> bool {
        crate::setup::is_idle(&self.world)
    }

    /// Ticks completed so far.
    pub fn tick_count(&self) -> u64 {
        self.world.resource::<Scheduler>().tick
    }

    /// Takes the captured script output and error reports.
    pub fn take_output(&mut self) -> (String, String) {
        self.world.resource_mut::<Output>().take()
    }

    /// The entity of tasklet or channel `id`.
    pub fn entity(&self, id: u64) -> Option<Entity> {
        crate::setup::entity_of(&self.world, id)
    }

    /// Tasklet `id`'s state.
    pub fn tasklet(&self, id: u64) -> Option<&TaskletState> {
        self.world.get::<TaskletState>(self.entity(id)?)
    }

    /// The queue of blocking native requests, to serve and complete them.
    pub fn natives(&mut self) -> bevy_ecs::world::Mut<'_, NativeQueue> {
        self.world.resource_mut::<NativeQueue>()
    }

    /// Switches and messages counted so far.
    pub fn counters(&self) -> RunCounters {
        *self.world.resource::<RunCounters>()
    }

    /// `deadlock: …` lines for tasklets blocked on channels, in id order.
    pub fn deadlocked(&self) -> Vec<String> {
        crate::setup::deadlocked(&self.world)
    }
}

impl Simulation {
    /// `t.kill(pending=True)` from Rust: the tasklet dies when it next runs.
    pub fn kill(&mut self, id: u64) {
        crate::setup::with_host(&mut self.world, |h| {
            crate::tasklets::kill(h, id, true);
        });
    }

    /// `t.insert()` from Rust (a paused tasklet goes to the tail).
    pub fn insert(&mut self, id: u64) -> Result<(), skein_vm::Value> {
        crate::setup::with_host(&mut self.world, |h| {
            crate::tasklets::insert(h, id).map(|_| ())
        })
    }

    /// `ch.getstate()`: `[balance, flags, waiters]`.
    pub fn channel_state(&mut self, id: u64) -> skein_vm::Value {
        crate::setup::with_host(&mut self.world, |h| crate::channels::getstate(h, id))
    }

    /// `ch.setstate(state)`.
    pub fn set_channel_state(
        &mut self,
        id: u64,
        state: skein_vm::Value,
    ) -> Result<(), skein_vm::Value> {
        crate::setup::with_host(&mut self.world, |h| {
            crate::channels::setstate(h, id, state).map(|_| ())
        })
    }
}
