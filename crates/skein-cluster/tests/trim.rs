//! The run's streams are trimmed behind the autosaves: shards whose
//! autosaves (written on their own thread) reach disk let their inbox and
//! their tick records go up to what every shard's autosave covers, so
//! the streams hold a few ticks' worth at the end of a long run rather than
//! all of it — and the run's output is still the in-memory cluster's.

use std::time::Duration;

use skein_cluster::autosave::{ShardAutosave, ShardAutosaveOptions};
use skein_cluster::local::run_local;
use skein_cluster::nats::{NatsOptions, NatsTransport};
use skein_cluster::run_info::RunInfo;
use skein_cluster::server::NatsServer;
use skein_cluster::{ShardOptions, ShardRunner};
use skein_world::WorldOptions;

#[allow(dead_code)]
mod common;
use common::{builder, on_stream, prefixed, root};

const SHARDS: u32 = 2;
/// The shards autosave at multiples of this.
const EVERY: u64 = 5;

/// How many messages a stream holds, and its first sequence.
fn stream_state(url: &str, name: &str) -> (u64, u64) {
    on_stream(url, name, async |mut s| {
        let info = s.info().await.expect("its state");
        (info.state.messages, info.state.first_sequence)
    })
}

#[test]
fn streams_keep_only_what_the_autosaves_do_not_cover() {
    let store = std::env::temp_dir().join(format!("skein-nats-{}-trim", std::process::id()));
    let server = NatsServer::start(&store, true).expect("nats-server starts");
    let url = server.url();
    // Two walkers cross between the shards every tick for 80 ticks.
    let script = root().join("tests/cli/cluster/long_walk.sk");
    let build = builder(script);
    let handles: Vec<_> = (0..SHARDS)
        .map(|k| {
            let (build, url, dir) = (build.clone(), url.clone(), store.join("saves"));
            std::thread::spawn(move || {
                let sim = build(WorldOptions {
                    shard: u64::from(k),
                    shards: u64::from(SHARDS),
                    ..WorldOptions::default()
                })
                .expect("the world");
                let info = RunInfo::of(&sim.world, SHARDS, None);
                let opts = NatsOptions {
                    url,
                    cluster: "trim".into(),
                    shard: k,
                    shards: SHARDS,
                    timeout: Duration::from_secs(10),
                    resume: None,
                };
                let t = NatsTransport::connect(opts, info).expect("connects");
                let run = t.run_id().to_string();
                let opts = ShardOptions {
                    shard: k,
                    shards: SHARDS,
                    ticks: None,
                };
                let mut runner = ShardRunner::new(sim, t, opts);
                runner.with_autosave(ShardAutosave::new(ShardAutosaveOptions {
                    path: dir.join(format!("trim-{k}.bin")),
                    every: EVERY,
                    keep: 2,
                    failures: 3,
                    fault: None,
                    // Each write lands before the next tick, so what the
                    // streams keep at the end does not depend on how fast
                    // the disk is.
                    wait: true,
                }));
                let mut out = String::new();
                let summary = runner
                    .run(&mut |t| {
                        out.push_str(t.stdout);
                        Ok(())
                    })
                    .expect("the shard runs");
                (out, summary.ticks, run)
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("a shard thread"))
        .collect();
    let local = run_local(build, &WorldOptions::default(), SHARDS, None);
    let got: String = results
        .iter()
        .enumerate()
        .flat_map(|(k, (out, _, _))| out.lines().map(move |l| format!("[{k}] {l}\n")))
        .collect();
    assert_eq!(got, prefixed(&local));
    let (ticks, run) = (results[0].1, results[0].2.clone());
    assert!(ticks > 50, "{ticks} ticks");
    let (records, first) = stream_state(&url, &format!("skein-trim-{run}-ticks"));
    // Every shard publishes one record a tick; all but the last few are gone.
    assert!(first > 1, "nothing trimmed from the records");
    assert!(
        records <= SHARDS as u64 * (EVERY + 2),
        "{records} records kept of {}",
        ticks * u64::from(SHARDS)
    );
    for k in 0..SHARDS {
        let (kept, first) = stream_state(&url, &format!("skein-trim-{run}-in-{k}"));
        assert!(first > 1, "nothing trimmed from inbox {k}");
        // Two walkers cross every tick: at most the ticks since the last
        // autosave are kept.
        assert!(kept <= 2 * (EVERY + 2), "inbox {k} keeps {kept}");
    }
}
