//! A shard's autosaves (docs/cluster.md, "Durability"): at a due tick
//! boundary the tick loop only takes a snapshot; a writer thread encodes it
//! and writes it with rotation (`--keep`) while the next ticks run. A write
//! counts as the shard's newest autosave only once it is renamed onto its
//! path, and only then is it reported as landed, so the shard lets go of
//! what it covers no earlier. A write still going when the next autosave is
//! due makes that one skipped, never queued; a shard whose writes fail F
//! times in a row stops, so its inbox never grows without bound.

use std::path::PathBuf;
use std::thread::JoinHandle;

use skein_save::autosave::files::write_rotating_then;
use skein_save::snapshot::Snapshot;
use skein_save::{Encoding, SaveError};
use skein_world::Simulation;

use crate::error::ClusterError;
use crate::fault::Fault;

/// When and where a shard autosaves.
#[derive(Debug, Clone)]
pub struct ShardAutosaveOptions {
    /// The newest autosave's file; older ones are `PATH.1`, `PATH.2`, ….
    pub path: PathBuf,
    /// Autosave at every boundary whose tick is a multiple of this (at
    /// least 1), and at the last one.
    pub every: u64,
    /// How many complete autosaves to keep (at least 1).
    pub keep: usize,
    /// Failed writes in a row after which the shard stops (at least 1).
    pub failures: u32,
    /// The testing aid's `autosave` point: abort once the new file is
    /// written under its temporary name, before it is renamed.
    pub fault: Option<Fault>,
    /// Wait for each write before the next tick instead of letting it run
    /// beside the ticks (so no due autosave is skipped, and the tick loop
    /// pauses for the whole write): for embedders who want every due
    /// autosave written, and tests that follow trimming tick by tick.
    pub wait: bool,
}

/// What a shard's autosave did so far, for its closing line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShardAutosaveStats {
    /// Autosaves on disk.
    pub written: u64,
    /// Due autosaves skipped because the previous write was still going.
    pub skipped: u64,
    /// Autosaves whose snapshot, encoding or write failed.
    pub failed: u64,
}

/// An autosave that reached disk: its boundary, and the first inbox
/// sequence it does not hold (what the inbox may now let go of below).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Landed {
    /// The tick boundary it is of.
    pub boundary: u64,
    /// The first stream sequence of the inbox it does not hold.
    pub inbox_from: Option<u64>,
}

struct InFlight {
    landed: Landed,
    handle: JoinHandle<Result<(), SaveError>>,
}

/// A shard's autosave state.
pub struct ShardAutosave {
    opts: ShardAutosaveOptions,
    in_flight: Option<InFlight>,
    failed_in_a_row: u32,
    stats: ShardAutosaveStats,
}

impl ShardAutosave {
    /// An autosave that has written nothing yet.
    pub fn new(mut opts: ShardAutosaveOptions) -> ShardAutosave {
        opts.every = opts.every.max(1);
        opts.keep = opts.keep.max(1);
        opts.failures = opts.failures.max(1);
        ShardAutosave {
            opts,
            in_flight: None,
            failed_in_a_row: 0,
            stats: ShardAutosaveStats::default(),
        }
    }

    /// What it did so far.
    pub fn stats(&self) -> ShardAutosaveStats {
        self.stats
    }

    /// Whether boundary `tick` is due an autosave.
    pub fn due(&self, tick: u64) -> bool {
        tick.is_multiple_of(self.opts.every)
    }

    /// Snapshots `sim` (between ticks) and starts writing it on a thread of
    /// its own; `inbox_from` goes with it to [`landed`](Self::landed). Skipped
    /// if a write is still going, unless `last` (or the fault hook's tick),
    /// which waits for it first (and reports it landed, as the returned
    /// list).
    pub fn start(
        &mut self,
        sim: &Simulation,
        inbox_from: Option<u64>,
        last: bool,
    ) -> Result<Vec<Landed>, ClusterError> {
        let mut landed = Vec::new();
        // A crash test stopping the shard in this tick's autosave must not
        // find it skipped.
        let faulty = self
            .opts
            .fault
            .as_ref()
            .is_some_and(|f| f.wants("autosave", sim.tick_count()));
        if self.in_flight.is_some() {
            if !last && !faulty {
                self.stats.skipped += 1;
                tracing::debug!(
                    tick = sim.tick_count(),
                    "autosave skipped: the previous write is still going"
                );
                return Ok(landed);
            }
            landed.extend(self.landed(true)?);
        }
        let tick = sim.tick_count();
        let snapshot = match Snapshot::take(&sim.world) {
            Ok(s) => s,
            Err(e) => {
                self.failed(tick, &e)?;
                return Ok(landed);
            }
        };
        let path = self.opts.path.clone();
        let keep = self.opts.keep;
        let fault = self.opts.fault.clone();
        let dispatch = tracing::dispatcher::get_default(|d| d.clone());
        let handle = std::thread::Builder::new()
            .name("shard-autosave".into())
            .spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    write(snapshot, &path, keep, fault.as_ref())
                })
            })
            .map_err(|e| {
                ClusterError::Autosave(format!(
                    "autosave {}: cannot start the writer thread: {e}",
                    self.opts.path.display()
                ))
            })?;
        self.in_flight = Some(InFlight {
            landed: Landed {
                boundary: tick,
                inbox_from,
            },
            handle,
        });
        if self.opts.wait {
            landed.extend(self.landed(true)?);
        }
        Ok(landed)
    }

    /// The write in flight if it has finished (or, with `wait`, once it
    /// has): landed on disk, or a failure counted — an error once F have
    /// failed in a row.
    pub fn landed(&mut self, wait: bool) -> Result<Option<Landed>, ClusterError> {
        if !self
            .in_flight
            .as_ref()
            .is_some_and(|f| wait || f.handle.is_finished())
        {
            return Ok(None);
        }
        let Some(f) = self.in_flight.take() else {
            return Ok(None);
        };
        let result = f.handle.join().unwrap_or_else(|_| {
            Err(SaveError::Unsaveable(
                "the autosave writer thread panicked".into(),
            ))
        });
        match result {
            Ok(()) => {
                self.stats.written += 1;
                self.failed_in_a_row = 0;
                tracing::debug!(tick = f.landed.boundary, "autosaved");
                Ok(Some(f.landed))
            }
            Err(e) => {
                self.failed(f.landed.boundary, &e)?;
                Ok(None)
            }
        }
    }

    /// Counts a failed autosave; the F-th in a row stops the shard.
    fn failed(&mut self, tick: u64, e: &SaveError) -> Result<(), ClusterError> {
        self.stats.failed += 1;
        self.failed_in_a_row += 1;
        tracing::warn!(tick, "autosave {} failed: {e}", self.opts.path.display());
        if self.failed_in_a_row >= self.opts.failures {
            return Err(ClusterError::Autosave(format!(
                "{} autosaves in a row failed (--autosave-failures {}), the last of tick {tick}: {}: {e}",
                self.failed_in_a_row,
                self.opts.failures,
                self.opts.path.display()
            )));
        }
        Ok(())
    }
}

