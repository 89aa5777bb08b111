//! Compact RON written straight into a byte buffer, byte for byte what
//! `ron::to_string` writes for a save, without `ron`'s per-item checks of
//! its pretty-printing options and `fmt::Write` indirection.
//!
//! It covers the shapes save records have. Anything else (chars, bytes,
//! `ron`'s compact ranges, an identifier `ron` would refuse) makes it give
//! up, and the caller writes the save with `ron` instead.

use std::fmt::{self, Write as _};

use serde::ser::{self, Serialize};

use crate::read::fast_ron::{Bail as GiveUp, MAX_DEPTH, RAW_VALUE, is_ident_rest, is_ident_start};

type Res<T = ()> = Result<T, GiveUp>;

/// Words `ron` writes as `r#word` so they do not read back as its own.
const RESERVED: [&str; 10] = [
    "true", "false", "Some", "None", "inf", "inff32", "inff64", "NaN", "NaNf32", "NaNf64",
];

/// `value` as compact RON appended to `out`, or `GiveUp` (with `out` left
/// partly written: the caller starts again).
pub(crate) fn write<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Res {
    write_at(value, out, 0)
}

/// [`write`] of a part of a save written piece by piece, `depth` levels
/// inside it, so that it gives up exactly where the whole would.
pub(crate) fn write_at<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>, depth: u32) -> Res {
    value.serialize(&mut Quick {
        out,
        raw: false,
        depth,
    })
}

/// A string as `ron` writes one (see [`Quick::string`]).
pub(crate) fn put_string(out: &mut Vec<u8>, s: &str) {
    Quick {
        out,
        raw: false,
        depth: 0,
    }
    .string(s);
}

/// A float as `ron` writes one; `false`, with nothing written, for a NaN
/// (left to `ron`).
pub(crate) fn put_f64(out: &mut Vec<u8>, v: f64) -> bool {
    if v.is_nan() {
        return false;
    }
    let _ = write!(Buf(out), "{v:?}");
    true
}

/// `v` in decimal, as `Display` writes it.
pub(crate) fn put_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[at..]);
}

/// `v` in decimal, as `Display` writes it.
pub(crate) fn put_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    put_u64(out, v.unsigned_abs());
}

struct Quick<'a> {
    out: &'a mut Vec<u8>,
    /// Inside a `RawValue`: the string given is written as it is.
    raw: bool,
    depth: u32,
}

impl Quick<'_> {
    fn put(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    fn byte(&mut self, b: u8) {
        self.out.push(b);
    }

    /// An identifier as `ron` writes one: ASCII letters, digits and `_`
    /// (anything wider is left to `ron`), `r#` before its reserved words.
    fn ident(&mut self, name: &str) -> Res {
        let b = name.as_bytes();
        let ok =
            b.first().is_some_and(|&c| is_ident_start(c)) && b.iter().all(|&c| is_ident_rest(c));
        if !ok {
            return Err(GiveUp);
        }
        // Every reserved word starts with one of these letters and is at
        // most six bytes long, so most names skip the comparisons.
        if b.len() <= 6
            && matches!(b[0], b't' | b'f' | b'S' | b'N' | b'i')
            && RESERVED.contains(&name)
        {
            self.put("r#");
        }
        self.put(name);
        Ok(())
    }

    /// A string with `char::escape_debug`'s escapes, as `ron` writes it.
    fn string(&mut self, s: &str) {
        self.byte(b'"');
        let b = s.as_bytes();
        let mut start = 0;
        for (i, &c) in b.iter().enumerate() {
            // Printable ASCII other than quotes and backslash is written as
            // it is; everything else goes through `escape_debug`.
            if (0x20..0x7f).contains(&c) && c != b'"' && c != b'\'' && c != b'\\' {
                continue;
            }
            if c >= 0x80 && !s.is_char_boundary(i) {
                continue;
            }
            self.out.extend_from_slice(&b[start..i]);
            let ch = s[i..].chars().next().unwrap_or('\0');
            let mut buf = [0u8; 4];
            for e in ch.escape_debug() {
                self.out
                    .extend_from_slice(e.encode_utf8(&mut buf).as_bytes());
            }
            start = i + ch.len_utf8();
        }
        self.out.extend_from_slice(&b[start..]);
        self.byte(b'"');
    }

    /// One level deeper, or `GiveUp` past [`MAX_DEPTH`].
    fn down(&mut self) -> Res {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(GiveUp)
        } else {
            Ok(())
        }
    }

    /// `v` wrapped in parentheses, one level deeper.
    fn wrapped<T: Serialize + ?Sized>(&mut self, v: &T) -> Res {
        self.down()?;
        self.byte(b'(');
        v.serialize(&mut *self)?;
        self.byte(b')');
        self.depth -= 1;
        Ok(())
    }
}

/// `fmt::Write` into the byte buffer, for numbers.
struct Buf<'a>(&'a mut Vec<u8>);

impl fmt::Write for Buf<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// A list, tuple, map or struct being written: whether an item came yet,
/// and the closing bracket.
pub(crate) struct Items<'q, 'a> {
    q: &'q mut Quick<'a>,
    first: bool,
    close: u8,
}

