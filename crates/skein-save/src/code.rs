//! Content hashes of code: one per function over its source tokens —
//! names, keywords, operators, literals, layout — but not their positions,
//! comments or blank lines, and not the bytecode (`code/tokens.rs`), so
//! neither moving a function down a line nor a newer compiler changes it;
//! and one per module over its source and its functions' hashes.
//!
//! The hash is FNV-1a 64 (`code/hash.rs`). Std's `DefaultHasher` is not
//! used: its algorithm may change between Rust versions, and these hashes
//! are written into save files.

mod hash;
mod tokens;

pub use hash::{ContentHash, Fnv64};
pub use tokens::function_hashes;

use skein_script::bytecode::{FuncRef, Program};

/// The hash of one function of a program, blind to where it sits in its
/// file and to what the compiler made of it.
pub fn function_hash(program: &Program, f: FuncRef) -> ContentHash {
    let m = program.module_of(f);
    function_hashes(m)
        .get(f.func as usize)
        .copied()
        .unwrap_or_default()
}

/// The hash of a module from its source and its functions' hashes (as
/// [`function_hashes`] gives them), in function order.
pub fn module_hash(source: &str, functions: &[ContentHash]) -> ContentHash {
    let mut h = Fnv64::default();
    h.text("skein-module");
    h.text(source);
    h.len(functions.len());
    for f in functions {
        h.write(&f.0.to_le_bytes());
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use skein_script::loader::{LoadOptions, load_program_with};

    /// Each function's hash, by name, of `src` compiled as module `m`.
    fn hashes(src: &str) -> Vec<(String, ContentHash)> {
        struct NoImports;
        impl skein_script::loader::SourceResolver for NoImports {
            fn resolve(&self, _: &str, _: &str) -> Option<(String, String)> {
                None
            }
        }
        let p = load_program_with("m", "m.sk", src, &NoImports, &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{}", e.render()));
        let mi = p.module_index("m").expect("m loaded") as usize;
        let m = &p.modules[mi];
        m.functions
            .iter()
            .map(|f| f.name.clone())
            .zip(function_hashes(m))
            .collect()
    }

    const BASE: &str = "def f(x):\n    return x + 1\n\ndef g():\n    return f(2)\n\nprint(g())\n";

    #[test]
    fn fnv_matches_reference_vectors() {
        // Published FNV-1a 64 test vectors.
        let mut h = Fnv64::default();
        h.write(b"");
        assert_eq!(h.finish().0, 0xcbf2_9ce4_8422_2325);
        let mut h = Fnv64::default();
        h.write(b"a");
        assert_eq!(h.finish().0, 0xaf63_dc4c_8601_ec8c);
        let mut h = Fnv64::default();
        h.write(b"foobar");
        assert_eq!(h.finish().0, 0x8594_4171_f739_67e8);
    }

    #[test]
    fn comments_blank_lines_and_line_shifts_keep_every_hash() {
        let base = hashes(BASE);
        let moved = "# a header comment\n\n\ndef f(x):   # inline\n\n    return x  +  1\n\n\n\ndef g():\n  return f(\n      2)\n\nprint(g())  # done\n";
        assert_eq!(hashes(moved), base);
    }

    #[test]
    fn a_changed_constant_name_or_statement_changes_that_hash_only() {
        let base = hashes(BASE);
        let by_name =
            |h: &[(String, ContentHash)], n: &str| h.iter().find(|(f, _)| f == n).map(|(_, h)| *h);
        for (edit, changed) in [
            (BASE.replace("x + 1", "x + 2"), "f"),
            (BASE.replace("return f(2)", "return f(2.0)"), "g"),
            (
                BASE.replace("(x):\n    return x", "(y):\n    return y"),
                "f",
            ),
            (BASE.replace("print(g())", "print(g(), 1)"), "<module>"),
        ] {
            let now = hashes(&edit);
            for (name, h) in &base {
                let same = by_name(&now, name) == Some(*h);
                assert_eq!(same, name != changed, "{name} after editing {changed}");
            }
        }
    }

    #[test]
    fn a_renamed_def_changes_the_top_level_that_binds_it() {
        let base = hashes(BASE);
        let now = hashes(
            &BASE
                .replace("def g():", "def h():")
                .replace("print(g())", "print(h())"),
        );
        assert_ne!(now[0].1, base[0].1);
    }

    #[test]
    fn hash_is_fixed_across_builds() {
        // A changed value here means every save's hashes changed: that is a
        // format change and needs a new format version.
        let h = hashes(BASE);
        let text: Vec<String> = h.iter().map(|(n, h)| format!("{n} {h}")).collect();
        assert_eq!(
            text,
            [
                "<module> 9e366a8e879f3fd8",
                "f c29a6f3e9c5ea8db",
                "g 79b09e402c471c1c"
            ]
        );
        let text = ron::to_string(&h[1].1).unwrap_or_default();
        let back: ContentHash = ron::from_str(&text).unwrap_or_default();
        assert_eq!(back, h[1].1);
    }
}
