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
//! - [`wire`]: remote channel operations and answers as bytes;
//! - [`autosave`]: a shard's autosaves, written on a thread of their own;
//!   [`publishing`]: what a tick sent, kept in an autosave made while it
//!   was not all acknowledged;
//! - [`fault`]: the fault-injection hook crash tests stop a shard with.

#![warn(missing_docs)]

pub mod autosave;
pub mod error;
pub mod fault;
pub mod local;
pub mod memory;
pub mod nats;
mod nats_bundle;
mod nats_quiet;
mod nats_records;
mod nats_streams;
mod nats_trim;
pub mod publishing;
pub mod run_info;
pub mod server;
pub mod shard;
pub mod transport;
pub mod wire;

pub use error::ClusterError;
pub use shard::{ShardOptions, ShardRunner, ShardSummary, TickOutput};
pub use transport::{Envelope, Payload, TickRecord, Transport, TransportError};
