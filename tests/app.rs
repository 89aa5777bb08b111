//! `SkeinPlugin` in a bevy `App`: a script run to idle prints what `skein
//! run` prints, one tick per run of the schedule; save and load requests by
//! message round-trip mid-run and continue exactly (the village too, with
//! its NPC components and walks); a refused load changes nothing; the
//! game's own entities survive a load.

use std::path::{Path, PathBuf};
use std::process::Command;

use bevy_app::{App, AppExit, FixedUpdate};
use bevy_ecs::message::Messages;
use bevy_ecs::prelude::*;
use skein_save::app::{
    LoadFailed, LoadWorld, SaveFailed, SaveWorld, SkeinSavePlugin, WorldLoaded, WorldSaved,
};
use skein_village::app::VillagePlugin;
use skein_world::app::{SkeinPlugin, SkeinStartError};
use skein_world::{Output, Scheduler};

/// Workers that sleep, a conversation over a channel, random draws,
/// `pickle`, and an uncaught error with its traceback.
const SCRIPT: &str = r#"import pickle
import random
import sim
import stackless

def worker(n, ch):
    for i in range(4):
        print("worker", n, "step", i, "tick", sim.tick(), random.randint(1, 100))
        sim.sleep(n + 1)
    ch.send(n)

def boom():
    sim.sleep(3)
    print([1, 2][5])

ch = stackless.channel()
for n in range(3):
    stackless.tasklet(worker)(n, ch)
stackless.tasklet(boom)()
got = []
for _ in range(3):
    got.append(ch.receive())
print("got", got, pickle.loads(pickle.dumps({"k": got}))["k"] == got)
"#;

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("app")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    std::fs::write(dir.join("work.sk"), SCRIPT).expect("the script written");
    dir
}

/// An app ticking `work.sk` in `Update`, its output captured.
fn app(dir: &Path) -> App {
    let mut app = App::new();
    let skein = SkeinPlugin::new()
        .main_file(dir.join("work.sk"))
        .capture_output()
        .exit_when_idle();
    app.add_plugins((skein, SkeinSavePlugin::new()));
    app.finish();
    app.cleanup();
    app
}

/// Runs `app` once (one tick); returns what the scripts printed.
fn update(app: &mut App) -> (String, String) {
    app.update();
    app.world_mut().resource_mut::<Output>().take()
}

fn run_to_exit(app: &mut App, out: &mut String, err: &mut String) -> u64 {
    let mut updates = 0;
    while app.should_exit().is_none() {
        assert!(updates < 1000, "the world never went idle");
        let (o, e) = update(app);
        out.push_str(&o);
        err.push_str(&e);
        updates += 1;
    }
    updates
}

fn tick(app: &App) -> u64 {
    app.world().resource::<Scheduler>().tick
}

fn drain<M: Message>(app: &mut App) -> Vec<M> {
    app.world_mut()
        .resource_mut::<Messages<M>>()
        .drain()
        .collect()
}

#[test]
fn a_script_run_to_idle_prints_what_skein_run_prints() {
    let dir = scratch("same_as_run");
    let mut app = app(&dir);
    let (mut out, mut err) = (String::new(), String::new());
    let updates = run_to_exit(&mut app, &mut out, &mut err);
    assert_eq!(app.should_exit(), Some(AppExit::Success));

    let cli = Command::new(env!("CARGO_BIN_EXE_skein"))
        .args(["run", "work.sk"])
        .current_dir(&dir)
        .env_remove("RUST_LOG")
        .output()
        .expect("skein runs");
    assert_eq!(String::from_utf8_lossy(&cli.stdout), out);
    let cli_err = String::from_utf8_lossy(&cli.stderr);
    let (report, closing) = cli_err.rsplit_once("skein: ").expect("a closing line");
    assert_eq!(report, err);
    assert!(err.contains("IndexError"), "{err}");
    // One tick per update, as many as `skein run` ran.
    assert_eq!(tick(&app), updates);
    assert!(
        closing.starts_with(&format!("{updates} ticks,")),
        "{closing}"
    );
}

#[test]
fn save_and_load_by_message_continue_exactly() {
    let dir = scratch("round_trip");
    let save = dir.join("mid.ron");

    // A: three ticks, then a save at the end of the fourth, then on to idle.
    let mut a = app(&dir);
    for _ in 0..3 {
        update(&mut a);
    }
    a.world_mut()
        .write_message(SaveWorld { path: save.clone() });
    update(&mut a);
    let saved = drain::<WorldSaved>(&mut a);
    assert_eq!(
        saved,
        [WorldSaved {
            path: save.clone(),
            tick: 4
        }]
    );
    let (mut after_save, mut err_a) = (String::new(), String::new());
    run_to_exit(&mut a, &mut after_save, &mut err_a);
    assert!(!after_save.is_empty());

    // B: the same script, two ticks in, with a game entity of its own;
    // then the save replaces its Skein world in place.
    #[derive(Component, Debug, PartialEq)]
    struct Lamp(u32);
    let mut b = app(&dir);
    let lamp = b.world_mut().spawn(Lamp(7)).id();
    update(&mut b);
    update(&mut b);
    b.world_mut()
        .write_message(LoadWorld { path: save.clone() });
    update(&mut b);
    let loaded = drain::<WorldLoaded>(&mut b);
    assert_eq!(
        loaded,
        [WorldLoaded {
            path: save,
            tick: 4
        }]
    );
    assert_eq!(tick(&b), 4);
    assert_eq!(b.world().get::<Lamp>(lamp), Some(&Lamp(7)));
    let (mut out_b, mut err_b) = (String::new(), String::new());
    run_to_exit(&mut b, &mut out_b, &mut err_b);
    assert_eq!(out_b, after_save);
    assert_eq!(err_b, err_a);
    assert_eq!(tick(&b), tick(&a));
}

