//! Skein in a game's own `World` and `Schedule`: the scheduler is one system
//! in `SkeinSystems::Run`, and the game's systems order themselves around it.
//! `cargo run --example docs_schedule`
use bevy_ecs::prelude::*;
use skein_script::loader::load_program;
use skein_world::{Output, Scheduler, SkeinSystems, WorldOptions, run_tick};

/// The game's own system, after the scripts each tick.
fn report(sched: Res<Scheduler>, mut output: ResMut<Output>) {
    output.print(&format!("-- end of tick {}\n", sched.tick - 1));
}

fn main() {
    let dir = std::env::temp_dir().join(format!("skein-docs-schedule-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp folder");
    let script = dir.join("bell.sk");
    std::fs::write(
        &script,
        "import sim\nfor i in range(2):\n    print('ding', sim.tick())\n    sim.sleep(1)\n",
    )
    .expect("writable");

    let mut world = World::new();
    let mut schedule = Schedule::default();
    skein_world::init_world(&mut world, WorldOptions::default());
    world.resource_mut::<Output>().passthrough = true; // print, don't capture
    schedule.add_systems((
        run_tick.in_set(SkeinSystems::Run),
        report.after(SkeinSystems::Run),
    ));

    match load_program(&script, &skein_world::load_options(&world)) {
        Ok(program) => skein_world::start_main(&mut world, program).expect("a fresh world"),
        Err(e) => {
            eprintln!("{e}"); // file:line:col, source line and caret
            std::process::exit(2);
        }
    };
    while !skein_world::is_idle(&world) {
        schedule.run(&mut world);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
