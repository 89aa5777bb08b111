//! The entries of a snapshot: each tasklet or channel as it was at the
//! tick boundary, with its registered components and what changed since
//! the snapshot it was retaken from.

use std::sync::Arc;

use bevy_ecs::change_detection::Tick;
use bevy_ecs::entity::Entity;
use skein_vm::Fiber;
use skein_world::components::Wait;
use skein_world::{ChannelState, Ring, TaskletState};

use crate::error::SaveError;

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

/// A held tasklet's fiber, for encoding. It is let go at once (`id` noted
/// in `fiberless`) unless `keep` ([`Held::keeps_fiber`]): while a snapshot
/// holds a fiber its tasklet copies it before it runs, but a fiber kept is
/// one the next retake need not clone again. A fiber let go cannot be
/// encoded twice.
pub(crate) fn encode_fiber(
    fiber: &mut Option<Arc<Fiber>>,
    keep: bool,
    id: u64,
    fiberless: &mut Vec<u64>,
) -> Result<Arc<Fiber>, SaveError> {
    let taken = if keep { fiber.clone() } else { fiber.take() };
    let taken = taken.ok_or_else(let_go)?;
    if !keep {
        fiberless.push(id);
    }
    Ok(taken)
}

/// [`encode_fiber`] for a fiber that is kept, borrowed rather than cloned:
/// a clone and its drop are two atomic operations on every fiber's count.
pub(crate) fn kept_fiber(fiber: &Option<Arc<Fiber>>) -> Result<&Fiber, SaveError> {
    fiber.as_deref().ok_or_else(let_go)
}

fn let_go() -> SaveError {
    SaveError::Unsaveable("this snapshot has already let its fibers go".into())
}

/// A tasklet or channel, and the entity it was copied from (its registered
/// components are in the snapshot's columns, `host.rs`).
pub(crate) struct Held {
    pub entity: Entity,
    pub entry: Entry,
    /// The retake that last found it (an entity not found is dropped).
    pub seen: u64,
    /// What changed since the snapshot this one was retaken from ([`NEW`],
    /// [`STATE`], [`FIBER`], [`HOST`]): what an incremental autosave writes.
    /// A full snapshot writes every entry and marks only those it copied
    /// over an earlier copy ([`STATE`]), which [`Held::keeps_fiber`] reads.
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

    /// Whether its fiber is kept once encoded: a tasklet blocked on a
    /// channel that neither ran since the snapshot before (its state and
    /// fiber unchanged) nor is in the run ring likely waits on, and will not
    /// pay a copy for it, while the next retake finds its fiber held. A
    /// sleeper wakes by itself and a tasklet that ran is likely to run
    /// again soon: their fibers are let go.
    pub fn keeps_fiber(&self, in_ring: bool) -> bool {
        let blocked = matches!(
            &self.entry,
            Entry::Tasklet { state, .. } if matches!(state.wait, Wait::Channel { .. })
        );
        blocked && !in_ring && self.changed & (STATE | FIBER) == 0
    }

    /// A new entry (not in the snapshot retaken from).
    pub(crate) fn new(entity: Entity, entry: Entry) -> Held {
        Held {
            entity,
            entry,
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
