//! Save and load times and sizes for a world of N tasklets blocked mid-function
//! with a few locals each (the speed targets):
//! `cargo run --release -p skein-save --example save_bench -- 100000 [binary]`.

use std::time::Instant;

use skein_save::snapshot::Snapshot;
use skein_save::world_load::{CodePolicy, load_world, try_one_pass};
use skein_save::world_save::save_world;
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_vm::Value;
use skein_world::{Simulation, WorldOptions};

const SCRIPT: &str = include_str!("../benches/npcs.sk");

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let n: i64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mut opts = WorldOptions {
        budget: 0,
        ..WorldOptions::default()
    };
    opts.params.insert("n".into(), Value::Int(n));
    let mut sim = Simulation::new(opts.clone());
    sim.load_main_source("bench", SCRIPT).expect("compiles");
    sim.run_until_idle(10);
    // What an autosave costs the tick loop: the snapshot alone (encoding
    // happens on the writer thread). The first autosave copies every
    // record; a later one retakes the last (here: nothing changed in
    // between), after it let go of the fibers a written snapshot lets go
    // (here none: every tasklet is blocked on a channel). Min of 5, after
    // one warm-up. A later snapshot for an incremental autosave does not
    // take again the fibers let go.
    let (mut first, mut later, mut delta) = (f64::MAX, f64::MAX, f64::MAX);
    for _ in 0..6 {
        let t = Instant::now();
        let mut s = Snapshot::retake(&mut sim.world, None).expect("snapshot");
        first = first.min(ms(t));
        s.release_fibers();
        let t = Instant::now();
        let mut s = Snapshot::retake(&mut sim.world, Some(s)).expect("snapshot");
        later = later.min(ms(t));
        s.release_fibers();
        let t = Instant::now();
        let mut s = Snapshot::retake_with(&mut sim.world, Some(s), false).expect("snapshot");
        delta = delta.min(ms(t));
        s.release_fibers();
    }
    println!(
        "{n} tasklets: autosave pause: first snapshot {first:.3} ms, later {later:.3} ms, \
         later for a delta {delta:.3} ms"
    );
    let t = Instant::now();
    let save = save_world(&sim.world).expect("saves");
    let snap = ms(t);
    println!("{n} tasklets: snapshot {snap:.1} ms");
    let only_binary = std::env::args().nth(2).is_some_and(|a| a == "binary");
    let encodings = if only_binary {
        vec![Encoding::Binary]
    } else {
        vec![Encoding::Compact, Encoding::Binary, Encoding::Pretty]
    };
    for enc in encodings {
        let t = Instant::now();
        let bytes = to_bytes(&save, enc).expect("encodes");
        let write = ms(t);
        let t = Instant::now();
        let back = from_bytes(&bytes).expect("reads");
        let read = ms(t);
        let t = Instant::now();
        let mut fresh = Simulation::new(opts.clone());
        load_world(&mut fresh.world, &back, CodePolicy::Saved).expect("loads");
        let load = ms(t);
        println!(
            "  {enc:?}: {} bytes/tasklet; save {:.1} ms (snapshot + encode {write:.1}), load {:.1} ms (parse {read:.1} + build {load:.1})",
            bytes.len() as i64 / n.max(1),
            snap + write,
            read + load
        );
    }
    // The binary save both ways, min of 3 each: through the records
    // (`to_save` then `to_bytes`) and written straight from the snapshot.
    let (mut records, mut direct) = (f64::MAX, f64::MAX);
    for _ in 0..3 {
        let t = Instant::now();
        let a = save_world(&sim.world).and_then(|s| to_bytes(&s, Encoding::Binary));
        records = records.min(ms(t));
        let t = Instant::now();
        let b = Snapshot::take(&sim.world).and_then(|mut s| s.to_binary());
        direct = direct.min(ms(t));
        assert!(a.expect("encodes") == b.expect("encodes"), "same bytes");
    }
    println!("  Binary save, min of 3: through the records {records:.1} ms, direct {direct:.1} ms");
    // The compact RON save both ways, min of 3 each, likewise.
    let (mut records, mut direct) = (f64::MAX, f64::MAX);
    for _ in 0..3 {
        let t = Instant::now();
        let a = save_world(&sim.world).and_then(|s| to_bytes(&s, Encoding::Compact));
        records = records.min(ms(t));
        let t = Instant::now();
        let b = Snapshot::take(&sim.world).and_then(|mut s| s.to_compact_ron());
        direct = direct.min(ms(t));
        assert!(a.expect("encodes") == b.expect("encodes"), "same bytes");
    }
    println!(
        "  Compact save, min of 3: through the records {records:.1} ms, direct {direct:.1} ms"
    );
    // The binary load both ways, min of 3 each: parsed into records then
    // staged, and decoded in one pass straight into the staging area.
    let bytes = to_bytes(&save, Encoding::Binary).expect("encodes");
    let (mut records, mut one_pass) = (f64::MAX, f64::MAX);
    for _ in 0..3 {
        let mut fresh = Simulation::new(opts.clone());
        let t = Instant::now();
        let back = from_bytes(&bytes).expect("reads");
        load_world(&mut fresh.world, &back, CodePolicy::Saved).expect("loads");
        drop(back);
        records = records.min(ms(t));
        drop(fresh);
        let mut fresh = Simulation::new(opts.clone());
        let t = Instant::now();
        let taken = try_one_pass(&mut fresh.world, &bytes);
        one_pass = one_pass.min(ms(t));
        assert!(matches!(taken, Some(Ok(()))), "the one pass takes the save");
    }
    println!(
        "  Binary load, min of 3: through the records {records:.1} ms, one pass {one_pass:.1} ms"
    );
}
