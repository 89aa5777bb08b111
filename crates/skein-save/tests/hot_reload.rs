//! A world saved while a hot reload has two versions of a module live:
//! the save records both, loads back into a fresh world that saves to the
//! same bytes, and resumes exactly (same output as the world that went on).

use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_script::bytecode::Program;
use skein_script::loader::{MemoryFiles, load_program_with};
use skein_world::{Simulation, WorldOptions, reload, start_main};

fn load(sim: &Simulation, files: &MemoryFiles) -> Program {
    let opts = skein_world::load_options(&sim.world);
    let main = files.source("guard.sk").expect("guard.sk");
    load_program_with("guard", "guard.sk", main, files, &opts).expect("compiles")
}

const V1: &str = "\
import sim
count = 0
def gone():
    return 'gone is still callable'
def slow(n):
    print('slow', n, 'starts on v1')
    sim.sleep(2)
    print('slow', n, 'ends on v1', count)
def main():
    global count
    keep = gone
    for n in range(4):
        count += 1
        slow(n)
    print(keep())
main()
print('top level ends on v1')
";

const V2: &str = "\
import sim
import helper
count = 0
def extra():
    return helper.greet()
def slow(n):
    label = extra()
    print('slow', n, 'starts on v2', label)
    sim.sleep(2)
    print('slow', n, 'ends on v2', count)
def main():
    global count
    keep = gone
    for n in range(4):
        count += 1
        slow(n)
    print(keep())
main()
print('top level ends on v2')
";

const HELPER: &str = "greeting = 'hi'\ndef greet():\n    return greeting\n";

fn sim() -> Simulation {
    let mut sim = Simulation::new(WorldOptions::default());
    skein_save::pickle::install(&mut sim.world);
    sim
}

fn drain(sim: &mut Simulation, out: &mut String) {
    let (o, e) = sim.take_output();
    out.push_str(&o);
    out.push_str(&e);
}

fn run_to_idle(sim: &mut Simulation, out: &mut String) {
    for _ in 0..50 {
        if sim.is_idle() {
            break;
        }
        sim.tick();
        drain(sim, out);
    }
}

#[test]
fn a_save_with_two_versions_live_resumes_exactly() {
    for enc in [Encoding::Pretty, Encoding::Binary] {
        let mut s = sim();
        let v1 = MemoryFiles::new([("guard.sk", V1)]);
        let program = load(&s, &v1);
        start_main(&mut s.world, program).expect("starts");
        let mut before = String::new();
        s.tick();
        drain(&mut s, &mut before);
        let v2 = MemoryFiles::new([("guard.sk", V2), ("helper.sk", HELPER)]);
        let fresh = load(&s, &v2);
        let report = reload::swap(&mut s.world, &fresh).expect("swaps");
        // Main's top level and `slow(0)` are in code that changed.
        assert_eq!(report.old_frames, 2);
        s.tick();
        drain(&mut s, &mut before);

        let save = save_world(&s.world).expect("saves");
        let names: Vec<&str> = save.body.modules.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["guard", "guard#0", "__prelude__", "helper"]);
        let bytes = to_bytes(&save, enc).expect("encodes");

        let mut went_on = before.clone();
        run_to_idle(&mut s, &mut went_on);

        let back = from_bytes(&bytes).expect("reads");
        let mut s2 = sim();
        load_world(&mut s2.world, &back, CodePolicy::Saved).expect("loads");
        let again = to_bytes(&save_world(&s2.world).expect("saves again"), enc).expect("encodes");
        if enc == Encoding::Pretty {
            let (a, b) = (
                String::from_utf8_lossy(&bytes),
                String::from_utf8_lossy(&again),
            );
            let diff: Vec<String> = a
                .lines()
                .zip(b.lines())
                .enumerate()
                .filter(|(_, (x, y))| x != y)
                .map(|(i, (x, y))| format!("{}: {x} | {y}", i + 1))
                .take(5)
                .collect();
            assert!(
                diff.is_empty(),
                "save → load → save differs:\n{}",
                diff.join("\n")
            );
        }
        assert!(again == bytes, "save → load → save changed the bytes");
        assert_eq!(reload::old_frames(&mut s2.world), 2);
        let mut resumed = before;
        run_to_idle(&mut s2, &mut resumed);
        assert_eq!(resumed, went_on);
        assert_eq!(
            went_on,
            "\
slow 0 starts on v1
slow 0 ends on v1 1
slow 1 starts on v2 hi
slow 1 ends on v2 2
slow 2 starts on v2 hi
slow 2 ends on v2 3
slow 3 starts on v2 hi
slow 3 ends on v2 4
gone is still callable
top level ends on v1
"
        );
    }
}
