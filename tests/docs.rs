//! Every code block of the user documentation (`docs/*.md` and the README) is run or
//! compiled, so the docs cannot drift from what Skein does. The conventions
//! are written down in `docs/README.md`, "How the examples are checked":
//!
//! - ```` ```skein ```` (optionally `file=NAME.sk`, default `example.sk`) is
//!   written into the page's own temporary folder. When the next block is
//!   ```` ```output ```` (then optionally ```` ```stderr ````), or
//!   ```` ```stderr ```` alone, it is run as `skein run NAME.sk` there and
//!   stdout and stderr must match exactly (stderr empty when no block is
//!   given; the closing line `skein: N ticks, …` is left out, as it holds
//!   timings). Otherwise it is only checked with `skein check`, and stays in
//!   the folder for later blocks to import.
//! - ```` ```skein,error ```` is a script that must not compile: exit code 2,
//!   nothing on stdout, stderr equal to the ```` ```stderr ```` block after it.
//! - ```` ```console ```` runs each `$ COMMAND` line with `sh` in the page's
//!   folder (`skein` is the built binary, stderr merged into stdout) and
//!   compares the lines up to the next `$`; an expected line `...` matches any
//!   number of lines, and a line ending in `...` any line starting with the
//!   rest. A command ending in `# not run` is skipped.
//! - ```` ```rust file=examples/docs_NAME.rs ```` must be byte-identical to that
//!   file, which `cargo build --examples` and clippy compile. An
//!   ```` ```output ```` block after it is compared with the example's stdout
//!   when the example has been built (`cargo build --examples`).
//! - ```` ```text ```` is prose. Any other tag, or none, is a failure.
//!
//! All failures are collected and reported together.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One fenced block of a page.
struct Block {
    lang: String,
    attrs: Vec<String>,
    body: String,
    /// 1-based line of the opening fence.
    line: usize,
}

impl Block {
    fn has(&self, attr: &str) -> bool {
        self.attrs.iter().any(|a| a == attr)
    }

    fn value(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find_map(|a| a.strip_prefix(key)?.strip_prefix('='))
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn skein() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_skein"))
}

/// The fenced blocks of a Markdown page. A fence may be indented (inside a
/// list item); its body loses the same indentation.
fn blocks(md: &str) -> Result<Vec<Block>, String> {
    let mut out = Vec::new();
    let mut lines = md.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let trimmed = line.trim_start();
        let Some(info) = trimmed.strip_prefix("```") else {
            continue;
        };
        let indent = line.len() - trimmed.len();
        let mut words = info.split([',', ' ']).filter(|w| !w.is_empty());
        let lang = words.next().unwrap_or("").to_string();
        let attrs = words.map(str::to_string).collect();
        let mut body = String::new();
        let mut closed = false;
        for (_, l) in lines.by_ref() {
            if l.trim() == "```" {
                closed = true;
                break;
            }
            let cut = l.len() - l.trim_start().len();
            body.push_str(&l[cut.min(indent)..]);
            body.push('\n');
        }
        if !closed {
            return Err(format!("line {}: unclosed code block", n + 1));
        }
        out.push(Block {
            lang,
            attrs,
            body,
            line: n + 1,
        });
    }
    Ok(out)
}

