//! N shards on threads of this process over the in-memory transport: what
//! the tests use to check a cluster without a network, and a quick way to
//! try a cluster script.

use std::sync::Arc;

use skein_world::{Simulation, WorldOptions};

use crate::ClusterError;
use crate::memory::memory_cluster;
use crate::shard::{ShardOptions, ShardRunner, ShardSummary};

/// Builds shard k's world from its options (shard number and count set),
/// main module loaded.
pub type BuildWorld = Arc<dyn Fn(WorldOptions) -> Result<Simulation, ClusterError> + Send + Sync>;

/// One shard's run: everything it printed and how it ended.
#[derive(Debug)]
pub struct LocalShard {
    pub stdout: String,
    pub stderr: String,
    pub result: Result<ShardSummary, String>,
}

/// Runs `shards` shards of the world `build` makes (from `options`, with
/// each shard's number and the count filled in) until the cluster ends or
/// reaches tick `ticks`. Returns each shard's run, in shard order.
pub fn run_local(
    build: BuildWorld,
    options: &WorldOptions,
    shards: u32,
    ticks: Option<u64>,
) -> Vec<LocalShard> {
    let transports = memory_cluster(shards);
    let handles: Vec<_> = transports
        .into_iter()
        .enumerate()
        .map(|(k, transport)| {
            let build = build.clone();
            let options = WorldOptions {
                shard: k as u64,
                shards: shards.max(1) as u64,
                ..options.clone()
            };
            std::thread::spawn(move || {
                let mut stdout = String::new();
                let mut stderr = String::new();
                let sim = match build(options) {
                    Ok(sim) => sim,
                    Err(e) => {
                        transport.fail(&e.to_string());
                        return LocalShard {
                            stdout,
                            stderr,
                            result: Err(e.to_string()),
                        };
                    }
                };
                let fail = transport.handle();
                let opts = ShardOptions {
                    shard: k as u32,
                    shards: shards.max(1),
                    ticks,
                };
                let mut runner = ShardRunner::new(sim, transport, opts);
                let result = runner.run(&mut |t| {
                    stdout.push_str(t.stdout);
                    stderr.push_str(t.stderr);
                    Ok(())
                });
                if let Err(e) = &result {
                    fail.fail(&e.to_string());
                }
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
