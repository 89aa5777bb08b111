//! Starting a shard's connection: connect with the reconnect settings an
//! outage needs, agree on the run (shard 0 creates it, the others adopt it
//! and must match it) and open the two consumers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_nats::jetstream;

use super::{ACK_WAIT, Worker, live};
use crate::nats_records::Records;
use crate::nats_streams::{
    NatsOptions, Reader, RunEntry, adopt_run, create_streams, current_run, failed, inbox_stream,
    new_run_id, open_bucket,
};
use crate::nats_trim::Trim;
use crate::run_info::RunInfo;
use crate::transport::{HighWater, TransportError};
use std::collections::BTreeMap;

impl Worker {
    pub(super) async fn start(opts: NatsOptions, info: RunInfo) -> Result<Worker, TransportError> {
        let url = opts.url.clone();
        let outages = Arc::new(AtomicU64::new(0));
        let seen = outages.clone();
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(opts.timeout)
            // A shard's own tick records are not delivered back to it: it
            // has them already.
            .no_echo()
            // Every subject is made here from the run id, shard numbers
            // and a cluster name checked to be letters, digits, '-' and
            // '_': checking each again on every publish is work for
            // nothing, once a tick.
            .skip_subject_validation(true)
            // An outage lasts as long as `--nats-timeout` allows, not as
            // long as the client's own retry count would.
            .max_reconnects(None)
            // The client's default backs off to 4 s between attempts; the
            // shards wait at the barrier meanwhile, so try more often.
            .reconnect_delay_callback(|attempts| {
                Duration::from_millis((50 * attempts as u64).min(500))
            })
            .event_callback(move |event| {
                let seen = seen.clone();
                async move {
                    if matches!(event, async_nats::Event::Disconnected) {
                        seen.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
            .connect(url.as_str())
            .await
            .map_err(|e| failed(&url, "cannot connect", e))?;
        let mut js = jetstream::new(client.clone());
        // A publish lost with the connection is sent again after this long.
        js.set_timeout(ACK_WAIT);
        let bucket = format!("skein-{}", opts.cluster);
        let kv = open_bucket(&js, &bucket)
            .await
            .map_err(|e| failed(&url, "cannot open the run bucket", e))?;
        let current = match &opts.resume {
            Some(_) => current_run(&kv, &url).await?,
            None => None,
        };
        // Shard 0 chose the run's id before creating it: if it died before
        // the bucket held it, it creates it now.
        let create = opts.shard == 0
            && (opts.resume.is_none() || current.as_ref().map(|e| &e.id) != opts.resume.as_ref());
        let entry = if let (Some(id), false) = (&opts.resume, create) {
            let entry = current;
            if entry.as_ref().map(|e| &e.id) != Some(id) {
                return Err(TransportError::Mismatch(format!(
                    "the autosave is of run {id}, which is not the cluster's current run{}",
                    entry.map_or(String::new(), |e| format!(" ({})", e.id))
                )));
            }
            entry.expect("checked above")
        } else if create {
            let id = opts.resume.clone().unwrap_or_else(new_run_id);
            let entry = RunEntry {
                id: id.clone(),
                ended: false,
                info: info.clone(),
            };
            create_streams(&js, &opts, &id)
                .await
                .map_err(|e| failed(&url, "cannot create the run's streams", e))?;
            let bytes = postcard::to_allocvec(&entry)
                .map_err(|e| TransportError::Failed(format!("cannot encode the run: {e}")))?;
            kv.put("run", bytes.into())
                .await
                .map_err(|e| failed(&url, "cannot write the run id", e))?;
            entry
        } else {
            adopt_run(&kv, &url).await?
        };
        if let Some(diff) = entry.info.difference(&info) {
            return Err(TransportError::Mismatch(format!(
                "shard {} differs from shard 0 of run {}: {diff}",
                opts.shard, entry.id
            )));
        }
        let run = entry.id.clone();
        // Subscribed before anything is read from the stream, so a record
        // is either stored before the first catch-up reads to its end or
        // delivered live.
        let live = live::subscribe(&client, &opts.cluster, &run, &url).await?;
        let n = opts.shards.max(1) as usize;
        let records = Records::new(live, live::stream_name(&opts.cluster, &run), n, opts.shard);
        let inbox_name = inbox_stream(&opts.cluster, &run, opts.shard);
        let inbox = Reader::open(&js, inbox_name, &outages)
            .await
            .map_err(|e| failed(&url, "cannot read this shard's inbox", e))?;
        Ok(Worker {
            opts,
            client,
            js,
            kv,
            entry,
            run,
            records,
            inbox,
            outages,
            pending_inbox: BTreeMap::new(),
            pending_keys: BTreeMap::new(),
            trim: Trim::default(),
            high: HighWater::new(n),
            own: None,
            newest: None,
            last_saved: None,
            own_stored: None,
            storing: None,
            helloed_at: u64::MAX,
            unacked: Vec::new(),
            acks: Vec::new(),
            waiting: Box::pin(tokio::time::sleep(super::WAIT_SAY)),
        })
    }
}
