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

/// A small deterministic generator (seeded runs are repeatable).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}
