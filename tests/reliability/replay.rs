//! Every file of `fuzz/regressions/<target>/` and (within a time budget)
//! `fuzz/corpus/<target>/`, run through the fuzz target's own code path
//! without libFuzzer: a saved crash stays fixed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use crate::{files_under, paths, root};

/// Time for one target's corpus in a debug build; regressions always run in
/// full.
const CORPUS_BUDGET: Duration = Duration::from_secs(8);

/// A fuzz target's body.
type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("compile", paths::compile),
    ("run", paths::run),
    ("load_ron", paths::load_ron),
    ("load_bin", paths::load_bin),
];

/// Runs `files` through `target`, returning (files run, failures).
fn replay(
    target: Target,
    files: &[std::path::PathBuf],
    budget: Option<Duration>,
) -> (usize, Vec<String>) {
    let start = Instant::now();
    let mut failed = Vec::new();
    let mut n = 0;
    for f in files {
        if budget.is_some_and(|b| start.elapsed() > b) {
            break;
        }
        let Ok(data) = std::fs::read(f) else { continue };
        n += 1;
        if catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
            failed.push(f.display().to_string());
        }
    }
    (n, failed)
}

#[test]
fn the_fuzz_corpora_and_regressions_run_without_a_panic() {
    let mut failed = Vec::new();
    for (name, target) in TARGETS {
        let regressions = files_under(&root().join("fuzz/regressions").join(name));
        let (r, f) = replay(*target, &regressions, None);
        failed.extend(f);
        let corpus = files_under(&root().join("fuzz/corpus").join(name));
        let (c, f) = replay(*target, &corpus, Some(CORPUS_BUDGET));
        failed.extend(f);
        eprintln!(
            "{name}: {r} regressions, {c} of {} corpus files",
            corpus.len()
        );
    }
    assert!(failed.is_empty(), "panicked on:\n{}", failed.join("\n"));
}

/// Writes the seed corpora of the four targets into `fuzz/corpus/` (run by
/// hand before a first fuzzing run: `cargo test --test reliability --
/// --ignored write_seed_corpora`): scripts for `compile` and `run`; saves
/// of the Stackless ports and the save crate's worlds at a few ticks, in
/// compact RON and in binary, plus selections of the world `load_any`
/// loads selections into, for `load_ron` and `load_bin`.
#[test]
#[ignore = "writes files; run by hand"]
fn write_seed_corpora() {
    use skein_save::world_save::save_world;
    use skein_save::{Encoding, to_bytes};
    use skein_world::WorldOptions;

    let corpus = root().join("fuzz/corpus");
    let mut scripts = files_under(&root().join("tests/stackless"));
    scripts.extend(files_under(&root().join("tests/scripts")));
    scripts.extend(files_under(&root().join("crates/skein-save/tests/worlds")));
    scripts.retain(|p| p.extension().is_some_and(|x| x == "sk"));
    let put = |target: &str, name: String, bytes: &[u8]| {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).expect("corpus dir");
        std::fs::write(dir.join(name), bytes).expect("seed");
    };
    for p in &scripts {
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let src = std::fs::read(p).expect("script");
        put("compile", format!("seed-{stem}.sk"), &src);
        put("run", format!("seed-{stem}.sk"), &src);
    }
    for p in files_under(&root().join("tests/saves")) {
        let name = p
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        put(
            "load_ron",
            format!("seed-{name}"),
            &std::fs::read(&p).expect("save"),
        );
    }
    let saved: Vec<_> = scripts
        .iter()
        .filter(|p| !p.starts_with(root().join("tests/scripts")))
        .collect();
    for p in saved {
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for ticks in [1, 3] {
            let mut s = crate::sim_with(WorldOptions {
                budget: 50,
                ..WorldOptions::default()
            });
            if s.load_main(p).is_err() {
                continue;
            }
            s.run(ticks);
            let Ok(save) = save_world(&s.world) else {
                continue;
            };
            let ron = to_bytes(&save, Encoding::Compact).expect("ron");
            let bin = to_bytes(&save, Encoding::Binary).expect("bin");
            put("load_ron", format!("seed-{stem}-t{ticks}.ron"), &ron);
            put("load_bin", format!("seed-{stem}-t{ticks}.bin"), &bin);
        }
    }
    // Selections of the world a fuzzed selection is loaded into.
    let host = root().join("crates/skein-save/tests/worlds/channel_loops.sk");
    for ticks in [0, 1, 2] {
        let mut s = crate::sim_with(WorldOptions {
            budget: 50,
            ..WorldOptions::default()
        });
        s.load_main(&host).expect("host script");
        s.run(ticks);
        let roots: Vec<skein_vm::Value> = (2..16)
            .filter(|&id| s.tasklet(id).is_some())
            .map(skein_vm::Value::Tasklet)
            .collect();
        let Ok((save, _)) = skein_save::selection::save_selection(&s.world, &roots, 0) else {
            continue;
        };
        let ron = to_bytes(&save, Encoding::Compact).expect("ron");
        let bin = to_bytes(&save, Encoding::Binary).expect("bin");
        put("load_ron", format!("seed-part-t{ticks}.ron"), &ron);
        put("load_bin", format!("seed-part-t{ticks}.bin"), &bin);
    }
}
