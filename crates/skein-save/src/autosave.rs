//! Autosave: the world saved every T ticks without stopping it. At a due
//! tick boundary the tick loop only takes a [`Snapshot`]; a writer thread
//! encodes it and writes it atomically (rotating the last K files, see
//! [`files`]) while the next ticks run. A write still going when the next
//! autosave is due makes that one skipped, never queued; a failed write is
//! counted and reported, and the world goes on.
//!
//! With [`AutosaveOptions::full_every`] above 1 autosaves are incremental:
//! every F-th is a full save and the ones between are deltas of what changed
//! since the previous autosave ([`crate::delta`]), the files of the chain
//! kept under their content hashes in `PATH.chain/` with `PATH`, `PATH.1`, …
//! as second names ([`files::write_chained`]). A failed write makes the next
//! autosave a full one.
//!
//! In a [`Simulation`]: [`enable`] puts [`autosave_system`] in its boundary
//! schedule. With a schedule of your own: [`install`], then run
//! [`autosave_system`] after every tick, once all the tick's systems have
//! run (a schedule of its own run right after yours), and call [`finish`]
//! before the process exits.

pub mod files;

use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bevy_ecs::resource::Resource;
use bevy_ecs::world::World;
use skein_world::{Scheduler, Simulation};

use crate::code::ContentHash;
use crate::error::SaveError;
use crate::snapshot::Snapshot;
use crate::write::Encoding;
use files::ChainFiles;

/// The target of the timeline's spans, so `--trace` writes autosave's too.
const TIMELINE: &str = skein_world::spans::TARGET;

/// Called on the writer thread with the snapshot's tick before it encodes
/// (tools and tests use it to watch or hold up writes).
pub type WriteHook = Arc<dyn Fn(u64) + Send + Sync>;

/// When and where to autosave.
#[derive(Clone)]
pub struct AutosaveOptions {
    /// Save at every tick boundary whose completed-tick count is a multiple
    /// of this (at least 1).
    pub every: u64,
    /// The newest autosave's file; older ones are `PATH.1`, `PATH.2`, ….
    pub path: PathBuf,
    /// How many complete autosaves to keep (at least 1).
    pub keep: usize,
    /// Pretty RON, compact RON or binary.
    pub encoding: Encoding,
    /// Every this many autosaves one is full, the others deltas (1: all
    /// full, the default).
    pub full_every: u64,
    /// Called before each write (see [`WriteHook`]).
    pub before_write: Option<WriteHook>,
}

impl AutosaveOptions {
    /// Every `every` ticks to `path`, keeping 3, in the encoding the path
    /// implies (binary for `.bin`, else pretty RON).
    pub fn new(every: u64, path: impl Into<PathBuf>) -> AutosaveOptions {
        let path = path.into();
        AutosaveOptions {
            every: every.max(1),
            encoding: Encoding::choose(&path, false, false),
            path,
            keep: 3,
            full_every: 1,
            before_write: None,
        }
    }
}

impl std::fmt::Debug for AutosaveOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutosaveOptions")
            .field("every", &self.every)
            .field("path", &self.path)
            .field("keep", &self.keep)
            .field("encoding", &self.encoding)
            .field("full_every", &self.full_every)
            .finish_non_exhaustive()
    }
}

/// What autosave did so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AutosaveStats {
    /// Autosaves written (full saves and deltas).
    pub written: u64,
    /// Autosaves skipped because the previous write was still running.
    pub skipped: u64,
    /// Autosaves whose encode or write failed.
    pub failed: u64,
    /// One per autosave taken, in order: the snapshot plus the fiber copies
    /// the following ticks made because the snapshot still held them: all
    /// copies until the next autosave's snapshot (the snapshot kept to be
    /// retaken holds the fibers of waiting tasklets), or until
    /// [`finish`](Autosave::finish).
    pub pauses: Vec<Duration>,
    /// The longest encode-and-write on the writer thread.
    pub longest_write: Duration,
    /// Ticks of the autosaves written, in order.
    pub written_ticks: Vec<u64>,
    /// The size in bytes of each autosave written, in order, and whether it
    /// was a delta.
    pub sizes: Vec<(u64, bool)>,
    /// For each delta written, in order: how many whole tasklet and channel
    /// records it holds, and how many patches of components only.
    pub delta_records: Vec<(u64, u64)>,
}

