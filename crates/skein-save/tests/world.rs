//! The world promise: running N ticks prints exactly what running k ticks,
//! saving, loading into a fresh world and running on prints, for every
//! Stackless port under `tests/stackless/` and several k; and save → load →
//! save gives the same bytes.

use std::path::{Path, PathBuf};

#[path = "common/scripts.rs"]
mod scripts;
use scripts::{fresh_world, run_for, scripts_in};

use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_world::Simulation;

/// Enough for every finite script at a budget of 50 (the deepest,
/// `functions/recursion.sk`, takes ~500 ticks): a script cut off by this
/// cap in the straight run but not after a split would compare unequal.
const MAX_TICKS: u64 = 1000;

fn sim(tick_budget: u64) -> Simulation {
    fresh_world(tick_budget)
}

fn straight(path: &Path, tick_budget: u64) -> Option<(String, u64)> {
    let mut s = sim(tick_budget);
    s.load_main(path).ok()?;
    Some(run_for(&mut s, MAX_TICKS))
}

/// k ticks, save, load into a fresh world, run on.
fn split(path: &Path, k: u64, enc: Encoding, tick_budget: u64) -> Result<String, String> {
    let mut s = sim(tick_budget);
    s.load_main(path).map_err(|e| e.to_string())?;
    let (mut out, _) = run_for(&mut s, k);
    let save = save_world(&s.world).map_err(|e| format!("save: {e}"))?;
    let bytes = to_bytes(&save, enc).map_err(|e| format!("encode: {e}"))?;
    drop(s);
    let back = from_bytes(&bytes).map_err(|e| format!("read: {e}"))?;
    // The loaded world takes its options, the tick budget among them, from
    // the save: a fresh world with no tick budget shows that it does.
    let mut s2 = sim(0);
    load_world(&mut s2.world, &back, CodePolicy::Saved).map_err(|e| format!("load: {e}"))?;
    let again = to_bytes(
        &save_world(&s2.world).map_err(|e| format!("resave: {e}"))?,
        enc,
    )
    .map_err(|e| format!("encode: {e}"))?;
    if again != bytes {
        let a = String::from_utf8_lossy(&bytes);
        let b = String::from_utf8_lossy(&again);
        let line = a
            .lines()
            .zip(b.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        return Err(format!(
            "save → load → save differs at line {}: {:?} vs {:?}",
            line + 1,
            a.lines().nth(line),
            b.lines().nth(line)
        ));
    }
    out += &run_for(&mut s2, MAX_TICKS).0;
    Ok(out)
}

#[test]
fn every_port_resumes_exactly_after_a_save() {
    check_all(&scripts_in("tests/stackless"), true, 0);
}

/// With `--tick-budget` cutting ticks short, a save at a cut resumes with the
/// ring where it stopped (the budget is saved with the world).
#[test]
fn every_port_resumes_exactly_under_a_tick_budget() {
    check_all(&scripts_in("tests/stackless"), true, 120);
}

/// The language conformance scripts, and this crate's own world scripts
/// (sleepers, natives, the generator, imports, deep values).
#[test]
fn every_script_resumes_exactly_after_a_save() {
    let mut all = scripts_in("tests/scripts");
    all.extend(scripts_in("crates/skein-save/tests/worlds"));
    check_all(&all, false, 0);
}

fn check_all(scripts: &[PathBuf], many: bool, tick_budget: u64) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in scripts {
        let path = path.as_path();
        let Some((want, n)) = straight(path, tick_budget) else {
            continue;
        };
        let name = path.file_name().map(|f| f.to_string_lossy().into_owned());
        let mut ks = if many {
            vec![0, 1, 2, n / 2, n.saturating_sub(1)]
        } else {
            vec![1, n / 2]
        };
        ks.sort();
        ks.dedup();
        for k in ks {
            let enc = if k % 2 == 0 {
                Encoding::Pretty
            } else {
                Encoding::Binary
            };
            match split(path, k, enc, tick_budget) {
                Ok(got) if got == want => {}
                Ok(got) => failures.push(format!(
                    "{name:?} k={k}: output differs\n--- straight\n{want}--- split\n{got}"
                )),
                Err(e) => failures.push(format!("{name:?} k={k}: {e}")),
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no scripts found");
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
#[ignore = "prints this crate's world scripts' output for people to check"]
fn show_worlds() {
    for p in scripts_in("crates/skein-save/tests/worlds") {
        let r = straight(&p, 0);
        println!("== {}\n{:?}", p.display(), r);
    }
}

/// Two runs of the same script save the same bytes.
#[test]
fn two_runs_give_the_same_save() {
    for path in scripts_in("crates/skein-save/tests/worlds") {
        let once = || {
            let mut s = sim(0);
            s.load_main(&path).expect("compiles");
            s.run(3);
            to_bytes(&save_world(&s.world).expect("saves"), Encoding::Pretty).expect("bytes")
        };
        assert!(once() == once(), "{}", path.display());
    }
}
