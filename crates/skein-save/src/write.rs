//! Writing saves: the records to bytes (pretty RON, compact RON or binary),
//! byte for byte the same for the same records, and to files atomically.
//!
//! A file is written to a temporary file in the same folder, flushed and
//! synced, the previous file is kept as `PATH.bak` (by a hard link, or a copy
//! where links are not possible, made before the rename, so `PATH` is never
//! missing), the temporary file is renamed over `PATH`, and the folder is
//! synced so the rename itself survives a crash. A crash at any point leaves
//! either the old save or the new one whole.

pub(crate) mod quick_ron;
mod ron_live;
mod ron_snapshot;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::SaveError;
use crate::format::SaveFile;

/// The first bytes of a binary save. A NUL never starts a RON file, so a
/// reader tells the two encodings apart from the first byte.
pub const BINARY_MAGIC: &[u8] = b"\0skein-save\0";

/// How the records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// Indented RON: the default, for people and diffs.
    #[default]
    Pretty,
    /// RON without whitespace (`--compact`).
    Compact,
    /// Postcard after [`BINARY_MAGIC`] (`--binary`, or a `.bin` path).
    Binary,
}

impl Encoding {
    /// The encoding chosen by the flags, or by a `.bin` extension.
    pub fn choose(path: &Path, compact: bool, binary: bool) -> Encoding {
        if binary || path.extension().is_some_and(|e| e == "bin") {
            Encoding::Binary
        } else if compact {
            Encoding::Compact
        } else {
            Encoding::Pretty
        }
    }
}

/// The pretty layout: records and their fields one per line, and from the
/// depth of a frame's slots on, each value on one line.
fn pretty() -> ron::ser::PrettyConfig {
    ron::ser::PrettyConfig::new()
        .indentor("  ".to_string())
        .depth_limit(7)
}

/// The records as bytes.
pub fn to_bytes(save: &SaveFile, encoding: Encoding) -> Result<Vec<u8>, SaveError> {
    let enc = |e: &dyn std::fmt::Display| SaveError::Encode(e.to_string());
    match encoding {
        Encoding::Pretty => {
            let mut s = ron::Options::default()
                .to_string_pretty(save, pretty())
                .map_err(|e| enc(&e))?;
            s.push('\n');
            Ok(s.into_bytes())
        }
        Encoding::Compact => {
            // The quick writer's bytes are `ron`'s; where it gives up, `ron`
            // writes the save (and reports what it cannot write).
            let mut out = Vec::new();
            if quick_ron::write(save, &mut out).is_err() {
                out = ron::Options::default()
                    .to_string(save)
                    .map_err(|e| enc(&e))?
                    .into_bytes();
            }
            out.push(b'\n');
            Ok(out)
        }
        Encoding::Binary => {
            let mut out = BINARY_MAGIC.to_vec();
            postcard::to_io(save, &mut out).map_err(|e| enc(&e))?;
            Ok(out)
        }
    }
}

/// Encodes and writes a save atomically (see the module doc).
pub fn write_file(path: &Path, save: &SaveFile, encoding: Encoding) -> Result<(), SaveError> {
    let bytes = to_bytes(save, encoding)?;
    write_atomic(path, &bytes)
}

/// Writes `bytes` to `path` atomically, keeping the previous file as
/// `PATH.bak`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SaveError> {
    replace_file(path, bytes, "tmp", |path, dir, name| {
        if path.exists() {
            keep_backup(path, dir, name)?;
        }
        Ok(())
    })
}

fn io(p: &Path, source: std::io::Error) -> SaveError {
    SaveError::Io {
        path: p.display().to_string(),
        source,
    }
}

/// The folder `path` is in (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The one way a save file is replaced, for plain saves and autosaves alike:
/// `bytes` go to a temporary file in the same folder (named
/// `.NAME.PID.TMP_TAG`), flushed and synced; `keep_old(path, folder, name)`
/// then keeps the previous files however the caller keeps them (a `.bak`, a
/// rotation), the temporary file is renamed onto `path`, and the folder is
/// synced. On any failure the temporary file is removed.
pub(crate) fn replace_file(
    path: &Path,
    bytes: &[u8],
    tmp_tag: &str,
    keep_old: impl FnOnce(&Path, &Path, &str) -> std::io::Result<()>,
) -> Result<(), SaveError> {
    let dir = parent_dir(path);
    let name = path
        .file_name()
        .ok_or_else(|| io(path, std::io::Error::other("not a file name")))?
        .to_string_lossy()
        .into_owned();
    let tmp = dir.join(format!(".{name}.{}.{tmp_tag}", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp).map_err(|e| io(&tmp, e))?;
        f.write_all(bytes).map_err(|e| io(&tmp, e))?;
        f.flush().map_err(|e| io(&tmp, e))?;
        f.sync_all().map_err(|e| io(&tmp, e))?;
        drop(f);
        keep_old(path, &dir, &name).map_err(|e| io(path, e))?;
        fs::rename(&tmp, path).map_err(|e| io(path, e))?;
        sync_dir(&dir).map_err(|e| io(&dir, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// `PATH.bak` becomes the current `PATH`, itself replaced atomically: made
/// under a temporary name, then renamed over the old backup.
fn keep_backup(path: &Path, dir: &Path, name: &str) -> std::io::Result<()> {
    let bak = dir.join(format!("{name}.bak"));
    let bak_tmp = dir.join(format!(".{name}.bak.{}.tmp", std::process::id()));
    let _ = fs::remove_file(&bak_tmp);
    if fs::hard_link(path, &bak_tmp).is_err() {
        fs::copy(path, &bak_tmp)?;
        File::open(&bak_tmp)?.sync_all()?;
    }
    let r = fs::rename(&bak_tmp, &bak);
    if r.is_err() {
        let _ = fs::remove_file(&bak_tmp);
    }
    r
}

/// Makes a rename in `dir` durable. Folders cannot be opened for syncing on
/// every platform; where they cannot, the rename is as durable as the OS makes it.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    match File::open(dir) {
        Ok(d) => match d.sync_all() {
            Ok(()) => Ok(()),
            // Some filesystems refuse fsync on a directory handle.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Ok(()),
            Err(e) => Err(e),
        },
        Err(_) if cfg!(not(unix)) => Ok(()),
        Err(e) => Err(e),
    }
}
