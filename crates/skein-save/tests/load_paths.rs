//! One save read back from each of its encodings gives one world: for every
//! world script and the stackless scripts, at several tick boundaries, the
//! world loaded from compact RON, the one loaded from the binary save's
//! records and the one the one-pass decoder builds from the same bytes
//! re-save to the same bytes and run on to the same output. The two readers
//! share no parsing code (ron and postcard), and function names read back
//! through a cache of shared names, so this holds the loader to one meaning.

use std::path::PathBuf;

#[path = "common/scripts.rs"]
mod scripts;
use scripts::{check_boundaries, fresh_world, run_for, scripts_in};

use skein_save::snapshot::Snapshot;
use skein_save::world_load::{CodePolicy, load_world, try_one_pass};
use skein_save::{Encoding, from_bytes};
use skein_world::Simulation;

fn sim() -> Simulation {
    fresh_world(0)
}

/// A fresh world loaded from `bytes`.
fn load(bytes: &[u8]) -> Result<Simulation, String> {
    let save = from_bytes(bytes).map_err(|e| format!("read: {e}"))?;
    let mut s = sim();
    load_world(&mut s.world, &save, CodePolicy::Saved).map_err(|e| format!("load: {e}"))?;
    Ok(s)
}

/// `None` when the worlds loaded from `s`'s RON and binary saves agree.
fn differs(s: &Simulation) -> Option<String> {
    let encode = |enc| Snapshot::take(&s.world).and_then(|mut snap| snap.encode(enc));
    let (Ok(ron), Ok(bin)) = (encode(Encoding::Compact), encode(Encoding::Binary)) else {
        // Unsaveable worlds have nothing to load.
        return None;
    };
    let (mut a, mut b) = match (load(&ron), load(&bin)) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => return Some(format!("ron {:?}, binary {:?}", a.err(), b.err())),
    };
    let resave = |s: &Simulation| {
        Snapshot::take(&s.world)
            .and_then(|mut snap| snap.to_binary())
            .expect("a loaded world saves")
    };
    if resave(&a) != resave(&b) {
        return Some("the loaded worlds save differently".into());
    }
    // The one-pass decoder must take every save the record path takes.
    let mut c = sim();
    match try_one_pass(&mut c.world, &bin) {
        Some(Ok(())) => {}
        other => return Some(format!("one pass: {other:?}")),
    }
    if resave(&c) != resave(&b) {
        return Some("the one-pass world saves differently".into());
    }
    let (out_a, out_b) = (run_for(&mut a, 1000).0, run_for(&mut b, 1000).0);
    let out_c = run_for(&mut c, 1000).0;
    if out_c != out_b {
        return Some(format!(
            "run on differs:\n--- one pass\n{out_c}--- binary\n{out_b}"
        ));
    }
    (out_a != out_b).then(|| format!("run on differs:\n--- ron\n{out_a}--- binary\n{out_b}"))
}

fn check(scripts: &[PathBuf], ticks: u64) -> usize {
    check_boundaries(scripts, ticks, sim, differs)
}

#[test]
fn ron_and_binary_load_to_the_same_world_for_the_world_scripts() {
    let n = check(&scripts_in("crates/skein-save/tests/worlds"), 6);
    assert!(n > 10, "checked {n} boundaries");
}

#[test]
fn ron_and_binary_load_to_the_same_world_for_the_stackless_scripts() {
    let n = check(&scripts_in("tests/stackless"), 2);
    assert!(n > 30, "checked {n} boundaries");
}
