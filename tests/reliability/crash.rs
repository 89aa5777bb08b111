//! Crash safety: SIGKILL at random (seeded) moments while `skein run --save
//! PATH --save-every 1` rewrites a large world's save after every tick; each
//! time the file on disk is whole and loads — the previous save or the new
//! one — and so is its `.bak`. The same while `--autosave-every 1 --keep 2`
//! writes on its background thread: `PATH` is never missing and loads, and
//! so does `PATH.1`. And with `--full-every 3`, where most autosaves are
//! deltas in a chain: `PATH` and `PATH.1` load through their chains (each
//! kill also leaves the chain a restarted run must clear away).
//!
//! CI size: `SKEIN_CRASH_TASKLETS` tasklets (default 2 000) and
//! `SKEIN_CRASH_KILLS` kills (default 8) per encoding, with
//! `SKEIN_BIN` to use another build of the binary (a release one). The 100k-tasklet run
//! of issue 6 is the same test with the variables set (docs/reliability.md).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use skein_save::read_file;
use skein_save::world_load::{CodePolicy, load_world};
use skein_world::WorldOptions;

use crate::{below, rng, sim_with};

/// Every tasklet sleeps a tick or three, holding a few values, forever.
const SCRIPT: &str = "
import stackless
import sim
def worker(i):
    mine = [i, str(i), {'i': i}]
    while True:
        sim.sleep(1 + i % 3)
        mine[0] += 1
n = sim.param('n', 1000)
for i in range(n):
    stackless.tasklet(worker)(i)
";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn scratch(ext: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("skein-crash-{}-{ext}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The file must read and load into a fresh world: whole, not torn.
fn loads(path: &Path) -> Result<u64, String> {
    let save = read_file(path).map_err(|e| e.to_string())?;
    let mut s = sim_with(WorldOptions::default());
    load_world(&mut s.world, &save, CodePolicy::Saved).map_err(|e| e.to_string())?;
    Ok(save.header.tick)
}

fn start(script: &Path, save: &Path, n: u64) -> std::process::Child {
    start_with(
        script,
        n,
        &[
            "--save".as_ref(),
            save.as_os_str(),
            "--save-every".as_ref(),
            "1".as_ref(),
        ],
    )
}

fn start_with(script: &Path, n: u64, saving: &[&std::ffi::OsStr]) -> std::process::Child {
    let bin = std::env::var_os("SKEIN_BIN")
        .map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_skein")), PathBuf::from);
    Command::new(bin)
        .arg("run")
        .arg(script)
        .args(["--budget", "0", "--ticks", "1000000", "-q"])
        .arg("--param")
        .arg(format!("n={n}"))
        .args(saving)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts skein")
}

