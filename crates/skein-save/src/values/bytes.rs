//! Values decoded straight from a binary save's bytes, with no [`ValueRec`]
//! built first: the common shapes (scalars, strings, lists, dicts, ranges,
//! references to functions, tasklets, channels and the value table) are
//! read and checked here exactly as [`Decoder::decode`] checks their
//! records; the rare ones (errors, methods, iterators, types) are read as a
//! record by postcard and decoded the record way.
//!
//! `None` means "not taken": the caller reads the same bytes again through
//! the records, whose error (with its field path) is the one reported.
//! Short strings equal to one read shortly before share it ([`Strs`]):
//! strings are immutable and saves never write by address, so sharing is
//! invisible but for the allocations it saves.

use std::sync::Arc;

use skein_script::bytecode::BUILTIN_NAMES;
use skein_vm::value::{Dict, Key, List, RangeObj, Str, Value};

use super::decode::{Decoder, Place, is_kind_name};
use super::rec::{MAX_INLINE_DEPTH, ValueRec};
use crate::bytes::Reader;
use crate::error::FieldPath;

/// Strings up to this many bytes are shared through [`Strs`].
const SHORT: usize = 64;
/// Slots of the string cache (a power of two).
const SLOTS: usize = 256;

/// The short strings read last, one per slot: a load's tasklets repeat a
/// few constant strings many times. Bounded, so a hostile file can only
/// replace entries.
pub(crate) struct Strs {
    slots: Vec<Option<Arc<Str>>>,
}

impl Default for Strs {
    fn default() -> Self {
        Strs {
            slots: vec![None; SLOTS],
        }
    }
}

impl Strs {
    fn get(&mut self, s: &str) -> Arc<Str> {
        if s.len() > SHORT {
            return Arc::new(Str::new(s.to_string()));
        }
        let b = s.as_bytes();
        let mut h = b.len().wrapping_mul(0x9e37_79b9);
        for &c in b.iter().take(8).chain(b.iter().rev().take(4)) {
            h = (h ^ usize::from(c)).wrapping_mul(0x0100_0193);
        }
        let entry = &mut self.slots[(h >> 7) % SLOTS];
        match entry {
            Some(a) if a.as_str() == s => a.clone(),
            _ => entry.insert(Arc::new(Str::new(s.to_string()))).clone(),
        }
    }
}

impl Decoder<'_> {
    /// One value read at `r`, checked as [`Decoder::decode`] checks its
    /// record; `None`, with `r` anywhere, when it is not taken.
    pub(crate) fn read(&self, r: &mut Reader, place: Place, strs: &mut Strs) -> Option<Value> {
        self.read_at(r, place, 0, strs)
    }

    fn read_at(&self, r: &mut Reader, place: Place, depth: u32, strs: &mut Strs) -> Option<Value> {
        // The record parser refuses a value this deep before decoding it.
        if depth >= MAX_INLINE_DEPTH {
            return None;
        }
        let start = r.pos();
        let res = self.resolve;
        let root = FieldPath::root();
        Some(match r.tag()? {
            0 => Value::None,
            1 => Value::Bool(r.bool()?),
            2 => Value::Int(r.i64()?),
            3 => Value::Float(r.f64()?),
            4 => {
                let s = r.str()?;
                self.check_size("a str", s.len() as u64, &root).ok()?;
                Value::Str(strs.get(s))
            }
            5 => {
                let n = r.len()?;
                // Each item is at least a byte: a hostile count must not
                // become an allocation.
                let mut out = Vec::with_capacity(n.min(r.rest().len()));
                for _ in 0..n {
                    out.push(self.read_at(r, Place::Plain, depth + 1, strs)?);
                }
                let l = List::new(out);
                self.check_size("a list", l.size, &root).ok()?;
                Value::List(Arc::new(l))
            }
            6 => {
                let n = r.len()?;
                let mut d = Dict::new();
                for _ in 0..n {
                    let kv = self.read_at(r, Place::Plain, depth + 1, strs)?;
                    let key = Key::from_value(&kv).ok()?;
                    if d.map.contains_key(&key) {
                        return None;
                    }
                    let vv = self.read_at(r, Place::Plain, depth + 1, strs)?;
                    d.insert_key(key, kv, vv);
                }
                self.check_size("a dict", d.size, &root).ok()?;
                Value::Dict(Arc::new(d))
            }
            7 => {
                let (start, stop, step) = (r.i64()?, r.i64()?, r.i64()?);
                if step == 0 {
                    return None;
                }
                Value::Range(Arc::new(RangeObj { start, stop, step }))
            }
            8 => Value::Function(res.function(r.str()?, r.str()?).ok()?),
            9 => {
                let name = r.str()?;
                let i = BUILTIN_NAMES.iter().position(|n| *n == name)?;
                if is_kind_name(name) {
                    return None;
                }
                Value::Builtin(i as u16)
            }
            10 => Value::Native(res.native(r.str()?, r.str()?).ok()?),
            11 => Value::Module(res.module(r.str()?).ok()?),
            14 => Value::Tasklet(res.tasklet(r.u64()?).ok()?),
            15 => Value::Tasklet(res.main().ok()?),
            16 => Value::Channel(res.channel(r.u64()?).ok()?),
            19 if place == Place::Slot => Value::Unbound,
            20 => self.table.get(r.u32()? as usize)?.clone(),
            // Types, errors, methods and iterators: through their record,
            // at the top only (the record parser counts nesting from there).
            12 | 13 | 17 | 18 if depth == 0 => {
                r.seek(start);
                let rec: ValueRec = r.serde()?;
                self.value(&rec, place, &root, 0).ok()?
            }
            _ => return None,
        })
    }
}
