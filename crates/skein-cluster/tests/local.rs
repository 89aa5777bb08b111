//! Clusters in one process over the in-memory transport: a cluster of one
//! shard prints exactly what a plain world prints, for every Stackless
//! port and cluster script; relays, a market and a traveller using channels
//! of other shards, over 2, 3 and 4 shards, print the same bytes run
//! after run, equal to the golden files in `tests/golden/`
//! (`SKEIN_BLESS=1` rewrites them).

use std::path::{Path, PathBuf};

use skein_cluster::local::run_local;
use skein_world::{RunOptions, WorldOptions, run_file};

#[allow(dead_code)]
mod common;
use common::{builder, one_shard_differences, prefixed, root};

fn plain(path: &Path) -> (String, String) {
    let opts = RunOptions {
        ticks: Some(10_000),
        ..RunOptions::default()
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    if let Err(e) = run_file(path, &opts, &mut out, &mut err) {
        err.extend_from_slice(format!("run error: {e}\n").as_bytes());
    }
    (
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

#[test]
fn one_shard_prints_what_a_plain_world_prints() {
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(root().join("tests/stackless"))
        .expect("tests/stackless")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sk") && p.with_extension("out").exists())
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 50, "only {} ports", scripts.len());
    let failures = one_shard_differences(&scripts, builder, 10_000, plain);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs `name` (in `assets/cluster/`) over N = 2..=4 shards three times
/// each, checking the runs agree and equal `tests/golden/NAME-N.txt`.
fn deterministic_over_shards(name: &str) {
    let script = root().join(format!("assets/cluster/{name}.sk"));
    let bless = std::env::var_os("SKEIN_BLESS").is_some();
    for n in 2..=4u32 {
        let runs: Vec<String> = (0..3)
            .map(|_| {
                prefixed(&run_local(
                    builder(script.clone()),
                    &WorldOptions::default(),
                    n,
                    Some(1000),
                ))
            })
            .collect();
        assert!(
            runs.iter().all(|r| *r == runs[0]),
            "{name}, N = {n}: runs differ:\n{}",
            runs.join("\n----\n")
        );
        let golden =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{name}-{n}.txt"));
        if bless {
            std::fs::write(&golden, &runs[0]).expect("write golden");
            continue;
        }
        let want = std::fs::read_to_string(&golden).expect("golden file (SKEIN_BLESS=1 writes it)");
        assert_eq!(runs[0], want, "{name}, N = {n}");
    }
}

#[test]
fn relays_round_a_ring_are_deterministic() {
    deterministic_over_shards("relay");
}

#[test]
fn a_market_with_buyers_on_every_shard_is_deterministic() {
    deterministic_over_shards("market");
}

#[test]
fn a_traveller_carrying_a_channel_is_deterministic() {
    deterministic_over_shards("traveller");
}

#[test]
fn cluster_scripts_on_one_shard_print_what_a_plain_world_prints() {
    let scripts: Vec<PathBuf> = ["relay", "market", "traveller"]
        .iter()
        .map(|name| root().join(format!("assets/cluster/{name}.sk")))
        .collect();
    let failures = one_shard_differences(&scripts, builder, 10_000, plain);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
