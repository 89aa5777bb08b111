//! The retake of a delta's snapshot: only what changed since the snapshot
//! retaken from is visited. Bevy's `Changed` filters (run with the earlier
//! snapshot's tick as the last run) find the tasklets whose state or fiber
//! and the channels whose state changed; deleted entries are found by
//! comparing the run ring's entity table with the earlier one; and the
//! entries the earlier retake marked are cleared by id. So a world whose
//! tasklets mostly wait costs a scan of change ticks, not a look at every
//! entry.

use std::sync::Arc;

use bevy_ecs::change_detection::DetectChanges;
use bevy_ecs::entity::Entity;
use bevy_ecs::query::{Changed, Or};
use bevy_ecs::world::{Ref, World};
use skein_world::{ChannelState, Ring, TaskletFiber, TaskletState};

use super::held::{Entry, FIBER, Held, STATE, slot};

/// What changed since the earlier snapshot.
#[derive(Default)]
pub(super) struct Found {
    /// Tasklets whose state or fiber changed, and whether the state did.
    tasklets: Vec<(Entity, u64, bool)>,
    channels: Vec<(Entity, u64)>,
}

/// Run with the world's last change tick set to the earlier snapshot's.
pub(super) fn find(world: &mut World) -> Found {
    let mut found = Found::default();
    let mut q = world.query_filtered::<(Entity, Ref<TaskletState>), Or<(
        Changed<TaskletState>,
        Changed<TaskletFiber>,
    )>>();
    for (e, t) in q.iter(world) {
        found.tasklets.push((e, t.id, t.is_changed()));
    }
    let mut q = world.query_filtered::<(Entity, &ChannelState), Changed<ChannelState>>();
    for (e, c) in q.iter(world) {
        found.channels.push((e, c.id));
    }
    found
}

impl Found {
    /// Brings `entries` up to date with what was found: entries whose id now
    /// names another entity go to `deleted`, changed and new ones are copied
    /// and their ids pushed to `dirty_ids`. Unchanged entries are not visited.
    pub(super) fn apply(
        self,
        world: &World,
        ring: &Ring,
        old_ring: &Ring,
        entries: &mut [Option<Held>],
        deleted: &mut Vec<u64>,
        dirty_ids: &mut Vec<u64>,
    ) {
        // An id whose entity is not the one it had is gone (or another
        // entity now, found below as new).
        let common = super::id_extent(ring).min(super::id_extent(old_ring));
        for id in 0..common {
            if old_ring.entity(id) != ring.entity(id)
                && let Some(slot) = entries.get_mut(id as usize)
                && slot.take().is_some()
            {
                deleted.push(id);
            }
        }
        deleted.sort_unstable();
        let fiber_of = |e: Entity| {
            world
                .get::<TaskletFiber>(e)
                .map_or_else(skein_world::empty_fiber, |f| Arc::clone(&f.0))
        };
        for (e, id, state_changed) in self.tasklets {
            let Some(t) = world.get::<TaskletState>(e) else {
                continue;
            };
            let Some(slot) = slot(ring, entries, id, e) else {
                continue;
            };
            match slot {
                Some(h) if h.entity == e && matches!(h.entry, Entry::Tasklet { .. }) => {
                    if state_changed {
                        h.changed = STATE;
                        h.entry = Entry::Tasklet {
                            state: t.clone(),
                            fiber: Some(fiber_of(e)),
                        };
                    } else {
                        h.changed = FIBER;
                        if let Entry::Tasklet { fiber, .. } = &mut h.entry {
                            *fiber = Some(fiber_of(e));
                        }
                    }
                }
                _ => {
                    *slot = Some(Held::new(
                        e,
                        Entry::Tasklet {
                            state: t.clone(),
                            fiber: Some(fiber_of(e)),
                        },
                    ))
                }
            }
            dirty_ids.push(id);
        }
        for (e, id) in self.channels {
            let Some(c) = world.get::<ChannelState>(e) else {
                continue;
            };
            let Some(slot) = slot(ring, entries, id, e) else {
                continue;
            };
            match slot {
                Some(h) if h.entity == e && matches!(h.entry, Entry::Channel(_)) => {
                    h.changed = STATE;
                    h.entry = Entry::Channel(c.clone());
                }
                _ => *slot = Some(Held::new(e, Entry::Channel(c.clone()))),
            }
            dirty_ids.push(id);
        }
    }
}
