//! Skein as a bevy plugin: one tick per run of `Update`, a save asked for
//! by message mid-run and answered at the tick boundary, and the app ending
//! when the world goes idle. `cargo run --example docs_app`
use std::time::Duration;

use bevy_app::{App, AppExit, ScheduleRunnerPlugin, Update};
use bevy_ecs::prelude::*;
use skein_save::app::{SaveWorld, SkeinSavePlugin, WorldSaved};
use skein_world::app::SkeinPlugin;
use skein_world::{Scheduler, SkeinSystems};

const SCRIPT: &str = r#"
import sim
import stackless

def bell(name, times):
    for i in range(times):
        print(f"tick {sim.tick()} | the {name} bell rings")
        sim.sleep(2)

stackless.tasklet(bell)("chapel", 3)
"#;

/// The game's own system: asks for a save once two ticks have run, and
/// reports the answer.
fn save_once(
    sched: Res<Scheduler>,
    mut save: MessageWriter<SaveWorld>,
    mut saved: MessageReader<WorldSaved>,
) {
    if sched.tick == 2 {
        let path = std::env::temp_dir().join("skein-docs-app.ron");
        save.write(SaveWorld { path });
    }
    for answer in saved.read() {
        println!("-- saved after {} ticks", answer.tick);
    }
}

fn main() -> AppExit {
    let skein = SkeinPlugin::new()
        .main_source("bells", SCRIPT)
        .exit_when_idle();
    App::new()
        .add_plugins(ScheduleRunnerPlugin::run_loop(Duration::ZERO))
        .add_plugins((skein, SkeinSavePlugin::new()))
        .add_systems(Update, save_once.after(SkeinSystems::Persist))
        .run()
}
