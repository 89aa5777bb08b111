//! Positional natives and the quick call of native module functions: a
//! call `m.f(args)` on the module, the same function called as a value
//! (by name), with keywords, and `random` through both ways, all behave
//! alike.

use skein_vm::Value;
use skein_world::{NativeKind, Scheduler, Simulation, WorldOptions};

fn sim() -> Simulation {
    let mut sim = Simulation::new(WorldOptions::default());
    sim.register_native(
        "calc",
        "add",
        NativeKind::positional(|_cx, args| match args {
            [Value::Int(a), Value::Int(b)] => Ok(Value::Int(*a + *b)),
            _ => Err(skein_vm::errors::type_error("calc.add() takes 2 ints")),
        }),
    );
    // The tick's scheduler is reachable through the context.
    sim.register_native(
        "calc",
        "tick",
        NativeKind::positional(|cx, _args| Ok(Value::Int(cx.scheduler().tick as i64))),
    );
    sim
}

fn run(src: &str) -> (String, String) {
    let mut sim = sim();
    sim.load_main_source("game", src).expect("compiles");
    sim.run_until_idle(20);
    sim.take_output()
}

#[test]
fn a_quick_call_and_a_call_by_name_agree() {
    let src = "import calc\nimport sim\n\
f = calc.add\n\
print(calc.add(2, 3), f(2, 3))\n\
print(calc.tick() == sim.tick(), calc.tick())\n\
sim.sleep(2)\n\
print(calc.tick() == sim.tick(), calc.tick())\n\
try:\n    calc.add(1, 'x')\nexcept TypeError as e:\n    print('quick', e)\n\
try:\n    f(1, 'x')\nexcept TypeError as e:\n    print('by name', e)\n";
    let (out, err) = run(src);
    assert_eq!(err, "");
    assert_eq!(
        out,
        "5 5\nTrue 0\nTrue 2\nquick calc.add() takes 2 ints\nby name calc.add() takes 2 ints\n"
    );
}

#[test]
fn a_positional_native_refuses_keywords() {
    let src = "import calc\n\
try:\n    calc.add(1, b=2)\nexcept TypeError as e:\n    print(e)\n";
    let (out, err) = run(src);
    assert_eq!(err, "");
    assert_eq!(out, "calc.add() got an unexpected keyword argument 'b'\n");
}

#[test]
fn random_draws_the_same_through_both_ways() {
    let quick = "import random\nprint([random.randint(1, 100) for i in range(5)])\n";
    let by_name = "import random\nr = random.randint\nprint([r(1, 100) for i in range(5)])\n";
    assert_eq!(run(quick), run(by_name));
}

#[test]
fn the_scheduler_is_back_in_the_world_after_the_tick() {
    let mut sim = sim();
    sim.load_main_source("game", "import calc\nprint(calc.tick())\n")
        .expect("compiles");
    sim.tick();
    assert_eq!(sim.world.resource::<Scheduler>().tick, 1);
    assert_eq!(sim.take_output().0, "0\n");
}
