//! A shard's place in its cluster, in a world save (docs/cluster.md,
//! "Saves of a shard"): the remote-channel bookkeeping, the tasklets in
//! transit, the message sequences, and the values inside them, as one
//! optional record kept among the world's resources under [`TAG`]. A plain
//! world has none, so its saves are byte for byte what they were.
//!
//! The record's values have a table of their own, so it reads and checks
//! apart from the body's; ids in it are cluster-wide and stay as they are.
//! It is written here and read back in `shard_load`.

use serde::{Deserialize, Serialize};
use skein_script::bytecode::Program;
use skein_vm::Value;
use skein_world::remote::{Answer, ChanMirror, ChanOp, RemoteMsg, TaskletFacts};
use skein_world::shard::{Publishing, ShardLink};

use crate::error::SaveError;
use crate::ext::ExtValue;
use crate::format::Dir;
use crate::names::{NativeNames, WorldRefs};
use crate::values::{Encoder, ValueRec};

/// The resource tag the record is saved under. No host registers it: the
/// save crate reads and writes it itself.
pub const TAG: &str = "skein.shard";

/// The most shards a record may name (a hostile count must not become an
/// allocation).
pub const MAX_SHARDS: u64 = 1 << 16;

/// A shard's cluster state at a tick boundary.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ShardRec {
    /// This shard's number k.
    pub shard: u64,
    /// The cluster's shard count N.
    pub shards: u64,
    /// The cluster run's id (empty when the transport has none).
    pub run: String,
    /// Tasklets that called `migrate` and have not been taken out: (id, k).
    pub leaving: Vec<(u64, u64)>,
    /// Tasklets that arrived (bound here) and join the ring next tick.
    pub arriving: Vec<u64>,
    /// The cluster released a paused main for the next tick.
    pub release_main: bool,
    /// Tasklets that arrived here over the run.
    pub moves_in: u64,
    /// Tasklets that left here over the run.
    pub moves_out: u64,
    /// The last sequence sent to each shard.
    pub sent_seq: Vec<u64>,
    /// The highest sequence taken from each shard (messages at or below it
    /// are replays and dropped).
    pub taken_seq: Vec<u64>,
    /// Remote channel messages not yet handed to the transport.
    pub outbox: Vec<OutRec>,
    /// Tasklets of other shards queued in this shard's channels.
    pub waiters: Vec<WaiterRec>,
    /// Kills and throws into tasklets waiting remotely, raised once the
    /// home answers: (tasklet, error).
    pub cancels: Vec<(u64, ValueRec)>,
    /// Channels of other shards as last published: (channel, state).
    pub mirrors: Vec<(u64, ChanMirror)>,
    /// This shard's channels known elsewhere.
    pub exported: Vec<u64>,
    /// What was last published of each exported channel.
    pub published: Vec<(u64, ChanMirror)>,
    /// Where tasklets that moved were at the end of the last tick: (id, k).
    pub whereabouts: Vec<(u64, u64)>,
    /// Tasklets known on more than one shard.
    pub watched: Vec<u64>,
    /// Tasklets newly watched, for the next tick record.
    pub newly_watched: Vec<u64>,
    /// Facts of watched tasklets as last published.
    pub facts: Vec<(u64, TaskletFacts)>,
    /// Remote channel operations sent from here over the run.
    pub ops_out: u64,
    /// Remote channel operations applied here over the run.
    pub ops_in: u64,
    /// The record's own value table (`Ref(i)` in its values).
    pub values: Vec<ValueRec>,
    /// The shard's final autosave of a cluster run that has ended (absent
    /// in saves made before it was recorded: not ended).
    #[serde(default)]
    pub ended: bool,
    /// The first stream sequence of the shard's inbox this save does not
    /// hold (absent: not known, e.g. a save made without NATS).
    #[serde(default)]
    pub inbox_from: Option<u64>,
    /// Saved waiting at the barrier of this tick, its arrivals still to be
    /// taken (absent: saved at a tick boundary).
    #[serde(default)]
    pub awaiting: Option<u64>,
    /// Saved while publishing this tick, its messages and record not all
    /// acknowledged: they are published again first, then its barrier
    /// comes (absent: saved at a tick boundary or at a barrier).
    #[serde(default)]
    pub publishing: Option<Publishing>,
}

/// A remote-channel message waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutRec {
    /// The destination shard.
    pub to: u64,
    /// How many migrants were listed as leaving before it.
    pub after: u64,
    /// The message.
    pub msg: MsgRec,
}

/// One remote-channel message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MsgRec {
    /// Caller → home: an operation.
    Op {
        /// The channel.
        channel: u64,
        /// The caller.
        tasklet: u64,
        /// The caller's shard.
        from: u64,
        /// The operation.
        op: OpRec,
        /// The caller's `block_trap`.
        block_trap: bool,
    },
    /// Home → caller: the outcome.
    Answer {
        /// The caller.
        tasklet: u64,
        /// What its call does.
        answer: AnswerRec,
    },
    /// Caller's shard → home: withdraw a killed waiter.
    Cancel {
        /// The channel.
        channel: u64,
        /// The waiter.
        tasklet: u64,
    },
}

