//! Autosave from Rust: a world that saves itself every 10 ticks on a
//! background thread, then resumes from its newest autosave.
//! `cargo run --example docs_autosave`
use skein_save::autosave::{self, AutosaveOptions};
use skein_save::read_file;
use skein_save::world_load::{CodePolicy, load_world};
use skein_world::{Simulation, WorldOptions};

const SCRIPT: &str = r#"
import sim
def baker():
    loaves = 0
    while True:
        loaves += 1
        print(f"tick {sim.tick()} | {loaves} loaves")
        sim.sleep(3)
import stackless
stackless.tasklet(baker)()
"#;

fn main() {
    let dir = std::env::temp_dir().join(format!("skein-docs-autosave-{}", std::process::id()));
    let path = dir.join("bakery.bin");
    let mut sim = Simulation::new(WorldOptions::default());
    sim.load_main_source("bakery", SCRIPT)
        .expect("the script compiles");
    // Every 10 ticks, keeping the last 2 (bakery.bin and bakery.bin.1).
    let mut options = AutosaveOptions::new(10, &path);
    options.keep = 2;
    autosave::enable(&mut sim, options);
    sim.run(10);
    print!("{}", sim.take_output().0);
    // Waits for a write still going; a server calls this before it exits.
    let stats = autosave::finish(&mut sim.world).expect("autosave is on");
    for f in autosave::take_failures(&mut sim.world) {
        eprintln!("autosave of tick {} failed: {}", f.tick, f.error);
    }
    println!(
        "{} written, {} skipped, {} failed; newest: tick {:?}",
        stats.written,
        stats.skipped,
        stats.failed,
        stats.written_ticks.last()
    );

    let save = read_file(&path).expect("the newest autosave reads");
    let mut resumed = Simulation::new(WorldOptions::default());
    load_world(&mut resumed.world, &save, CodePolicy::Saved).expect("loads");
    resumed.run(3);
    print!("{}", resumed.take_output().0);
    let _ = std::fs::remove_dir_all(&dir);
}
