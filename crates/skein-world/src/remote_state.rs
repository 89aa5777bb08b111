//! The messages and bookkeeping of channels and tasklets across shards
//! (docs/cluster.md, "Channels across shards"): plain data that the shard
//! link holds and the wire carries, with no behaviour, so every module of
//! the remote side can name them without importing each other.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use skein_vm::Value;

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
