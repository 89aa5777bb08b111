//! The entries of a snapshot: each tasklet or channel as it was at the
//! tick boundary, with its registered components and what changed since
//! the snapshot it was retaken from.

use std::sync::Arc;

use bevy_ecs::change_detection::Tick;
use bevy_ecs::entity::Entity;
use skein_vm::Fiber;
use skein_world::{ChannelState, Ring, TaskletState};

use crate::error::SaveError;
use crate::registry::HostSnap;

/// Ticks of an earlier snapshot and of now: a record or component not
/// changed in between need not be copied again.
#[derive(Clone, Copy)]
pub(crate) struct Since {
    pub taken: Tick,
    pub now: Tick,
}

/// One tasklet or channel as it was at the snapshot's tick boundary.
pub(crate) enum Entry {
    Tasklet {
        state: TaskletState,
        /// `None` once the snapshot was encoded and let its fibers go.
        fiber: Option<Arc<Fiber>>,
    },
    Channel(ChannelState),
}

/// A held tasklet's fiber, taken for encoding: each snapshot encodes its
/// fibers once and lets them go, so a second encoding is refused.
pub(crate) fn take_fiber(fiber: &mut Option<Arc<Fiber>>) -> Result<Arc<Fiber>, SaveError> {
    fiber
        .take()
        .ok_or_else(|| SaveError::Unsaveable("this snapshot has already let its fibers go".into()))
}

/// A tasklet or channel with its registered components (by index into the
/// registry's component list), and the entity it was copied from.
pub(crate) struct Held {
    pub entity: Entity,
    pub entry: Entry,
    pub host: Vec<(usize, Box<dyn HostSnap>)>,
    /// The retake that last found it (an entity not found is dropped).
    pub seen: u64,
    /// What changed since the snapshot this one was retaken from ([`NEW`],
    /// [`STATE`], [`FIBER`], [`HOST`]): what an incremental autosave writes.
    pub changed: u8,
    /// Registered components copied afresh by this retake (bit `i` for
    /// component `i`; bit 63 stands for every component from 63 on).
    pub host_fresh: u64,
    /// Registered components the entry had and has no more (same bits).
    pub host_gone: u64,
}

/// [`Held::changed`]: not in the snapshot retaken from (or another entity).
pub(crate) const NEW: u8 = 1;
/// Its state record changed.
pub(crate) const STATE: u8 = 2;
/// Its fiber changed (it ran).
pub(crate) const FIBER: u8 = 4;
/// Only a registered component changed, was added or went.
pub(crate) const HOST: u8 = 8;

/// The bit of registered component `i` in [`Held::host_fresh`].
pub(crate) fn host_bit(i: usize) -> u64 {
    1 << i.min(63)
}

impl Held {
    /// Anything to write in a delta.
    pub fn dirty(&self) -> bool {
        self.changed != 0
    }

    /// A delta writes its whole record (else only its changed components).
    pub fn whole(&self) -> bool {
        self.changed & (NEW | STATE | FIBER) != 0
    }

    /// A new entry (not in the snapshot retaken from).
    pub(crate) fn new(entity: Entity, entry: Entry) -> Held {
        Held {
            entity,
            entry,
            host: Vec::new(),
            seen: 0,
            changed: NEW,
            host_fresh: 0,
            host_gone: 0,
        }
    }
}

/// The entry of tasklet or channel `id`, if `ring`'s table gives it entity
/// `e`.
pub(crate) fn slot<'a>(
    ring: &Ring,
    entries: &'a mut [Option<Held>],
    id: u64,
    e: Entity,
) -> Option<&'a mut Option<Held>> {
    if ring.entity(id) != Some(e) {
        return None;
    }
    entries.get_mut(id as usize)
}

/// One past the highest id the world may hold: its own counter, or in a
/// shard a tasklet that arrived from another shard, whose id is the
/// other shard's numbering and may be beyond it.
pub(crate) fn id_extent(ring: &Ring) -> u64 {
    let next = ring.next_id();
    if ring.stride() <= 1 {
        return next;
    }
    ring.ids()
        .map(|(id, _)| id + 1)
        .max()
        .unwrap_or(0)
        .max(next)
}
