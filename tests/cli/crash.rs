//! A shard killed mid-run and started again with the same command loses
//! nothing and repeats nothing: over a private nats-server, each shard's
//! output, tick by tick (the frames `skein cluster` reads, the restarted
//! process's frame of a tick replacing the killed one's), equals an
//! uninterrupted run's. Shards are stopped by the fault hook
//! (`SKEIN_FAULT=POINT:TICK`: mid-tick, after migrants left, after a
//! publish, mid-autosave) and by SIGKILL at a moment of the wall clock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use skein_cluster::server::NatsServer;

use crate::harness::{piped, temp_dir};

/// An example of `assets/cluster`, or (a name with a `/`) a script under
/// `tests/cli`.
fn script(name: &str) -> String {
    let path = match name.contains('/') {
        true => format!("tests/cli/{name}.sk"),
        false => format!("assets/cluster/{name}.sk"),
    };
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .display()
        .to_string()
}

/// Autosaves every this many ticks: often, to stop shards mid-save.
const EVERY: &str = "3";

/// `skein shard` of `name`, shard `k` of `n` in cluster `cluster`.
fn shard(dir: &Path, url: &str, name: &str, k: u32, n: u32, cluster: &str) -> Command {
    let mut c = piped(dir);
    // The quiet scripts autosave seldom, so that their records between
    // autosaves are quiet (a new autosave boundary is stored).
    let every = if name.contains("napping") {
        "10"
    } else {
        EVERY
    };
    c.args(["shard", &script(name), "--nats", url, "--framed"])
        .args(["--shard", &k.to_string(), "--shards", &n.to_string()])
        .args(["--cluster", cluster, "--autosave-every", every])
        .args(["--nats-timeout", "10"]);
    c
}

/// The frames with output of one process's stdout, by tick (the closing
/// line left out: it has the wall time), into `into`; a later process's
/// frame of a tick must be the earlier one's, if both wrote it. Empty
/// frames are left out: a shard gathers them before sending, so a killed
/// one loses those it had not sent yet, and they say nothing.
fn frames(out: &[u8], into: &mut BTreeMap<u64, String>) {
    let mut rest = out;
    while !rest.is_empty() {
        let nl = rest
            .iter()
            .position(|b| *b == b'\n')
            .expect("a frame header");
        let head = std::str::from_utf8(&rest[..nl]).expect("utf8 header");
        let parts: Vec<&str> = head.split(' ').collect();
        assert_eq!(parts[0], "#FRAME", "{head}");
        let tick: u64 = parts[1].parse().expect("tick");
        let len: usize =
            parts[2].parse::<usize>().expect("len") + parts[3].parse::<usize>().expect("len");
        let body = String::from_utf8_lossy(&rest[nl + 1..nl + 1 + len]).into_owned();
        rest = &rest[nl + 1 + len..];
        if tick != u64::MAX && !body.is_empty() {
            into.insert(tick, body);
        }
    }
}

