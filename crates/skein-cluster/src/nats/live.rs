//! Tick records read live: a plain NATS subscription on the records'
//! subjects delivers every other shard's record as it is published (a core
//! delivery costs the server far less than a JetStream consumer's). Records
//! that say something a replay could not rebuild also go into their
//! stream, acknowledged; quiet ones go out live only, and each record says
//! which of its shard's ticks before it were quiet. The stream is read only
//! to catch up: at the first barrier after a (re)start, after the
//! connection was lost, when a record shows that one missed is stored, or
//! after a second of waiting. A shard that (re)starts or reconnects says
//! hello, and every shard that hears it sends its newest record again; a
//! waiting shard also sends it again each second. Records are keyed by
//! (shard, tick), so one seen both live and in the stream counts once.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer};
use futures_util::StreamExt;

use super::Worker;
use crate::nats_quiet::Stamped;
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
        let mut lost_since: Option<Instant> = None;
        loop {
            if let Some(all) = self.records.book.complete(tick) {
                return Ok(all);
            }
            let connected =
                self.client.connection_state() == async_nats::connection::State::Connected;
            let outages = self.outages.load(Ordering::SeqCst);
            if connected && self.helloed_at != outages {
                // Records sent live while this shard was away are not in
                // the stream: whoever hears this sends its newest again.
                let hello = self.subject("tick", self.opts.shard) + ".hello";
                if self.client.publish(hello, Vec::new().into()).await.is_ok() {
                    self.helloed_at = outages;
                }
            }
            let trouble = if !connected {
                Some("the NATS server is unreachable".to_string())
            } else if self.records.caught_at != outages {
                match self.catch_up(tick, outages).await {
                    Ok(()) => None,
                    Err(e) => Some(format!("cannot read the tick records: {e}")),
                }
            } else {
                match super::within(&mut self.waiting, self.records.live.next()).await {
                    Some(Some(msg)) => {
                        self.take_live(msg, tick).await?;
                        None
                    }
                    Some(None) => Some("the tick records' subscription ended".to_string()),
                    None => {
                        lost_since = None;
                        let missing = self.records.book.missing(tick);
                        tracing::info!(
                            shard = self.opts.shard,
                            tick,
                            "waiting at the barrier for the records of shards {missing:?}"
                        );
                        // A shard that missed this one's newest record
                        // (its hello lost) gets it again.
                        self.republish().await;
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

    /// Takes one message of the records' subscription while `tick` is
    /// awaited: a hello is answered with this shard's newest record, a
    /// record is put in (and a catch-up asked for when it shows that one
    /// missed is in the stream).
    pub(super) async fn take_live(
        &mut self,
        msg: async_nats::Message,
        tick: u64,
    ) -> Result<(), TransportError> {
        if msg.subject.ends_with(".hello") {
            self.republish().await;
            return Ok(());
        }
        let stamped: Stamped = decode(&msg.payload, &self.opts.url)?;
        if self.records.book.put(stamped, tick)? {
            self.records.caught_at = u64::MAX;
        }
        Ok(())
    }

    /// Sends this shard's newest record again, live only (a core publish:
    /// never stored twice). A failure is left to the next hello or second.
    pub(super) async fn republish(&self) {
        let Some(bytes) = &self.newest else {
            return;
        };
        let subject = self.subject("tick", self.opts.shard) + ".live";
        if let Err(e) = self.client.publish(subject, bytes.clone().into()).await {
            tracing::info!(shard = self.opts.shard, "cannot send the tick record: {e}");
        }
    }

    /// The tick of this shard's newest record in the stream before `tick`,
    /// the first this process publishes: what its first record vouches
    /// from. Every record of an earlier tick that was not quiet is there
    /// (each was acknowledged before the autosave this process resumed
    /// from was taken), unless trimmed away below every shard's newest
    /// autosave, where no shard replays.
    pub(super) async fn own_stored_before(&self, tick: u64) -> Result<Option<u64>, TransportError> {
        if tick == 0 {
            return Ok(None);
        }
        let mut lost_since: Option<Instant> = None;
        loop {
            match self.scan_own(tick).await {
                Ok(found) => return Ok(found),
                Err(e) => {
                    let trouble = format!("cannot read this shard's stored records: {e}");
                    self.retry_after(tick, &mut lost_since, trouble).await?;
                }
            }
        }
    }

    async fn scan_own(&self, tick: u64) -> Result<Option<u64>, String> {
        let subject = self.subject("tick", self.opts.shard);
        let stream = self
            .js
            .get_stream(&self.records.stream)
            .await
            .map_err(|e| e.to_string())?;
        let last = match stream.get_last_raw_message_by_subject(&subject).await {
            Ok(m) => m.sequence,
            Err(e) if e.kind() == jetstream::stream::LastRawMessageErrorKind::NoMessageFound => {
                return Ok(None);
            }
            Err(e) => return Err(e.to_string()),
        };
        let mut messages = stream
            .create_consumer(consumer::pull::OrderedConfig {
                filter_subject: subject,
                ..Default::default()
            })
            .await
            .map_err(|e| e.to_string())?
            .messages()
            .await
            .map_err(|e| e.to_string())?;
        let mut newest = None;
        loop {
            let msg = match tokio::time::timeout(CATCH_UP_WAIT, messages.next()).await {
                Ok(Some(Ok(m))) => m,
                Ok(Some(Err(e))) => return Err(e.to_string()),
                Ok(None) => return Err("the consumer ended".into()),
                Err(_) => return Err(format!("nothing stored came in {CATCH_UP_WAIT:?}")),
            };
            let seq = msg.info().map_err(|e| e.to_string())?.stream_sequence;
            let rec: Stamped = decode(&msg.payload, &self.opts.url).map_err(|e| e.to_string())?;
            if rec.record.tick < tick {
                newest = newest.max(Some(rec.record.tick));
            }
            if seq >= last {
                return Ok(newest);
            }
        }
    }

    /// Reads the records' stream from where a catch-up may start to its
    /// last message as of now, with an ordered consumer made for this and
    /// dropped after.
    async fn catch_up(&mut self, tick: u64, outages: u64) -> Result<(), String> {
        let url = self.opts.url.clone();
        let from = self.records.catch_up_from();
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
                let rec: Stamped = decode(&msg.payload, &url).map_err(|e| e.to_string())?;
                if rec.record.shard == self.opts.shard {
                    self.trim.own_record(rec.record.tick, seq);
                }
                self.records
                    .book
                    .put(rec, tick)
                    .map_err(|e| e.to_string())?;
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

/// The live subscription on every shard's records of the run, stored or
/// live only, and their hellos (the connection does not echo this shard's
/// own).
pub(super) async fn subscribe(
    client: &async_nats::Client,
    cluster: &str,
    run: &str,
    url: &str,
) -> Result<async_nats::Subscriber, TransportError> {
    client
        .subscribe(format!("skein.{cluster}.{run}.tick.>"))
        .await
        .map_err(|e| failed(url, "cannot subscribe to the tick records", e))
}

/// The name of the records' stream, for [`Records::new`].
pub(super) fn stream_name(cluster: &str, run: &str) -> String {
    ticks_stream(cluster, run)
}
