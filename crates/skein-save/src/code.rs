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

use std::fmt;

use serde::ser::{self, Serialize};
use skein_script::bytecode::{Const, Function, Module, Op};

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
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub fn finish(&self) -> ContentHash {
        ContentHash(self.0)
    }

    fn tag(&mut self, t: u8) {
        self.write(&[t]);
    }

    fn len(&mut self, n: usize) {
        self.write(&(n as u64).to_le_bytes());
    }

    fn text(&mut self, s: &str) {
        self.len(s.len());
        self.write(s.as_bytes());
    }
}

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

/// The error type of the hash sink, which never actually fails.
#[derive(Debug)]
pub struct SinkError(String);

impl fmt::Display for SinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SinkError {}

impl ser::Error for SinkError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SinkError(msg.to_string())
    }
}

/// A serde serializer that feeds the canonical byte stream into a hasher.
struct HashSink<'a>(&'a mut Fnv64);

// Tag bytes of the canonical stream: one per shape of the serde data model.
const T_BOOL: u8 = 1;
const T_INT: u8 = 2;
const T_UINT: u8 = 3;
const T_FLOAT: u8 = 4;
const T_STR: u8 = 5;
const T_BYTES: u8 = 6;
const T_NONE: u8 = 7;
const T_SOME: u8 = 8;
const T_UNIT: u8 = 9;
const T_VARIANT: u8 = 10;
const T_SEQ: u8 = 11;
const T_MAP: u8 = 12;
const T_STRUCT: u8 = 13;
const T_FIELD: u8 = 14;
const T_END: u8 = 15;
const T_NEWTYPE: u8 = 16;

impl HashSink<'_> {
    fn int(&mut self, v: i128) -> Result<(), SinkError> {
        self.0.tag(T_INT);
        self.0.write(&v.to_le_bytes());
        Ok(())
    }

    fn uint(&mut self, v: u128) -> Result<(), SinkError> {
        self.0.tag(T_UINT);
        self.0.write(&v.to_le_bytes());
        Ok(())
    }

    fn variant(&mut self, name: &str, variant: &str) {
        self.0.tag(T_VARIANT);
        self.0.text(name);
        self.0.text(variant);
    }
}

impl<'a, 'b> ser::Serializer for &'a mut HashSink<'b> {
    type Ok = ();
    type Error = SinkError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result<(), SinkError> {
        self.0.tag(T_BOOL);
        self.0.write(&[u8::from(v)]);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), SinkError> {
        self.int(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), SinkError> {
        self.int(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), SinkError> {
        self.int(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), SinkError> {
        self.int(v.into())
    }
    fn serialize_i128(self, v: i128) -> Result<(), SinkError> {
        self.int(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), SinkError> {
        self.uint(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), SinkError> {
        self.uint(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), SinkError> {
        self.uint(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), SinkError> {
        self.uint(v.into())
    }
    fn serialize_u128(self, v: u128) -> Result<(), SinkError> {
        self.uint(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), SinkError> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), SinkError> {
        self.0.tag(T_FLOAT);
        self.0.write(&v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), SinkError> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), SinkError> {
        self.0.tag(T_STR);
        self.0.text(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), SinkError> {
        self.0.tag(T_BYTES);
        self.0.len(v.len());
        self.0.write(v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), SinkError> {
        self.0.tag(T_NONE);
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<(), SinkError> {
        self.0.tag(T_SOME);
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), SinkError> {
        self.0.tag(T_UNIT);
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<(), SinkError> {
        self.0.tag(T_UNIT);
        self.0.text(name);
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), SinkError> {
        self.variant(name, variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<(), SinkError> {
        self.0.tag(T_NEWTYPE);
        self.0.text(name);
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), SinkError> {
        self.variant(name, variant);
        v.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, SinkError> {
        // Every sequence in hashed code is a slice, whose length is known.
        let len = len.ok_or_else(|| SinkError("sequence of unknown length".into()))?;
        self.0.tag(T_SEQ);
        self.0.len(len);
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, SinkError> {
        self.0.tag(T_SEQ);
        self.0.len(len);
        Ok(self)
    }
    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<Self, SinkError> {
        self.0.tag(T_STRUCT);
        self.0.text(name);
        self.0.len(len);
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, SinkError> {
        self.variant(name, variant);
        self.0.len(len);
        Ok(self)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, SinkError> {
        let len = len.ok_or_else(|| SinkError("map of unknown length".into()))?;
        self.0.tag(T_MAP);
        self.0.len(len);
        Ok(self)
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Self, SinkError> {
        self.0.tag(T_STRUCT);
        self.0.text(name);
        self.0.len(len);
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, SinkError> {
        self.variant(name, variant);
        self.0.len(len);
        Ok(self)
    }
}

impl ser::SerializeSeq for &mut HashSink<'_> {
    type Ok = ();
    type Error = SinkError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), SinkError> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), SinkError> {
        self.0.tag(T_END);
        Ok(())
    }
}

impl ser::SerializeTuple for &mut HashSink<'_> {
    type Ok = ();
    type Error = SinkError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), SinkError> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), SinkError> {
        self.0.tag(T_END);
        Ok(())
    }
}

impl ser::SerializeTupleStruct for &mut HashSink<'_> {
    type Ok = ();
    type Error = SinkError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), SinkError> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), SinkError> {
        self.0.tag(T_END);
        Ok(())
    }
}

impl ser::SerializeTupleVariant for &mut HashSink<'_> {
    type Ok = ();
    type Error = SinkError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), SinkError> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), SinkError> {
        self.0.tag(T_END);
        Ok(())
    }
}

impl ser::SerializeMap for &mut HashSink<'_> {
    type Ok = ();
    type Error = SinkError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> Result<(), SinkError> {
        k.serialize(&mut **self)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), SinkError> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), SinkError> {
        self.0.tag(T_END);
        Ok(())
    }
}

impl ser::SerializeStruct for &mut HashSink<'_> {
    type Ok = ();
    type Error = SinkError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), SinkError> {
        self.0.tag(T_FIELD);
        self.0.text(key);
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), SinkError> {
        self.0.tag(T_END);
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut HashSink<'_> {
    type Ok = ();
    type Error = SinkError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), SinkError> {
        self.0.tag(T_FIELD);
        self.0.text(key);
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), SinkError> {
        self.0.tag(T_END);
        Ok(())
    }
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
