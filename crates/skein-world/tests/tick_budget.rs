//! `tick_budget` (the CLI's `--tick-budget`): a bound on the instructions of
//! a whole tick ends the tick at the next switch without reordering the
//! ring, and runs stay deterministic.

use skein_world::{Simulation, WorldOptions};

/// Four workers that each do some arithmetic, say so, and yield, six times;
/// main waits for them to finish. Each step costs ~130 instructions, so four
/// of them overrun every bound tried below. The lines name no tick, so a run cut into
/// more ticks prints the same lines if and only if the order is kept.
const WORKERS: &str = "import stackless
def work(name, n):
    for step in range(6):
        total = 0
        for i in range(n):
            total = total + i
        print(name, step, total)
        stackless.schedule()
for name in ['ada', 'bo', 'cy', 'di']:
    stackless.tasklet(work)(name, 60 + len(name))
stackless.run()
print('main done')
";

/// Runs `WORKERS` to idle: its output, ticks taken, and each tick's lines.
fn run(tick_budget: u64) -> (String, u64, Vec<usize>) {
    let mut sim = Simulation::new(WorldOptions {
        tick_budget,
        ..WorldOptions::default()
    });
    sim.load_main_source("workers", WORKERS).expect("compiles");
    let mut out = String::new();
    let mut per_tick = Vec::new();
    let mut ticks = 0;
    while !sim.is_idle() && ticks < 1000 {
        sim.tick();
        ticks += 1;
        let (o, e) = sim.take_output();
        assert_eq!(e, "", "no errors");
        per_tick.push(o.lines().count());
        out.push_str(&o);
    }
    (out, ticks, per_tick)
}

#[test]
fn a_tick_budget_cuts_ticks_without_reordering_the_ring() {
    let (free, free_ticks, free_lines) = run(0);
    assert!(free.ends_with("main done\n"), "{free}");
    assert_eq!(free.lines().count(), 25);
    // Without a bound, every worker runs one step per tick.
    assert!(free_lines.iter().take(6).all(|&n| n == 4), "{free_lines:?}");
    for bound in [1, 150, 400] {
        let (cut, cut_ticks, cut_lines) = run(bound);
        assert_eq!(
            cut, free,
            "tick budget {bound}: same lines in the same order"
        );
        assert!(
            cut_ticks > free_ticks,
            "tick budget {bound}: {cut_ticks} ticks, unbounded {free_ticks}"
        );
        assert!(cut_lines.iter().all(|&n| n < 4), "{bound}: {cut_lines:?}");
    }
    // The smallest bound lets exactly one tasklet run per tick.
    let (_, _, one) = run(1);
    assert!(one.iter().all(|&n| n <= 1), "{one:?}");
}

#[test]
fn runs_under_a_tick_budget_are_deterministic() {
    let a = run(150);
    let b = run(150);
    assert_eq!(a, b);
}

/// Twenty tasklets that each print and yield: a turn of a handful of
/// instructions, after main spent its own turn creating them.
const SHORT_TURNS: &str = "import stackless
def tick_over(name):
    for step in range(3):
        print(name, step)
        stackless.schedule()
for k in range(20):
    stackless.tasklet(tick_over)(k)
";

/// Each tick's output lines for `SHORT_TURNS` under `tick_budget`.
fn short_turns(tick_budget: u64) -> Vec<usize> {
    let mut sim = Simulation::new(WorldOptions {
        tick_budget,
        ..WorldOptions::default()
    });
    sim.load_main_source("short", SHORT_TURNS)
        .expect("compiles");
    let mut per_tick = Vec::new();
    while !sim.is_idle() && per_tick.len() < 1000 {
        sim.tick();
        let (o, e) = sim.take_output();
        assert_eq!(e, "", "no errors");
        per_tick.push(o.lines().count());
    }
    per_tick
}

#[test]
fn turns_and_spawns_count_toward_the_tick_budget() {
    use skein_world::tick::{SPAWN_INSTRUCTIONS, TURN_INSTRUCTIONS};
    // Unbounded: all twenty run in main's tick, then one step each per
    // tick, and a last tick in which their loops end.
    assert_eq!(short_turns(0), vec![20, 20, 20, 0]);
    // Main's turn created twenty tasklets: their cost alone spends this
    // bound, so none of them runs in tick 0.
    let bound = 20 * SPAWN_INSTRUCTIONS;
    let cut = short_turns(bound);
    assert_eq!(cut[0], 0, "{cut:?}");
    // Afterwards each turn of a few instructions counts as a whole turn,
    // so a tick holds bound / TURN_INSTRUCTIONS turns, rounded up.
    let per_tick = bound.div_ceil(TURN_INSTRUCTIONS) as usize;
    assert!(cut[1..].iter().all(|&n| n <= per_tick), "{cut:?}");
    assert_eq!(cut.iter().sum::<usize>(), 60, "{cut:?}");
}
