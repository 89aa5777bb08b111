//! Reading a shard record back from a save: checking what does not need
//! its values decoded — shard numbers, list lengths, remote waiters, a tick
//! saved while publishing — before the world is built, then decoding its
//! values into the link the loaded world gets.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use skein_vm::Limits;
use skein_world::remote::{Answer, ChanOp, RemoteMsg, RemoteWaiter};
use skein_world::shard::{Publishing, ShardLink};

use crate::error::{FieldPath, LoadError};
use crate::ext::ExtValue;
use crate::format::{Body, Dir};
use crate::shard_save::{AnswerRec, MAX_SHARDS, MsgRec, OpRec, ShardRec, TAG};
use crate::values::{Decoder, Place, Resolve, ValueRec};

/// A shard record read from a save and checked against its body, before
/// anything is decoded.
pub(crate) struct Staged {
    pub rec: ShardRec,
    /// Remote waiters by tasklet: (channel, direction).
    pub waits: HashMap<u64, (u64, Dir)>,
    /// The save's `next_id`: every id of this shard's numbering below it
    /// was handed out here, and a tasklet stays an entity for good unless
    /// it moves, so one with no record has gone to another shard.
    pub next_id: u64,
}

impl Staged {
    /// Whether an id is of another shard's numbering (a channel made
    /// there, or a tasklet that started there).
    pub fn numbered_elsewhere(&self, id: u64) -> bool {
        id != 0 && (id - 1) % self.rec.shards != self.rec.shard
    }
}

/// Reads the record (if the save has one) and checks what does not need
/// the values decoded: shard numbers, list lengths, and that every remote
/// waiter is queued on a channel of this save and is no tasklet of it.
pub(crate) fn stage(
    ext: Option<&ExtValue>,
    body: &Body,
    next_id: u64,
) -> Result<Option<Staged>, LoadError> {
    let Some(ext) = ext else { return Ok(None) };
    let root = FieldPath::root();
    let p_0 = root.field("world");
    let p_1 = p_0.field("resources");
    let path = p_1.key(TAG);
    let rec: ShardRec = ext
        .to_rust()
        .map_err(|e| LoadError::invalid(&path, format!("not a shard record: {e}")))?;
    if rec.shards == 0 || rec.shards > MAX_SHARDS {
        return Err(LoadError::invalid(
            &path.field("shards"),
            format!("a cluster has 1 to {MAX_SHARDS} shards, not {}", rec.shards),
        ));
    }
    let n = rec.shards;
    let in_cluster = |p: &FieldPath, k: u64| {
        if k < n {
            Ok(())
        } else {
            Err(LoadError::invalid(
                p,
                format!("no shard {k} in a cluster of {n}"),
            ))
        }
    };
    in_cluster(&path.field("shard"), rec.shard)?;
    for (f, list) in [("sent_seq", &rec.sent_seq), ("taken_seq", &rec.taken_seq)] {
        if !list.is_empty() && list.len() as u64 != n {
            return Err(LoadError::invalid(
                &path.field(f),
                format!("{} entries for {n} shards", list.len()),
            ));
        }
    }
    for (i, (_, k)) in rec.leaving.iter().enumerate() {
        in_cluster(&path.field("leaving").index(i), *k)?;
    }
    for (i, o) in rec.outbox.iter().enumerate() {
        in_cluster(&path.field("outbox").index(i).field("to"), o.to)?;
    }
    for (i, (_, k)) in rec.whereabouts.iter().enumerate() {
        in_cluster(&path.field("whereabouts").index(i), *k)?;
    }
    if let Some(p) = &rec.publishing {
        check_publishing(p, &rec, &path.field("publishing"))?;
    }
    let tasklets: BTreeSet<u64> = body.tasklets.iter().map(|t| t.id).collect();
    let channels: BTreeSet<u64> = body.channels.iter().map(|c| c.id).collect();
    let mut waits = HashMap::new();
    for (i, w) in rec.waiters.iter().enumerate() {
        let p_w = path.field("waiters");
        let p = p_w.index(i);
        in_cluster(&p.field("shard"), w.shard)?;
        let gone = w.tasklet < next_id || (w.tasklet - 1) % n != rec.shard;
        if w.shard == rec.shard || tasklets.contains(&w.tasklet) || w.tasklet == 0 || !gone {
            return Err(LoadError::invalid(
                &p.field("tasklet"),
                format!("tasklet {} is not a tasklet of another shard", w.tasklet),
            ));
        }
        if !channels.contains(&w.channel) {
            return Err(LoadError::invalid(
                &p.field("channel"),
                format!("channel {} is not a channel of this save", w.channel),
            ));
        }
        if waits.insert(w.tasklet, (w.channel, w.op.dir())).is_some() {
            return Err(LoadError::invalid(
                &p.field("tasklet"),
                format!("tasklet {} waits in two places", w.tasklet),
            ));
        }
    }
    Ok(Some(Staged {
        rec,
        waits,
        next_id,
    }))
}

