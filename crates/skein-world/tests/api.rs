//! The Rust API as a game uses it: blocking natives served by ordinary
//! systems, game components on tasklet entities, several worlds at once,
//! and the instruction budget.

use bevy_ecs::prelude::*;
use skein_vm::Value;
use skein_world::{NativeKind, NativeQueue, Simulation, SkeinSystems, TaskletState, WorldOptions};

fn sim_with(budget: u64) -> Simulation {
    Simulation::new(WorldOptions {
        budget,
        ..WorldOptions::default()
    })
}

fn run(sim: &mut Simulation, max: u64) -> (String, String) {
    sim.run_until_idle(max);
    sim.take_output()
}

/// Requests being served: (tasklet, ticks left, answer).
#[derive(Resource, Default)]
struct Jobs(Vec<(u64, i64, i64)>);

/// Serves `npc.wait_for(n)`: completes it `n` ticks later with `n * 10`.
fn serve(mut queue: ResMut<NativeQueue>, mut jobs: ResMut<Jobs>) {
    for call in queue.take_requests("npc", "wait_for") {
        let n = match call.args.first() {
            Some(Value::Int(n)) => *n,
            _ => 0,
        };
        jobs.0.push((call.tasklet, n, n * 10));
    }
    for job in jobs.0.iter_mut() {
        job.1 -= 1;
    }
    let (done, left): (Vec<_>, Vec<_>) = jobs.0.drain(..).partition(|j| j.1 <= 0);
    jobs.0 = left;
    for (t, _, answer) in done {
        queue.complete(t, Ok(Value::Int(answer)));
    }
}

#[test]
fn blocking_native_completed_by_a_system() {
    let mut sim = sim_with(10_000);
    sim.register_native("npc", "wait_for", NativeKind::Blocking);
    sim.world.insert_resource(Jobs::default());
    sim.schedule.add_systems(serve.after(SkeinSystems::Run));
    let src = "import npc\nimport sim\nimport stackless\n\
def walker(n):\n    print('walker', n, 'starts at', sim.tick())\n    r = npc.wait_for(n)\n    print('walker', n, 'got', r, 'at', sim.tick())\n\
stackless.tasklet(walker)(3)\nstackless.tasklet(walker)(1)\nprint('main ends')\n";
    sim.load_main_source("game", src).expect("compiles");
    let (out, err) = run(&mut sim, 20);
    assert_eq!(err, "");
    assert_eq!(
        out,
        "main ends\nwalker 3 starts at 0\nwalker 1 starts at 0\n\
walker 1 got 10 at 1\nwalker 3 got 30 at 3\n"
    );
    assert!(sim.is_idle());
}

#[test]
fn killing_a_native_waiter_cancels_its_request() {
    let mut sim = sim_with(10_000);
    sim.register_native("npc", "wait_for", NativeKind::Blocking);
    let src = "import npc\nimport stackless\n\
def w():\n    try:\n        npc.wait_for(5)\n    finally:\n        print('w unwinds')\n\
t = stackless.tasklet(w)()\nstackless.schedule()\nprint('blocked', t.blocked, t.scheduled)\nt.kill()\nprint('alive', t.alive)\n";
    sim.load_main_source("game", src).expect("compiles");
    sim.tick();
    let requests = sim.natives().take_requests("npc", "*");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].args, vec![Value::Int(5)]);
    sim.tick();
    let (out, err) = sim.take_output();
    assert_eq!(err, "");
    assert_eq!(out, "blocked True True\nw unwinds\nalive False\n");
    let cancelled = sim.natives().take_cancelled("npc");
    assert_eq!(cancelled.len(), 1);
    assert_eq!(cancelled[0].tasklet, requests[0].tasklet);
    assert!(!sim.natives().complete(requests[0].tasklet, Ok(Value::None)));
    assert!(sim.is_idle());
}

/// A game component on tasklet entities.
#[derive(Component)]
struct Health(i64);

/// Gives every new tasklet 10 hp.
fn give_health(mut commands: Commands, q: Query<Entity, (With<TaskletState>, Without<Health>)>) {
    for e in &q {
        commands.entity(e).insert(Health(10));
    }
}

