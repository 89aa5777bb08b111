//! Helpers the cluster test files share: the repository's root, a world
//! builder for a script, shards' output as `skein cluster` prints it, and
//! a shard's save as text, loaded back or edited into a hostile one, and a
//! look at a JetStream stream.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skein_cluster::ClusterError;
use skein_cluster::TickOutput;
use skein_cluster::local::{BuildWorld, LocalShard, run_local};
use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Encoding, LoadError, SaveFile, from_bytes, to_bytes};
use skein_world::{Simulation, WorldOptions};

/// The workspace root, where `assets/` is.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds each shard's world running the script at `path`.
pub fn builder(path: PathBuf) -> BuildWorld {
    Arc::new(move |options: WorldOptions| {
        let mut sim = Simulation::new(options);
        sim.load_main(&path)
            .map_err(|e| ClusterError::Run(skein_world::RunError::Usage(e.to_string())))?;
        Ok(sim)
    })
}

/// Each shard's output (stdout, then stderr) of an uninterrupted
/// in-process run of the script at `path` over `n` shards, to tick `end`.
pub fn uninterrupted(path: &Path, n: u32, end: u64) -> Vec<String> {
    run_local(
        builder(path.to_path_buf()),
        &WorldOptions::default(),
        n,
        Some(end),
    )
    .into_iter()
    .map(|s| {
        s.result.expect("uninterrupted run");
        s.stdout + &s.stderr
    })
    .collect()
}

/// Where a cluster of one shard, built by `build` for each script and run
/// for at most `ticks` ticks, does not print exactly what `plain` gives for
/// it (stdout, stderr): a text per script that differs or fails.
pub fn one_shard_differences(
    scripts: &[PathBuf],
    build: impl Fn(PathBuf) -> BuildWorld,
    ticks: u64,
    plain: impl Fn(&Path) -> (String, String),
) -> Vec<String> {
    let mut failures = Vec::new();
    for path in scripts {
        let want = plain(path);
        let got = run_local(
            build(path.clone()),
            &WorldOptions::default(),
            1,
            Some(ticks),
        );
        let [shard] = &got[..] else {
            panic!("one shard ran");
        };
        if let Err(e) = &shard.result {
            failures.push(format!("{}: {e}", path.display()));
        } else if (&shard.stdout, &shard.stderr) != (&want.0, &want.1) {
            failures.push(format!(
                "{}:\n--- cluster\n{}{}--- plain\n{}{}",
                path.display(),
                shard.stdout,
                shard.stderr,
                want.0,
                want.1
            ));
        }
    }
    failures
}

/// Every shard's output, each line prefixed `[K] `, shard after shard.
pub fn prefixed(shards: &[LocalShard]) -> String {
    let mut text = String::new();
    for (k, s) in shards.iter().enumerate() {
        if let Err(e) = &s.result {
            panic!("shard {k} failed: {e}");
        }
        for line in s.stdout.lines().chain(s.stderr.lines()) {
            text.push_str(&format!("[{k}] {line}\n"));
        }
    }
    text
}

/// Shard 0 of a two-shard world running the script at `path`, after its
/// first tick: a world whose save has a shard record.
pub fn shard_0_after_one_tick(path: PathBuf) -> Simulation {
    let mut sim = builder(path)(WorldOptions {
        shard: 0,
        shards: 2,
        ..WorldOptions::default()
    })
    .expect("builds");
    sim.tick();
    sim
}

/// `sim`'s save, and its text (pretty RON) for a test to read and edit.
pub fn saved_text(sim: &Simulation) -> (SaveFile, String) {
    let save = save_world(&sim.world).expect("saves");
    let text =
        String::from_utf8(to_bytes(&save, Encoding::Pretty).expect("encodes")).expect("utf8");
    (save, text)
}

/// A save's text loaded into a fresh world.
pub fn load_text(text: &str) -> Result<Simulation, LoadError> {
    let save = from_bytes(text.as_bytes()).expect("reads");
    let mut fresh = Simulation::new(WorldOptions::default());
    load_world(&mut fresh.world, &save, CodePolicy::Saved).map(|_| fresh)
}

/// Each edit `(from, to, field)` of a shard's save text is refused with an
/// error naming `skein.shard` and the field, and leaves the world it was
/// loaded into untouched.
pub fn each_edit_refused(text: &str, edits: &[(&str, &str, &str)]) {
    for (from, to, want) in edits {
        assert!(text.contains(from), "{from} in {text}");
        let save = from_bytes(text.replacen(from, to, 1).as_bytes()).expect("reads");
        let mut fresh = Simulation::new(WorldOptions::default());
        let err = load_world(&mut fresh.world, &save, CodePolicy::Saved)
            .expect_err("refused")
            .to_string();
        assert!(
            err.contains("skein.shard") && err.contains(want),
            "{from} → {to}: {err}"
        );
        assert_eq!(fresh.world.resource::<skein_world::Scheduler>().main, 0);
    }
}

/// What `look` finds in the JetStream stream `name` of the server at `url`.
pub fn on_stream<T>(
    url: &str,
    name: &str,
    look: impl AsyncFnOnce(async_nats::jetstream::stream::Stream) -> T,
) -> T {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let client = async_nats::connect(url).await.expect("connects");
        let js = async_nats::jetstream::new(client);
        let stream = js.get_stream(name).await.expect("the stream");
        look(stream).await
    })
}

/// A tick handler that appends each tick's output and error reports to
/// `out`, in the one stream a shard's tests compare.
pub fn collect_into(out: &mut String) -> impl FnMut(TickOutput) -> std::io::Result<()> + '_ {
    move |t| {
        out.push_str(t.stdout);
        out.push_str(t.stderr);
        Ok(())
    }
}
