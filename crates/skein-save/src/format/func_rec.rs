//! [`FuncRec`]'s serde by hand: written exactly as the derived impls wrote
//! two `String`s, read back through a small per-thread cache of names so
//! that the thousands of frames of one function share its two names instead
//! of allocating them again for every frame.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeTupleStruct, Serializer};

use super::FuncRec;

/// Cache slots per name position; a load's frames cycle through few names.
const SLOTS: usize = 16;

thread_local! {
    /// The names read last, by position (module, function) and a slot from
    /// the name's length and ends. Bounded: a hostile file with a million
    /// distinct names only ever replaces entries.
    static NAMES: RefCell<[[Option<Arc<str>>; SLOTS]; 2]> =
        const { RefCell::new([const { [const { None }; SLOTS] }; 2]) };
}

/// `name` as a shared string, the cached one when it is the same.
fn intern(position: usize, name: &str) -> Arc<str> {
    let b = name.as_bytes();
    let slot = (b.len()
        ^ usize::from(b.first().copied().unwrap_or(0)).wrapping_mul(7)
        ^ usize::from(b.last().copied().unwrap_or(0)).wrapping_mul(31))
        % SLOTS;
    NAMES.with(|n| {
        let mut n = n.borrow_mut();
        let entry = &mut n[position][slot];
        match entry {
            Some(a) if &**a == name => a.clone(),
            _ => entry.insert(Arc::from(name)).clone(),
        }
    })
}

impl Serialize for FuncRec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple_struct("FuncRec", 2)?;
        t.serialize_field(&*self.0)?;
        t.serialize_field(&*self.1)?;
        t.end()
    }
}

impl<'de> de::Deserialize<'de> for FuncRec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_tuple_struct("FuncRec", 2, FuncRecVisitor)
    }
}

struct FuncRecVisitor;

impl<'de> Visitor<'de> for FuncRecVisitor {
    type Value = FuncRec;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a function as (module, name)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FuncRec, A::Error> {
        let module = seq
            .next_element_seed(Name(0))?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let function = seq
            .next_element_seed(Name(1))?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        Ok(FuncRec(module, function))
    }
}

/// One name, read at a position of the cache.
struct Name(usize);

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Arc<str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Arc<str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Arc<str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Arc<str>, E> {
        Ok(intern(self.0, v))
    }
}