/// Hurts named tasklets and tells their scripts through `t.data`.
fn hurt(mut q: Query<(&mut TaskletState, &mut Health)>) {
    for (mut t, mut h) in &mut q {
        if t.name().is_some() && t.alive {
            h.0 -= 4;
            let mut data = t.take_data();
            if let Value::Dict(d) = &mut data {
                let d = std::sync::Arc::make_mut(d);
                let _ = d.insert(Value::str("hp"), Value::Int(h.0));
            }
            t.set_data(data);
        }
    }
}

#[test]
fn game_systems_read_and_change_tasklet_components() {
    let mut sim = sim_with(10_000);
    sim.register_native(
        "npc",
        "health",
        NativeKind::immediate(|cx, _args, _kw| {
            let hp = cx.world.get::<Health>(cx.entity).map_or(-1, |h| h.0);
            Ok(Value::Int(hp))
        }),
    );
    sim.schedule.add_systems((
        give_health.before(SkeinSystems::Run),
        hurt.after(SkeinSystems::Run),
    ));
    // The orc waits one tick first: a tasklet spawned mid-tick gets its
    // Health from `give_health` before the next tick.
    let src = "import npc\nimport stackless\n\
def orc():\n    stackless.schedule()\n    me = stackless.getcurrent()\n    while npc.health() > 0:\n        print('orc hp', npc.health(), me.data)\n        stackless.schedule()\n    print('orc falls', me.data)\n\
t = stackless.tasklet(orc)()\nt.name = 'orc'\n";
    sim.load_main_source("game", src).expect("compiles");
    let (out, err) = run(&mut sim, 20);
    assert_eq!(err, "");
    assert_eq!(
        out,
        "orc hp 10 {}\norc hp 6 {'hp': 6}\norc hp 2 {'hp': 2}\norc falls {'hp': -2}\n"
    );
}

#[test]
fn two_worlds_side_by_side() {
    let src = |tag: &str| {
        format!(
            "import random\nimport stackless\n\
def f(n):\n    for i in range(n):\n        print('{tag}', stackless.getcurrent().id, random.randint(1, 100))\n        stackless.schedule()\n\
stackless.tasklet(f)(3)\nstackless.tasklet(f)(2)\n"
        )
    };
    let mut a = Simulation::new(WorldOptions {
        seed: 1,
        ..WorldOptions::default()
    });
    let mut b = Simulation::new(WorldOptions {
        seed: 2,
        ..WorldOptions::default()
    });
    a.load_main_source("a", &src("a")).expect("compiles");
    b.load_main_source("b", &src("b")).expect("compiles");
    let mut solo = Simulation::new(WorldOptions {
        seed: 1,
        ..WorldOptions::default()
    });
    solo.load_main_source("a", &src("a")).expect("compiles");
    let mut outs = (String::new(), String::new());
    for _ in 0..5 {
        a.tick();
        b.tick();
        outs.0.push_str(&a.take_output().0);
        outs.1.push_str(&b.take_output().0);
    }
    let (solo_out, _) = run(&mut solo, 10);
    assert_eq!(outs.0, solo_out, "world a is unaffected by world b");
    assert!(outs.1.lines().all(|l| l.starts_with("b ")));
    assert!(outs.0.starts_with("a 2 "));
    assert!(outs.1.starts_with("b 2 "));
    assert_eq!(a.tick_count(), 5);
}

#[test]
fn a_busy_tasklet_is_preempted_by_the_budget() {
    let src = "import stackless\nimport sim\n\
def busy():\n    n = 0\n    for i in range(3000):\n        n += i\n    print('busy done', n)\n\
def other():\n    print('other at', sim.tick())\n\
stackless.tasklet(busy)()\nstackless.tasklet(other)()\n";
    let mut small = sim_with(500);
    small.load_main_source("m", src).expect("compiles");
    let (out, _) = run(&mut small, 100);
    assert_eq!(out, "other at 0\nbusy done 4498500\n");
    assert!(small.tick_count() > 3, "the loop took several ticks");
    let mut unlimited = sim_with(0);
    unlimited.load_main_source("m", src).expect("compiles");
    let (out, _) = run(&mut unlimited, 100);
    assert_eq!(out, "busy done 4498500\nother at 0\n");
}

