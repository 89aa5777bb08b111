//! A shard's world saved mid-run, with tasklets blocked on other shards'
//! channels and other shards' tasklets queued on its own, loads into a
//! fresh world and goes on: every shard's output equals an uninterrupted
//! run's. Saved in RON and in the binary encoding, at every tick of the
//! run's first part; a hostile shard record is refused with its field path.

use std::path::Path;

use skein_cluster::memory::memory_cluster;
use skein_cluster::shard::{ShardOptions, ShardRunner};
use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_world::shard::ShardLink;
use skein_world::{Simulation, WorldOptions};

// Not every helper is used here.
#[allow(dead_code)]
mod common;
use common::{
    builder, collect_into, each_edit_refused, root, saved_text, shard_0_after_one_tick,
    uninterrupted,
};

const END: u64 = 1000;

/// What a save of a shard held of the cluster.
#[derive(Default, Clone, Copy)]
struct Seen {
    /// Tasklets of other shards queued in this shard's channels.
    remote_waiters: usize,
    /// Tasklets of this shard blocked on other shards' channels.
    blocked_remote: usize,
}

fn blocked_remote(sim: &Simulation) -> usize {
    let link = sim.world.resource::<ShardLink>();
    let (k, n) = skein_world::shard::shard_of(&sim.world);
    let mut count = 0;
    let sched = sim.world.resource::<skein_world::Scheduler>();
    for id in 1..sched.ring.next_id() {
        let Some(e) = sched.ring.entity(id) else {
            continue;
        };
        if let Some(t) = sim.world.get::<skein_world::TaskletState>(e)
            && let skein_world::components::Wait::Channel { channel, .. } = t.wait
            && (channel - 1) % n != k
        {
            count += 1;
        }
    }
    let _ = link;
    count
}

/// Runs `script` over `n` shards to tick `at`, saves every shard in
/// `enc`, loads each save into a fresh world and runs on to the end.
/// Returns each shard's whole output and what the saves held.
fn interrupted(script: &Path, n: u32, at: u64, enc: Encoding) -> (Vec<String>, Seen) {
    let first = memory_cluster(n);
    let second = memory_cluster(n);
    let handles: Vec<_> = first
        .into_iter()
        .zip(second)
        .enumerate()
        .map(|(k, (t1, t2))| {
            let build = builder(script.to_path_buf());
            std::thread::spawn(move || {
                let options = WorldOptions {
                    shard: k as u64,
                    shards: n as u64,
                    ..WorldOptions::default()
                };
                let sim = build(options).expect("builds");
                let opts = |ticks| ShardOptions {
                    shard: k as u32,
                    shards: n,
                    ticks: Some(ticks),
                };
                let mut out = String::new();
                let mut runner = ShardRunner::new(sim, t1, opts(at));
                runner
                    .run(&mut collect_into(&mut out))
                    .expect("first part runs");
                let (sim, _) = runner.into_parts();
                let seen = Seen {
                    remote_waiters: sim.world.resource::<ShardLink>().remote.waiters.len(),
                    blocked_remote: blocked_remote(&sim),
                };
                let bytes =
                    to_bytes(&save_world(&sim.world).expect("saves"), enc).expect("encodes");
                drop(sim);
                if std::env::var_os("SKEIN_DUMP").is_some() {
                    std::fs::write(format!("/tmp/cl/shard-{k}-{at}.txt"), &bytes).ok();
                }
                let save = from_bytes(&bytes).expect("reads");
                let mut fresh = Simulation::new(WorldOptions::default());
                load_world(&mut fresh.world, &save, CodePolicy::Saved).expect("loads");
                // Saved again, the loaded world gives the same bytes.
                let again =
                    to_bytes(&save_world(&fresh.world).expect("saves"), enc).expect("encodes");
                assert_eq!(
                    again, bytes,
                    "shard {k} at tick {at}: a loaded save saves the same"
                );
                let mut runner = ShardRunner::new(fresh, t2, opts(END));
                runner
                    .run(&mut collect_into(&mut out))
                    .expect("second part runs");
                (out, seen)
            })
        })
        .collect();
    let mut outs = Vec::new();
    let mut seen = Seen::default();
    for h in handles {
        let (out, s) = h.join().expect("shard thread");
        outs.push(out);
        seen.remote_waiters += s.remote_waiters;
        seen.blocked_remote += s.blocked_remote;
    }
    (outs, seen)
}

fn check(name: &str, n: u32, ticks: std::ops::Range<u64>) {
    let script = root().join(format!("assets/cluster/{name}.sk"));
    let whole = uninterrupted(&script, n, END);
    let mut both_ways = false;
    for at in ticks {
        for enc in [Encoding::Pretty, Encoding::Binary] {
            let (outs, seen) = interrupted(&script, n, at, enc);
            assert_eq!(outs, whole, "{name}, N = {n}, saved at tick {at} ({enc:?})");
            both_ways |= seen.remote_waiters > 0 && seen.blocked_remote > 0;
        }
    }
    assert!(
        both_ways,
        "{name}, N = {n}: no save had remote waiters both ways"
    );
}

#[test]
fn a_market_saved_mid_run_goes_on_as_if_never_stopped() {
    check("market", 2, 1..12);
    check("market", 3, 1..12);
}

#[test]
fn a_traveller_saved_mid_run_goes_on_as_if_never_stopped() {
    check("traveller", 2, 1..16);
    check("traveller", 3, 1..16);
}

#[test]
fn a_hostile_shard_record_is_refused_with_its_path() {
    let sim = shard_0_after_one_tick(root().join("assets/cluster/market.sk"));
    let (_, text) = saved_text(&sim);
    assert!(text.contains("\"skein.shard\""), "{text}");
    each_edit_refused(
        &text,
        &[
            ("shards:2", "shards:0", "shards"),
            ("shard:0,", "shard:5,", "shard"),
            ("sent_seq:[", "sent_seq:[9,", "sent_seq"),
        ],
    );
}
