//! A shard that loses the network while publishing a tick — nothing of it
//! handed on, part of it, or all of it but not acknowledged — autosaves
//! with what it was publishing and stops with the transport's error;
//! loaded from that autosave and run on a working transport, it publishes
//! the tick again first, and every shard's output (checksums included)
//! equals an uninterrupted run's: each tasklet and channel operation in
//! flight at that tick arrives exactly once.

use std::path::{Path, PathBuf};

use skein_cluster::autosave::{ShardAutosave, ShardAutosaveOptions};
use skein_cluster::memory::{MemoryTransport, memory_cluster};
use skein_cluster::shard::{ShardOptions, ShardRunner};
use skein_cluster::transport::{Envelope, HighWater, TickRecord, Transport, TransportError};
use skein_save::read_file;
use skein_save::world_load::{CodePolicy, load_world};
use skein_world::shard::{Publishing, ShardLink};
use skein_world::{Simulation, WorldOptions};

#[allow(dead_code)]
mod common;
use common::{
    builder, collect_into, each_edit_refused, load_text, root, saved_text, shard_0_after_one_tick,
    uninterrupted,
};

const END: u64 = 1000;

/// How the network fails while the victim publishes its fault tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lost {
    /// Before anything is handed on.
    Publish,
    /// The record and the first half of the messages are handed on.
    Part,
    /// Everything is handed on; the acknowledgements never come.
    Settle,
}

/// The in-memory transport with a network that fails once, at `at`'s tick,
/// as `at` says. Unless told to, it tells nobody when its shard stops, as
/// a network transport: the others wait for it at the barrier.
struct Flaky {
    inner: MemoryTransport,
    at: Option<(u64, Lost)>,
    lost: bool,
    /// Tell the others when this shard stops, as the in-memory transport
    /// does, so they stop too.
    tell: bool,
}

fn lost() -> TransportError {
    TransportError::Failed("lost the server (a test's network)".into())
}

impl Transport for Flaky {
    fn publish(
        &mut self,
        mut messages: Vec<Envelope>,
        record: TickRecord,
    ) -> Result<(), TransportError> {
        match self.at.filter(|(t, _)| *t == record.tick) {
            Some((_, how)) => {
                self.at = None;
                match how {
                    Lost::Publish => return Err(lost()),
                    Lost::Part => {
                        messages.truncate(messages.len() / 2);
                        self.inner.publish(messages, record)?;
                        return Err(lost());
                    }
                    Lost::Settle => self.lost = true,
                }
                self.inner.publish(messages, record)
            }
            None => self.inner.publish(messages, record),
        }
    }

    fn settle_published(&mut self) -> Result<(), TransportError> {
        if std::mem::take(&mut self.lost) {
            return Err(lost());
        }
        self.inner.settle_published()
    }

    fn collect(&mut self, tick: u64) -> Result<(Vec<TickRecord>, Vec<Envelope>), TransportError> {
        self.inner.collect(tick)
    }

    fn abandon(&mut self, reason: &str) {
        if self.tell {
            self.inner.abandon(reason);
        }
    }

    fn high_water(&self) -> Option<&HighWater> {
        self.inner.high_water()
    }

    fn resume_high_water(&mut self, taken: &[u64]) {
        self.inner.resume_high_water(taken);
    }
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("skein-outage-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch");
    d
}

fn autosave(path: &Path) -> ShardAutosave {
    ShardAutosave::new(ShardAutosaveOptions {
        path: path.to_path_buf(),
        every: 4,
        keep: 2,
        failures: 3,
        fault: None,
        wait: true,
    })
}

/// What the victim's "publishing" autosave held.
#[derive(Debug, Default, Clone, Copy)]
struct Held {
    migrants: usize,
    remote: usize,
}

