//! A world frozen at a tick boundary, cheap to take and encoded later:
//! what an autosave hands to its writer thread while the ticks go on, and
//! the first step of every world save (so an autosave and a `--save` of the
//! same tick are the same bytes).
//!
//! Taking it copies no script value and no fiber: values are shared
//! copy-on-write `Arc`s, and so are fibers ([`TaskletFiber`]), which the
//! scheduler copies only if it runs a tasklet whose fiber a snapshot still
//! holds. What is copied is each tasklet's and channel's small state record,
//! the registered host components and resources, and the scheduler's tables.
//! An autosave retakes the snapshot it wrote last ([`Snapshot::retake`]):
//! records and host components that bevy's change ticks say are unchanged
//! since then are kept, so a world whose tasklets mostly wait costs little
//! more than one look at each entity.

use std::sync::Arc;

use bevy_ecs::change_detection::{DetectChanges, Tick};
use bevy_ecs::entity::Entity;
use bevy_ecs::world::World;
use rand_chacha::ChaCha8Rng;
use skein_script::bytecode::Program;
use skein_vm::{Fiber, Globals};
use skein_world::save_access::Completion;
use skein_world::{
    ChannelState, Code, NativeQueue, Natives, Ring, RunCounters, Scheduler, ScriptGlobals,
    TaskletFiber, TaskletState, WorldOptions, WorldRng,
};

use crate::error::SaveError;
use crate::names::NativeNames;
use crate::registry::{HostCopy, HostSnap, SaveRegistry, Since, registry_of};

/// One tasklet or channel as it was at the snapshot's tick boundary.
pub(crate) enum Entry {
    Tasklet {
        state: TaskletState,
        /// `None` once the snapshot was encoded and let its fibers go.
        fiber: Option<Arc<Fiber>>,
    },
    Channel(ChannelState),
}

/// A tasklet or channel with its registered components (by index into the
/// registry's component list), and the entity it was copied from.
pub(crate) struct Held {
    pub entity: Entity,
    pub entry: Entry,
    pub host: Vec<(usize, Box<dyn HostSnap>)>,
}

/// A world at one tick boundary (see the module doc).
pub struct Snapshot {
    pub(crate) program: Arc<Program>,
    pub(crate) natives: NativeNames,
    pub(crate) registry: SaveRegistry,
    pub(crate) tick: u64,
    pub(crate) main: u64,
    pub(crate) ring: Ring,
    /// Sleeper ids in wake order.
    pub(crate) sleepers: Vec<u64>,
    /// Tasklets and channels, indexed by id.
    pub(crate) entries: Vec<Option<Held>>,
    pub(crate) last_request: u64,
    pub(crate) completions: Vec<Completion>,
    pub(crate) globals: Globals,
    pub(crate) options: WorldOptions,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) counters: RunCounters,
    /// Registered resources (by index into the registry's resource list).
    pub(crate) resources: Vec<(usize, Box<dyn HostSnap>)>,
    /// The world's change tick just before it was taken, when a later
    /// [`retake`](Snapshot::retake) may keep what has not changed since.
    taken: Option<Tick>,
}

impl Snapshot {
    /// Freezes `world`. Only between ticks: mid-tick a fiber is out of its
    /// entity and the globals out of the world.
    pub fn take(world: &World) -> Result<Snapshot, SaveError> {
        check_between_ticks(world)?;
        let sched = world.resource::<Scheduler>();
        let mut snap = Snapshot {
            program: world.resource::<Code>().0.clone(),
            natives: NativeNames::of(world.resource::<Natives>()),
            registry: registry_of(world),
            tick: 0,
            main: 0,
            ring: sched.ring.clone(),
            sleepers: Vec::new(),
            entries: Vec::new(),
            last_request: 0,
            completions: Vec::new(),
            globals: Globals::default(),
            options: WorldOptions::default(),
            rng: world.resource::<WorldRng>().0.clone(),
            counters: RunCounters::default(),
            resources: Vec::new(),
            taken: None,
        };
        snap.refresh(world, None);
        Ok(snap)
    }

    /// Freezes `world` again, keeping from `earlier` (a snapshot of this
    /// world, taken by `retake`) every record and host component that has
    /// not changed since, and reusing its memory.
    pub fn retake(world: &mut World, earlier: Option<Snapshot>) -> Result<Snapshot, SaveError> {
        check_between_ticks(world)?;
        // Anything changed from here on has a newer tick than `taken`.
        let taken = world.increment_change_tick();
        let now = world.read_change_tick();
        let Some(mut snap) = earlier else {
            let mut snap = Snapshot::take(world)?;
            snap.taken = Some(taken);
            return Ok(snap);
        };
        let since = snap.taken.map(|t| Since { taken: t, now });
        let registry = registry_of(world);
        let same_registry = registry.components.len() == snap.registry.components.len()
            && registry
                .components
                .iter()
                .zip(&snap.registry.components)
                .all(|(a, b)| a.tag == b.tag);
        snap.registry = registry;
        snap.program = world.resource::<Code>().0.clone();
        snap.natives = NativeNames::of(world.resource::<Natives>());
        snap.ring.clone_from(&world.resource::<Scheduler>().ring);
        snap.rng = world.resource::<WorldRng>().0.clone();
        snap.refresh(world, since.filter(|_| same_registry));
        snap.taken = Some(taken);
        Ok(snap)
    }

