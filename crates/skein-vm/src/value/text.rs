//! The text of a `str` value, with what makes its cost model hold: its
//! length in chars, and for non-ASCII text the byte offset of every
//! [`STRIDE`]th char, so `s[i]` and `len(s)` are O(1) (docs/language.md, "What
//! things cost"), and appending keeps both up to date in O(appended).
//!
//! It reads as a `String` (through `Deref`) and serializes as a plain
//! string: saves hold text only, and the index is rebuilt on load.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Chars between two recorded offsets: `s[i]` walks at most this many.
const STRIDE: usize = 32;

/// A str value's text. Equality, hashing and ordering are the text's.
#[derive(Clone, Default)]
pub struct Str {
    text: String,
    /// Length in chars; equal to `text.len()` exactly when the text is ASCII.
    chars: usize,
    /// For non-ASCII text, `marks[j]` is the byte offset of char `j * STRIDE`;
    /// empty for ASCII text, where a char's offset is its index.
    marks: Vec<usize>,
}

impl Str {
    /// A string holding `text`, with its index built.
    pub fn new(text: String) -> Str {
        let mut s = Str {
            chars: 0,
            marks: Vec::new(),
            text: String::new(),
        };
        s.push_str_owned(text);
        s
    }

    /// The length in chars, in O(1).
    pub fn char_len(&self) -> usize {
        self.chars
    }

    /// Whether every char is ASCII (one byte each), in O(1).
    pub fn is_ascii_text(&self) -> bool {
        self.chars == self.text.len()
    }

    /// The byte offset where char `i` (≤ `char_len`) starts, in O(1).
    pub fn byte_of(&self, i: usize) -> usize {
        if i >= self.chars {
            return self.text.len();
        }
        if self.is_ascii_text() {
            return i;
        }
        let from = self.marks[i / STRIDE];
        let skip = i % STRIDE;
        match self.text[from..].char_indices().nth(skip) {
            Some((off, _)) => from + off,
            None => self.text.len(),
        }
    }

    /// Char `i` (< `char_len`) as a slice of the text, in O(1).
    pub fn char_at(&self, i: usize) -> &str {
        let a = self.byte_of(i);
        let b = if self.is_ascii_text() {
            a + 1
        } else {
            a + self.text[a..].chars().next().map_or(0, char::len_utf8)
        };
        &self.text[a..b.min(self.text.len())]
    }

    /// Chars `lo..hi` (clamped to the length) as a slice of the text.
    pub fn char_slice(&self, lo: usize, hi: usize) -> &str {
        let hi = hi.min(self.chars);
        let lo = lo.min(hi);
        &self.text[self.byte_of(lo)..self.byte_of(hi)]
    }

    /// Appends `t`, amortised O(`t.len()`).
    pub fn push_str(&mut self, t: &str) {
        let from_byte = self.text.len();
        let from_char = self.chars;
        self.text.push_str(t);
        self.index_tail(from_byte, from_char);
    }

    fn push_str_owned(&mut self, t: String) {
        if self.text.is_empty() {
            self.text = t;
            self.index_tail(0, 0);
        } else {
            self.push_str(&t);
        }
    }

    /// Counts the chars from `from_byte` (char `from_char`) on and records
    /// their marks; text that stops being ASCII first gets marks for its
    /// ASCII prefix.
    fn index_tail(&mut self, from_byte: usize, from_char: usize) {
        let tail = &self.text[from_byte..];
        let was_ascii = from_char == from_byte;
        if was_ascii && tail.is_ascii() {
            self.chars = self.text.len();
            return;
        }
        if was_ascii {
            self.marks = (0..from_char.div_ceil(STRIDE))
                .map(|j| j * STRIDE)
                .collect();
        }
        let mut n = from_char;
        for (off, _) in tail.char_indices() {
            if n.is_multiple_of(STRIDE) {
                self.marks.push(from_byte + off);
            }
            n += 1;
        }
        self.chars = n;
    }

    /// The text, giving up the index.
    pub fn into_string(self) -> String {
        self.text
    }
}

impl Deref for Str {
    type Target = String;
    fn deref(&self) -> &String {
        &self.text
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl std::borrow::Borrow<str> for Str {
    fn borrow(&self) -> &str {
        &self.text
    }
}

impl From<String> for Str {
    fn from(s: String) -> Str {
        Str::new(s)
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Str {
        Str::new(s.to_owned())
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.text == other.text
    }
}

impl Eq for Str {}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl PartialOrd for Str {
    fn partial_cmp(&self, other: &Str) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Str {
    fn cmp(&self, other: &Str) -> std::cmp::Ordering {
        self.text.cmp(&other.text)
    }
}

impl Hash for Str {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.text.hash(h);
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Str {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Str, D::Error> {
        String::deserialize(d).map(Str::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &Str) {
        let chars: Vec<char> = s.chars().collect();
        assert_eq!(s.char_len(), chars.len());
        assert_eq!(s.is_ascii_text(), s.is_ascii());
        for (i, c) in chars.iter().enumerate() {
            assert_eq!(s.char_at(i), c.to_string(), "char {i} of {s:?}");
        }
        let n = chars.len();
        for (lo, hi) in [(0, n), (1, n.saturating_sub(1)), (n / 3, n / 2 + 5)] {
            let want: String = chars.iter().skip(lo).take(hi.saturating_sub(lo)).collect();
            assert_eq!(s.char_slice(lo, hi), want);
        }
    }

    #[test]
    fn index_follows_appends_across_ascii_and_not() {
        let mut s = Str::from("ab".repeat(40));
        check(&s);
        s.push_str("é");
        check(&s);
        for i in 0..100 {
            s.push_str(if i % 3 == 0 { "x€y" } else { "plain" });
            check(&s);
        }
        let t = Str::new("😀é".repeat(50));
        check(&t);
        assert_eq!(Str::from(""), Str::default());
        check(&Str::default());
    }

    #[test]
    fn serializes_as_its_text() {
        let s = Str::from("héllo");
        let r = ron::to_string(&s).expect("ser");
        assert_eq!(r, "\"héllo\"");
        let back: Str = ron::from_str(&r).expect("de");
        assert_eq!(back, s);
        check(&back);
    }
}