/// A fresh temporary folder for one page.
fn scratch(page: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("skein-docs-{}-{page}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

struct Ran {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn run(dir: &Path, args: &[&str]) -> Ran {
    let out = Command::new(skein())
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .output()
        .expect("the skein binary runs");
    Ran {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: without_closing_line(&String::from_utf8_lossy(&out.stderr)),
        code: out.status.code(),
    }
}

/// `expected` with `...` lines matching any run of lines of `got`, and a
/// line ending in `...` matching any line that starts with the rest.
fn matches(expected: &[&str], got: &[&str]) -> bool {
    match expected.split_first() {
        None => got.is_empty(),
        Some((&"...", rest)) => (0..=got.len()).any(|i| matches(rest, &got[i..])),
        Some((e, rest)) => {
            let line_ok = match (e.strip_suffix("..."), got.first()) {
                (Some(prefix), Some(g)) => g.starts_with(prefix),
                (None, Some(g)) => g == e,
                (_, None) => false,
            };
            line_ok && matches(rest, &got[1..])
        }
    }
}

/// Stderr without `skein run`'s closing line (`skein: 3 ticks, …, 0.002s
/// wall, …`), whose timings differ from run to run.
fn without_closing_line(stderr: &str) -> String {
    let body = stderr.strip_suffix('\n').unwrap_or(stderr);
    match body.rsplit_once('\n') {
        Some((before, last)) if is_closing(last) => format!("{before}\n"),
        None if is_closing(body) => String::new(),
        _ => stderr.to_string(),
    }
}

fn is_closing(line: &str) -> bool {
    line.starts_with("skein: ") && line.contains("s wall, ")
}

fn mismatch(what: &str, expected: &str, got: &str) -> String {
    format!("{what} differs\n--- expected\n{expected}--- got\n{got}---")
}

/// Checks one page; returns its failures as `line N: …`.
fn check_page(name: &str, md: &str) -> Vec<String> {
    let blocks = match blocks(md) {
        Ok(b) => b,
        Err(e) => return vec![e],
    };
    let dir = scratch(name.trim_end_matches(".md"));
    let mut failures = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        let b = &blocks[i];
        let next = |k: usize, lang: &str| blocks.get(k).filter(|n| n.lang == lang);
        let fail = |msg: String| format!("line {}: {msg}", b.line);
        i += 1;
        match b.lang.as_str() {
            "text" => {}
            "skein" => {
                let file = b.value("file").unwrap_or("example.sk").to_string();
                if let Err(e) = std::fs::write(dir.join(&file), &b.body) {
                    failures.push(fail(format!("cannot write {file}: {e}")));
                    continue;
                }
                let out = next(i, "output").map(|o| o.body.clone());
                if out.is_some() {
                    i += 1;
                }
                let err = next(i, "stderr").map(|e| e.body.clone());
                if err.is_some() {
                    i += 1;
                }
                if b.has("error") {
                    let r = run(&dir, &["run", &file]);
                    let Some(err) = err else {
                        failures.push(fail("a skein,error block needs a stderr block".into()));
                        continue;
                    };
                    if r.code != Some(2) || !r.stdout.is_empty() {
                        failures.push(fail(format!(
                            "expected a compile error (exit 2, no output); got exit {:?}, stdout {:?}",
                            r.code, r.stdout
                        )));
                    }
                    if r.stderr != err {
                        failures.push(fail(mismatch("stderr", &err, &r.stderr)));
                    }
                } else if out.is_none() && err.is_none() {
                    let r = run(&dir, &["check", &file]);
                    if r.code != Some(0) {
                        failures.push(fail(format!("`skein check {file}` failed:\n{}", r.stderr)));
                    }
                } else {
                    let r = run(&dir, &["run", &file]);
                    let out = out.unwrap_or_default();
                    let err = err.unwrap_or_default();
                    if r.stdout != out {
                        failures.push(fail(mismatch("stdout", &out, &r.stdout)));
                    }
                    if r.stderr != err {
                        failures.push(fail(mismatch("stderr", &err, &r.stderr)));
                    }
                    if r.code != Some(0) {
                        failures.push(fail(format!("exit code {:?}, expected 0", r.code)));
                    }
                }
            }
            "console" => failures.extend(check_console(&dir, b).into_iter().map(fail)),
            "rust" => {
                let expected_out = next(i, "output").map(|o| o.body.clone());
                if expected_out.is_some() {
                    i += 1;
                }
                failures.extend(check_rust(b, expected_out).into_iter().map(fail));
            }
            "output" | "stderr" => failures.push(fail(format!(
                "a {} block with no skein or rust block before it",
                b.lang
            ))),
            "" => failures.push(fail("untagged code block (tag it, e.g. ```text)".into())),
            other => failures.push(fail(format!("unknown code block tag `{other}`"))),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    failures
}

/// Runs the `$ …` lines of a console block in `dir`.
fn check_console(dir: &Path, b: &Block) -> Vec<String> {
    let bin_dir = skein().parent().expect("the binary has a folder");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin_dir.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let path = std::env::join_paths(paths).expect("PATH joins");

    let mut failures = Vec::new();
    let mut steps: Vec<(&str, Vec<&str>)> = Vec::new();
    for line in b.body.lines() {
        if let Some(cmd) = line.strip_prefix("$ ") {
            steps.push((cmd, Vec::new()));
        } else if let Some((_, out)) = steps.last_mut() {
            out.push(line);
        } else {
            failures.push(format!("console output before any `$` line: {line:?}"));
        }
    }
    for (cmd, expected) in steps {
        if cmd.trim_end().ends_with("# not run") {
            continue;
        }
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("exec 2>&1\n{cmd}"))
            .current_dir(dir)
            .env("PATH", &path)
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1")
            .output()
            .expect("sh runs");
        let got = String::from_utf8_lossy(&out.stdout).into_owned();
        let got_lines: Vec<&str> = got.lines().collect();
        if !matches(&expected, &got_lines) {
            let mut want = expected.join("\n");
            want.push('\n');
            failures.push(mismatch(&format!("output of `$ {cmd}`"), &want, &got));
        }
    }
    failures
}

/// A rust block is an example file, verbatim; its output is checked when the
/// example is built.
fn check_rust(b: &Block, expected_out: Option<String>) -> Vec<String> {
    let Some(file) = b.value("file") else {
        return vec!["a rust block needs file=examples/docs_NAME.rs".into()];
    };
    let path = root().join(file);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => return vec![format!("cannot read {file}: {e}")],
    };
    if text != b.body {
        return vec![mismatch(
            &format!("{file} (the block must be the file verbatim)"),
            &text,
            &b.body,
        )];
    }
    let Some(expected) = expected_out else {
        return Vec::new();
    };
    // target/debug/deps/docs-… → target/debug/examples/NAME
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.join("examples").join(stem)));
    let fresh = |exe: &Path| {
        let built = std::fs::metadata(exe).and_then(|m| m.modified()).ok();
        let source = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        matches!((built, source), (Some(b), Some(s)) if b >= s)
    };
    match exe {
        Some(exe) if fresh(&exe) => {
            let out = Command::new(&exe).output().expect("the example runs");
            let got = String::from_utf8_lossy(&out.stdout).into_owned();
            if got != expected {
                vec![mismatch(&format!("stdout of {file}"), &expected, &got)]
            } else {
                Vec::new()
            }
        }
        _ => {
            eprintln!(
                "note: {file} not built or stale; `cargo build --examples` to check its output"
            );
            Vec::new()
        }
    }
}

