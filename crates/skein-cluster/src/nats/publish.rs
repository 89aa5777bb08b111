//! Publishing a tick: its messages bundled per destination, then its
//! record — into the records' stream, or live only if it is quiet — and
//! waiting for their acknowledgements, sending it all again (same
//! `Nats-Msg-Id`s) while any is missing.

use std::time::Instant;

use async_nats::jetstream::context::PublishAckFuture;

use super::{ACK_WAIT, Worker};
use crate::nats_bundle::{bundles, wait_acks};
use crate::nats_quiet::{Stamped, is_quiet};
use crate::nats_streams::encode;
use crate::transport::{Envelope, TickRecord, TransportError};

impl Worker {
    /// Sends this tick's messages, bundled per destination, then its
    /// record — into the stream, or live only if it is quiet — without
    /// waiting for their acknowledgements: [`Self::settle`] collects those
    /// while the other shards' records come in.
    pub(super) async fn publish(
        &mut self,
        messages: Vec<Envelope>,
        record: TickRecord,
    ) -> Result<(), TransportError> {
        let mut out = Vec::new();
        for bundle in bundles(messages) {
            let first = &bundle[0];
            let key = format!("{}.{}.{}.{}", self.run, first.from, first.tick, first.seq);
            out.push((self.subject("in", first.to), key, encode(&bundle)?));
        }
        if self.own_stored.is_none() {
            self.own_stored = Some(self.own_stored_before(record.tick).await?);
        }
        let last = self.entry.info.ticks.and_then(|t| t.checked_sub(1));
        let quiet = is_quiet(&record, self.last_saved, last);
        self.last_saved = Some(record.saved);
        let (shard, tick) = (record.shard, record.tick);
        let stamped = Stamped {
            record,
            stored_before: self.own_stored.flatten(),
        };
        let bytes = encode(&stamped)?;
        self.own = Some(stamped.record);
        self.storing = None;
        if quiet {
            // Nothing to store: it has no messages either. On the wire
            // before the tick loop goes on (it may not drive this runtime
            // again until its barrier): one yield lets the connection's
            // task write it, where awaiting a flush under a timeout would
            // cost each quiet tick a timer and a wake-up through the
            // driver. One lost with the connection is sent again on a
            // hello or each second of waiting.
            self.newest = Some(bytes);
            self.republish().await;
            tokio::task::yield_now().await;
            return Ok(());
        }
        // On one connection the record follows its messages: a shard that
        // has it finds them stored or about to be (it waits for as many as
        // the record counts).
        let key = format!("{}.{shard}.{tick}.record", self.run);
        out.push((self.subject("tick", shard), key, bytes.clone()));
        self.newest = Some(bytes);
        self.storing = Some(tick);
        // The next record goes out only once this one is acknowledged.
        self.own_stored = Some(Some(tick));
        match self.send(&out).await {
            Ok(acks) => self.acks = acks,
            Err(e) => {
                tracing::info!(shard = self.opts.shard, "publishing again: {e}");
                self.acks.clear();
            }
        }
        self.unacked = out;
        Ok(())
    }

    /// Waits for the acknowledgements of what [`Self::publish`] sent,
    /// publishing it all again (same `Nats-Msg-Id`s, so the server keeps
    /// one copy, and receivers drop repeats by key) while any is missing,
    /// for up to `--nats-timeout` from the first failure.
    pub(super) async fn settle(&mut self) -> Result<(), TransportError> {
        if self.unacked.is_empty() {
            return Ok(());
        }
        let mut lost_since: Option<Instant> = None;
        let mut acks = std::mem::take(&mut self.acks);
        loop {
            let outcome = if acks.len() == self.unacked.len() {
                wait_acks(acks).await
            } else {
                Err("not all sent".to_string())
            };
            match outcome {
                Ok(record_seq) => {
                    self.unacked.clear();
                    if let Some(tick) = self.storing.take() {
                        self.trim.own_record(tick, record_seq);
                    }
                    return Ok(());
                }
                Err(e) => {
                    tracing::info!(shard = self.opts.shard, "publishing again: {e}");
                    self.pause_or_give_up(&mut lost_since, || {
                        format!("no acknowledgement for {:?}: {e}", self.opts.timeout)
                    })
                    .await?;
                    acks = self.send(&self.unacked).await.unwrap_or_default();
                }
            }
        }
    }

    /// Hands `batch` to the connection, returning the acknowledgements to
    /// wait for.
    async fn send(
        &self,
        batch: &[(String, String, Vec<u8>)],
    ) -> Result<Vec<PublishAckFuture>, String> {
        let mut acks = Vec::with_capacity(batch.len());
        for (subject, key, bytes) in batch {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", key.as_str());
            let publish =
                self.js
                    .publish_with_headers(subject.clone(), headers, bytes.clone().into());
            match tokio::time::timeout(ACK_WAIT, publish).await {
                Ok(Ok(ack)) => acks.push(ack),
                Ok(Err(e)) => return Err(format!("cannot publish: {e}")),
                Err(_) => return Err(format!("cannot publish in {ACK_WAIT:?}")),
            }
        }
        Ok(acks)
    }
}
