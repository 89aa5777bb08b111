//! Finding the corpus scripts and reading what each one expects: its
//! `.out`/`.err`/`.code` files and the directives of its leading comments.

use std::fs;
use std::path::{Path, PathBuf};

use skein_vm::Limits;

/// The corpus root, `tests/scripts`.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("scripts")
}

/// One runnable script of the corpus and what it must produce.
#[derive(Debug, Clone)]
pub struct Script {
    /// Path relative to the corpus root, for reports (`lexical/numbers.sk`).
    pub name: String,
    pub path: PathBuf,
    pub dir: PathBuf,
    pub file_name: String,
    /// Extra `skein run` arguments from `# skein: …` lines.
    pub flags: Vec<String>,
    pub limits: Limits,
    pub expected_out: String,
    /// `None`: stderr must be empty.
    pub expected_err: Option<String>,
    pub expected_code: i32,
}

impl Script {
    /// Exit code 2 scripts stop at compile time; the library runs skip them.
    pub fn is_compile_error(&self) -> bool {
        self.expected_code == 2
    }
}

/// Every file of the corpus, runnable or not.
pub struct Corpus {
    pub scripts: Vec<Script>,
    /// Support modules (`# skein-module: …`): imported, never run alone.
    pub modules: Vec<PathBuf>,
    /// Problems with the corpus itself (a script without `.out`, a bad directive).
    pub problems: Vec<String>,
}

/// The leading comment lines of a source text.
fn header(source: &str) -> impl Iterator<Item = &str> {
    source.lines().take_while(|l| l.starts_with('#'))
}

fn sk_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sk_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sk") {
            out.push(path);
        }
    }
}

/// Reads `--frame-limit N` / `--size-limit N` out of the directive flags.
fn limits_of(flags: &[String]) -> Result<Limits, String> {
    let mut limits = Limits::default();
    let mut it = flags.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--frame-limit" | "--size-limit" => {
                let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
                let n: u64 = value
                    .parse()
                    .map_err(|_| format!("{flag} {value}: not a number"))?;
                if flag == "--frame-limit" {
                    limits.frame_limit =
                        u32::try_from(n).map_err(|_| format!("{flag} {value}: too big"))?;
                } else {
                    limits.size_limit = n;
                }
            }
            _ => {}
        }
    }
    Ok(limits)
}

/// Loads the whole corpus, sorted by path.
pub fn load() -> Corpus {
    let root = root();
    let mut files = Vec::new();
    sk_files(&root, &mut files);
    files.sort();
    let mut corpus = Corpus {
        scripts: Vec::new(),
        modules: Vec::new(),
        problems: Vec::new(),
    };
    for path in files {
        let name = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let source = match fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) => {
                corpus.problems.push(format!("{name}: cannot read: {e}"));
                continue;
            }
        };
        if header(&source).any(|l| l.starts_with("# skein-module:")) {
            corpus.modules.push(path);
            continue;
        }
        let flags: Vec<String> = header(&source)
            .filter_map(|l| l.strip_prefix("# skein:"))
            .flat_map(|rest| rest.split_whitespace().map(String::from))
            .collect();
        let limits = match limits_of(&flags) {
            Ok(l) => l,
            Err(e) => {
                corpus.problems.push(format!("{name}: bad directive: {e}"));
                continue;
            }
        };
        let read = |ext: &str| fs::read_to_string(path.with_extension(ext)).ok();
        let Some(expected_out) = read("out") else {
            corpus.problems.push(format!(
                "{name}: no .out file (or mark a support module with `# skein-module:`)"
            ));
            continue;
        };
        let expected_code = match read("code") {
            None => 0,
            Some(text) => match text.trim().parse() {
                Ok(c) => c,
                Err(_) => {
                    corpus
                        .problems
                        .push(format!("{name}: bad .code file {text:?}"));
                    continue;
                }
            },
        };
        let dir = path
            .parent()
            .map_or_else(|| root.clone(), Path::to_path_buf);
        let file_name = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        corpus.scripts.push(Script {
            name,
            expected_err: read("err"),
            path,
            dir,
            file_name,
            flags,
            limits,
            expected_out,
            expected_code,
        });
    }
    corpus
}

#[test]
fn corpus_is_well_formed() {
    let corpus = load();
    assert!(
        corpus.problems.is_empty(),
        "corpus problems:\n{}",
        corpus.problems.join("\n")
    );
    assert!(
        corpus.scripts.len() >= 70,
        "only {} scripts",
        corpus.scripts.len()
    );
}
