//! Reading saves: a file, following an incremental autosave's chain back to
//! its full save. Parsing bytes (header first, then the body of the
//! header's format version, with migration from older versions) lives in
//! the `parse` module beneath, re-exported here.

pub(crate) mod fast_ron;
mod parse;

use std::path::Path;

use crate::error::LoadError;
use crate::format::SaveFile;

pub(crate) use parse::read_limited;
pub use parse::{MAX_FILE_BYTES, OLDEST_VERSION, from_bytes, header_of};

/// Reads and parses a save file (following a delta's chain back to its
/// full save); errors name the file.
pub fn read_file(path: &Path) -> Result<SaveFile, LoadError> {
    let name = path.display().to_string();
    let bytes = read_limited(path)?;
    // An incremental autosave: its chain back to a full save, applied.
    if crate::delta::is_delta(&bytes) {
        return crate::delta::read_chain(path, &bytes);
    }
    from_bytes(&bytes).map_err(|e| e.in_file(&name))
}
