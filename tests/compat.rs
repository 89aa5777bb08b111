//! Saves of every frozen save format, resumed by today's skein: each
//! `tests/compat/vN/NAME.sk` has beside it the world saved part-way
//! (`NAME.ron`, and the same in binary, `NAME.bin`) and what resuming it
//! prints (`NAME.out`, and `NAME.err` for the error reports when there are
//! any). Every save is resumed in a fresh process, from a folder holding
//! nothing but the save, and its whole output compared.
//!
//! `SKEIN_BLESS=1 cargo test --test compat` writes the current format's
//! saves and outputs again (tests/compat/README.md): only while that format
//! is open. Blessing checks the save promise first — the run up to the save
//! and the resumed run print exactly what one uninterrupted run prints.

use std::path::{Path, PathBuf};

use skein_save::format::FORMAT_VERSION;

#[path = "cli/harness.rs"]
#[allow(dead_code)]
mod harness;

use harness::Run;

/// `skein ARGS…` in `dir`, which must exit 0.
fn skein(dir: &Path, args: &[&str]) -> Run {
    harness::skein(dir, args).expect(0)
}

fn compat_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat")
}

/// A fresh, empty folder for `name`.
fn scratch(name: &str) -> PathBuf {
    harness::temp_dir(&format!("compat-{name}"))
}

/// The cases of one format's folder: script name and its `# compat:` flags.
fn cases(dir: &Path) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = std::fs::read_dir(dir)
        .expect("a compat folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sk"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("a script");
            let flags = (text.lines().next())
                .and_then(|l| l.strip_prefix("# compat:"))
                .expect("a script's first line is `# compat: FLAGS`");
            let name = p
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (name, flags.split_whitespace().map(String::from).collect())
        })
        .collect();
    out.sort();
    out
}

/// Runs the script whole and split at its `--ticks`, checks the two agree,
/// and writes the saves and the resumed output into `dir`.
fn bless(dir: &Path, name: &str, flags: &[String]) {
    let work = scratch(&format!("bless-{name}"));
    let script = format!("{name}.sk");
    std::fs::copy(dir.join(&script), work.join(&script)).expect("copies the script");
    let at = (flags.iter().position(|f| f == "--ticks")).expect("flags name the save's tick");
    let mut whole: Vec<&str> = vec!["run", &script];
    whole.extend(
        flags
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != at && *i != at + 1)
            .map(|(_, f)| f.as_str()),
    );
    let whole = skein(&work, &whole);
    for ext in ["ron", "bin"] {
        let save = format!("{name}.{ext}");
        let mut first: Vec<&str> = vec!["run", &script];
        first.extend(flags.iter().map(String::as_str));
        first.extend(["--save", &save]);
        let first = skein(&work, &first);
        let rest = skein(&work, &["resume", &save]);
        assert_eq!(first.stdout.clone() + &rest.stdout, whole.stdout, "{save}");
        assert_eq!(first.report() + &rest.report(), whole.report(), "{save}");
        std::fs::copy(work.join(&save), dir.join(&save)).expect("writes the save");
        std::fs::write(dir.join(format!("{name}.out")), &rest.stdout).expect("writes .out");
        let err = dir.join(format!("{name}.err"));
        if rest.report().is_empty() {
            let _ = std::fs::remove_file(err);
        } else {
            std::fs::write(err, rest.report()).expect("writes .err");
        }
    }
}

#[test]
fn every_compat_save_resumes_to_its_expected_output() {
    let bless_open = std::env::var_os("SKEIN_BLESS").is_some();
    let mut versions: Vec<PathBuf> = std::fs::read_dir(compat_root())
        .expect("tests/compat")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    versions.sort();
    let current = format!("v{FORMAT_VERSION}");
    assert!(
        versions.iter().any(|v| v.ends_with(&current)),
        "tests/compat/{current} holds this format's saves"
    );
    let mut failures = Vec::new();
    let mut resumed = 0;
    for dir in &versions {
        let version = dir
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        for (name, flags) in cases(dir) {
            // Only the open format is ever written again.
            if bless_open && version == current {
                bless(dir, &name, &flags);
            }
            let want_out = std::fs::read_to_string(dir.join(format!("{name}.out")))
                .unwrap_or_else(|_| panic!("{version}/{name}.out (SKEIN_BLESS=1 writes it)"));
            let want_err =
                std::fs::read_to_string(dir.join(format!("{name}.err"))).unwrap_or_default();
            for ext in ["ron", "bin"] {
                let save = format!("{name}.{ext}");
                let work = scratch(&format!("{version}-{name}-{ext}"));
                std::fs::copy(dir.join(&save), work.join(&save))
                    .unwrap_or_else(|_| panic!("{version}/{save} (SKEIN_BLESS=1 writes it)"));
                let got = skein(&work, &["resume", &save]);
                resumed += 1;
                if got.stdout != want_out || got.report() != want_err {
                    failures.push(format!(
                        "{version}/{save}:\n--- want\n{want_out}{want_err}--- got\n{}{}",
                        got.stdout,
                        got.report()
                    ));
                }
            }
        }
    }
    assert!(resumed >= 12, "only {resumed} compat saves");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
