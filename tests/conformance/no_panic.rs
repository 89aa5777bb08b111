//! No input panics the compiler or the VM: every corpus script, cut at token
//! boundaries and with random byte edits, compiles to an error or runs (on
//! little fuel and small limits) to an end, an error or out of fuel — and
//! never panics.

use std::collections::HashMap;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use skein_script::loader::{LoadOptions, SourceResolver, load_program_with};
use skein_vm::Limits;
use skein_vm::machine::{BufferHost, Machine};

use crate::corpus;

/// Instructions a mangled script may run.
const FUEL: u64 = 20_000;
/// Cut points tried per script (spread evenly over all its token boundaries).
const MAX_CUTS: usize = 60;
/// Random byte edits per script.
const EDITS: usize = 50;

const LIMITS: Limits = Limits {
    frame_limit: 64,
    size_limit: 1 << 16,
};

/// Imports of a mangled script resolve to the unmangled modules beside it.
struct Beside {
    dir: PathBuf,
    cache: std::sync::Mutex<HashMap<String, Option<String>>>,
}

impl SourceResolver for Beside {
    fn resolve(&self, name: &str, _from_dir: &str) -> Option<(String, String)> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let source = cache
            .entry(name.to_string())
            .or_insert_with(|| fs::read_to_string(self.dir.join(format!("{name}.sk"))).ok())
            .clone()?;
        Some((format!("{name}.sk"), source))
    }
}

/// Compiles and (if that works) runs one source text; `Err` is a panic message.
fn survive(stem: &str, file_name: &str, source: &str, beside: &Beside) -> Result<(), String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let program = load_program_with(stem, file_name, source, beside, &LoadOptions::default());
        if let Ok(program) = program {
            let mut machine = Machine::new(Arc::new(program), LIMITS);
            let mut host = BufferHost::default();
            let _ = machine.run(FUEL, &mut host);
        }
    }));
    outcome.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| String::from("(non-string panic)"))
    })
}

/// Byte offsets where a token may start or end: every change between
/// word characters, spaces and punctuation (each punctuation char alone).
fn token_boundaries(source: &str) -> Vec<usize> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Word,
        Space,
        Punct,
    }
    let class = |c: char| {
        if c.is_alphanumeric() || c == '_' {
            Class::Word
        } else if c.is_whitespace() {
            Class::Space
        } else {
            Class::Punct
        }
    };
    let mut cuts = Vec::new();
    let mut prev = None;
    for (i, c) in source.char_indices() {
        let k = class(c);
        if prev != Some(k) || k == Class::Punct {
            cuts.push(i);
        }
        prev = Some(k);
    }
    cuts.push(source.len());
    cuts
}

/// SplitMix64: a seeded, dependency-free generator for the edits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes an edit may insert: the language's punctuation, digits, quotes,
/// newlines and indentation, plus a multi-byte char and a stray high byte.
const INSERTS: &[&[u8]] = &[
    b"(",
    b")",
    b"[",
    b"]",
    b"{",
    b"}",
    b":",
    b",",
    b".",
    b"=",
    b"+",
    b"*",
    b"-",
    b"/",
    b"%",
    b"<",
    b">",
    b"!",
    b"~",
    b"&",
    b"|",
    b"^",
    b"'",
    b"\"",
    b"\\",
    b"#",
    b"\n",
    b"    ",
    b"\t",
    b"0",
    b"9",
    b"x",
    b"_",
    b"f\"",
    b"\"\"\"",
    b"if ",
    b"def ",
    b"for ",
    b"return ",
    b"try:",
    b"import ",
    b"9223372036854775807",
    b"1e999",
    b"\xc3\xa9",
    b"\xff",
];

/// One random edit of `source`: delete, duplicate, replace or insert a few bytes.
fn edit(source: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut s = source.to_vec();
    let at = rng.below(s.len() + 1);
    match rng.below(4) {
        0 if !s.is_empty() => {
            let end = (at + 1 + rng.below(4)).min(s.len());
            s.drain(at.min(end)..end);
        }
        1 if !s.is_empty() => {
            let start = at.min(s.len() - 1);
            let end = (start + 1 + rng.below(16)).min(s.len());
            let chunk = s[start..end].to_vec();
            s.splice(start..start, chunk);
        }
        2 if at < s.len() => {
            s[at] = INSERTS[rng.below(INSERTS.len())][0];
        }
        _ => {
            let ins = INSERTS[rng.below(INSERTS.len())];
            s.splice(at..at, ins.iter().copied());
        }
    }
    s
}

/// Every mangled variant of one file, checked; the panics found.
fn mangle_one(path: &Path, seed: u64) -> Vec<String> {
    let Ok(source) = fs::read_to_string(path) else {
        return Vec::new();
    };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file_name = format!("{stem}.sk");
    let beside = Beside {
        dir,
        cache: std::sync::Mutex::new(HashMap::new()),
    };
    let name = path.display().to_string();
    let mut panics = Vec::new();
    let mut check = |what: String, text: &str| {
        if let Err(msg) = survive(&stem, &file_name, text, &beside) {
            panics.push(format!(
                "{name} {what}: panicked: {msg}\n--- source:\n{text}\n---"
            ));
        }
    };
    let cuts = token_boundaries(&source);
    let stride = cuts.len().div_ceil(MAX_CUTS).max(1);
    for &cut in cuts.iter().step_by(stride) {
        check(format!("cut at byte {cut}"), &source[..cut]);
    }
    let mut rng = Rng(seed);
    for i in 0..EDITS {
        let bytes = edit(source.as_bytes(), &mut rng);
        // The loader takes text; invalid UTF-8 is the file reader's business.
        let text = String::from_utf8_lossy(&bytes);
        check(format!("edit #{i} (seed {seed})"), &text);
    }
    panics
}

#[test]
fn mangled_scripts_never_panic() {
    let corpus = corpus::load();
    let mut files: Vec<PathBuf> = corpus.scripts.iter().map(|s| s.path.clone()).collect();
    files.extend(corpus.modules.iter().cloned());
    files.sort();
    // Panics are caught and reported below; keep the default hook's noise out.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let panics: Vec<String> = std::thread::scope(|scope| {
        let (left, right) = files.split_at(files.len() / 2);
        let workers: Vec<_> = [left, right]
            .into_iter()
            .enumerate()
            .map(|(w, part)| {
                scope.spawn(move || {
                    part.iter()
                        .enumerate()
                        .flat_map(|(i, p)| mangle_one(p, 0x5EED + (w * 1000 + i) as u64))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    std::panic::set_hook(hook);
    assert!(
        panics.is_empty(),
        "{} mangled inputs panicked:\n\n{}",
        panics.len(),
        panics.join("\n\n")
    );
}
