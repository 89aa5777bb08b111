//! The NATS server itself going away under a running cluster: stopped and
//! started again on the same port with its store kept, the shards wait and
//! go on, their output tick by tick the same as an uninterrupted run's;
//! left stopped for longer than `--nats-timeout`, every shard exits 3 with
//! a message naming the server's URL, after an autosave — waiting at the
//! barrier, or while publishing a tick — that the same command, run again
//! once the server is back, goes on from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::Duration;

use skein_cluster::server::NatsServer;

use crate::harness::{piped, temp_dir};

const SHARDS: u32 = 2;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/cluster/long_walk.sk")
}

/// Starts the cluster's shards, paced so the run lasts a few seconds.
fn start(dir: &Path, url: &str, cluster: &str, timeout: &str) -> Vec<Child> {
    (0..SHARDS)
        .map(|k| start_one(dir, url, cluster, timeout, k))
        .collect()
}

/// Starts shard `k`.
fn start_one(dir: &Path, url: &str, cluster: &str, timeout: &str, k: u32) -> Child {
    shard(dir, &script(), url, cluster, timeout, k)
        .args(["--tick-rate", "25"])
        .spawn()
        .expect("a shard starts")
}

/// `skein shard SCRIPT` as shard `k`, framed, unpaced.
fn shard(dir: &Path, script: &Path, url: &str, cluster: &str, timeout: &str, k: u32) -> Command {
    let mut c = piped(dir);
    c.arg("shard")
        .arg(script)
        .args(["--nats", url, "--framed"])
        .args(["--shard", &k.to_string(), "--shards", &SHARDS.to_string()])
        .args(["--cluster", cluster, "--nats-timeout", timeout]);
    c
}

/// Each shard's frames by tick, the closing line (wall time) left out.
fn frames(outs: &[Output]) -> Vec<BTreeMap<u64, String>> {
    outs.iter()
        .map(|o| {
            let mut got = BTreeMap::new();
            let mut rest = &o.stdout[..];
            while let Some(nl) = rest.iter().position(|b| *b == b'\n') {
                let head = String::from_utf8_lossy(&rest[..nl]).into_owned();
                let parts: Vec<&str> = head.split(' ').collect();
                assert_eq!(parts[0], "#FRAME", "{head}");
                let tick: u64 = parts[1].parse().expect("tick");
                let len = parts[2].parse::<usize>().expect("len")
                    + parts[3].parse::<usize>().expect("len");
                let body = String::from_utf8_lossy(&rest[nl + 1..nl + 1 + len]).into_owned();
                rest = &rest[nl + 1 + len..];
                if tick != u64::MAX {
                    got.insert(tick, body);
                }
            }
            got
        })
        .collect()
}

fn wait(children: Vec<Child>) -> Vec<Output> {
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("a shard ends"))
        .collect()
}