impl Drop for ShardAutosave {
    /// A write still going when the shard stops on an error is finished,
    /// so the newest autosave on disk is whole.
    fn drop(&mut self) {
        if let Some(f) = self.in_flight.take() {
            let _ = f.handle.join();
        }
    }
}

/// The writer thread: encode, then write under a temporary name, sync, and
/// rename onto `path` with the older autosaves rotated.
fn write(
    mut snapshot: Snapshot,
    path: &std::path::Path,
    keep: usize,
    fault: Option<&Fault>,
) -> Result<(), SaveError> {
    let tick = snapshot.tick();
    let bytes = snapshot.encode(Encoding::Binary)?;
    snapshot.release_fibers();
    write_rotating_then(path, &bytes, keep, || {
        if let Some(f) = fault {
            f.at("autosave", tick);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use skein_world::WorldOptions;

    fn scratch(tag: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("skein-shard-autosave-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("scratch");
        d
    }

    fn autosave(path: PathBuf) -> ShardAutosave {
        ShardAutosave::new(ShardAutosaveOptions {
            path,
            every: 2,
            keep: 2,
            failures: 2,
            fault: None,
            wait: false,
        })
    }

    #[test]
    fn writes_land_in_order_rotate_and_skip_while_one_is_going() {
        let d = scratch("land");
        let path = d.join("s-0.bin");
        let sim = Simulation::new(WorldOptions::default());
        let mut a = autosave(path.clone());
        assert!(a.due(0) && !a.due(1) && a.due(4));
        assert_eq!(a.start(&sim, Some(7), false).expect("starts"), vec![]);
        // Not collected yet: the next due one is skipped, never queued.
        assert_eq!(a.start(&sim, Some(9), false).expect("skips"), vec![]);
        let first = Landed {
            boundary: 0,
            inbox_from: Some(7),
        };
        assert_eq!(a.landed(true).expect("lands"), Some(first));
        assert!(path.exists() && !files_rotated(&path, 1).exists());
        // The last one waits for any write in flight, then is written.
        a.start(&sim, None, false).expect("starts");
        let landed = a.start(&sim, Some(11), true).expect("the last");
        assert_eq!(landed.len(), 1);
        assert_eq!(
            a.landed(true).expect("lands").map(|l| l.inbox_from),
            Some(Some(11))
        );
        assert!(files_rotated(&path, 1).exists());
        assert!(!files_rotated(&path, 2).exists());
        assert_eq!(
            a.stats(),
            ShardAutosaveStats {
                written: 3,
                skipped: 1,
                failed: 0
            }
        );
    }

    #[test]
    fn failures_in_a_row_stop_the_shard() {
        let d = scratch("fail");
        std::fs::write(d.join("not-a-folder"), b"").expect("a file");
        let sim = Simulation::new(WorldOptions::default());
        let mut a = autosave(d.join("not-a-folder/s-0.bin"));
        a.start(&sim, None, false).expect("starts");
        assert_eq!(a.landed(true).expect("one failure goes on"), None);
        a.start(&sim, None, false).expect("starts");
        let err = a.landed(true).expect_err("the second in a row stops");
        assert!(
            err.to_string()
                .starts_with("2 autosaves in a row failed (--autosave-failures 2)"),
            "{err}"
        );
        assert_eq!(a.stats().failed, 2);
    }

    fn files_rotated(path: &std::path::Path, n: usize) -> PathBuf {
        skein_save::autosave::files::rotated(path, n)
    }
}
