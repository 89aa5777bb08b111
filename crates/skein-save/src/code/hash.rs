//! The content hash itself: a 64-bit value, and the FNV-1a hasher that
//! makes one. Fixed forever, since these hashes are written into save files.

use std::fmt;

use serde::ser::{self, Serialize};

/// A 64-bit content hash, written as 16 hex digits in RON and as a plain
/// integer in the binary encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ContentHash(pub u64);

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl Serialize for ContentHash {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&self.to_string())
        } else {
            s.serialize_u64(self.0)
        }
    }
}

impl<'de> serde::Deserialize<'de> for ContentHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            if s.len() != 16 {
                return Err(D::Error::custom(format!(
                    "a hash is 16 hex digits, not {s:?}"
                )));
            }
            u64::from_str_radix(&s, 16)
                .map(ContentHash)
                .map_err(|_| D::Error::custom(format!("a hash is 16 hex digits, not {s:?}")))
        } else {
            u64::deserialize(d).map(ContentHash)
        }
    }
}

/// FNV-1a, 64 bits: tiny, fixed forever, and good enough to notice that code
/// changed (this is not a defence against someone forging a collision; a
/// hostile save gains nothing from one, since the frames are verified anyway).
#[derive(Debug, Clone)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    /// Feeds `bytes` to the hash.
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The hash of everything fed so far.
    pub fn finish(&self) -> ContentHash {
        ContentHash(self.0)
    }

    pub(crate) fn tag(&mut self, t: u8) {
        self.write(&[t]);
    }

    pub(crate) fn len(&mut self, n: usize) {
        self.write(&(n as u64).to_le_bytes());
    }

    pub(crate) fn text(&mut self, s: &str) {
        self.len(s.len());
        self.write(s.as_bytes());
    }
}
