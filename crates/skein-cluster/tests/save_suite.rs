//! A cluster of one shard prints exactly what a plain world prints for
//! every script of the save suite: the seed's pickling examples, the
//! pickling cases of `docs/saves.md` and the worlds the save-promise tests
//! save mid-run (`crates/skein-save/tests/`), each with `pickle` installed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skein_cluster::ClusterError;
use skein_cluster::local::BuildWorld;
use skein_world::{Simulation, WorldOptions};

#[allow(dead_code)]
mod common;
use common::one_shard_differences;

/// The most ticks either run takes: every script here ends well before.
const TICKS: u64 = 1000;

fn scripts(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../skein-save/tests")
        .join(folder);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sk"))
        .collect();
    v.sort();
    v
}

fn with_pickle(options: WorldOptions, path: &Path) -> Result<Simulation, ClusterError> {
    let mut sim = Simulation::new(options);
    skein_save::pickle::install(&mut sim.world);
    sim.load_main(path)
        .map_err(|e| ClusterError::Run(skein_world::RunError::Usage(e.to_string())))?;
    Ok(sim)
}

/// Stdout and stderr of a plain world run to idle, with the `deadlock: …`
/// lines `skein run` reports at the end.
fn plain(path: &Path) -> (String, String) {
    let mut sim = with_pickle(WorldOptions::default(), path).expect("the script loads");
    let (mut out, mut err) = (String::new(), String::new());
    for _ in 0..TICKS {
        if sim.is_idle() {
            break;
        }
        sim.tick();
        let (o, e) = sim.take_output();
        out.push_str(&o);
        err.push_str(&e);
    }
    if sim.is_idle() {
        for line in sim.deadlocked() {
            err.push_str(&line);
            err.push('\n');
        }
    }
    (out, err)
}

#[test]
fn one_shard_prints_what_a_plain_world_prints_for_the_save_suite() {
    let mut all = scripts("seed");
    all.extend(scripts("pickling"));
    all.extend(scripts("worlds"));
    assert!(all.len() >= 19, "only {} scripts", all.len());
    let pickled =
        |path: PathBuf| -> BuildWorld { Arc::new(move |options| with_pickle(options, &path)) };
    let failures = one_shard_differences(&all, pickled, TICKS, plain);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
