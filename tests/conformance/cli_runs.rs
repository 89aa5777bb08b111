//! Every corpus script run by the `skein` binary as a user runs it:
//! `skein run FILE [directive flags]` in the script's folder, comparing
//! stdout, stderr and the exit code with the expected files.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::corpus::{self, Script};
use crate::diff::diff;

/// A script that runs longer than this is a failure (and is killed).
const TIMEOUT: Duration = Duration::from_secs(60);

struct Outcome {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn run_binary(script: &Script) -> Result<Outcome, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_skein"))
        .arg("run")
        .arg(&script.file_name)
        .args(&script.flags)
        .current_dir(&script.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start skein: {e}"))?;
    // Drain both pipes on threads so a chatty script cannot block on a full pipe.
    let mut out_pipe = child.stdout.take().ok_or("no stdout pipe")?;
    let mut err_pipe = child.stderr.take().ok_or("no stderr pipe")?;
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {TIMEOUT:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("cannot wait for skein: {e}")),
        }
    };
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    Ok(Outcome {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: without_closing_line(&String::from_utf8_lossy(&stderr)),
        code: status.code(),
    })
}

/// Stderr without `skein run`'s closing line (`skein: 3 ticks, …, 0.002s
/// wall, …`), which the determinism promise does not cover: its timings
/// differ from run to run.
fn without_closing_line(stderr: &str) -> String {
    let is_closing = |l: &str| l.starts_with("skein: ") && l.contains("s wall, ");
    match stderr.trim_end_matches('\n').rsplit_once('\n') {
        Some((before, last)) if is_closing(last) => format!("{before}\n"),
        None if is_closing(stderr.trim_end_matches('\n')) => String::new(),
        _ => stderr.to_string(),
    }
}

/// What is wrong with one script's run, or `None`.
fn check(script: &Script) -> Option<String> {
    let outcome = match run_binary(script) {
        Ok(o) => o,
        Err(e) => return Some(e),
    };
    let mut problems = String::new();
    if outcome.code != Some(script.expected_code) {
        problems.push_str(&format!(
            "exit code: expected {}, got {:?}\n",
            script.expected_code, outcome.code
        ));
    }
    if let Some(d) = diff(&script.expected_out, &outcome.stdout) {
        problems.push_str(&format!("stdout:\n{d}"));
    }
    let expected_err = script.expected_err.as_deref().unwrap_or("");
    if let Some(d) = diff(expected_err, &outcome.stderr) {
        problems.push_str(&format!("stderr:\n{d}"));
    }
    (!problems.is_empty()).then_some(problems)
}

#[test]
fn corpus_runs_as_expected() {
    let corpus = corpus::load();
    let mut failures = Vec::new();
    for script in &corpus.scripts {
        if let Some(problems) = check(script) {
            let flags = if script.flags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", script.flags.join(" "))
            };
            failures.push(format!("=== {}{flags}\n{problems}", script.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scripts failed:\n\n{}\n{} of {} scripts failed: {}",
        failures.len(),
        corpus.scripts.len(),
        failures.join("\n"),
        failures.len(),
        corpus.scripts.len(),
        failures
            .iter()
            .filter_map(|f| f.lines().next())
            .map(|l| l.trim_start_matches("=== "))
            .collect::<Vec<_>>()
            .join(", ")
    );
}
