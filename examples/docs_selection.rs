//! Moving an NPC between two running worlds (two servers, say): its tasklet
//! is saved as a selection, loaded into the other world as a new tasklet
//! with a fresh id, and killed in the first.
//! `cargo run --example docs_selection`
use skein_save::selection::{load_selection, save_selection};
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_vm::Value;
use skein_world::{Simulation, TaskletState, WorldOptions};

const SCRIPT: &str = r#"
import sim
import stackless

def wander(places):
    me = stackless.getcurrent()
    while True:
        for place in places:
            me.data["seen"] = me.data.get("seen", 0) + 1
            print(f"tick {sim.tick()} | {me.name} at {place} (seen {me.data['seen']})")
            sim.sleep(2)

t = stackless.tasklet(wander)(sim.param("places", []))
t.name = sim.param("who", "nobody")
"#;

/// A world running SCRIPT with its own NPC.
fn server(who: &str, places: &[&str]) -> Simulation {
    let mut options = WorldOptions::default();
    options.params.insert("who".into(), Value::str(who));
    let places = places.iter().map(|p| Value::str(*p)).collect();
    options.params.insert("places".into(), Value::list(places));
    let mut sim = Simulation::new(options);
    sim.load_main_source("wander", SCRIPT)
        .expect("the script compiles");
    sim
}

/// The id of the tasklet named `name`.
fn find(sim: &mut Simulation, name: &str) -> Option<u64> {
    let mut q = sim.world.query::<&TaskletState>();
    q.iter(&sim.world)
        .find(|t| t.name() == Some(name))
        .map(|t| t.id)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut north = server("ada", &["mill", "well"]);
    let mut south = server("bo", &["dock"]);
    north.run(3);
    south.run(3);
    print!("{}{}", north.take_output().0, south.take_output().0);

    // Between ticks: ada's tasklet, with her data and her place in the loop.
    let ada = find(&mut north, "ada").ok_or("no ada")?;
    let (part, _report) = save_selection(&north.world, &[Value::Tasklet(ada)], 0)?;
    let text = to_bytes(&part, Encoding::Compact)?;
    let roots = load_selection(&mut south.world, &from_bytes(&text)?, true)?;
    north.kill(ada);
    println!("-- ada moved south as {roots:?}");

    north.run(4);
    south.run(4);
    print!("{}{}", north.take_output().0, south.take_output().0);
    Ok(())
}