#[test]
fn an_atomic_section_longer_than_100_budgets_is_an_error() {
    let src = "import stackless\n\
def spin():\n    stackless.set_atomic(True)\n    try:\n        while True:\n            pass\n    except RuntimeError as e:\n        print('spin stopped:', e, stackless.getcurrent().atomic)\n\
stackless.tasklet(spin)()\n";
    let mut sim = sim_with(50);
    sim.load_main_source("m", src).expect("compiles");
    sim.tick();
    let (out, err) = sim.take_output();
    assert_eq!(err, "");
    assert_eq!(out, "spin stopped: atomic section too long True\n");
}

#[test]
fn main_falls_back_only_when_nothing_sleeps() {
    let src = "import stackless\nimport sim\n\
def sleeper():\n    sim.sleep(2)\n    print('sleeper woke at', sim.tick())\n\
stackless.tasklet(sleeper)()\nstackless.schedule_remove()\nprint('main back at', sim.tick())\n";
    let mut sim = sim_with(10_000);
    sim.load_main_source("m", src).expect("compiles");
    let (out, err) = run(&mut sim, 10);
    assert_eq!(err, "");
    assert_eq!(out, "sleeper woke at 2\nmain back at 2\n");
}

#[test]
fn rust_reads_and_sets_channel_state_and_kills() {
    let src = "import stackless\nch = stackless.channel()\n\
def r(name):\n    try:\n        print(name, 'got', ch.receive())\n    finally:\n        print(name, 'ends')\n\
stackless.tasklet(r)('a')\nstackless.tasklet(r)('b')\n";
    let mut sim = sim_with(10_000);
    sim.load_main_source("m", src).expect("compiles");
    sim.tick();
    let state = sim.channel_state(2);
    let Value::List(parts) = &state else {
        panic!("state is a list: {state:?}")
    };
    assert_eq!(parts.items[0], Value::Int(-2));
    assert_eq!(
        parts.items[2],
        Value::list(vec![Value::Tasklet(3), Value::Tasklet(4)])
    );
    // Detach both, re-attach only b.
    let flags = parts.items[1].clone();
    sim.set_channel_state(
        2,
        Value::list(vec![
            Value::Int(-1),
            flags,
            Value::list(vec![Value::Tasklet(4)]),
        ]),
    )
    .expect("valid state");
    assert!(sim.tasklet(3).is_some_and(|t| t.alive && !t.blocked()));
    sim.insert(3).expect("a is paused");
    sim.kill(4);
    let (out, err) = run(&mut sim, 10);
    assert_eq!(err, "");
    assert_eq!(out, "a got None\na ends\nb ends\n");
    let Value::List(after) = sim.channel_state(2) else {
        panic!("state is a list")
    };
    assert_eq!(after.items[0], Value::Int(0));
}

/// Ticks seen by the game's own system.
#[derive(Resource, Default)]
struct Frames(u64);

fn count_frames(mut f: ResMut<Frames>) {
    f.0 += 1;
}

#[test]
fn a_game_brings_its_own_world_and_schedule() {
    let mut world = World::new();
    skein_world::init_world(&mut world, WorldOptions::default());
    world.insert_resource(Frames::default());
    let opts = skein_world::load_options(&world);
    let program = skein_script::loader::load_program_with(
        "game",
        "game.sk",
        "import sim\nfor i in range(3):\n    print('frame', sim.tick())\n    sim.sleep(1)\n",
        &NoFiles,
        &opts,
    )
    .expect("compiles");
    let main = skein_world::start_main(&mut world, program).expect("starts");
    assert_eq!(main, 1);
    let mut schedule = Schedule::default();
    schedule.add_systems((
        count_frames.before(SkeinSystems::Run),
        skein_world::run_tick.in_set(SkeinSystems::Run),
    ));
    let mut n = 0;
    while !skein_world::is_idle(&world) && n < 10 {
        schedule.run(&mut world);
        n += 1;
    }
    let (out, _) = world.resource_mut::<skein_world::Output>().take();
    assert_eq!(out, "frame 0\nframe 1\nframe 2\n");
    assert_eq!(world.resource::<Frames>().0, 4);
}

struct NoFiles;

impl skein_script::loader::SourceResolver for NoFiles {
    fn resolve(&self, _: &str, _: &str) -> Option<(String, String)> {
        None
    }
}

