//! Helpers the autosave test files share: ticking a world while collecting
//! what it printed, a fresh scratch folder per test, the save of a straight
//! run to compare autosaves with, and resuming from an autosave file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use skein_save::autosave;
use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Encoding, read_file, to_bytes};
use skein_world::Simulation;

/// Runs `n` ticks and returns everything printed, stdout and stderr of each
/// tick in turn.
pub fn ticks(sim: &mut Simulation, n: u64) -> String {
    let mut out = String::new();
    for _ in 0..n {
        sim.tick();
        let (o, e) = sim.take_output();
        out.push_str(&o);
        out.push_str(&e);
    }
    out
}

/// An empty folder `skein-{suite}-{tag}-{pid}` under the temporary folder.
pub fn scratch(suite: &str, tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("skein-{suite}-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch");
    d
}

/// Runs `n` ticks, letting each tick's autosave write finish before the
/// next tick, so none is skipped; returns everything printed.
pub fn ticks_each_written(sim: &mut Simulation, n: u64) -> String {
    let mut out = String::new();
    for _ in 0..n {
        out += &ticks(sim, 1);
        autosave::finish(&mut sim.world);
    }
    out
}

/// Resumes the autosave at `path` in `fresh` and runs it to tick `n`:
/// what it printed after `first` (the run up to the autosave) must be the
/// whole straight run.
pub fn assert_resumes(fresh: Simulation, path: &Path, first: &str, whole: &str, n: u64) {
    let mut r = resume_in(fresh, path);
    let k = r.world.resource::<skein_world::Scheduler>().tick;
    let rest = ticks(&mut r, n - k);
    assert_eq!(
        format!("{first}{rest}"),
        whole,
        "autosave at tick {k}, resumed"
    );
}

/// The save, in `encoding`, of a fresh world from `make` run straight to
/// tick `k`: what an autosave of tick `k` must equal.
pub fn straight_save(make: impl Fn() -> Simulation, k: u64, encoding: Encoding) -> Vec<u8> {
    let mut s = make();
    ticks(&mut s, k);
    to_bytes(&save_world(&s.world).expect("saves"), encoding).expect("encodes")
}

/// `sim` with the save at `path` (its chain followed) loaded into it.
pub fn resume_in(mut sim: Simulation, path: &Path) -> Simulation {
    let save = read_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    load_world(&mut sim.world, &save, CodePolicy::Saved).expect("loads");
    sim
}

/// Ticks `sim` a millisecond apart, so writes overlap ticks, until `want`
/// autosaves are written or 3000 ticks have run; returns the ticks run.
pub fn tick_until_written(sim: &mut Simulation, want: u64) -> u64 {
    let written = |s: &Simulation| s.world.resource::<autosave::Autosave>().stats().written;
    let mut n = 0;
    while written(sim) < want && n < 3000 {
        ticks(sim, 1);
        n += 1;
        std::thread::sleep(Duration::from_millis(1));
    }
    n
}

/// The `written` newest autosave files at `path`, newest first: `path`
/// itself, then its rotations.
pub fn kept_files(path: &Path, written: u64) -> Vec<PathBuf> {
    let mut files = vec![path.to_path_buf()];
    files.extend((1..written as usize).map(|n| autosave::files::rotated(path, n)));
    files
}