impl AutosaveStats {
    /// The longest of the [`pauses`](AutosaveStats::pauses).
    pub fn longest_pause(&self) -> Duration {
        self.pauses.iter().copied().max().unwrap_or_default()
    }

    /// The `q`-quantile of the pauses (0.99: the 99th percentile), nearest rank.
    pub fn pause_quantile(&self, q: f64) -> Duration {
        let mut p = self.pauses.clone();
        if p.is_empty() {
            return Duration::ZERO;
        }
        p.sort();
        let rank = ((q * p.len() as f64).ceil() as usize).clamp(1, p.len());
        p[rank - 1]
    }
}

/// A failed autosave, for the host to report.
#[derive(Debug)]
pub struct AutosaveFailure {
    /// The tick of the snapshot that was to be written.
    pub tick: u64,
    /// What went wrong.
    pub error: SaveError,
}

/// What the writer thread hands back: how the write went, the snapshot
/// (fibers let go) for the next autosave to retake, and the chain files.
type Written = (Result<Wrote, SaveError>, Snapshot, Option<ChainFiles>);

/// A finished write.
struct Wrote {
    took: Duration,
    bytes: u64,
    /// For a chain: the file's content hash.
    hash: Option<ContentHash>,
    /// For a delta: its whole records and patches.
    records: Option<(u64, u64)>,
}

/// What the writer thread writes.
enum Plan {
    /// Every autosave full (`full_every` 1): a plain rotated file.
    Plain,
    /// A full save that starts a chain.
    Full(ChainFiles),
    /// What changed since the file of content hash `base` (of `base_tick`).
    Delta {
        base: ContentHash,
        base_tick: u64,
        chain: ChainFiles,
    },
}

struct InFlight {
    tick: u64,
    /// Time the snapshot took, and the world's fiber-copy time then.
    snapshot: Duration,
    copies_at_start: u64,
    delta: bool,
    handle: JoinHandle<Written>,
}

/// The autosave state of a world (a resource once [`install`]ed).
#[derive(Resource)]
pub struct Autosave {
    options: AutosaveOptions,
    in_flight: Option<InFlight>,
    /// The last snapshot written, kept to be retaken.
    last: Option<Snapshot>,
    stats: AutosaveStats,
    failures: Vec<AutosaveFailure>,
    /// The newest chain file written (content hash, tick): what the next
    /// delta extends. `None` after a failure: the next autosave is full.
    base: Option<(ContentHash, u64)>,
    /// Deltas written since the last full autosave.
    deltas_since_full: u64,
    /// `None` while a write has it.
    chain: Option<ChainFiles>,
    /// The pause of the last autosave written, still counting the fiber
    /// copies its kept snapshot causes: its snapshot time and the copy
    /// clock when it was taken.
    open_pause: Option<(Duration, u64)>,
}

impl Autosave {
    /// An autosave that has written nothing yet.
    pub fn new(options: AutosaveOptions) -> Autosave {
        Autosave {
            options,
            in_flight: None,
            base: None,
            deltas_since_full: 0,
            chain: Some(ChainFiles::default()),
            last: None,
            open_pause: None,
            stats: AutosaveStats::default(),
            failures: Vec::new(),
        }
    }

    /// When and where it saves.
    pub fn options(&self) -> &AutosaveOptions {
        &self.options
    }

    /// What it did so far.
    pub fn stats(&self) -> &AutosaveStats {
        &self.stats
    }

    /// Failed writes not yet taken, oldest first.
    pub fn take_failures(&mut self) -> Vec<AutosaveFailure> {
        std::mem::take(&mut self.failures)
    }

