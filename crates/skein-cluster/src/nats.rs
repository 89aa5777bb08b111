//! The transport on NATS JetStream (server 2.9 or newer). Its I/O runs on a
//! single-threaded tokio runtime that the synchronous tick loop drives at
//! each tick boundary, sleeping on the network while it waits.
//!
//! Layout, for cluster `C` and run `R` (a fresh id shard 0 writes, under key
//! `run`, in the key-value bucket `skein-C`, where the others adopt it):
//! - stream `skein-C-R-ticks` (subjects `skein.C.R.tick.K`): tick records;
//! - stream `skein-C-R-in-K` (subject `skein.C.R.in.K`): shard K's inbox.
//!
//! Every shard receives the others' tick records live, over a plain
//! subscription on their subjects (`nats/live.rs`): a record that says
//! something a replay could not rebuild goes into the records' stream
//! (`skein.C.R.tick.K`, acknowledged), a quiet one (`nats_quiet`) only out
//! live (`skein.C.R.tick.K.live`), vouched for by the shard's later
//! records. The stream is read only to catch up, and a shard that (re)starts
//! says hello (`skein.C.R.tick.K.hello`) so the others send their newest
//! record again. It reads its own inbox with an ordered pull consumer (the
//! server pushes; nothing polls). A tick's messages to one
//! shard travel as bundles (`nats_bundle`), each JetStream message keyed in
//! its `Nats-Msg-Id` header by its first envelope (run, sending shard,
//! sending tick, sequence); every envelope carries its own key, and the
//! receiver's high-water marks drop any key it has already taken. A shard
//! publishes its messages and record without waiting, then waits for their
//! acknowledgements while the others' records come in: a tick still ends
//! only once all it published is acknowledged, but the round trips overlap.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use async_nats::jetstream::context::PublishAckFuture;
use futures_util::{FutureExt, StreamExt};
use std::pin::Pin;
use tokio::time::Sleep;

use crate::nats_quiet::Stamped;
use crate::nats_records::Records;
pub use crate::nats_streams::NatsOptions;
pub use crate::nats_streams::new_run_id;
use crate::nats_streams::{Reader, RunEntry, decode, failed, inbox_stream, ticks_stream};
pub use crate::nats_trim::OldestRecord;
use crate::nats_trim::{Trim, first_records, inbox_mark, purge};

mod live;
mod publish;
mod start;
use crate::run_info::RunInfo;
use crate::transport::{Envelope, HighWater, TickRecord, Transport, TransportError};

/// How long a publish waits for its acknowledgement before it is sent
/// again (under the same `Nats-Msg-Id`, so the server keeps one copy).
const ACK_WAIT: Duration = Duration::from_secs(2);

/// Between attempts while the server is unreachable.
const RETRY: Duration = Duration::from_millis(200);

type Collected = Result<(Vec<TickRecord>, Vec<Envelope>), TransportError>;

/// One shard's connection to the cluster. Its tokio runtime is driven from
/// the tick loop's own thread (each call blocks on it, sleeping on the
/// network), so a tick costs no hand-over between threads; between calls
/// the connection waits in the kernel's buffers. The trade: while a tick
/// runs nothing reads the socket, so a tick longer than the server's write
/// deadline with the buffers full of what others sent ahead costs a
/// reconnect (handled as an outage: consumers made again from where they
/// had read to), where a thread of its own would have kept reading.
pub struct NatsTransport {
    rt: tokio::runtime::Runtime,
    worker: Option<Worker>,
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
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| TransportError::Failed(format!("cannot start the NATS runtime: {e}")))?;
        let worker = rt.block_on(Worker::start(opts, info))?;
        Ok(NatsTransport {
            run: worker.run.clone(),
            rt,
            worker: Some(worker),
            high: HighWater::new(n),
        })
    }

    /// The run's id.
    pub fn run_id(&self) -> &str {
        &self.run
    }

    /// The runtime to drive and the worker to drive on it.
    fn parts(&mut self) -> Result<(&tokio::runtime::Runtime, &mut Worker), TransportError> {
        let w = self
            .worker
            .as_mut()
            .ok_or_else(|| TransportError::Failed("the NATS connection is closed".into()))?;
        Ok((&self.rt, w))
    }

    /// The first stream sequence this shard's inbox still holds: a shard
    /// resumed from an autosave that needs an earlier one cannot go on.
    pub fn inbox_first(&mut self) -> Result<u64, TransportError> {
        let (rt, w) = self.parts()?;
        rt.block_on(w.inbox_first())
    }

    /// The oldest record each shard still has in the run's records'
    /// stream (`None`: none yet): a shard resumed from an autosave whose
    /// barrier needs a stored record let go of cannot go on.
    pub fn records_first(&mut self) -> Result<Vec<Option<OldestRecord>>, TransportError> {
        let (rt, w) = self.parts()?;
        let stream = ticks_stream(&w.opts.cluster, &w.run);
        let subject_of = |k: u32| w.subject("tick", k);
        rt.block_on(first_records(
            &w.js,
            &stream,
            subject_of,
            w.opts.shards.max(1),
        ))
        .map_err(|e| failed(&w.opts.url, "reading the tick records' state", e))
    }

    /// Marks the run ended in the bucket (shard 0, once the cluster has
    /// ended), so the next run with this cluster name starts afresh.
    pub fn end_run(&mut self) -> Result<(), TransportError> {
        let (rt, w) = self.parts()?;
        rt.block_on(w.end())
    }
}

