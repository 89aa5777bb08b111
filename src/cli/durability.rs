//! A shard's durability (docs/cluster.md, "Durability"): its autosave at
//! tick boundaries, with the sequences it has taken, and its resumption
//! from that autosave when it is started again with the same command —
//! refused when the run has ended or the inbox has let go of what the
//! autosave needs.

use std::io::Write;
use std::path::{Path, PathBuf};

use skein_cluster::autosave::{ShardAutosave, ShardAutosaveOptions};
use skein_cluster::fault::Fault;
use skein_cluster::nats::OldestRecord;
use skein_save::autosave::files::newest;
use skein_save::read_file;
use skein_save::world_load::{CodePolicy, load_world};
use skein_world::shard::{ShardLink, shard_of};
use skein_world::{Simulation, WorldOptions};

use super::engine;
use super::failure::Failure;

/// `DIR/NAME-K.bin`.
pub fn autosave_path(dir: &Path, cluster: &str, shard: u32) -> PathBuf {
    dir.join(format!("{cluster}-{shard}.bin"))
}

/// A shard resumed from its autosave: its world, the run it belongs to,
/// and what its inbox must still hold.
pub struct Resumed {
    /// The world, between ticks.
    pub sim: Simulation,
    /// The cluster run the autosave names.
    pub run: String,
    /// The first inbox stream sequence the autosave does not hold.
    pub inbox_from: Option<u64>,
    /// The file it was loaded from (`PATH`, or the newest `PATH.n`).
    pub file: PathBuf,
}

/// The world of shard `k` of `n` from its newest autosave (`path`, else
/// the newest `PATH.n`), with the run it belongs to; `None` when there is
/// no autosave yet. The final autosave of a run that has ended is refused.
pub fn resume(path: &Path, k: u32, n: u32, quiet: bool) -> Result<Option<Resumed>, Failure> {
    let Some((file, older)) = newest(path) else {
        return Ok(None);
    };
    let shown = file.display();
    if older {
        tracing::warn!("{} is missing; resuming from {shown}", path.display());
    }
    let save = read_file(&file).map_err(|e| Failure::bad_input(format!("{shown}: {e}")))?;
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
    let link = sim.world.resource::<ShardLink>();
    let (run, ended, inbox_from) = (link.run.clone(), link.ended, link.inbox_from);
    // Saved at a barrier or while publishing: of the tick that just ran.
    let unfinished = [
        ("awaiting", link.awaiting),
        ("publishing.tick", link.publishing.as_ref().map(|p| p.tick)),
    ];
    for (field, tick) in unfinished {
        if let Some(t) = tick
            && t.checked_add(1) != Some(save.header.tick)
        {
            return Err(Failure::bad_input(format!(
                "{shown}: world.resources[\"skein.shard\"].{field}: tick {t} is not the one before the save's tick {}",
                save.header.tick
            )));
        }
    }
    if let Some(p) = &link.publishing
        && let Err(e) = skein_cluster::publishing::unpack(p, k)
    {
        return Err(Failure::bad_input(format!(
            "{shown}: world.resources[\"skein.shard\"].publishing: {e}"
        )));
    }
    if run.is_empty() {
        return Err(Failure::bad_input(format!(
            "{shown} is not a cluster shard's autosave (no run id)"
        )));
    }
    if ended {
        return Err(Failure::bad_input(format!(
            "{shown}: this cluster run has ended; use a new --dir or --cluster"
        )));
    }
    tracing::info!(tick = save.header.tick, run = %run, "resuming from {shown}");
    Ok(Some(Resumed {
        sim,
        run,
        inbox_from,
        file,
    }))
}

/// Refuses to go on from an autosave older than what the shard's inbox
/// has let go of: the messages it needs are gone (a newer autosave had
/// covered them, and is missing now).
pub fn check_inbox(resumed: &Resumed, first: u64, shard: u32) -> Result<(), Failure> {
    match resumed.inbox_from {
        Some(from) if first > from => Err(Failure::bad_input(format!(
            "{}: shard {shard}'s inbox has let go of messages this autosave needs \
             (it needs stream sequence {from} on, the inbox starts at {first}): \
             it is older than one the shard wrote since, which is missing",
            resumed.file.display()
        ))),
        _ => Ok(()),
    }
}

/// Refuses to go on from an autosave older than what the run's tick
/// records still hold: its first barrier and those after need every other
/// shard's records of those ticks, stored or vouched for as quiet by a
/// later one, and a shard's stored records of a tick go only once every
/// shard's newest autosave is past it (a newer autosave had been written,
/// and is missing). `firsts` is each shard's oldest record in the stream.
pub fn check_records(
    resumed: &Resumed,
    firsts: &[Option<OldestRecord>],
    shard: u32,
) -> Result<(), Failure> {
    let link = resumed.sim.world.resource::<ShardLink>();
    let unfinished = link.publishing.as_ref().map(|p| p.tick);
    let needs = link
        .awaiting
        .or(unfinished)
        .unwrap_or(resumed.sim.tick_count());
    for (k, first) in firsts.iter().enumerate() {
        if let Some(first) = first
            && k as u32 != shard
            && first.let_go_of(needs)
        {
            return Err(Failure::bad_input(format!(
                "{}: the tick records have let go of shard {k}'s records of tick {needs} \
                 on, which this autosave needs (its oldest now is of tick {}): \
                 it is older than one shard {shard} wrote since, which is missing",
                resumed.file.display(),
                first.tick
            )));
        }
    }
    Ok(())
}

/// The shard's autosave: every `every` ticks and at the last boundary, to
/// `path` with `keep` kept, stopping the shard after `failures` failed
/// writes in a row.
pub fn autosaver(
    path: PathBuf,
    every: u64,
    keep: u32,
    failures: u32,
    fault: Option<Fault>,
) -> ShardAutosave {
    ShardAutosave::new(ShardAutosaveOptions {
        path,
        every,
        keep: keep as usize,
        failures,
        fault,
        wait: false,
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