#[test]
fn a_refused_load_changes_nothing() {
    let dir = scratch("refused");
    let bad = dir.join("bad.ron");
    std::fs::write(&bad, "(header: (format: \"nonsense\"))").expect("written");

    let mut straight = app(&dir);
    let (mut want, mut want_err) = (String::new(), String::new());
    run_to_exit(&mut straight, &mut want, &mut want_err);

    let mut app = app(&dir);
    let (mut out, mut err) = update(&mut app);
    // A real save whose main tasklet is edited to one that does not exist:
    // it reads, but fails a check deep inside the load.
    let good = dir.join("good.ron");
    app.world_mut()
        .write_message(SaveWorld { path: good.clone() });
    let (o, e) = update(&mut app);
    out.push_str(&o);
    err.push_str(&e);
    let text = std::fs::read_to_string(&good).expect("the save");
    assert!(text.contains("main: 1,"), "{text}");
    let edited = dir.join("edited.ron");
    std::fs::write(&edited, text.replacen("main: 1,", "main: 77,", 1)).expect("written");

    for path in [&bad, &edited, &dir.join("missing.ron")] {
        app.world_mut()
            .write_message(LoadWorld { path: path.clone() });
    }
    let (o, e) = update(&mut app);
    out.push_str(&o);
    err.push_str(&e);
    let refused = drain::<LoadFailed>(&mut app);
    assert_eq!(refused.len(), 3);
    assert_eq!(refused[0].path, bad);
    assert_eq!(refused[1].path, edited);
    assert!(
        refused[1].error.to_string().contains("main"),
        "{}",
        refused[1].error
    );
    assert!(drain::<WorldLoaded>(&mut app).is_empty());
    run_to_exit(&mut app, &mut out, &mut err);
    assert_eq!(out, want);
    assert_eq!(err, want_err);
}

#[test]
fn a_save_that_cannot_be_written_is_answered() {
    let dir = scratch("unwritable");
    let mut app = app(&dir);
    update(&mut app);
    app.world_mut()
        .write_message(SaveWorld { path: dir.clone() });
    update(&mut app);
    let failed = drain::<SaveFailed>(&mut app);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].path, dir);
    assert!(drain::<WorldSaved>(&mut app).is_empty());
}

#[test]
fn fixed_update_ticks_only_when_it_runs() {
    let mut app = App::new();
    let skein = SkeinPlugin::new()
        .main_source("count", "import sim\nwhile True:\n    sim.sleep(1)\n")
        .in_schedule(FixedUpdate)
        .capture_output();
    app.add_plugins(skein);
    app.finish();
    app.cleanup();
    for _ in 0..3 {
        app.world_mut().run_schedule(FixedUpdate);
    }
    app.update(); // No time has passed, so FixedUpdate does not run.
    assert_eq!(tick(&app), 3);
}

#[test]
fn a_compile_error_ends_the_app_with_code_2() {
    let mut app = App::new();
    app.add_plugins(
        SkeinPlugin::new()
            .main_source("broken", "print(\n")
            .capture_output(),
    );
    app.finish();
    app.cleanup();
    let error = app.world().resource::<SkeinStartError>().0.clone();
    assert!(error.contains("broken.sk:"), "{error}");
    app.update();
    assert_eq!(app.should_exit(), Some(AppExit::from_code(2)));
}

/// The village under the plugins: NPC components, walks in progress and
/// the movement systems all come back from a load by message.
fn village_app() -> App {
    let mut app = App::new();
    let skein = SkeinPlugin::new()
        .main_with(skein_village::start_village)
        .capture_output();
    app.add_plugins((skein, SkeinSavePlugin::new(), VillagePlugin));
    app.finish();
    app.cleanup();
    app
}

#[test]
fn the_village_loaded_by_message_continues_exactly() {
    let dir = scratch("village");
    let save = dir.join("village.bin");
    let mut a = village_app();
    for _ in 0..150 {
        update(&mut a);
    }
    a.world_mut()
        .write_message(SaveWorld { path: save.clone() });
    update(&mut a);
    assert_eq!(drain::<WorldSaved>(&mut a).len(), 1);
    let mut want = String::new();
    for _ in 0..250 {
        want.push_str(&update(&mut a).0);
    }
    assert!(want.lines().count() > 5, "{want}");

    let mut b = village_app();
    for _ in 0..40 {
        update(&mut b);
    }
    b.world_mut().write_message(LoadWorld { path: save });
    update(&mut b);
    assert_eq!(drain::<WorldLoaded>(&mut b).len(), 1);
    let mut got = String::new();
    for _ in 0..250 {
        got.push_str(&update(&mut b).0);
    }
    assert_eq!(got, want);
}
