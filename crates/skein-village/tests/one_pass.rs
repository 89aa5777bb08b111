//! A village's binary save loads through the one-pass loader's byte-level
//! reader (its NPCs, with their host components, not through a record per
//! tasklet), to the world the records give.

use skein_save::world_load::{CodePolicy, load_world, try_one_pass_counted};
use skein_save::world_save::save_world;
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_vm::Value;
use skein_world::WorldOptions;

#[test]
fn the_byte_level_reader_takes_the_village() {
    let mut options = WorldOptions::default();
    options.params.insert("npcs".into(), Value::Int(60));
    let mut sim = skein_village::build_village(options).expect("builds");
    sim.run(120);
    let save = save_world(&sim.world).expect("saves");
    let bytes = to_bytes(&save, Encoding::Binary).expect("encodes");
    let mut one = skein_village::new_simulation(WorldOptions::default());
    let (done, fast) = try_one_pass_counted(&mut one.world, &bytes).expect("taken");
    done.expect("loads");
    let all = save.body.tasklets.len();
    eprintln!("{fast} of {all} tasklets read from the bytes");
    let mut rec = skein_village::new_simulation(WorldOptions::default());
    let back = from_bytes(&bytes).expect("reads");
    load_world(&mut rec.world, &back, CodePolicy::Saved).expect("loads");
    let resave = |s: &skein_world::Simulation| {
        to_bytes(&save_world(&s.world).expect("saves"), Encoding::Binary).expect("encodes")
    };
    assert_eq!(resave(&one), resave(&rec));
    // Nearly all: a tasklet in a native call or a `send_sequence` is read
    // as a record.
    assert!(fast * 10 >= all * 9, "{fast} of {all}");
}
