//! [`ClusterError`]: what can stop a shard.

use crate::transport::TransportError;

/// What can stop a shard.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The script did not load, or an option was bad.
    #[error("{0}")]
    Run(#[from] skein_world::RunError),
    /// The network failed or a peer broke the protocol (a `Mismatch`: the
    /// shards do not run the same thing).
    #[error("{0}")]
    Transport(#[from] TransportError),
    /// A tasklet could not leave or arrive (a shard's world and its peers
    /// disagree, which deterministic shards never do).
    #[error("moving tasklet #{id}: {message}")]
    Migrant {
        /// The tasklet's id.
        id: u64,
        /// What went wrong.
        message: String,
    },
    /// A remote channel message could not be encoded or applied (shards
    /// that disagree, which deterministic shards never do).
    #[error("remote channel operation: {0}")]
    Remote(String),
    /// Autosaves failed `--autosave-failures` times in a row (exit code 3:
    /// the shard stops rather than let its inbox grow without bound).
    #[error("{0}")]
    Autosave(String),
    /// The save a shard resumed from does not hold together (exit code 2).
    #[error("{0}")]
    Resume(String),
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
}
