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
//! only the tasklets and channels bevy's change ticks say changed since are
//! visited, and registered components unchanged since are kept in place.
//! Once written, the snapshot keeps the fibers of tasklets blocked on a
//! channel that did not run (they likely wait on, and cost no copy), so a
//! later full retake clones only the fibers of what changed or was let go.

use std::sync::Arc;

use bevy_ecs::change_detection::Tick;
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
use crate::registry::{HostSnap, SaveRegistry, registry_of};

mod changed;
mod due;
mod held;
mod host;

pub(crate) use held::{Entry, Held, encode_fiber, host_bit, kept_fiber};
use held::{STATE, Since};
pub(crate) use host::{Column, HostColumn, Sink, encode_with};

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
    /// Ids of tasklets whose fiber it let go (may repeat an id, or name one
    /// that holds its fiber again): every other tasklet entry holds its
    /// fiber, so a full retake clones only these and the changed ones.
    pub(crate) fiberless: Vec<u64>,
    /// Registered components, a column each (by index into the
    /// registry's component list).
    pub(crate) host: Vec<Box<dyn HostColumn>>,
    /// Scratch of `take_host_components`, kept for its memory.
    host_seen: Vec<u64>,
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
            fiberless: Vec::new(),
            host: Vec::new(),
            host_seen: Vec::new(),
        };
        snap.refresh(world);
        Ok(snap)
    }

    /// Freezes `world` again, keeping from `earlier` (a snapshot of this
    /// world, taken by `retake`) every record and host component that has
    /// not changed since, and reusing its memory.
    pub fn retake(world: &mut World, earlier: Option<Snapshot>) -> Result<Snapshot, SaveError> {
        Snapshot::retake_with(world, earlier, true)
    }

    /// [`retake`](Snapshot::retake) for an incremental autosave: with
    /// `all_fibers` false, the fibers `earlier` let go are not taken again
    /// (the delta writes no unchanged tasklet), so tasklets that did not
    /// change since `earlier` run on without copying theirs while the write
    /// goes on. Such a snapshot encodes only [`to_delta`](Snapshot::to_delta).
    ///
    /// Either way only what changed since `earlier` is visited (bevy's
    /// `Changed` filters, see `changed.rs`): an unchanged tasklet's record
    /// and the fiber `earlier` kept are still the world's.
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
            Some(s) => {
                let old_ring =
                    std::mem::replace(&mut snap.ring, world.resource::<Scheduler>().ring.clone());
                let found = world.last_change_tick_scope(s.taken, changed::find);
                snap.refresh_changed(world, s, &old_ring, found);
                if all_fibers {
                    snap.hold_all_fibers(world);
                }
            }
            None => {
                snap.ring.clone_from(&world.resource::<Scheduler>().ring);
                snap.refresh(world);
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

    /// Lets go of the fibers of tasklets likely to run soon, once encoded:
    /// while a snapshot holds a fiber, its tasklet copies it before it runs.
    /// The fibers of tasklets that waited since the snapshot before (and
    /// are not in the run ring) are kept, so that the next full retake need
    /// not clone them again ([`Held::keeps_fiber`]).
    pub fn release_fibers(&mut self) {
        for (id, held) in self.entries.iter_mut().enumerate() {
            let Some(h) = held else { continue };
            let keep = h.keeps_fiber(self.ring.contains(id as u64));
            if let Entry::Tasklet { fiber, .. } = &mut h.entry
                && !keep
                && fiber.take().is_some()
            {
                self.fiberless.push(id as u64);
            }
        }
    }

    /// Takes again the fibers it let go whose tasklets have not changed
    /// since (the changed ones hold fresh ones already), so that every
    /// tasklet entry holds its fiber, as a full save needs.
    fn hold_all_fibers(&mut self, world: &World) {
        for id in self.fiberless.drain(..) {
            let Some(Some(h)) = self.entries.get_mut(id as usize) else {
                continue;
            };
            if let Entry::Tasklet {
                fiber: held @ None, ..
            } = &mut h.entry
            {
                *held = Some(
                    world
                        .get::<TaskletFiber>(h.entity)
                        .map_or_else(skein_world::empty_fiber, |f| f.0.clone()),
                );
            }
        }
    }

    /// The entry of tasklet or channel `id`, if the ring's table gives it
    /// entity `e`.
    fn slot(&mut self, id: u64, e: Entity) -> Option<&mut Option<Held>> {
        held::slot(&self.ring, &mut self.entries, id, e)
    }

    /// Every registered component of every entry, one component (one
    /// column) at a time; a copy unchanged since `since` is kept where it
    /// is, so an unchanged component costs a look at its change tick and
    /// nothing is moved or allocated for it.
    fn take_host_components(&mut self, world: &World, since: Option<Since>) {
        let n = self.registry.components.len();
        self.host.truncate(n);
        self.host.resize_with(n, || Box::new(host::NoColumn));
        let mut seen = std::mem::take(&mut self.host_seen);
        for (component, c) in self.registry.components.iter().enumerate() {
            // Which entries were found with the component, a bit each.
            seen.clear();
            seen.resize(self.entries.len().div_ceil(64), 0);
            let mut sink = Sink {
                entries: &mut self.entries,
                seen: std::mem::take(&mut seen),
                component,
                since,
                dirty_ids: &mut self.dirty_ids,
            };
            let column = &mut self.host[component];
            (c.snap)(world, column, &mut sink);
            // A component an entry had and has no more changes it too.
            seen = std::mem::take(&mut sink.seen);
            column.drop_unseen(&seen, &mut |id, e| sink.gone(id, e));
        }
        self.host_seen = seen;
    }

    /// Copies everything but the code, the ring and the generator (set by
    /// the caller): every entry is copied again, every tasklet with its
    /// fiber; an entry is told new or changed by its entity only.
    fn refresh(&mut self, world: &World) {
        // Entries made from nothing are all found, new and unmarked: no
        // pass over them (each a cold record) is needed after filling.
        let from_nothing = self.entries.is_empty();
        self.refresh_head(world, false);
        self.dirty_ids.clear();
        self.fiberless.clear();
        self.epoch += 1;
        let epoch = self.epoch;
        // One pass over each storage, rather than a lookup per id.
        if let Some(mut q) = world.try_query::<(Entity, &TaskletState, Option<&TaskletFiber>)>() {
            for (e, t, f) in q.iter(world) {
                let Some(slot) = self.slot(t.id, e) else {
                    continue;
                };
                fill(slot, e, epoch, || Entry::Tasklet {
                    state: t.clone(),
                    fiber: Some(f.map_or_else(skein_world::empty_fiber, |f| f.0.clone())),
                });
            }
        }
        if let Some(mut q) = world.try_query::<(Entity, &ChannelState)>() {
            for (e, c) in q.iter(world) {
                let Some(slot) = self.slot(c.id, e) else {
                    continue;
                };
                fill(slot, e, epoch, || Entry::Channel(c.clone()));
            }
        }
        let earlier = if from_nothing {
            &mut [][..]
        } else {
            &mut self.entries[..]
        };
        for (id, slot) in earlier.iter_mut().enumerate() {
            if slot.as_ref().is_some_and(|h| h.seen != epoch) {
                *slot = None;
                self.deleted.push(id as u64);
            }
            if slot.as_ref().is_some_and(Held::dirty) {
                self.dirty_ids.push(id as u64);
            }
        }
        self.deleted.sort_unstable();
        self.take_host_components(world, None);
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

/// Puts the entry `entry` makes of entity `e` into `slot`, in place when it
/// held the same entity (its host list is then compared by
/// `take_host_components`). Inlined, so the large record is built where it
/// goes rather than moved there.
#[inline(always)]
fn fill(slot: &mut Option<Held>, e: Entity, epoch: u64, entry: impl FnOnce() -> Entry) {
    match slot {
        Some(h) if h.entity == e => {
            h.entry = entry();
            h.seen = epoch;
            h.changed = STATE;
            h.host_fresh = 0;
            h.host_gone = 0;
        }
        // Not `NEW`: a full snapshot's entries are all written anyway, so
        // marking them would only leave marks for the next retake to clear
        // (a pass over every entry, most of a later full snapshot's cost).
        _ => {
            *slot = Some(Held {
                seen: epoch,
                changed: 0,
                ..Held::new(e, entry())
            })
        }
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
