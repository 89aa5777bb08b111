//! The autosave files on disk: `PATH` and its older copies `PATH.1` …
//! `PATH.(K−1)`, rotated so that a crash at any point leaves `PATH` (or,
//! only if `PATH` is gone, the newest `PATH.n`) a whole save of the newest
//! or the previous autosave.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::code::ContentHash;
use crate::error::SaveError;

fn io(p: &Path, source: std::io::Error) -> SaveError {
    SaveError::Io {
        path: p.display().to_string(),
        source,
    }
}

/// `PATH.n`.
pub fn rotated(path: &Path, n: usize) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".{n}"));
    PathBuf::from(s)
}

/// Writes `bytes` as the newest autosave, keeping `keep` autosaves in all:
/// the new file is written and synced under a temporary name; the older
/// copies move down one (the oldest dropped), `PATH.1` becomes a hard link
/// to the current `PATH`, the new file is renamed onto `PATH` last, and the
/// folder is synced. `PATH` itself is never missing.
pub fn write_rotating(path: &Path, bytes: &[u8], keep: usize) -> Result<(), SaveError> {
    write_rotating_then(path, bytes, keep, || ())
}

/// [`write_rotating`], calling `written` once the new file is synced under
/// its temporary name, before anything is rotated or renamed (a cluster
/// shard's fault-injection point, for crash tests).
pub fn write_rotating_then(
    path: &Path,
    bytes: &[u8],
    keep: usize,
    written: impl FnOnce(),
) -> Result<(), SaveError> {
    let dir = crate::write::parent_dir(path);
    fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    crate::write::replace_file(path, bytes, "autosave.tmp", |path, _, _| {
        written();
        if keep > 1 && path.exists() {
            rotate(path, keep)?;
        }
        Ok(())
    })
}

/// The folder an incremental autosave keeps the files of its chains in.
pub fn chain_dir(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".chain");
    PathBuf::from(s)
}

/// A chain file's path: its content hash, with `PATH`'s extension.
pub fn chain_file(path: &Path, hash: ContentHash) -> PathBuf {
    let name = match path.extension() {
        Some(e) => format!("{hash}.{}", e.to_string_lossy()),
        None => hash.to_string(),
    };
    chain_dir(path).join(name)
}