#[test]
fn a_nats_server_stopped_and_restarted_under_a_cluster_loses_nothing() {
    let dir = temp_dir("outage_restart");
    let mut server = NatsServer::start(&dir.join("nats"), true).expect("nats-server starts");
    let url = server.url();
    let whole = wait(start(&dir, &url, "whole", "10"));
    for o in &whole {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let shards = start(&dir, &url, "outage", "20");
    std::thread::sleep(Duration::from_millis(1200));
    server.stop().expect("nats-server stops");
    std::thread::sleep(Duration::from_millis(1500));
    server.restart().expect("nats-server starts again");
    let outs = wait(shards);
    for o in &outs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (whole, got) = (frames(&whole), frames(&outs));
    // The outage came mid-run: ticks ran before and after it.
    assert!(got[0].len() > 60, "{} ticks", got[0].len());
    assert_eq!(got, whole);
}

#[test]
fn a_nats_server_gone_for_longer_than_the_timeout_ends_every_shard_with_3() {
    let dir = temp_dir("outage_timeout");
    let mut server = NatsServer::start(&dir.join("nats"), true).expect("nats-server starts");
    let url = server.url();
    let shards = start(&dir, &url, "gone", "1");
    std::thread::sleep(Duration::from_millis(800));
    server.stop().expect("nats-server stops");
    let outs = wait(shards);
    each_lost_the_server(&outs, &url);
    // It ended mid-run: the walkers had not arrived.
    let got = frames(&outs);
    assert!(!got[0].values().any(|t| t.contains("done")), "{got:?}");
}

/// A shard waiting at the barrier when the server goes for good autosaves
/// there before it exits 3: started again with the same command once the
/// server is back, it goes on from that barrier, and the cluster's output
/// is an uninterrupted run's.
#[test]
fn a_shard_that_loses_the_server_at_the_barrier_autosaves_there_first() {
    let dir = temp_dir("outage_barrier");
    let mut server = NatsServer::start(&dir.join("nats"), true).expect("nats-server starts");
    let url = server.url();
    let whole = wait(start(&dir, &url, "whole", "10"));
    for o in &whole {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // Shard 0 alone: it runs tick 0 and waits at its barrier for shard 1.
    let alone = start_one(&dir, &url, "barrier", "1", 0);
    let first = dir.join("saves/barrier-0.bin");
    let t0 = std::time::Instant::now();
    while !first.exists() {
        assert!(t0.elapsed() < Duration::from_secs(30), "no autosave");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    server.stop().expect("nats-server stops");
    let before = wait(vec![alone]);
    let err = String::from_utf8_lossy(&before[0].stderr);
    assert_eq!(before[0].status.code(), Some(3), "{err}");
    assert!(err.contains("lost the server"), "{err}");
    let shown = crate::harness::skein(&dir, &["inspect", "saves/barrier-0.bin"]).expect(0);
    assert!(
        shown
            .stdout
            .contains("saved waiting at the barrier of tick 0"),
        "{}",
        shown.stdout
    );
    server.restart().expect("nats-server starts again");
    let outs = wait(start(&dir, &url, "barrier", "10"));
    for o in &outs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // Shard 0's tick 0 was printed by its first process, the rest by the
    // second, which went on from the barrier.
    let mut got = frames(&outs);
    let first = frames(&before);
    assert_eq!(first[0].keys().collect::<Vec<_>>(), vec![&0]);
    assert!(!got[0].contains_key(&0), "{:?}", got[0].get(&0));
    got[0].insert(0, first[0][&0].clone());
    assert_eq!(got, frames(&whole));
}

/// Walkers crossing the ring and posting to a collector on shard 0, with
/// checksums at the end.
fn in_flight() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/skein-cluster/tests/scripts/in_flight.sk")
}

/// A shard that loses the server while publishing a tick (held at that
/// moment by the testing aid's pause, while the server is stopped)
/// autosaves with what it was publishing before it exits 3; the other,
/// waiting at that tick's barrier, autosaves there. Started again with
/// the same commands once the server is back, the first publishes that
/// tick again, and the cluster's output, checksums included, is an
/// uninterrupted run's.
#[test]
fn a_shard_that_loses_the_server_while_publishing_autosaves_what_it_sent_first() {
    const AT: u64 = 4;
    let dir = temp_dir("outage_publishing");
    let mut server = NatsServer::start(&dir.join("nats"), true).expect("nats-server starts");
    let url = server.url();
    let run = |cluster: &str, timeout: &str, fault: Option<String>| {
        let children: Vec<Child> = (0..SHARDS)
            .map(|k| {
                let mut c = shard(&dir, &in_flight(), &url, cluster, timeout, k);
                if let Some(f) = &fault {
                    c.env("SKEIN_FAULT", f);
                }
                c.spawn().expect("a shard starts")
            })
            .collect();
        children
    };
    let whole = wait(run("whole", "10", None));
    for o in &whole {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let shards = run("pub", "1", Some(format!("pause-publish:{AT}:0")));
    let paused = dir.join(format!("saves/.fault-0-pause-publish-{AT}"));
    let t0 = std::time::Instant::now();
    while !paused.exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "shard 0 never paused"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    server.stop().expect("nats-server stops");
    let before = wait(shards);
    each_lost_the_server(&before, &url);
    let inspect = |k: u32| {
        let file = format!("saves/pub-{k}.bin");
        crate::harness::skein(&dir, &["inspect", &file])
            .expect(0)
            .stdout
    };
    let shown = inspect(0);
    assert!(
        shown.contains(&format!(
            "publishing tick {AT}: 2 messages (1 tasklets moving)"
        )),
        "{shown}"
    );
    let shown = inspect(1);
    assert!(
        shown.contains(&format!("saved waiting at the barrier of tick {AT}")),
        "{shown}"
    );
    server.restart().expect("nats-server starts again");
    let outs = wait(run("pub", "10", None));
    for o in &outs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // Each shard printed ticks 0 to AT before the outage, and the rest
    // after: the tick it was publishing is not run again.
    let (first, mut got) = (frames(&before), frames(&outs));
    for k in 0..SHARDS as usize {
        assert_eq!(
            first[k].keys().copied().collect::<Vec<_>>(),
            (0..=AT).collect::<Vec<_>>()
        );
        assert!(
            got[k].keys().all(|t| *t > AT),
            "shard {k}: {:?}",
            got[k].keys()
        );
        got[k].extend(first[k].clone());
    }
    let whole = frames(&whole);
    assert!(
        whole[0]
            .values()
            .any(|t| t.contains("collector received 24 posts; checksum"))
    );
    assert_eq!(got, whole);
}

/// A save made while publishing whose messages and record do not hold
/// together is refused (exit 2, naming the file and the field) before the
/// shard connects anywhere: it would otherwise publish them under keys
/// the receivers trust.
#[test]
fn a_save_made_while_publishing_that_does_not_hold_together_is_refused() {
    use skein_cluster::publishing::pack;
    use skein_cluster::{Envelope, Payload, TickRecord};
    use skein_save::world_save::save_world;
    use skein_save::{Encoding, to_bytes};
    use skein_world::remote_publish::Published;
    use skein_world::shard::ShardLink;
    use skein_world::{Simulation, WorldOptions};

    let dir = temp_dir("outage_publishing_refused");
    let mut sim = Simulation::new(WorldOptions {
        shard: 0,
        shards: 2,
        ..WorldOptions::default()
    });
    sim.load_main(&in_flight()).expect("loads");
    sim.tick();
    {
        let mut link = sim.world.resource_mut::<ShardLink>();
        link.run = "r1".into();
        link.sent_seq = vec![0, 1];
        link.taken_seq = vec![0, 0];
        // Its record says nothing was sent to shard 1.
        let record = TickRecord {
            shard: 0,
            tick: 0,
            sent: vec![0, 0],
            idle: false,
            main_paused: false,
            published: Published::default(),
            saved: None,
        };
        let message = Envelope {
            from: 0,
            to: 1,
            tick: 0,
            seq: 1,
            payload: Payload::Remote(vec![1]),
        };
        link.publishing = Some(pack(0, &[message], &record).expect("packs"));
    }
    let save = save_world(&sim.world).expect("saves");
    std::fs::create_dir_all(dir.join("saves")).expect("saves/");
    let bytes = to_bytes(&save, Encoding::Pretty).expect("encodes");
    std::fs::write(dir.join("saves/c-0.bin"), bytes).expect("written");
    let script = in_flight().display().to_string();
    let args = [
        "shard",
        &script,
        "--nats",
        "nats://127.0.0.1:1",
        "--shard",
        "0",
        "--shards",
        "2",
        "--cluster",
        "c",
    ];
    let refused = crate::harness::skein(&dir, &args).expect(2);
    assert!(
        refused.stderr.contains("saves/c-0.bin")
            && refused
                .stderr
                .contains("world.resources[\"skein.shard\"].publishing: "),
        "{}",
        refused.stderr
    );
}

/// Every shard ended with exit 3, naming the server it lost.
fn each_lost_the_server(outs: &[Output], url: &str) {
    for (k, o) in outs.iter().enumerate() {
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(3), "shard {k}: {err}");
        assert!(err.contains(url), "shard {k}: {err}");
        assert!(err.contains("lost the server"), "shard {k}: {err}");
    }
}
