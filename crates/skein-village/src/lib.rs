//! The bundled village scenario: farmers, merchants, guards and travellers
//! as scripted tasklets (the `.sk` modules under `assets/village/`, built
//! in), living on a grid whose state — [`Position`], [`Health`],
//! [`Inventory`] — is Rust components saved with the world, and moving by
//! the blocking native `npc.walk_to(x, y)` that [`movement`]'s systems
//! serve one step per tick.
//!
//! ```no_run
//! let mut sim = skein_village::build_village(skein_world::WorldOptions::default())
//!     .expect("the built-in scripts compile");
//! sim.run(skein_village::DEFAULT_TICKS);
//! print!("{}", sim.take_output().0);
//! ```
//!
//! To resume a saved village, load the save into [`new_simulation`]'s
//! world: the natives, systems and save registry must be there first.

#![warn(missing_docs)]

pub mod assets;
pub mod components;
pub mod movement;
pub mod natives;

use bevy_ecs::schedule::Schedule;
use bevy_ecs::world::World;
use skein_script::loader::load_program_with;
use skein_world::{Simulation, WorldError, WorldOptions};

pub use components::{Health, Inventory, Position, Walking};

/// Ticks `skein` runs the village for when not told otherwise: three days
/// of 400 ticks (about 500 lines of log at the default 200 NPCs).
pub const DEFAULT_TICKS: u64 = 1200;

/// Where `skein` saves the village when not told otherwise.
pub const DEFAULT_SAVE: &str = "saves/village.ron";

/// Makes a world (set up with `skein_world::init_world`) and the schedule
/// that ticks it able to run — or resume — the village: the `npc` natives,
/// the movement systems and the saved components. Call it before loading
/// scripts or a save.
pub fn install(world: &mut World, schedule: &mut Schedule) {
    natives::register(world);
    movement::add_systems(schedule);
    components::register_saved(world);
}

/// A fresh world with `options`, ready for the village (see [`install`])
/// and for `pickle`; no script loaded.
pub fn new_simulation(options: WorldOptions) -> Simulation {
    let mut sim = Simulation::new(options);
    skein_save::pickle::install(&mut sim.world);
    install(&mut sim.world, &mut sim.schedule);
    sim
}

/// A world running the built-in village from tick 0: `options.params`
/// may hold `npcs` (default 200).
pub fn build_village(options: WorldOptions) -> Result<Simulation, WorldError> {
    let mut sim = new_simulation(options);
    start_village(&mut sim.world)?;
    Ok(sim)
}

/// Compiles the built-in village scripts and starts `village.sk` as the
/// main tasklet of `world` (prepared with [`install`]); returns main's id.
pub fn start_village(world: &mut World) -> Result<u64, WorldError> {
    let opts = skein_world::load_options(world);
    let main = format!("{}.sk", assets::MAIN);
    let source = assets::source(&main).unwrap_or_default();
    let program = load_program_with(assets::MAIN, &main, source, &assets::Embedded, &opts)?;
    skein_world::start_main(world, program)
}

/// [`app::VillagePlugin`]: the village in a bevy `App` (feature `app`).
#[cfg(feature = "app")]
pub mod app {
    use bevy_app::{App, Plugin};
    use bevy_ecs::schedule::IntoScheduleConfigs;
    use skein_world::SkeinSystems;
    use skein_world::app::SkeinSchedule;

    /// The village's `npc` natives, its movement systems (in the schedule
    /// `SkeinPlugin` ticks in, after the scheduler and before saves) and
    /// its saved components. Add it after `SkeinPlugin`, and start the
    /// scripts with `SkeinPlugin::new().main_with(skein_village::start_village)`.
    #[derive(Debug, Clone, Default)]
    pub struct VillagePlugin;

    impl Plugin for VillagePlugin {
        fn build(&self, app: &mut App) {
            let Some(schedule) = app.world().get_resource::<SkeinSchedule>().map(|s| s.0) else {
                panic!("add SkeinPlugin before VillagePlugin: it decides the schedule");
            };
            crate::natives::register(app.world_mut());
            crate::components::register_saved(app.world_mut());
            let walks = (crate::movement::start_walks, crate::movement::step_walkers).chain();
            app.add_systems(
                schedule,
                walks.after(SkeinSystems::Run).before(SkeinSystems::Persist),
            );
        }
    }
}