#[test]
fn every_code_block_in_the_docs_runs() {
    let docs = root().join("docs");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&docs)
        .expect("docs/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    // The README's walkthrough and examples follow the same conventions.
    pages.push(root().join("README.md"));
    let mut failures = Vec::new();
    let mut checked = 0;
    for page in &pages {
        let name = page.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let md = std::fs::read_to_string(page).expect("readable page");
        checked += blocks(&md).map(|b| b.len()).unwrap_or(0);
        for f in check_page(name, &md) {
            let shown = page.strip_prefix(root()).unwrap_or(page).display();
            failures.push(format!("{shown}:{f}"));
        }
    }
    assert!(checked > 0, "no code blocks found under docs/");
    assert!(
        failures.is_empty(),
        "{} of the docs' code blocks failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn wildcard_lines_match_any_run() {
    assert!(matches(&["a", "...", "d"], &["a", "b", "c", "d"]));
    assert!(matches(&["a", "...", "d"], &["a", "d"]));
    assert!(!matches(&["a", "...", "d"], &["a", "b"]));
    assert!(matches(&["..."], &[]));
    assert!(matches(
        &["skein: 1 tick, ..."],
        &["skein: 1 tick, 0.1s wall"]
    ));
    assert!(!matches(
        &["skein: 2 ticks, ..."],
        &["skein: 1 tick, 0.1s wall"]
    ));
}

#[test]
fn the_closing_line_is_left_out() {
    let line = "skein: 1 tick, 0 tasklets alive, 6 switches, 4 channel messages, 0.001s wall, 0.001s CPU\n";
    assert_eq!(without_closing_line(line), "");
    assert_eq!(without_closing_line(&format!("oops\n{line}")), "oops\n");
    assert_eq!(without_closing_line("oops\n"), "oops\n");
}
