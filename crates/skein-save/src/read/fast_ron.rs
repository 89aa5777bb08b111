//! A quick reader for the RON that Skein itself writes, tried before `ron`'s
//! parser, which spends most of a RON load scanning for comments between
//! tokens and testing identifier characters one Unicode class at a time.
//!
//! It reads a strict subset of RON — no comments, extensions, raw strings,
//! chars, byte strings, implicit `Some`, unknown fields, or struct names —
//! and gives up (returns [`Bail`]) on anything else, on anything the save's
//! own checks refuse, and on any syntax error. The caller then reads the
//! same text again with `ron`, whose errors carry line and column. So
//! whatever this reader accepts, `ron` accepts with the same meaning; it never
//! decides that a file is bad.

use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Visitor};

/// Why the quick reader or the quick writer (`write/quick_ron.rs`) gave up
/// (never shown: `ron` reads or writes the save instead).
#[derive(Debug)]
pub(crate) struct Bail;

impl fmt::Display for Bail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("outside the quick RON subset")
    }
}

impl std::error::Error for Bail {}

impl de::Error for Bail {
    fn custom<T: fmt::Display>(_msg: T) -> Bail {
        Bail
    }
}

impl serde::ser::Error for Bail {
    fn custom<T: fmt::Display>(_msg: T) -> Bail {
        Bail
    }
}

type Res<T> = Result<T, Bail>;

/// Nesting deeper than this is left to `ron` (whose own limit, 128, is
/// higher), by this reader and by the quick writer: neither accepts or
/// writes what `ron` would refuse for depth.
pub(crate) const MAX_DEPTH: u32 = 100;

/// `ron`'s marker for a value read or written as its raw text (`RawValue`).
pub(crate) const RAW_VALUE: &str = "$ron::private::RawValue";

/// Reads one whole text with `seed`, or gives up.
pub(crate) fn read_seed<'de, T: DeserializeSeed<'de>>(text: &'de str, seed: T) -> Res<T::Value> {
    let mut de = Quick {
        text,
        at: 0,
        depth: 0,
    };
    let v = seed.deserialize(&mut de)?;
    de.ws();
    if de.at == text.len() {
        Ok(v)
    } else {
        Err(Bail)
    }
}

struct Quick<'de> {
    text: &'de str,
    at: usize,
    depth: u32,
}

