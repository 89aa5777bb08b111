//! Scripts that try to exhaust the host: an endless loop is preempted and
//! the world goes on, deep recursion is a `RecursionError`, giant values are
//! a `MemoryError` under the configured limits, an uncaught error ends only
//! its own tasklet, and none of it grows the host's memory without bound.

use skein_vm::Limits;
use skein_world::{Simulation, WorldOptions};

use crate::{rss_bytes, sim_with};

/// A world with a small size limit, so giant values fail fast.
fn sim() -> Simulation {
    sim_with(WorldOptions {
        budget: 20_000,
        limits: Limits {
            frame_limit: 200,
            size_limit: 1 << 16,
        },
        ..WorldOptions::default()
    })
}

/// Runs `src` for `ticks` ticks; (stdout, stderr).
fn run(src: &str, ticks: u64) -> (String, String) {
    let mut s = sim();
    s.load_main_source("t", src).expect("compiles");
    let (mut out, mut err) = (String::new(), String::new());
    for _ in 0..ticks {
        s.tick();
        let (o, e) = s.take_output();
        out.push_str(&o);
        err.push_str(&e);
    }
    (out, err)
}

/// A tasklet that prints one line a tick for `n` ticks, run beside `bad`.
fn beside(bad: &str) -> String {
    format!(
        "import stackless
import sim
def talker():
    for i in range(6):
        print('tick', i)
        sim.sleep(1)
{bad}
stackless.tasklet(talker)()
stackless.tasklet(bad)()
"
    )
}

fn talker_finished(out: &str) {
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("tick ")).collect();
    assert_eq!(
        lines,
        ["tick 0", "tick 1", "tick 2", "tick 3", "tick 4", "tick 5"],
        "{out}"
    );
}

const ENDLESS: &str = "def bad():
    n = 0
    while True:
        n += 1
";

const RECURSE: &str = "def f(n):
    return f(n + 1) + 1
def bad():
    try:
        f(0)
    except RecursionError as e:
        print('caught RecursionError', e)
    f(0)
";

const GIANT: &str = "def make(k):
    if k == 0:
        return [0] * 10**9
    if k == 1:
        return 'ab' * 10**9
    if k == 2:
        return {i: i for i in range(10**7)}
    if k == 3:
        return list(range(10**8))
    return 'x' * 100 + 'y' * 10**9
def bad():
    for k in range(5):
        try:
            make(k)
            print('made it')
        except MemoryError as e:
            print('MemoryError', e)
    xs = [1]
    while True:
        xs = xs + xs
";

const UNCAUGHT: &str = "def bad():
    print('about to fail')
    raise ValueError('boom')
";

#[test]
fn an_endless_loop_is_preempted_and_the_world_goes_on() {
    let (out, err) = run(&beside(ENDLESS), 12);
    talker_finished(&out);
    assert_eq!(err, "");
}

#[test]
fn deep_recursion_is_a_recursion_error() {
    let (out, err) = run(&beside(RECURSE), 12);
    talker_finished(&out);
    assert!(
        out.contains("caught RecursionError maximum recursion depth exceeded"),
        "{out}"
    );
    assert!(
        err.contains("RecursionError: maximum recursion depth exceeded"),
        "{err}"
    );
}

#[test]
fn giant_values_are_memory_errors() {
    let (out, err) = run(&beside(GIANT), 60);
    talker_finished(&out);
    let errors = out.lines().filter(|l| l.starts_with("MemoryError")).count();
    assert_eq!(errors, 5, "{out}");
    assert!(!out.contains("made it"), "{out}");
    assert!(
        err.contains("MemoryError"),
        "the doubling list ends in an uncaught MemoryError: {err}"
    );
}

#[test]
fn an_uncaught_error_ends_only_its_tasklet() {
    let (out, err) = run(&beside(UNCAUGHT), 12);
    talker_finished(&out);
    assert!(out.contains("about to fail"), "{out}");
    assert!(err.contains("ValueError: boom"), "{err}");
}

/// All of the above, many times over: memory stays flat (generous bounds —
/// the allocator keeps freed pages, but nothing may grow per run).
#[test]
fn hostile_scripts_do_not_grow_host_memory() {
    let scripts = [ENDLESS, RECURSE, GIANT, UNCAUGHT].map(beside);
    // One round first, so the allocator's steady state is the baseline.
    for s in &scripts {
        run(s, 10);
    }
    let base = rss_bytes();
    for _ in 0..3 {
        for s in &scripts {
            run(s, 10);
        }
    }
    let grown = rss_bytes().saturating_sub(base);
    assert!(grown < 64 << 20, "RSS grew {grown} bytes over 3 rounds");
}
