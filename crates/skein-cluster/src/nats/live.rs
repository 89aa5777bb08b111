//! Tick records read live: a plain NATS subscription on the records'
//! subjects delivers every other shard's record as it is published (a core
//! delivery costs the server far less than a JetStream consumer's), while
//! the records still go into their stream, acknowledged, for whoever must
//! catch up. The stream is read only then: at the first barrier after a
//! (re)start, after the connection was lost, when a gap shows (a shard's
//! record of a later tick came but not the one waited for) or after a
//! second of waiting. Records are keyed by (shard, tick), so one seen both
//! live and in the stream counts once.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use futures_util::StreamExt;

use super::Worker;
use crate::nats_streams::{decode, failed, ordered, ticks_stream};
use crate::transport::{TickRecord, TransportError};

/// How long a catch-up waits for the next stored record before it gives up
/// (and is tried again).
const CATCH_UP_WAIT: Duration = Duration::from_secs(2);

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
                self.retry_after(tick, &mut lost_since, trouble).await?;
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
