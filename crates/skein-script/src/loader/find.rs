//! Where module sources come from: folders on disk (the importing file's
//! own, then the search path), or a [`SourceResolver`] for scripts that are
//! not files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A module's source as a finder found it.
pub(super) struct Found {
    /// Identity of the file, to tell two files with one module name apart.
    pub id: String,
    /// Folder key its own imports are looked up from.
    pub dir: String,
    /// Path relative to its root, as errors and tracebacks show it.
    pub path: String,
    pub source: String,
}

/// Finds module sources somewhere other than the file system (scripts built
/// into a binary, tests).
pub trait SourceResolver {
    /// Module `name` imported from a file in folder `from_dir` (a key the
    /// resolver gave out, `""` for the main script's folder) → its path
    /// relative to its root and its source.
    fn resolve(&self, name: &str, from_dir: &str) -> Option<(String, String)>;
}

/// Scripts held in memory as one folder, keyed by file name (`npc.sk`):
/// module `npc` resolves to the file `npc.sk` whichever file imports it.
/// For scripts that come from an editor buffer, a network message or a test
/// rather than from disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryFiles(pub BTreeMap<String, String>);

impl MemoryFiles {
    /// The folder holding these `(file name, source)` pairs.
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        MemoryFiles(
            files
                .into_iter()
                .map(|(f, s)| (f.to_owned(), s.to_owned()))
                .collect(),
        )
    }

    /// The source of file `file`, if the folder holds it.
    pub fn source(&self, file: &str) -> Option<&str> {
        self.0.get(file).map(String::as_str)
    }
}

impl SourceResolver for MemoryFiles {
    fn resolve(&self, name: &str, _from_dir: &str) -> Option<(String, String)> {
        let file = format!("{name}.sk");
        let source = self.source(&file)?.to_owned();
        Some((file, source))
    }
}

/// How the loader looks modules up: on disk, or through a [`SourceResolver`].
pub(super) trait Finder {
    /// `Ok(None)`: no such module; `Err`: a message for the import site.
    fn find(&self, name: &str, from_dir: &str) -> Result<Option<Found>, String>;
}

pub(super) struct FileFinder<'a> {
    pub search_path: &'a [PathBuf],
}

impl Finder for FileFinder<'_> {
    fn find(&self, name: &str, from_dir: &str) -> Result<Option<Found>, String> {
        let file = format!("{name}.sk");
        let mut hits: Vec<(PathBuf, PathBuf)> = Vec::new();
        let dirs = std::iter::once(PathBuf::from(from_dir)).chain(self.search_path.iter().cloned());
        for dir in dirs {
            let candidate = dir.join(&file);
            if !candidate.is_file() {
                continue;
            }
            let canon = candidate
                .canonicalize()
                .unwrap_or_else(|_| candidate.clone());
            if !hits.iter().any(|(c, _)| *c == canon) {
                hits.push((canon, candidate));
            }
        }
        match hits.as_slice() {
            [] => Ok(None),
            [(canon, shown)] => {
                let source = std::fs::read_to_string(shown)
                    .map_err(|e| format!("cannot read {}: {}", shown.display(), io_message(&e)))?;
                let dir = shown
                    .parent()
                    .map_or_else(String::new, |d| d.to_string_lossy().into_owned());
                Ok(Some(Found {
                    id: canon.to_string_lossy().into_owned(),
                    dir,
                    path: file,
                    source,
                }))
            }
            [(_, a), (_, b), ..] => Err(format!(
                "two files define module '{name}': {} and {}",
                a.display(),
                b.display()
            )),
        }
    }
}

pub(super) struct ResolverFinder<'a> {
    pub resolver: &'a dyn SourceResolver,
}

impl Finder for ResolverFinder<'_> {
    fn find(&self, name: &str, from_dir: &str) -> Result<Option<Found>, String> {
        Ok(self.resolver.resolve(name, from_dir).map(|(path, source)| {
            let dir = Path::new(&path)
                .parent()
                .map_or_else(String::new, |d| d.to_string_lossy().into_owned());
            Found {
                id: path.clone(),
                dir,
                path,
                source,
            }
        }))
    }
}

/// `std::io::Error`'s text without the "(os error 2)" suffix.
pub(super) fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
