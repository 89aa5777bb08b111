//! Following a chain of deltas back to its full save. A delta names its base
//! by content hash; autosave keeps the files of a chain in a folder beside
//! `PATH` (`PATH.chain/`), each named by its hash, so a base is looked for in
//! the delta's own folder and in every `*.chain` folder beside it, and is
//! taken only if its bytes have that hash.

use std::path::{Path, PathBuf};

use crate::code::ContentHash;
use crate::error::{LoadError, Problem};
use crate::format::SaveFile;
use crate::read::{from_bytes, read_limited};

use super::apply::apply;
use super::file::{DeltaFile, delta_from_bytes, file_hash, is_delta};

/// The longest chain a loader follows (a hostile set of files could name
/// each other in a loop).
pub const MAX_CHAIN: usize = 10_000;

/// The file of content hash `hash` for a delta read from `file`: in the
/// delta's folder or a `*.chain` folder beside it, named by the hash (with
/// any extension).
pub fn find_base(file: &Path, hash: ContentHash) -> Option<PathBuf> {
    let dir = crate::write::parent_dir(file);
    let mut dirs = vec![dir.clone()];
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut chains: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "chain") && p.is_dir())
            .collect();
        chains.sort();
        dirs.extend(chains);
    }
    let name = hash.to_string();
    for d in dirs {
        for candidate in [
            d.join(&name),
            d.join(format!("{name}.bin")),
            d.join(format!("{name}.ron")),
        ] {
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The records of the delta in `bytes` (read from `file`): its chain read
/// back to a full save, then every delta applied from the oldest on.
pub fn read_chain(file: &Path, bytes: &[u8]) -> Result<SaveFile, LoadError> {
    let name = |p: &Path| p.display().to_string();
    let mut deltas: Vec<DeltaFile> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut current = (file.to_path_buf(), bytes.to_vec());
    let base = loop {
        let (path, bytes) = &current;
        if !is_delta(bytes) {
            break from_bytes(bytes).map_err(|e| e.in_file(name(path)))?;
        }
        if deltas.len() >= MAX_CHAIN {
            return Err(LoadError::whole(Problem::Invalid(format!(
                "a chain of more than {MAX_CHAIN} deltas"
            )))
            .in_file(name(file)));
        }
        let delta = delta_from_bytes(bytes).map_err(|e| e.in_file(name(path)))?;
        let want = delta.header.base;
        if !seen.insert(want) {
            return Err(LoadError::whole(Problem::Invalid(format!(
                "the chain of deltas comes back to {want}: it loops"
            )))
            .in_file(name(path)));
        }
        let Some(base_path) = find_base(path, want) else {
            return Err(LoadError::whole(Problem::Invalid(format!(
                "the autosave this delta extends ({want}, of tick {}) is missing",
                delta.header.base_tick
            )))
            .in_file(name(path)));
        };
        let base_bytes = read_limited(&base_path)?;
        if file_hash(&base_bytes) != want {
            return Err(LoadError::whole(Problem::Invalid(format!(
                "{} does not have the content hash {want} its name says",
                name(&base_path)
            )))
            .in_file(name(path)));
        }
        deltas.push(delta);
        current = (base_path, base_bytes);
    };
    let mut save = base;
    while let Some(delta) = deltas.pop() {
        save = apply(save, delta).map_err(|e| e.in_file(name(file)))?;
    }
    Ok(save)
}
