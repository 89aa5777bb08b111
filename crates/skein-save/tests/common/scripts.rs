//! The script files the world-promise and binary-save tests walk, shared
//! by both (each includes this file as its own module).

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.sk` under `folder` (relative to the workspace root), recursively,
/// in path order.
pub fn scripts_in(folder: &str) -> Vec<PathBuf> {
    let mut dirs = vec![root().join(folder)];
    let mut v = Vec::new();
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "sk") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}