/// Waits until `path` holds a save newer than `old` (by modification time)
/// or `limit` passes; the time that took.
fn time_to_a_save(path: &Path, limit: Duration) -> Duration {
    let t = Instant::now();
    let old = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    while t.elapsed() < limit {
        let now = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        if now.is_some() && now != old {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    t.elapsed()
}

fn kill_loop(ext: &str, seed: u64) {
    let n = env_or("SKEIN_CRASH_TASKLETS", 2_000);
    let kills = env_or("SKEIN_CRASH_KILLS", 8);
    let dir = scratch(ext);
    let script = dir.join("big.sk");
    std::fs::write(&script, SCRIPT).expect("script");
    let save = dir.join(format!("world.{ext}"));
    let bak = dir.join(format!("world.{ext}.bak"));

    // One run to measure how long the first save and one more take, so the
    // kills land before, during and between saves.
    let mut child = start(&script, &save, n);
    let first = time_to_a_save(&save, Duration::from_secs(300));
    let one = time_to_a_save(&save, Duration::from_secs(300));
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert!(save.exists(), "no save within 300 s");
    let window = (first + one * 3).as_millis() as u64;
    eprintln!("{ext}: {n} tasklets, first save after {first:?}, then every {one:?}");

    let mut rng = rng(seed);
    let mut last = std::fs::read(&save).expect("first save");
    let (mut same, mut newer) = (0, 0);
    for k in 0..kills {
        let mut child = start(&script, &save, n);
        std::thread::sleep(Duration::from_millis(below(&mut rng, window)));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        let now = std::fs::read(&save).expect("the save is never missing");
        // A restarted run saves the same ticks again, so identical bytes may
        // also be a new save of the same tick: both are whole.
        if now == last {
            same += 1;
        } else {
            newer += 1;
        }
        if let Err(e) = loads(&save) {
            panic!("kill {k}: {} does not load: {e}", save.display());
        }
        if bak.exists()
            && let Err(e) = loads(&bak)
        {
            panic!("kill {k}: {} does not load: {e}", bak.display());
        }
        last = now;
    }
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| {
            ![
                "big.sk",
                &format!("world.{ext}"),
                &format!("world.{ext}.bak"),
            ]
            .contains(&f.as_str())
        })
        .collect();
    eprintln!(
        "{ext}: {kills} kills: {same} left identical bytes, {newer} different ones; temporary files left: {leftovers:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigkill_during_repeated_ron_saves_leaves_a_whole_save() {
    kill_loop("ron", 11);
}

#[test]
fn sigkill_during_repeated_binary_saves_leaves_a_whole_save() {
    kill_loop("bin", 12);
}

fn autosave_kill_loop(ext: &str, seed: u64, full_every: u64) {
    let n = env_or("SKEIN_CRASH_TASKLETS", 2_000);
    let kills = env_or("SKEIN_CRASH_KILLS", 8);
    let dir = scratch(&format!("auto-{ext}-{full_every}"));
    let script = dir.join("big.sk");
    std::fs::write(&script, SCRIPT).expect("script");
    let save = dir.join(format!("auto.{ext}"));
    let older = dir.join(format!("auto.{ext}.1"));
    let args = |p: &Path| -> Vec<std::ffi::OsString> {
        vec![
            "--autosave-every".into(),
            "1".into(),
            "--autosave".into(),
            p.as_os_str().to_owned(),
            "--keep".into(),
            "2".into(),
            "--full-every".into(),
            full_every.to_string().into(),
        ]
    };
    let args = args(&save);
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();

    let mut child = start_with(&script, n, &args);
    let first = time_to_a_save(&save, Duration::from_secs(300));
    let one = time_to_a_save(&save, Duration::from_secs(300));
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert!(save.exists(), "no autosave within 300 s");
    let window = (first + one * 3).as_millis() as u64;
    eprintln!("autosave {ext}: {n} tasklets, first after {first:?}, then every {one:?}");

    let mut rng = rng(seed);
    let mut ticks = Vec::new();
    for k in 0..kills {
        let mut child = start_with(&script, n, &args);
        std::thread::sleep(Duration::from_millis(below(&mut rng, window)));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        match loads(&save) {
            Ok(t) => ticks.push(t),
            Err(e) => panic!("kill {k}: {} does not load: {e}", save.display()),
        }
        if older.exists()
            && let Err(e) = loads(&older)
        {
            panic!("kill {k}: {} does not load: {e}", older.display());
        }
    }
    eprintln!("autosave {ext}: {kills} kills; the newest autosave was of ticks {ticks:?}");
    if full_every > 1 {
        // A restarted run clears away what the killed ones left once it has
        // written: the chain folder holds what PATH and PATH.1 reached then
        // (at most `full_every` files), what the last run wrote since (at
        // most `full_every + 1`), and the temporary file of a write each kill
        // may have cut short.
        let chain = skein_save::autosave::files::chain_dir(&save);
        let files = std::fs::read_dir(&chain).map_or(0, |d| d.count()) as u64;
        assert!(
            files <= 2 * full_every + 1 + kills,
            "{files} files in {}",
            chain.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigkill_during_ron_autosaves_leaves_a_loadable_autosave() {
    autosave_kill_loop("ron", 21, 1);
}

#[test]
fn sigkill_during_incremental_ron_autosaves_leaves_a_loadable_chain() {
    autosave_kill_loop("ron", 23, 3);
}

#[test]
fn sigkill_during_incremental_binary_autosaves_leaves_a_loadable_chain() {
    autosave_kill_loop("bin", 24, 3);
}

#[test]
fn sigkill_during_binary_autosaves_leaves_a_loadable_autosave() {
    autosave_kill_loop("bin", 22, 1);
}