    /// The work of one tick boundary: collect a finished write, then, if
    /// this boundary is due, snapshot and start writing — or count it
    /// skipped if the previous write is still going.
    pub fn after_tick(&mut self, world: &mut World) {
        self.collect(false);
        let tick = world.resource::<Scheduler>().tick;
        if !self.due(tick) {
            return;
        }
        if self.in_flight.is_some() {
            self.stats.skipped += 1;
            tracing::debug!(tick, "autosave skipped: the previous write is still going");
            return;
        }
        let start = Instant::now();
        let copies_at_start = world.resource::<Scheduler>().copies.nanos;
        self.close_pause(copies_at_start);
        let chained = self.options.full_every > 1;
        let delta_base = self
            .base
            .filter(|_| chained && self.deltas_since_full + 1 < self.options.full_every);
        // On the timeline (`--trace`) beside the ticks: what the tick loop
        // pays here, and the write on its own thread.
        let span = tracing::info_span!(target: TIMELINE, "autosave snapshot", tick);
        let entered = span.enter();
        // A delta holds only the fibers it writes.
        let snapshot = match Snapshot::retake_with(world, self.last.take(), delta_base.is_none()) {
            Ok(s) => s,
            Err(error) => {
                self.stats.failed += 1;
                self.failures.push(AutosaveFailure { tick, error });
                return;
            }
        };
        drop(entered);
        let chain = self.chain.take().unwrap_or_default();
        let plan = match delta_base {
            _ if !chained => Plan::Plain,
            Some((base, base_tick)) if snapshot.is_incremental() => Plan::Delta {
                base,
                base_tick,
                chain,
            },
            _ => Plan::Full(chain),
        };
        let delta = matches!(plan, Plan::Delta { .. });
        let options = self.options.clone();
        let dispatch = tracing::dispatcher::get_default(|d| d.clone());
        let handle = std::thread::spawn(move || {
            tracing::dispatcher::with_default(&dispatch, || write(snapshot, &options, plan))
        });
        self.in_flight = Some(InFlight {
            tick,
            snapshot: start.elapsed(),
            copies_at_start,
            delta,
            handle,
        });
    }

    /// Waits for a write in flight (the end of a run, or Ctrl-C).
    pub fn finish(&mut self, world: &World) -> &AutosaveStats {
        let copies_now = world.resource::<Scheduler>().copies.nanos;
        self.collect(true);
        self.close_pause(copies_now);
        &self.stats
    }

    /// Counts the last autosave's pause, its copies ending at `copies_now`.
    fn close_pause(&mut self, copies_now: u64) {
        if let Some((snapshot, at_start)) = self.open_pause.take() {
            let copies = copies_now.saturating_sub(at_start);
            self.stats
                .pauses
                .push(snapshot + Duration::from_nanos(copies));
        }
    }

    /// Whether the boundary after `tick` is one this autosave writes at.
    fn due(&self, tick: u64) -> bool {
        tick != 0 && tick.is_multiple_of(self.options.every)
    }

    /// Takes in a finished write (or waits for it with `wait`); its pause
    /// stays open (`close_pause`).
    fn collect(&mut self, wait: bool) {
        let done = self
            .in_flight
            .as_ref()
            .is_some_and(|f| wait || f.handle.is_finished());
        if !done {
            return;
        }
        let Some(f) = self.in_flight.take() else {
            return;
        };
        self.open_pause = Some((f.snapshot, f.copies_at_start));
        let result = match f.handle.join() {
            Ok((result, snapshot, chain)) => {
                self.last = Some(snapshot);
                self.chain = chain;
                result
            }
            Err(_) => Err(SaveError::Unsaveable(
                "the autosave writer thread panicked".into(),
            )),
        };
        match result {
            Ok(w) => {
                self.stats.written += 1;
                self.stats.written_ticks.push(f.tick);
                self.stats.sizes.push((w.bytes, f.delta));
                self.stats.delta_records.extend(w.records);
                self.stats.longest_write = self.stats.longest_write.max(w.took);
                if let Some(hash) = w.hash {
                    self.base = Some((hash, f.tick));
                    self.deltas_since_full = if f.delta {
                        self.deltas_since_full + 1
                    } else {
                        0
                    };
                }
                tracing::debug!(tick = f.tick, took = ?w.took, bytes = w.bytes, delta = f.delta, "autosaved");
            }
            Err(error) => {
                // The next delta would extend a file that was never written.
                self.base = None;
                self.stats.failed += 1;
                tracing::warn!(tick = f.tick, %error, "autosave failed");
                self.failures.push(AutosaveFailure {
                    tick: f.tick,
                    error,
                });
            }
        }
    }
}

impl Drop for Autosave {
    /// A write still going when the world goes away (an app exiting on
    /// Ctrl-C) is waited for, so the newest autosave is complete.
    fn drop(&mut self) {
        if let Some(f) = self.in_flight.take() {
            let _ = f.handle.join();
        }
    }
}

