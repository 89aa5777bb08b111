//! The script files the world-promise, binary-save and load-path tests
//! walk, and how they run them (each includes this file as its own module,
//! and uses part of it).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use skein_world::{Simulation, WorldOptions};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.sk` under `folder` (relative to the workspace root), recursively,
/// in path order.
pub fn scripts_in(folder: &str) -> Vec<PathBuf> {
    let mut dirs = vec![root().join(folder)];
    let mut v = Vec::new();
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "sk") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

/// A fresh world as the binary builds one (`pickle` installed), switching
/// tasklets every 50 instructions so saves catch them mid-function, with
/// `tick_budget` (0: none).
pub fn fresh_world(tick_budget: u64) -> Simulation {
    let mut sim = Simulation::new(WorldOptions {
        budget: 50,
        tick_budget,
        ..WorldOptions::default()
    });
    skein_save::pickle::install(&mut sim.world);
    sim
}

/// Runs up to `max` ticks, stopping when the world goes idle; returns
/// everything printed (stdout and stderr of each tick in turn) and the ticks
/// run.
pub fn run_for(sim: &mut Simulation, max: u64) -> (String, u64) {
    let mut out = String::new();
    let mut n = 0;
    while n < max && !sim.is_idle() {
        sim.tick();
        n += 1;
        let (o, e) = sim.take_output();
        out.push_str(&o);
        out.push_str(&e);
    }
    (out, n)
}

/// Asks `differs` about each script's world at each of its first `ticks`
/// tick boundaries (the world from `fresh`, the script loaded as main);
/// fails listing every boundary it describes. Returns the boundaries
/// checked, for the caller to assert the walk reached enough of them.
pub fn check_boundaries(
    scripts: &[PathBuf],
    ticks: u64,
    fresh: impl Fn() -> Simulation,
    differs: impl Fn(&Simulation) -> Option<String>,
) -> usize {
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in scripts {
        let mut s = fresh();
        if s.load_main(path).is_err() {
            continue;
        }
        for k in 0..=ticks {
            if let Some(d) = differs(&s) {
                failures.push(format!("{}, tick {k}: {d}", path.display()));
            }
            checked += 1;
            if s.is_idle() {
                break;
            }
            s.tick();
            s.take_output();
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    checked
}
