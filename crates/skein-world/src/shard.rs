//! A world's place in a cluster of shards (docs/cluster.md): `sim.shard()`,
//! `sim.shards()` and `sim.migrate(k)`, the tasklets leaving at the end of a
//! tick, those arriving at the start of the next, and the cluster's say over
//! main's fallback. A plain world is shard 0 of 1, where none of this shows.
//!
//! The world knows nothing of transports or records: a tasklet that migrates
//! leaves the ring and is listed in [`ShardLink::leaving`]; whoever drives
//! the cluster takes it out of the world between ticks, and binds tasklets
//! arriving from other shards to their ids and lists them in
//! [`ShardLink::arriving`], which the next tick appends to the ring.

use bevy_ecs::resource::Resource;
use bevy_ecs::world::World;
use skein_vm::{HostResult, Value, errors};

use crate::components::Suspension;
use crate::world_host::WorldHost;
use crate::{NativeQueue, Scheduler, TaskletState, WorldOptions};

/// What passes between a shard's world and the cluster at tick boundaries.
#[derive(Resource, Debug, Clone, Default)]
pub struct ShardLink {
    /// Tasklets that called `sim.migrate(k)` for another shard this tick,
    /// in call order, with their destination: (id, k).
    pub leaving: Vec<(u64, u64)>,
    /// Tasklets already bound to their ids in this world that join the ring
    /// at the start of the next tick, in this order (after completed native
    /// calls, before due sleepers).
    pub arriving: Vec<u64>,
    /// With more than one shard, main's fallback waits for the whole
    /// cluster: the cluster sets this when every shard was idle, and the
    /// next tick may put a paused main back in the ring (once).
    pub release_main: bool,
    /// Tasklets that arrived here over the run.
    pub moves_in: u64,
    /// Tasklets that left here over the run.
    pub moves_out: u64,
    /// Channels and tasklets of other shards (docs/cluster.md).
    pub remote: crate::remote_state::RemoteState,
    /// The last message sequence sent to each shard (kept here, not in
    /// the driver, so a shard's save resumes its numbering).
    pub sent_seq: Vec<u64>,
    /// The highest message sequence taken from each shard: anything at or
    /// below it is a replay and is dropped.
    pub taken_seq: Vec<u64>,
    /// The cluster run this shard belongs to (its transport's id; empty
    /// when none), so a shard restarted from its save rejoins that run.
    pub run: String,
    /// The cluster run has ended: set for the shard's final autosave, so a
    /// shard started again on its folder refuses rather than rejoin.
    pub ended: bool,
    /// The first stream sequence of this shard's inbox that the save does
    /// not hold (everything below it was taken into the world): what the
    /// inbox may let go of once the save is on disk, and what a shard
    /// resumed from it needs the inbox to still hold.
    pub inbox_from: Option<u64>,
    /// Saved waiting at the barrier of this tick (the NATS server lost):
    /// the tick ran and its messages were acknowledged, but what the other
    /// shards sent in it is still to be taken, so a shard resumed from the
    /// save goes back to that barrier rather than run the next tick.
    pub awaiting: Option<u64>,
    /// Saved while publishing this tick (the NATS server lost before all
    /// of it was acknowledged): what the tick handed to the transport, so
    /// a shard resumed from the save publishes it again, then goes to
    /// that tick's barrier.
    pub publishing: Option<Publishing>,
}

/// A tick's messages and record as handed to the transport and not all
/// acknowledged. The world holds them as the driver encoded them: it
/// never reads them, only keeps them for the save.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Publishing {
    /// The tick they are of.
    pub tick: u64,
    /// The messages, in the order sent.
    pub messages: Vec<Outgoing>,
    /// The tick record, as RON text: a field the driver's record gains
    /// later reads from an older save with its default.
    pub record: String,
}

/// One message of a [`Publishing`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Outgoing {
    /// The receiving shard.
    pub to: u64,
    /// Its sequence among the messages to `to`.
    pub seq: u64,
    /// A migrating tasklet (else a remote channel message).
    pub migrant: bool,
    /// The payload, as sent.
    pub bytes: Vec<u8>,
}

impl ShardLink {
    /// Takes the tasklets that left this tick, in call order.
    pub fn take_leaving(&mut self) -> Vec<(u64, u64)> {
        std::mem::take(&mut self.leaving)
    }
}

