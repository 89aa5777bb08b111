//! Hot reload driven from the test at chosen ticks (never by wall-clock
//! timing): new code for calls made after the swap, old code for frames
//! already inside a changed function, compile errors keeping the old code,
//! and the whole sequence coming out the same every time.

use skein_script::bytecode::Program;
use skein_script::loader::{MemoryFiles, load_program_with};
use skein_world::reload::{self, ReloadError};
use skein_world::{Simulation, WorldOptions, start_main};

fn load(sim: &Simulation, files: &MemoryFiles) -> Result<Program, skein_script::loader::LoadError> {
    let opts = skein_world::load_options(&sim.world);
    let main = files.source("npc.sk").expect("npc.sk");
    load_program_with("npc", "npc.sk", main, files, &opts)
}

fn start(files: &MemoryFiles) -> Simulation {
    let mut sim = Simulation::new(WorldOptions::default());
    let program = load(&sim, files).expect("compiles");
    start_main(&mut sim.world, program).expect("starts");
    sim
}

/// Scripts by file name, standing in for a folder being edited.
fn files(pairs: &[(&str, &str)]) -> MemoryFiles {
    MemoryFiles::new(pairs.iter().copied())
}

const NPC_V1: &str = "\
import sim
count = 0
def b(i):
    return 'old b ' + str(i)
def a():
    global count
    h = b
    for i in range(5):
        count += 1
        print(b(i), h(i), count)
        sim.sleep(1)
a()
print('done', count)
";

// `b` changes, `c` is new, the top level's `count = 100` must not run.
const NPC_V2: &str = "\
import sim
import helper
count = 100
def c():
    return helper.greet()
def b(i):
    return 'new b ' + str(i) + ' ' + c()
def a():
    global count
    h = b
    for i in range(5):
        count += 1
        print(b(i), h(i), count)
        sim.sleep(1)
a()
print('done', count)
";

const HELPER: &str = "\
print('helper top level runs')
greeting = 'hi'
def greet():
    return greeting
";

/// Runs NPC_V1 for 2 ticks, swaps in NPC_V2, runs to the end.
fn loop_in_a_while_b_changes() -> (String, reload::ReloadReport) {
    let mut sim = start(&files(&[("npc.sk", NPC_V1)]));
    sim.run(2);
    let v2 = files(&[("npc.sk", NPC_V2), ("helper.sk", HELPER)]);
    let fresh = load(&sim, &v2).expect("v2 compiles");
    let report = reload::swap(&mut sim.world, &fresh).expect("swaps");
    sim.run_until_idle(20);
    let (out, err) = sim.take_output();
    assert_eq!(err, "");
    (out, report)
}

#[test]
fn the_next_call_of_a_changed_function_runs_the_new_code() {
    let (out, report) = loop_in_a_while_b_changes();
    assert_eq!(
        out,
        "\
old b 0 old b 0 1
old b 1 old b 1 2
helper top level runs
new b 2 hi new b 2 hi 3
new b 3 hi new b 3 hi 4
new b 4 hi new b 4 hi 5
done 5
"
    );
    assert_eq!(report.modules.len(), 1);
    assert_eq!(report.modules[0].changed, ["<module>", "b"]);
    assert_eq!(report.modules[0].added, ["c"]);
    assert_eq!(report.new_modules, ["helper.sk"]);
    // Main's top level is still in the old `<module>` (it called `a()`).
    assert_eq!(report.old_frames, 1);
    assert_eq!(
        report.summary(),
        "reloaded npc.sk (changed: <module>, b; added: c), helper.sk (new module); \
         1 frame still runs old code"
    );
}

#[test]
fn the_whole_sequence_is_deterministic() {
    let first = loop_in_a_while_b_changes();
    for _ in 0..3 {
        assert_eq!(loop_in_a_while_b_changes(), first);
    }
}

const SLOW_V1: &str = "\
import sim
def slow(n):
    print('slow', n, 'starts on v1')
    sim.sleep(2)
    print('slow', n, 'ends on v1')
def main():
    for n in range(3):
        slow(n)
main()
";

const SLOW_V2: &str = "\
import sim
def slow(n):
    print('slow', n, 'starts on v2')
    x = n * 10
    sim.sleep(2)
    print('slow', n, 'ends on v2', x)
def main():
    for n in range(3):
        slow(n)
main()
";

#[test]
fn a_frame_inside_the_changed_function_finishes_on_the_old_code() {
    let mut sim = start(&files(&[("npc.sk", SLOW_V1)]));
    sim.run(1);
    let fresh = load(&sim, &files(&[("npc.sk", SLOW_V2)])).expect("compiles");
    let report = reload::swap(&mut sim.world, &fresh).expect("swaps");
    assert_eq!(report.modules[0].changed, ["slow"]);
    assert_eq!(report.old_frames, 1);
    sim.run(2);
    // The old frame returned: its code is unloaded.
    assert_eq!(reload::collect(&mut sim.world), 0);
    let code = sim.world.resource::<skein_world::Code>().0.clone();
    assert!(code.modules[0].retired.is_empty());
    assert!(code.modules[0].old.is_empty());
    sim.run_until_idle(20);
    let (out, err) = sim.take_output();
    assert_eq!(err, "");
    assert_eq!(
        out,
        "\
slow 0 starts on v1
slow 0 ends on v1
slow 1 starts on v2
slow 1 ends on v2 10
slow 2 starts on v2
slow 2 ends on v2 20
"
    );
}

#[test]
fn a_traceback_in_old_code_shows_the_old_source() {
    let v1 = "import sim\ndef f():\n    sim.sleep(1)\n    return 1 // 0\nf()\n";
    let v2 = "import sim\n\n\ndef f():\n    sim.sleep(1)\n    return 2\nf()\n";
    let mut sim = start(&files(&[("npc.sk", v1)]));
    sim.run(1);
    let fresh = load(&sim, &files(&[("npc.sk", v2)])).expect("compiles");
    reload::swap(&mut sim.world, &fresh).expect("swaps");
    sim.run_until_idle(5);
    let (_, err) = sim.take_output();
    assert!(
        err.contains("File \"npc.sk\", line 4, in f\n    return 1 // 0\n"),
        "{err}"
    );
}

#[test]
fn a_compile_error_keeps_the_old_code() {
    let mut sim = start(&files(&[("npc.sk", SLOW_V1)]));
    sim.run(1);
    let broken = SLOW_V2.replace("x = n * 10", "x = n *");
    let err = match load(&sim, &files(&[("npc.sk", &broken)])) {
        Err(e) => ReloadError::Load(e),
        Ok(p) => reload::swap(&mut sim.world, &p).expect_err("does not compile"),
    };
    let text = err.to_string();
    assert!(text.contains("npc.sk:4:"), "{text}");
    sim.run_until_idle(20);
    let (out, _) = sim.take_output();
    assert_eq!(out.matches("on v1").count(), 6, "{out}");
    assert!(!out.contains("v2"));
}

#[test]
fn watch_is_refused_where_replay_must_be_deterministic() {
    let mut sim = start(&files(&[("npc.sk", SLOW_V1)]));
    sim.world.insert_resource(reload::DeterministicReplay {
        reason: "a cluster shard".to_string(),
    });
    let err = reload::check_allowed(&sim.world).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "hot reload (--watch) is refused in a cluster shard: its ticks are replayed and must be deterministic"
    );
    let fresh = load(&sim, &files(&[("npc.sk", SLOW_V2)])).expect("compiles");
    assert!(reload::swap(&mut sim.world, &fresh).is_err());
}
