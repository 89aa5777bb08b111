//! What the binary's `inspect`, `extract` and `resume --code current` are
//! built on.

use skein_save::extract::{Selector, extract};
use skein_save::selection::load_selection;
use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Problem, inspect};
use skein_vm::Value;
use skein_world::{Simulation, WorldOptions};

const SCRIPT: &str = "
import stackless
import sim
def farmer(ch):
    while True:
        print('farmer got', ch.receive())
def sleeper():
    sim.sleep(10)
c = stackless.channel()
ada = stackless.tasklet(farmer)(c)
ada.name = 'ada'
stackless.tasklet(farmer)(c)
stackless.tasklet(sleeper)()
stackless.schedule()
c.receive()
";

fn sim() -> Simulation {
    let mut s = Simulation::new(WorldOptions::default());
    skein_save::pickle::install(&mut s.world);
    s
}

fn world_save() -> skein_save::SaveFile {
    let mut s = sim();
    s.load_main_source("farm", SCRIPT).expect("compiles");
    s.run(2);
    save_world(&s.world).expect("saves")
}

#[test]
fn inspect_reads_like_a_summary() {
    let text = inspect::text(&world_save());
    let want = "\
world save, format skein-save version 2, written by skein 0.1.0
tick 2, seed 0
modules:
  farm (farm.sk) ";
    assert!(text.starts_with(want), "{text}");
    assert!(
        text.contains("  #1 main: blocked receiving on channel #2 at farm.sk:15 in <module>\n"),
        "{text}"
    );
    assert!(
        text.contains("  #3 ada: blocked receiving on channel #2 at farm.sk:6 in farmer\n"),
        "{text}"
    );
    assert!(
        text.contains("  #5: sleeping until tick 10 at farm.sk:8 in sleeper\n"),
        "{text}"
    );
    assert!(
        text.contains("  #2: balance -3, preference -1, waiters [#3, #4, #1]\n"),
        "{text}"
    );
    let json = inspect::json(&world_save());
    assert!(json.contains("\"name\":\"ada\""), "{json}");
    assert!(
        json.contains(
            "{\"id\":2,\"balance\":-3,\"preference\":-1,\"closing\":false,\"waiters\":[3,4,1]}"
        ),
        "{json}"
    );
}

#[test]
fn extract_pulls_in_what_is_reached_and_says_why() {
    let save = world_save();
    let ex = extract(&save, &[Selector::TaskletName("ada".into())], |_| {}).expect("extracts");
    // ada's argument is the channel, which brings its other waiter; main,
    // also waiting there, is left out.
    assert_eq!(
        ex.lines,
        vec![
            "tasklet #3 → record 1: selected",
            "channel #2 → record 2: reached from #3",
            "tasklet #4 → record 3: reached from #2",
            "main was waiting on channel #2: left out of its saved waiters",
        ]
    );
    assert_eq!(ex.save.body.channels[0].waiters, vec![1, 3]);
    let e = extract(&save, &[Selector::TaskletName("bob".into())], |_| {}).err();
    assert_eq!(
        e.map(|e| e.to_string()),
        Some("no tasklet named \"bob\" in this save".into())
    );
    let e = extract(&save, &[Selector::TaskletId(1)], |_| {}).err();
    assert!(e.is_some_and(|e| e.to_string().contains("main cannot be selected")));

    // The part loads into a world running the same code, scheduled.
    let mut s = sim();
    s.load_main_source("farm", SCRIPT).expect("compiles");
    s.run(2);
    let roots = load_selection(&mut s.world, &ex.save, true).expect("loads");
    assert!(matches!(roots[..], [Value::Tasklet(_)]));
}

#[test]
fn code_current_resumes_unchanged_frames_and_refuses_changed_ones() {
    let save = world_save();
    // Moving everything down a few lines keeps every hash.
    let moved = format!("# moved\n\n{SCRIPT}");
    let program = skein_script::loader::compile_str("farm", &moved).expect("compiles");
    let mut s = sim();
    load_world(&mut s.world, &save, CodePolicy::Current(program)).expect("resumes");
    s.run(1);
    // Changing farmer's body is refused, naming it.
    let changed = SCRIPT.replace("'farmer got'", "'farmer has'");
    let program = skein_script::loader::compile_str("farm", &changed).expect("compiles");
    let mut s = sim();
    let e = load_world(&mut s.world, &save, CodePolicy::Current(program)).expect_err("refused");
    assert_eq!(
        *e.problem,
        Problem::ChangedFunctions(vec!["farm.farmer".into()])
    );
    assert_eq!(e.to_string(), "code changed since the save: farm.farmer");
}