/// Writes `bytes` (content hash `hash`) as the newest autosave of an
/// incremental chain: the file is written atomically under its hash in
/// [`chain_dir`] first, then the older autosaves rotate as in
/// [`write_rotating`] and `PATH` becomes a second name of the new file
/// (renamed into place last, the folder synced). Until that rename `PATH` is
/// the previous autosave, whose chain files are all still there.
pub fn write_chained(
    path: &Path,
    bytes: &[u8],
    hash: ContentHash,
    keep: usize,
) -> Result<(), SaveError> {
    let dir = chain_dir(path);
    fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let file = chain_file(path, hash);
    if !file.exists() {
        crate::write::replace_file(&file, bytes, "chain.tmp", |_, _, _| Ok(()))?;
    }
    let parent = crate::write::parent_dir(path);
    let name = path
        .file_name()
        .ok_or_else(|| io(path, std::io::Error::other("not a file name")))?
        .to_string_lossy()
        .into_owned();
    let tmp = parent.join(format!(".{name}.{}.link.tmp", std::process::id()));
    let result = (|| {
        let _ = fs::remove_file(&tmp);
        if fs::hard_link(&file, &tmp).is_err() {
            fs::copy(&file, &tmp)?;
            File::open(&tmp)?.sync_all()?;
        }
        if keep > 1 && path.exists() {
            rotate(path, keep)?;
        }
        fs::rename(&tmp, path)?;
        crate::write::sync_dir(&parent)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|e| io(path, e))
}

/// The chain files written so far, oldest first, each with whether it is a
/// full save; pruned to what the kept autosaves need.
#[derive(Debug, Clone, Default)]
pub struct ChainFiles {
    files: Vec<(ContentHash, bool)>,
    /// Whether files an earlier process left were cleared away.
    swept: bool,
}

impl ChainFiles {
    /// Records a newly written file, then removes the chain files that no
    /// kept autosave (the newest `keep`) reaches any more: everything older
    /// than the newest full save at or before the oldest kept one.
    pub fn written(&mut self, path: &Path, hash: ContentHash, full: bool, keep: usize) {
        if !self.swept {
            sweep(path, keep);
            self.swept = true;
        }
        self.files.push((hash, full));
        let oldest_kept = self.files.len().saturating_sub(keep.max(1));
        let start = (0..=oldest_kept)
            .rev()
            .find(|&i| self.files[i].1)
            .unwrap_or(0);
        let needed: Vec<ContentHash> = self.files[start..].iter().map(|f| f.0).collect();
        for (h, _) in self.files.drain(..start) {
            if !needed.contains(&h) {
                let _ = fs::remove_file(chain_file(path, h));
            }
        }
    }
}

/// Removes from [`chain_dir`] every file that none of the kept autosaves
/// (`PATH` … `PATH.(keep−1)`) reaches through its chain: what an earlier
/// process (a run killed, then resumed) left behind, and temporary files of
/// a write that never finished. Run once, after the first write.
pub fn sweep(path: &Path, keep: usize) {
    let mut needed = std::collections::HashSet::new();
    for n in 0..keep.max(1) {
        let mut file = if n == 0 {
            path.to_path_buf()
        } else {
            rotated(path, n)
        };
        for _ in 0..crate::delta::MAX_CHAIN {
            let Ok(bytes) = fs::read(&file) else {
                break;
            };
            if !needed.insert(crate::delta::file_hash(&bytes)) || !crate::delta::is_delta(&bytes) {
                break;
            }
            let Ok(d) = crate::delta::delta_from_bytes(&bytes) else {
                break;
            };
            match crate::delta::find_base(&file, d.header.base) {
                Some(base) => file = base,
                None => break,
            }
        }
    }
    let Ok(entries) = fs::read_dir(chain_dir(path)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let stem = name.split('.').next().unwrap_or("");
        let hash = u64::from_str_radix(stem, 16)
            .ok()
            .filter(|_| stem.len() == 16);
        if hash.is_none_or(|h| !needed.contains(&ContentHash(h))) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// `PATH.(n)` → `PATH.(n+1)` from the oldest kept down, then `PATH.1` as a
/// second name of the current `PATH` (a copy where links are not possible).
fn rotate(path: &Path, keep: usize) -> std::io::Result<()> {
    for n in (1..keep - 1).rev() {
        let from = rotated(path, n);
        if from.exists() {
            fs::rename(&from, rotated(path, n + 1))?;
        }
    }
    let first = rotated(path, 1);
    let _ = fs::remove_file(&first);
    if fs::hard_link(path, &first).is_err() {
        fs::copy(path, &first)?;
        File::open(&first)?.sync_all()?;
    }
    Ok(())
}

/// The file a loader given `path` reads: `path` itself, or, if it is
/// missing, the newest `PATH.n` that exists (the second value says which was
/// taken instead). `None` if neither exists.
pub fn newest(path: &Path) -> Option<(PathBuf, bool)> {
    if path.exists() {
        return Some((path.to_path_buf(), false));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name()?.to_string_lossy().into_owned();
    let prefix = format!("{name}.");
    let n = fs::read_dir(&dir)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let f = e.file_name().to_string_lossy().into_owned();
            f.strip_prefix(&prefix)?.parse::<usize>().ok()
        })
        .filter(|n| *n >= 1)
        .min()?;
    Some((rotated(path, n), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("skein-rot-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).expect("scratch");
        d
    }

    #[test]
    fn rotation_keeps_the_last_k_newest_first() {
        let d = scratch("keep");
        let p = d.join("auto.bin");
        for i in 0..5u8 {
            write_rotating(&p, &[i], 3).expect("writes");
        }
        assert_eq!(fs::read(&p).unwrap(), vec![4]);
        assert_eq!(fs::read(rotated(&p, 1)).unwrap(), vec![3]);
        assert_eq!(fs::read(rotated(&p, 2)).unwrap(), vec![2]);
        assert!(!rotated(&p, 3).exists());
        let mut names: Vec<String> = fs::read_dir(&d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["auto.bin", "auto.bin.1", "auto.bin.2"]);
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn keep_one_keeps_only_path() {
        let d = scratch("one");
        let p = d.join("a.ron");
        write_rotating(&p, b"x", 1).expect("writes");
        write_rotating(&p, b"y", 1).expect("writes");
        assert_eq!(fs::read(&p).unwrap(), b"y");
        assert!(!rotated(&p, 1).exists());
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_missing_path_falls_back_to_the_newest_copy() {
        let d = scratch("fallback");
        let p = d.join("a.bin");
        assert_eq!(newest(&p), None);
        fs::write(rotated(&p, 2), b"old").unwrap();
        fs::write(rotated(&p, 1), b"newer").unwrap();
        assert_eq!(newest(&p), Some((rotated(&p, 1), true)));
        fs::write(&p, b"newest").unwrap();
        assert_eq!(newest(&p), Some((p.clone(), false)));
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn an_unwritable_folder_is_an_error_and_leaves_nothing() {
        let d = scratch("unwritable");
        let file = d.join("plain");
        fs::write(&file, b"not a folder").unwrap();
        let p = file.join("auto.bin");
        assert!(write_rotating(&p, b"x", 3).is_err());
        assert_eq!(fs::read(&file).unwrap(), b"not a folder");
        let _ = fs::remove_dir_all(&d);
    }
}
