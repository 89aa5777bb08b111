//! Skein's world: tasklets and channels as bevy_ecs entities, run each tick
//! by one scheduler system with Stackless Python's exact rules
//! (`docs/stackless.md`).
//!
//! # Design
//! - A tasklet entity has a [`TaskletState`] (status, name, data, tempval,
//!   pending error, what it waits on, where its fiber is suspended) and a
//!   [`TaskletFiber`]; a channel entity has a [`ChannelState`] (flags and
//!   waiters in blocking order). Values name them by stable id; the id →
//!   entity table and the run ring live in the [`Scheduler`] resource, as an
//!   index-linked ring, so "runnable" is data and never a component added or
//!   removed (structural changes cost more than a whole rendezvous), and
//!   `t.run()` on a tasklet in the middle of the ring, `remove()` and
//!   insertion at the tail are all O(1), as in Stackless's linked list.
//! - [`run_tick`] is one exclusive system in [`SkeinSystems::Run`]. For the tick
//!   it takes the scheduler and the module globals out of the world and
//!   drives fibers through [`WorldHost`], the VM's `Host`; immediate natives
//!   see the scheduler put back.
//! - Blocking natives park their tasklet with a [`NativeRequest`] (plain
//!   data); ordinary systems serve them through the [`NativeQueue`]
//!   resource and complete them with a value.
//! - [`Simulation`] is a ready-made World + Schedule; a game with its own
//!   schedule calls [`init_world`], [`register_native`], [`load_options`]
//!   (for the loader), [`start_main`], adds [`run_tick`] in
//!   [`SkeinSystems::Run`], and asks [`is_idle`]. Between ticks, [`with_host`]
//!   runs the scripts' own tasklet and channel operations from Rust.
//! - [`run_file`] (or [`run::prepare`] + [`run::drive`]) is `skein run`.
//!
//! # Choices and limits, and why
//! - Immediate natives run with the scheduler put back in the world but the
//!   module globals still held by the VM (`step` borrows them), so a native
//!   cannot read script globals.
//! - A `send_sequence` resumed without a meeting (detached by `setstate`,
//!   then inserted) goes on with its next item: the sequence's progress is
//!   the state that matters, and the unsent item stays in its tempval.
//! - `tasklet(f)` takes a script function (or `None`): fibers run bytecode.

#![warn(missing_docs)]

#[cfg(feature = "app")]
pub mod app;
pub mod channels;
pub mod components;
mod function_cache;
pub mod held;
pub mod host;
pub mod host_args;
pub mod lookups;
pub mod modules;
pub mod natives;
mod quick;
pub mod random;
pub mod reload;
pub mod remote;
mod remote_home;
pub mod remote_publish;
mod remote_reads;
pub mod remote_state;
pub mod resources;
pub mod ring;
pub mod run;
pub mod save_access;
pub mod setup;
pub mod shard;
pub mod sim;
pub mod sleepers;
pub mod spans;
pub mod stack;
pub mod tasklets;
pub mod tick;
#[cfg(feature = "trace")]
pub mod timeline;
pub mod world_host;

/// The bevy_ecs this crate is built on, so a game uses the same version.
pub use bevy_ecs;
pub use components::{
    ChannelState, NativeRequest, SendSequence, Suspension, TaskletFiber, TaskletState, Wait,
    Waiters, empty_fiber,
};
pub use natives::{NativeCall, NativeCx, NativeFn, NativeKind, NativeQueue, Natives};
pub use resources::{
    Code, CowCopies, Output, RunCounters, Scheduler, ScriptGlobals, WorldOptions, WorldRng,
};
pub use ring::Ring;
pub use run::{RunError, RunOptions, RunSummary, run_file};
#[allow(deprecated)]
pub use setup::{
    SkeinSet, SkeinSystems, WorldError, entity_of, init_world, is_idle, load_options,
    register_native, start_main, start_main_source, with_host,
};
pub use sim::Simulation;
pub use tick::run_tick;
pub use world_host::WorldHost;