impl Drop for NatsTransport {
    fn drop(&mut self) {
        // The client's tasks live on this runtime: close it from inside.
        if let Some(w) = self.worker.take() {
            let _guard = self.rt.enter();
            drop(w);
        }
    }
}

impl Transport for NatsTransport {
    fn publish(
        &mut self,
        messages: Vec<Envelope>,
        record: TickRecord,
    ) -> Result<(), TransportError> {
        let (rt, w) = self.parts()?;
        rt.block_on(w.publish(messages, record))
    }

    fn collect(&mut self, tick: u64) -> Collected {
        let (rt, w) = self.parts()?;
        let (records, messages) = rt.block_on(w.collect(tick))?;
        for m in &messages {
            if let Some(h) = self.high.0.get_mut(m.from as usize) {
                *h = (*h).max(m.seq);
            }
        }
        Ok((records, messages))
    }

    fn settle_published(&mut self) -> Result<(), TransportError> {
        let (rt, w) = self.parts()?;
        if w.unacked.is_empty() {
            // A quiet tick: nothing awaits an acknowledgement.
            return Ok(());
        }
        rt.block_on(w.settle())
    }

    fn high_water(&self) -> Option<&HighWater> {
        Some(&self.high)
    }

    fn resume_high_water(&mut self, taken: &[u64]) {
        self.high.raise(taken);
        if let Ok((_, w)) = self.parts() {
            w.high.raise(taken);
        }
    }

    fn inbox_mark(&mut self) -> Result<Option<u64>, TransportError> {
        Ok(Some(self.parts()?.1.inbox_mark()))
    }

    fn saved(&mut self, boundary: u64, inbox_from: Option<u64>) {
        let rt = &self.rt;
        if let Some(w) = self.worker.as_mut() {
            rt.block_on(w.saved(boundary, inbox_from));
        }
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
    records: Records,
    inbox: Reader,
    /// How many times the connection has been lost: a consumer made before
    /// the last loss is made again from where it had read to.
    outages: Arc<AtomicU64>,
    /// Inbox messages by sending tick.
    pending_inbox: BTreeMap<u64, Vec<Envelope>>,
    /// Keys of the messages in `pending_inbox`, with their stream
    /// sequences.
    pending_keys: BTreeMap<(u32, u64), u64>,
    trim: Trim,
    high: HighWater,
    /// This tick's record, until its collect.
    own: Option<TickRecord>,
    /// The newest record this process published, as sent: what it sends
    /// again live when a shard says hello, and each second it waits.
    newest: Option<Vec<u8>>,
    /// The `saved` of this process's previous record (`None` before its
    /// first).
    last_saved: Option<Option<u64>>,
    /// The tick of this shard's newest stored record (`None` until the
    /// first publish has looked it up in the stream).
    own_stored: Option<Option<u64>>,
    /// This tick's record, if it goes into the stream: its tick.
    storing: Option<u64>,
    /// The count of connection losses when this shard last said hello
    /// (`u64::MAX`: not yet).
    helloed_at: u64,
    /// What this tick published, until every piece is acknowledged.
    unacked: Vec<(String, String, Vec<u8>)>,
    /// Their acknowledgements to wait for.
    acks: Vec<PublishAckFuture>,
    /// The one timer every wait at the barrier runs under ([`within`]).
    waiting: Pin<Box<Sleep>>,
}

impl Worker {
    fn subject(&self, kind: &str, shard: u32) -> String {
        format!("skein.{}.{}.{kind}.{shard}", self.opts.cluster, self.run)
    }

    async fn collect(&mut self, tick: u64) -> Collected {
        let me = self.opts.shard as usize;
        let url = self.opts.url.clone();
        self.settle().await?;
        // This shard's own record is acknowledged; the connection does not
        // echo it back.
        if let Some(record) = self.own.take() {
            let stamped = Stamped {
                record,
                stored_before: None,
            };
            self.records.book.put(stamped, tick)?;
        }
        let records = self.records_of(tick).await?;
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
            let msg = self.wait_inbox(tick).await?;
            let bundle: Vec<Envelope> = decode(&msg.payload, &url)?;
            let at = msg.info().map_or(0, |i| i.stream_sequence);
            for env in bundle {
                // A replay (a restarted sender publishing again beyond the
                // server's duplicate window) must not count towards the tick.
                let taken = self
                    .high
                    .0
                    .get(env.from as usize)
                    .is_none_or(|h| env.seq <= *h);
                if env.tick >= tick
                    && !taken
                    && !self.pending_keys.contains_key(&(env.from, env.seq))
                {
                    self.pending_keys.insert((env.from, env.seq), at);
                    self.pending_inbox.entry(env.tick).or_default().push(env);
                }
            }
        }
        let mine = self.pending_inbox.remove(&tick).unwrap_or_default();
        for m in &mine {
            self.pending_keys.remove(&(m.from, m.seq));
        }
        Ok((records, self.high.admit(mine)))
    }

