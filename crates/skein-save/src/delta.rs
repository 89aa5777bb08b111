//! Incremental autosaves: a delta file holds only what changed since the
//! autosave it extends — the tasklets and channels created or changed (whole
//! records, host components included), the ids of those deleted, and the
//! world's own state (ring, sleepers, globals, generator, counters,
//! resources, code) — and names that autosave by the content hash of its
//! file, never by its path. A chain is a full save followed by deltas;
//! [`read_chain`] follows one back to its full save and applies the deltas
//! in order, giving the same records a full save of the newest tick would
//! hold (the value table may keep entries nothing refers to any more), which
//! are then checked and loaded like any other save.
//!
//! What changed is Skein's own record ([`Snapshot::retake_with`]): each
//! entry of a snapshot is compared against the snapshot the previous
//! autosave was written from, by the change ticks of its state, fiber and
//! registered components, and entries no longer found are listed deleted.

mod apply;
mod chain;
mod file;

use crate::code::ContentHash;
use crate::error::SaveError;
use crate::format::{FORMAT_VERSION, PRODUCER};
use crate::names::world_module_recs;
use crate::snapshot::Snapshot;
use crate::values::Encoder;

pub use apply::apply;
pub use chain::{MAX_CHAIN, find_base, read_chain};
pub use file::{
    DELTA_FORMAT, DELTA_MAGIC, DeltaBody, DeltaFile, DeltaHeader, ExtPatch, delta_from_bytes,
    delta_to_bytes, file_hash, is_delta,
};

impl Snapshot {
    /// What changed since the snapshot this one was retaken from, as a delta
    /// extending the file with content hash `base` (of tick `base_tick`).
    /// Each encoded fiber is let go, as in [`to_save`](Snapshot::to_save).
    pub fn to_delta(&mut self, base: ContentHash, base_tick: u64) -> Result<DeltaFile, SaveError> {
        if !self.incremental {
            return Err(SaveError::Unsaveable(
                "this snapshot was not retaken from an earlier one, so only a full save describes it"
                    .into(),
            ));
        }
        let program = self.program.clone();
        let mut enc = Encoder::new(&program);
        let recs = self.entry_recs(&mut enc, true)?;
        let world = self.world_rec(&mut enc)?;
        Ok(DeltaFile {
            header: DeltaHeader {
                format: DELTA_FORMAT.to_string(),
                version: FORMAT_VERSION,
                producer: PRODUCER.to_string(),
                tick: self.tick,
                seed: self.options.seed,
                base,
                base_tick,
            },
            body: DeltaBody {
                modules: if self.code_changed {
                    world_module_recs(&program)
                } else {
                    Vec::new()
                },
                tasklets: recs.tasklets,
                channels: recs.channels,
                patches: recs.patches,
                deleted: self.deleted.clone(),
                world,
                values: enc.into_table(),
            },
        })
    }

    /// How many tasklets and channels a delta of this snapshot writes.
    pub fn dirty_count(&self) -> usize {
        // A full snapshot does not mark its entries: all are to be written.
        let all = !self.incremental;
        self.entries
            .iter()
            .flatten()
            .filter(|h| all || h.dirty())
            .count()
    }
}