/// The writer thread: encode, write, rotate. Returns how it went, the
/// snapshot with its fibers let go, and the chain files.
fn write(mut snapshot: Snapshot, options: &AutosaveOptions, plan: Plan) -> Written {
    if let Some(hook) = &options.before_write {
        hook(snapshot.tick());
    }
    let span = tracing::info_span!(
        target: TIMELINE,
        "autosave write",
        tick = snapshot.tick(),
        bytes = tracing::field::Empty,
    );
    let _entered = span.enter();
    let start = Instant::now();
    let keep = options.keep.max(1);
    // Each fiber is let go as soon as it is encoded: while the snapshot
    // holds it, its tasklet must copy it before it runs. Those due before
    // the next autosave are copied here first, off the tick loop.
    let owned = snapshot.own_fibers_due(options.every);
    tracing::debug!(
        tick = snapshot.tick(),
        owned,
        "autosave writer copied the fibers due soonest"
    );
    let mut records = None;
    let (bytes, chain) = match plan {
        Plan::Plain => (encode_full(&mut snapshot, options.encoding), None),
        Plan::Full(chain) => (
            encode_full(&mut snapshot, options.encoding),
            Some((chain, true)),
        ),
        Plan::Delta {
            base,
            base_tick,
            chain,
        } => {
            let bytes = snapshot.to_delta(base, base_tick).and_then(|d| {
                let b = &d.body;
                let whole = b.tasklets.len() + b.channels.len();
                records = Some((whole as u64, b.patches.len() as u64));
                crate::delta::delta_to_bytes(&d, options.encoding)
            });
            (bytes, Some((chain, false)))
        }
    };
    snapshot.release_fibers();
    if let Ok(b) = &bytes {
        span.record("bytes", b.len());
    }
    match (bytes, chain) {
        (Err(e), chain) => (Err(e), snapshot, chain.map(|c| c.0)),
        (Ok(bytes), None) => {
            let r = files::write_rotating(&options.path, &bytes, keep).map(|()| Wrote {
                took: start.elapsed(),
                bytes: bytes.len() as u64,
                hash: None,
                records: None,
            });
            (r, snapshot, None)
        }
        (Ok(bytes), Some((mut chain, full))) => {
            let hash = crate::delta::file_hash(&bytes);
            let r = files::write_chained(&options.path, &bytes, hash, keep);
            if r.is_ok() {
                chain.written(&options.path, hash, full, keep);
            }
            let r = r.map(|()| Wrote {
                took: start.elapsed(),
                bytes: bytes.len() as u64,
                hash: Some(hash),
                records,
            });
            (r, snapshot, Some(chain))
        }
    }
}

fn encode_full(snapshot: &mut Snapshot, encoding: Encoding) -> Result<Vec<u8>, SaveError> {
    snapshot.encode(encoding)
}

/// Makes `world` autosave by `options` (replacing earlier options).
pub fn install(world: &mut World, options: AutosaveOptions) {
    world.insert_resource(Autosave::new(options));
}

/// The autosave step as an exclusive system: run it after every tick, once
/// every system of the tick has run.
pub fn autosave_system(world: &mut World) {
    // Taking a resource out of a bevy 0.20 world and back moves its entity
    // between archetypes, so most ticks, which only look at a write in
    // flight, do that in place; the resource leaves the world only on ticks
    // that snapshot it.
    let tick = world.resource::<Scheduler>().tick;
    let Some(mut autosave) = world.get_resource_mut::<Autosave>() else {
        return;
    };
    autosave.collect(false);
    if !autosave.due(tick) {
        return;
    }
    let Some(mut autosave) = world.remove_resource::<Autosave>() else {
        return;
    };
    autosave.after_tick(world);
    world.insert_resource(autosave);
}

/// Autosave in a [`Simulation`]: [`autosave_system`] at its tick boundary.
pub fn enable(sim: &mut Simulation, options: AutosaveOptions) {
    install(&mut sim.world, options);
    if !sim.world.contains_resource::<BoundaryHasAutosave>() {
        sim.world.insert_resource(BoundaryHasAutosave);
        sim.boundary.add_systems(autosave_system);
    }
}

/// Marks a simulation whose boundary schedule already runs autosave.
#[derive(Resource)]
struct BoundaryHasAutosave;

/// Waits for a write in flight and returns the stats (`None`: autosave not
/// installed). Call before the process exits.
pub fn finish(world: &mut World) -> Option<AutosaveStats> {
    let mut autosave = world.remove_resource::<Autosave>()?;
    let stats = autosave.finish(world).clone();
    world.insert_resource(autosave);
    Some(stats)
}

/// Failed writes not yet taken from `world`'s autosave.
pub fn take_failures(world: &mut World) -> Vec<AutosaveFailure> {
    world
        .get_resource_mut::<Autosave>()
        .map(|mut a| a.take_failures())
        .unwrap_or_default()
}
