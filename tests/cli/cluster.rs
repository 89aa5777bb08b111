//! `skein cluster` and `skein shard`: three shard processes over a private
//! nats-server forward their output tick by tick in shard order, the same
//! bytes every run (`tests/cli/cluster/relay-3.out`, whose lines are the
//! in-process cluster's), also when a shard dies and is restarted; the
//! village over shards; and the errors a user meets.

use std::path::Path;

use crate::harness::{skein, temp_dir};

fn relay() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/cluster/relay.sk")
        .display()
        .to_string()
}

#[test]
fn a_cluster_of_three_forwards_every_tick_in_shard_order() {
    let dir = temp_dir("cluster_relay");
    let want = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/cluster/relay-3.out"),
    )
    .expect("golden output");
    for _ in 0..2 {
        let run = skein(&dir, &["cluster", &relay(), "--shards", "3"]).expect(0);
        assert_eq!(run.stdout, want);
        for k in 0..3 {
            let closing = format!(
                "[{k}] skein shard {k}: 8 ticks, 4 tasklets, 18 moved in, 18 moved out, 0 remote operations sent, 0 applied"
            );
            assert!(run.stderr.contains(&closing), "{}", run.stderr);
        }
    }
    // The private server's store is gone with it.
    let left: Vec<_> = std::fs::read_dir(dir.join("saves"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

/// A shard that dies (here by the fault hook, once, at a chosen point) is
/// restarted by `skein cluster` from its autosave; the cluster's output is
/// an uninterrupted run's, each tick forwarded once.
#[test]
fn a_cluster_restarts_a_shard_that_dies_and_its_output_is_unchanged() {
    let want = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/cluster/relay-3.out"),
    )
    .expect("golden output");
    for (i, fault) in ["tick:4:1", "autosave:6:2", "migration:2:0"]
        .iter()
        .enumerate()
    {
        let dir = temp_dir(&format!("cluster_restart_{i}"));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_skein"))
            .args([
                "cluster",
                &relay(),
                "--shards",
                "3",
                "--autosave-every",
                "3",
            ])
            .current_dir(&dir)
            .env_remove("RUST_LOG")
            .env("SKEIN_FAULT", fault)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("skein cluster runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{fault}: {stderr}");
        let k = &fault[fault.len() - 1..];
        let said = format!("[{k}] shard {k} was killed by a signal");
        assert!(stderr.contains(&said), "{fault}: {stderr}");
        assert!(
            stderr.contains("restarting it from its autosave (1 of 3)"),
            "{stderr}"
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{fault}");
        // The run's folder (autosaves, the private server's store) is gone.
        let left: Vec<_> = std::fs::read_dir(dir.join("saves"))
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{left:?}");
    }
}

/// `skein cluster` with no script runs the village over the shards: the
/// same bytes run after run for 2, 3 and 4 shards, travellers crossing
/// from hamlet to hamlet between shards; on one shard, what `skein village`
/// prints.
#[test]
fn the_village_over_shards_is_deterministic_and_one_shard_is_the_village() {
    let dir = temp_dir("cluster_village");
    for n in ["2", "3", "4"] {
        let args = ["cluster", "--shards", n, "--ticks", "400"];
        let first = skein(&dir, &args).expect(0);
        let again = skein(&dir, &args).expect(0);
        assert_eq!(first.stdout, again.stdout, "N = {n}");
        assert!(
            first.stdout.contains("came on to the gate of"),
            "N = {n}: no traveller crossed shards\n{}",
            first.stdout
        );
        let last = format!("[{}] ", n.parse::<u32>().expect("n") - 1);
        assert!(
            first.stdout.contains(&last),
            "N = {n}: the last shard printed nothing"
        );
    }
    let one = skein(&dir, &["cluster", "--shards", "1", "--ticks", "400"]).expect(0);
    let plain = skein(&dir, &["village", "--ticks", "400", "--save", "plain.ron"]).expect(0);
    let prefixed: String = plain.stdout.lines().map(|l| format!("[0] {l}\n")).collect();
    assert_eq!(one.stdout, prefixed);
}

#[test]
fn a_shard_that_cannot_reach_nats_exits_3_naming_the_url() {
    let dir = temp_dir("shard_unreachable");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("nats://127.0.0.1:{port}");
    let run = skein(
        &dir,
        &[
            "shard",
            &relay(),
            "--nats",
            &url,
            "--shard",
            "0",
            "--shards",
            "1",
            "--nats-timeout",
            "1",
        ],
    )
    .expect(3);
    assert!(run.stderr.contains(&url), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn usage_errors_exit_2() {
    let dir = temp_dir("shard_usage");
    let run = skein(
        &dir,
        &[
            "shard",
            &relay(),
            "--nats",
            "nats://127.0.0.1:1",
            "--shard",
            "2",
            "--shards",
            "2",
        ],
    )
    .expect(2);
    assert!(
        run.stderr.contains("--shard 2 is not below --shards 2"),
        "{}",
        run.stderr
    );
    std::fs::write(dir.join("bad.sk"), "print(\n").expect("write");
    skein(&dir, &["cluster", "bad.sk", "--shards", "2"]).expect(2);
}
