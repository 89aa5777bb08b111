//! N shards on threads of this process: over the in-memory transport (what
//! the tests use to check a cluster without a network), or over any
//! transport a caller connects per shard (NATS, in its tests).

use std::sync::{Arc, Mutex};

use skein_world::{Simulation, WorldOptions};

use crate::ClusterError;
use crate::memory::memory_cluster;
use crate::shard::{ShardOptions, ShardRunner, ShardSummary};
use crate::transport::Transport;

/// Builds shard k's world from its options (shard number and count set),
/// main module loaded.
pub type BuildWorld = Arc<dyn Fn(WorldOptions) -> Result<Simulation, ClusterError> + Send + Sync>;

/// One shard's run: everything it printed and how it ended.
#[derive(Debug)]
pub struct LocalShard {
    /// Its script output.
    pub stdout: String,
    /// Its error reports.
    pub stderr: String,
    /// What it did, or why it stopped.
    pub result: Result<ShardSummary, String>,
}

/// Runs `shards` shards over the in-memory transport; see [`run_threads`].
pub fn run_local(
    build: BuildWorld,
    options: &WorldOptions,
    shards: u32,
    ticks: Option<u64>,
) -> Vec<LocalShard> {
    let transports = Arc::new(Mutex::new(
        memory_cluster(shards)
            .into_iter()
            .map(Some)
            .collect::<Vec<_>>(),
    ));
    let take = {
        let transports = transports.clone();
        move |k: u64| {
            transports
                .lock()
                .ok()
                .and_then(|mut t| t.get_mut(k as usize).and_then(Option::take))
        }
    };
    // A shard whose world does not build tells the others, which would
    // otherwise wait for it at the first barrier.
    let fail_early = take.clone();
    let build: BuildWorld = Arc::new(move |options: WorldOptions| {
        let k = options.shard;
        build(options).inspect_err(|e| {
            if let Some(t) = fail_early(k) {
                t.fail(&e.to_string());
            }
        })
    });
    run_threads(build, options, shards, ticks, move |k, _| {
        take(k as u64).ok_or_else(|| {
            ClusterError::Transport(crate::TransportError::Failed(format!(
                "no transport for shard {k}"
            )))
        })
    })
}

/// Runs `shards` shards of the world `build` makes (from `options`, with
/// each shard's number and count filled in), each on a thread with the
/// transport `connect` gives it once its world is built, until the cluster
/// ends or reaches tick `ticks`. Returns each shard's run, in shard order.
pub fn run_threads<T, C>(
    build: BuildWorld,
    options: &WorldOptions,
    shards: u32,
    ticks: Option<u64>,
    connect: C,
) -> Vec<LocalShard>
where
    T: Transport,
    C: Fn(u32, &Simulation) -> Result<T, ClusterError> + Send + Sync + 'static,
{
    let n = shards.max(1);
    let connect = Arc::new(connect);
    let handles: Vec<_> = (0..n)
        .map(|k| {
            let build = build.clone();
            let connect = connect.clone();
            let options = WorldOptions {
                shard: k as u64,
                shards: n as u64,
                ..options.clone()
            };
            std::thread::spawn(move || {
                let mut stdout = String::new();
                let mut stderr = String::new();
                let started = build(options).and_then(|sim| {
                    let t = connect(k, &sim)?;
                    Ok((sim, t))
                });
                let (sim, transport) = match started {
                    Ok(st) => st,
                    Err(e) => {
                        return LocalShard {
                            stdout,
                            stderr,
                            result: Err(e.to_string()),
                        };
                    }
                };
                let opts = ShardOptions {
                    shard: k,
                    shards: n,
                    ticks,
                };
                let mut runner = ShardRunner::new(sim, transport, opts);
                let result = runner.run(&mut |t| {
                    stdout.push_str(t.stdout);
                    stderr.push_str(t.stderr);
                    Ok(())
                });
                LocalShard {
                    stdout,
                    stderr,
                    result: result.map_err(|e| e.to_string()),
                }
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| {
            h.join().unwrap_or_else(|_| LocalShard {
                stdout: String::new(),
                stderr: String::new(),
                result: Err("the shard's thread panicked".into()),
            })
        })
        .collect()
}
