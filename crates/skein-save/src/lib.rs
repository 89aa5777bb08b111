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
//! - [`error`]: what went wrong, with the file, position and field path.
//!
//! Host components and resources that a game registers are saved by a stable
//! tag as RON text ([`ext`]). Components that are not registered are not
//! saved at all.

pub mod check;
pub mod code;
pub mod error;
pub mod ext;
pub mod extract;
pub mod format;
pub mod inspect;
pub mod names;
pub mod pickle;
pub mod read;
pub mod registry;
pub mod selection;
mod staging;
mod tasklet;
pub mod values;
pub mod world_load;
pub mod world_save;
pub mod write;

pub use error::{FieldPath, LoadError, Problem, SaveError};
pub use format::{Header, SaveFile, SaveKind};
pub use read::{from_bytes, read_file};
pub use write::{Encoding, to_bytes, write_atomic, write_file};