/// The first byte of an identifier in the quick subset (ASCII only).
pub(crate) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// A later byte of an identifier in the quick subset.
pub(crate) fn is_ident_rest(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'de> Quick<'de> {
    fn bytes(&self) -> &'de [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    /// Skips ASCII white space; a comment (or any other space) is left for
    /// the next token to trip over, which sends the file to `ron`.
    fn ws(&mut self) {
        let b = self.bytes();
        while let Some(c) = b.get(self.at) {
            match c {
                b' ' | b'\n' | b'\t' | b'\r' => self.at += 1,
                _ => break,
            }
        }
    }

    /// Consumes `c` after white space, if it is next.
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Res<()> {
        if self.eat(c) { Ok(()) } else { Err(Bail) }
    }

    /// After an item of a list: `true` if another item follows (a comma was
    /// eaten and `close` is not next), `false` once `close` is eaten.
    fn more(&mut self, close: u8) -> Res<bool> {
        if self.eat(b',') {
            Ok(!self.eat(close))
        } else if self.eat(close) {
            Ok(false)
        } else {
            Err(Bail)
        }
    }

    /// An identifier, `r#` raw identifiers included (without the `r#`).
    fn ident(&mut self) -> Res<&'de str> {
        self.ws();
        let b = self.bytes();
        let mut start = self.at;
        if b.get(start) == Some(&b'r') && b.get(start + 1) == Some(&b'#') {
            start += 2;
        }
        if !b.get(start).is_some_and(|&c| is_ident_start(c)) {
            return Err(Bail);
        }
        let end = start
            + 1
            + b[start + 1..]
                .iter()
                .position(|&c| !is_ident_rest(c))
                .unwrap_or(b.len() - start - 1);
        // A non-ASCII letter continues a RON identifier: leave it to `ron`.
        if b.get(end).is_some_and(|&c| c >= 0x80) {
            return Err(Bail);
        }
        self.at = end;
        Ok(&self.text[start..end])
    }

    /// Consumes the identifier `word` if it is next as a whole word.
    fn eat_word(&mut self, word: &str) -> bool {
        self.ws();
        let b = self.bytes();
        let end = self.at + word.len();
        if b.get(self.at..end) == Some(word.as_bytes())
            && !b.get(end).is_some_and(|&c| is_ident_rest(c) || c >= 0x80)
        {
            self.at = end;
            true
        } else {
            false
        }
    }

    /// The text of a number token: an optional `-`, then ASCII letters,
    /// digits, `.`, `+` and `-` after an exponent. Its grammar is checked
    /// by the caller.
    fn number_text(&mut self) -> &'de str {
        self.ws();
        let b = self.bytes();
        let start = self.at;
        let mut end = start;
        if b.get(end) == Some(&b'-') {
            end += 1;
        }
        while let Some(&c) = b.get(end) {
            let sign_after_exp =
                (c == b'-' || c == b'+') && end > start && matches!(b[end - 1], b'e' | b'E');
            if c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || sign_after_exp {
                end += 1;
            } else {
                break;
            }
        }
        self.at = end;
        &self.text[start..end]
    }

    /// A decimal integer: `-`? digits, nothing else in the token.
    fn int_text(&mut self) -> Res<&'de str> {
        let t = self.number_text();
        let digits = t.strip_prefix('-').unwrap_or(t);
        let leading_zero = digits.len() > 1 && digits.starts_with('0');
        if !digits.is_empty() && !leading_zero && digits.bytes().all(|c| c.is_ascii_digit()) {
            Ok(t)
        } else {
            Err(Bail)
        }
    }

    fn int<T: std::str::FromStr>(&mut self) -> Res<T> {
        self.int_text()?.parse().map_err(|_| Bail)
    }

    /// A float as Rust's `{:?}` writes it: digits with a fraction or an
    /// exponent, or `inf`; `NaN` (whose sign `ron` keeps) is left to `ron`.
    fn float(&mut self) -> Res<f64> {
        let t = self.number_text();
        let body = t.strip_prefix('-').unwrap_or(t);
        if body == "inf" {
            return Ok(if t.len() > body.len() {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        let b = body.as_bytes();
        let mut i = 0;
        let digits = |i: &mut usize| {
            let s = *i;
            while b.get(*i).is_some_and(|c| c.is_ascii_digit()) {
                *i += 1;
            }
            *i > s
        };
        if !digits(&mut i) || (i > 1 && b[0] == b'0') {
            return Err(Bail);
        }
        let mut shaped = false;
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !digits(&mut i) {
                return Err(Bail);
            }
            shaped = true;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'-' | b'+')) {
                i += 1;
            }
            if !digits(&mut i) {
                return Err(Bail);
            }
            shaped = true;
        }
        if !shaped || i != b.len() {
            return Err(Bail);
        }
        t.parse().map_err(|_| Bail)
    }

    /// A string literal: borrowed when it has no escapes.
    fn string<V: Visitor<'de>>(&mut self, visitor: V) -> Res<V::Value> {
        if !self.eat(b'"') {
            return Err(Bail);
        }
        let b = self.bytes();
        // Where the run of plain characters from `i` ends: at the next
        // quote or escape (runs are copied whole, so multi-byte characters
        // stay intact).
        let plain = |i: usize| {
            b[i..]
                .iter()
                .position(|&c| c == b'"' || c == b'\\')
                .map(|n| i + n)
                .ok_or(Bail)
        };
        let start = self.at;
        let mut i = plain(start)?;
        if b[i] == b'"' {
            self.at = i + 1;
            return visitor.visit_borrowed_str(&self.text[start..i]);
        }
        let mut out = String::with_capacity(i - start + 16);
        out.push_str(&self.text[start..i]);
        loop {
            if b[i] == b'"' {
                self.at = i + 1;
                return visitor.visit_string(out);
            }
            let (ch, len) = self.escape(i + 1)?;
            out.push(ch);
            i += 1 + len;
            let end = plain(i)?;
            out.push_str(&self.text[i..end]);
            i = end;
        }
    }

    /// The character of the escape whose letter is at `at`, and how many
    /// bytes it spans after the backslash.
    fn escape(&self, at: usize) -> Res<(char, usize)> {
        let b = self.bytes();
        let simple = match b.get(at).ok_or(Bail)? {
            b'\\' => '\\',
            b'"' => '"',
            b'\'' => '\'',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'0' => '\0',
            b'u' => {
                if b.get(at + 1) != Some(&b'{') {
                    return Err(Bail);
                }
                let close = b[at + 2..].iter().position(|&c| c == b'}').ok_or(Bail)?;
                let hex = &self.text[at + 2..at + 2 + close];
                if hex.is_empty() || hex.len() > 6 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return Err(Bail);
                }
                let code = u32::from_str_radix(hex, 16).map_err(|_| Bail)?;
                return Ok((char::from_u32(code).ok_or(Bail)?, close + 3));
            }
            _ => return Err(Bail),
        };
        Ok((simple, 1))
    }

    /// Skips one value, for `RawValue`: balanced brackets, strings read
    /// whole. `ron` checks the text again when it makes the `RawValue`.
    fn skip_value(&mut self) -> Res<&'de str> {
        self.ws();
        let start = self.at;
        let b = self.bytes();
        let mut open = 0usize;
        while let Some(&c) = b.get(self.at) {
            match c {
                b'(' | b'[' | b'{' => open += 1,
                b')' | b']' | b'}' if open == 0 => break,
                b')' | b']' | b'}' => open -= 1,
                b',' if open == 0 => break,
                b'"' => {
                    self.string(de::IgnoredAny)?;
                    continue;
                }
                b'\'' | b'/' | b'#' => return Err(Bail),
                _ => {}
            }
            self.at += 1;
        }
        if open != 0 {
            return Err(Bail);
        }
        Ok(self.text[start..self.at].trim_end())
    }

    /// A map (`{key: value}`) or a struct's fields (`(name: value)`).
    fn entries<V: Visitor<'de>>(
        &mut self,
        open: u8,
        close: u8,
        fields: bool,
        visitor: V,
    ) -> Res<V::Value> {
        self.expect(open)?;
        self.nest(|de| {
            let mut entries = Entries {
                items: Items::new(de, close),
                fields,
            };
            let v = visitor.visit_map(&mut entries)?;
            entries.items.finish()?;
            Ok(v)
        })
    }

    fn nest<T>(&mut self, f: impl FnOnce(&mut Self) -> Res<T>) -> Res<T> {
        if self.depth >= MAX_DEPTH {
            return Err(Bail);
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }
}