/// (k, N) of this world.
pub fn shard_of(world: &World) -> (u64, u64) {
    world
        .get_resource::<WorldOptions>()
        .map_or((0, 1), |o| (o.shard, o.shards.max(1)))
}

/// Nothing runnable, asleep, waiting on a native or leaving: what a shard's
/// tick record calls idle (a paused main is reported apart).
pub fn locally_idle(world: &World) -> bool {
    let sched = world.resource::<Scheduler>();
    let leaving = world.get_resource::<ShardLink>().is_some_and(|l| {
        !l.leaving.is_empty() || !l.arriving.is_empty() || !l.remote.outbox.is_empty()
    });
    sched.ring.is_empty()
        && sched.sleepers.is_empty()
        && !world.resource::<NativeQueue>().pending()
        && !leaving
}

/// Main is alive, not blocked and not in the ring: the fallback would bring
/// it back.
pub fn main_paused(world: &World) -> bool {
    let sched = world.resource::<Scheduler>();
    sched
        .ring
        .entity(sched.main)
        .and_then(|e| world.get::<TaskletState>(e))
        .is_some_and(|t| t.alive && !t.blocked() && !sched.ring.contains(sched.main))
}

/// `sim.shard()`.
pub fn shard(host: &WorldHost) -> Value {
    Value::Int(shard_of(host.world).0 as i64)
}

/// `sim.shards()`.
pub fn shards(host: &WorldHost) -> Value {
    Value::Int(shard_of(host.world).1 as i64)
}

/// `sim.migrate(k)`: the caller's turn ends here; on another shard it is
/// listed as leaving (and appended to that shard's ring next tick), on its
/// own shard it yields the tick as `schedule()` would. Either way the call
/// returns `None`.
pub fn migrate(host: &mut WorldHost, k: &Value) -> HostResult {
    let k = match k {
        Value::Int(i) => *i,
        Value::Bool(b) => *b as i64,
        other => {
            return HostResult::Raise(errors::type_error(format!(
                "migrate() argument must be an int, not '{}'",
                skein_vm::format::type_name(other)
            )));
        }
    };
    let (own, n) = shard_of(host.world);
    if k < 0 || k as u64 >= n {
        let plural = if n == 1 { "" } else { "s" };
        return HostResult::Raise(errors::value_error(format!(
            "migrate(): no shard {k} in a cluster of {n} shard{plural}"
        )));
    }
    let cur = host.sched.current;
    if cur == host.sched.main {
        return HostResult::Raise(errors::runtime_error("the main tasklet cannot migrate"));
    }
    if host.tasklet(cur).is_some_and(|t| t.atomic) {
        return HostResult::Raise(errors::runtime_error(
            "cannot migrate inside an atomic section",
        ));
    }
    let tick = host.sched.tick;
    host.with_current(|t| {
        t.mark_yielded(tick);
        t.suspension = Suspension::Nothing;
        t.tempval = Value::None;
    });
    if k as u64 == own {
        host.sched.ring.advance();
    } else {
        host.sched.ring.remove(cur);
        if let Some(mut link) = host.world.get_resource_mut::<ShardLink>() {
            link.leaving.push((cur, k as u64));
        }
    }
    HostResult::Suspend
}

/// Appends the tasklets that arrived since the last tick, in arrival order.
pub(crate) fn append_arrivals(host: &mut WorldHost) {
    let arrived = match host.world.get_resource_mut::<ShardLink>() {
        Some(mut link) if !link.arriving.is_empty() => std::mem::take(&mut link.arriving),
        _ => return,
    };
    for id in arrived {
        if host.tasklet(id).is_some_and(|t| t.alive) {
            host.sched.ring.insert_tail(id);
        }
    }
}

/// Whether main's fallback may run now: always in a plain world (and a
/// cluster of one); with more shards only once the cluster has released it.
pub(crate) fn fallback_allowed(host: &mut WorldHost) -> bool {
    if shard_of(host.world).1 <= 1 {
        return true;
    }
    host.world
        .get_resource_mut::<ShardLink>()
        .is_some_and(|mut l| std::mem::take(&mut l.release_main))
}
