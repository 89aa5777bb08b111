//! A shard's durability (docs/cluster.md, "Durability"): its autosave at
//! tick boundaries, with the sequences it has taken, and its resumption
//! from that autosave when it is started again with the same command.

use std::io::Write;
use std::path::{Path, PathBuf};

use skein_cluster::ClusterError;
use skein_cluster::fault::Fault;
use skein_cluster::shard::Boundary;
use skein_save::snapshot::Snapshot;
use skein_save::world_load::{CodePolicy, load_world};
use skein_save::{Encoding, read_file};
use skein_world::shard::{ShardLink, shard_of};
use skein_world::{Simulation, WorldOptions};

use super::engine;
use super::failure::Failure;

/// `DIR/NAME-K.bin`.
pub fn autosave_path(dir: &Path, cluster: &str, shard: u32) -> PathBuf {
    dir.join(format!("{cluster}-{shard}.bin"))
}

/// The world of shard `k` of `n` from its autosave at `path`, with the run
/// it belongs to; `None` when there is no autosave yet.
pub fn resume(
    path: &Path,
    k: u32,
    n: u32,
    quiet: bool,
) -> Result<Option<(Simulation, String)>, Failure> {
    if !path.exists() {
        return Ok(None);
    }
    let shown = path.display();
    let save = read_file(path).map_err(|e| Failure::bad_input(format!("{shown}: {e}")))?;
    // A fresh world, handing out no ids yet: the save brings its options,
    // its numbering and its main.
    let mut sim = engine::new_simulation(WorldOptions::default(), quiet);
    load_world(&mut sim.world, &save, CodePolicy::Saved)
        .map_err(|e| Failure::bad_input(format!("{shown}: {e}")))?;
    let at = shard_of(&sim.world);
    if at != (u64::from(k), u64::from(n)) {
        return Err(Failure::bad_input(format!(
            "{shown} is shard {} of {}, not shard {k} of {n}",
            at.0, at.1
        )));
    }
    let run = sim.world.resource::<ShardLink>().run.clone();
    if run.is_empty() {
        return Err(Failure::bad_input(format!(
            "{shown} is not a cluster shard's autosave (no run id)"
        )));
    }
    tracing::info!(tick = save.header.tick, run = %run, "resuming from {shown}");
    Ok(Some((sim, run)))
}

/// Autosaves the world to `path` at every boundary whose tick is a
/// multiple of `every`, and at `ticks`. The file is written and synced
/// under a temporary name and renamed onto `path` only then, so `path` is
/// always a complete autosave; every message of the ticks it covers was
/// acknowledged by the transport before the boundary was reached.
pub fn autosaver(path: PathBuf, every: u64, ticks: Option<u64>, fault: Option<Fault>) -> Boundary {
    Box::new(move |sim: &mut Simulation| {
        let tick = sim.tick_count();
        if !tick.is_multiple_of(every) && ticks != Some(tick) {
            return Ok(false);
        }
        let io = |e: &dyn std::fmt::Display| {
            ClusterError::Io(std::io::Error::other(format!(
                "autosave {}: {e}",
                path.display()
            )))
        };
        let mut snap = Snapshot::take(&sim.world).map_err(|e| io(&e))?;
        let bytes = snap.encode(Encoding::Binary).map_err(|e| io(&e))?;
        let tmp = path.with_extension("bin.tmp");
        let mut f = std::fs::File::create(&tmp).map_err(|e| io(&e))?;
        f.write_all(&bytes).map_err(|e| io(&e))?;
        f.sync_all().map_err(|e| io(&e))?;
        drop(f);
        if let Some(fault) = &fault {
            fault.at("autosave", tick);
        }
        std::fs::rename(&tmp, &path).map_err(|e| io(&e))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = std::fs::File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(true)
    })
}

/// `DIR/NAME-K.run`: the run this shard joined, written (and synced)
/// before its first autosave, so a shard killed before that rejoins it.
pub fn run_marker(dir: &Path, cluster: &str, shard: u32) -> PathBuf {
    dir.join(format!("{cluster}-{shard}.run"))
}

/// The run a marker names, if there is one.
pub fn read_marker(path: &Path) -> Result<Option<String>, Failure> {
    match std::fs::read_to_string(path) {
        Ok(id) if !id.trim().is_empty() => Ok(Some(id.trim().to_string())),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::bad_input(format!("{}: {e}", path.display()))),
    }
}

/// Writes the marker (unless it already names `id`).
pub fn write_marker(path: &Path, id: &str) -> Result<(), Failure> {
    if read_marker(path)?.as_deref() == Some(id) {
        return Ok(());
    }
    let bad = |e: std::io::Error| Failure::cannot_write(format!("{}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(bad)?;
    }
    let tmp = path.with_extension("run.tmp");
    let mut f = std::fs::File::create(&tmp).map_err(bad)?;
    f.write_all(id.as_bytes()).map_err(bad)?;
    f.sync_all().map_err(bad)?;
    std::fs::rename(&tmp, path).map_err(bad)
}