/// Runs `script` over `n` shards, shard `victim` losing the network while
/// publishing tick `at` as `how` says, then resumed from its autosave.
/// Returns every shard's whole output and what the autosave held.
fn interrupted(
    script: &Path,
    n: u32,
    victim: u32,
    at: u64,
    how: Lost,
    dir: &Path,
) -> (Vec<String>, Held) {
    let handles: Vec<_> = memory_cluster(n)
        .into_iter()
        .enumerate()
        .map(|(k, inner)| {
            let build = builder(script.to_path_buf());
            let path = dir.join(format!("s-{k}.bin"));
            std::thread::spawn(move || {
                let k = k as u32;
                let options = WorldOptions {
                    shard: u64::from(k),
                    shards: u64::from(n),
                    ..WorldOptions::default()
                };
                let opts = ShardOptions {
                    shard: k,
                    shards: n,
                    ticks: Some(END),
                };
                let flaky = Flaky {
                    inner,
                    at: (k == victim).then_some((at, how)),
                    lost: false,
                    tell: false,
                };
                let mut out = String::new();
                let mut runner = ShardRunner::new(build(options).expect("builds"), flaky, opts);
                runner.with_autosave(autosave(&path));
                let first = runner.run(&mut collect_into(&mut out));
                if k != victim {
                    first.expect("the others run to the end");
                    return (out, None);
                }
                let err = first.expect_err("the victim loses the network").to_string();
                assert!(err.contains("lost the server"), "{err}");
                let (_, flaky) = runner.into_parts();
                let save = read_file(&path).expect("the newest autosave reads");
                let mut sim = Simulation::new(WorldOptions::default());
                load_world(&mut sim.world, &save, CodePolicy::Saved).expect("loads");
                assert_eq!(save.header.tick, at + 1, "{how:?} at {at}");
                let held: Option<Publishing> = sim.world.resource::<ShardLink>().publishing.clone();
                let held = held.unwrap_or_else(|| panic!("{how:?} at {at}: not saved publishing"));
                assert_eq!(held.tick, at);
                assert_eq!(sim.world.resource::<ShardLink>().awaiting, None);
                let mut runner = ShardRunner::new(sim, flaky, opts);
                runner.with_autosave(autosave(&path));
                runner
                    .run(&mut collect_into(&mut out))
                    .expect("the resumed shard runs to the end");
                let migrants = held.messages.iter().filter(|m| m.migrant).count();
                let held = Held {
                    migrants,
                    remote: held.messages.len() - migrants,
                };
                (out, Some(held))
            })
        })
        .collect();
    let mut outs = Vec::new();
    let mut held = Held::default();
    for h in handles {
        let (out, h) = h.join().expect("shard thread");
        outs.push(out);
        if let Some(h) = h {
            held = h;
        }
    }
    (outs, held)
}

