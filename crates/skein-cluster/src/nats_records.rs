//! The tick records a shard holds between barriers, whichever way they
//! came (live, or read from the records' stream to catch up): kept by
//! shard and tick, so one seen both ways counts once, with what a catch-up
//! needs to know of where to start reading.

use std::collections::BTreeMap;

use crate::transport::{TickRecord, TransportError};

/// The records of ticks not yet collected, and where the stream was last
/// read to.
pub(crate) struct Records {
    pub(crate) live: async_nats::Subscriber,
    pub(crate) stream: String,
    pub(crate) shards: usize,
    pub(crate) me: u32,
    /// Records by tick, one slot per shard.
    pub(crate) pending: BTreeMap<u64, Vec<Option<TickRecord>>>,
    /// The last stream sequence a catch-up read.
    pub(crate) read_to: u64,
    /// The count of connection losses at the last catch-up; `u64::MAX`
    /// asks for one before the next wait.
    pub(crate) caught_at: u64,
    /// The newest tick of this shard's own records the stream held when
    /// the shard started: up to it, its records are replays whose first
    /// copies others may have read before this process existed.
    pub(crate) replayed_to: Option<u64>,
    /// Stream sequences of this shard's own records, by tick, as their
    /// acknowledgements gave them (the last few).
    pub(crate) own: BTreeMap<u64, u64>,
}

impl Records {
    pub(crate) fn new(
        live: async_nats::Subscriber,
        stream: String,
        shards: usize,
        me: u32,
    ) -> Self {
        Records {
            live,
            stream,
            shards,
            me,
            pending: BTreeMap::new(),
            read_to: 0,
            caught_at: u64::MAX,
            replayed_to: None,
            own: BTreeMap::new(),
        }
    }

    /// This shard's record of `tick` is stored at `seq`.
    pub(crate) fn own_stored(&mut self, tick: u64, seq: u64) {
        self.own.insert(tick, seq);
        while self.own.len() > 4 {
            self.own.pop_first();
        }
    }

    /// Takes a record, keeping those of `tick` and later. Says whether it
    /// shows a gap: a shard publishes its records in tick order on one
    /// connection, so its record of a later tick arriving before the one of
    /// `tick` means that one was missed live.
    pub(crate) fn put(&mut self, rec: TickRecord, tick: u64) -> Result<bool, TransportError> {
        let n = self.shards;
        if rec.shard as usize >= n || rec.sent.len() != n {
            return Err(TransportError::Failed(format!(
                "a tick record for {} shards in a cluster of {n}",
                rec.sent.len()
            )));
        }
        if rec.tick < tick {
            return Ok(false);
        }
        let at = rec.shard as usize;
        let gap = shows_gap(&self.pending, &rec, tick, self.me);
        let slots = self
            .pending
            .entry(rec.tick)
            .or_insert_with(|| vec![None; n]);
        // The first copy stays: a replay's copy says the same, but for its
        // `saved`, which only trimming reads.
        slots[at].get_or_insert(rec);
        Ok(gap)
    }

    /// Every shard's record of `tick`, once all are in (taken out).
    pub(crate) fn complete(&mut self, tick: u64) -> Option<Vec<TickRecord>> {
        let slots = self.pending.get(&tick)?;
        if slots.iter().any(Option::is_none) {
            return None;
        }
        let all = self.pending.remove(&tick)?;
        Some(all.into_iter().flatten().collect())
    }

    /// Shards whose record of `tick` is still missing.
    pub(crate) fn missing(&self, tick: u64) -> Vec<usize> {
        match self.pending.get(&tick) {
            Some(slots) => (0..self.shards).filter(|k| slots[*k].is_none()).collect(),
            None => (0..self.shards).collect(),
        }
    }

    /// Where a catch-up for `tick` may start reading: past what the last
    /// one read, and past this shard's own record of `tick − 2` — every
    /// record of `tick` or later was published by a shard that had read
    /// this shard's record of `tick − 1`, sent only once that of `tick − 2`
    /// was stored, so it is stored after it. A replayed record's sequence
    /// proves nothing (others read its first copy), hence `replayed_to`.
    pub(crate) fn catch_up_from(&self, tick: u64) -> u64 {
        let floor = tick
            .checked_sub(2)
            .filter(|t| self.replayed_to.is_none_or(|r| *t > r))
            .and_then(|t| self.own.get(&t))
            .copied()
            .unwrap_or(0);
        self.read_to.max(floor) + 1
    }
}

/// Whether `rec` shows that its shard's record of `tick`, not in
/// `pending`, was missed: a shard publishes its records in tick order on
/// one connection, so one of a later tick comes after it.
fn shows_gap(
    pending: &BTreeMap<u64, Vec<Option<TickRecord>>>,
    rec: &TickRecord,
    tick: u64,
    me: u32,
) -> bool {
    let at = rec.shard as usize;
    rec.tick > tick
        && rec.shard != me
        && pending
            .get(&tick)
            .is_none_or(|slots| slots.get(at).is_none_or(Option::is_none))
}

#[cfg(test)]
mod tests {
    use super::*;
    use skein_world::remote_publish::Published;

    fn rec(shard: u32, tick: u64) -> TickRecord {
        TickRecord {
            shard,
            tick,
            sent: vec![0, 0, 0],
            idle: false,
            main_paused: false,
            published: Published::default(),
            saved: None,
        }
    }

    #[test]
    fn a_later_record_before_the_awaited_one_is_a_gap() {
        let mut pending = BTreeMap::new();
        // Waiting for tick 5: shard 1's record of tick 6 while its 5 is
        // missing is a gap; of tick 5 itself, or of an older tick, is not.
        assert!(shows_gap(&pending, &rec(1, 6), 5, 0));
        assert!(!shows_gap(&pending, &rec(1, 5), 5, 0));
        assert!(!shows_gap(&pending, &rec(1, 4), 5, 0));
        // Once shard 1's record of tick 5 is in, its 6 is no gap.
        pending.insert(5, vec![None, Some(rec(1, 5)), None]);
        assert!(!shows_gap(&pending, &rec(1, 6), 5, 0));
        assert!(shows_gap(&pending, &rec(2, 6), 5, 0));
        // This shard's own records are never read back.
        assert!(!shows_gap(&pending, &rec(0, 6), 5, 0));
    }
}
