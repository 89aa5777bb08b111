//! Quiet tick records: most ticks of a running cluster say nothing a replay
//! could not rebuild (nothing sent, nothing published, neither idle nor
//! paused, the same autosave boundary as before), so their records travel
//! live only, never stored. Every record on the wire says where its shard's
//! newest *stored* record before it is, and so vouches that its shard's
//! ticks in between were quiet: a shard that missed them (restarted, or
//! after an outage) rebuilds them from any later record of that shard.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use skein_world::remote_publish::Published;

use crate::transport::TickRecord;

/// A tick record as it goes over NATS, live or into the records' stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stamped {
    /// The record itself.
    pub(crate) record: TickRecord,
    /// The tick of its shard's newest record stored in the stream before
    /// this one (`None`: none). Its shard's ticks strictly between that one
    /// and this one were quiet. Strictly before rather than at or before:
    /// a stored record must still vouch for the quiet ticks before it.
    pub(crate) stored_before: Option<u64>,
}

/// Whether `rec` is quiet: it carries nothing a replay could not rebuild
/// as [`rebuilt`], so it need not be stored. `prev_saved` is the `saved` of
/// this process's previous record (`None` before its first: a restarted
/// shard stores its first record, whose autosave boundary has gone back),
/// and `last` the tick before `--ticks` (a shard that stops there stores
/// its last record, so a peer replaying after it has gone still finds
/// every tick it needs vouched for in the stream).
pub(crate) fn is_quiet(
    rec: &TickRecord,
    prev_saved: Option<Option<u64>>,
    last: Option<u64>,
) -> bool {
    rec.sent.iter().all(|n| *n == 0)
        && !rec.idle
        && !rec.main_paused
        && rec.published == Published::default()
        && prev_saved == Some(rec.saved)
        && last != Some(rec.tick)
}

/// Shard `shard`'s quiet record of `tick` in a cluster of `shards`, as a
/// later record vouching for it rebuilds it. Its `saved` is the vouching
/// record's: an autosave boundary that record's shard had on disk by then,
/// which only trimming reads, and which is never past what the shard
/// could replay from when the rebuilt record is read.
pub(crate) fn rebuilt(shard: u32, tick: u64, shards: usize, saved: Option<u64>) -> TickRecord {
    TickRecord {
        shard,
        tick,
        sent: vec![0; shards],
        idle: false,
        main_paused: false,
        published: Published::default(),
        saved,
    }
}

/// Ticks of one shard known to have been quiet, from the records that
/// vouched for them: by the end (exclusive) of each span, its first tick
/// and the vouching record's `saved`.
#[derive(Debug, Default)]
pub(crate) struct QuietSpans(BTreeMap<u64, (u64, Option<u64>)>);

impl QuietSpans {
    /// Takes what `stamped` vouches for, from `from` on (earlier ticks are
    /// collected already).
    pub(crate) fn vouch(&mut self, stamped: &Stamped, from: u64) {
        let end = stamped.record.tick;
        let start = stamped.stored_before.map_or(0, |s| s + 1).max(from);
        if start < end {
            let span = self.0.entry(end).or_insert((start, stamped.record.saved));
            // Two records of the same tick vouch from the same stored one;
            // a replay's may have stored more, so the wider span stands.
            span.0 = span.0.min(start);
        }
    }

    /// The `saved` of the record vouching that `tick` was quiet, if any.
    pub(crate) fn covering(&self, tick: u64) -> Option<Option<u64>> {
        self.0
            .range(tick + 1..)
            .find(|(_, (start, _))| *start <= tick)
            .map(|(_, (_, saved))| *saved)
    }

    /// Forgets the spans that cover nothing after `tick` (collected).
    pub(crate) fn forget_to(&mut self, tick: u64) {
        self.0 = self.0.split_off(&(tick + 2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(tick: u64) -> TickRecord {
        rebuilt(1, tick, 3, Some(40))
    }

    #[test]
    fn a_record_is_quiet_only_when_a_replay_could_rebuild_it() {
        let quiet = rec(50);
        assert!(is_quiet(&quiet, Some(Some(40)), None));
        // The first record of a process, a new autosave boundary, or the
        // last tick before `--ticks` is stored.
        assert!(!is_quiet(&quiet, None, None));
        assert!(!is_quiet(&quiet, Some(Some(30)), None));
        assert!(!is_quiet(&quiet, Some(None), None));
        assert!(!is_quiet(&quiet, Some(Some(40)), Some(50)));
        assert!(is_quiet(&quiet, Some(Some(40)), Some(60)));
        // Anything sent, idle, paused or published is stored.
        let mut sent = rec(50);
        sent.sent[2] = 1;
        let mut idle = rec(50);
        idle.idle = true;
        let mut paused = rec(50);
        paused.main_paused = true;
        let mut published = rec(50);
        published.published.watch.push(7);
        for r in [sent, idle, paused, published] {
            assert!(!is_quiet(&r, Some(Some(40)), None), "{r:?}");
        }
    }

    #[test]
    fn a_record_vouches_for_the_quiet_ticks_since_its_shards_last_stored_one() {
        let mut spans = QuietSpans::default();
        // Shard 1's record of tick 20, its newest stored one being of 12:
        // ticks 13 to 19 were quiet (from 15 on, as 15 is awaited).
        let stamped = Stamped {
            record: rec(20),
            stored_before: Some(12),
        };
        spans.vouch(&stamped, 15);
        assert_eq!(spans.covering(14), None);
        assert_eq!(spans.covering(15), Some(Some(40)));
        assert_eq!(spans.covering(19), Some(Some(40)));
        // Tick 20 is the record itself; 12 is in the stream.
        assert_eq!(spans.covering(20), None);
        assert_eq!(spans.covering(12), None);
        // A record right after a stored one vouches for nothing.
        spans.vouch(
            &Stamped {
                record: rec(22),
                stored_before: Some(21),
            },
            15,
        );
        assert_eq!(spans.covering(21), None);
        // Nothing stored before: every tick from the awaited one on.
        spans.vouch(
            &Stamped {
                record: rec(30),
                stored_before: None,
            },
            25,
        );
        assert_eq!(spans.covering(24), None);
        assert_eq!(spans.covering(25), Some(Some(40)));
        spans.forget_to(19);
        assert_eq!(spans.covering(19), None);
        assert_eq!(spans.covering(27), Some(Some(40)));
    }
}
