//! Helpers the autosave test files share: ticking a world while collecting
//! what it printed, and a fresh scratch folder per test.

use std::path::PathBuf;

use skein_world::Simulation;

/// Runs `n` ticks and returns everything printed, stdout and stderr of each
/// tick in turn.
pub fn ticks(sim: &mut Simulation, n: u64) -> String {
    let mut out = String::new();
    for _ in 0..n {
        sim.tick();
        let (o, e) = sim.take_output();
        out.push_str(&o);
        out.push_str(&e);
    }
    out
}

/// An empty folder `skein-{suite}-{tag}-{pid}` under the temporary folder.
pub fn scratch(suite: &str, tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("skein-{suite}-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch");
    d
}
