//! Skein inside a game's own bevy `World` and `Schedule`: the village's
//! scripted NPCs tick beside a system of the game's, which counts them.
//! `cargo run --example embed`
use bevy_ecs::prelude::*;
use skein_village::Position;
use skein_world::{Output, Scheduler, SkeinSystems, WorldOptions, run_tick};

/// The game's own system: at noon, how many people stand in the market.
fn census(clock: Res<Scheduler>, npcs: Query<&Position>) {
    let market = |p: &&Position| (10..22).contains(&p.x) && (13..20).contains(&p.y);
    let tick = clock.tick.saturating_sub(1); // the tick just run
    if tick % 400 == 200 {
        let n = npcs.iter().filter(market).count();
        println!("tick {tick} | census: {n} people in the market square");
    }
}

fn main() {
    let (mut world, mut schedule) = (World::new(), Schedule::default());
    skein_world::init_world(&mut world, WorldOptions::default());
    world.resource_mut::<Output>().passthrough = true; // scripts print to stdout
    schedule.add_systems((
        run_tick.in_set(SkeinSystems::Run),
        census.after(SkeinSystems::Run),
    ));
    skein_village::install(&mut world, &mut schedule);
    skein_village::start_village(&mut world).expect("the built-in village compiles");
    for _ in 0..1200 {
        schedule.run(&mut world);
    }
}
