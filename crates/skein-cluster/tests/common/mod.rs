//! Helpers the cluster test files share: the repository's root, a world
//! builder for a script, and shards' output as `skein cluster` prints it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skein_cluster::ClusterError;
use skein_cluster::local::{BuildWorld, LocalShard};
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