/// What a remote caller asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OpRec {
    /// `send(v)`.
    Send(ValueRec),
    /// `send_exception`/`send_throw`.
    SendError(ValueRec),
    /// `receive()` or a step of iteration.
    Receive {
        /// A step of a `for` loop.
        iterating: bool,
    },
}

/// What a home decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AnswerRec {
    /// The call returns this.
    Value(ValueRec),
    /// The call raises this.
    Error(ValueRec),
    /// The `for` loop ends.
    IterEnd,
    /// The waiter was withdrawn.
    Withdrawn,
}

/// A tasklet of another shard queued in one of this shard's channels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaiterRec {
    /// The waiting tasklet.
    pub tasklet: u64,
    /// Its shard.
    pub shard: u64,
    /// The channel it waits on (a channel record of this save).
    pub channel: u64,
    /// What it asked (a sender's value is here).
    pub op: OpRec,
}

impl OpRec {
    /// Which way the waiter waits.
    pub fn dir(&self) -> Dir {
        match self {
            OpRec::Receive { .. } => Dir::Receive,
            _ => Dir::Send,
        }
    }
}

/// Writes `link` (of shard `shard` of `shards`) as the record's RON text.
pub(crate) fn record(
    link: &ShardLink,
    shard: u64,
    shards: u64,
    program: &Program,
    natives: &NativeNames,
) -> Result<ExtValue, SaveError> {
    let mut enc = Encoder::new(program);
    let mut refs = WorldRefs { natives };
    let mut val = |v: &Value| enc.encode(v, &mut refs);
    let op = |o: &ChanOp, val: &mut dyn FnMut(&Value) -> Result<ValueRec, SaveError>| {
        Ok::<_, SaveError>(match o {
            ChanOp::Send(v) => OpRec::Send(val(v)?),
            ChanOp::SendError(v) => OpRec::SendError(val(v)?),
            ChanOp::Receive { iterating } => OpRec::Receive {
                iterating: *iterating,
            },
        })
    };
    let r = &link.remote;
    let mut outbox = Vec::with_capacity(r.outbox.len());
    for (to, msg, after) in &r.outbox {
        let msg = match msg {
            RemoteMsg::Op {
                channel,
                tasklet,
                from,
                op: o,
                block_trap,
            } => MsgRec::Op {
                channel: *channel,
                tasklet: *tasklet,
                from: *from,
                op: op(o, &mut val)?,
                block_trap: *block_trap,
            },
            RemoteMsg::Answer { tasklet, answer } => MsgRec::Answer {
                tasklet: *tasklet,
                answer: match answer {
                    Answer::Value(v) => AnswerRec::Value(val(v)?),
                    Answer::Error(v) => AnswerRec::Error(val(v)?),
                    Answer::IterEnd => AnswerRec::IterEnd,
                    Answer::Withdrawn => AnswerRec::Withdrawn,
                },
            },
            RemoteMsg::Cancel { channel, tasklet } => MsgRec::Cancel {
                channel: *channel,
                tasklet: *tasklet,
            },
        };
        outbox.push(OutRec {
            to: *to,
            after: *after as u64,
            msg,
        });
    }
    let mut waiters = Vec::with_capacity(r.waiters.len());
    for (id, w) in &r.waiters {
        waiters.push(WaiterRec {
            tasklet: *id,
            shard: w.shard,
            channel: w.channel,
            op: op(&w.op, &mut val)?,
        });
    }
    let mut cancels = Vec::with_capacity(r.cancels.len());
    for (id, e) in &r.cancels {
        cancels.push((*id, val(e)?));
    }
    let rec = ShardRec {
        shard,
        shards,
        run: link.run.clone(),
        leaving: link.leaving.clone(),
        arriving: link.arriving.clone(),
        release_main: link.release_main,
        moves_in: link.moves_in,
        moves_out: link.moves_out,
        sent_seq: link.sent_seq.clone(),
        taken_seq: link.taken_seq.clone(),
        outbox,
        waiters,
        cancels,
        mirrors: r.mirrors.iter().map(|(k, v)| (*k, *v)).collect(),
        exported: r.exported.iter().copied().collect(),
        published: r.published.iter().map(|(k, v)| (*k, *v)).collect(),
        whereabouts: r.whereabouts.iter().map(|(k, v)| (*k, *v)).collect(),
        watched: r.watched.iter().copied().collect(),
        newly_watched: r.newly_watched.clone(),
        facts: r.facts.iter().map(|(k, v)| (*k, v.clone())).collect(),
        ops_out: r.ops_out,
        ops_in: r.ops_in,
        values: enc.into_table(),
        ended: link.ended,
        inbox_from: link.inbox_from,
        awaiting: link.awaiting,
        publishing: link.publishing.clone(),
    };
    ExtValue::from_rust(&rec).map_err(|e| SaveError::Encode(e.to_string()))
}