/// Items separated by commas up to `close`, a trailing comma allowed.
struct Items<'a, 'de> {
    de: &'a mut Quick<'de>,
    close: u8,
    first: bool,
    done: bool,
}

impl<'a, 'de> Items<'a, 'de> {
    fn new(de: &'a mut Quick<'de>, close: u8) -> Self {
        Items {
            de,
            close,
            first: true,
            done: false,
        }
    }

    /// Whether another item follows; once not, the closing bracket is eaten.
    fn has_next(&mut self) -> Res<bool> {
        if self.done {
            return Ok(false);
        }
        let more = if self.first {
            self.first = false;
            !self.de.eat(self.close)
        } else {
            self.de.more(self.close)?
        };
        self.done = !more;
        Ok(more)
    }

    /// After a visitor that reads a fixed number of items: the list must
    /// end here.
    fn finish(&mut self) -> Res<()> {
        if self.has_next()? { Err(Bail) } else { Ok(()) }
    }
}

impl<'de> de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = Bail;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Res<Option<T::Value>> {
        if self.has_next()? {
            seed.deserialize(&mut *self.de).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// A struct's fields (`name: value`) or a map's entries (`key: value`).
struct Entries<'a, 'de> {
    items: Items<'a, 'de>,
    fields: bool,
}

impl<'de> de::MapAccess<'de> for Entries<'_, 'de> {
    type Error = Bail;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Res<Option<K::Value>> {
        if !self.items.has_next()? {
            return Ok(None);
        }
        let key = if self.fields {
            let name = self.items.de.ident()?;
            seed.deserialize(BorrowedStrDeserializer::new(name))?
        } else {
            seed.deserialize(&mut *self.items.de)?
        };
        self.items.de.expect(b':')?;
        Ok(Some(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Res<V::Value> {
        seed.deserialize(&mut *self.items.de)
    }
}

impl<'de> de::EnumAccess<'de> for &mut Quick<'de> {
    type Error = Bail;
    type Variant = Self;
    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Res<(V::Value, Self)> {
        let name = self.ident()?;
        let v = seed.deserialize(BorrowedStrDeserializer::new(name))?;
        Ok((v, self))
    }
}

impl<'de> de::VariantAccess<'de> for &mut Quick<'de> {
    type Error = Bail;
    fn unit_variant(self) -> Res<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Res<T::Value> {
        self.expect(b'(')?;
        let v = self.nest(|de| seed.deserialize(&mut *de))?;
        self.eat(b',');
        self.expect(b')')?;
        Ok(v)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Res<V::Value> {
        de::Deserializer::deserialize_tuple(self, 0, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Res<V::Value> {
        de::Deserializer::deserialize_struct(self, "", &[], visitor)
    }
}

/// Every integer type, read as a decimal token and range-checked.
macro_rules! ints {
    ($($method:ident $visit:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
            visitor.$visit(self.int()?)
        }
    )*};
}

/// What the quick reader never reads: `ron` does, if the save has it.
macro_rules! refuse {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, _visitor: V) -> Res<V::Value> {
            Err(Bail)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for &mut Quick<'de> {
    type Error = Bail;

    refuse!(
        deserialize_any,
        deserialize_ignored_any,
        deserialize_f32,
        deserialize_char,
        deserialize_bytes,
        deserialize_byte_buf
    );

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        if self.eat_word("true") {
            visitor.visit_bool(true)
        } else if self.eat_word("false") {
            visitor.visit_bool(false)
        } else {
            Err(Bail)
        }
    }

    ints!(
        deserialize_i8 visit_i8,
        deserialize_i16 visit_i16,
        deserialize_i32 visit_i32,
        deserialize_i64 visit_i64,
        deserialize_u8 visit_u8,
        deserialize_u16 visit_u16,
        deserialize_u32 visit_u32,
        deserialize_u64 visit_u64
    );

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        visitor.visit_f64(self.float()?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        self.string(visitor)
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        self.string(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        if self.eat_word("None") {
            visitor.visit_none()
        } else if self.eat_word("Some") {
            self.expect(b'(')?;
            let v = self.nest(|de| visitor.visit_some(&mut *de))?;
            self.eat(b',');
            self.expect(b')')?;
            Ok(v)
        } else {
            Err(Bail)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        self.expect(b'(')?;
        self.expect(b')')?;
        visitor.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Res<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Res<V::Value> {
        if name == RAW_VALUE {
            let raw = self.skip_value()?;
            return visitor.visit_borrowed_str(raw);
        }
        self.expect(b'(')?;
        let v = self.nest(|de| visitor.visit_newtype_struct(&mut *de))?;
        self.eat(b',');
        self.expect(b')')?;
        Ok(v)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        self.expect(b'[')?;
        self.nest(|de| {
            let mut items = Items::new(de, b']');
            let v = visitor.visit_seq(&mut items)?;
            items.finish()?;
            Ok(v)
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Res<V::Value> {
        self.expect(b'(')?;
        self.nest(|de| {
            let mut items = Items::new(de, b')');
            let v = visitor.visit_seq(&mut items)?;
            items.finish()?;
            Ok(v)
        })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Res<V::Value> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        self.entries(b'{', b'}', false, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Res<V::Value> {
        self.entries(b'(', b')', true, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Res<V::Value> {
        self.nest(|de| visitor.visit_enum(de))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        let name = self.ident()?;
        visitor.visit_borrowed_str(name)
    }
}
