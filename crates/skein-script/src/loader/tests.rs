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

/// A fresh temporary folder holding `files` (relative path, source).
fn temp_tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let root = std::env::temp_dir().join(format!("skein-loader-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for (path, source) in files {
        let p = root.join(path);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).expect("create temp dir");
        }
        std::fs::write(&p, source).expect("write temp file");
    }
    root
}

fn messages(e: &LoadError) -> Vec<String> {
    e.errors()
        .iter()
        .map(|e| format!("{}:{}:{}: {}", e.file, e.span.line, e.span.col, e.message))
        .collect()
}

/// Every corpus script loads, except those whose expected exit code is 2
/// (a compile error), which must fail to load.
#[test]
fn corpus_compiles_as_expected() {
    let mut files = Vec::new();
    sk_files(&corpus(), &mut files);
    assert!(
        files.len() > 50,
        "corpus not found at {}",
        corpus().display()
    );
    let mut wrong = Vec::new();
    for f in files {
        let code = std::fs::read_to_string(f.with_extension("code"));
        let has_out = f.with_extension("out").exists();
        let expect_error = match &code {
            Ok(c) => c.trim() == "2",
            // A module imported by other scripts, not a test of its own.
            Err(_) if !has_out => continue,
            Err(_) => false,
        };
        let result = load_program(&f, &LoadOptions::default());
        if let Ok(p) = &result {
            // The listing must cover every op without panicking.
            assert!(!disasm(p).is_empty());
        }
        if result.is_ok() == expect_error {
            wrong.push(format!(
                "{}: {:?}",
                f.display(),
                result.err().map(|e| e.to_string())
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn finds_modules_in_the_folder_then_the_search_path() {
    let root = temp_tree(
        "several",
        &[
            ("game/main.sk", "import a\nx = 1\nprint(a.f())\n"),
            (
                "game/a.sk",
                "def f():\n    from b import g\n    return g()\n",
            ),
            (
                "lib/b.sk",
                "import main\nimport npc\ndef g():\n    return main.x\n",
            ),
        ],
    );
    let opts = LoadOptions {
        search_path: vec![root.join("lib")],
        host_modules: vec![("npc".into(), vec!["walk_to".into()])],
    };
    let p = load_program(&root.join("game/main.sk"), &opts).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<(&str, &str)> = p
        .modules
        .iter()
        .map(|m| (m.name.as_str(), m.path.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("main", "main.sk"),
            ("a", "a.sk"),
            ("b", "b.sk"),
            ("__prelude__", "__prelude__.sk")
        ]
    );
    assert_eq!(p.host_modules, ["npc"]);
    assert_eq!(p.modules[0].source, "import a\nx = 1\nprint(a.f())\n");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn a_missing_module_is_an_error_at_the_import() {
    let root = temp_tree(
        "missing",
        &[
            ("main.sk", "import a\n"),
            ("a.sk", "x = 1\n\nimport nowhere\n"),
        ],
    );
    let e =
        load_program(&root.join("main.sk"), &LoadOptions::default()).expect_err("must not load");
    assert_eq!(messages(&e), ["a.sk:3:8: no module named 'nowhere'"]);
    assert!(
        e.render().contains("no module named 'nowhere'"),
        "{}",
        e.render()
    );
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn two_files_with_one_module_name_are_an_error() {
    let root = temp_tree(
        "duplicate",
        &[
            ("game/main.sk", "import util\n"),
            ("game/util.sk", "x = 1\n"),
            ("lib/util.sk", "x = 2\n"),
        ],
    );
    let opts = LoadOptions {
        search_path: vec![root.join("lib")],
        ..LoadOptions::default()
    };
    let e = load_program(&root.join("game/main.sk"), &opts).expect_err("must not load");
    let m = messages(&e);
    assert_eq!(m.len(), 1);
    assert!(
        m[0].starts_with("main.sk:1:8: two files define module 'util': "),
        "{m:?}"
    );
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn a_file_named_like_a_builtin_module_is_an_error() {
    let root = temp_tree(
        "shadow",
        &[
            ("main.sk", "import random\n"),
            ("random.sk", "x = 1\n"),
            ("math.sk", "print(1)\n"),
        ],
    );
    let e =
        load_program(&root.join("main.sk"), &LoadOptions::default()).expect_err("must not load");
    assert_eq!(
        messages(&e),
        ["main.sk:1:8: the file random.sk has the name of the built-in module 'random'"]
    );
    let e =
        load_program(&root.join("math.sk"), &LoadOptions::default()).expect_err("must not load");
    assert_eq!(
        messages(&e),
        ["math.sk:1:1: the file math.sk has the name of a built-in module"]
    );
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn a_missing_main_file_says_so() {
    let e = load_program(
        Path::new("/nonexistent/dir/village.sk"),
        &LoadOptions::default(),
    )
    .expect_err("must not load");
    assert_eq!(
        e.render(),
        "error: cannot read /nonexistent/dir/village.sk: No such file or directory\n"
    );
}

#[test]
fn loads_through_a_resolver() {
    struct Builtin;
    impl SourceResolver for Builtin {
        fn resolve(&self, name: &str, from_dir: &str) -> Option<(String, String)> {
            match (name, from_dir) {
                ("helper", "") => Some(("helper.sk".into(), "def h():\n    return 2\n".into())),
                _ => None,
            }
        }
    }
    let p = load_program_with(
        "demo",
        "demo.sk",
        "from helper import h\nprint(h())\n",
        &Builtin,
        &LoadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.modules.len(), 3);
    assert_eq!(p.modules[1].name, "helper");
    assert_eq!(p.module_index("__prelude__"), Some(2));

    let e = load_program_with(
        "demo",
        "demo.sk",
        "import nope\n",
        &Builtin,
        &LoadOptions::default(),
    )
    .expect_err("must not load");
    assert_eq!(messages(&e), ["demo.sk:1:8: no module named 'nope'"]);
}

#[test]
fn compile_str_builds_one_module_and_the_prelude() {
    let p = compile_str("t", "from stackless import *\nprint(tasklet)\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.modules.len(), 2);
    assert_eq!(p.modules[0].path, "t.sk");
    assert_eq!(p.modules[1].name, "__prelude__");
    let e = compile_str("t", "x = (\n").expect_err("must not load");
    assert_eq!(e.errors().len(), 1);
}
