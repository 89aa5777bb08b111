//! The quick RON reader against `ron` itself: on every committed save, in
//! both layouts, and on damaged and hand-edited copies of them, whatever the
//! quick reader accepts must be exactly what `ron` reads.

use std::path::PathBuf;

use super::{quick, with_ron};
use crate::write::{Encoding, to_bytes};

fn golden_texts() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let mut out = Vec::new();
    for dir in ["compat/v2", "saves"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("tests dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "ron"))
            .collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).expect("read");
            out.push((p.display().to_string(), text));
        }
    }
    assert!(out.len() >= 8, "the committed saves are found");
    out
}

/// Each golden save in its own layout, then re-encoded compact and pretty.
fn layouts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, text) in golden_texts() {
        let save = with_ron(&text).expect("golden loads");
        for enc in [Encoding::Compact, Encoding::Pretty] {
            let bytes = to_bytes(&save, enc).expect("encode");
            out.push((
                format!("{name} {enc:?}"),
                String::from_utf8(bytes).expect("utf8"),
            ));
        }
        out.push((name, text));
    }
    out
}

/// Whatever the quick reader accepts, `ron` reads the same way.
fn agrees(what: &str, text: &str) -> bool {
    match quick(text) {
        Some(q) => {
            let slow = with_ron(text)
                .unwrap_or_else(|e| panic!("{what}: quick accepted what ron refuses: {e}"));
            assert_eq!(q, slow, "{what}: quick and ron differ");
            true
        }
        None => false,
    }
}

#[test]
fn every_committed_save_takes_the_quick_path_and_reads_as_ron_does() {
    for (name, text) in layouts() {
        assert!(agrees(&name, &text), "{name}: the quick reader gave up");
    }
}

#[test]
fn damaged_saves_are_never_read_differently() {
    let variants: [&[u8]; 8] = [b"", b" ", b"/", b"0", b"-", b",", b")", b"\""];
    for (name, text) in golden_texts() {
        let bytes = text.as_bytes();
        let stride = (bytes.len() / 40).max(1);
        for at in (0..bytes.len()).step_by(stride) {
            for v in variants {
                let mut b = bytes.to_vec();
                b.splice(at..at + 1, v.iter().copied());
                if let Ok(t) = String::from_utf8(b) {
                    agrees(&format!("{name} @{at} {v:?}"), &t);
                }
            }
        }
    }
}

/// A frame's locals in `tests/saves/channel_loops_t1.ron`, whose `Int(3)`
/// is replaced by each case.
const LOCALS: &str = "Int(6), Int(3), Unbound";

#[test]
fn hand_edited_values_are_read_as_ron_reads_them_or_left_to_it() {
    let (name, text) = golden_texts()
        .into_iter()
        .find(|(_, t)| t.contains(LOCALS))
        .expect("a save holding these locals");
    // (replacement, whether the quick reader must take it)
    let cases = [
        ("Float(1e300)", true),
        ("Float(-1.5e-7)", true),
        ("Float(-inf)", true),
        ("Float(0.25)", true),
        ("Str(\"a\\u{e9}\\n\\\"q\\\"\")", true),
        ("Str(\"é\")", true),
        ("Int(-9223372036854775808)", true),
        ("Float(NaN)", false),
        ("Float(1.)", false),
        ("Float(.5)", false),
        ("Float(5)", false),
        ("Int(007)", false),
        ("Int(1_000)", false),
        ("Int(+5)", false),
        ("Int(0x10)", false),
        ("Int(9223372036854775808)", false),
        ("Str(r\"raw\")", false),
        ("Str(\"\\x41\")", false),
        ("Int(/* c */ 3)", false),
        ("Int(3 // c\n)", false),
        ("r#Int(3)", true),
        ("Int(3,)", true),
        ("Int ( 3 )", true),
    ];
    for (rep, must) in cases {
        let t = text.replacen(LOCALS, &format!("Int(6), {rep}, Unbound"), 1);
        let took = agrees(&format!("{name} with {rep}"), &t);
        if must {
            assert!(took, "{rep}: the quick reader should take it");
        }
    }
    let commented = format!("// a note\n{text}");
    assert!(!agrees("leading comment", &commented));
    assert!(with_ron(&commented).is_ok(), "ron still reads it");
}

/// The quick compact writer, which must give `ron`'s bytes exactly.
fn quick_compact<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let mut out = Vec::new();
    crate::write::quick_ron::write(v, &mut out).expect("the quick writer takes it");
    out
}

#[test]
fn the_quick_writer_writes_rons_bytes_for_every_committed_save() {
    for (name, text) in golden_texts() {
        let save = with_ron(&text).expect("golden loads");
        let ron_text = ron::Options::default()
            .to_string(&save)
            .expect("ron writes");
        let quick = String::from_utf8(quick_compact(&save)).expect("utf8");
        assert_eq!(quick, ron_text, "{name}");
    }
}

#[test]
fn the_quick_writer_writes_rons_bytes_for_awkward_values() {
    use crate::values::ValueRec as V;
    let values = vec![
        V::Float(1e300),
        V::Float(-1.5e-7),
        V::Float(f64::INFINITY),
        V::Float(f64::NEG_INFINITY),
        V::Float(-0.0),
        V::Float(0.1),
        V::Int(i64::MIN),
        V::Str("plain".into()),
        V::Str("quote \" apostrophe ' backslash \\ tab \t nl \n nul \0 del \x7f".into()),
        V::Str("é ü 漢字 e\u{301} \u{200b} \u{1F600} \u{10FFFF}".into()),
        V::Str(String::new()),
        V::Nil,
        V::Unbound,
        V::Range(0, -5, -1),
        V::Dict(vec![(
            V::Str("k".into()),
            V::List(vec![V::Bool(true), V::Main]),
        )]),
    ];
    let ron_text = ron::Options::default()
        .to_string(&values)
        .expect("ron writes");
    assert_eq!(
        String::from_utf8(quick_compact(&values)).expect("utf8"),
        ron_text
    );
    let nan = vec![V::Float(f64::NAN)];
    assert!(crate::write::quick_ron::write(&nan, &mut Vec::new()).is_err());
    // And the reader takes what the writer wrote (NaN aside, left to ron).
    let back: Vec<V> =
        super::fast_ron::read_seed(&ron_text, std::marker::PhantomData).expect("quick reads");
    assert_eq!(back, values);
}

#[test]
fn host_data_is_read_and_written_as_ron_does() {
    use std::collections::BTreeMap;

    use crate::ext::ExtValue;
    let text = r#"{"Name":"bob","Opt":Some((a:1,b:[2,3])),"Pos":(x:1.5,y:-2),"Tags":["a, b","c)"],"Unit":()}"#;
    let quick: BTreeMap<String, ExtValue> =
        super::fast_ron::read_seed(text, std::marker::PhantomData).expect("quick reads");
    let slow: BTreeMap<String, ExtValue> = ron::from_str(text).expect("ron reads");
    assert_eq!(quick, slow);
    assert_eq!(quick["Tags"].as_ron(), r#"["a, b","c)"]"#);
    let ron_text = ron::Options::default()
        .to_string(&slow)
        .expect("ron writes");
    assert_eq!(
        String::from_utf8(quick_compact(&slow)).expect("utf8"),
        ron_text
    );
}
