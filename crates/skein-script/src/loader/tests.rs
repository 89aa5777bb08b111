//! Loader tests: module discovery on disk, the error cases, and the whole
//! conformance corpus compiling (or failing to) as its expected exit code says.

use std::path::{Path, PathBuf};

use super::*;
use crate::disasm::disasm;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scripts")
}

fn sk_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sk_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "sk") {
            out.push(p);
        }
    }
}

#[test]
fn corpus_scratch() {
    let mut files = Vec::new();
    sk_files(&corpus(), &mut files);
    for f in files {
        let opts = LoadOptions::default();
        let code = std::fs::read_to_string(f.with_extension("code")).unwrap_or_default();
        match load_program(&f, &opts) {
            Ok(p) => {
                let _ = disasm(&p);
                println!("OK   {} (code {})", f.display(), code.trim());
            }
            Err(e) => println!("FAIL {} (code {}): {}", f.display(), code.trim(), e),
        }
    }
}
