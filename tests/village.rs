//! The bundled village as a library: it runs deterministically, keeps the
//! save promise (run N ≡ run k, save, load into a fresh world, run N − k)
//! at ticks where NPCs are mid-walk and mid-conversation, every asset
//! compiles, and it scales.

use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_script::loader::load_program_with;
use skein_village::{Health, Inventory, Position, assets};
use skein_vm::Value;
use skein_world::{NativeQueue, Scheduler, Simulation, TaskletState, Wait, WorldOptions};

fn options(npcs: i64) -> WorldOptions {
    let mut o = WorldOptions {
        seed: 7,
        ..WorldOptions::default()
    };
    o.params.insert("npcs".into(), Value::Int(npcs));
    o
}

fn village(npcs: i64) -> Simulation {
    skein_village::build_village(options(npcs)).expect("the village compiles")
}

/// Runs `n` ticks, appending stdout and stderr to `log`.
fn run(sim: &mut Simulation, n: u64, log: &mut String) {
    for _ in 0..n {
        sim.tick();
        let (out, err) = sim.take_output();
        log.push_str(&out);
        log.push_str(&err);
    }
}

/// The world as pretty RON text.
fn save_text(sim: &Simulation) -> String {
    let save = save_world(&sim.world).expect("saves between ticks");
    String::from_utf8(to_bytes(&save, Encoding::Pretty).expect("encodes")).expect("utf-8")
}

fn resume(text: &str) -> Simulation {
    let mut sim = skein_village::new_simulation(WorldOptions::default());
    let save = from_bytes(text.as_bytes()).expect("reads");
    load_world(&mut sim.world, &save, CodePolicy::Saved).expect("loads");
    sim
}

/// Tasklets by what they wait on: (in a native, on a channel, asleep).
fn waits(sim: &Simulation) -> (usize, usize, usize) {
    let mut counts = (0, 0, 0);
    for (_, e) in sim.world.resource::<Scheduler>().ring.ids() {
        match sim.world.get::<TaskletState>(e).map(|t| &t.wait) {
            Some(Wait::Native(_)) => counts.0 += 1,
            Some(Wait::Channel { .. }) => counts.1 += 1,
            Some(Wait::Sleep { .. }) => counts.2 += 1,
            _ => {}
        }
    }
    counts
}

fn entity_named(sim: &Simulation, name: &str) -> bevy_ecs::entity::Entity {
    let sched = sim.world.resource::<Scheduler>();
    sched
        .ring
        .ids()
        .find(|(_, e)| {
            sim.world
                .get::<TaskletState>(*e)
                .is_some_and(|t| t.name() == Some(name))
        })
        .map(|(_, e)| e)
        .unwrap_or_else(|| panic!("no tasklet named {name}"))
}

#[test]
fn the_village_runs_the_same_twice_and_tells_a_story() {
    let (mut a, mut b) = (String::new(), String::new());
    run(&mut village(200), 900, &mut a);
    run(&mut village(200), 900, &mut b);
    assert_eq!(a, b);
    let lines: Vec<&str> = a.lines().collect();
    assert!((150..3000).contains(&lines.len()), "{} lines", lines.len());
    assert_eq!(
        lines[..2],
        [
            "tick 0 | the village wakes: 200 people in 1 hamlet(s)",
            "tick 0 | dawn breaks on day 1"
        ]
    );
    for line in &lines {
        assert!(line.starts_with("tick "), "not an event line: {line}");
        assert!(line.contains(" | "), "not an event line: {line}");
    }
    for what in [
        " sold ",
        " bought ",
        "council of Ashby, day 1: 20 merchants",
        "council of Ashby, day 2: 20 merchants",
        "dusk falls on day 2",
        "dawn breaks on day 3",
        " arrived at the gate of Ashby",
        " left Ashby carrying ",
        "wolves bit ",
    ] {
        assert!(a.contains(what), "no {what:?} in\n{a}");
    }
}

