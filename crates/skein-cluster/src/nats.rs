//! The transport on NATS JetStream (server 2.9 or newer). Its I/O runs on a
//! tokio runtime on a thread of its own; the synchronous tick loop hands it
//! a command at each tick boundary and sleeps on the answer.
//!
//! Layout, for cluster `C` and run `R` (a fresh id shard 0 writes, under key
//! `run`, in the key-value bucket `skein-C`, where the others adopt it):
//! - stream `skein-C-R-ticks` (subjects `skein.C.R.tick.K`): tick records;
//! - stream `skein-C-R-in-K` (subject `skein.C.R.in.K`): shard K's inbox.
//!
//! Every shard reads all tick records and its own inbox with ordered pull
//! consumers (the server pushes; nothing polls). Each message carries its
//! key in a `Nats-Msg-Id` header (run, sending shard, sending tick,
//! sequence) as well as in the envelope, and the receiver's high-water
//! marks drop any key it has already taken.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use tokio::sync::mpsc;

pub use crate::nats_streams::NatsOptions;
pub use crate::nats_streams::new_run_id;
use crate::nats_streams::{
    Reader, RunEntry, adopt_run, create_streams, current_run, decode, encode, failed, inbox_stream,
    open_bucket, ticks_stream,
};
use crate::nats_trim::{Trim, purge};
use crate::run_info::RunInfo;
use crate::transport::{Envelope, HighWater, TickRecord, Transport, TransportError};

/// Publishes in flight before their acknowledgements are collected.
const ACK_BATCH: usize = 256;

/// How long a publish waits for its acknowledgement before it is sent
/// again (under the same `Nats-Msg-Id`, so the server keeps one copy).
const ACK_WAIT: Duration = Duration::from_secs(2);

/// Between attempts while the server is unreachable.
const RETRY: Duration = Duration::from_millis(200);

enum Command {
    Publish(
        Vec<Envelope>,
        TickRecord,
        std_mpsc::Sender<Result<(), TransportError>>,
    ),
    Collect(u64, std_mpsc::Sender<Collected>),
    /// Raise the high-water marks to a save's.
    Resume(Vec<u64>),
    /// The shard's newest autosave on disk is of this boundary and holds
    /// the inbox below this stream sequence.
    Saved(u64, Option<u64>),
    /// Where the inbox stands, for an autosave about to be taken.
    Mark(std_mpsc::Sender<u64>),
    /// The first stream sequence the inbox still holds.
    InboxFirst(std_mpsc::Sender<Result<u64, TransportError>>),
    End(std_mpsc::Sender<Result<(), TransportError>>),
}

/// Which consumer to read.
#[derive(Clone, Copy)]
enum Which {
    Records,
    Inbox,
}

type Collected = Result<(Vec<TickRecord>, Vec<Envelope>), TransportError>;

/// One shard's connection to the cluster.
pub struct NatsTransport {
    commands: mpsc::UnboundedSender<Command>,
    thread: Option<std::thread::JoinHandle<()>>,
    run: String,
    /// The worker's marks as of the last collect, for the shard's save.
    high: HighWater,
}

