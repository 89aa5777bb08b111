//! The Stackless ports under `tests/stackless/`: each `NAME.sk` with a
//! `NAME.out` beside it is run three ways, and all three must print exactly
//! `NAME.out` on stdout and `NAME.err` (or nothing) on the error output:
//! with the default budget, with `--budget 0` (unlimited), and stepped tick
//! by tick through the Rust API with another bevy system running between
//! ticks. Tick boundaries must never change Stackless's order.
//!
//! `SKEIN_BLESS=1` writes the outputs of the first way instead of comparing.

use std::path::{Path, PathBuf};

use bevy_ecs::prelude::*;
use skein_world::{RunOptions, Simulation, SkeinSystems, TaskletState, WorldOptions, run_file};

fn ports_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stackless")
}

fn scripts() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(ports_dir())
        .expect("tests/stackless exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sk") && p.with_extension("out").exists())
        .collect();
    v.sort();
    v
}

fn via_run_file(path: &Path, budget: Option<u64>) -> (String, String) {
    let opts = RunOptions {
        budget,
        ticks: Some(10_000),
        ..RunOptions::default()
    };
    let mut out = Vec::new();
    let mut err = Vec::new();
    if let Err(e) = run_file(path, &opts, &mut out, &mut err) {
        err.extend_from_slice(format!("run error: {e}\n").as_bytes());
    }
    (
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// Counts tasklets and touches their data between ticks, as a game system
/// would; it must not disturb the scripts.
#[derive(Resource, Default)]
struct Seen(u64);

fn observer(mut seen: ResMut<Seen>, q: Query<&TaskletState>) {
    seen.0 += q.iter().filter(|t| t.alive).count() as u64;
}

fn via_ticks(path: &Path) -> (String, String) {
    let mut sim = Simulation::new(WorldOptions::default());
    sim.world.insert_resource(Seen::default());
    sim.schedule.add_systems((
        observer.before(SkeinSystems::Run),
        observer.after(SkeinSystems::Run),
    ));
    let mut out = String::new();
    let mut err = String::new();
    if let Err(e) = sim.load_main(path) {
        return (out, format!("run error: {e}\n"));
    }
    let mut n = 0;
    while !sim.is_idle() && n < 10_000 {
        sim.tick();
        n += 1;
        let (o, e) = sim.take_output();
        out.push_str(&o);
        err.push_str(&e);
    }
    for line in sim.deadlocked() {
        err.push_str(&line);
        err.push('\n');
    }
    (out, err)
}

#[test]
fn stackless_ports() {
    let bless = std::env::var_os("SKEIN_BLESS").is_some();
    let all = scripts();
    assert!(all.len() >= 50, "only {} ports", all.len());
    let mut failures = Vec::new();
    for path in &all {
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let got = via_run_file(path, None);
        if bless {
            std::fs::write(path.with_extension("out"), &got.0).expect("write .out");
            let errp = path.with_extension("err");
            if got.1.is_empty() {
                let _ = std::fs::remove_file(errp);
            } else {
                std::fs::write(errp, &got.1).expect("write .err");
            }
            continue;
        }
        let want_out = std::fs::read_to_string(path.with_extension("out")).unwrap_or_default();
        let want_err = std::fs::read_to_string(path.with_extension("err")).unwrap_or_default();
        let ways = [
            ("default budget", got),
            ("budget 0", via_run_file(path, Some(0))),
            ("tick by tick", via_ticks(path)),
        ];
        for (way, (out, err)) in ways {
            if out != want_out || err != want_err {
                failures.push(format!(
                    "{name} ({way}):\n--- stdout\n{out}--- want\n{want_out}--- stderr\n{err}--- want\n{want_err}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
