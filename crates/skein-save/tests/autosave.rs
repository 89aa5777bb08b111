//! Autosave through the Rust API: each autosave is exactly one tick
//! boundary whatever runs while it is written (and whatever an autosave kept
//! from the one before because it had not changed), resuming one continues the
//! run exactly, a write still going makes the next due autosave skipped (not
//! queued), a failing write is counted and the world goes on, and fibers are
//! copied only while a snapshot holds them.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use skein_save::autosave::{self, AutosaveOptions};
use skein_save::snapshot::Snapshot;
use skein_save::{Encoding, read_file};
use skein_world::{Scheduler, Simulation, WorldOptions};

mod common;
use common::{
    assert_resumes, kept_files, straight_save, tick_until_written, ticks, ticks_each_written,
};

/// Every tasklet changes its locals, a shared list and the generator every
/// tick, and prints now and then.
const SCRIPT: &str = "
import stackless
import random
counts = []
def worker(i):
    n = 0
    mine = [i]
    while True:
        n += 1
        counts[i] = n
        mine.append(random.randint(1, 6))
        if len(mine) > 4:
            mine = [i, sum(mine)]
        if n % 7 == i % 7:
            print(i, n, mine)
        stackless.schedule()
for i in range(12):
    counts.append(0)
    stackless.tasklet(worker)(i)
";

/// Beside the churn, tasklets that stay unchanged for many ticks and then
/// change: sleepers, and receivers that a sender wakes now and then.
const QUIET: &str = "
import sim
def sleeper(i):
    k = 0
    while True:
        sim.sleep(4 + i)
        k += 1
        print('sleeper', i, k)
ch = stackless.channel()
def waiter(i):
    got = []
    while True:
        got.append(ch.receive())
        print('waiter', i, 'got', got)
def sender():
    n = 0
    while True:
        sim.sleep(7)
        n += 1
        ch.send(n)
for i in range(4):
    stackless.tasklet(sleeper)(i)
for i in range(2):
    stackless.tasklet(waiter)(i)
stackless.tasklet(sender)()
";

fn sim() -> Simulation {
    sim_of(SCRIPT)
}

fn sim_of(source: &str) -> Simulation {
    let mut sim = Simulation::new(WorldOptions {
        budget: 1000,
        seed: 7,
        ..WorldOptions::default()
    });
    skein_save::pickle::install(&mut sim.world);
    sim.load_main_source("churn", source).expect("compiles");
    sim
}

fn mixed() -> Simulation {
    sim_of(&format!("{SCRIPT}{QUIET}"))
}

fn scratch(tag: &str) -> PathBuf {
    common::scratch("autosave", tag)
}

/// An empty world to resume an autosave in.
fn fresh() -> Simulation {
    let mut s = Simulation::new(WorldOptions::default());
    skein_save::pickle::install(&mut s.world);
    s
}

/// A hook that holds up the write of tick `tick` until the test lets it go.
fn hold_at(tick: u64) -> (autosave::WriteHook, std::sync::mpsc::Sender<()>) {
    let (tx, rx) = channel::<()>();
    let rx: Arc<Mutex<Receiver<()>>> = Arc::new(Mutex::new(rx));
    let hook: autosave::WriteHook = Arc::new(move |t| {
        if t == tick {
            let _ = rx.lock().expect("hook lock").recv();
        }
    });
    (hook, tx)
}

