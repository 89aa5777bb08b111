//! Channels and tasklets of other shards (docs/cluster.md, "Channels across
//! shards"): the caller's side of an operation on a channel whose home is
//! another shard (block here, send the operation home), the home's side
//! (match it by the channel's rules as an arrival, queue the remote caller
//! beside local waiters, answer it), and the answer applied to the caller.
//!
//! The world only fills and drains [`RemoteState`]'s outbox; whoever drives
//! the cluster carries the messages and hands arrivals to [`apply`] between
//! ticks, in arrival order. Reads of another shard's channels and tasklets
//! come from what their shards published at the end of the previous tick.

use std::collections::BTreeSet;

use bevy_ecs::world::World;
use skein_vm::{HostResult, Value, errors};

use crate::components::{Suspension, Wait};
pub use crate::remote_state::{
    Answer, ChanMirror, ChanOp, RemoteMsg, RemoteState, RemoteWaiter, TaskletFacts,
};
use crate::shard::{ShardLink, shard_of};
use crate::world_host::WorldHost;

/// The shard a channel or tasklet id was made on (ids are striped).
pub fn home_of(world: &World, id: u64) -> u64 {
    let (_, n) = shard_of(world);
    id.saturating_sub(1) % n
}

/// Whether `id` is nothing here but belongs to (or is on) another shard.
pub fn elsewhere(host: &WorldHost, id: u64) -> Option<u64> {
    if host.entity(id).is_some() {
        return None;
    }
    elsewhere_in(host.world, id)
}

/// [`elsewhere`] for an id already known not to be in `world` (or for a
/// reader outside a tick, such as a selection save): the shard it is on,
/// if that is not this one.
pub fn elsewhere_in(world: &World, id: u64) -> Option<u64> {
    let (own, n) = shard_of(world);
    if n <= 1 || id == 0 {
        return None;
    }
    let link = world.get_resource::<ShardLink>()?;
    let at = link
        .remote
        .whereabouts
        .get(&id)
        .copied()
        .unwrap_or_else(|| home_of(world, id));
    (at != own).then_some(at)
}

/// The shards of the remote tasklets among `waiters` (a local channel's
/// queue), in order and each once.
pub fn waiter_shards(world: &World, waiters: impl IntoIterator<Item = u64>) -> Vec<u64> {
    let Some(link) = world.get_resource::<ShardLink>() else {
        return Vec::new();
    };
    let shards: BTreeSet<u64> = waiters
        .into_iter()
        .filter_map(|w| link.remote.waiters.get(&w).map(|rw| rw.shard))
        .collect();
    shards.into_iter().collect()
}

fn remote_mut<'a>(
    host: &'a mut WorldHost,
) -> Option<bevy_ecs::change_detection::Mut<'a, ShardLink>> {
    host.world.get_resource_mut::<ShardLink>()
}

fn post(host: &mut WorldHost, to: u64, msg: RemoteMsg) {
    if let Some(mut link) = remote_mut(host) {
        let after = link.leaving.len();
        link.remote.outbox.push((to, msg, after));
    }
}

/// The caller's side of `send`/`send_exception`/`receive`/iteration on a
/// channel of shard `home`: the caller blocks, its operation goes home.
pub fn channel_op(
    host: &mut WorldHost,
    ch: u64,
    home: u64,
    op: ChanOp,
    s: Suspension,
) -> HostResult {
    let cur = host.sched.current;
    let (own, _) = shard_of(host.world);
    let sending = !matches!(op, ChanOp::Receive { .. });
    let Some(mut t) = host.tasklet_mut(cur) else {
        return HostResult::Raise(errors::runtime_error("no current tasklet"));
    };
    let block_trap = t.block_trap;
    t.wait = Wait::Channel {
        channel: ch,
        sending,
    };
    t.suspension = s;
    t.tempval = Value::None;
    host.sched.ring.remove(cur);
    post(
        host,
        home,
        RemoteMsg::Op {
            channel: ch,
            tasklet: cur,
            from: own,
            op,
            block_trap,
        },
    );
    if let Some(mut link) = remote_mut(host) {
        link.remote.ops_out += 1;
    }
    HostResult::Suspend
}

/// Whether waiter `w` popped from a local channel is a tasklet of another
/// shard queued here.
pub fn is_remote_waiter(host: &WorldHost, w: u64) -> bool {
    host.world
        .get_resource::<ShardLink>()
        .is_some_and(|l| l.remote.waiters.contains_key(&w))
}

/// A local send meets remote receiver `w` (already off the channel): the
/// value travels to it and the local sender goes on at once.
pub fn meet_local_send(host: &mut WorldHost, w: u64, msg: Result<Value, Value>) -> HostResult {
    let Some(rw) = take_waiter(host, w) else {
        return HostResult::Raise(errors::runtime_error("lost remote waiter"));
    };
    host.sched.counts.messages += 1;
    let answer = match msg {
        Ok(v) => Answer::Value(v),
        Err(e) => Answer::Error(e),
    };
    post(host, rw.shard, RemoteMsg::Answer { tasklet: w, answer });
    HostResult::Return(Value::None)
}