impl NatsTransport {
    /// Connects, agrees on the run (shard 0 starts one; the others wait for
    /// it and check that `info` matches theirs) and opens the consumers.
    pub fn connect(opts: NatsOptions, info: RunInfo) -> Result<NatsTransport, TransportError> {
        if opts.cluster.is_empty()
            || !opts
                .cluster
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(TransportError::Mismatch(format!(
                "--cluster {:?}: use letters, digits, '-' and '_'",
                opts.cluster
            )));
        }
        let n = opts.shards.max(1) as usize;
        let (tx, rx) = mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = std_mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(format!("nats-shard-{}", opts.shard))
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(TransportError::Failed(format!(
                            "cannot start the NATS runtime: {e}"
                        ))));
                        return;
                    }
                };
                rt.block_on(async move {
                    match Worker::start(opts, info).await {
                        Ok(worker) => {
                            let _ = ready_tx.send(Ok(worker.run.clone()));
                            worker.serve(rx).await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })
            .map_err(|e| TransportError::Failed(format!("cannot start the NATS thread: {e}")))?;
        let run = ready_rx
            .recv()
            .map_err(|_| TransportError::Failed("the NATS thread stopped".into()))??;
        Ok(NatsTransport {
            commands: tx,
            thread: Some(thread),
            run,
            high: HighWater::new(n),
        })
    }

    /// The run's id.
    pub fn run_id(&self) -> &str {
        &self.run
    }

    fn ask<R>(
        &self,
        make: impl FnOnce(std_mpsc::Sender<R>) -> Command,
    ) -> Result<R, TransportError> {
        let (tx, rx) = std_mpsc::channel();
        self.commands
            .send(make(tx))
            .map_err(|_| TransportError::Failed("the NATS thread stopped".into()))?;
        rx.recv()
            .map_err(|_| TransportError::Failed("the NATS thread stopped".into()))
    }

    /// The first stream sequence this shard's inbox still holds: a shard
    /// resumed from an autosave that needs an earlier one cannot go on.
    pub fn inbox_first(&self) -> Result<u64, TransportError> {
        self.ask(Command::InboxFirst)?
    }

    /// Marks the run ended in the bucket (shard 0, once the cluster has
    /// ended), so the next run with this cluster name starts afresh.
    pub fn end_run(&self) -> Result<(), TransportError> {
        self.ask(Command::End)?
    }
}

impl Drop for NatsTransport {
    fn drop(&mut self) {
        // Closing the command channel ends the worker's loop.
        let (tx, _) = mpsc::unbounded_channel();
        drop(std::mem::replace(&mut self.commands, tx));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Transport for NatsTransport {
    fn publish(
        &mut self,
        messages: Vec<Envelope>,
        record: TickRecord,
    ) -> Result<(), TransportError> {
        self.ask(|tx| Command::Publish(messages, record, tx))?
    }

    fn collect(&mut self, tick: u64) -> Collected {
        let (records, messages) = self.ask(|tx| Command::Collect(tick, tx))??;
        for m in &messages {
            if let Some(h) = self.high.0.get_mut(m.from as usize) {
                *h = (*h).max(m.seq);
            }
        }
        Ok((records, messages))
    }

    fn high_water(&self) -> Option<&HighWater> {
        Some(&self.high)
    }

    fn resume_high_water(&mut self, taken: &[u64]) {
        self.high.raise(taken);
        let _ = self.commands.send(Command::Resume(taken.to_vec()));
    }

    fn inbox_mark(&mut self) -> Result<Option<u64>, TransportError> {
        self.ask(Command::Mark).map(Some)
    }

    fn saved(&mut self, boundary: u64, inbox_from: Option<u64>) {
        let _ = self.commands.send(Command::Saved(boundary, inbox_from));
    }
}

/// The async side: the JetStream context, the two consumers and what they
/// delivered ahead of the tick being collected.
struct Worker {
    opts: NatsOptions,
    client: async_nats::Client,
    js: jetstream::Context,
    kv: jetstream::kv::Store,
    entry: RunEntry,
    run: String,
    records: Reader,
    inbox: Reader,
    /// How many times the connection has been lost: a consumer made before
    /// the last loss is made again from where it had read to.
    outages: Arc<AtomicU64>,
    /// Records by tick, one slot per shard.
    pending_records: BTreeMap<u64, Vec<Option<TickRecord>>>,
    /// Inbox messages by sending tick.
    pending_inbox: BTreeMap<u64, Vec<Envelope>>,
    /// Keys of the messages in `pending_inbox`, with their stream
    /// sequences.
    pending_keys: BTreeMap<(u32, u64), u64>,
    trim: Trim,
    high: HighWater,
}

impl Worker {
    async fn start(opts: NatsOptions, info: RunInfo) -> Result<Worker, TransportError> {
        let url = opts.url.clone();
        let outages = Arc::new(AtomicU64::new(0));
        let seen = outages.clone();
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(opts.timeout)
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
        let records = Reader::open(&js, ticks_stream(&opts.cluster, &run), &outages)
            .await
            .map_err(|e| failed(&url, "cannot read the tick records", e))?;
        let inbox_name = inbox_stream(&opts.cluster, &run, opts.shard);
        let inbox = Reader::open(&js, inbox_name, &outages)
            .await
            .map_err(|e| failed(&url, "cannot read this shard's inbox", e))?;
        let n = opts.shards.max(1) as usize;
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
            pending_records: BTreeMap::new(),
            pending_inbox: BTreeMap::new(),
            pending_keys: BTreeMap::new(),
            trim: Trim::default(),
            high: HighWater::new(n),
        })
    }