impl Items<'_, '_> {
    fn sep(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.q.byte(b',');
        }
    }

    fn item<T: Serialize + ?Sized>(&mut self, v: &T) -> Res {
        self.sep();
        v.serialize(&mut *self.q)
    }

    fn end(self) -> Res {
        self.q.byte(self.close);
        self.q.depth -= 1;
        Ok(())
    }
}

impl<'q, 'a> Quick<'a> {
    fn open(&'q mut self, open: u8, close: u8) -> Res<Items<'q, 'a>> {
        self.down()?;
        self.byte(open);
        Ok(Items {
            q: self,
            first: true,
            close,
        })
    }
}

/// The narrower integers, written as their 64-bit kin.
macro_rules! widen {
    ($($method:ident $t:ty => $wide:ident $w:ty),*) => {$(
        fn $method(self, v: $t) -> Res {
            self.$wide(<$w>::from(v))
        }
    )*};
}

impl<'q, 'a> ser::Serializer for &'q mut Quick<'a> {
    type Ok = ();
    type Error = GiveUp;
    type SerializeSeq = Items<'q, 'a>;
    type SerializeTuple = Items<'q, 'a>;
    type SerializeTupleStruct = Items<'q, 'a>;
    type SerializeTupleVariant = Items<'q, 'a>;
    type SerializeMap = Items<'q, 'a>;
    type SerializeStruct = Items<'q, 'a>;
    type SerializeStructVariant = Items<'q, 'a>;

    fn serialize_bool(self, v: bool) -> Res {
        self.put(if v { "true" } else { "false" });
        Ok(())
    }
    widen!(
        serialize_i8 i8 => serialize_i64 i64,
        serialize_i16 i16 => serialize_i64 i64,
        serialize_i32 i32 => serialize_i64 i64,
        serialize_u8 u8 => serialize_u64 u64,
        serialize_u16 u16 => serialize_u64 u64,
        serialize_u32 u32 => serialize_u64 u64
    );
    fn serialize_i64(self, v: i64) -> Res {
        put_i64(self.out, v);
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Res {
        put_u64(self.out, v);
        Ok(())
    }
    fn serialize_f32(self, _v: f32) -> Res {
        Err(GiveUp)
    }
    fn serialize_f64(self, v: f64) -> Res {
        if put_f64(self.out, v) {
            Ok(())
        } else {
            Err(GiveUp)
        }
    }
    fn serialize_char(self, _v: char) -> Res {
        Err(GiveUp)
    }
    fn serialize_str(self, v: &str) -> Res {
        if self.raw {
            self.put(v);
        } else {
            self.string(v);
        }
        Ok(())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Res {
        Err(GiveUp)
    }
    fn serialize_none(self) -> Res {
        self.put("None");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Res {
        self.put("Some");
        self.wrapped(v)
    }
    fn serialize_unit(self) -> Res {
        self.put("()");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Res {
        Err(GiveUp)
    }
    fn serialize_unit_variant(self, _n: &'static str, _i: u32, variant: &'static str) -> Res {
        self.ident(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, v: &T) -> Res {
        if name == RAW_VALUE {
            self.raw = true;
            let r = v.serialize(&mut *self);
            self.raw = false;
            return r;
        }
        self.wrapped(v)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
        v: &T,
    ) -> Res {
        self.ident(variant)?;
        self.wrapped(v)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Res<Items<'q, 'a>> {
        self.open(b'[', b']')
    }
    fn serialize_tuple(self, _len: usize) -> Res<Items<'q, 'a>> {
        self.open(b'(', b')')
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Res<Items<'q, 'a>> {
        self.open(b'(', b')')
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
        _len: usize,
    ) -> Res<Items<'q, 'a>> {
        self.ident(variant)?;
        self.open(b'(', b')')
    }
    fn serialize_map(self, _len: Option<usize>) -> Res<Items<'q, 'a>> {
        self.open(b'{', b'}')
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Res<Items<'q, 'a>> {
        // `ron` writes these as `a..b` in some configurations: leave them
        // to it.
        if name.starts_with("Range") {
            return Err(GiveUp);
        }
        self.open(b'(', b')')
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
        _len: usize,
    ) -> Res<Items<'q, 'a>> {
        self.ident(variant)?;
        self.open(b'(', b')')
    }
}

/// The list-like compounds: each item after a comma, then the bracket.
macro_rules! items_of {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Items<'_, '_> {
            type Ok = ();
            type Error = GiveUp;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Res {
                self.item(v)
            }
            fn end(self) -> Res {
                Items::end(self)
            }
        }
    )*};
}

items_of!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Items<'_, '_> {
    type Ok = ();
    type Error = GiveUp;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Res {
        self.item(k)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Res {
        self.q.byte(b':');
        v.serialize(&mut *self.q)
    }
    fn end(self) -> Res {
        Items::end(self)
    }
}

/// Struct fields (`name:value`), the same in a struct and an enum variant.
macro_rules! fields_of {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Items<'_, '_> {
            type Ok = ();
            type Error = GiveUp;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Res {
                self.sep();
                self.q.ident(key)?;
                self.q.byte(b':');
                v.serialize(&mut *self.q)
            }
            fn end(self) -> Res {
                Items::end(self)
            }
        }
    )*};
}

fields_of!(SerializeStruct, SerializeStructVariant);
