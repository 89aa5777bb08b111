//! Natives: `shop.price(item)` returns at once; `work.chop(trees)` parks the
//! calling tasklet until a bevy system finishes the job, one tree per tick.
//! `cargo run --example docs_natives`
use bevy_ecs::prelude::*;
use skein_vm::Value;
use skein_vm::errors::type_error;
use skein_world::{NativeKind, NativeQueue, Simulation, SkeinSystems, WorldOptions};

const SCRIPT: &str = r#"
import shop
import sim
import stackless
import work

def woodcutter(name, trees):
    logs = work.chop(trees)
    gold = shop.price("log") * logs
    print(f"tick {sim.tick()} | {name} chopped {logs} logs worth {gold}")

stackless.tasklet(woodcutter)("ada", 2)
stackless.tasklet(woodcutter)("bo", 5)
"#;

/// Jobs in progress: (tasklet, trees, ticks left).
#[derive(Resource, Default)]
struct Chopping(Vec<(u64, i64, i64)>);

/// Takes new `work.chop` requests, drops cancelled ones, finishes due ones.
fn chop(mut queue: ResMut<NativeQueue>, mut jobs: ResMut<Chopping>) {
    for call in queue.take_requests("work", "chop") {
        match call.args.as_slice() {
            [Value::Int(trees)] if *trees > 0 => jobs.0.push((call.tasklet, *trees, *trees)),
            _ => {
                let err = type_error("chop(trees) takes a positive int");
                queue.complete(call.tasklet, Err(err));
            }
        }
    }
    for call in queue.take_cancelled("work") {
        jobs.0.retain(|job| job.0 != call.tasklet); // killed while chopping
    }
    jobs.0.retain_mut(|(tasklet, trees, left)| {
        *left -= 1;
        if *left > 0 {
            return true;
        }
        queue.complete(*tasklet, Ok(Value::Int(*trees * 3)));
        false
    });
}

fn main() {
    let mut sim = Simulation::new(WorldOptions::default());
    sim.register_native(
        "shop",
        "price",
        NativeKind::immediate(|_cx, args, _kw| match args.as_slice() {
            [Value::Str(item)] if item.as_str() == "log" => Ok(Value::Int(4)),
            [Value::Str(_)] => Ok(Value::Int(1)),
            _ => Err(type_error("price(item) takes a str")),
        }),
    );
    sim.register_native("work", "chop", NativeKind::Blocking);
    sim.world.init_resource::<Chopping>();
    sim.schedule.add_systems(chop.after(SkeinSystems::Run));
    sim.load_main_source("woods", SCRIPT)
        .expect("the script compiles");
    let ticks = sim.run_until_idle(100);
    print!("{}", sim.take_output().0);
    println!("idle after {ticks} ticks");
}
