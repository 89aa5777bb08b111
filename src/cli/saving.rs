//! Writing the world to `--save PATH`: the save made between ticks, written
//! atomically (the previous file kept as `PATH.bak`); a failure is exit 3.
//! And finding the file to read for a save whose newest copy is missing.

use std::path::Path;

use skein_save::Encoding;
use skein_world::Simulation;

use super::failure::Failure;
use super::output::report;

/// Saves the whole world of `sim` to `path` (a binary save is written
/// straight from the snapshot, with no records in between).
pub fn save_world(sim: &Simulation, path: &Path, encoding: Encoding) -> Result<(), Failure> {
    let cannot =
        |e: skein_save::SaveError| Failure::cannot_write(format!("cannot save the world: {e}"));
    let mut snap = skein_save::snapshot::Snapshot::take(&sim.world).map_err(cannot)?;
    let bytes = snap.encode(encoding).map_err(cannot)?;
    make_folder(path)?;
    skein_save::write_atomic(path, &bytes).map_err(Failure::cannot_write)?;
    tracing::debug!(path = %path.display(), tick = snap.tick(), "saved");
    Ok(())
}

/// Writes a save file, creating its folder if needed.
pub fn write(path: &Path, save: &skein_save::SaveFile, encoding: Encoding) -> Result<(), Failure> {
    make_folder(path)?;
    skein_save::write_file(path, save, encoding).map_err(Failure::cannot_write)
}

/// Creates the folder `path` goes in, if it has one and it is missing.
fn make_folder(path: &Path) -> Result<(), Failure> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return Err(Failure::cannot_write(format!(
            "cannot create {}: {e}",
            dir.display()
        )));
    }
    Ok(())
}

/// The file to read for a save named `path`: `path`, or if it is missing
/// the newest of its older autosaves (`PATH.1`, `PATH.2`, …), saying so.
pub fn existing(path: &Path) -> std::path::PathBuf {
    match skein_save::autosave::files::newest(path) {
        Some((found, true)) => {
            report(&format!(
                "note: {} is missing; reading {}, the newest older autosave",
                path.display(),
                found.display()
            ));
            found
        }
        Some((found, false)) => found,
        None => path.to_path_buf(),
    }
}