fn check(n: u32, victim: u32, ticks: std::ops::Range<u64>) {
    let script = root().join("crates/skein-cluster/tests/scripts/in_flight.sk");
    let whole = uninterrupted(&script, n, END);
    assert!(
        whole[0].contains("collector received 24 posts"),
        "{}",
        whole[0]
    );
    let mut both = 0;
    for how in [Lost::Publish, Lost::Part, Lost::Settle] {
        for at in ticks.clone() {
            let dir = scratch(&format!("{n}-{victim}-{at}-{how:?}"));
            let (outs, held) = interrupted(&script, n, victim, at, how, &dir);
            assert_eq!(
                outs, whole,
                "N = {n}, shard {victim} lost {how:?} at tick {at}"
            );
            if held.migrants > 0 && held.remote > 0 {
                both += 1;
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    assert!(
        both > 0,
        "no tick had both migrants and remote operations in flight"
    );
}

#[test]
fn a_shard_that_loses_the_network_while_publishing_goes_on_from_its_autosave() {
    check(2, 0, 1..9);
    check(2, 1, 1..9);
    check(3, 1, 2..8);
}

#[test]
fn a_save_made_while_publishing_loads_and_a_hostile_one_is_refused_with_its_path() {
    use skein_world::shard::Outgoing;

    let mut sim =
        shard_0_after_one_tick(root().join("crates/skein-cluster/tests/scripts/in_flight.sk"));
    // A shard record written before `publishing` existed loads as one
    // saved at a tick boundary.
    let (_, text) = saved_text(&sim);
    assert!(text.contains(",publishing:None"), "{text}");
    let older =
        load_text(&text.replacen(",publishing:None", "", 1)).expect("an older record loads");
    assert_eq!(older.world.resource::<ShardLink>().publishing, None);
    let held = Publishing {
        tick: 0,
        messages: vec![Outgoing {
            to: 1,
            seq: 1,
            migrant: true,
            bytes: vec![7, 0, 255],
        }],
        record: "(shard: 0)".into(),
    };
    {
        let mut link = sim.world.resource_mut::<ShardLink>();
        link.sent_seq = vec![0, 1];
        link.taken_seq = vec![0, 0];
        link.publishing = Some(held.clone());
    }
    let (save, text) = saved_text(&sim);
    let fresh = load_text(&text).expect("loads");
    assert_eq!(
        fresh.world.resource::<ShardLink>().publishing,
        Some(held),
        "{text}"
    );
    let shown = skein_save::shard_inspect::describe(&save).expect("a shard's save");
    assert!(
        shown.contains("publishing tick 0: 1 messages (1 tasklets moving)")
            && shown.contains("  1 for shard 1"),
        "{shown}"
    );
    each_edit_refused(
        &text,
        &[
            ("seq:1,", "seq:2,", "publishing.messages[0].seq"),
            ("to:1,", "to:2,", "publishing.messages[0].to"),
            ("awaiting:None", "awaiting:Some(0)", "publishing"),
        ],
    );
}

/// When the autosave while publishing cannot be written either, the shard
/// still stops with the network's error, and writes nothing.
#[test]
fn a_shard_that_cannot_autosave_while_publishing_still_stops_with_the_network_error() {
    let script = root().join("crates/skein-cluster/tests/scripts/in_flight.sk");
    let dir = scratch("unwritable");
    std::fs::write(dir.join("not-a-folder"), b"").expect("a file");
    let path = dir.join("not-a-folder/s-0.bin");
    let handles: Vec<_> = memory_cluster(2)
        .into_iter()
        .enumerate()
        .map(|(k, inner)| {
            let build = builder(script.clone());
            let path = path.clone();
            std::thread::spawn(move || {
                let k = k as u32;
                let sim = build(WorldOptions {
                    shard: u64::from(k),
                    shards: 2,
                    ..WorldOptions::default()
                })
                .expect("builds");
                let flaky = Flaky {
                    inner,
                    at: (k == 0).then_some((2, Lost::Publish)),
                    lost: false,
                    tell: true,
                };
                let opts = ShardOptions {
                    shard: k,
                    shards: 2,
                    ticks: Some(END),
                };
                let mut runner = ShardRunner::new(sim, flaky, opts);
                if k == 0 {
                    runner.with_autosave(ShardAutosave::new(ShardAutosaveOptions {
                        path,
                        every: 4,
                        keep: 2,
                        failures: 5,
                        fault: None,
                        wait: true,
                    }));
                }
                let got = runner.run(&mut |_| Ok(()));
                let failed = runner.autosave().map(|a| a.stats().failed);
                (got.map(|_| ()).map_err(|e| e.to_string()), failed)
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("joins"))
        .collect();
    let (err, failed) = &results[0];
    let err = err.as_ref().expect_err("shard 0 stops");
    assert!(err.contains("lost the server"), "{err}");
    // Tick 0's autosave and the one while publishing tick 2 both failed.
    assert_eq!(*failed, Some(2));
    assert!(!path.exists());
    let other = results[1].0.as_ref().expect_err("shard 1 is told");
    assert!(other.contains("shard 0 stopped"), "{other}");
}
