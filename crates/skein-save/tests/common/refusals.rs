//! What the hostile-save tests share: a world set up for pickling, the
//! world save of a script at tick 2, and a load into a fresh world that, when
//! it is refused, must leave that world as fresh as it was.

use skein_save::LoadError;
use skein_save::format::SaveFile;
use skein_save::world_load::{CodePolicy, load_world, load_world_bytes, try_one_pass};
use skein_save::world_save::save_world;
use skein_save::{Encoding, to_bytes};
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
/// The same save's binary bytes go through the one-pass decoder too, which
/// must take exactly the saves the record path takes and leave the world
/// fresh when it does not, and through `load_world_bytes`, which must give
/// the record path's verdict word for word.
pub fn load(save: &SaveFile) -> Result<(), LoadError> {
    let mut s = sim();
    let r = load_world(&mut s.world, save, CodePolicy::Saved);
    if r.is_err() {
        assert_fresh(&s);
    }
    let bytes = to_bytes(save, Encoding::Binary).expect("a record tree encodes");
    let mut one = sim();
    match (try_one_pass(&mut one.world, &bytes), &r) {
        (None, Err(_)) => assert_fresh(&one),
        (Some(Ok(())), Ok(())) => {}
        (taken, _) => panic!("one pass {taken:?}, record path {r:?}"),
    }
    let mut by_bytes = sim();
    let again = load_world_bytes(&mut by_bytes.world, &bytes, CodePolicy::Saved);
    assert_eq!(
        again.as_ref().map_err(ToString::to_string),
        r.as_ref().map_err(ToString::to_string)
    );
    r
}

fn assert_fresh(s: &Simulation) {
    let sched = s.world.resource::<Scheduler>();
    assert_eq!((sched.main, sched.ring.next_id(), sched.tick), (0, 1, 0));
}
