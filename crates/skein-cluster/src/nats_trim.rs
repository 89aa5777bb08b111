//! Trimming a run's streams behind the autosaves, so they do not grow for
//! the whole run: a shard lets its inbox go up to the first message its
//! newest autosave on disk does not hold, and its own tick records up to
//! the oldest boundary any shard could still replay from (the oldest
//! newest-autosave the shards' records report). Nothing an autosave on disk
//! does not cover is ever let go.

use std::collections::BTreeMap;

use async_nats::jetstream;

use crate::nats_quiet::Stamped;
use crate::transport::TickRecord;

/// What a shard has let go of, and what it needs to know to go further.
#[derive(Debug, Default)]
pub(crate) struct Trim {
    /// The stream sequence of this shard's own tick record of each tick it
    /// has not let go of yet.
    own_records: BTreeMap<u64, u64>,
    /// This shard's records of ticks below this are gone.
    records_below: u64,
    /// Its inbox's messages below this stream sequence are gone.
    inbox_below: u64,
}

impl Trim {
    /// This shard's record of `tick` is at `seq` in the records' stream
    /// (the first copy counts: a replay's copy comes later).
    pub(crate) fn own_record(&mut self, tick: u64, seq: u64) {
        if tick >= self.records_below {
            self.own_records.entry(tick).or_insert(seq);
        }
    }

    /// With every shard's record of a tick in hand: the stream sequence
    /// below which this shard's records may go, when that has moved on. No
    /// shard replays a tick before the oldest autosave boundary the records
    /// report (a shard without autosaves holds everything back).
    pub(crate) fn records_cut(&mut self, records: &[TickRecord]) -> Option<u64> {
        let oldest = records
            .iter()
            .map(|r| r.saved)
            .collect::<Option<Vec<u64>>>()?
            .into_iter()
            .min()?;
        if oldest <= self.records_below {
            return None;
        }
        let (_, seq) = self.own_records.range(oldest..).next()?;
        let seq = *seq;
        self.own_records = self.own_records.split_off(&oldest);
        self.records_below = oldest;
        Some(seq)
    }

    /// After an autosave that holds the inbox below `below` (its
    /// [`inbox_mark`]): the stream sequence below which the inbox may now
    /// go, when that has moved on.
    pub(crate) fn inbox_cut(&mut self, below: u64) -> Option<u64> {
        if below <= self.inbox_below.max(1) {
            return None;
        }
        self.inbox_below = below;
        Some(below)
    }
}

/// The first inbox stream sequence the world has not taken: the first
/// message still buffered for a later tick, or past the last one read.
pub(crate) fn inbox_mark(lowest_buffered: Option<u64>, read_to: u64) -> u64 {
    lowest_buffered.unwrap_or(read_to + 1)
}

/// Lets go of the messages of `stream` (those on `filter`, if given) below
/// stream sequence `below`, returning how many went.
pub(crate) async fn purge(
    js: &jetstream::Context,
    stream: &str,
    filter: Option<&str>,
    below: u64,
) -> Result<u64, async_nats::Error> {
    let s = js.get_stream(stream).await?;
    let request = s.purge();
    let request = match filter {
        Some(f) => request.filter(f),
        None => request,
    };
    Ok(request.sequence(below).await?.purged)
}

/// A shard's oldest record still in the records' stream, for the check
/// that a resumed shard's autosave is not older than what the stream holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OldestRecord {
    /// Its tick.
    pub tick: u64,
    /// The tick of its shard's stored record before it, let go of (`None`:
    /// none); the ticks between were quiet and need nothing stored.
    pub stored_before: Option<u64>,
}

impl OldestRecord {
    /// Whether the stream has let go of a record of this shard that a
    /// barrier of `needs` or later would read: a stored one at `needs` or
    /// after, before this oldest one. Quiet ticks before it need none.
    pub fn let_go_of(&self, needs: u64) -> bool {
        self.tick > needs && self.stored_before.is_some_and(|s| s >= needs)
    }
}

/// Each of `shards` shards' oldest record in the records' stream (`None`:
/// none yet).
pub(crate) async fn first_records(
    js: &jetstream::Context,
    stream: &str,
    subject_of: impl Fn(u32) -> String,
    shards: u32,
) -> Result<Vec<Option<OldestRecord>>, async_nats::Error> {
    let s = js.get_stream(stream).await?;
    let mut firsts = Vec::with_capacity(shards as usize);
    for k in 0..shards {
        match s.get_first_raw_message_by_subject(subject_of(k), 1).await {
            Ok(m) => {
                let rec: Stamped = postcard::from_bytes(&m.payload)?;
                firsts.push(Some(OldestRecord {
                    tick: rec.record.tick,
                    stored_before: rec.stored_before,
                }));
            }
            Err(e) if e.kind() == jetstream::stream::RawMessageErrorKind::NoMessageFound => {
                firsts.push(None)
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(firsts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use skein_world::remote_publish::Published;

    fn rec(shard: u32, tick: u64, saved: Option<u64>) -> TickRecord {
        TickRecord {
            shard,
            tick,
            sent: vec![0, 0],
            idle: false,
            main_paused: false,
            published: Published::default(),
            saved,
        }
    }

    #[test]
    fn records_go_only_below_the_oldest_autosave_of_all_shards() {
        let mut t = Trim::default();
        for tick in 0..10 {
            t.own_record(tick, 100 + 2 * tick);
        }
        // A shard without autosaves holds everything.
        assert_eq!(t.records_cut(&[rec(0, 9, Some(6)), rec(1, 9, None)]), None);
        assert_eq!(
            t.records_cut(&[rec(0, 9, Some(6)), rec(1, 9, Some(3))]),
            Some(106)
        );
        // Not again until the oldest moves on.
        assert_eq!(
            t.records_cut(&[rec(0, 9, Some(9)), rec(1, 9, Some(3))]),
            None
        );
        assert_eq!(
            t.records_cut(&[rec(0, 9, Some(9)), rec(1, 9, Some(6))]),
            Some(112)
        );
        // A replayed copy of an old record is not mistaken for the first.
        t.own_record(7, 500);
        assert_eq!(
            t.records_cut(&[rec(0, 9, Some(9)), rec(1, 9, Some(9))]),
            Some(118)
        );
    }

    #[test]
    fn only_a_stored_record_at_or_after_the_first_barrier_is_missed() {
        let oldest = |tick, stored_before| OldestRecord {
            tick,
            stored_before,
        };
        // The oldest record is at or before the barrier: nothing missing.
        assert!(!oldest(20, Some(18)).let_go_of(20));
        // After it, but the ticks between were quiet.
        assert!(!oldest(30, Some(19)).let_go_of(20));
        assert!(!oldest(30, None).let_go_of(20));
        // After it, and a stored record of tick 20 or later went.
        assert!(oldest(30, Some(20)).let_go_of(20));
        assert!(oldest(30, Some(25)).let_go_of(20));
    }

    #[test]
    fn the_inbox_goes_up_to_what_is_still_buffered() {
        let mut t = Trim::default();
        assert_eq!(t.inbox_cut(inbox_mark(None, 0)), None);
        assert_eq!(t.inbox_cut(inbox_mark(Some(5), 9)), Some(5));
        assert_eq!(t.inbox_cut(inbox_mark(Some(5), 12)), None);
        assert_eq!(t.inbox_cut(inbox_mark(None, 12)), Some(13));
    }
}