    /// One failed try of a wait at the barrier: said under `-v`, then a
    /// short sleep before the next; out of reach since `lost_since` for
    /// longer than `--nats-timeout`, the error that ends the shard.
    pub(super) async fn retry_after(
        &self,
        tick: u64,
        lost_since: &mut Option<Instant>,
        trouble: String,
    ) -> Result<(), TransportError> {
        tracing::info!(shard = self.opts.shard, tick, "{trouble}");
        self.pause_or_give_up(lost_since, || {
            format!("{trouble} for {:?}", self.opts.timeout)
        })
        .await
    }

    /// After a failed try: a short sleep before the next, or, out of reach
    /// since `lost_since` for longer than `--nats-timeout`, the error that
    /// ends the shard (`why` says what failed for that long).
    pub(super) async fn pause_or_give_up(
        &self,
        lost_since: &mut Option<Instant>,
        why: impl FnOnce() -> String,
    ) -> Result<(), TransportError> {
        let since = *lost_since.get_or_insert_with(Instant::now);
        if since.elapsed() >= self.opts.timeout {
            return Err(failed(&self.opts.url, "lost the server", why()));
        }
        tokio::time::sleep(RETRY).await;
        Ok(())
    }

    /// The next message of the inbox. Waiting at the barrier is
    /// unbounded (a shard may be slow, or being restarted), and said every
    /// second under `-v`. While the server is unreachable, or the consumer
    /// fails, it keeps trying; a consumer made before the connection was
    /// lost is made again from where it had read to (the server's own copy
    /// of it may be gone with a restart). Lost for longer than
    /// `--nats-timeout`, it gives up.
    async fn wait_inbox(&mut self, tick: u64) -> Result<jetstream::Message, TransportError> {
        let mut lost_since: Option<Instant> = None;
        loop {
            let connected =
                self.client.connection_state() == async_nats::connection::State::Connected;
            let outages = self.outages.load(Ordering::SeqCst);
            let reader = &mut self.inbox;
            let what = "the inbox";
            let trouble = if connected && reader.made_at != outages {
                match reader.reopen(&self.js, outages).await {
                    Ok(()) => None,
                    Err(e) => Some(format!("cannot read {what} again: {e}")),
                }
            } else if !connected {
                Some("the NATS server is unreachable".to_string())
            } else {
                // The records' subscription is heard meanwhile: a shard
                // saying hello must not wait for this one's inbox.
                let live = &mut self.records.live;
                let next = async {
                    tokio::select! {
                        m = reader.next() => Ok(m),
                        l = live.next() => Err(l),
                    }
                };
                match within(&mut self.waiting, next).await {
                    Some(Ok(Ok(msg))) => return Ok(msg),
                    Some(Ok(Err(e))) => {
                        // Made again at the next turn.
                        reader.made_at = u64::MAX;
                        Some(format!("reading {what}: {e}"))
                    }
                    Some(Err(Some(msg))) => {
                        // Records of this tick are all in: any that comes
                        // now is of a later one.
                        self.take_live(msg, tick + 1).await?;
                        None
                    }
                    Some(Err(None)) => Some("the tick records' subscription ended".to_string()),
                    None => {
                        lost_since = None;
                        tracing::info!(
                            shard = self.opts.shard,
                            tick,
                            "waiting at the barrier for messages to this shard"
                        );
                        self.republish().await;
                        None
                    }
                }
            };
            if let Some(trouble) = trouble {
                self.retry_after(tick, &mut lost_since, trouble).await?;
            }
        }
    }

    /// The first inbox stream sequence the world has not taken: the
    /// lowest of what is buffered for a later tick, else past the last read.
    fn inbox_mark(&self) -> u64 {
        inbox_mark(
            self.pending_keys.values().min().copied(),
            self.inbox.read_to,
        )
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
        if let Some(below) = self.trim.inbox_cut(below) {
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

/// A second of waiting, after which a wait at the barrier says so under
/// `-v` and sends this shard's newest record again.
const WAIT_SAY: Duration = Duration::from_secs(1);

/// `fut`'s output if it comes within [`WAIT_SAY`] (`None` if not), timed by
/// the worker's one `timer`, pushed a second on. A timer made for each wait
/// would fall due before the driver's next wake-up and make it wake its
/// thread through the kernel, once a tick; a reset only ever moves this
/// one later. What is ready already takes no timer at all.
async fn within<F: std::future::Future>(timer: &mut Pin<Box<Sleep>>, fut: F) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    if let Some(out) = fut.as_mut().now_or_never() {
        return Some(out);
    }
    timer.as_mut().reset(tokio::time::Instant::now() + WAIT_SAY);
    tokio::select! {
        biased;
        out = fut => Some(out),
        () = timer.as_mut() => None,
    }
}