    async fn serve(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        while let Some(cmd) = commands.recv().await {
            match cmd {
                Command::Publish(messages, record, reply) => {
                    let _ = reply.send(self.publish(messages, record).await);
                }
                Command::Collect(tick, reply) => {
                    let _ = reply.send(self.collect(tick).await);
                }
                Command::Resume(taken) => self.high.raise(&taken),
                Command::Saved(boundary, below) => self.saved(boundary, below).await,
                Command::Mark(tx) => {
                    let _ = tx.send(self.inbox_mark());
                }
                Command::InboxFirst(tx) => {
                    let _ = tx.send(self.inbox_first().await);
                }
                Command::End(reply) => {
                    let _ = reply.send(self.end().await);
                }
            }
        }
    }

    fn subject(&self, kind: &str, shard: u32) -> String {
        format!("skein.{}.{}.{kind}.{shard}", self.opts.cluster, self.run)
    }

    async fn publish(
        &mut self,
        messages: Vec<Envelope>,
        record: TickRecord,
    ) -> Result<(), TransportError> {
        let mut out = Vec::with_capacity(messages.len());
        for m in &messages {
            let key = format!("{}.{}.{}.{}", self.run, m.from, m.tick, m.seq);
            out.push((self.subject("in", m.to), key, encode(m)?));
        }
        // The record goes after its messages are acknowledged: a shard that
        // has it may count on finding them.
        for batch in out.chunks(ACK_BATCH) {
            self.publish_batch(batch).await?;
        }
        let key = format!("{}.{}.{}.record", self.run, record.shard, record.tick);
        let rec = (self.subject("tick", record.shard), key, encode(&record)?);
        self.publish_batch(std::slice::from_ref(&rec)).await
    }

