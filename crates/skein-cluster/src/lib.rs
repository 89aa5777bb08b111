//! One Skein world over several shards (docs/cluster.md): shards tick in
//! lockstep, each publishing a tick record and the messages it sent, and
//! apply what others sent them at the start of their next tick, in an order
//! fixed by sending shard and send order, so a cluster is deterministic.
//!
//! - [`transport`]: what a shard needs from the network — publish a tick's
//!   messages and record, then wait for every shard's record of that tick
//!   and its own inbox — as the [`Transport`] trait;
//! - [`memory`]: a transport between threads of one process, for tests;
//! - [`nats`]: the transport on NATS JetStream, for shards in processes of
//!   their own; [`run_info`]: what the shards of a run must agree on;
//! - [`shard`]: one shard's tick loop over any transport;
//! - [`local`]: N shards on threads of this process;
//! - [`wire`]: remote channel operations and answers as bytes.

#![warn(missing_docs)]

pub mod local;
pub mod memory;
pub mod nats;
pub mod run_info;
pub mod server;
pub mod shard;
pub mod transport;
pub mod wire;

pub use shard::{ShardOptions, ShardRunner, ShardSummary, TickOutput};
pub use transport::{Envelope, Payload, TickRecord, Transport, TransportError};

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
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
}
