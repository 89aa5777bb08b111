//! Content hashes of code: one per function over its bytecode, constants and
//! names but not its line numbers (moving a function down a line keeps its
//! hash), and one per module over its source and its functions' hashes.
//!
//! The hash is FNV-1a 64 over a canonical byte stream that this file defines
//! by walking the serde data model: every variant and field is fed by *name*
//! with a tag byte and a length prefix, so reordering an enum's variants in
//! the source does not change hashes, and no two distinct values feed the same
//! bytes. Std's `DefaultHasher` is not used: its algorithm may change between
//! Rust versions, and these hashes are written into save files.

use serde::ser::Serialize;

mod hash;
mod sink;

pub use hash::{ContentHash, Fnv64};
use sink::HashSink;
use skein_script::bytecode::{Const, Function, Module, Op};

/// The parts of a function that its hash covers: everything but `lines` and
/// `def_line`.
#[derive(serde::Serialize)]
struct HashedFunction<'a> {
    name: &'a str,
    params: &'a [String],
    defaults: &'a [Const],
    nlocals: u16,
    local_names: &'a [String],
    code: &'a [Op],
    consts: &'a [Const],
    names: &'a [String],
    kwnames: &'a [Vec<String>],
}

/// The hash of one function's code, blind to where it sits in its file.
pub fn function_hash(f: &Function) -> ContentHash {
    let view = HashedFunction {
        name: &f.name,
        params: &f.params,
        defaults: &f.defaults,
        nlocals: f.nlocals,
        local_names: &f.local_names,
        code: &f.code,
        consts: &f.consts,
        names: &f.names,
        kwnames: &f.kwnames,
    };
    let mut h = Fnv64::default();
    // The hash sink never fails; a failure would only mean an unhashable
    // type crept into `Function`, which the tests below would catch.
    let _ = view.serialize(&mut HashSink(&mut h));
    h.finish()
}

/// The hash of a module: its source, its global names and each function's hash.
pub fn module_hash(m: &Module) -> ContentHash {
    let mut h = Fnv64::default();
    h.text("skein-module");
    h.text(&m.source);
    h.len(m.globals.len());
    for g in &m.globals {
        h.text(g);
    }
    h.len(m.functions.len());
    for f in &m.functions {
        h.write(&function_hash(f).0.to_le_bytes());
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn func(code: Vec<Op>, lines: Vec<u32>, def_line: u32) -> Function {
        Function {
            name: "f".into(),
            params: vec!["x".into()],
            defaults: vec![],
            nlocals: 1,
            local_names: vec!["x".into()],
            code,
            lines,
            consts: vec![Const::Str("hi".into())],
            names: vec![],
            kwnames: vec![],
            def_line,
            derived: Default::default(),
        }
    }

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
    fn lines_do_not_change_the_hash() {
        let a = func(vec![Op::LoadLocal(0), Op::Return], vec![2, 2], 1);
        let b = func(vec![Op::LoadLocal(0), Op::Return], vec![7, 8], 6);
        assert_eq!(function_hash(&a), function_hash(&b));
    }

    #[test]
    fn code_constants_and_names_change_the_hash() {
        let a = func(vec![Op::LoadLocal(0), Op::Return], vec![2, 2], 1);
        let mut b = a.clone();
        b.code[0] = Op::Const(0);
        assert_ne!(function_hash(&a), function_hash(&b));
        let mut c = a.clone();
        c.consts[0] = Const::Str("ho".into());
        assert_ne!(function_hash(&a), function_hash(&c));
        let mut d = a.clone();
        d.name = "g".into();
        assert_ne!(function_hash(&a), function_hash(&d));
        let mut e = a.clone();
        e.consts[0] = Const::Int(0);
        assert_ne!(function_hash(&a), function_hash(&e));
    }

    #[test]
    fn hash_is_fixed_across_builds() {
        // A changed value here means every save's hashes changed: that is a
        // format change and needs a new format version.
        let a = func(vec![Op::LoadLocal(0), Op::Return], vec![2, 2], 1);
        assert_eq!(function_hash(&a).to_string(), "2f5b7a443f72be1f");
        let text = ron::to_string(&function_hash(&a)).unwrap_or_default();
        let back: ContentHash = ron::from_str(&text).unwrap_or_default();
        assert_eq!(back, function_hash(&a));
    }
}