#[test]
fn each_autosave_is_one_tick_boundary_whatever_runs_during_the_write() {
    let dir = scratch("boundary");
    let path = dir.join("auto.bin");
    let mut s = mixed();
    let mut opts = AutosaveOptions::new(3, &path);
    opts.keep = 100;
    // Every write waits a little, so ticks run (and change every tasklet)
    // between the snapshot and its encoding.
    opts.before_write = Some(Arc::new(|_| std::thread::sleep(Duration::from_millis(15))));
    autosave::enable(&mut s, opts);
    let n = tick_until_written(&mut s, 3);
    let stats = autosave::finish(&mut s.world).expect("installed");
    assert!(stats.written >= 3, "{stats:?}");
    assert!(
        stats.skipped > 0,
        "ticks ran while a write was going: {stats:?}"
    );
    assert_eq!(stats.failed, 0);
    assert_eq!(stats.written + stats.skipped, n / 3, "{stats:?}");
    let mut seen = Vec::new();
    for f in &kept_files(&path, stats.written) {
        let bytes = std::fs::read(f).expect("autosave file");
        let tick = read_file(f).expect("reads").header.tick;
        assert_eq!(tick % 3, 0);
        assert!(
            bytes == straight_save(mixed, tick, Encoding::Binary),
            "{} (tick {tick}) differs from a run stopped at that tick",
            f.display()
        );
        seen.push(tick);
    }
    seen.reverse();
    assert_eq!(seen, stats.written_ticks);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn resuming_an_autosave_continues_the_run_exactly() {
    const N: u64 = 40;
    let whole = ticks(&mut sim(), N);
    let dir = scratch("promise");
    for k in [1, 6, 13, 39] {
        let path = dir.join(format!("k{k}.ron"));
        let mut s = sim();
        autosave::enable(&mut s, AutosaveOptions::new(k, &path));
        let first = ticks(&mut s, k);
        let stats = autosave::finish(&mut s.world).expect("installed");
        assert_eq!((stats.written, stats.written_ticks.clone()), (1, vec![k]));
        assert_resumes(fresh(), &path, &first, &whole, N);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_write_still_going_makes_the_next_ones_skipped_not_queued() {
    let dir = scratch("skip");
    let path = dir.join("auto.ron");
    let mut s = sim();
    let (hook, release) = hold_at(1);
    let mut opts = AutosaveOptions::new(1, &path);
    opts.before_write = Some(hook);
    autosave::enable(&mut s, opts);
    ticks(&mut s, 4);
    // Ticks 2, 3 and 4 were due while tick 1's write was held up.
    let held = s.world.resource::<autosave::Autosave>().stats().clone();
    assert_eq!((held.written, held.skipped), (0, 3));
    release.send(()).expect("hook waits");
    let stats = autosave::finish(&mut s.world).expect("installed");
    assert_eq!((stats.written, stats.skipped), (1, 3));
    ticks(&mut s, 1);
    let stats = autosave::finish(&mut s.world).expect("installed");
    assert_eq!(stats.written_ticks, vec![1, 5]);
    assert_eq!(stats.pauses.len(), 2);
    assert_eq!(read_file(&path).expect("reads").header.tick, 5);
    assert_eq!(
        read_file(&autosave::files::rotated(&path, 1))
            .expect("reads")
            .header
            .tick,
        1
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failing_write_is_reported_and_the_world_goes_on() {
    let dir = scratch("fail");
    let plain = dir.join("not-a-folder");
    std::fs::write(&plain, "x").expect("file");
    let mut s = sim();
    autosave::enable(&mut s, AutosaveOptions::new(2, plain.join("auto.bin")));
    let out = ticks_each_written(&mut s, 10);
    let stats = autosave::finish(&mut s.world).expect("installed");
    assert_eq!((stats.written, stats.skipped, stats.failed), (0, 0, 5));
    let failures = autosave::take_failures(&mut s.world);
    let at: Vec<u64> = failures.iter().map(|f| f.tick).collect();
    assert_eq!(at, [2, 4, 6, 8, 10]);
    assert!(failures[0].error.to_string().contains("not-a-folder"));
    assert_eq!(out, ticks(&mut sim(), 10));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fibers_are_copied_only_while_a_snapshot_holds_them() {
    let dir = scratch("cow");
    let path = dir.join("auto.bin");
    let mut s = sim();
    ticks(&mut s, 2);
    let (hook, release) = hold_at(3);
    let mut opts = AutosaveOptions::new(3, &path);
    opts.before_write = Some(hook);
    autosave::enable(&mut s, opts);
    let copies = |s: &Simulation| s.world.resource::<Scheduler>().copies.count;
    ticks(&mut s, 1);
    assert_eq!(copies(&s), 0, "nothing copied before anything runs");
    ticks(&mut s, 1);
    // Main has ended; each of the 12 workers ran once and copied its fiber.
    assert_eq!(copies(&s), 12);
    ticks(&mut s, 1);
    assert_eq!(copies(&s), 12, "a fiber is copied once per snapshot");
    release.send(()).expect("hook waits");
    autosave::finish(&mut s.world);
    // Tick 5: no autosave holds anything any more (the next is due at 6).
    ticks(&mut s, 1);
    assert_eq!(copies(&s), 12, "no copies once the write let go");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Before it encodes, the writer copies the fibers of the tasklets due to
/// run soonest itself, off the tick loop: they then run without copying
/// theirs, and the file is the same bytes.
#[test]
fn the_writer_copies_the_fibers_due_soonest_itself() {
    let mut s = sim();
    ticks(&mut s, 2);
    let copies = |s: &Simulation| s.world.resource::<Scheduler>().copies.count;
    let mut snap = Snapshot::retake(&mut s.world, None).expect("snapshot");
    let tick = snap.tick();
    assert_eq!(snap.own_fibers_due(1), 12, "the 12 workers in the run ring");
    assert_eq!(
        snap.own_fibers_due(1),
        0,
        "a copied fiber is the snapshot's alone"
    );
    ticks(&mut s, 1);
    assert_eq!(
        copies(&s),
        0,
        "the workers ran without copying their fibers"
    );
    let bytes = snap.encode(Encoding::Binary).expect("encodes");
    assert!(bytes == straight_save(sim, tick, Encoding::Binary));
}

/// Tasklets blocked on a channel through a whole autosave keep their fibers
/// held by the snapshot kept for the next retake; woken later, each copies
/// its fiber once, and those copies count in that autosave's pause.
#[test]
fn blocked_tasklets_keep_their_fibers_and_copy_once_when_woken() {
    const WAKE: &str = "
import stackless
import sim
ch = stackless.channel()
def waiter(i):
    got = ch.receive()
    print('waiter', i, 'got', got)
for i in range(5):
    stackless.tasklet(waiter)(i)
def sender():
    sim.sleep(8)
    for n in range(5):
        ch.send(n)
stackless.tasklet(sender)()
";
    let dir = scratch("kept");
    let path = dir.join("auto.bin");
    let mut s = sim_of(WAKE);
    autosave::enable(&mut s, AutosaveOptions::new(2, &path));
    let copies = |s: &Simulation| s.world.resource::<Scheduler>().copies.count;
    // Autosaves at 2, 4 and 6 (each waited for): the waiters stay blocked.
    for _ in 0..3 {
        ticks(&mut s, 2);
        autosave::finish(&mut s.world);
    }
    assert_eq!(copies(&s), 0, "nothing copied while the waiters wait");
    let out = ticks(&mut s, 6);
    assert!(out.contains("waiter 4 got 4"), "{out}");
    // Each waiter once; the sender (asleep, so let go once written) only if
    // it ran while a write still held it.
    assert!((5..=6).contains(&copies(&s)), "{}", copies(&s));
    let stats = autosave::finish(&mut s.world).expect("installed");
    assert_eq!(stats.failed, 0);
    assert_eq!(stats.pauses.len() as u64, stats.written);
    for f in &kept_files(&path, 1) {
        let tick = read_file(f).expect("reads").header.tick;
        let bytes = std::fs::read(f).expect("autosave file");
        assert!(bytes == straight_save(|| sim_of(WAKE), tick, Encoding::Binary));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
