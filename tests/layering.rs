//! The modules of each library crate may not import each other in a circle,
//! of any length: a reader must be able to start at a leaf and read up. This
//! reads every `crate::`, `super::` and `self::` path in each crate's
//! `src/`, and every path through a child module named without `self::`,
//! builds the graph of which module uses which, and looks for cycles.
//!
//! `use` edges count; `mod` declarations do not (a parent that only declares
//! its child does not depend on it). Cycles that are known and not yet
//! broken are listed in [`KNOWN`]: the test fails when a new one appears, and
//! also when a listed one is gone, so the list only ever shrinks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Cycles still to break, per crate, each written as its sorted members.
/// Remove an entry when its cycle is gone.
const KNOWN: &[(&str, &[&str])] = &[
    ("skein-save", &["code", "code::sink"]),
    (
        "skein-save",
        &["delta", "delta::apply", "delta::chain", "read"],
    ),
    (
        "skein-save",
        &[
            "format",
            "values",
            "values::decode",
            "values::encode",
            "versions",
        ],
    ),
    ("skein-save", &["snapshot", "snapshot::changed"]),
    ("skein-save", &["staging", "tasklet", "tasklet::load"]),
];

#[test]
fn no_module_cycles_beyond_the_known_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found: BTreeSet<(String, Vec<String>)> = BTreeSet::new();
    let mut crates = 0;
    for entry in std::fs::read_dir(root.join("crates")).expect("crates/ exists") {
        let dir = entry.expect("readable").path();
        let src = dir.join("src");
        if !src.join("lib.rs").is_file() {
            continue;
        }
        crates += 1;
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let graph = module_graph(&src);
        for cycle in cycles(&graph) {
            found.insert((name.clone(), cycle));
        }
    }
    assert!(crates >= 5, "the scan found the library crates");
    let known: BTreeSet<(String, Vec<String>)> = KNOWN
        .iter()
        .map(|(c, m)| (c.to_string(), m.iter().map(|s| s.to_string()).collect()))
        .collect();
    let new: Vec<_> = found.difference(&known).collect();
    let gone: Vec<_> = known.difference(&found).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "module cycles changed.\nnew (break them): {new:#?}\ngone (remove from KNOWN): {gone:#?}"
    );
}

/// The checker itself: a circle through `use super::` is found, and a
/// parent that only declares its child is not one.
#[test]
fn the_checker_sees_a_cycle_through_super() {
    let dir = std::env::temp_dir().join(format!("skein-layering-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(
        dir.join("lib.rs"),
        "pub mod a;\npub mod b;\nuse crate::b::X;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("a.rs"),
        "pub mod c;\n// use crate::b; (a comment)\n#[cfg(test)]\nmod tests { use crate::b; }\n",
    )
    .unwrap();
    std::fs::write(dir.join("a/c.rs"), "use super::super::b::{Y, Z as W};\n").unwrap();
    std::fs::write(
        dir.join("b.rs"),
        "fn f() { crate::a::c::g(); let s = \"crate::a\"; }\n",
    )
    .unwrap();
    let graph = module_graph(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        cycles(&graph),
        vec![vec!["a::c".to_string(), "b".to_string()]]
    );
    assert!(graph["crate"].contains("b"));
    assert!(!graph["a"].contains("a::c"), "declaring a child is no use");
    assert!(!graph["a"].contains("b"), "test code is not layering");
}

/// Module path (`crate`, `a`, `a::b`) → the modules it uses.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn module_graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rs_files(src, &mut files);
    let modules: BTreeMap<String, PathBuf> = files
        .iter()
        .map(|f| (module_of(src, f), f.clone()))
        .collect();
    let paths: BTreeMap<&String, Vec<RefPath>> = modules
        .iter()
        .map(|(module, file)| {
            let text = std::fs::read_to_string(file).expect("readable source");
            (module, paths_in(&strip(&text)))
        })
        .collect();
    // `pub use a::Item;` in module m: a path to `m::Item` leads to `a`, where
    // `Item` is, not to m (the facade a crate root usually is).
    let mut reexports: BTreeMap<(String, String), (String, Vec<String>, usize)> = BTreeMap::new();
    for (module, list) in &paths {
        for path in list.iter().filter(|p| p.reexport) {
            if let Some(item) = path.segments.last() {
                reexports.insert(
                    ((*module).clone(), item.clone()),
                    ((*module).clone(), path.segments.clone(), path.inline_depth),
                );
            }
        }
    }
    let mut graph = Graph::new();
    for (module, list) in &paths {
        let mut uses = BTreeSet::new();
        for path in list {
            let mut target = resolve(module, &path.segments, path.inline_depth, &modules);
            // Follow re-exports a few steps (they may chain).
            for _ in 0..4 {
                let Some((m, Some(item))) = &target else {
                    break;
                };
                let Some((from, segments, depth)) = reexports.get(&(m.clone(), item.clone()))
                else {
                    break;
                };
                if segments == &path.segments && from == *module {
                    break;
                }
                target = resolve(from, segments, *depth, &modules);
            }
            if let Some((target, _)) = target
                && &target != *module
            {
                uses.insert(target);
            }
        }
        graph.insert((*module).clone(), uses);
    }
    graph
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` or `src/a/b/mod.rs` → `a::b`; `src/lib.rs` → `crate`.
/// Files pulled in with `#[path]` (test files beside a module) map to a
/// module of their own name, which nothing else names: harmless.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] {
        return "crate".into();
    }
    parts.join("::")
}