/// A save made while publishing a tick: not also waiting at a barrier,
/// and every message for a shard of the cluster, numbered within what the
/// record says was sent it (a resumed shard publishes them under those
/// keys).
fn check_publishing(p: &Publishing, rec: &ShardRec, path: &FieldPath) -> Result<(), LoadError> {
    if rec.awaiting.is_some() {
        return Err(LoadError::invalid(
            path,
            "a save is made at a barrier or while publishing, not both (awaiting is set too)",
        ));
    }
    for (i, m) in p.messages.iter().enumerate() {
        let p_m = path.field("messages");
        let at = p_m.index(i);
        let Some(sent) = rec.sent_seq.get(m.to as usize) else {
            return Err(LoadError::invalid(
                &at.field("to"),
                format!("no shard {} in a cluster of {}", m.to, rec.shards),
            ));
        };
        if m.seq == 0 || m.seq > *sent {
            return Err(LoadError::invalid(
                &at.field("seq"),
                format!(
                    "sequence {} to shard {} is not among the {sent} sent it",
                    m.seq, m.to
                ),
            ));
        }
    }
    Ok(())
}

/// Decodes the record's values into the link the loaded world gets.
pub(crate) fn link_of(
    staged: &Staged,
    resolve: &dyn Resolve,
    limits: Limits,
) -> Result<ShardLink, LoadError> {
    let root = FieldPath::root();
    let p_0 = root.field("world");
    let p_1 = p_0.field("resources");
    let path = p_1.key(TAG);
    let rec = &staged.rec;
    let dec = Decoder::new(&rec.values, resolve, limits, &path.field("values"))?;
    let val = |v: &ValueRec, p: &FieldPath| dec.decode(v, Place::Plain, p);
    let op = |o: &OpRec, p: &FieldPath| -> Result<ChanOp, LoadError> {
        Ok(match o {
            OpRec::Send(v) => ChanOp::Send(val(v, p)?),
            OpRec::SendError(v) => ChanOp::SendError(val(v, p)?),
            OpRec::Receive { iterating } => ChanOp::Receive {
                iterating: *iterating,
            },
        })
    };
    let mut link = ShardLink {
        leaving: rec.leaving.clone(),
        arriving: rec.arriving.clone(),
        release_main: rec.release_main,
        moves_in: rec.moves_in,
        moves_out: rec.moves_out,
        sent_seq: rec.sent_seq.clone(),
        taken_seq: rec.taken_seq.clone(),
        run: rec.run.clone(),
        ended: rec.ended,
        inbox_from: rec.inbox_from,
        awaiting: rec.awaiting,
        publishing: rec.publishing.clone(),
        ..ShardLink::default()
    };
    let r = &mut link.remote;
    for (i, o) in rec.outbox.iter().enumerate() {
        let p_o = path.field("outbox");
        let p_i = p_o.index(i);
        let p = p_i.field("msg");
        let msg = match &o.msg {
            MsgRec::Op {
                channel,
                tasklet,
                from,
                op: o,
                block_trap,
            } => RemoteMsg::Op {
                channel: *channel,
                tasklet: *tasklet,
                from: *from,
                op: op(o, &p)?,
                block_trap: *block_trap,
            },
            MsgRec::Answer { tasklet, answer } => RemoteMsg::Answer {
                tasklet: *tasklet,
                answer: match answer {
                    AnswerRec::Value(v) => Answer::Value(val(v, &p)?),
                    AnswerRec::Error(v) => Answer::Error(val(v, &p)?),
                    AnswerRec::IterEnd => Answer::IterEnd,
                    AnswerRec::Withdrawn => Answer::Withdrawn,
                },
            },
            MsgRec::Cancel { channel, tasklet } => RemoteMsg::Cancel {
                channel: *channel,
                tasklet: *tasklet,
            },
        };
        r.outbox.push((o.to, msg, o.after as usize));
    }
    for (i, w) in rec.waiters.iter().enumerate() {
        let p_w = path.field("waiters");
        let p_i = p_w.index(i);
        let p = p_i.field("op");
        r.waiters.insert(
            w.tasklet,
            RemoteWaiter {
                shard: w.shard,
                channel: w.channel,
                op: op(&w.op, &p)?,
            },
        );
    }
    for (i, (id, e)) in rec.cancels.iter().enumerate() {
        let p_c = path.field("cancels");
        r.cancels.insert(*id, val(e, &p_c.index(i))?);
    }
    r.mirrors = rec.mirrors.iter().copied().collect::<BTreeMap<_, _>>();
    r.exported = rec.exported.iter().copied().collect();
    r.published = rec.published.iter().copied().collect();
    r.whereabouts = rec.whereabouts.iter().copied().collect();
    r.watched = rec.watched.iter().copied().collect();
    r.newly_watched = rec.newly_watched.clone();
    r.facts = rec.facts.iter().cloned().collect();
    r.ops_out = rec.ops_out;
    r.ops_in = rec.ops_in;
    Ok(link)
}
