//! A village's compact RON written straight from a snapshot is byte for
//! byte the records' (its NPCs carry host components, raw RON in `ext`).

use skein_save::snapshot::Snapshot;
use skein_save::world_save::save_world;
use skein_save::{Encoding, to_bytes};
use skein_vm::Value;
use skein_world::WorldOptions;

#[test]
fn a_villages_direct_ron_is_the_records_ron() {
    let mut options = WorldOptions::default();
    options.params.insert("npcs".into(), Value::Int(60));
    let mut sim = skein_village::build_village(options).expect("builds");
    for round in 1..=4 {
        sim.run(40);
        let want =
            to_bytes(&save_world(&sim.world).expect("saves"), Encoding::Compact).expect("encodes");
        let got = Snapshot::take(&sim.world)
            .and_then(|mut s| s.to_compact_ron())
            .expect("direct encode");
        assert!(got == want, "differ after {} ticks", 40 * round);
        assert!(
            String::from_utf8_lossy(&got).contains(",ext:{"),
            "has host data"
        );
    }
}
