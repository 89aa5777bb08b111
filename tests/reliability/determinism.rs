//! Determinism under stress: one run saved and resumed 50 times at random
//! (seeded) ticks, alternating the three encodings, prints exactly what the
//! uninterrupted run prints.

use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_world::{Simulation, WorldOptions};

use crate::{below, rng, sim_with};

/// Producers and consumers on channels of both preferences, random numbers
/// from the world's generator, sleepers, a try/finally, a
/// budget small enough that loops are cut mid-way, and an error per round.
const SCRIPT: &str = "
import stackless
import random
import sim

def producer(ch, name, n):
    for x in [i * i for i in range(n)]:
        ch.send((name, x, random.randint(0, 99)))
        if random.random() < 0.3:
            sim.sleep(random.randint(1, 3))
    ch.send((name, None, 0))

def consumer(ch, count):
    seen = {}
    try:
        while count > 0:
            name, x, r = ch.receive()
            if x is None:
                count -= 1
                continue
            seen[name] = seen.get(name, 0) + x + r
            print(sim.tick(), name, x, r, sorted(seen.items()))
    finally:
        print('consumer done', sorted(seen.items()))

def busy(k):
    total = 0
    for i in range(k):
        total += i % 7
        if i % 97 == 0:
            stackless.schedule()
    print('busy', k, total)
    raise KeyError(k)

a = stackless.channel()
a.preference = 1
b = stackless.channel()
stackless.tasklet(consumer)(a, 3)
stackless.tasklet(consumer)(b, 2)
for i in range(3):
    stackless.tasklet(producer)(a, 'p' + str(i), 25 + i)
for i in range(2):
    stackless.tasklet(producer)(b, 'q' + str(i), 30)
for k in (500, 2000, 4000):
    stackless.tasklet(busy)(k)
";

const MAX_TICKS: u64 = 1_000;

fn sim() -> Simulation {
    sim_with(WorldOptions {
        budget: 300,
        seed: 42,
        ..WorldOptions::default()
    })
}

fn tick(s: &mut Simulation, out: &mut String) {
    s.tick();
    let (o, e) = s.take_output();
    out.push_str(&o);
    out.push_str(&e);
}

#[test]
fn fifty_save_and_resume_cycles_print_what_one_run_prints() {
    let mut s = sim();
    s.load_main_source("stress", SCRIPT).expect("compiles");
    let mut straight = String::new();
    let mut ticks = 0;
    while ticks < MAX_TICKS && !s.is_idle() {
        tick(&mut s, &mut straight);
        ticks += 1;
    }
    assert!(s.is_idle(), "the script ends");
    assert!(
        ticks >= 60,
        "only {ticks} ticks: too short to stop 50 times"
    );

    // 50 distinct stopping ticks, seeded.
    let mut rng = rng(2026);
    let mut stops = std::collections::BTreeSet::new();
    while stops.len() < 50 {
        stops.insert(1 + below(&mut rng, ticks - 1));
    }
    let mut s = sim();
    s.load_main_source("stress", SCRIPT).expect("compiles");
    let mut resumed = String::new();
    let mut n = 0;
    let encodings = [Encoding::Pretty, Encoding::Compact, Encoding::Binary];
    while n < MAX_TICKS && !s.is_idle() {
        tick(&mut s, &mut resumed);
        n += 1;
        if stops.contains(&n) {
            let enc = encodings[(n % 3) as usize];
            let bytes = to_bytes(&save_world(&s.world).expect("saves"), enc).expect("encodes");
            s = sim();
            let save = from_bytes(&bytes).expect("reads");
            load_world(&mut s.world, &save, CodePolicy::Saved)
                .unwrap_or_else(|e| panic!("load at tick {n}: {e}"));
        }
    }
    assert_eq!(n, ticks);
    if resumed != straight {
        let at = straight
            .lines()
            .zip(resumed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "differs at line {}: {:?} vs {:?}",
            at + 1,
            straight.lines().nth(at),
            resumed.lines().nth(at)
        );
    }
}