/// How shard `victim` is stopped.
enum Kill {
    /// `SKEIN_FAULT=…`.
    Fault(&'static str),
    /// SIGKILL this many milliseconds after it started (ticks paced).
    After(u64),
}

/// Runs `name` over `n` shards; shard `victim` is stopped by `kill` and
/// started again with the same command. Returns each shard's frames, and
/// whether the victim was stopped (a SIGKILL may come after it ended).
fn run(
    server: &NatsServer,
    dir: &Path,
    name: &str,
    n: u32,
    cluster: &str,
    victim: Option<(u32, Kill)>,
) -> (Vec<BTreeMap<u64, String>>, bool) {
    let url = server.url();
    let paced = matches!(victim, Some((_, Kill::After(_))));
    let mut children: Vec<(u32, Child)> = Vec::new();
    for k in 0..n {
        let mut c = shard(dir, &url, name, k, n, cluster);
        if paced {
            c.args(["--tick-rate", "40"]);
        }
        if let Some((v, Kill::Fault(f))) = &victim
            && *v == k
        {
            c.env("SKEIN_FAULT", f);
        }
        children.push((k, c.spawn().expect("a shard starts")));
    }
    let mut got: Vec<BTreeMap<u64, String>> = vec![BTreeMap::new(); n as usize];
    let mut outputs: Vec<(u32, Child)> = Vec::new();
    let mut stopped = false;
    for (k, mut child) in children {
        if let Some((v, kill)) = &victim
            && *v == k
        {
            if let Kill::After(ms) = kill {
                std::thread::sleep(std::time::Duration::from_millis(*ms));
                child.kill().expect("SIGKILL");
            }
            let first = child.wait_with_output().expect("the victim ends");
            frames(&first.stdout, &mut got[k as usize]);
            if first.status.success() {
                continue;
            }
            stopped = true;
            let mut again = shard(dir, &url, name, k, n, cluster);
            if paced {
                again.args(["--tick-rate", "40"]);
            }
            outputs.push((k, again.spawn().expect("the shard restarts")));
        } else {
            outputs.push((k, child));
        }
    }
    for (k, child) in outputs {
        let out = child.wait_with_output().expect("a shard ends");
        let err = String::from_utf8_lossy(&out.stderr);
        // Killed after its final autosave (marked ended, written after
        // all its output), it had finished: started again, it refuses.
        let finished = out.status.code() == Some(2) && err.contains("this cluster run has ended");
        assert!(out.status.success() || finished, "shard {k}: {err}");
        frames(&out.stdout, &mut got[k as usize]);
    }
    (got, stopped)
}

fn check(tag: &str, name: &str, n: u32, victim: u32, kill: Kill) {
    let dir: PathBuf = temp_dir(&format!("crash_{tag}"));
    for sub in ["a", "b"] {
        std::fs::create_dir_all(dir.join(sub)).expect("a folder per run");
    }
    let server = NatsServer::start(&dir.join("nats"), true).expect("nats-server starts");
    let (whole, _) = run(&server, &dir.join("a"), name, n, &format!("{tag}-a"), None);
    let (crashed, stopped) = run(
        &server,
        &dir.join("b"),
        name,
        n,
        &format!("{tag}-b"),
        Some((victim, kill)),
    );
    assert!(stopped, "{tag}: the victim was stopped");
    assert_eq!(
        crashed, whole,
        "{tag}: {name} over {n}, shard {victim} killed"
    );
}

#[test]
fn a_shard_stopped_mid_tick_resumes_and_loses_nothing() {
    check("tick", "relay", 3, 1, Kill::Fault("tick:4"));
}

#[test]
fn a_shard_stopped_after_migrants_left_resumes_and_loses_nothing() {
    check("migration", "market", 2, 0, Kill::Fault("migration:2"));
}

#[test]
fn a_shard_stopped_after_a_publish_resumes_and_loses_nothing() {
    check("publish", "traveller", 3, 2, Kill::Fault("publish:5"));
}

#[test]
fn a_shard_stopped_mid_autosave_resumes_and_loses_nothing() {
    check("autosave", "market", 3, 1, Kill::Fault("autosave:6"));
}

#[test]
fn a_shard_replaying_ticks_whose_peer_records_were_never_stored_rebuilds_them() {
    // Shard 1 stops at tick 27 and resumes from its autosave of tick 20;
    // shard 0's records of most of the ticks it replays were quiet, sent
    // live only: it rebuilds them from what shard 0 sends again when it
    // says hello, and ends as an uninterrupted run does.
    check("quiet", "cluster/napping", 2, 1, Kill::Fault("tick:27"));
}

#[test]
fn a_shard_killed_by_sigkill_resumes_and_loses_nothing() {
    check("sigkill", "relay", 2, 0, Kill::After(120));
}

#[test]
fn inspect_of_a_shard_autosave_shows_its_place_transit_and_remote_waiters() {
    let dir = temp_dir("crash_inspect");
    let server = NatsServer::start(&dir.join("nats"), true).expect("nats-server starts");
    let url = server.url();
    let children: Vec<Child> = (0..2)
        .map(|k| {
            let mut c = shard(&dir, &url, "market", k, 2, "inspect");
            c.args(["--ticks", "4"]);
            c.spawn().expect("a shard starts")
        })
        .collect();
    for c in children {
        assert!(c.wait_with_output().expect("ends").status.success());
    }
    let inspect = |k: u32| {
        let run =
            crate::harness::skein(&dir, &["inspect", &format!("saves/inspect-{k}.bin")]).expect(0);
        let from = run.stdout.find("shard ").expect("a shard section");
        let text = run.stdout[from..].to_string();
        // The run id is fresh every run.
        let (head, rest) = text.split_once('\n').expect("lines");
        let head = head.rsplit_once(' ').expect("run id").0.to_string();
        format!("{head} ID\n{rest}")
    };
    assert_eq!(
        inspect(0),
        "shard 0 of 2, run ID\n\
         in transit: 0 leaving, 1 arriving\n  #5 arrived, runs next tick\n\
         blocked on other shards' channels: 0\n\
         remote waiters: 2\n  #4 of shard 1 sending on channel #3\n  #6 of shard 1 sending on channel #3\n\
         messages: last sent [0, 3], last taken [0, 4], 0 in the outbox\n"
    );
    assert_eq!(
        inspect(1),
        "shard 1 of 2, run ID\n\
         in transit: 0 leaving, 0 arriving\n\
         blocked on other shards' channels: 2\n  \
         #4 blocked sending on channel #3 (home shard 0)\n  \
         #6 blocked sending on channel #3 (home shard 0)\n\
         remote waiters: 0\n\
         messages: last sent [4, 0], last taken [3, 0], 0 in the outbox\n"
    );
    // `--json` carries the same section.
    let json = |k: u32| {
        let run = crate::harness::skein(
            &dir,
            &["inspect", "--json", &format!("saves/inspect-{k}.bin")],
        )
        .expect(0);
        let mut v: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        let shard = v["shard"].take();
        assert!(
            shard["run"].as_str().is_some_and(|r| !r.is_empty()),
            "{shard}"
        );
        let mut shard = shard;
        shard["run"] = "ID".into();
        shard.to_string()
    };
    assert_eq!(
        json(0),
        r#"{"arriving":[5],"blocked_remote":[],"elsewhere":[],"ended":false,"last_sent":[0,3],"last_taken":[0,4],"leaving":[],"moves_in":0,"moves_out":1,"outbox":0,"remote_ops_in":3,"remote_ops_out":1,"remote_waiters":[{"channel":3,"op":"send","shard":1,"tasklet":4},{"channel":3,"op":"send","shard":1,"tasklet":6}],"run":"ID","shard":0,"shards":2}"#
    );
    assert_eq!(
        json(1),
        r#"{"arriving":[],"blocked_remote":[{"channel":3,"home":0,"op":"send","tasklet":4},{"channel":3,"home":0,"op":"send","tasklet":6}],"elsewhere":[],"ended":false,"last_sent":[4,0],"last_taken":[3,0],"leaving":[],"moves_in":1,"moves_out":0,"outbox":0,"remote_ops_in":1,"remote_ops_out":3,"remote_waiters":[],"run":"ID","shard":1,"shards":2}"#
    );
}

/// Twenty runs, each SIGKILLing a shard picked by a fixed pseudo-random
/// sequence, at a moment picked the same way, of one of the cluster
/// scripts: every shard's output equals the uninterrupted run's.
#[test]
fn twenty_random_sigkills_lose_nothing_and_repeat_nothing() {
    let dir = temp_dir("crash_random");
    let server = NatsServer::start(&dir.join("nats"), true).expect("nats-server starts");
    let scripts = [("relay", 3), ("market", 3), ("traveller", 2), ("market", 2)];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |m: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % m
    };
    let mut wholes: BTreeMap<(&str, u32), Vec<BTreeMap<u64, String>>> = BTreeMap::new();
    let mut stops = 0;
    for i in 0..20 {
        let (name, n) = scripts[next(scripts.len() as u64) as usize];
        let victim = next(u64::from(n)) as u32;
        let ms = 20 + next(250);
        let whole = wholes.entry((name, n)).or_insert_with(|| {
            let tag = format!("whole-{name}-{n}");
            std::fs::create_dir_all(dir.join(&tag)).expect("a folder");
            run(&server, &dir.join(&tag), name, n, &tag, None).0
        });
        let tag = format!("run-{i}");
        std::fs::create_dir_all(dir.join(&tag)).expect("a folder");
        let (got, stopped) = run(
            &server,
            &dir.join(&tag),
            name,
            n,
            &tag,
            Some((victim, Kill::After(ms))),
        );
        stops += usize::from(stopped);
        assert_eq!(
            &got, whole,
            "run {i}: {name} over {n}, shard {victim} killed after {ms} ms"
        );
    }
    // Most kills land while the victim runs (a late one finds it ended).
    assert!(stops >= 12, "only {stops} of 20 runs stopped a shard");
}
