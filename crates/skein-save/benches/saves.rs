//! Save and load of a world of tasklets blocked mid-function with a few
//! locals each, in compact RON and binary (the speed targets; the
//! `save_bench` example prints sizes and times at any size), and what an
//! autosave costs the tick loop: the first snapshot, a later one (nothing
//! changed in between), a later one for a delta (holding no unchanged
//! fiber), and encoding that delta.

use criterion::{Criterion, criterion_group, criterion_main};
use skein_save::code::ContentHash;
use skein_save::delta::delta_to_bytes;
use skein_save::snapshot::Snapshot;
use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_vm::Value;
use skein_world::{Simulation, WorldOptions};

const SCRIPT: &str = include_str!("npcs.sk");

const N: i64 = 10_000;

fn options() -> WorldOptions {
    let mut opts = WorldOptions {
        budget: 0,
        ..WorldOptions::default()
    };
    opts.params.insert("n".into(), Value::Int(N));
    opts
}

fn bench(c: &mut Criterion) {
    let mut sim = Simulation::new(options());
    sim.load_main_source("bench", SCRIPT).expect("compiles");
    sim.run_until_idle(10);
    let mut g = c.benchmark_group("world_10k");
    g.sample_size(10);
    for (name, enc) in [("compact", Encoding::Compact), ("binary", Encoding::Binary)] {
        g.bench_function(format!("save_{name}"), |b| {
            b.iter(|| to_bytes(&save_world(&sim.world).expect("saves"), enc).expect("encodes"))
        });
        let bytes = to_bytes(&save_world(&sim.world).expect("saves"), enc).expect("encodes");
        g.bench_function(format!("load_{name}"), |b| {
            b.iter(|| {
                let save = from_bytes(&bytes).expect("reads");
                let mut fresh = Simulation::new(options());
                load_world(&mut fresh.world, &save, CodePolicy::Saved).expect("loads");
                fresh
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("autosave_10k");
    g.sample_size(20);
    g.bench_function("snapshot_first", |b| {
        b.iter(|| Snapshot::retake(&mut sim.world, None).expect("snapshot"))
    });
    let mut last = Some(Snapshot::retake(&mut sim.world, None).expect("snapshot"));
    g.bench_function("snapshot_later", |b| {
        b.iter(|| {
            let mut s = Snapshot::retake(&mut sim.world, last.take()).expect("snapshot");
            s.release_fibers();
            last = Some(s);
        })
    });
    g.bench_function("snapshot_later_delta", |b| {
        b.iter(|| {
            let s = Snapshot::retake_with(&mut sim.world, last.take(), false).expect("snapshot");
            last = Some(s);
        })
    });
    g.bench_function("delta_encode_binary", |b| {
        b.iter(|| {
            let mut s =
                Snapshot::retake_with(&mut sim.world, last.take(), false).expect("snapshot");
            let d = s.to_delta(ContentHash(1), 0).expect("delta");
            let bytes = delta_to_bytes(&d, Encoding::Binary).expect("encodes");
            last = Some(s);
            bytes
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