/// A local receive meets remote sender `w`: its send completes there and
/// the local receiver takes its value at once.
pub fn meet_local_receive(host: &mut WorldHost, w: u64) -> HostResult {
    let Some(rw) = take_waiter(host, w) else {
        return HostResult::Raise(errors::runtime_error("lost remote waiter"));
    };
    host.sched.counts.messages += 1;
    post(
        host,
        rw.shard,
        RemoteMsg::Answer {
            tasklet: w,
            answer: Answer::Value(Value::None),
        },
    );
    match rw.op {
        ChanOp::Send(v) => HostResult::Return(v),
        ChanOp::SendError(e) => HostResult::Raise(e),
        ChanOp::Receive { .. } => {
            HostResult::Raise(errors::runtime_error("a receiver queued among senders"))
        }
    }
}

fn take_waiter(host: &mut WorldHost, w: u64) -> Option<RemoteWaiter> {
    remote_mut(host)?.remote.waiters.remove(&w)
}

/// A kill or throw into tasklet `id`, waiting on a channel of another
/// shard: the caller goes on at once, the home decides (withdraw, or the
/// meeting stands), and `err` is raised in the victim when the answer comes.
/// `None` if `id` is not waiting remotely.
pub fn cancel(host: &mut WorldHost, id: u64, err: &Value) -> Option<HostResult> {
    let Wait::Channel { channel, .. } = host.tasklet(id)?.wait else {
        return None;
    };
    let home = elsewhere(host, channel)?;
    let mut link = remote_mut(host)?;
    let first = link.remote.cancels.insert(id, err.clone()).is_none();
    if first {
        post(
            host,
            home,
            RemoteMsg::Cancel {
                channel,
                tasklet: id,
            },
        );
    }
    Some(HostResult::Return(Value::None))
}

/// Applies a message that arrived from another shard (between ticks, in
/// arrival order, through `with_host`): an operation on a local channel, an
/// answer for a local tasklet, or a cancel.
pub fn apply(host: &mut WorldHost, msg: RemoteMsg) {
    match msg {
        RemoteMsg::Op {
            channel,
            tasklet,
            from,
            op,
            block_trap,
        } => crate::remote_home::apply_op(host, channel, tasklet, from, op, block_trap),
        RemoteMsg::Answer { tasklet, answer } => apply_answer(host, tasklet, answer),
        RemoteMsg::Cancel { channel, tasklet } => {
            crate::remote_home::apply_cancel(host, channel, tasklet)
        }
    }
}

/// The home answered tasklet `id`: its call returns, raises or ends its
/// loop when it next runs, and it joins the ring at the start of the next
/// tick in arrival order.
fn apply_answer(host: &mut WorldHost, id: u64, answer: Answer) {
    let cancel = remote_mut(host).and_then(|mut l| l.remote.cancels.remove(&id));
    let Some(mut t) = host.tasklet_mut(id) else {
        return;
    };
    t.wait = Wait::None;
    let iter_end = match (cancel, answer) {
        (Some(err), _) => {
            t.set_pending(Some(err));
            t.pending_is_payload = false;
            false
        }
        (None, Answer::Value(v)) => {
            if !matches!(t.suspension, Suspension::SendSequence) {
                t.tempval = v;
            }
            false
        }
        (None, Answer::Error(e)) => {
            t.set_pending(Some(e));
            t.pending_is_payload = false;
            false
        }
        (None, Answer::Withdrawn) => {
            t.set_pending(Some(errors::runtime_error(
                "remote channel operation withdrawn",
            )));
            t.pending_is_payload = false;
            false
        }
        (None, Answer::IterEnd) => {
            t.suspension = Suspension::None;
            true
        }
    };
    if iter_end && let Some(mut f) = host.fiber_mut(id) {
        std::sync::Arc::make_mut(&mut f.0).resume_iter_end();
    }
    if let Some(mut link) = remote_mut(host) {
        link.arriving.push(id);
    }
}

/// `setstate` of local channel `id` is refused when remote tasklets wait
/// on it or its new state lists a tasklet of another shard.
pub fn check_setstate(host: &WorldHost, id: u64, listed: &[Value]) -> Result<(), Value> {
    let Some(link) = host.world.get_resource::<ShardLink>() else {
        return Ok(());
    };
    let mut shards: BTreeSet<u64> = BTreeSet::new();
    if let Some(c) = host.channel(id) {
        for w in c.waiters.iter() {
            if let Some(rw) = link.remote.waiters.get(&w) {
                shards.insert(rw.shard);
            }
        }
    }
    for v in listed {
        if let Value::Tasklet(t) = v
            && let Some(at) = elsewhere(host, *t)
        {
            shards.insert(at);
        }
    }
    if shards.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = shards.iter().map(u64::to_string).collect();
    Err(errors::runtime_error(format!(
        "cannot setstate <channel #{id}>: it involves tasklets of shard {}",
        names.join(", ")
    )))
}
