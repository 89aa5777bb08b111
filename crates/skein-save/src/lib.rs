//! Skein saves: a whole world, or any selection of tasklets and channels, as
//! a RON (or binary) file that a person can read and diff, and back.
//!
//! The layers, bottom up:
//! - [`format`]: the file's records — a header read first, then flat lists
//!   of tasklets, channels, frames and modules that refer to each other by id;
//! - [`values`]: script values as records, with a flat table for deep or
//!   shared parts, so nothing recurses without bound;
//! - [`code`]: content hashes of functions and modules;
//! - [`check`]: saved frames checked against the verifier;
//! - [`write`] and [`read`]: bytes and files (atomic writes, versions);
//! - [`delta`]: incremental autosaves, and following their chains;
//! - [`error`]: what went wrong, with the file, position and field path.
//!
//! On top of them: [`snapshot`] (a world frozen at a tick boundary),
//! [`world_save`] and [`world_load`] (a whole world), [`binary`] (a world's
//! binary save written straight from a snapshot, with no records between),
//! [`selection`] (chosen tasklets and channels, saved from one world and
//! loaded into a running one), [`pickle`] (the script module), [`extract`]
//! and [`inspect`] (the binary's tools), and [`registry`].
//!
//! Host components and resources that a game registers in a
//! [`registry::SaveRegistry`] are saved by a stable tag as RON text
//! ([`ext`]). Components and resources that are not registered are not saved
//! at all.
//!
//! How the binary uses it:
//! ```ignore
//! // Every world, run or resumed, gets the pickle module before its scripts.
//! skein_save::pickle::install(&mut sim.world);
//! // skein run … --save PATH [--compact|--binary]  (between ticks)
//! let mut snap = skein_save::snapshot::Snapshot::take(&sim.world)?;
//! let bytes = snap.encode(Encoding::choose(path, compact, binary))?;
//! skein_save::write_atomic(path, &bytes)?;
//! // skein resume SAVE [--code current]: a fresh world, then the save.
//! let save = skein_save::read_file(path)?;
//! skein_save::world_load::load_world(&mut sim.world, &save, CodePolicy::Saved)?;
//! // skein run … --load PART [--schedule]
//! skein_save::selection::load_selection(&mut sim.world, &part, schedule)?;
//! // skein inspect / extract
//! print!("{}", skein_save::inspect::text(&save));
//! let part = skein_save::extract::extract(&save, &selectors, |_| {})?;
//! ```

#![warn(missing_docs)]

#[cfg(feature = "app")]
pub mod app;
pub mod autosave;
pub mod binary;
mod bytes;
pub mod check;
pub mod code;
pub mod crossing;
pub mod delta;
mod direct;
pub mod error;
pub mod ext;
pub mod extract;
pub mod format;
mod id_map;
pub mod inspect;
pub mod migrant;
pub mod names;
pub mod pickle;
pub mod read;
pub mod registry;
pub mod replace;
mod resolve;
pub mod saved_code;
pub mod selection;
pub mod shard_inspect;
mod shard_load;
pub mod shard_save;
pub mod snapshot;
mod staging;
mod tasklet;
pub mod values;
pub mod versions;
pub mod world_load;
pub mod world_save;
pub mod write;

pub use error::{FieldPath, LoadError, Problem, SaveError};
pub use format::{Header, SaveFile, SaveKind};
pub use read::{from_bytes, read_file};
pub use write::{Encoding, to_bytes, write_atomic, write_file};