    /// Publishes `batch` until every message of it is acknowledged, sending
    /// it all again while the server is unreachable (its `Nats-Msg-Id`s let
    /// the server keep one copy, and receivers drop repeats by key), for up
    /// to `--nats-timeout` from the first failure.
    async fn publish_batch(
        &self,
        batch: &[(String, String, Vec<u8>)],
    ) -> Result<(), TransportError> {
        let mut lost_since: Option<Instant> = None;
        loop {
            match self.try_batch(batch).await {
                Ok(()) => return Ok(()),
                Err(e) => {
                    let since = *lost_since.get_or_insert_with(Instant::now);
                    tracing::info!(shard = self.opts.shard, "publishing again: {e}");
                    if since.elapsed() >= self.opts.timeout {
                        return Err(failed(
                            &self.opts.url,
                            "lost the server",
                            format!("no acknowledgement for {:?}: {e}", self.opts.timeout),
                        ));
                    }
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    }

    async fn try_batch(&self, batch: &[(String, String, Vec<u8>)]) -> Result<(), String> {
        let mut acks = Vec::with_capacity(batch.len());
        for (subject, key, bytes) in batch {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", key.as_str());
            let publish =
                self.js
                    .publish_with_headers(subject.clone(), headers, bytes.clone().into());
            let ack = match tokio::time::timeout(ACK_WAIT, publish).await {
                Ok(Ok(ack)) => ack,
                Ok(Err(e)) => return Err(format!("cannot publish: {e}")),
                Err(_) => return Err(format!("cannot publish in {ACK_WAIT:?}")),
            };
            acks.push(ack);
        }
        for ack in acks {
            match tokio::time::timeout(ACK_WAIT * 2, ack).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(format!("publish not acknowledged: {e}")),
                Err(_) => return Err(format!("no acknowledgement in {:?}", ACK_WAIT * 2)),
            }
        }
        Ok(())
    }

    async fn collect(&mut self, tick: u64) -> Collected {
        let n = self.opts.shards.max(1) as usize;
        let me = self.opts.shard as usize;
        let url = self.opts.url.clone();
        let records = loop {
            if let Some(all) = self
                .pending_records
                .get(&tick)
                .and_then(|slots| slots.iter().cloned().collect::<Option<Vec<_>>>())
            {
                break all;
            }
            let missing: Vec<usize> = match self.pending_records.get(&tick) {
                Some(slots) => (0..n).filter(|k| slots[*k].is_none()).collect(),
                None => (0..n).collect(),
            };
            let msg = self
                .wait_next(
                    Which::Records,
                    tick,
                    &format!("the records of shards {missing:?}"),
                )
                .await?;
            let rec: TickRecord = decode(&msg.payload, &url)?;
            if rec.shard as usize == me
                && let Ok(info) = msg.info()
            {
                self.trim.own_record(rec.tick, info.stream_sequence);
            }
            if rec.shard as usize >= n || rec.sent.len() != n {
                return Err(TransportError::Failed(format!(
                    "a tick record for {} shards in a cluster of {n}",
                    rec.sent.len()
                )));
            }
            if rec.tick >= tick {
                let slots = self
                    .pending_records
                    .entry(rec.tick)
                    .or_insert_with(|| vec![None; n]);
                let at = rec.shard as usize;
                slots[at] = Some(rec);
            }
        };
        self.pending_records.remove(&tick);
        if let Some(below) = self.trim.records_cut(&records) {
            let stream = ticks_stream(&self.opts.cluster, &self.run);
            let filter = self.subject("tick", self.opts.shard);
            self.let_go(&stream, Some(&filter), below).await;
        }
        let expected: u64 = records.iter().map(|r| r.sent[me]).sum();
        loop {
            let have = self.pending_inbox.get(&tick).map_or(0, |v| v.len()) as u64;
            if have >= expected {
                break;
            }
            let msg = self
                .wait_next(Which::Inbox, tick, "messages to this shard")
                .await?;
            let env: Envelope = decode(&msg.payload, &url)?;
            let at = msg.info().map_or(0, |i| i.stream_sequence);
            // A replay (a restarted sender publishing again beyond the
            // server's duplicate window) must not count towards the tick.
            let taken = self
                .high
                .0
                .get(env.from as usize)
                .is_none_or(|h| env.seq <= *h);
            if env.tick >= tick && !taken && !self.pending_keys.contains_key(&(env.from, env.seq)) {
                self.pending_keys.insert((env.from, env.seq), at);
                self.pending_inbox.entry(env.tick).or_default().push(env);
            }
        }
        let mine = self.pending_inbox.remove(&tick).unwrap_or_default();
        for m in &mine {
            self.pending_keys.remove(&(m.from, m.seq));
        }
        Ok((records, self.high.admit(mine)))
    }

    /// The next message of one consumer. Waiting at the barrier is
    /// unbounded (a shard may be slow, or being restarted), and said every
    /// second under `-v`. While the server is unreachable, or the consumer
    /// fails, it keeps trying; a consumer made before the connection was
    /// lost is made again from where it had read to (the server's own copy
    /// of it may be gone with a restart). Lost for longer than
    /// `--nats-timeout`, it gives up.
    async fn wait_next(
        &mut self,
        which: Which,
        tick: u64,
        waiting_for: &str,
    ) -> Result<jetstream::Message, TransportError> {
        let url = self.opts.url.clone();
        let mut lost_since: Option<Instant> = None;
        loop {
            let connected =
                self.client.connection_state() == async_nats::connection::State::Connected;
            let outages = self.outages.load(Ordering::SeqCst);
            let reader = match which {
                Which::Records => &mut self.records,
                Which::Inbox => &mut self.inbox,
            };
            let what = match which {
                Which::Records => "tick records",
                Which::Inbox => "the inbox",
            };
            let trouble = if connected && reader.made_at != outages {
                match reader.reopen(&self.js, outages).await {
                    Ok(()) => None,
                    Err(e) => Some(format!("cannot read {what} again: {e}")),
                }
            } else if !connected {
                Some("the NATS server is unreachable".to_string())
            } else {
                match tokio::time::timeout(Duration::from_secs(1), reader.next()).await {
                    Ok(Ok(msg)) => return Ok(msg),
                    Ok(Err(e)) => {
                        // Made again at the next turn.
                        reader.made_at = u64::MAX;
                        Some(format!("reading {what}: {e}"))
                    }
                    Err(_) => {
                        lost_since = None;
                        tracing::info!(
                            shard = self.opts.shard,
                            tick,
                            "waiting at the barrier for {waiting_for}"
                        );
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

    /// The first inbox stream sequence the world has not taken: the
    /// lowest of what is buffered for a later tick, else past the last read.
    fn inbox_mark(&self) -> u64 {
        self.pending_keys
            .values()
            .min()
            .copied()
            .unwrap_or(self.inbox.read_to + 1)
    }

    /// The first sequence the inbox stream still holds (past its last when
    /// it is empty).
    async fn inbox_first(&self) -> Result<u64, TransportError> {
        let stream = inbox_stream(&self.opts.cluster, &self.run, self.opts.shard);
        let bad =
            |e: &dyn std::fmt::Display| failed(&self.opts.url, "reading the inbox's state", e);
        let mut s = self.js.get_stream(&stream).await.map_err(|e| bad(&e))?;
        let info = s.info().await.map_err(|e| bad(&e))?;
        Ok(info.state.first_sequence)
    }

    /// The shard's newest autosave on disk, of `boundary`, holds its inbox
    /// below `below` (its mark when it was taken; the shard has read on
    /// since): the inbox lets go of that.
    async fn saved(&mut self, boundary: u64, below: Option<u64>) {
        let below = below.unwrap_or_else(|| self.inbox_mark());
        if let Some(below) = self.trim.inbox_cut(Some(below), self.inbox.read_to) {
            let stream = inbox_stream(&self.opts.cluster, &self.run, self.opts.shard);
            tracing::debug!(shard = self.opts.shard, boundary, "autosaved");
            self.let_go(&stream, None, below).await;
        }
    }

    /// Purges what an autosave covers; a failure only leaves it for the
    /// next autosave to let go of.
    async fn let_go(&self, stream: &str, filter: Option<&str>, below: u64) {
        match purge(&self.js, stream, filter, below).await {
            Ok(n) => tracing::debug!(
                shard = self.opts.shard,
                "{stream}: let go of {n} below {below}"
            ),
            Err(e) => tracing::info!(
                shard = self.opts.shard,
                "{stream}: cannot let go of what the autosaves cover: {e}"
            ),
        }
    }

    async fn end(&mut self) -> Result<(), TransportError> {
        self.entry.ended = true;
        let bytes = postcard::to_allocvec(&self.entry)
            .map_err(|e| TransportError::Failed(format!("cannot encode the run: {e}")))?;
        self.kv
            .put("run", bytes.into())
            .await
            .map_err(|e| failed(&self.opts.url, "cannot mark the run ended", e))?;
        Ok(())
    }
}
