//! The movement systems that serve `npc.walk_to(x, y)`: a walk starts the
//! tick the script asks for it, the NPC moves one grid step per tick (a
//! diagonal counts as one step) and the call returns `[x, y]` once it
//! arrives.
//!
//! Arrivals are completed in tasklet-id order, never in query order: the
//! order in which walkers wake is part of the script output, and query
//! order depends on entity layout, which a save and load changes.

use bevy_ecs::prelude::*;
use skein_vm::Value;
use skein_vm::errors::{runtime_error, type_error};
use skein_world::{NativeQueue, SkeinSystems};

use crate::components::{Position, Walking};
use crate::natives::MODULE;

/// Adds the movement systems to `schedule`, after the scheduler.
pub fn add_systems(schedule: &mut Schedule) {
    schedule.add_systems((start_walks, step_walkers).chain().after(SkeinSystems::Run));
}

/// Takes this tick's `npc.walk_to` requests (and, after a load, the ones
/// that were under way) and sets their walkers going.
pub fn start_walks(
    mut commands: Commands,
    mut queue: ResMut<NativeQueue>,
    bodies: Query<(), With<Position>>,
    mut calls: Local<Vec<skein_world::NativeCall>>,
) {
    // Kept between ticks, so taking the requests allocates nothing.
    queue.take_requests_into(MODULE, "walk_to", &mut calls);
    for call in calls.drain(..) {
        let target = match call.args.as_slice() {
            [Value::Int(x), Value::Int(y)] => (*x, *y),
            _ => {
                queue.complete(call.tasklet, Err(type_error("npc.walk_to() takes 2 ints")));
                continue;
            }
        };
        let walk = Walking {
            target,
            tasklet: call.tasklet,
        };
        if bodies.contains(call.entity) {
            commands.entity(call.entity).insert(walk);
        } else {
            let msg =
                "npc.walk_to(): this tasklet has no body yet (call npc.spawn(x, y, hp) first)";
            queue.complete(call.tasklet, Err(runtime_error(msg)));
        }
    }
    // A walker killed or thrown into stops where it stands.
    for call in queue.take_cancelled(MODULE) {
        if let Ok(mut e) = commands.get_entity(call.entity) {
            e.remove::<Walking>();
        }
    }
}

/// Moves every walker one step; arrivals complete their calls.
pub fn step_walkers(
    mut commands: Commands,
    mut queue: ResMut<NativeQueue>,
    mut walkers: Query<(Entity, &mut Position, &Walking)>,
    mut arrived: Local<Vec<(u64, i64, i64)>>,
) {
    for (entity, mut pos, walk) in &mut walkers {
        let (tx, ty) = walk.target;
        if (pos.x, pos.y) != (tx, ty) {
            pos.x += (tx - pos.x).signum();
            pos.y += (ty - pos.y).signum();
        }
        if (pos.x, pos.y) == (tx, ty) {
            arrived.push((walk.tasklet, tx, ty));
            commands.entity(entity).remove::<Walking>();
        }
    }
    arrived.sort_unstable();
    for (tasklet, x, y) in arrived.drain(..) {
        queue.complete(tasklet, Ok(Value::list(vec![Value::Int(x), Value::Int(y)])));
    }
}
