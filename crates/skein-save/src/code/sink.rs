//! The canonical byte stream behind content hashes: a serde serializer
//! that feeds every value to an FNV-1a hasher by shape, variant and field
//! *name*, with tags and length prefixes, so distinct values never feed the
//! same bytes.

use std::fmt;

use serde::ser::{self, Serialize};

use super::hash::Fnv64;

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
pub(super) struct HashSink<'a>(pub(super) &'a mut Fnv64);

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

    /// Opens a compound of `len` fields: a struct (`T_STRUCT` and its
    /// name) or a tuple, sequence or map (`tag` alone).
    fn open(&mut self, tag: u8, name: Option<&str>, len: usize) -> &mut Self {
        self.0.tag(tag);
        if let Some(name) = name {
            self.0.text(name);
        }
        self.0.len(len);
        self
    }

    /// Opens an enum variant's compound of `len` fields.
    fn open_variant(&mut self, name: &str, variant: &str, len: usize) -> &mut Self {
        self.variant(name, variant);
        self.0.len(len);
        self
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
        Ok(self.open(T_SEQ, None, len))
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, SinkError> {
        Ok(self.open(T_SEQ, None, len))
    }
    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<Self, SinkError> {
        Ok(self.open(T_STRUCT, Some(name), len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, SinkError> {
        Ok(self.open_variant(name, variant, len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, SinkError> {
        let len = len.ok_or_else(|| SinkError("map of unknown length".into()))?;
        Ok(self.open(T_MAP, None, len))
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Self, SinkError> {
        Ok(self.open(T_STRUCT, Some(name), len))
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, SinkError> {
        Ok(self.open_variant(name, variant, len))
    }
}

/// The sequence-like compounds all hash their elements in order and close
/// with `T_END`; only the trait and method names differ.
macro_rules! sequence_sink {
    ($($trait:ident :: $method:ident),* $(,)?) => {$(
        impl ser::$trait for &mut HashSink<'_> {
            type Ok = ();
            type Error = SinkError;
            fn $method<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), SinkError> {
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), SinkError> {
                self.0.tag(T_END);
                Ok(())
            }
        }
    )*};
}

sequence_sink!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

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

/// Structs and struct variants hash each field as `T_FIELD`, its name, its
/// value, and close with `T_END`.
macro_rules! struct_sink {
    ($($trait:ident),* $(,)?) => {$(
        impl ser::$trait for &mut HashSink<'_> {
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
    )*};
}

struct_sink!(SerializeStruct, SerializeStructVariant);