    /// The ticks completed when it was taken.
    pub fn tick(&self) -> u64 {
        self.tick
    }

    /// Lets go of the fibers once encoded: while a snapshot holds a fiber,
    /// its tasklet copies it before it runs.
    pub fn release_fibers(&mut self) {
        for held in self.entries.iter_mut().flatten() {
            if let Entry::Tasklet { fiber, .. } = &mut held.entry {
                *fiber = None;
            }
        }
    }

    /// Copies everything but the code, the ring and the generator (set by
    /// the caller), keeping what `since` says is unchanged.
    fn refresh(&mut self, world: &World, since: Option<Since>) {
        let sched = world.resource::<Scheduler>();
        self.tick = sched.tick;
        self.main = sched.main;
        self.sleepers.clear();
        self.sleepers.extend(sched.sleepers.values().copied());
        let slots = sched.ring.next_id() as usize;
        self.entries
            .resize_with(slots.max(self.entries.len()), || None);
        self.entries.truncate(slots);
        let mut next = 0usize;
        for (id, e) in sched.ring.ids() {
            let id = id as usize;
            for gap in &mut self.entries[next.min(id)..id] {
                *gap = None;
            }
            next = id + 1;
            let old = self.entries[id].take().filter(|h| h.entity == e);
            self.entries[id] = held(world, e, &self.registry, old, since);
        }
        for gap in self.entries.iter_mut().skip(next) {
            *gap = None;
        }
        let queue = world.resource::<NativeQueue>();
        self.last_request = queue.last_request();
        self.completions.clear();
        self.completions.extend_from_slice(queue.completions());
        self.globals
            .clone_from(&world.resource::<ScriptGlobals>().0);
        self.options.clone_from(world.resource::<WorldOptions>());
        self.counters = *world.resource::<RunCounters>();
        self.resources = self
            .registry
            .resources
            .iter()
            .enumerate()
            .filter_map(|(i, r)| (r.snap)(world).map(|s| (i, s)))
            .collect();
    }
}

fn check_between_ticks(world: &World) -> Result<(), SaveError> {
    let sched = world.resource::<Scheduler>();
    if sched.in_tick || sched.current != 0 {
        return Err(SaveError::Unsaveable(
            "a world is saved between ticks, not during one".into(),
        ));
    }
    Ok(())
}

/// One entity's copy: the earlier one's record where unchanged.
fn held(
    world: &World,
    e: Entity,
    registry: &SaveRegistry,
    old: Option<Held>,
    since: Option<Since>,
) -> Option<Held> {
    let r = world.get_entity(e).ok()?;
    let unchanged = |tick: Tick| since.is_some_and(|s| !tick.is_newer_than(s.taken, s.now));
    let (old_entry, mut old_host) = match old {
        Some(h) => (Some(h.entry), h.host),
        None => (None, Vec::new()),
    };
    let entry = if let Some(t) = r.get_ref::<TaskletState>() {
        let fiber = Some(
            r.get::<TaskletFiber>()
                .map_or_else(skein_world::empty_fiber, |f| f.0.clone()),
        );
        match old_entry {
            Some(Entry::Tasklet { state, .. }) if unchanged(t.last_changed()) => {
                Entry::Tasklet { state, fiber }
            }
            _ => Entry::Tasklet {
                state: TaskletState::clone(&t),
                fiber,
            },
        }
    } else {
        let c = r.get_ref::<ChannelState>()?;
        match old_entry {
            Some(Entry::Channel(old)) if unchanged(c.last_changed()) => Entry::Channel(old),
            _ => Entry::Channel(ChannelState::clone(&c)),
        }
    };
    let mut host = Vec::new();
    for (i, c) in registry.components.iter().enumerate() {
        match (c.snap)(world, e, since) {
            HostCopy::Absent => {}
            HostCopy::Copied(s) => host.push((i, s)),
            HostCopy::Unchanged => {
                if let Some(k) = old_host.iter().position(|(j, _)| *j == i) {
                    host.push(old_host.swap_remove(k));
                } else if let HostCopy::Copied(s) = (c.snap)(world, e, None) {
                    host.push((i, s));
                }
            }
        }
    }
    Some(Held {
        entity: e,
        entry,
        host,
    })
}
