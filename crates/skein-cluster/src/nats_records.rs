//! The tick records a shard holds between barriers, whichever way they
//! came (live, or read from the records' stream to catch up): kept by
//! shard and tick, so one seen both ways counts once, beside the quiet
//! ticks later records vouch for (rebuilt when collected) and where a
//! catch-up starts reading.

use std::collections::BTreeMap;

use crate::nats_quiet::{QuietSpans, Stamped, rebuilt};
use crate::transport::{TickRecord, TransportError};

/// The live subscription, where the stream was last read to, and the
/// records held.
pub(crate) struct Records {
    pub(crate) live: async_nats::Subscriber,
    pub(crate) stream: String,
    /// The last stream sequence a catch-up read.
    pub(crate) read_to: u64,
    /// The count of connection losses at the last catch-up; `u64::MAX`
    /// asks for one before the next wait.
    pub(crate) caught_at: u64,
    pub(crate) book: Book,
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
            read_to: 0,
            caught_at: u64::MAX,
            book: Book::new(shards, me),
        }
    }

    /// Where a catch-up may start reading: past what the last one read.
    /// (Every record of the tick waited for or later was stored after the
    /// first catch-up of this process began, or read by it or a later one.
    /// A shard's own stored records give no floor: a restarted shard
    /// stores replayed records whose first copies others read long before,
    /// and it cannot tell how far its previous process got.)
    pub(crate) fn catch_up_from(&self) -> u64 {
        self.read_to + 1
    }
}

/// The records of ticks not yet collected, by shard and tick, and what
/// later records vouch were quiet ticks.
pub(crate) struct Book {
    shards: usize,
    me: u32,
    /// Records by tick, one slot per shard.
    pending: BTreeMap<u64, Vec<Option<TickRecord>>>,
    /// Each shard's ticks that later records of it vouch were quiet.
    quiet: Vec<QuietSpans>,
}

impl Book {
    pub(crate) fn new(shards: usize, me: u32) -> Self {
        Book {
            shards,
            me,
            pending: BTreeMap::new(),
            quiet: (0..shards).map(|_| QuietSpans::default()).collect(),
        }
    }

    /// Takes a record, keeping those of `tick` and later, and what it
    /// vouches for. Says whether it shows that its shard's record of
    /// `tick`, still missing, is in the stream: a shard publishes its
    /// records in tick order, so a later one that does not vouch for `tick`
    /// being quiet says a stored record stands between (stored, and
    /// acknowledged, before the later one went out).
    pub(crate) fn put(&mut self, stamped: Stamped, tick: u64) -> Result<bool, TransportError> {
        let n = self.shards;
        let rec = &stamped.record;
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
        if rec.shard != self.me {
            self.quiet[at].vouch(&stamped, tick);
        }
        let gap = rec.tick > tick && rec.shard != self.me && !self.has(at, tick);
        let slots = self
            .pending
            .entry(rec.tick)
            .or_insert_with(|| vec![None; n]);
        // The first copy stays: a replay's copy says the same, but for its
        // `saved`, which only trimming reads.
        slots[at].get_or_insert(stamped.record);
        Ok(gap)
    }

    /// Whether shard `at`'s record of `tick` is in, or known to be quiet.
    fn has(&self, at: usize, tick: u64) -> bool {
        let held = self
            .pending
            .get(&tick)
            .and_then(|slots| slots.get(at))
            .is_some_and(Option::is_some);
        held || self.quiet[at].covering(tick).is_some()
    }

    /// Every shard's record of `tick`, once all are in or known to be
    /// quiet (taken out; quiet ones rebuilt).
    pub(crate) fn complete(&mut self, tick: u64) -> Option<Vec<TickRecord>> {
        if !(0..self.shards).all(|k| self.has(k, tick)) {
            return None;
        }
        let slots = self
            .pending
            .remove(&tick)
            .unwrap_or_else(|| vec![None; self.shards]);
        let all = slots
            .into_iter()
            .enumerate()
            .map(|(k, slot)| {
                slot.unwrap_or_else(|| {
                    let saved = self.quiet[k].covering(tick).flatten();
                    rebuilt(k as u32, tick, self.shards, saved)
                })
            })
            .collect();
        for spans in &mut self.quiet {
            spans.forget_to(tick);
        }
        Some(all)
    }

    /// Shards whose record of `tick` is still missing.
    pub(crate) fn missing(&self, tick: u64) -> Vec<usize> {
        (0..self.shards).filter(|k| !self.has(*k, tick)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nats_quiet::rebuilt;

    fn stamped(shard: u32, tick: u64, stored_before: Option<u64>) -> Stamped {
        Stamped {
            record: rebuilt(shard, tick, 3, Some(4)),
            stored_before,
        }
    }

    #[test]
    fn quiet_ticks_are_rebuilt_and_stored_ones_sought_in_the_stream() {
        let mut r = Book::new(3, 0);
        // Waiting for tick 5. Shard 1's record of tick 8 vouches for 5 to
        // 7 (its newest stored record is of tick 2): no gap.
        assert!(!r.put(stamped(1, 8, Some(2)), 5).expect("a record"));
        // Shard 2's record of tick 9 says its tick 6 is stored: its tick 5
        // may be stored, or vouched for by that one; the stream has it.
        assert!(r.put(stamped(2, 9, Some(6)), 5).expect("a record"));
        assert_eq!(r.missing(5), vec![0, 2]);
        // Read from the stream: shard 2's tick 6 vouches for 4 and 5.
        assert!(!r.put(stamped(2, 6, Some(3)), 5).expect("a record"));
        assert!(!r.put(stamped(0, 5, None), 5).expect("a record"));
        let got = r.complete(5).expect("all of tick 5");
        assert_eq!(
            got,
            vec![
                rebuilt(0, 5, 3, Some(4)),
                rebuilt(1, 5, 3, Some(4)),
                rebuilt(2, 5, 3, Some(4)),
            ]
        );
        // Tick 6: shard 1 still vouched for, shard 2's own record held,
        // shard 0 missing until its record comes.
        assert_eq!(r.missing(6), vec![0]);
        assert!(r.complete(6).is_none());
    }
}
