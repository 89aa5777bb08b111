//! Script values written straight into compact RON, as the text their
//! `ValueRec` is written as: the scalars, short strings, world ids and small
//! plain lists and dicts that the encoder writes inline as they are (its
//! fast path, which never touches the value table). Every other value goes
//! through the encoder, so the table is numbered as on the record path.

use skein_vm::Value;

use super::quick_ron::{put_f64, put_i64, put_string, put_u64};
use crate::values::SHARE_SIZE;

/// Appends `v` as its `ValueRec`'s compact RON when the encoder would write
/// it inline as it is; `false`, with nothing written, otherwise.
#[inline]
pub(super) fn put_live(out: &mut Vec<u8>, v: &Value) -> bool {
    match v {
        Value::List(_) | Value::Dict(_) => put_items(out, v),
        Value::Tasklet(id) => {
            out.extend_from_slice(b"Tasklet(");
            put_u64(out, *id);
            out.push(b')');
            true
        }
        Value::Channel(id) => {
            out.extend_from_slice(b"Channel(");
            put_u64(out, *id);
            out.push(b')');
            true
        }
        Value::Unbound => {
            out.extend_from_slice(b"Unbound");
            true
        }
        v => put_scalar(out, v),
    }
}

/// Whether [`put_live`] writes `v`.
pub(super) fn direct(v: &Value) -> bool {
    match v {
        Value::List(l) => l.size < SHARE_SIZE && l.items.iter().all(plain),
        Value::Dict(d) => d.size < SHARE_SIZE && d.map.values().all(|(k, v)| plain(k) && plain(v)),
        Value::Tasklet(_) | Value::Channel(_) | Value::Unbound => true,
        v => plain(v),
    }
}

/// [`put_live`] of a list or dict: small, and of [`plain`] items only.
fn put_items(out: &mut Vec<u8>, v: &Value) -> bool {
    match v {
        Value::List(l) if l.size < SHARE_SIZE && l.items.iter().all(plain) => {
            out.extend_from_slice(b"List([");
            for (i, v) in l.items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                put_scalar(out, v);
            }
            out.extend_from_slice(b"])");
        }
        Value::Dict(d)
            if d.size < SHARE_SIZE && d.map.values().all(|(k, v)| plain(k) && plain(v)) =>
        {
            out.extend_from_slice(b"Dict([");
            for (i, (k, v)) in d.map.values().enumerate() {
                out.extend_from_slice(if i > 0 { b",(" } else { b"(" });
                put_scalar(out, k);
                out.push(b',');
                put_scalar(out, v);
                out.push(b')');
            }
            out.extend_from_slice(b"])");
        }
        _ => return false,
    }
    true
}

/// Appends a [`plain`] value; `false`, with nothing written, for another.
#[inline]
fn put_scalar(out: &mut Vec<u8>, v: &Value) -> bool {
    match v {
        Value::None => out.extend_from_slice(b"Nil"),
        Value::Bool(true) => out.extend_from_slice(b"Bool(true)"),
        Value::Bool(false) => out.extend_from_slice(b"Bool(false)"),
        Value::Int(i) => {
            out.extend_from_slice(b"Int(");
            put_i64(out, *i);
            out.push(b')');
        }
        Value::Float(f) if !f.is_nan() => {
            out.extend_from_slice(b"Float(");
            put_f64(out, *f);
            out.push(b')');
        }
        Value::Str(t) if (t.len() as u64) < SHARE_SIZE => {
            out.extend_from_slice(b"Str(");
            put_string(out, t.as_str());
            out.push(b')');
        }
        _ => return false,
    }
    true
}

/// The scalars and short strings written as they are. A NaN is the
/// encoder's like any float, but only `ron` writes it, so it is not here.
fn plain(v: &Value) -> bool {
    match v {
        Value::None | Value::Bool(_) | Value::Int(_) => true,
        Value::Float(f) => !f.is_nan(),
        Value::Str(s) => (s.len() as u64) < SHARE_SIZE,
        _ => false,
    }
}
