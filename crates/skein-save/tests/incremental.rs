//! Incremental autosaves (`full_every` above 1): every autosave of a chain,
//! full or delta, read back (its chain followed) is the world of its tick —
//! loaded and saved again it gives the bytes of a run stopped at that tick —
//! resuming the newest delta continues the run exactly, rotation keeps
//! every chain file the kept autosaves reach and no other, only changed
//! tasklets are written (and only their fibers held; of tasklets whose
//! registered components alone changed, only those components), and a chain
//! whose base is missing is refused by name.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};
use skein_save::autosave::{self, AutosaveOptions};
use skein_save::registry::SaveRegistry;
use skein_save::world_save::save_world;
use skein_save::{Encoding, read_file, to_bytes};
use skein_world::{Scheduler, Simulation, SkeinSystems, TaskletState, WorldOptions};

mod common;
use common::{
    assert_resumes, kept_files, resume_in, straight_save, tick_until_written, ticks,
    ticks_each_written,
};

/// Workers that change every tick beside sleepers and channel receivers
/// that stay unchanged for many ticks, a tasklet that ends, and one made
/// later: changes, creations and deletions between autosaves.
const SCRIPT: &str = "
import stackless
import sim
import random
def worker(i):
    n = 0
    mine = [i]
    while True:
        n += 1
        mine.append(random.randint(1, 6))
        if len(mine) > 4:
            mine = [i, sum(mine)]
        if n % 5 == i % 5:
            print(i, n, mine)
        stackless.schedule()
def sleeper(i):
    k = 0
    while True:
        sim.sleep(5 + 3 * i)
        k += 1
        print('sleeper', i, k)
ch = stackless.channel()
def waiter(i):
    got = []
    while True:
        got.append(ch.receive())
        print('waiter', i, 'got', got)
def brief(n):
    sim.sleep(n)
    print('brief', n, 'ends')
def sender():
    n = 0
    while True:
        sim.sleep(7)
        n += 1
        ch.send(n)
        stackless.tasklet(brief)(n)
for i in range(3):
    stackless.tasklet(worker)(i)
for i in range(6):
    stackless.tasklet(sleeper)(i)
for i in range(2):
    stackless.tasklet(waiter)(i)
stackless.tasklet(sender)()
";

/// A registered component the host changes while tasklets wait.
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Hp(u64);

/// Each tick, some tasklets get hurt (an `Hp` added or changed), some lose
/// their `Hp`: deltas carry these as patches of components only.
fn hurt(
    mut commands: Commands,
    sched: Res<Scheduler>,
    mut q: Query<(Entity, &TaskletState, Option<&mut Hp>)>,
) {
    for (e, t, hp) in &mut q {
        let k = t.id + sched.tick;
        match hp {
            Some(_) if k.is_multiple_of(11) => {
                commands.entity(e).remove::<Hp>();
            }
            Some(mut hp) if k.is_multiple_of(4) => hp.0 += 1,
            None if k.is_multiple_of(4) => {
                commands.entity(e).insert(Hp(1));
            }
            _ => {}
        }
    }
}

/// A fresh world, with the host's component registered and its system run
/// when `host`.
fn world(host: bool) -> Simulation {
    let mut sim = Simulation::new(WorldOptions {
        budget: 1000,
        seed: 11,
        ..WorldOptions::default()
    });
    skein_save::pickle::install(&mut sim.world);
    if host {
        let mut reg = SaveRegistry::default();
        reg.register_component::<Hp>("test.Hp");
        sim.world.insert_resource(reg);
        sim.schedule.add_systems(hurt.after(SkeinSystems::Run));
    }
    sim
}

fn sim() -> Simulation {
    let mut sim = world(false);
    sim.load_main_source("quiet", SCRIPT).expect("compiles");
    sim
}

fn host_sim() -> Simulation {
    let mut sim = world(true);
    sim.load_main_source("quiet", SCRIPT).expect("compiles");
    sim
}

fn scratch(tag: &str) -> PathBuf {
    common::scratch("incr", tag)
}

fn resume(path: &Path) -> Simulation {
    resume_in(world(false), path)
}

fn chained(path: &Path, every: u64, full_every: u64, keep: usize) -> AutosaveOptions {
    let mut o = AutosaveOptions::new(every, path);
    o.full_every = full_every;
    o.keep = keep;
    o
}

