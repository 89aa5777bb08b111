//! The shard section of `skein inspect --json`: a shard's place in its
//! cluster, the tasklets in transit it knows of, its tasklets blocked on
//! other shards' channels and the other shards' tasklets queued in its
//! channels, as plain JSON-ready rows (the text form is
//! [`crate::shard_save::describe`]).

use serde::Serialize;

use crate::SaveFile;
use crate::format::Dir;
use crate::shard_save::{OpRec, ShardRec, TAG};

/// A shard's section, when the save is of a cluster shard.
#[derive(Debug, Serialize)]
pub struct ShardSection {
    shard: u64,
    shards: u64,
    run: String,
    /// Tasklets leaving at the end of this tick, for their shard.
    leaving: Vec<Leaving>,
    /// Tasklets that arrived and join the ring next tick.
    arriving: Vec<u64>,
    /// Tasklets of this shard's numbering that have moved away.
    elsewhere: Vec<Elsewhere>,
    /// This shard's tasklets blocked on another shard's channel.
    blocked_remote: Vec<BlockedRemote>,
    /// Other shards' tasklets queued in this shard's channels.
    remote_waiters: Vec<RemoteWaiter>,
    last_sent: Vec<u64>,
    last_taken: Vec<u64>,
    outbox: usize,
    moves_in: u64,
    moves_out: u64,
    remote_ops_out: u64,
    remote_ops_in: u64,
}

#[derive(Debug, Serialize)]
struct Leaving {
    tasklet: u64,
    to: u64,
}

#[derive(Debug, Serialize)]
struct Elsewhere {
    tasklet: u64,
    shard: u64,
}

#[derive(Debug, Serialize)]
struct BlockedRemote {
    tasklet: u64,
    channel: u64,
    op: &'static str,
    home: u64,
}

#[derive(Debug, Serialize)]
struct RemoteWaiter {
    tasklet: u64,
    shard: u64,
    channel: u64,
    op: &'static str,
}

/// The shard section of `save`, if it is a shard's save.
pub fn section(save: &SaveFile) -> Option<ShardSection> {
    let rec: ShardRec = save
        .body
        .world
        .as_ref()?
        .resources
        .get(TAG)?
        .to_rust()
        .ok()?;
    let n = rec.shards.max(1);
    let blocked_remote = save
        .body
        .tasklets
        .iter()
        .filter_map(|t| match &t.wait {
            crate::format::Wait::Channel { id, dir }
                if !save.body.channels.iter().any(|c| c.id == *id) =>
            {
                Some(BlockedRemote {
                    tasklet: t.id,
                    channel: *id,
                    op: if *dir == Dir::Send { "send" } else { "receive" },
                    home: id.saturating_sub(1) % n,
                })
            }
            _ => None,
        })
        .collect();
    let remote_waiters = rec
        .waiters
        .iter()
        .map(|w| RemoteWaiter {
            tasklet: w.tasklet,
            shard: w.shard,
            channel: w.channel,
            op: match &w.op {
                OpRec::Send(_) => "send",
                OpRec::SendError(_) => "send_exception",
                OpRec::Receive { iterating: true } => "iterate",
                OpRec::Receive { .. } => "receive",
            },
        })
        .collect();
    Some(ShardSection {
        shard: rec.shard,
        shards: rec.shards,
        run: rec.run.clone(),
        leaving: rec
            .leaving
            .iter()
            .map(|(tasklet, to)| Leaving {
                tasklet: *tasklet,
                to: *to,
            })
            .collect(),
        arriving: rec.arriving.clone(),
        elsewhere: rec
            .whereabouts
            .iter()
            .filter(|(_, k)| *k != rec.shard)
            .map(|(tasklet, shard)| Elsewhere {
                tasklet: *tasklet,
                shard: *shard,
            })
            .collect(),
        blocked_remote,
        remote_waiters,
        last_sent: rec.sent_seq.clone(),
        last_taken: rec.taken_seq.clone(),
        outbox: rec.outbox.len(),
        moves_in: rec.moves_in,
        moves_out: rec.moves_out,
        remote_ops_out: rec.ops_out,
        remote_ops_in: rec.ops_in,
    })
}
