//! Host data in saves: a registered component or resource, or a native's
//! pending request, kept as the compact RON text of the host's own type.
//!
//! In a RON save it is written inline, as RON, so a person reads it like the
//! rest of the file; in the binary encoding it is a string. Either way the
//! save crate never needs the host's types to read, check or rewrite a file:
//! only the host's registered loader turns the text back into its type.

use std::fmt;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::read::fast_ron::RAW_VALUE;

/// The compact RON text of one piece of host data. Every way of making one
/// gives valid RON (`ron`'s or the quick writer's output, or checked text),
/// so it is written out as it is, without parsing it again.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExtValue(String);

impl ExtValue {
    /// Host data as compact RON: the quick writer's bytes, which are
    /// `ron`'s, or `ron`'s own where the quick writer gives up.
    pub fn from_rust<T: Serialize>(v: &T) -> Result<ExtValue, ron::Error> {
        // Most host data is a small struct: one allocation, not a doubling
        // series from nothing.
        let mut out = Vec::with_capacity(48);
        if crate::write::quick_ron::write(v, &mut out).is_ok()
            && let Ok(text) = String::from_utf8(out)
        {
            return Ok(ExtValue(text));
        }
        ron::to_string(v).map(ExtValue)
    }

    /// The host data back as its type.
    pub fn to_rust<T: DeserializeOwned>(&self) -> Result<T, ron::error::SpannedError> {
        ron::from_str(&self.0)
    }

    /// Checked RON text (for hand-made records and tests).
    pub fn from_ron(text: &str) -> Result<ExtValue, ron::error::SpannedError> {
        let raw = ron::value::RawValue::from_ron(text)?;
        Ok(ExtValue(bare(raw).to_string()))
    }

    /// The RON text.
    pub fn as_ron(&self) -> &str {
        &self.0
    }

    /// `()`, for a native request without data.
    pub fn unit() -> ExtValue {
        ExtValue("()".to_string())
    }
}

impl fmt::Debug for ExtValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExtValue({})", self.0)
    }
}

impl Serialize for ExtValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            // What `RawValue` serializes as; the text is valid RON (see the
            // type's doc), so checking it again would only cost a parse.
            s.serialize_newtype_struct(RAW_VALUE, self.0.as_str())
        } else {
            s.serialize_str(&self.0)
        }
    }
}

/// A raw value's text without the white space, comments and extension
/// attributes around it. `trim` parses the text again to find them; the
/// text a save holds has none (no white space at its ends, no `#` first, no
/// `/` anywhere), so then it is not asked.
fn bare(raw: &ron::value::RawValue) -> &str {
    let text = raw.get_ron();
    let b = text.as_bytes();
    let plain = |c: Option<&u8>| c.is_some_and(|c| !c.is_ascii_whitespace());
    if plain(b.first()) && b[0] != b'#' && plain(b.last()) && !b.contains(&b'/') {
        text
    } else {
        raw.trim().get_ron()
    }
}

impl<'de> Deserialize<'de> for ExtValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let raw = Box::<ron::value::RawValue>::deserialize(d)?;
            Ok(ExtValue(bare(&raw).to_string()))
        } else {
            let text = String::deserialize(d)?;
            ExtValue::from_ron(&text).map_err(D::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Pos {
        x: i32,
        y: i32,
    }

    #[test]
    fn host_data_round_trips_through_ron_and_binary() {
        let e = ExtValue::from_rust(&Pos { x: 3, y: -4 }).expect("serializes");
        assert_eq!(e.as_ron(), "(x:3,y:-4)");
        let text = ron::to_string(&vec![e.clone()]).expect("ron");
        assert_eq!(text, "[(x:3,y:-4)]");
        let back: Vec<ExtValue> = ron::from_str(&text).expect("ron back");
        assert_eq!(back[0], e);
        let bin = postcard::to_stdvec(&e).expect("postcard");
        let back: ExtValue = postcard::from_bytes(&bin).expect("postcard back");
        assert_eq!(back.to_rust::<Pos>().expect("pos"), Pos { x: 3, y: -4 });
    }

    #[derive(Serialize)]
    enum Mood {
        Calm,
        Angry(u8),
        Lost { since: i64 },
    }

    #[derive(Serialize)]
    struct Awkward {
        name: String,
        pos: (f64, f64, f32),
        tag: char,
        moods: Vec<Mood>,
        maybe: Option<Box<Awkward>>,
        map: std::collections::BTreeMap<String, u64>,
        unit: (),
        nan: f64,
    }

    /// The quick writer makes host data (where it gives up, `ron` does):
    /// the text must be `ron`'s, byte for byte.
    #[test]
    fn host_data_text_is_rons() {
        let inner = Awkward {
            name: "\u{e9}\"q\"\n\u{1}".into(),
            pos: (1e300, -0.0, 1.5),
            tag: 'x',
            moods: vec![Mood::Calm, Mood::Angry(3), Mood::Lost { since: -7 }],
            maybe: None,
            map: [("a".to_string(), 1), ("true".to_string(), 2)].into(),
            unit: (),
            nan: 0.1,
        };
        let whole = Awkward {
            maybe: Some(Box::new(inner)),
            nan: f64::NAN,
            ..Awkward {
                name: String::new(),
                pos: (0.0, f64::INFINITY, 0.0),
                tag: '\'',
                moods: Vec::new(),
                maybe: None,
                map: Default::default(),
                unit: (),
                nan: 0.0,
            }
        };
        for v in [&whole, whole.maybe.as_deref().expect("inner")] {
            let want = ron::to_string(v).expect("ron");
            assert_eq!(ExtValue::from_rust(v).expect("quick").as_ron(), want);
        }
        let moods = [Mood::Calm, Mood::Angry(255), Mood::Lost { since: i64::MIN }];
        let want = ron::to_string(&moods).expect("ron");
        assert_eq!(ExtValue::from_rust(&moods).expect("quick").as_ron(), want);
    }

    #[test]
    fn host_text_is_trimmed_as_ron_trims_it() {
        let cases = [
            ("(x:3,y:-4)", "(x:3,y:-4)"),
            ("  (x: 3)\n", "(x: 3)"),
            ("/* a */ 5 // b\n", "5"),
            ("[\"a/b\"] /* c */", "[\"a/b\"]"),
            ("\"a/b\"", "\"a/b\""),
        ];
        for (text, want) in cases {
            assert_eq!(ExtValue::from_ron(text).expect("valid").as_ron(), want);
            let back: Vec<ExtValue> = ron::from_str(&format!("[{text}]")).expect("reads");
            assert_eq!(back[0].as_ron(), want);
        }
    }

    #[test]
    fn bad_text_in_binary_is_an_error() {
        let bin = postcard::to_stdvec("(x:").expect("postcard");
        assert!(postcard::from_bytes::<ExtValue>(&bin).is_err());
    }
}
