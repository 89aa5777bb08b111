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

use bevy_ecs::change_detection::{DetectChanges, Ref, Tick};
use bevy_ecs::entity::Entity;
use bevy_ecs::world::World;
use rand_chacha::ChaCha8Rng;
use skein_script::bytecode::Program;
use skein_vm::Globals;
use skein_world::save_access::Completion;
use skein_world::shard::ShardLink;
use skein_world::{
    ChannelState, Code, NativeQueue, Natives, Ring, RunCounters, Scheduler, ScriptGlobals,
    TaskletFiber, TaskletState, WorldOptions, WorldRng,
};

use crate::error::SaveError;
use crate::names::NativeNames;
use crate::registry::{HostSink, HostSnap, SaveRegistry, registry_of};

mod changed;
mod held;

pub(crate) use held::{Entry, HOST, Held, host_bit, take_fiber};
use held::{FIBER, NEW, STATE, Since};

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
    /// A shard's cluster state (`None` in a plain world), saved as the
    /// `skein.shard` resource.
    pub(crate) shard: Option<ShardLink>,
    /// The world's change tick just before it was taken, when a later
    /// [`retake`](Snapshot::retake) may keep what has not changed since.
    taken: Option<Tick>,
    /// Counts takes and retakes, to tell which entries each one found.
    epoch: u64,
    /// Ids of tasklets and channels the snapshot retaken from had and this
    /// one has not, in id order.
    pub(crate) deleted: Vec<u64>,
    /// Whether every entry was compared against an earlier snapshot (else
    /// every entry is dirty and only a full save describes it).
    pub(crate) incremental: bool,
    /// Whether the code is another than the snapshot retaken from had.
    pub(crate) code_changed: bool,
    /// Ids of the entries marked changed (so the next retake can clear
    /// them without visiting every entry); may repeat an id.
    dirty_ids: Vec<u64>,
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
            shard: None,
            taken: None,
            epoch: 0,
            deleted: Vec::new(),
            incremental: false,
            code_changed: true,
            dirty_ids: Vec::new(),
        };
        snap.refresh(world, None, true);
        Ok(snap)
    }

    /// Freezes `world` again, keeping from `earlier` (a snapshot of this
    /// world, taken by `retake`) every record and host component that has
    /// not changed since, and reusing its memory.
    pub fn retake(world: &mut World, earlier: Option<Snapshot>) -> Result<Snapshot, SaveError> {
        Snapshot::retake_with(world, earlier, true)
    }

    /// [`retake`](Snapshot::retake) for an incremental autosave: with
    /// `all_fibers` false, only the fibers of dirty tasklets are held (the
    /// delta writes no other), so tasklets that did not change since
    /// `earlier` run on without copying theirs while the write goes on.
    /// Such a snapshot encodes only [`to_delta`](Snapshot::to_delta).
    pub fn retake_with(
        world: &mut World,
        earlier: Option<Snapshot>,
        all_fibers: bool,
    ) -> Result<Snapshot, SaveError> {
        check_between_ticks(world)?;
        // Anything changed from here on has a newer tick than `taken`.
        let taken = world.increment_change_tick();
        let now = world.read_change_tick();
        let Some(mut snap) = earlier else {
            let mut snap = Snapshot::take(world)?;
            snap.taken = Some(taken);
            return Ok(snap);
        };
        let since = snap.taken.map(|taken| Since { taken, now });
        let registry = registry_of(world);
        let same_registry = registry.components.len() == snap.registry.components.len()
            && registry
                .components
                .iter()
                .zip(&snap.registry.components)
                .all(|(a, b)| a.tag == b.tag);
        snap.registry = registry;
        let program = world.resource::<Code>().0.clone();
        snap.code_changed = !Arc::ptr_eq(&program, &snap.program);
        snap.program = program;
        snap.natives = NativeNames::of(world.resource::<Natives>());
        snap.rng = world.resource::<WorldRng>().0.clone();
        let since = since.filter(|_| same_registry);
        match since {
            // A delta's snapshot visits only what changed.
            Some(s) if !all_fibers => {
                let old_ring =
                    std::mem::replace(&mut snap.ring, world.resource::<Scheduler>().ring.clone());
                let found = world.last_change_tick_scope(s.taken, changed::find);
                snap.refresh_changed(world, s, &old_ring, found);
            }
            _ => {
                snap.ring.clone_from(&world.resource::<Scheduler>().ring);
                snap.refresh(world, since, all_fibers);
            }
        }
        snap.taken = Some(taken);
        Ok(snap)
    }

    /// The ticks completed when it was taken.
    pub fn tick(&self) -> u64 {
        self.tick
    }

    /// Whether it was compared entry by entry against an earlier snapshot,
    /// so that [`to_delta`](Snapshot::to_delta) can say what changed.
    pub fn is_incremental(&self) -> bool {
        self.incremental
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

    /// The entry of tasklet or channel `id`, if the ring's table gives it
    /// entity `e`.
    fn slot(&mut self, id: u64, e: Entity) -> Option<&mut Option<Held>> {
        held::slot(&self.ring, &mut self.entries, id, e)
    }

    /// Every registered component of every entry, one component at a time;
    /// a copy unchanged since `since` is kept.
    fn take_host_components(&mut self, world: &World, since: Option<Since>) {
        if self.registry.components.is_empty() {
            return;
        }
        let mut old: Vec<Vec<(usize, Box<dyn HostSnap>)>> = self
            .entries
            .iter_mut()
            .map(|h| {
                h.as_mut()
                    .map(|h| std::mem::take(&mut h.host))
                    .unwrap_or_default()
            })
            .collect();
        for (component, c) in self.registry.components.iter().enumerate() {
            let mut sink = Sink {
                entries: &mut self.entries,
                old: &mut old,
                component,
                since,
                dirty_ids: &mut self.dirty_ids,
            };
            (c.snap)(world, &mut sink);
        }
        // A component an entry had and has no more changes it too.
        for (id, (h, left)) in self.entries.iter_mut().zip(&old).enumerate() {
            if let Some(h) = h.as_mut() {
                for (i, _) in left {
                    h.changed |= HOST;
                    h.host_gone |= host_bit(*i);
                }
                if !left.is_empty() {
                    self.dirty_ids.push(id as u64);
                }
            }
        }
    }

    /// Copies everything but the code, the ring and the generator (set by
    /// the caller), keeping what `since` says is unchanged. With
    /// `all_fibers` false, unchanged tasklets hold no fiber.
    fn refresh(&mut self, world: &World, since: Option<Since>, all_fibers: bool) {
        self.refresh_head(world, since.is_some());
        self.dirty_ids.clear();
        self.epoch += 1;
        let epoch = self.epoch;
        let unchanged = |tick: Tick| since.is_some_and(|s| !tick.is_newer_than(s.taken, s.now));
        // One pass over each storage, rather than a lookup per id.
        if let Some(mut q) =
            world.try_query::<(Entity, Ref<TaskletState>, Option<Ref<TaskletFiber>>)>()
        {
            for (e, t, f) in q.iter(world) {
                let Some(slot) = self.slot(t.id, e) else {
                    continue;
                };
                let fiber_kept = f.as_ref().is_none_or(|f| unchanged(f.last_changed()));
                let state_kept = unchanged(t.last_changed());
                let fiber = |hold: bool| {
                    hold.then(|| {
                        f.as_ref()
                            .map_or_else(skein_world::empty_fiber, |f| f.0.clone())
                    })
                };
                // Updated in place: the record is large, and most are kept.
                match slot {
                    Some(h) if h.entity == e => {
                        h.seen = epoch;
                        h.host_fresh = 0;
                        h.host_gone = 0;
                        match &mut h.entry {
                            Entry::Tasklet { fiber: held, .. } if state_kept => {
                                h.changed = if fiber_kept { 0 } else { FIBER };
                                *held = fiber(all_fibers || !fiber_kept);
                            }
                            entry => {
                                h.changed = STATE;
                                *entry = Entry::Tasklet {
                                    state: TaskletState::clone(&t),
                                    fiber: fiber(true),
                                }
                            }
                        }
                    }
                    _ => {
                        *slot = Some(Held {
                            entity: e,
                            entry: Entry::Tasklet {
                                state: TaskletState::clone(&t),
                                fiber: fiber(true),
                            },
                            host: Vec::new(),
                            seen: epoch,
                            changed: NEW,
                            host_fresh: 0,
                            host_gone: 0,
                        })
                    }
                }
            }
        }
        if let Some(mut q) = world.try_query::<(Entity, Ref<ChannelState>)>() {
            for (e, c) in q.iter(world) {
                let Some(slot) = self.slot(c.id, e) else {
                    continue;
                };
                match slot {
                    Some(h) if h.entity == e => {
                        h.seen = epoch;
                        h.host_fresh = 0;
                        h.host_gone = 0;
                        let kept =
                            matches!(h.entry, Entry::Channel(_)) && unchanged(c.last_changed());
                        h.changed = if kept { 0 } else { STATE };
                        if !kept {
                            h.entry = Entry::Channel(ChannelState::clone(&c));
                        }
                    }
                    _ => {
                        *slot = Some(Held {
                            entity: e,
                            entry: Entry::Channel(ChannelState::clone(&c)),
                            host: Vec::new(),
                            seen: epoch,
                            changed: NEW,
                            host_fresh: 0,
                            host_gone: 0,
                        })
                    }
                }
            }
        }
        for (id, slot) in self.entries.iter_mut().enumerate() {
            if slot.as_ref().is_some_and(|h| h.seen != epoch) {
                *slot = None;
                self.deleted.push(id as u64);
            }
            if slot.as_ref().is_some_and(Held::dirty) {
                self.dirty_ids.push(id as u64);
            }
        }
        self.deleted.sort_unstable();
        self.take_host_components(world, since);
        self.refresh_tail(world);
    }

    /// The scheduler's tick and tables, and the entries resized to the ids
    /// handed out (those beyond are deleted).
    fn refresh_head(&mut self, world: &World, incremental: bool) {
        let sched = world.resource::<Scheduler>();
        self.tick = sched.tick;
        self.main = sched.main;
        self.incremental = incremental;
        self.deleted.clear();
        self.sleepers.clear();
        self.sleepers.extend(sched.sleepers.values().copied());
        let slots = held::id_extent(&sched.ring) as usize;
        for (id, slot) in self.entries.iter().enumerate().skip(slots) {
            if slot.is_some() {
                self.deleted.push(id as u64);
            }
        }
        self.entries
            .resize_with(slots.max(self.entries.len()), || None);
        self.entries.truncate(slots);
    }

    /// Native requests, globals, options, counters and resources.
    fn refresh_tail(&mut self, world: &World) {
        let queue = world.resource::<NativeQueue>();
        self.last_request = queue.last_request();
        self.completions.clear();
        self.completions.extend_from_slice(queue.completions());
        self.globals
            .clone_from(&world.resource::<ScriptGlobals>().0);
        self.options.clone_from(world.resource::<WorldOptions>());
        self.counters = *world.resource::<RunCounters>();
        self.shard = (self.options.shards > 1)
            .then(|| world.get_resource::<ShardLink>().cloned())
            .flatten();
        self.resources = self
            .registry
            .resources
            .iter()
            .enumerate()
            .filter_map(|(i, r)| (r.snap)(world).map(|s| (i, s)))
            .collect();
    }
    /// [`refresh`](Snapshot::refresh) for a delta, from what
    /// [`changed::find`] found: unchanged entries are not visited and hold
    /// no fiber.
    fn refresh_changed(
        &mut self,
        world: &World,
        since: Since,
        old_ring: &Ring,
        found: changed::Found,
    ) {
        self.refresh_head(world, true);
        for id in std::mem::take(&mut self.dirty_ids) {
            if let Some(Some(h)) = self.entries.get_mut(id as usize) {
                h.changed = 0;
                h.host_fresh = 0;
                h.host_gone = 0;
            }
        }
        found.apply(
            world,
            &self.ring,
            old_ring,
            &mut self.entries,
            &mut self.deleted,
            &mut self.dirty_ids,
        );
        self.take_host_components(world, Some(since));
        self.refresh_tail(world);
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

/// Takes one registered component into the entries' host lists.
struct Sink<'a> {
    entries: &'a mut [Option<Held>],
    /// The entries' host lists as the earlier snapshot left them.
    old: &'a mut [Vec<(usize, Box<dyn HostSnap>)>],
    component: usize,
    since: Option<Since>,
    dirty_ids: &'a mut Vec<u64>,
}

impl HostSink for Sink<'_> {
    fn wants(&mut self, id: u64, e: Entity, changed: Tick) -> bool {
        let i = id as usize;
        let held = self.entries.get(i).and_then(Option::as_ref);
        if held.is_none_or(|h| h.entity != e) {
            return false;
        }
        let fresh = self
            .since
            .is_none_or(|s| changed.is_newer_than(s.taken, s.now));
        if !fresh {
            let old = &mut self.old[i];
            if let Some(k) = old.iter().position(|(j, _)| *j == self.component) {
                let kept = old.swap_remove(k);
                if let Some(h) = self.entries[i].as_mut() {
                    h.host.push(kept);
                }
                return false;
            }
        }
        true
    }

    fn copied(&mut self, id: u64, snap: Box<dyn HostSnap>) {
        if let Some(Some(h)) = self.entries.get_mut(id as usize) {
            h.host.push((self.component, snap));
            h.changed |= HOST;
            h.host_fresh |= host_bit(self.component);
            self.dirty_ids.push(id);
        }
    }
}
