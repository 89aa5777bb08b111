//! The NATS side of a run's layout (and the options and encodings the
//! transport shares with it): the key-value bucket holding the run's
//! id, the streams of tick records and inboxes, and the ordered consumers
//! that read them, able to start again from where they had read.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use crate::run_info::RunInfo;
use crate::transport::TransportError;

/// How to reach the cluster.
#[derive(Debug, Clone)]
pub struct NatsOptions {
    /// The NATS server, as `nats://host:port`.
    pub url: String,
    /// `--cluster NAME`: letters, digits, `-` and `_`.
    pub cluster: String,
    /// This shard's number.
    pub shard: u32,
    /// How many shards the cluster has.
    pub shards: u32,
    /// How long the server may be unreachable before the shard gives up.
    pub timeout: Duration,
    /// The run a shard restarted from its autosave rejoins (its id, from
    /// the autosave), rather than starting or adopting a new one.
    pub resume: Option<String>,
}

pub(crate) fn failed(url: &str, what: &str, e: impl std::fmt::Display) -> TransportError {
    TransportError::Failed(format!("NATS at {url}: {what}: {e}"))
}

pub(crate) fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, TransportError> {
    postcard::to_allocvec(v)
        .map_err(|e| TransportError::Failed(format!("cannot encode a message: {e}")))
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    url: &str,
) -> Result<T, TransportError> {
    postcard::from_bytes(bytes).map_err(|e| failed(url, "a message that does not decode", e))
}

/// The value under `run` in the cluster's bucket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RunEntry {
    pub(crate) id: String,
    pub(crate) ended: bool,
    pub(crate) info: RunInfo,
}

pub(crate) fn ticks_stream(cluster: &str, run: &str) -> String {
    format!("skein-{cluster}-{run}-ticks")
}

pub(crate) fn inbox_stream(cluster: &str, run: &str, shard: u32) -> String {
    format!("skein-{cluster}-{run}-in-{shard}")
}

/// A run id no earlier run of this cluster had: the wall clock and the
/// process id.
/// A fresh run id (what shard 0 writes in the bucket).
pub fn new_run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}{:x}", std::process::id())
}

pub(crate) async fn create_streams(
    js: &jetstream::Context,
    opts: &NatsOptions,
    run: &str,
) -> Result<(), async_nats::Error> {
    let c = &opts.cluster;
    js.get_or_create_stream(stream::Config {
        name: ticks_stream(c, run),
        subjects: vec![format!("skein.{c}.{run}.tick.*")],
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await?;
    for k in 0..opts.shards.max(1) {
        js.get_or_create_stream(stream::Config {
            name: inbox_stream(c, run, k),
            subjects: vec![format!("skein.{c}.{run}.in.{k}")],
            storage: stream::StorageType::File,
            ..Default::default()
        })
        .await?;
    }
    Ok(())
}

/// The cluster's key-value bucket, made as the key-value API makes one (a
/// stream `KV_NAME` on `$KV.NAME.>` keeping one value per key) but without
/// the account query that async-nats's `create_key_value` starts with,
/// whose answer from a 2.9 server it cannot read.
pub(crate) async fn open_bucket(
    js: &jetstream::Context,
    bucket: &str,
) -> Result<jetstream::kv::Store, async_nats::Error> {
    let name = format!("KV_{bucket}");
    let made = js
        .get_or_create_stream(stream::Config {
            name: name.clone(),
            subjects: vec![format!("$KV.{bucket}.>")],
            max_messages_per_subject: 1,
            discard: stream::DiscardPolicy::New,
            allow_rollup: true,
            deny_delete: true,
            allow_direct: true,
            storage: stream::StorageType::File,
            ..Default::default()
        })
        .await;
    // Every shard opens the bucket as it starts; when two create it at the
    // same moment, the server refuses the second ("subjects overlap"), and
    // the stream the first made is the one to use.
    if let Err(e) = made {
        js.get_stream(&name).await.map_err(|_| e)?;
    }
    Ok(js.get_key_value(bucket).await?)
}

/// Waits for shard 0 to write a run that has not ended, and takes it.
/// The run the bucket holds now, if any.
pub(crate) async fn current_run(
    kv: &jetstream::kv::Store,
    url: &str,
) -> Result<Option<RunEntry>, TransportError> {
    match kv.get("run").await {
        Ok(Some(bytes)) => Ok(Some(decode(&bytes, url)?)),
        Ok(None) => Ok(None),
        Err(e) => Err(failed(url, "cannot read the run id", e)),
    }
}

pub(crate) async fn adopt_run(
    kv: &jetstream::kv::Store,
    url: &str,
) -> Result<RunEntry, TransportError> {
    let mut watch = kv
        .watch_with_history("run")
        .await
        .map_err(|e| failed(url, "cannot watch the run id", e))?;
    loop {
        let entry = match watch.next().await {
            Some(Ok(e)) => e,
            Some(Err(e)) => return Err(failed(url, "watching the run id", e)),
            None => return Err(failed(url, "watching the run id", "the watch ended")),
        };
        if entry.operation != jetstream::kv::Operation::Put {
            continue;
        }
        let run: RunEntry = decode(&entry.value, url)?;
        if !run.ended {
            tracing::debug!(run = %run.id, "adopted the run");
            return Ok(run);
        }
        tracing::info!("waiting for shard 0 to start a run");
    }
}

/// An ordered pull consumer of one stream (the server pushes; nothing
/// polls), with the stream sequence it has read to, so it can be made again
/// from there after the connection was lost.
pub(crate) struct Reader {
    stream: String,
    messages: consumer::pull::Ordered,
    /// The last stream sequence delivered.
    pub(crate) read_to: u64,
    /// The count of connection losses when it was made.
    pub(crate) made_at: u64,
}

impl Reader {
    pub(crate) async fn open(
        js: &jetstream::Context,
        stream: String,
        outages: &AtomicU64,
    ) -> Result<Reader, async_nats::Error> {
        let made_at = outages.load(Ordering::SeqCst);
        let messages = ordered(js, &stream, 0).await?;
        Ok(Reader {
            stream,
            messages,
            read_to: 0,
            made_at,
        })
    }

    pub(crate) async fn reopen(
        &mut self,
        js: &jetstream::Context,
        outages: u64,
    ) -> Result<(), async_nats::Error> {
        self.messages = ordered(js, &self.stream, self.read_to).await?;
        self.made_at = outages;
        Ok(())
    }

    pub(crate) async fn next(&mut self) -> Result<jetstream::Message, String> {
        match self.messages.next().await {
            Some(Ok(m)) => {
                if let Ok(info) = m.info() {
                    self.read_to = info.stream_sequence;
                }
                Ok(m)
            }
            Some(Err(e)) => Err(e.to_string()),
            None => Err("the consumer ended".into()),
        }
    }
}

/// An ordered consumer of `stream` from the message after `after`.
pub(crate) async fn ordered(
    js: &jetstream::Context,
    stream: &str,
    after: u64,
) -> Result<consumer::pull::Ordered, async_nats::Error> {
    let s = js.get_stream(stream).await?;
    let deliver_policy = if after == 0 {
        consumer::DeliverPolicy::All
    } else {
        consumer::DeliverPolicy::ByStartSequence {
            start_sequence: after + 1,
        }
    };
    let consumer = s
        .create_consumer(consumer::pull::OrderedConfig {
            deliver_policy,
            ..Default::default()
        })
        .await?;
    Ok(consumer.messages().await?)
}