#[test]
fn another_seed_tells_another_story() {
    let mut a = String::new();
    run(&mut village(200), 250, &mut a);
    let mut o = options(200);
    o.seed = 8;
    let mut other = skein_village::build_village(o).expect("compiles");
    let mut b = String::new();
    run(&mut other, 250, &mut b);
    assert_ne!(a, b);
}

#[test]
fn saving_and_resuming_changes_nothing() {
    const N: u64 = 900;
    let mut want = String::new();
    let mut whole = village(200);
    run(&mut whole, N, &mut want);
    let end = save_text(&whole);
    // 1: NPCs just spawned; 30: farmers walking out; 200: the council's
    // noon; 213: mid-market; 350: night; 611: the next day's market.
    for k in [1, 30, 200, 213, 350, 611] {
        let mut got = String::new();
        let mut first = village(200);
        run(&mut first, k, &mut got);
        let (native, channel, _) = waits(&first);
        assert!(
            native > 0 && channel > 0,
            "k={k}: {native} walking, {channel} on channels"
        );
        let text = save_text(&first);
        assert!(text.contains("village.Position"), "components are saved");
        drop(first);
        let mut second = resume(&text);
        run(&mut second, N - k, &mut got);
        assert!(
            got == want,
            "k={k}: the resumed log differs from the straight run"
        );
        assert!(
            save_text(&second) == end,
            "k={k}: the resumed world ends in another state"
        );
    }
}

#[test]
fn a_save_resumes_mid_walk_with_the_walkers_where_they_were() {
    let mut sim = village(200);
    let mut log = String::new();
    run(&mut sim, 30, &mut log);
    let walkers = sim.world.resource::<NativeQueue>().clone();
    let text = save_text(&sim);
    let back = resume(&text);
    for (id, e) in sim.world.resource::<Scheduler>().ring.ids() {
        let e2 = back.entity(id).expect("same ids after a load");
        assert_eq!(sim.world.get::<Position>(e), back.world.get::<Position>(e2));
        assert_eq!(sim.world.get::<Health>(e), back.world.get::<Health>(e2));
        assert_eq!(
            sim.world.get::<Inventory>(e),
            back.world.get::<Inventory>(e2)
        );
        assert_eq!(
            walkers.is_waiting(id),
            back.world.resource::<NativeQueue>().is_waiting(id),
            "#{id}"
        );
    }
}

#[test]
fn npcs_carry_their_state_in_components() {
    let mut sim = village(200);
    let mut log = String::new();
    run(&mut sim, 250, &mut log);
    // The first merchant keeps her stall at (11, 14) and trades in coin.
    let ada = entity_named(&sim, "ada");
    assert_eq!(
        sim.world.get::<Position>(ada),
        Some(&Position { x: 11, y: 14 })
    );
    let inv = sim.world.get::<Inventory>(ada).expect("an inventory");
    assert!(inv.0.get("coin").is_some_and(|c| *c > 0), "{inv:?}");
    let hp = sim.world.get::<Health>(ada).expect("health");
    assert_eq!(hp.max, 12);
}