/// Source text with comments, strings and char literals blanked out.
fn strip(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&b, i) {
            // A raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < b.len() {
                if b[j] == '"' && (0..hashes).all(|h| b.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}'), not a lifetime ('a).
            let end = if next == Some('\\') {
                (i + 2..b.len()).find(|&j| b[j] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => {
                    out.push_str("' '");
                    i = e + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// A path that starts at `crate`, `super` or `self`, with how many inline
/// `mod x { … }` blocks it sits in (their `super` is the file's module).
struct RefPath {
    segments: Vec<String>,
    inline_depth: usize,
    /// Written in a `pub use`: what the module re-exports.
    reexport: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Colons,
    Punct(char),
}

fn tokens(text: &str) -> Vec<Tok> {
    let b: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(b[start..i].iter().collect()));
        } else if c == ':' && b.get(i + 1) == Some(&':') {
            out.push(Tok::Colons);
            i += 2;
        } else {
            if !c.is_whitespace() {
                out.push(Tok::Punct(c));
            }
            i += 1;
        }
    }
    out
}

fn paths_in(text: &str) -> Vec<RefPath> {
    let toks = tokens(text);
    let mut out = Vec::new();
    // Brace depths at which inline modules opened.
    let mut inline: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        if let Some(after) = cfg_test_item(&toks, i) {
            i = after;
            continue;
        }
        match &toks[i] {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last() == Some(&depth) {
                    inline.pop();
                }
            }
            Tok::Ident(m)
                if m == "mod"
                    && matches!(toks.get(i + 1), Some(Tok::Ident(_)))
                    && toks.get(i + 2) == Some(&Tok::Punct('{')) =>
            {
                inline.push(depth);
            }
            Tok::Ident(u) if u == "use" => {
                let end = (i..toks.len())
                    .find(|&j| toks[j] == Tok::Punct(';'))
                    .unwrap_or(toks.len());
                let mut trees = Vec::new();
                expand_use(&toks[i + 1..end], Vec::new(), &mut trees);
                let public = i > 0
                    && (toks[i - 1] == Tok::Ident("pub".into())
                        || (toks[i - 1] == Tok::Punct(')')
                            && toks[..i]
                                .iter()
                                .rev()
                                .take(5)
                                .any(|t| *t == Tok::Ident("pub".into()))));
                out.extend(trees.into_iter().map(|segments| RefPath {
                    segments,
                    inline_depth: inline.len(),
                    reexport: public,
                }));
                i = end;
                continue;
            }
            Tok::Ident(s) if toks.get(i + 1) == Some(&Tok::Colons) => {
                let before_colons = i > 0 && toks[i - 1] == Tok::Colons;
                if !before_colons {
                    let mut segments = vec![s.clone()];
                    let mut j = i + 1;
                    while toks.get(j) == Some(&Tok::Colons) {
                        match toks.get(j + 1) {
                            Some(Tok::Ident(n)) => {
                                segments.push(n.clone());
                                j += 2;
                            }
                            _ => break,
                        }
                    }
                    out.push(RefPath {
                        segments,
                        inline_depth: inline.len(),
                        reexport: false,
                    });
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Where the item after a `#[cfg(test)]` at `i` ends, if there is one:
/// test code may use anything, so it is not part of the layering.
fn cfg_test_item(toks: &[Tok], i: usize) -> Option<usize> {
    let attr = [
        Tok::Punct('#'),
        Tok::Punct('['),
        Tok::Ident("cfg".into()),
        Tok::Punct('('),
        Tok::Ident("test".into()),
        Tok::Punct(')'),
        Tok::Punct(']'),
    ];
    if toks.get(i..i + attr.len())? != attr {
        return None;
    }
    let mut j = i + attr.len();
    // Further attributes (`#[path = …]`) and `pub` before the item.
    while toks.get(j) == Some(&Tok::Punct('#')) {
        j = (j..toks.len()).find(|&k| toks[k] == Tok::Punct(']'))? + 1;
    }
    if toks.get(j) == Some(&Tok::Ident("pub".into())) {
        j += 1;
    }
    let end_of = |from: usize| -> usize {
        let semi = (from..toks.len()).find(|&k| toks[k] == Tok::Punct(';'));
        let brace = (from..toks.len()).find(|&k| toks[k] == Tok::Punct('{'));
        match (semi, brace) {
            (Some(s), Some(b)) if s < b => s + 1,
            (_, Some(b)) => matching(toks, b) + 1,
            (Some(s), None) => s + 1,
            (None, None) => toks.len(),
        }
    };
    Some(end_of(j))
}

/// Expands a `use` tree (`a::{b, c::d as e}`) into its paths.
fn expand_use(toks: &[Tok], prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = prefix.clone();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Ident(n) if n == "as" => {
                i += 2;
                continue;
            }
            Tok::Ident(n) if n != "pub" => path.push(n.clone()),
            Tok::Punct('{') => {
                let close = matching(toks, i);
                // A trailing comma leaves an empty last part: no path.
                for part in split_top(&toks[i + 1..close])
                    .into_iter()
                    .filter(|p| !p.is_empty())
                {
                    expand_use(part, path.clone(), out);
                }
                return;
            }
            _ => {}
        }
        i += 1;
    }
    if !path.is_empty() {
        out.push(path);
    }
}

fn matching(toks: &[Tok], open: usize) -> usize {
    let mut depth = 0;
    for (j, t) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

fn split_top(toks: &[Tok]) -> Vec<&[Tok]> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (j, t) in toks.iter().enumerate() {
        match t {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => depth -= 1,
            Tok::Punct(',') if depth == 0 => {
                parts.push(&toks[start..j]);
                start = j + 1;
            }
            _ => {}
        }
    }
    parts.push(&toks[start..]);
    parts
}

/// The module a path names, as the longest prefix that is a known module
/// (what follows is an item inside it).
fn resolve(
    from: &str,
    segments: &[String],
    inline_depth: usize,
    modules: &BTreeMap<String, PathBuf>,
) -> Option<(String, Option<String>)> {
    let mut base: Vec<String> = if from == "crate" {
        Vec::new()
    } else {
        from.split("::").map(String::from).collect()
    };
    let mut rest = segments;
    let mut inline = inline_depth;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().is_some_and(|s| s == "super") {
                if inline > 0 {
                    inline -= 1;
                } else {
                    base.pop()?;
                }
                rest = &rest[1..];
            }
        }
        Some(first) => {
            // `use child::x` and `child::f()` name a child module without
            // `self::`; anything else (a crate, a type) is not ours.
            let mut child = base.clone();
            child.push(first.to_string());
            if inline > 0 || !modules.contains_key(&child.join("::")) {
                return None;
            }
        }
        None => return None,
    }
    let mut best = if base.is_empty() {
        "crate".to_string()
    } else {
        base.join("::")
    };
    let mut path = base;
    let mut next = None;
    for seg in rest {
        path.push(seg.clone());
        let name = path.join("::");
        if modules.contains_key(&name) {
            best = name;
        } else {
            next = Some(seg.clone());
            break;
        }
    }
    Some((best, next))
}

/// Each strongly connected set of more than one module, sorted.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let names: Vec<&String> = graph.keys().collect();
    let index: BTreeMap<&String, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let reach = |from: usize| -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            for m in &graph[names[n]] {
                if let Some(&j) = index.get(m)
                    && seen.insert(j)
                {
                    stack.push(j);
                }
            }
        }
        seen
    };
    let reaches: Vec<BTreeSet<usize>> = (0..names.len()).map(reach).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for i in 0..names.len() {
        if done.contains(&i) || !reaches[i].contains(&i) {
            continue;
        }
        let members: Vec<usize> = (0..names.len())
            .filter(|&j| reaches[i].contains(&j) && reaches[j].contains(&i))
            .collect();
        done.extend(members.iter().copied());
        out.push(members.iter().map(|&j| names[j].clone()).collect());
    }
    out
}
