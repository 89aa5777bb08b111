//! A headless game server in bevy: the bundled village at 20 Hz under
//! `ScheduleRunnerPlugin`, autosaving every 100 ticks (keeping 3), ending
//! cleanly on Ctrl-C. `cargo run --example app_server`
use std::time::Duration;

use bevy_app::{App, AppExit, ScheduleRunnerPlugin, TerminalCtrlCHandlerPlugin};
use skein_save::app::SkeinSavePlugin;
use skein_village::app::VillagePlugin;
use skein_world::app::SkeinPlugin;

fn main() -> AppExit {
    let autosave = SkeinSavePlugin::new().autosave(100, "saves/server.bin");
    App::new()
        .add_plugins(ScheduleRunnerPlugin::run_loop(Duration::from_millis(50)))
        .add_plugins(TerminalCtrlCHandlerPlugin)
        .add_plugins(SkeinPlugin::new().main_with(skein_village::start_village))
        .add_plugins((autosave, VillagePlugin))
        .run()
}
