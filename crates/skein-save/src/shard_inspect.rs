//! The shard section of `skein inspect`: a shard's place in its cluster,
//! the tasklets in transit it knows of, its tasklets blocked on other
//! shards' channels and the other shards' tasklets queued in its channels,
//! read once from the save into JSON-ready rows ([`section`]) that the text
//! form ([`describe`]) is written from.

use std::fmt::Write;

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
    /// The final autosave of a run that has ended.
    ended: bool,
    /// Saved waiting at the barrier of this tick.
    #[serde(skip_serializing_if = "Option::is_none")]
    awaiting: Option<u64>,
    /// Saved while publishing a tick, not all of it acknowledged.
    #[serde(skip_serializing_if = "Option::is_none")]
    publishing: Option<Publishing>,
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
struct Publishing {
    tick: u64,
    /// Messages handed to the transport, migrants included.
    messages: usize,
    /// Of them, tasklets moving.
    migrants: usize,
    /// Messages by receiving shard.
    to: Vec<(u64, usize)>,
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
        ended: rec.ended,
        awaiting: rec.awaiting,
        publishing: rec.publishing.as_ref().map(|p| {
            let mut to = std::collections::BTreeMap::new();
            for m in &p.messages {
                *to.entry(m.to).or_insert(0) += 1;
            }
            Publishing {
                tick: p.tick,
                messages: p.messages.len(),
                migrants: p.messages.iter().filter(|m| m.migrant).count(),
                to: to.into_iter().collect(),
            }
        }),
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

/// What `skein inspect` says of a shard's save, as text. `None` for a plain
/// world's save (or a record that does not read).
pub fn describe(save: &SaveFile) -> Option<String> {
    section(save).map(|s| s.text())
}

impl ShardSection {
    fn text(&self) -> String {
        let mut out = String::new();
        let run = if self.run.is_empty() { "-" } else { &self.run };
        let ended = if self.ended { " (ended)" } else { "" };
        let _ = writeln!(
            out,
            "shard {} of {}, run {run}{ended}",
            self.shard, self.shards
        );
        if let Some(t) = self.awaiting {
            let _ = writeln!(
                out,
                "saved waiting at the barrier of tick {t} (the NATS server lost): its arrivals come first on resuming"
            );
        }
        if let Some(p) = &self.publishing {
            let _ = writeln!(
                out,
                "publishing tick {}: {} messages ({} tasklets moving) and its record, not all acknowledged (the NATS server lost): sent again first on resuming, then its barrier",
                p.tick, p.messages, p.migrants
            );
            for (k, n) in &p.to {
                let _ = writeln!(out, "  {n} for shard {k}");
            }
        }
        let _ = writeln!(
            out,
            "in transit: {} leaving, {} arriving",
            self.leaving.len(),
            self.arriving.len()
        );
        for l in &self.leaving {
            let _ = writeln!(out, "  #{} leaving for shard {}", l.tasklet, l.to);
        }
        for id in &self.arriving {
            let _ = writeln!(out, "  #{id} arrived, runs next tick");
        }
        if !self.elsewhere.is_empty() {
            let moved: Vec<String> = self
                .elsewhere
                .iter()
                .map(|e| format!("#{} on shard {}", e.tasklet, e.shard))
                .collect();
            let _ = writeln!(out, "  elsewhere: {}", moved.join(", "));
        }
        let _ = writeln!(
            out,
            "blocked on other shards' channels: {}",
            self.blocked_remote.len()
        );
        for b in &self.blocked_remote {
            let doing = if b.op == "send" {
                "sending"
            } else {
                "receiving"
            };
            let _ = writeln!(
                out,
                "  #{} blocked {doing} on channel #{} (home shard {})",
                b.tasklet, b.channel, b.home
            );
        }
        let _ = writeln!(out, "remote waiters: {}", self.remote_waiters.len());
        for w in &self.remote_waiters {
            let doing = match w.op {
                "send" => "sending",
                "send_exception" => "sending an exception",
                "iterate" => "receiving (for loop)",
                _ => "receiving",
            };
            let _ = writeln!(
                out,
                "  #{} of shard {} {doing} on channel #{}",
                w.tasklet, w.shard, w.channel
            );
        }
        let seqs = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
        let _ = writeln!(
            out,
            "messages: last sent [{}], last taken [{}], {} in the outbox",
            seqs(&self.last_sent),
            seqs(&self.last_taken),
            self.outbox
        );
        out
    }
}
