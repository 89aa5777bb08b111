//! What a shard publishes for the others at the end of each tick, and
//! takes in from theirs (docs/cluster.md, "Channels across shards"): the
//! states of its channels known elsewhere, the moves of its tasklets, and
//! `alive` and `name` of watched tasklets it holds.

use bevy_ecs::world::World;
use serde::{Deserialize, Serialize};

use crate::components::{ChannelState, TaskletState};
use crate::remote::home_of;
use crate::remote_state::{ChanMirror, TaskletFacts};
use crate::resources::Scheduler;
use crate::shard::{ShardLink, shard_of};

/// The states of exported local channels that changed since they were
/// last published, for this tick's record.
fn changed_mirrors(world: &mut World) -> Vec<(u64, ChanMirror)> {
    let exported: Vec<u64> = match world.get_resource::<ShardLink>() {
        Some(l) if !l.remote.exported.is_empty() => l.remote.exported.iter().copied().collect(),
        _ => return Vec::new(),
    };
    let sched = world.resource::<Scheduler>();
    let mut now = Vec::new();
    for id in exported {
        let Some(c) = sched
            .ring
            .entity(id)
            .and_then(|e| world.get::<ChannelState>(e))
        else {
            continue;
        };
        now.push((
            id,
            ChanMirror {
                balance: c.balance(),
                closing: c.closing,
                preference: c.preference,
                schedule_all: c.schedule_all,
                queue: c.waiters.front(),
            },
        ));
    }
    let mut link = world.resource_mut::<ShardLink>();
    now.retain(|(id, m)| link.remote.published.get(id) != Some(m));
    for (id, m) in &now {
        link.remote.published.insert(*id, *m);
    }
    now
}

/// What one shard published at the end of a tick for the others.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// Its channels known elsewhere whose state changed.
    pub channels: Vec<(u64, ChanMirror)>,
    /// Tasklets that left it, with their destinations.
    pub moves: Vec<(u64, u64)>,
    /// Tasklets that became known on more than one shard through it.
    pub watch: Vec<u64>,
    /// Watched tasklets it holds whose facts changed.
    pub facts: Vec<(u64, TaskletFacts)>,
}

/// Takes in what another shard published at the end of a tick.
pub fn take_published(world: &mut World, p: &Published) {
    let mut link = world.resource_mut::<ShardLink>();
    for (id, m) in &p.channels {
        link.remote.mirrors.insert(*id, *m);
    }
    for (id, to) in &p.moves {
        link.remote.whereabouts.insert(*id, *to);
    }
    link.remote.watched.extend(p.watch.iter().copied());
    for (id, f) in &p.facts {
        link.remote.facts.insert(*id, f.clone());
    }
}

/// Marks tasklets whose ids crossed to another shard as watched.
pub fn watch_tasklets(world: &mut World, ids: impl IntoIterator<Item = u64>) {
    let mut link = world.resource_mut::<ShardLink>();
    for id in ids {
        if link.remote.watched.insert(id) {
            link.remote.newly_watched.push(id);
        }
    }
}

/// What this shard publishes at the end of a tick (after its moves are
/// known): changed states of exported channels, newly watched tasklets,
/// and the changed facts of watched tasklets it holds.
pub fn publish(world: &mut World, moves: Vec<(u64, u64)>) -> Published {
    let channels = changed_mirrors(world);
    let Some(link) = world.get_resource::<ShardLink>() else {
        return Published::default();
    };
    let mut facts = Vec::new();
    if !link.remote.watched.is_empty() {
        let sched = world.resource::<Scheduler>();
        for id in &link.remote.watched {
            let Some(t) = sched
                .ring
                .entity(*id)
                .and_then(|e| world.get::<TaskletState>(e))
            else {
                continue;
            };
            let f = TaskletFacts {
                alive: t.alive,
                name: t.name().map(str::to_string),
            };
            if link.remote.facts.get(id) != Some(&f) {
                facts.push((*id, f));
            }
        }
    }
    let mut link = world.resource_mut::<ShardLink>();
    for (id, f) in &facts {
        link.remote.facts.insert(*id, f.clone());
    }
    let watch = std::mem::take(&mut link.remote.newly_watched);
    Published {
        channels,
        moves,
        watch,
        facts,
    }
}

/// Marks local channels whose ids crossed to another shard, so their
/// state is published from now on.
pub fn export_channels(world: &mut World, ids: impl IntoIterator<Item = u64>) {
    let (own, _) = shard_of(world);
    let homes: Vec<u64> = ids
        .into_iter()
        .filter(|id| home_of(world, *id) == own)
        .collect();
    if homes.is_empty() {
        return;
    }
    let mut link = world.resource_mut::<ShardLink>();
    link.remote.exported.extend(homes);
}
