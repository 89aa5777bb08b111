//! What the hostile-save tests share: a world set up for pickling, the
//! world save of a script at tick 2, and a load into a fresh world that, when
//! it is refused, must leave that world as fresh as it was.

use skein_save::LoadError;
use skein_save::format::SaveFile;
use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_world::{Scheduler, Simulation, WorldOptions};

/// A fresh world that can pickle.
pub fn sim() -> Simulation {
    let mut s = Simulation::new(WorldOptions::default());
    skein_save::pickle::install(&mut s.world);
    s
}

/// The world save of `script` after two ticks.
pub fn saved_at_tick_2(script: &str) -> SaveFile {
    let mut s = sim();
    s.load_main_source("w", script).expect("compiles");
    s.run(2);
    save_world(&s.world).expect("saves")
}

/// Loads `save` into a fresh world; a refused load must leave it fresh.
pub fn load(save: &SaveFile) -> Result<(), LoadError> {
    let mut s = sim();
    let r = load_world(&mut s.world, save, CodePolicy::Saved);
    if r.is_err() {
        let sched = s.world.resource::<Scheduler>();
        assert_eq!((sched.main, sched.ring.next_id(), sched.tick), (0, 1, 0));
    }
    r
}
