//! A Rust movement system serving scripted NPCs: `npc.walk_to(x, y)` is a
//! blocking native, so each NPC's tasklet parks while an ordinary bevy
//! system moves its entity one step per tick, and resumes with the
//! arrival position when the system completes the request.
//!
//! `cargo run --example walk_to`

use bevy_ecs::prelude::*;
use skein_vm::Value;
use skein_world::{NativeKind, NativeQueue, Simulation, SkeinSystems, WorldOptions};

const SCRIPT: &str = r#"
import npc
import sim
import stackless

def patrol(name, start, points):
    npc.spawn_at(start[0], start[1])
    for p in points:
        at = npc.walk_to(p[0], p[1])
        print(f"tick {sim.tick()}: {name} reached {at}")
    print(f"tick {sim.tick()}: {name} is done")

for spec in [["ada", [0, 0], [[3, 0], [3, 2]]],
             ["bob", [5, 5], [[5, 1]]],
             ["cy", [1, 1], [[2, 2], [0, 0], [1, 1]]]]:
    t = stackless.tasklet(patrol)(spec[0], spec[1], spec[2])
    t.name = spec[0]
"#;

/// Where an NPC stands.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
struct Position(i64, i64);

/// An NPC on its way: the target and the tasklet to wake on arrival.
#[derive(Component)]
struct Walking {
    target: (i64, i64),
    tasklet: u64,
}

/// Takes new `npc.walk_to` requests and starts the walks.
fn start_walks(mut commands: Commands, mut queue: ResMut<NativeQueue>) {
    for call in queue.take_requests("npc", "walk_to") {
        let (Some(Value::Int(x)), Some(Value::Int(y))) = (call.args.first(), call.args.get(1))
        else {
            let err = skein_vm::errors::type_error("walk_to(x, y) takes two ints");
            queue.complete(call.tasklet, Err(err));
            continue;
        };
        commands.entity(call.entity).insert(Walking {
            target: (*x, *y),
            tasklet: call.tasklet,
        });
    }
    // A killed walker stops where it stands.
    for call in queue.take_cancelled("npc") {
        commands.entity(call.entity).remove::<Walking>();
    }
}

/// Moves every walker one step toward its target; arrivals complete the call.
fn step_walkers(
    mut commands: Commands,
    mut queue: ResMut<NativeQueue>,
    mut walkers: Query<(Entity, &mut Position, &Walking)>,
) {
    for (entity, mut pos, walk) in &mut walkers {
        pos.0 += (walk.target.0 - pos.0).signum();
        pos.1 += (walk.target.1 - pos.1).signum();
        if (pos.0, pos.1) == walk.target {
            let at = Value::list(vec![Value::Int(pos.0), Value::Int(pos.1)]);
            queue.complete(walk.tasklet, Ok(at));
            commands.entity(entity).remove::<Walking>();
        }
    }
}

fn main() {
    let mut sim = Simulation::new(WorldOptions::default());
    sim.register_native(
        "npc",
        "spawn_at",
        NativeKind::immediate(|cx, args, _kw| match args.as_slice() {
            [Value::Int(x), Value::Int(y)] => {
                cx.world.entity_mut(cx.entity).insert(Position(*x, *y));
                Ok(Value::None)
            }
            _ => Err(skein_vm::errors::type_error(
                "spawn_at(x, y) takes two ints",
            )),
        }),
    );
    sim.register_native("npc", "walk_to", NativeKind::Blocking);
    sim.schedule
        .add_systems((start_walks, step_walkers).chain().after(SkeinSystems::Run));
    if let Err(e) = sim.load_main_source("patrol", SCRIPT) {
        eprintln!("{e}");
        std::process::exit(2);
    }
    let ticks = sim.run_until_idle(100);
    let (out, err) = sim.take_output();
    print!("{out}");
    eprint!("{err}");
    println!("idle after {ticks} ticks");
}
