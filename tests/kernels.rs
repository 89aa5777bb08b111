//! The real-program kernels of `benches/compare/kernels/` (the programs the
//! CPU-time comparison with CPython and Lua runs) run by the `skein` binary
//! at tiny sizes, each output compared whole with a golden that CPython
//! printed, so the bench programs keep meaning the same work as the VM
//! changes. `python3 benches/compare/kernels/regen.py` rewrites the goldens
//! in `tests/kernels/` from `sizes.txt`.

#[path = "conformance/diff.rs"]
mod diff;

use std::path::{Path, PathBuf};
use std::process::Command;

fn kernels_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/compare/kernels")
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kernels")
}

/// (kernel, tiny n) from `sizes.txt`.
fn sizes() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(golden_dir().join("sizes.txt")).expect("sizes.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, n) = l.split_once(' ').expect("a line is `NAME N`");
            (name.to_string(), n.trim().to_string())
        })
        .collect()
}

/// Every kernel's Skein version, by name.
fn kernel_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(kernels_dir())
        .expect("benches/compare/kernels")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".sk").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_kernel_has_a_size_and_a_golden() {
    let sized: Vec<String> = sizes().into_iter().map(|(name, _)| name).collect();
    let names = kernel_names();
    assert!(names.len() >= 10, "expected the kernels, found {names:?}");
    assert_eq!(
        names, sized,
        "sizes.txt must list exactly the kernels, in order"
    );
    for name in &names {
        assert!(
            golden_dir().join(format!("{name}.out")).exists(),
            "no golden for {name}: run python3 benches/compare/kernels/regen.py"
        );
        let python = kernels_dir().join(format!("{name}.py"));
        assert!(python.exists(), "{name} has no CPython twin");
    }
}

#[test]
fn kernels_print_what_cpython_prints() {
    let mut failures = Vec::new();
    for (name, n) in sizes() {
        let expected = std::fs::read_to_string(golden_dir().join(format!("{name}.out")))
            .unwrap_or_else(|e| panic!("golden of {name}: {e}"));
        let out = Command::new(env!("CARGO_BIN_EXE_skein"))
            // --strict: an uncaught error is a non-zero exit, not just a report.
            .args(["run", "--strict", "--budget", "0", &format!("{name}.sk")])
            .args(["--param", &format!("n={n}")])
            .current_dir(kernels_dir())
            .output()
            .expect("cannot start skein");
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            failures.push(format!(
                "{name} (n={n}) exited with {:?}:\n{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        } else if let Some(d) = diff::diff(&expected, &stdout) {
            failures.push(format!(
                "{name} (n={n}) prints otherwise (-expected +got):\n{d}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
