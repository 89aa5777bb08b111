//! The one kind of world the binary makes: every world it runs or resumes
//! has the `pickle` module and the village's `npc` natives, movement
//! systems and saved components, so `skein run assets/village/village.sk`
//! is the bundled village and any village save resumes. Worlds that never
//! import `npc` are unaffected (the movement systems find no walkers).

use skein_script::loader::LoadOptions;
use skein_world::{Output, Simulation, WorldOptions};

/// A fresh world with `options`, ready for scripts or a save.
pub fn new_simulation(options: WorldOptions, quiet: bool) -> Simulation {
    let mut sim = skein_village::new_simulation(options);
    sim.world.resource_mut::<Output>().quiet = quiet;
    sim
}

/// The loader options of such a world, for `check` and `disasm`. The
/// loader needs only the names of the host modules, so the natives are
/// registered into a bare `World` rather than a whole simulation.
pub fn load_options(search_path: &[std::path::PathBuf]) -> LoadOptions {
    let mut world = skein_world::bevy_ecs::world::World::new();
    skein_save::pickle::install(&mut world);
    skein_village::natives::register(&mut world);
    world.insert_resource(WorldOptions {
        search_path: search_path.to_vec(),
        ..WorldOptions::default()
    });
    skein_world::load_options(&world)
}
