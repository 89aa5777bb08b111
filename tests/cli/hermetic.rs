//! Nothing the project runs may read outside the repository: a clone in an
//! empty folder must pass the README's commands. This scans the files that
//! tests, benches, examples, docs and scripts are made of for paths that
//! climb out of the checkout.

use std::path::{Path, PathBuf};

/// Folders whose files are code, scripts or runnable docs.
const SCANNED: &[&str] = &[
    ".ci", "benches", "crates", "docs", "examples", "fuzz", "src", "tests",
];

/// What a path out of the checkout looks like in our files.
const ESCAPES: &[&str] = &["../shared", "shared/spec", "/work/"];

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" || name == "corpus" || name == "artifacts" {
            continue;
        }
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_file_reads_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in SCANNED {
        files_under(&root.join(dir), &mut files);
    }
    files.push(root.join("README.md"));
    assert!(files.len() > 100, "the scan found the repository's files");
    let me = Path::new(file!())
        .file_name()
        .expect("this file has a name");
    let mut found = Vec::new();
    for file in files {
        if file.file_name() == Some(me) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            if ESCAPES.iter().any(|e| line.contains(e)) {
                let shown = file.strip_prefix(root).unwrap_or(&file);
                found.push(format!("{}:{}: {}", shown.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "paths outside the repository:\n{}",
        found.join("\n")
    );
}

/// Every Markdown page a source comment names, such as `docs/stackless.md`,
/// exists in the repository: a reader following it must find it.
#[test]
fn every_page_a_comment_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["benches", "crates", "examples", "fuzz", "src", "tests"] {
        files_under(&root.join(dir), &mut files);
    }
    let mut missing = Vec::new();
    let mut named = 0;
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
    {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            let pages = line
                .split(|c: char| !(c.is_ascii_alphanumeric() || "_-./".contains(c)))
                .filter(|word| word.ends_with(".md") && word.len() > 3);
            for page in pages {
                named += 1;
                let page = page.trim_start_matches("./");
                let near = file.parent().map(|dir| dir.join(page));
                let found = [root.join(page), root.join("docs").join(page)]
                    .into_iter()
                    .chain(near)
                    .any(|p| p.is_file());
                if !found {
                    let shown = file.strip_prefix(root).unwrap_or(file);
                    missing.push(format!("{}:{}: {page}", shown.display(), n + 1));
                }
            }
        }
    }
    assert!(named > 20, "the scan found the comments that name pages");
    assert!(
        missing.is_empty(),
        "pages named but not in the repository:\n{}",
        missing.join("\n")
    );
}
