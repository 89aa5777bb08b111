//! Script values written straight into a binary save, as the bytes their
//! `ValueRec` would serialize to: the scalars, short strings, world ids and
//! small plain lists and dicts the encoder writes inline (its fast path),
//! and postcard's own output for every other record of the writer.

use serde::ser::Serialize;
use skein_vm::Value;

use crate::bytes::{put_i64, put_len, put_str, put_u64};
use crate::error::SaveError;
use crate::values::{EncodeRefs, Encoder, SHARE_SIZE, ValueRec};

/// Appends a value [`direct`] said is written as it is.
pub(super) fn put_direct(out: &mut Vec<u8>, v: &Value) -> Result<(), SaveError> {
    if put_live(out, v) {
        Ok(())
    } else {
        Err(SaveError::Encode("not a directly written value".into()))
    }
}

/// A value to write where a `ValueRec` goes: the live value itself when
/// the encoder would write it inline as it is, else the encoder's record.
pub(super) enum ValueRecSlot<'v> {
    Live(&'v Value),
    Rec(ValueRec),
}

/// `v` as a slot, encoded (and its tall or big parts tabled) unless direct.
pub(super) fn slot<'v>(
    enc: &mut Encoder,
    refs: &mut dyn EncodeRefs,
    v: &'v Value,
) -> Result<ValueRecSlot<'v>, SaveError> {
    Ok(if direct(v) {
        ValueRecSlot::Live(v)
    } else {
        ValueRecSlot::Rec(enc.encode(v, refs)?)
    })
}

/// Appends a slot's `ValueRec` bytes.
pub(super) fn put_slot(out: &mut Vec<u8>, v: &ValueRecSlot) -> Result<(), SaveError> {
    match v {
        ValueRecSlot::Live(v) if put_live(out, v) => Ok(()),
        ValueRecSlot::Live(_) => Err(SaveError::Encode("not a directly written value".into())),
        ValueRecSlot::Rec(r) => put(out, r),
    }
}

/// Appends an optional slot, as `Option<ValueRec>` serializes.
pub(super) fn put_option(out: &mut Vec<u8>, v: Option<&ValueRecSlot>) -> Result<(), SaveError> {
    match v {
        Some(v) => {
            out.push(1);
            put_slot(out, v)
        }
        None => {
            out.push(0);
            Ok(())
        }
    }
}

/// Appends `v` as its `ValueRec`'s bytes when the encoder would write it
/// inline as it is ([`direct`]); `false`, with nothing written, otherwise.
/// The variant indices are `ValueRec`'s, as its derived `Serialize`
/// numbers them (the saves of `tests/binary.rs` hold every one of these).
#[inline(always)]
pub(super) fn put_live(out: &mut Vec<u8>, v: &Value) -> bool {
    // Inlined where frames are written: most values are a scalar or an id.
    match v {
        Value::List(_) | Value::Dict(_) => put_items(out, v),
        Value::Tasklet(id) => {
            out.push(14);
            put_u64(out, *id);
            true
        }
        Value::Channel(id) => {
            out.push(16);
            put_u64(out, *id);
            true
        }
        Value::Unbound => {
            out.push(19);
            true
        }
        v => put_scalar(out, v),
    }
}

/// [`put_live`] of a list or dict: small, and of [`plain`] items only.
fn put_items(out: &mut Vec<u8>, v: &Value) -> bool {
    match v {
        Value::List(l) if l.size < SHARE_SIZE && l.items.iter().all(plain) => {
            out.push(5);
            put_len(out, l.items.len());
            for v in &l.items {
                put_scalar(out, v);
            }
        }
        Value::Dict(d)
            if d.size < SHARE_SIZE && d.map.values().all(|(k, v)| plain(k) && plain(v)) =>
        {
            out.push(6);
            put_len(out, d.map.len());
            for (k, v) in d.map.values() {
                put_scalar(out, k);
                put_scalar(out, v);
            }
        }
        _ => return false,
    }
    true
}

/// Appends a [`plain`] value; `false`, with nothing written, for another.
#[inline(always)]
fn put_scalar(out: &mut Vec<u8>, v: &Value) -> bool {
    match v {
        Value::None => out.push(0),
        Value::Bool(b) => out.extend_from_slice(&[1, u8::from(*b)]),
        Value::Int(i) => {
            out.push(2);
            put_i64(out, *i);
        }
        Value::Float(f) => {
            out.push(3);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::Str(t) if (t.len() as u64) < SHARE_SIZE => {
            out.push(4);
            put_str(out, t.as_str());
        }
        _ => return false,
    }
    true
}

/// Values the encoder writes inline without its work stack or table (its
/// fast path; world ids are written as they are): written directly here.
pub(super) fn direct(v: &Value) -> bool {
    match v {
        Value::List(l) => l.size < SHARE_SIZE && l.items.iter().all(plain),
        Value::Dict(d) => d.size < SHARE_SIZE && d.map.values().all(|(k, v)| plain(k) && plain(v)),
        Value::Tasklet(_) | Value::Channel(_) | Value::Unbound => true,
        v => plain(v),
    }
}

/// The scalars and short strings the encoder writes as they are.
fn plain(v: &Value) -> bool {
    match v {
        Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) => true,
        Value::Str(s) => (s.len() as u64) < SHARE_SIZE,
        _ => false,
    }
}

/// Appends `v`'s postcard bytes to `out`.
pub(super) fn put<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> Result<(), SaveError> {
    postcard::serialize_with_flavor::<T, Append, ()>(v, Append(out))
        .map_err(|e| SaveError::Encode(e.to_string()))
}

/// A postcard output that appends to a buffer it borrows.
struct Append<'a>(&'a mut Vec<u8>);

impl postcard::ser_flavors::Flavor for Append<'_> {
    type Output = ();

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.extend_from_slice(data);
        Ok(())
    }

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.0.push(data);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}
