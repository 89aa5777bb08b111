//! The fault-injection hook, a testing aid (docs/cluster.md, "Testing
//! crashes"): `SKEIN_FAULT=POINT:TICK` makes a shard abort at that point of
//! that tick, as a `kill -9` would stop it, so tests can crash a shard at a
//! chosen moment; `POINT:TICK:K` only in shard K (what a test gives `skein
//! cluster`, whose shards share its environment). It fires once per
//! `--dir`: it leaves a marker file there before aborting, so the
//! restarted shard, replaying the same ticks, goes on. A point named
//! `pause-…` pauses the shard for [`PAUSE`] instead of aborting it (its
//! marker written first, so a test sees it is there), for tests that stop
//! the NATS server at that moment.

use std::path::{Path, PathBuf};

/// The environment variable naming the point and the tick.
pub const VAR: &str = "SKEIN_FAULT";

/// The points a shard can be stopped at.
pub const POINTS: [&str; 5] = ["tick", "migration", "publish", "autosave", "pause-publish"];

/// How long a `pause-…` point pauses the shard.
pub const PAUSE: std::time::Duration = std::time::Duration::from_secs(3);

/// Where and when to abort, read from [`VAR`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    point: String,
    tick: u64,
    marker: PathBuf,
}

impl Fault {
    /// The fault [`VAR`] names for a shard whose autosaves go to `dir`
    /// (`Ok(None)` when it names none; an error for a malformed value).
    pub fn from_env(dir: &Path, shard: u32) -> Result<Option<Fault>, String> {
        let Some(v) = std::env::var_os(VAR) else {
            return Ok(None);
        };
        let v = v.to_string_lossy();
        let bad = || {
            format!(
                "{VAR}={v}: expected POINT:TICK or POINT:TICK:SHARD, POINT one of {}",
                POINTS.join(", ")
            )
        };
        let (point, rest) = v.split_once(':').ok_or_else(bad)?;
        let (tick, only) = match rest.split_once(':') {
            Some((tick, k)) => (tick, Some(k.parse::<u32>().map_err(|_| bad())?)),
            None => (rest, None),
        };
        let tick: u64 = tick.parse().map_err(|_| bad())?;
        if !POINTS.contains(&point) {
            return Err(bad());
        }
        if only.is_some_and(|k| k != shard) {
            return Ok(None);
        }
        Ok(Some(Fault {
            point: point.to_string(),
            tick,
            marker: dir.join(format!(".fault-{shard}-{point}-{tick}")),
        }))
    }

    /// Whether it is still to fire at this point and tick.
    pub fn wants(&self, point: &str, tick: u64) -> bool {
        point == self.point && tick == self.tick && !self.marker.exists()
    }

    /// Aborts the process (or pauses it, at a `pause-…` point) if this is
    /// the point and tick, the first time.
    pub fn at(&self, point: &str, tick: u64) {
        if !self.wants(point, tick) {
            return;
        }
        if std::fs::write(&self.marker, b"").is_err() {
            // Without its marker the restarted shard would abort again.
            return;
        }
        if point.starts_with("pause-") {
            eprintln!("skein: {VAR}: pausing {PAUSE:?} at {point} of tick {tick}");
            std::thread::sleep(PAUSE);
            return;
        }
        eprintln!("skein: {VAR}: aborting at {point} of tick {tick}");
        std::process::abort();
    }
}