#[test]
fn a_live_tasklet_stack_names_its_frames_and_locals() {
    let mut sim = Simulation::new(WorldOptions::default());
    sim.load_main_source(
        "farm",
        "import sim\nimport stackless\n\ndef carry(load):\n    sim.sleep(5)\n\n\
         def farmer(name):\n    basket = ['x' * 100]\n    carry(len(basket))\n\n\
         t = stackless.tasklet(farmer)('ada')\nt.name = 'ada'\n",
    )
    .expect("compiles");
    sim.run(2);
    let ids = skein_world::stack::find_tasklets(&sim.world, "ada");
    assert_eq!(ids, [2]);
    assert_eq!(skein_world::stack::find_tasklets(&sim.world, "#2"), [2]);
    assert!(skein_world::stack::find_tasklets(&sim.world, "bo").is_empty());
    let stack = skein_world::stack::tasklet_stack(&sim.world, 2).expect("ada");
    let short = format!(
        "<tasklet ada> (#2): sleeping until tick 5\n\
         Stack (most recent call last):\n\
         \x20 File \"farm.sk\", line 9, in farmer\n\
         \x20   carry(len(basket))\n\
         \x20     name = 'ada'\n\
         \x20     basket = ['{}...\n\
         \x20 File \"farm.sk\", line 5, in carry\n\
         \x20   sim.sleep(5)\n\
         \x20     load = 1\n",
        "x".repeat(78)
    );
    assert_eq!(stack.render(false), short);
    assert!(
        stack
            .render(true)
            .contains(&format!("['{}']", "x".repeat(100)))
    );
    assert!(skein_world::stack::tasklet_stack(&sim.world, 99).is_none());
}

#[test]
#[allow(deprecated)]
fn the_old_set_name_still_orders_systems() {
    use skein_world::SkeinSet;
    assert_eq!(SkeinSet::Run, SkeinSystems::Run);
    let mut sim = sim_with(10_000);
    sim.schedule
        .add_systems((|| {}).after(SkeinSet::Run).before(SkeinSystems::Persist));
    sim.load_main_source("m", "print('ok')\n")
        .expect("compiles");
    assert_eq!(run(&mut sim, 10).0, "ok\n");
}

/// The scheduler holds the tasklets of a channel exchange out of their
/// components during a tick (`held.rs`); a native must still find every
/// tasklet's state in the world, and after the tick the components hold
/// what the tasklets did.
#[test]
fn a_native_sees_held_tasklets_in_their_components() {
    let mut sim = sim_with(0);
    let peek = NativeKind::immediate(|cx, args, _| {
        let Some(Value::Tasklet(other)) = args.first() else {
            return Ok(Value::None);
        };
        let mut q = cx.world.query::<&TaskletState>();
        let states: Vec<_> = q
            .iter(cx.world)
            .map(|t| (t.id, t.name().map(str::to_string)))
            .collect();
        let named = |id: u64| states.iter().any(|(i, n)| *i == id && n.is_some());
        Ok(Value::Bool(named(*other) && named(cx.tasklet)))
    });
    sim.register_native("probe", "named", peek);
    let src = "import probe\nimport stackless\n\
ping = stackless.channel()\npong = stackless.channel()\n\
def a():\n    for i in range(3):\n        ping.send(i)\n        print('a got', pong.receive())\n\
def b():\n    for i in range(3):\n        v = ping.receive()\n        print('b sees a named', probe.named(ta))\n        pong.send(v * 10)\n\
ta = stackless.tasklet(a)()\nta.name = 'ta'\ntb = stackless.tasklet(b)()\ntb.name = 'tb'\n\
stackless.run()\nprint('end', ta.alive, tb.alive)\n";
    sim.load_main_source("game", src).expect("compiles");
    let (out, err) = run(&mut sim, 5);
    assert_eq!(err, "");
    assert_eq!(
        out,
        "b sees a named True\na got 0\nb sees a named True\na got 10\n\
b sees a named True\na got 20\nend False False\n"
    );
    let mut q = sim.world.query::<&TaskletState>();
    let mut names: Vec<_> = q
        .iter(&sim.world)
        .filter_map(|t| t.name().map(|n| (t.id, n.to_string(), t.alive)))
        .collect();
    names.sort();
    assert_eq!(names, [(4, "ta".into(), false), (5, "tb".into(), false)]);
}
