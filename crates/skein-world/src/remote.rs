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

use std::collections::{BTreeMap, BTreeSet};

use bevy_ecs::world::World;
use serde::{Deserialize, Serialize};
use skein_vm::{HostResult, Value, errors};

use crate::components::{Suspension, Wait};
use crate::host::WorldHost;
use crate::shard::{ShardLink, shard_of};

/// What a remote caller asked of a channel's home.
#[derive(Debug, Clone, PartialEq)]
pub enum ChanOp {
    /// `send(v)` (or one item of `send_sequence`).
    Send(Value),
    /// `send_exception`/`send_throw`: the error the receiver raises.
    SendError(Value),
    /// `receive()`, or a step of a `for` loop over the channel.
    Receive {
        /// A step of iteration (the end of iteration is decided at home).
        iterating: bool,
    },
}

/// What the home decided for a remote caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The call returns this (a received value; `None` for a completed send).
    Value(Value),
    /// The call raises this.
    Error(Value),
    /// The `for` loop over the channel ends.
    IterEnd,
    /// The waiter was withdrawn after a kill or throw (which the caller's
    /// shard raises).
    Withdrawn,
}

/// One message of the remote-channel protocol.
#[derive(Debug, Clone, PartialEq)]
pub enum RemoteMsg {
    /// Caller → home: apply `op` for `tasklet` of shard `from`.
    Op {
        /// The channel, at its home.
        channel: u64,
        /// The caller.
        tasklet: u64,
        /// The caller's shard, where the answer goes.
        from: u64,
        /// The operation.
        op: ChanOp,
        /// The caller's `block_trap`, decided at home.
        block_trap: bool,
    },
    /// Home → caller: the outcome of the caller's operation.
    Answer {
        /// The caller.
        tasklet: u64,
        /// What its call does.
        answer: Answer,
    },
    /// Caller's shard → home: a kill or throw withdraws the waiter if it
    /// has not met its partner yet.
    Cancel {
        /// The channel.
        channel: u64,
        /// The waiter.
        tasklet: u64,
    },
}

/// A channel's state as its home published it at the end of a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChanMirror {
    /// `balance`.
    pub balance: i64,
    /// `closing`.
    pub closing: bool,
    /// `preference`.
    pub preference: i8,
    /// `schedule_all`.
    pub schedule_all: bool,
    /// The first waiter (`queue`).
    pub queue: Option<u64>,
}

/// What other shards may read of a tasklet: `alive` and `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskletFacts {
    /// `alive`.
    pub alive: bool,
    /// `name`.
    pub name: Option<String>,
}

/// A tasklet of another shard queued in one of this shard's channels.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteWaiter {
    /// Where it lives.
    pub shard: u64,
    /// The channel it waits on.
    pub channel: u64,
    /// What it asked (a sender's value is here).
    pub op: ChanOp,
}

/// The shard's remote-channel bookkeeping, kept in [`ShardLink`].
#[derive(Debug, Clone, Default)]
pub struct RemoteState {
    /// Messages to send at the end of this tick: (destination, message,
    /// number of migrants listed as leaving before it).
    pub outbox: Vec<(u64, RemoteMsg, usize)>,
    /// Home side: tasklets of other shards queued in this shard's channels.
    pub waiters: BTreeMap<u64, RemoteWaiter>,
    /// Caller side: kills and throws into tasklets waiting remotely, raised
    /// once the home answers.
    pub cancels: BTreeMap<u64, Value>,
    /// Channels of other shards as last published.
    pub mirrors: BTreeMap<u64, ChanMirror>,
    /// This shard's channels known to other shards: their state is published.
    pub exported: BTreeSet<u64>,
    /// What was last published of each exported channel.
    pub published: BTreeMap<u64, ChanMirror>,
    /// Where tasklets that moved were at the end of the previous tick.
    pub whereabouts: BTreeMap<u64, u64>,
    /// Tasklets known on more than one shard: whichever shard holds one
    /// publishes its facts when they change.
    pub watched: BTreeSet<u64>,
    /// Tasklets newly watched here, for this tick's record.
    pub newly_watched: Vec<u64>,
    /// Facts of watched tasklets as last published (by anyone).
    pub facts: BTreeMap<u64, TaskletFacts>,
    /// Remote channel operations sent from here over the run.
    pub ops_out: u64,
    /// Remote channel operations applied here over the run.
    pub ops_in: u64,
}

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
    let (own, n) = shard_of(host.world);
    if n <= 1 || id == 0 {
        return None;
    }
    let link = host.world.get_resource::<ShardLink>()?;
    let at = link
        .remote
        .whereabouts
        .get(&id)
        .copied()
        .unwrap_or_else(|| home_of(host.world, id));
    (at != own).then_some(at)
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
            t.pending = Some(err);
            t.pending_is_payload = false;
            false
        }
        (None, Answer::Value(v)) => {
            if !matches!(t.suspension, Suspension::SendSequence(_)) {
                t.tempval = v;
            }
            false
        }
        (None, Answer::Error(e)) => {
            t.pending = Some(e);
            t.pending_is_payload = false;
            false
        }
        (None, Answer::Withdrawn) => {
            t.pending = Some(errors::runtime_error("remote channel operation withdrawn"));
            t.pending_is_payload = false;
            false
        }
        (None, Answer::IterEnd) => {
            t.suspension = Suspension::None;
            true
        }
    };
    if iter_end
        && let Some(e) = host.entity(id)
        && let Some(mut f) = host.world.get_mut::<crate::components::TaskletFiber>(e)
    {
        crate::vmlink::resume_iter_end(std::sync::Arc::make_mut(&mut f.0));
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
        for w in &c.waiters {
            if let Some(rw) = link.remote.waiters.get(w) {
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
