//! Hand-edited or hostile deltas: each is refused whole, naming what is
//! wrong, and a world given one is left as it was — a delta deleting or
//! patching what its base does not have, one whose base tick disagrees, and
//! one whose base's file does not have the hash it is found under.

use std::path::{Path, PathBuf};

use skein_save::autosave::{self, AutosaveOptions};
use skein_save::delta::{DeltaFile, ExtPatch, delta_from_bytes, delta_to_bytes, is_delta};
use skein_save::{Encoding, read_file};
use skein_world::{Simulation, WorldOptions};

const SCRIPT: &str = "
import stackless
import sim
def worker(i):
    n = 0
    while True:
        n += 1
        sim.sleep(1 + i % 3)
for i in range(5):
    stackless.tasklet(worker)(i)
";

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("skein-evil-delta-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch");
    d
}

/// A chain of a full save and one delta at `dir/a.bin`; the delta.
fn chain(dir: &Path) -> DeltaFile {
    let path = dir.join("a.bin");
    let mut s = Simulation::new(WorldOptions::default());
    s.load_main_source("evil", SCRIPT).expect("compiles");
    let mut o = AutosaveOptions::new(2, &path);
    o.full_every = 5;
    autosave::enable(&mut s, o);
    for _ in 0..4 {
        s.tick();
        autosave::finish(&mut s.world);
    }
    autosave::finish(&mut s.world);
    let bytes = std::fs::read(&path).expect("autosave");
    assert!(is_delta(&bytes));
    delta_from_bytes(&bytes).expect("a delta")
}

/// Writes `delta` beside the chain and reads it: the error text.
fn refused(dir: &Path, delta: &DeltaFile) -> String {
    let evil = dir.join("evil.bin");
    let bytes = delta_to_bytes(delta, Encoding::Binary).expect("encodes");
    std::fs::write(&evil, bytes).expect("writes");
    read_file(&evil).expect_err("refused").to_string()
}

#[test]
fn a_delta_deleting_or_patching_what_its_base_lacks_is_refused() {
    let dir = scratch("ids");
    let good = chain(&dir);
    let mut d = good.clone();
    d.body.deleted.push(9_999);
    let err = refused(&dir, &d);
    assert!(err.contains("deleted") && err.contains("9999"), "{err}");
    let mut d = good.clone();
    d.body.patches.push(ExtPatch {
        id: 8_888,
        set: Default::default(),
        removed: vec![],
    });
    let err = refused(&dir, &d);
    assert!(err.contains("patches[0]") && err.contains("8888"), "{err}");
    let mut d = good;
    d.header.base_tick += 1;
    let err = refused(&dir, &d);
    assert!(err.contains("its base is of tick"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_base_whose_bytes_do_not_have_its_hash_is_refused() {
    let dir = scratch("hash");
    let d = chain(&dir);
    let base = std::fs::read_dir(autosave::files::chain_dir(&dir.join("a.bin")))
        .expect("chain")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_stem()
                .is_some_and(|s| s.to_string_lossy() == d.header.base.to_string())
        })
        .expect("the base");
    let mut bytes = std::fs::read(&base).expect("base");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&base, bytes).expect("writes");
    let err = read_file(&dir.join("a.bin"))
        .expect_err("refused")
        .to_string();
    assert!(err.contains("does not have the content hash"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