#[test]
fn every_asset_compiles_and_the_embedded_copies_are_current() {
    let sim = skein_village::new_simulation(WorldOptions::default());
    let opts = skein_world::load_options(&sim.world);
    for (file, source) in assets::SOURCES {
        let name = file.trim_end_matches(".sk");
        if let Err(e) = load_program_with(name, file, source, &assets::Embedded, &opts) {
            panic!("{file}:\n{}", e.render());
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/village");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("assets/village")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".sk"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = assets::SOURCES.iter().map(|(f, _)| f.to_string()).collect();
    embedded.sort();
    assert_eq!(
        on_disk, embedded,
        "every script in assets/village is built in"
    );
    for (file, source) in assets::SOURCES {
        let disk = std::fs::read_to_string(dir.join(file)).expect("readable");
        assert_eq!(&disk, source, "{file}");
    }
}

#[test]
fn the_village_runs_from_the_files_on_disk_too() {
    let mut from_disk = skein_village::new_simulation(options(200));
    let main = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/village/village.sk");
    from_disk.load_main(&main).expect("compiles from disk");
    let (mut a, mut b) = (String::new(), String::new());
    run(&mut from_disk, 250, &mut a);
    run(&mut village(200), 250, &mut b);
    assert_eq!(a, b);
}

#[test]
fn bad_npc_counts_and_bodiless_calls_are_script_errors() {
    let mut sim = village(3);
    let mut log = String::new();
    run(&mut sim, 1, &mut log);
    assert!(
        log.contains("ValueError: npcs must be an int of at least 10, not 3"),
        "{log}"
    );

    let mut sim = skein_village::new_simulation(WorldOptions::default());
    sim.load_main_source("ghost", "import npc\nprint(npc.pos())\n")
        .expect("compiles");
    let mut log = String::new();
    run(&mut sim, 1, &mut log);
    assert!(
        log.contains(
            "RuntimeError: npc.pos(): this tasklet has no body yet (call npc.spawn(x, y, hp) first)"
        ),
        "{log}"
    );
}

#[test]
fn walking_takes_one_tick_per_step() {
    let mut sim = skein_village::new_simulation(WorldOptions::default());
    let src = "import npc\nimport sim\nnpc.spawn(0, 0, 5)\nat = npc.walk_to(3, 1)\n\
               print(sim.tick(), at, npc.pos())\nprint(npc.walk_to(3, 1))\n";
    sim.load_main_source("walk", src).expect("compiles");
    let mut log = String::new();
    run(&mut sim, 8, &mut log);
    // Requested in tick 0; steps in ticks 0, 1, 2; resumes in tick 3.
    assert_eq!(log, "3 [3, 1] [3, 1]\n[3, 1]\n");
}

#[test]
fn two_thousand_npcs_run() {
    let mut sim = village(2000);
    let mut log = String::new();
    run(&mut sim, 250, &mut log);
    assert!(log.starts_with("tick 0 | the village wakes: 2000 people in 10 hamlet(s)\n"));
    assert!(
        log.contains("council of Hollins, day 1: 20 merchants"),
        "{log}"
    );
    assert!(
        log.contains("council of Ashby1, day 1: 20 merchants"),
        "{log}"
    );
    assert!(!log.contains("Traceback"), "{log}");
}

/// Autosave in the village, where host components (position, health,
/// inventory) and the movement system change between autosaves and many
/// NPCs wait unchanged: each autosave, written while later ticks ran, is
/// the save of a village stopped at its tick.
#[test]
fn every_village_autosave_is_the_save_of_its_tick() {
    use skein_save::autosave::{self, AutosaveOptions};
    let dir = std::env::temp_dir().join(format!("skein-village-autosave-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("auto.ron");
    let mut sim = village(40);
    let mut opts = AutosaveOptions::new(10, &path);
    opts.keep = 100;
    opts.before_write = Some(std::sync::Arc::new(|_| {
        std::thread::sleep(std::time::Duration::from_millis(5))
    }));
    autosave::enable(&mut sim, opts);
    let mut log = String::new();
    let mut n = 0;
    while n < 400 {
        run(&mut sim, 1, &mut log);
        n += 1;
        // Now and then the write is waited for, so the next autosave is
        // not skipped; the others retake a snapshot many ticks old.
        if n % 20 == 0 {
            autosave::finish(&mut sim.world);
        }
    }
    let stats = autosave::finish(&mut sim.world).expect("installed");
    assert!(stats.written >= 20, "{stats:?}");
    // The reference runs once, and each autosave is compared at its tick.
    let mut reference = village(40);
    let mut at = 0;
    for (k, tick) in stats.written_ticks.iter().enumerate() {
        let newest_first = stats.written_ticks.len() - 1 - k;
        let file = if newest_first == 0 {
            path.clone()
        } else {
            autosave::files::rotated(&path, newest_first)
        };
        run(&mut reference, tick - at, &mut String::new());
        at = *tick;
        let written = std::fs::read_to_string(&file).expect("autosave file");
        assert!(
            written == save_text(&reference),
            "{} (tick {tick}) differs from the village stopped there",
            file.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
