//! A shard's autosaves over a private nats-server: the last `--keep` are
//! kept; the final one of a run that ended is marked, and a shard started
//! on it refuses (exit 2); a shard resumed from an autosave older than what
//! its inbox has let go of refuses (exit 2); a shard whose autosaves fail
//! `--autosave-failures` times in a row stops (exit 3).

use std::path::Path;
use std::time::{Duration, Instant};

use skein_cluster::server::NatsServer;

use crate::harness::{Run, piped, skein, temp_dir};

fn script(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .display()
        .to_string()
}

/// `skein ARGS…` in `dir`, killed (and the test failed) if it has not
/// ended within a minute: a shard that wrongly goes on would wait at the
/// barrier for shards that are not there.
fn bounded(dir: &Path, args: &[&str]) -> Run {
    let mut child = piped(dir).args(args).spawn().expect("skein starts");
    let start = Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("skein {args:?} did not end");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("its output");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_last_k_autosaves_are_kept_and_an_ended_run_is_not_rejoined() {
    let dir = temp_dir("shard_saves_ended");
    let server = NatsServer::start(&dir.join("nats"), true).expect("nats-server starts");
    let url = server.url();
    let relay = script("assets/cluster/relay.sk");
    let common = ["--nats", &url, "--dir", "saves", "--cluster", "ends"];
    let mut args = vec!["cluster", &relay, "--shards", "2", "--autosave-every", "2"];
    args.extend(["--keep", "2"]);
    args.extend(common);
    skein(&dir, &args).expect(0);
    for k in 0..2 {
        let path = dir.join(format!("saves/ends-{k}.bin"));
        assert!(path.exists(), "{}", path.display());
        assert!(dir.join(format!("saves/ends-{k}.bin.1")).exists());
        assert!(!dir.join(format!("saves/ends-{k}.bin.2")).exists());
        // The final autosave says the run ended.
        let shown = skein(&dir, &["inspect", &format!("saves/ends-{k}.bin")]).expect(0);
        assert!(shown.stdout.contains("(ended)"), "{}", shown.stdout);
    }
    let mut again = vec!["shard", &relay, "--shard", "1", "--shards", "2"];
    again.extend(common);
    let refused = bounded(&dir, &again).expect(2);
    assert!(
        refused
            .stderr
            .contains("this cluster run has ended; use a new --dir or --cluster"),
        "{}",
        refused.stderr
    );
}

#[test]
fn an_autosave_older_than_what_the_inbox_let_go_of_is_refused() {
    let dir = temp_dir("shard_saves_older");
    let server = NatsServer::start(&dir.join("nats"), true).expect("nats-server starts");
    let url = server.url();
    // Two walkers cross between the shards every tick.
    let walk = script("tests/cli/cluster/long_walk.sk");
    let common = ["--nats", &url, "--dir", "saves", "--cluster", "older"];
    let mut args = vec!["cluster", &walk, "--shards", "2", "--ticks", "30"];
    args.extend(["--autosave-every", "5"]);
    args.extend(common);
    skein(&dir, &args).expect(0);
    // The newest autosave lost: the loader falls back to the one before,
    // whose messages the inbox has let go of since.
    std::fs::remove_file(dir.join("saves/older-1.bin")).expect("the newest autosave");
    let mut again = vec!["shard", &walk, "--shard", "1", "--shards", "2"];
    again.extend(["--ticks", "30"]);
    again.extend(common);
    let refused = bounded(&dir, &again).expect(2);
    assert!(
        refused.stderr.contains(
            "saves/older-1.bin.1: shard 1's inbox has let go of messages this autosave needs"
        ),
        "{}",
        refused.stderr
    );
}

#[test]
fn an_autosave_older_than_what_the_tick_records_let_go_of_is_refused() {
    let dir = temp_dir("shard_saves_records");
    let server = NatsServer::start(&dir.join("nats"), true).expect("nats-server starts");
    let url = server.url();
    // Sleepers send nothing: the inbox check passes whatever the autosave.
    let sleepers = script("benches/cluster/sleepers.sk");
    let common = ["--nats", &url, "--dir", "saves", "--cluster", "oldrec"];
    let mut args = vec!["cluster", &sleepers, "--shards", "2", "--ticks", "60"];
    args.extend(["--autosave-every", "5", "--keep", "8", "--tick-rate", "200"]);
    args.extend(common);
    skein(&dir, &args).expect(0);
    // All but the oldest autosave lost (ticks 25 or so on: an autosave
    // due while one is being written is skipped), whose records were let
    // go of once the newer autosaves of both shards covered them.
    let mut kept: Vec<(u32, std::path::PathBuf)> = std::fs::read_dir(dir.join("saves"))
        .expect("the saves")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path.file_name()?.to_str()?.to_string();
            let rest = name.strip_prefix("oldrec-1.bin")?;
            let n = if rest.is_empty() {
                0
            } else {
                rest.strip_prefix('.')?.parse().ok()?
            };
            Some((n, path))
        })
        .collect();
    kept.sort();
    let (oldest, _) = kept.pop().expect("autosaves");
    assert!(oldest >= 5, "{kept:?}");
    for (_, path) in kept {
        std::fs::remove_file(path).expect("an autosave");
    }
    let mut again = vec!["shard", &sleepers, "--shard", "1", "--shards", "2"];
    again.extend(["--ticks", "60"]);
    again.extend(common);
    let refused = bounded(&dir, &again).expect(2);
    let want =
        format!("saves/oldrec-1.bin.{oldest}: the tick records have let go of shard 0's record");
    assert!(refused.stderr.contains(&want), "{}", refused.stderr);
}

#[test]
fn a_shard_whose_autosaves_keep_failing_exits_3() {
    let dir = temp_dir("shard_saves_failing");
    let server = NatsServer::start(&dir.join("nats"), true).expect("nats-server starts");
    let url = server.url();
    let walk = script("tests/cli/cluster/long_walk.sk");
    let mut child = piped(&dir)
        .args([
            "shard", &walk, "--nats", &url, "--shard", "0", "--shards", "1",
        ])
        .args([
            "--dir",
            "saves",
            "--cluster",
            "fails",
            "--autosave-every",
            "1",
        ])
        .args(["--autosave-failures", "2", "--tick-rate", "20"])
        .spawn()
        .expect("the shard starts");
    // Once its first autosave is on disk, its folder becomes a file: every
    // later autosave fails.
    let start = Instant::now();
    while !dir.join("saves/fails-0.bin").exists() {
        assert!(start.elapsed() < Duration::from_secs(30), "no autosave");
        std::thread::sleep(Duration::from_millis(5));
    }
    // Moved aside rather than deleted: the shard may be writing its next
    // autosave into it, and a removal racing that write can find the
    // folder not empty.
    std::fs::rename(dir.join("saves"), dir.join("saves-gone")).expect("the folder goes");
    std::fs::write(dir.join("saves"), b"in the way").expect("a file in its place");
    while child.try_wait().expect("waits").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the shard did not stop");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("its output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("shard 0: 2 autosaves in a row failed (--autosave-failures 2)"),
        "{stderr}"
    );
    // It stopped early, not at the walk's end.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("done at tick"), "{stdout}");
}
