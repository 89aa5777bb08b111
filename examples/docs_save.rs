//! Saving a world mid-run and resuming it in a fresh one: the script's
//! tasklets, the `Hp` component the game registered, and the random
//! generator all come back, and the rest of the run prints the same lines.
//! `cargo run --example docs_save`
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};
use skein_save::registry::SaveRegistry;
use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_vm::Value;
use skein_world::{NativeKind, Simulation, WorldOptions};

const SCRIPT: &str = r#"
import body
import random
import sim
import stackless

def fighter(name):
    body.set_hp(10)
    while body.hp() > 0:
        hit = random.randint(1, 4)
        body.set_hp(body.hp() - hit)
        print(f"tick {sim.tick()} | {name} takes {hit}, hp {body.hp()}")
        sim.sleep(1)

stackless.tasklet(fighter)("ada")
"#;

/// A game component on the tasklet's entity, saved under the tag "hp".
#[derive(Component, Clone, Serialize, Deserialize)]
struct Hp(i64);

/// A world with the game's natives and saved components registered.
fn new_world() -> Simulation {
    let mut sim = Simulation::new(WorldOptions::default());
    sim.register_native(
        "body",
        "hp",
        NativeKind::immediate(|cx, _args, _kw| {
            let hp = cx.world.get::<Hp>(cx.entity).map_or(0, |h| h.0);
            Ok(Value::Int(hp))
        }),
    );
    sim.register_native(
        "body",
        "set_hp",
        NativeKind::immediate(|cx, args, _kw| match args.as_slice() {
            [Value::Int(hp)] => {
                cx.world.entity_mut(cx.entity).insert(Hp(*hp));
                Ok(Value::None)
            }
            _ => Err(skein_vm::errors::type_error("set_hp(n) takes an int")),
        }),
    );
    let mut registry = SaveRegistry::default();
    registry.register_component::<Hp>("hp");
    sim.world.insert_resource(registry);
    sim
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut sim = new_world();
    sim.load_main_source("arena", SCRIPT)?;
    sim.run(2);
    let mut log = sim.take_output().0;

    // Between ticks: the whole world to pretty RON, then into a fresh world.
    let text = to_bytes(&save_world(&sim.world)?, Encoding::Pretty)?;
    log.push_str(&format!("-- saved after tick {}\n", sim.tick_count() - 1));
    let mut resumed = new_world();
    load_world(&mut resumed.world, &from_bytes(&text)?, CodePolicy::Saved)?;

    resumed.run_until_idle(100);
    log.push_str(&resumed.take_output().0);
    print!("{log}");

    // The promise: the same lines as a run that was never interrupted.
    let mut straight = new_world();
    straight.load_main_source("arena", SCRIPT)?;
    straight.run_until_idle(100);
    let same = straight.take_output().0 == log.replace("-- saved after tick 1\n", "");
    println!("same as an uninterrupted run: {same}");
    Ok(())
}
