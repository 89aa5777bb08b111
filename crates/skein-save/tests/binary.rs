//! The binary save written straight from a snapshot is byte for byte the
//! binary encoding of the records, for every world script and the
//! conformance scripts, at several tick boundaries, so readers, golden files
//! and delta chains cannot tell which path wrote a file.

use std::path::PathBuf;

#[path = "common/scripts.rs"]
mod scripts;
use scripts::{check_boundaries, fresh_world, scripts_in};

use skein_save::snapshot::Snapshot;
use skein_save::world_save::save_world;
use skein_save::{Encoding, to_bytes};
use skein_world::Simulation;

fn sim() -> Simulation {
    fresh_world(0)
}

/// Direct bytes against the records' bytes, and RON through `encode` against
/// the records' RON; `None` when they agree.
fn differs(s: &Simulation) -> Option<String> {
    let Ok(save) = save_world(&s.world) else {
        // Unsaveable worlds are refused alike by both paths.
        let direct = Snapshot::take(&s.world).and_then(|mut snap| snap.to_binary());
        return direct
            .is_ok()
            .then(|| "direct path saved an unsaveable world".into());
    };
    let want = to_bytes(&save, Encoding::Binary).expect("encodes");
    let got = Snapshot::take(&s.world)
        .and_then(|mut snap| snap.encode(Encoding::Binary))
        .expect("direct encode");
    if got != want {
        let at = got.iter().zip(&want).position(|(a, b)| a != b);
        return Some(format!(
            "binary differs at byte {at:?} ({} vs {} bytes)",
            got.len(),
            want.len()
        ));
    }
    let ron = Snapshot::take(&s.world)
        .and_then(|mut snap| snap.encode(Encoding::Compact))
        .expect("ron encode");
    (ron != to_bytes(&save, Encoding::Compact).expect("encodes"))
        .then(|| "compact RON differs".into())
}

fn check(scripts: &[PathBuf], ticks: u64) -> usize {
    check_boundaries(scripts, ticks, sim, differs)
}

#[test]
fn direct_binary_matches_the_records_for_the_world_scripts() {
    let n = check(&scripts_in("crates/skein-save/tests/worlds"), 6);
    assert!(n > 10, "checked {n} boundaries");
}

#[test]
fn direct_binary_matches_the_records_for_the_stackless_scripts() {
    let mut all = scripts_in("tests/stackless");
    all.extend(scripts_in("tests/scripts/programs"));
    let n = check(&all, 3);
    assert!(n > 50, "checked {n} boundaries");
}

/// Every shape the direct writer handles itself, and the ones it hands to
/// the encoder, in locals, operand stacks, data, tempval and globals. `t`'s
/// data holds a tabled value of its own (numbered after its frames'), `u`'s
/// nothing the table takes (its record is written in file order).
#[test]
fn direct_binary_matches_the_records_for_every_value_shape() {
    let script = "
import stackless
ch = stackless.channel()
def holder(tag, n):
    a = None
    b = True
    c = -12345678901
    d = 2.5
    e = 'short'
    f = 'x' * 300
    g = [1, 'two', None, 3.0, False]
    h = {'k': 1, 2: 'v', None: 0.5}
    i = [[1], {'a': [2]}]
    j = stackless.getcurrent()
    k = ch
    l = list(range(300))
    m = (1, 2)
    for x in [10, 20, 30]:
        v = ch.receive()
    late = 1
    return v
t = stackless.tasklet(holder)('t', 1)
t.data['note'] = 'hi'
t.data['big'] = list(range(300))
t.data['own'] = 'y' * 301
stackless.tasklet(holder)('u', 2)
shared = [1, 2, 3]
";
    let dir = std::env::temp_dir().join(format!("skein-binary-shapes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch");
    let path = dir.join("shapes.sk");
    std::fs::write(&path, script).expect("writes");
    let n = check(std::slice::from_ref(&path), 4);
    std::fs::remove_dir_all(&dir).expect("cleans up");
    assert!(n >= 3, "checked {n} boundaries");
}
