//! Golden saves in `tests/saves/` (at the workspace root): a format change,
//! or a compiler change that moves program counters, is a visible diff
//! there. Every committed save must still load.
//!
//! `SKEIN_BLESS=1 cargo test -p skein-save --test golden` rewrites them.

use std::path::{Path, PathBuf};

use skein_save::format::SaveKind;
use skein_save::selection::{load_selection, save_selection};
use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Encoding, read_file, to_bytes};
use skein_vm::Value;
use skein_world::{Simulation, WorldOptions};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sim() -> Simulation {
    let mut s = Simulation::new(WorldOptions {
        budget: 50,
        ..WorldOptions::default()
    });
    skein_save::pickle::install(&mut s.world);
    s
}

/// (file name, script, ticks before saving, tasklets to select or none).
const GOLDEN: &[(&str, &str, u64, &[u64])] = &[
    (
        "channel_loops_t1.ron",
        "crates/skein-save/tests/worlds/channel_loops.sk",
        1,
        &[],
    ),
    (
        "sleepers_t2.ron",
        "crates/skein-save/tests/worlds/sleepers.sk",
        2,
        &[],
    ),
    (
        "generator_t3.ron",
        "crates/skein-save/tests/worlds/generator.sk",
        3,
        &[],
    ),
    (
        "channel_loops_part.ron",
        "crates/skein-save/tests/worlds/channel_loops.sk",
        1,
        &[4],
    ),
];

fn make(script: &str, ticks: u64, select: &[u64]) -> Vec<u8> {
    let mut s = sim();
    s.load_main(&root().join(script)).expect("compiles");
    s.run(ticks);
    let save = if select.is_empty() {
        save_world(&s.world).expect("saves")
    } else {
        let roots: Vec<Value> = select.iter().map(|id| Value::Tasklet(*id)).collect();
        save_selection(&s.world, &roots, 0).expect("selects").0
    };
    to_bytes(&save, Encoding::Pretty).expect("encodes")
}

#[test]
fn golden_saves_are_unchanged() {
    let dir = root().join("tests/saves");
    let bless = std::env::var_os("SKEIN_BLESS").is_some();
    let mut diffs = Vec::new();
    for (name, script, ticks, select) in GOLDEN {
        let bytes = make(script, *ticks, select);
        let path = dir.join(name);
        if bless {
            std::fs::create_dir_all(&dir).expect("tests/saves");
            std::fs::write(&path, &bytes).expect("writes");
            continue;
        }
        match std::fs::read(&path) {
            Ok(old) if old == bytes => {}
            Ok(_) => diffs.push(format!("{name} differs (SKEIN_BLESS=1 to accept)")),
            Err(e) => diffs.push(format!("{name}: {e}")),
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn every_committed_save_loads() {
    let dir = root().join("tests/saves");
    let mut n = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    for path in files {
        if path.extension().is_none_or(|e| e != "ron" && e != "bin") {
            continue;
        }
        let save = read_file(&path).unwrap_or_else(|e| panic!("{e}"));
        match save.header.kind {
            SaveKind::World => {
                let mut s = sim();
                load_world(&mut s.world, &save, CodePolicy::Saved)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                s.run(3);
            }
            SaveKind::Selection => {
                // Selections load into a world running the same code.
                let (_, script, _, _) = GOLDEN
                    .iter()
                    .find(|g| path.ends_with(g.0))
                    .expect("a selection golden names its script");
                let mut s = sim();
                s.load_main(&root().join(script)).expect("compiles");
                load_selection(&mut s.world, &save, true)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                s.run(3);
            }
        }
        n += 1;
    }
    let blessing = std::env::var_os("SKEIN_BLESS").is_some();
    assert!(
        blessing || n >= GOLDEN.len(),
        "only {n} saves in tests/saves"
    );
}
