//! Autosave: the world saved every T ticks without stopping it. At a due
//! tick boundary the tick loop only takes a [`Snapshot`]; a writer thread
//! encodes it and writes it atomically (rotating the last K files, see
//! [`files`]) while the next ticks run. A write still going when the next
//! autosave is due makes that one skipped, never queued; a failed write is
//! counted and reported, and the world goes on.
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

use crate::error::SaveError;
use crate::snapshot::Snapshot;
use crate::write::{Encoding, to_bytes};

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
    pub encoding: Encoding,
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
            .finish_non_exhaustive()
    }
}

/// What autosave did so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AutosaveStats {
    pub written: u64,
    pub skipped: u64,
    pub failed: u64,
    /// One per autosave taken, in order: the snapshot plus the fiber copies
    /// the following ticks made because the snapshot still held them.
    pub pauses: Vec<Duration>,
    /// The longest encode-and-write on the writer thread.
    pub longest_write: Duration,
    /// Ticks of the autosaves written, in order.
    pub written_ticks: Vec<u64>,
}

impl AutosaveStats {
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
    pub tick: u64,
    pub error: SaveError,
}

/// What the writer thread hands back: how the write went, and the
/// snapshot (fibers let go) for the next autosave to retake.
type Written = (Result<Duration, SaveError>, Snapshot);

struct InFlight {
    tick: u64,
    /// Time the snapshot took, and the world's fiber-copy time then.
    snapshot: Duration,
    copies_at_start: u64,
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
}

impl Autosave {
    pub fn new(options: AutosaveOptions) -> Autosave {
        Autosave {
            options,
            in_flight: None,
            last: None,
            stats: AutosaveStats::default(),
            failures: Vec::new(),
        }
    }

    pub fn options(&self) -> &AutosaveOptions {
        &self.options
    }

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
        self.collect(world, false);
        let tick = world.resource::<Scheduler>().tick;
        if tick == 0 || !tick.is_multiple_of(self.options.every) {
            return;
        }
        if self.in_flight.is_some() {
            self.stats.skipped += 1;
            tracing::debug!(tick, "autosave skipped: the previous write is still going");
            return;
        }
        let start = Instant::now();
        let copies_at_start = world.resource::<Scheduler>().copies.nanos;
        // On the timeline (`--trace`) beside the ticks: what the tick loop
        // pays here, and the write on its own thread.
        let span = tracing::info_span!(target: TIMELINE, "autosave snapshot", tick);
        let entered = span.enter();
        let snapshot = match Snapshot::retake(world, self.last.take()) {
            Ok(s) => s,
            Err(error) => {
                self.stats.failed += 1;
                self.failures.push(AutosaveFailure { tick, error });
                return;
            }
        };
        drop(entered);
        let options = self.options.clone();
        let dispatch = tracing::dispatcher::get_default(|d| d.clone());
        let handle = std::thread::spawn(move || {
            tracing::dispatcher::with_default(&dispatch, || write(snapshot, &options))
        });
        self.in_flight = Some(InFlight {
            tick,
            snapshot: start.elapsed(),
            copies_at_start,
            handle,
        });
    }

    /// Waits for a write in flight (the end of a run, or Ctrl-C).
    pub fn finish(&mut self, world: &World) -> &AutosaveStats {
        self.collect(world, true);
        &self.stats
    }

    fn collect(&mut self, world: &World, wait: bool) {
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
        let copies = world
            .resource::<Scheduler>()
            .copies
            .nanos
            .saturating_sub(f.copies_at_start);
        self.stats
            .pauses
            .push(f.snapshot + Duration::from_nanos(copies));
        let result = match f.handle.join() {
            Ok((result, snapshot)) => {
                self.last = Some(snapshot);
                result
            }
            Err(_) => Err(SaveError::Unsaveable(
                "the autosave writer thread panicked".into(),
            )),
        };
        match result {
            Ok(took) => {
                self.stats.written += 1;
                self.stats.written_ticks.push(f.tick);
                self.stats.longest_write = self.stats.longest_write.max(took);
                tracing::debug!(tick = f.tick, ?took, "autosaved");
            }
            Err(error) => {
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

/// The writer thread: encode, write, rotate. Returns how long it took, and
/// the snapshot with its fibers let go.
fn write(mut snapshot: Snapshot, options: &AutosaveOptions) -> Written {
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
    // Each fiber is let go as soon as it is encoded: while the snapshot
    // holds it, its tasklet must copy it before it runs.
    let save = snapshot.to_save();
    snapshot.release_fibers();
    let result = save.and_then(|save| {
        let bytes = to_bytes(&save, options.encoding)?;
        span.record("bytes", bytes.len());
        drop(save);
        files::write_rotating(&options.path, &bytes, options.keep.max(1))?;
        Ok(start.elapsed())
    });
    (result, snapshot)
}

/// Makes `world` autosave by `options` (replacing earlier options).
pub fn install(world: &mut World, options: AutosaveOptions) {
    world.insert_resource(Autosave::new(options));
}

/// The autosave step as an exclusive system: run it after every tick, once
/// every system of the tick has run.
pub fn autosave_system(world: &mut World) {
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
