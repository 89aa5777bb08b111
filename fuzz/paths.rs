//! The code paths the fuzz targets drive, shared with `tests/reliability.rs`
//! (which includes this file) so the replay of the corpora in `cargo test`
//! runs exactly what libFuzzer ran. Every function takes untrusted bytes and
//! must return normally; the few `assert!`s are invariants whose failure is a
//! finding (a failed load that changed the world, a fresh save that does not
//! load back).

use skein_save::format::{SaveFile, SaveKind};
use skein_save::selection::load_selection;
use skein_save::world_load::{CodePolicy, load_world, try_one_pass};
use skein_save::world_save::save_world;
use skein_save::write::BINARY_MAGIC;
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_vm::Limits;
use skein_world::{Simulation, WorldOptions};

/// Ticks a fuzzed world runs: enough to switch, block and wake a few times.
const TICKS: u64 = 8;
/// Instructions per tasklet per tick in a fuzzed world, so an endless loop
/// costs little.
const BUDGET: u64 = 500;

/// The running world a fuzzed selection is loaded into: the script the
/// committed selection `tests/saves/channel_loops_part.ron` was taken from.
const HOST_SCRIPT: &str = include_str!("../crates/skein-save/tests/worlds/channel_loops.sk");

fn small_limits() -> Limits {
    Limits {
        frame_limit: 64,
        size_limit: 1 << 16,
    }
}

fn sim() -> Simulation {
    let mut s = Simulation::new(WorldOptions {
        budget: BUDGET,
        limits: small_limits(),
        ..WorldOptions::default()
    });
    skein_save::pickle::install(&mut s.world);
    s
}

/// Runs a few ticks, dropping the output as it comes so it cannot pile up.
fn run_a_little(s: &mut Simulation) {
    for _ in 0..TICKS {
        if s.is_idle() {
            break;
        }
        s.tick();
        let _ = s.take_output();
    }
}

/// Source text → program, rendering any compile error as the CLI would.
pub fn compile(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = skein_script::loader::compile_str("fuzz", src) {
        let _ = e.render();
    }
}

/// Source text → a world running it for a few ticks under small limits, then
/// saved, read back and resumed: a save of a real world must load.
pub fn run(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let mut s = sim();
    if s.load_main_source("fuzz", src).is_err() {
        return;
    }
    run_a_little(&mut s);
    let Ok(save) = save_world(&s.world) else {
        return;
    };
    let bytes = to_bytes(&save, Encoding::Compact).expect("a fresh save encodes");
    drop(s);
    let back = from_bytes(&bytes).expect("a fresh save parses");
    let mut s2 = sim();
    if let Err(e) = load_world(&mut s2.world, &back, CodePolicy::Saved) {
        panic!("a fresh save does not load: {e}");
    }
    run_a_little(&mut s2);
}

/// Bytes as a save file (RON, or binary if they carry the magic).
pub fn load_ron(data: &[u8]) {
    if let Ok(save) = from_bytes(data) {
        load_any(&save, data.first().is_some_and(|b| b & 1 == 1));
    }
}

/// Bytes as a binary save: the magic is added when missing, so mutations
/// spend their time on the postcard body.
pub fn load_bin(data: &[u8]) {
    let owned;
    let bytes = if data.starts_with(BINARY_MAGIC) {
        data
    } else {
        owned = [BINARY_MAGIC, data].concat();
        &owned
    };
    let save = from_bytes(bytes);
    one_pass_agrees(bytes, save.as_ref().ok());
    if let Ok(save) = save {
        load_any(&save, data.last().is_some_and(|b| b & 1 == 1));
    }
}

/// The one-pass loader (`skein resume`'s, which reads tasklets straight from
/// the bytes) against the record path on the same bytes: it takes only what
/// the records take, builds the same world, and leaves the world as it was
/// when it does not take them.
pub fn one_pass_agrees(bytes: &[u8], save: Option<&SaveFile>) {
    let mut one = sim();
    let fresh = world_bytes(&one);
    let taken = try_one_pass(&mut one.world, bytes);
    let mut rec = sim();
    let world = save.filter(|s| s.header.kind == SaveKind::World);
    let by_records = world.map(|s| load_world(&mut rec.world, s, CodePolicy::Saved).is_ok());
    match taken {
        None => assert!(
            world_bytes(&one) == fresh,
            "a refused one pass changed the world"
        ),
        Some(done) => {
            assert!(
                by_records == Some(done.is_ok()),
                "the one pass and the records disagree"
            );
            assert!(
                done.is_err() || world_bytes(&one) == world_bytes(&rec),
                "the one pass built another world"
            );
        }
    }
}

/// A world save into a fresh world, a selection into a running one; a load
/// that fails must leave the world as it was, one that succeeds must run.
pub fn load_any(save: &SaveFile, schedule: bool) {
    match save.header.kind {
        SaveKind::World => {
            let mut s = sim();
            let fresh = world_bytes(&s);
            if load_world(&mut s.world, save, CodePolicy::Saved).is_err() {
                assert!(
                    world_bytes(&s) == fresh,
                    "a failed world load changed the world"
                );
                return;
            }
            // The saved budget may be 0 (unlimited): a hostile save must not
            // make the fuzzer hang on an endless loop.
            let mut opts = s.world.resource_mut::<WorldOptions>();
            if opts.budget == 0 || opts.budget > BUDGET {
                opts.budget = BUDGET;
            }
            run_a_little(&mut s);
        }
        SaveKind::Selection => {
            let mut s = sim();
            if s.load_main_source("channel_loops", HOST_SCRIPT).is_err() {
                return;
            }
            s.tick();
            let _ = s.take_output();
            let before = world_bytes(&s);
            if load_selection(&mut s.world, save, schedule).is_err() {
                assert!(
                    world_bytes(&s) == before,
                    "a failed selection load changed the world"
                );
                return;
            }
            run_a_little(&mut s);
        }
    }
}

/// The world as compact save bytes (empty if it cannot be saved).
pub fn world_bytes(s: &Simulation) -> Vec<u8> {
    save_world(&s.world)
        .ok()
        .and_then(|f| to_bytes(&f, Encoding::Compact).ok())
        .unwrap_or_default()
}
