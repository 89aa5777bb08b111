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

/// The compact RON text of one piece of host data.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExtValue(String);

impl ExtValue {
    /// Host data as compact RON.
    pub fn from_rust<T: Serialize>(v: &T) -> Result<ExtValue, ron::Error> {
        ron::to_string(v).map(ExtValue)
    }

    /// The host data back as its type.
    pub fn to_rust<T: DeserializeOwned>(&self) -> Result<T, ron::error::SpannedError> {
        ron::from_str(&self.0)
    }

    /// Checked RON text (for hand-made records and tests).
    pub fn from_ron(text: &str) -> Result<ExtValue, ron::error::SpannedError> {
        let raw = ron::value::RawValue::from_ron(text)?;
        Ok(ExtValue(raw.trim().get_ron().to_string()))
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
            let raw = ron::value::RawValue::from_ron(&self.0).map_err(serde::ser::Error::custom)?;
            raw.serialize(s)
        } else {
            s.serialize_str(&self.0)
        }
    }
}

impl<'de> Deserialize<'de> for ExtValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let raw = Box::<ron::value::RawValue>::deserialize(d)?;
            Ok(ExtValue(raw.trim().get_ron().to_string()))
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

    #[test]
    fn bad_text_in_binary_is_an_error() {
        let bin = postcard::to_stdvec("(x:").expect("postcard");
        assert!(postcard::from_bytes::<ExtValue>(&bin).is_err());
    }
}
