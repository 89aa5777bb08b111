//! Skein embedded in a few lines: a world, a script, ticks, the output.
//! `cargo run --example docs_hello`
use skein_world::{Simulation, WorldOptions};

const SCRIPT: &str = r#"
import sim
import stackless

def farmer(name, crops):
    for crop in crops:
        sim.sleep(3)
        print(f"tick {sim.tick()} | {name} harvested {crop}")

stackless.tasklet(farmer)("ada", ["wheat", "corn"])
stackless.tasklet(farmer)("bo", ["beans"])
"#;

fn main() {
    let mut sim = Simulation::new(WorldOptions {
        seed: 7,
        ..WorldOptions::default()
    });
    if let Err(e) = sim.load_main_source("farm", SCRIPT) {
        eprintln!("{e}"); // a compile error, rendered like rustc's
        std::process::exit(2);
    }
    let ticks = sim.run_until_idle(1_000);
    let (stdout, stderr) = sim.take_output();
    print!("{stdout}");
    eprint!("{stderr}");
    println!("idle after {ticks} ticks");
}
