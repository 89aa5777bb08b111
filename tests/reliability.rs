//! Hostile input and crash safety (issue 6): the fuzz corpora replayed,
//! structure-aware mutations of real saves, scripts that try to exhaust the
//! host, SIGKILL during repeated saves, and many save/resume cycles in one
//! run. `docs/reliability.md` says what each part covers and for how long
//! the fuzzers ran.

#[path = "../fuzz/paths.rs"]
mod paths;

#[path = "reliability/crash.rs"]
mod crash;
#[path = "reliability/determinism.rs"]
mod determinism;
#[path = "reliability/mutations.rs"]
mod mutations;
#[path = "reliability/replay.rs"]
mod replay;
#[path = "reliability/scripts.rs"]
mod scripts;

use std::path::{Path, PathBuf};

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use skein_world::{Simulation, WorldOptions};

/// The workspace root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A world with `pickle`, as the binary builds it.
fn sim_with(options: WorldOptions) -> Simulation {
    let mut s = Simulation::new(options);
    skein_save::pickle::install(&mut s.world);
    s
}

/// Every file under `dir`, recursively, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![dir.to_path_buf()];
    let mut v = Vec::new();
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

/// Resident memory of this process in bytes (Linux; 0 elsewhere).
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// A seeded generator for the tests' random choices, so a failing run can
/// be repeated.
fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A number in `0..n` (0 when `n` is 0).
fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    rng.next_u64() % n.max(1)
}