fn chain_files(path: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(autosave::files::chain_dir(path))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Every kept autosave, read through its chain, loaded and saved again, is
/// byte for byte the save of a run stopped at its tick.
fn check_every_kept_autosave(encoding: Encoding, name: &str, host: bool) {
    let make: fn() -> Simulation = if host { host_sim } else { sim };
    let dir = scratch(name);
    let path = dir.join(name);
    let mut s = make();
    let mut opts = chained(&path, 2, 4, 100);
    opts.encoding = encoding;
    // Ticks run between each snapshot and its encoding.
    opts.before_write = Some(Arc::new(|_| std::thread::sleep(Duration::from_millis(5))));
    autosave::enable(&mut s, opts);
    tick_until_written(&mut s, 9);
    let stats = autosave::finish(&mut s.world).expect("installed");
    assert_eq!(stats.failed, 0);
    let deltas: Vec<u64> = stats.sizes.iter().filter(|s| s.1).map(|s| s.0).collect();
    let fulls: Vec<u64> = stats.sizes.iter().filter(|s| !s.1).map(|s| s.0).collect();
    assert!(deltas.len() >= 5 && fulls.len() >= 2, "{stats:?}");
    let mut seen = Vec::new();
    for f in &kept_files(&path, stats.written) {
        let mut r = resume_in(world(host), f);
        let tick = r.world.resource::<Scheduler>().tick;
        let again = to_bytes(&save_world(&r.world).expect("saves"), Encoding::Binary);
        assert!(
            again.expect("encodes") == straight_save(make, tick, Encoding::Binary),
            "{} (tick {tick}) differs from a run stopped at that tick",
            f.display()
        );
        // And it runs on like the straight run.
        let mut straight = make();
        ticks(&mut straight, tick);
        assert_eq!(ticks(&mut r, 9), ticks(&mut straight, 9), "{}", f.display());
        seen.push(tick);
    }
    seen.reverse();
    assert_eq!(seen, stats.written_ticks);
    if host {
        let patched = chain_files(&path).iter().any(|f| {
            let bytes = std::fs::read(f).expect("chain file");
            skein_save::delta::is_delta(&bytes)
                && !(skein_save::delta::delta_from_bytes(&bytes).expect("a delta"))
                    .body
                    .patches
                    .is_empty()
        });
        assert!(patched, "some delta patches components only");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_autosave_of_a_binary_chain_is_the_world_of_its_tick() {
    check_every_kept_autosave(Encoding::Binary, "auto.bin", false);
}

#[test]
fn host_components_changed_while_tasklets_wait_go_in_patches() {
    check_every_kept_autosave(Encoding::Binary, "host.bin", true);
}

#[test]
fn every_autosave_of_a_ron_chain_is_the_world_of_its_tick() {
    check_every_kept_autosave(Encoding::Compact, "auto.ron", true);
}

#[test]
fn resuming_the_newest_delta_continues_the_run_exactly() {
    const N: u64 = 60;
    let whole = ticks(&mut sim(), N);
    let dir = scratch("promise");
    // Autosaves at 3 (full), 6, 9 (deltas), 12 (full), 15, 18 (deltas):
    // each write finishes before the next is due.
    for k in [9, 18] {
        let path = dir.join(format!("k{k}.bin"));
        let mut s = sim();
        autosave::enable(&mut s, chained(&path, 3, 3, 3));
        let first = ticks_each_written(&mut s, k);
        let stats = autosave::finish(&mut s.world).expect("installed");
        let kinds: Vec<bool> = stats.sizes.iter().map(|s| s.1).collect();
        assert_eq!(stats.written_ticks.last(), Some(&k));
        assert_eq!(kinds.last(), Some(&true), "the newest is a delta");
        assert_resumes(world(false), &path, &first, &whole, N);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rotation_keeps_exactly_the_chain_files_the_kept_autosaves_reach() {
    let dir = scratch("rotate");
    let path = dir.join("a.bin");
    let mut s = sim();
    autosave::enable(&mut s, chained(&path, 1, 3, 2));
    ticks_each_written(&mut s, 10);
    let stats = autosave::finish(&mut s.world).expect("installed");
    assert_eq!(stats.written, 10);
    // Written: 1 F, 2 D, 3 D, 4 F, 5 D, 6 D, 7 F, 8 D, 9 D, 10 F. Kept: 9
    // and 10; 9 reaches back to 7.
    let kinds: String = stats
        .sizes
        .iter()
        .map(|s| if s.1 { 'D' } else { 'F' })
        .collect();
    assert_eq!(kinds, "FDDFDDFDDF");
    assert_eq!(chain_files(&path).len(), 4, "{:?}", chain_files(&path));
    assert_eq!(resume(&path).world.resource::<Scheduler>().tick, 10);
    let one = autosave::files::rotated(&path, 1);
    assert_eq!(resume(&one).world.resource::<Scheduler>().tick, 9);
    assert!(!autosave::files::rotated(&path, 2).exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_delta_writes_only_what_changed() {
    let dir = scratch("small");
    let path = dir.join("a.bin");
    let mut s = sim();
    autosave::enable(&mut s, chained(&path, 1, 100, 3));
    ticks_each_written(&mut s, 12);
    let stats = autosave::finish(&mut s.world).expect("installed");
    let full = stats.sizes[0];
    assert!(!full.1);
    // From tick 2 on, every tick changes the three workers, the sender
    // some ticks, a sleeper or waiter now and then: a delta is a fraction.
    for (i, (bytes, delta)) in stats.sizes.iter().enumerate().skip(2) {
        assert!(delta, "autosave {i} is a delta");
        assert!(bytes * 2 < full.0, "delta {i}: {bytes} bytes of {}", full.0);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_chain_whose_base_is_missing_is_refused_by_name() {
    let dir = scratch("missing");
    let path = dir.join("a.bin");
    let mut s = sim();
    autosave::enable(&mut s, chained(&path, 1, 10, 1));
    ticks_each_written(&mut s, 3);
    autosave::finish(&mut s.world);
    let files = chain_files(&path);
    assert_eq!(files.len(), 3);
    // The full save of tick 1 goes: every delta after it loses its base.
    let full = files
        .iter()
        .find(|f| !skein_save::delta::is_delta(&std::fs::read(f).expect("chain file")))
        .expect("the full save");
    std::fs::remove_file(full).expect("removes");
    let err = read_file(&path).expect_err("refused").to_string();
    assert!(err.contains("is missing"), "{err}");
    let name = full
        .file_stem()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(err.contains(&name), "{err} names {name}");
    let _ = std::fs::remove_dir_all(&dir);
}
