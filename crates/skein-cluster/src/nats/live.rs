//! Tick records read live: a plain NATS subscription on the records'
//! subjects delivers every other shard's record as it is published (a core
//! delivery costs the server far less than a JetStream consumer's), while
//! the records still go into their stream, acknowledged, for whoever must
//! catch up. The stream is read only then: at the first barrier after a
//! (re)start, after the connection was lost, when a gap shows (a shard's
//! record of a later tick came but not the one waited for) or after a
//! second of waiting. Records are keyed by (shard, tick), so one seen both
//! live and in the stream counts once.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use futures_util::StreamExt;

use super::{RETRY, Worker};
use crate::nats_streams::{decode, failed, ordered, ticks_stream};
use crate::transport::{TickRecord, TransportError};

/// How long a catch-up waits for the next stored record before it gives up
/// (and is tried again).
const CATCH_UP_WAIT: Duration = Duration::from_secs(2);

/// The records of ticks not yet collected, and where the stream was last
/// read to.
pub(crate) struct Records {
    live: async_nats::Subscriber,
    stream: String,
    shards: usize,
    me: u32,
    /// Records by tick, one slot per shard.
    pending: BTreeMap<u64, Vec<Option<TickRecord>>>,
    /// The last stream sequence a catch-up read.
    read_to: u64,
    /// The count of connection losses at the last catch-up; `u64::MAX`
    /// asks for one before the next wait.
    caught_at: u64,
    /// The newest tick of this shard's own records the stream held when
    /// the shard started: up to it, its records are replays whose first
    /// copies others may have read before this process existed.
    replayed_to: Option<u64>,
    /// Stream sequences of this shard's own records, by tick, as their
    /// acknowledgements gave them (the last few).
    own: BTreeMap<u64, u64>,
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
    fn missing(&self, tick: u64) -> Vec<usize> {
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
    fn catch_up_from(&self, tick: u64) -> u64 {
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

impl Worker {
    /// Every shard's record of `tick` (this one's own already put in),
    /// waiting for them as long as it takes (said every second under
    /// `-v`), catching up from the stream when it must. While the server
    /// is unreachable it keeps trying; lost for longer than
    /// `--nats-timeout`, it gives up.
    pub(super) async fn records_of(
        &mut self,
        tick: u64,
    ) -> Result<Vec<TickRecord>, TransportError> {
        let url = self.opts.url.clone();
        let mut lost_since: Option<Instant> = None;
        loop {
            if let Some(all) = self.records.complete(tick) {
                return Ok(all);
            }
            let connected =
                self.client.connection_state() == async_nats::connection::State::Connected;
            let outages = self.outages.load(Ordering::SeqCst);
            let trouble = if !connected {
                Some("the NATS server is unreachable".to_string())
            } else if self.records.caught_at != outages {
                match self.catch_up(tick, outages).await {
                    Ok(()) => None,
                    Err(e) => Some(format!("cannot read the tick records: {e}")),
                }
            } else {
                match tokio::time::timeout(Duration::from_secs(1), self.records.live.next()).await {
                    Ok(Some(msg)) => {
                        let rec: TickRecord = decode(&msg.payload, &url)?;
                        if self.records.put(rec, tick)? {
                            self.records.caught_at = u64::MAX;
                        }
                        None
                    }
                    Ok(None) => Some("the tick records' subscription ended".to_string()),
                    Err(_) => {
                        lost_since = None;
                        let missing = self.records.missing(tick);
                        tracing::info!(
                            shard = self.opts.shard,
                            tick,
                            "waiting at the barrier for the records of shards {missing:?}"
                        );
                        // Cheap beside a second of waiting, and it finds a
                        // record whose live copy was lost.
                        self.records.caught_at = u64::MAX;
                        None
                    }
                }
            };
            if let Some(trouble) = trouble {
                let since = *lost_since.get_or_insert_with(Instant::now);
                tracing::info!(shard = self.opts.shard, tick, "{trouble}");
                if since.elapsed() >= self.opts.timeout {
                    return Err(failed(
                        &url,
                        "lost the server",
                        format!("{trouble} for {:?}", self.opts.timeout),
                    ));
                }
                tokio::time::sleep(RETRY).await;
            }
        }
    }

    /// Reads the records' stream from where a catch-up for `tick` may
    /// start to its last message as of now, with an ordered consumer made
    /// for this and dropped after.
    async fn catch_up(&mut self, tick: u64, outages: u64) -> Result<(), String> {
        let url = self.opts.url.clone();
        let from = self.records.catch_up_from(tick);
        let mut stream = self
            .js
            .get_stream(&self.records.stream)
            .await
            .map_err(|e| e.to_string())?;
        let state = stream
            .info()
            .await
            .map_err(|e| e.to_string())?
            .state
            .clone();
        let first_catch_up = self.records.read_to == 0;
        if state.messages > 0 && state.last_sequence >= from {
            let mut consumer = ordered(&self.js, &self.records.stream, from - 1)
                .await
                .map_err(|e| e.to_string())?;
            loop {
                let msg: jetstream::Message =
                    match tokio::time::timeout(CATCH_UP_WAIT, consumer.next()).await {
                        Ok(Some(Ok(m))) => m,
                        Ok(Some(Err(e))) => return Err(e.to_string()),
                        Ok(None) => return Err("the consumer ended".into()),
                        Err(_) => return Err(format!("nothing stored came in {CATCH_UP_WAIT:?}")),
                    };
                let info = msg.info().map_err(|e| e.to_string())?;
                let (seq, pending) = (info.stream_sequence, info.pending);
                let rec: TickRecord = decode(&msg.payload, &url).map_err(|e| e.to_string())?;
                if rec.shard == self.opts.shard {
                    self.trim.own_record(rec.tick, seq);
                    if first_catch_up {
                        self.records.replayed_to = Some(
                            self.records
                                .replayed_to
                                .map_or(rec.tick, |r| r.max(rec.tick)),
                        );
                    }
                }
                self.records.put(rec, tick).map_err(|e| e.to_string())?;
                self.records.read_to = seq;
                if seq >= state.last_sequence || pending == 0 {
                    break;
                }
            }
        }
        // Even with nothing read, later catch-ups need not look below.
        self.records.read_to = self.records.read_to.max(state.last_sequence);
        self.records.caught_at = outages;
        tracing::debug!(
            shard = self.opts.shard,
            tick,
            "caught up on the tick records from {from} to {}",
            self.records.read_to
        );
        Ok(())
    }
}

/// The live subscription on every shard's records of the run (the
/// connection does not echo this shard's own).
pub(super) async fn subscribe(
    client: &async_nats::Client,
    cluster: &str,
    run: &str,
    url: &str,
) -> Result<async_nats::Subscriber, TransportError> {
    client
        .subscribe(format!("skein.{cluster}.{run}.tick.*"))
        .await
        .map_err(|e| failed(url, "cannot subscribe to the tick records", e))
}

/// The name of the records' stream, for [`Records::new`].
pub(super) fn stream_name(cluster: &str, run: &str) -> String {
    ticks_stream(cluster, run)
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
