//! The seed's pickling examples (`tests/seed/`, the Stackless pickling page's
//! examples as Skein scripts) and the pickling cases of `docs/stackless.md`
//! (`tests/pickling/`): each script, run to idle with `pickle` installed,
//! prints exactly its `.out`.

use std::path::{Path, PathBuf};

use skein_world::{Simulation, WorldOptions};

fn examples(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(folder);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|x| x == "sk"));
    v.sort();
    v
}

/// Stdout and stderr of a run to idle.
pub fn run(path: &Path) -> (String, String) {
    let mut sim = Simulation::new(WorldOptions::default());
    skein_save::pickle::install(&mut sim.world);
    if let Err(e) = sim.load_main(path) {
        return (String::new(), format!("load error: {e}"));
    }
    let (mut out, mut err) = (String::new(), String::new());
    for _ in 0..1000 {
        if sim.is_idle() {
            break;
        }
        sim.tick();
        let (o, e) = sim.take_output();
        out.push_str(&o);
        err.push_str(&e);
    }
    (out, err)
}

#[test]
fn seed_examples_print_their_expected_output() {
    let all = examples("seed");
    assert_eq!(all.len(), 5, "the five seed examples");
    check(all);
}

/// The pickling cases of docs/saves.md, "Saving from a script: `pickle`".
#[test]
fn pickling_cases_print_their_expected_output() {
    let all = examples("pickling");
    assert!(all.len() >= 8);
    check(all);
}

fn check(all: Vec<PathBuf>) {
    let mut failures = Vec::new();
    for path in all {
        let want = std::fs::read_to_string(path.with_extension("out")).unwrap_or_default();
        let (out, err) = run(&path);
        if out != want {
            failures.push(format!(
                "{}:\n--- want\n{want}--- got\n{out}--- stderr\n{err}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
