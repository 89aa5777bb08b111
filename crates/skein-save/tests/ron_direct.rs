//! Compact RON written straight from a snapshot is byte for byte the
//! records' compact RON (`to_save` then `to_bytes`): for `save_bench`'s
//! world, for values only `ron` writes (NaN) or writes with escapes, and for
//! the worlds of the golden saves loaded back. (`tests/binary.rs` compares
//! the two for every world and Stackless script at several tick boundaries.)

use std::path::PathBuf;

#[path = "common/scripts.rs"]
mod scripts;
use scripts::{check_boundaries, fresh_world, root};

use skein_save::format::SaveKind;
use skein_save::snapshot::Snapshot;
use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Encoding, read_file, to_bytes};
use skein_vm::Value;
use skein_world::{Simulation, WorldOptions};

/// Where the direct bytes first differ from the records', if they do.
fn differs(s: &Simulation) -> Option<String> {
    let Ok(save) = save_world(&s.world) else {
        let direct = Snapshot::take(&s.world).and_then(|mut snap| snap.to_compact_ron());
        return direct
            .is_ok()
            .then(|| "direct path saved an unsaveable world".into());
    };
    let want = to_bytes(&save, Encoding::Compact).expect("encodes");
    let got = Snapshot::take(&s.world)
        .and_then(|mut snap| snap.to_compact_ron())
        .expect("direct encode");
    if got == want {
        return None;
    }
    let at = got.iter().zip(&want).position(|(a, b)| a != b);
    let around = |b: &[u8]| {
        let i = at.unwrap_or(0);
        String::from_utf8_lossy(&b[i.saturating_sub(60)..(i + 60).min(b.len())]).into_owned()
    };
    Some(format!(
        "compact RON differs at byte {at:?} ({} vs {} bytes):\n direct  {}\n records {}",
        got.len(),
        want.len(),
        around(&got),
        around(&want)
    ))
}

fn script_file(name: &str, text: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("skein-ron-direct-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch");
    let path = dir.join(format!("{name}.sk"));
    std::fs::write(&path, text).expect("writes");
    (dir, path)
}

#[test]
fn direct_ron_matches_the_records_for_the_bench_world() {
    let script = include_str!("../benches/npcs.sk");
    let mut opts = WorldOptions {
        budget: 0,
        ..WorldOptions::default()
    };
    opts.params.insert("n".into(), Value::Int(300));
    let mut sim = Simulation::new(opts);
    sim.load_main_source("bench", script).expect("compiles");
    sim.run_until_idle(10);
    assert_eq!(differs(&sim), None);
}

/// Values the quick writer leaves to `ron` (NaN, alone and in a list),
/// escapes, names, tabled values in data and tempval, a pending error, a
/// `send_sequence` and a sleeper.
#[test]
fn direct_ron_matches_the_records_for_awkward_values() {
    let script = "
import stackless
import sim
ch = stackless.channel()
def f(tag):
    a = float('nan')
    b = 1e308 * 10
    c = -0.0
    d = [a, 1, -b]
    e = 'h\u{e9}llo\\t\u{2603}\\x01 \"q\" \\'s\\''
    g = {'nan': a, 'big': 'z' * 300}
    for x in [1, 2]:
        v = ch.receive()
    return v
def sender():
    ch.send_sequence([1, 2, 3])
def sleeper():
    sim.sleep(5)
t = stackless.tasklet(f)('t')
t.name = 'w\u{f6}rker \"1\"'
t.data['x'] = float('nan')
t.data['long'] = list(range(300))
u = stackless.tasklet(f)('u')
stackless.tasklet(sender)()
stackless.tasklet(sleeper)()
stackless.run()
t.throw(ValueError('pending'))
";
    let (dir, path) = script_file("awkward", script);
    let n = check_boundaries(std::slice::from_ref(&path), 4, || fresh_world(0), differs);
    std::fs::remove_dir_all(&dir).expect("cleans up");
    assert!(n >= 2, "checked {n} boundaries");
}

#[test]
fn direct_ron_matches_the_records_for_the_golden_worlds() {
    let mut checked = 0;
    for e in std::fs::read_dir(root().join("tests/saves")).expect("golden saves") {
        let path = e.expect("entry").path();
        let save = read_file(&path).expect("reads");
        if save.header.kind != SaveKind::World {
            continue;
        }
        let mut s = fresh_world(0);
        load_world(&mut s.world, &save, CodePolicy::Saved).expect("loads");
        assert_eq!(differs(&s), None, "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 3, "checked {checked} golden worlds");
}
