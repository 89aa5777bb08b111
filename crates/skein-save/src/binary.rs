//! A world save's binary bytes written straight from a [`Snapshot`], with no
//! record tree built and dropped on the way: each tasklet is written as it
//! is visited, scalars and small plain values straight from the live value,
//! function names from a cache. The bytes are exactly those of
//! [`to_save`](Snapshot::to_save) then [`to_bytes`] with [`Encoding::Binary`]
//! (a test compares them), so every reader, golden file and delta chain
//! keeps working.
//!
//! This leans on postcard's wire format, which is fixed for postcard 1: a
//! struct or tuple is its fields one after another, a sequence or map is
//! its length as a varint then its items, an enum is its variant's index as
//! a varint then its fields. So a record can be written in parts: its
//! leading fields, then a list whose items are written one at a time.
//!
//! Values are encoded in the order the record path encodes them (a frame's
//! locals before its tasklet's `tempval`, the tasklets before the world's
//! globals), since which parts go to the value table, and their numbers,
//! follow that order; the file then puts the table before the tasklets.

use serde::ser::{Serialize, SerializeSeq, SerializeTuple, Serializer};
use skein_script::bytecode::FuncRef;
use skein_vm::Value;
use skein_vm::fiber::Fiber;
use skein_world::components::TaskletState;

use crate::error::SaveError;
use crate::format::{FuncRec, Header, SaveKind, TickStateRec, Wait};
use crate::names::WorldRefs;
use crate::names::world_module_recs;
use crate::snapshot::{Entry, Snapshot, take_fiber};
use crate::tasklet::{FrameShape, fiber_state, frame_shapes, status, suspension_rec, wait_rec};
use crate::values::{EncodeRefs, Encoder, SHARE_SIZE, ValueRec};
use crate::world_save::{channel_rec, ext_of};
use crate::write::{BINARY_MAGIC, Encoding, to_bytes};

impl Snapshot {
    /// The snapshot's world save as bytes of `encoding`: the binary one
    /// written directly (see the module doc), RON through the records. Each
    /// fiber is let go once written, as in [`to_save`](Snapshot::to_save).
    pub fn encode(&mut self, encoding: Encoding) -> Result<Vec<u8>, SaveError> {
        match encoding {
            Encoding::Binary => self.to_binary(),
            _ => to_bytes(&self.to_save()?, encoding),
        }
    }

    /// The binary world save, the same bytes as the records'.
    pub fn to_binary(&mut self) -> Result<Vec<u8>, SaveError> {
        let program = self.program.clone();
        let mut enc = Encoder::new(&program);
        // About what a tasklet blocked in one small function takes.
        let mut out = Vec::with_capacity(96 * self.entries.len() + 4096);
        out.extend_from_slice(BINARY_MAGIC);
        let modules = world_module_recs(&program);
        let mut header = Header::new(SaveKind::World, self.tick, self.options.seed);
        for m in &modules {
            header.modules.insert(m.name.clone(), m.hash);
        }
        put(&mut out, &header)?;
        put(&mut out, &modules)?;

        // The tasklets come last in the file but are encoded first (their
        // values fill the value table, which the file puts before them), so
        // they are written to a buffer of their own and appended.
        let mut tail = Vec::with_capacity(96 * self.entries.len());
        let tasklets = self.entries.iter().flatten();
        let count = tasklets
            .filter(|h| matches!(h.entry, Entry::Tasklet { .. }))
            .count();
        put(&mut tail, &count)?;
        let mut w = TaskletWriter {
            names: Vec::new(),
            frames: Vec::new(),
            shapes: Vec::new(),
        };
        let natives = &self.natives;
        let mut refs = WorldRefs { natives };
        let (tick, ring, registry) = (self.tick, &self.ring, &self.registry);
        let same = |id: u64| Some(id);
        let ids = crate::registry::IdMap::new(&same);
        let mut channels = Vec::new();
        for (id, h) in self.entries.iter_mut().enumerate() {
            let Some(h) = h.as_mut() else { continue };
            let id = id as u64;
            let ext = ext_of(h, registry, &ids)?;
            match &mut h.entry {
                Entry::Tasklet { state, fiber } => {
                    let fiber = take_fiber(fiber)?;
                    let in_ring = ring.contains(id);
                    let t = Tasklet {
                        id,
                        state,
                        fiber: &fiber,
                        tick,
                        in_ring,
                        ext: &ext,
                    };
                    w.write(&mut tail, &mut enc, &mut refs, t)?;
                }
                // Channels hold no values: their records are small and few.
                Entry::Channel(c) => channels.push(channel_rec(id, c, ext)),
            }
        }
        let world = self.world_rec(&mut enc)?;
        put(&mut out, &enc.into_table())?;
        put(&mut out, &channels)?;
        put(&mut out, &Some(world))?;
        out.extend_from_slice(&tail);
        // A world save has no roots and no ring order of its own.
        put(&mut out, &(0usize, 0usize))?;
        Ok(out)
    }
}

/// One tasklet to write, as the snapshot holds it.
struct Tasklet<'a> {
    id: u64,
    state: &'a TaskletState,
    fiber: &'a Fiber,
    tick: u64,
    in_ring: bool,
    ext: &'a std::collections::BTreeMap<String, crate::ext::ExtValue>,
}

/// Writes tasklet records, reusing its buffers from one to the next.
struct TaskletWriter {
    /// Function names by module and function index: most frames of a
    /// world run a few functions.
    names: Vec<Vec<Option<FuncRec>>>,
    /// The current tasklet's frames, written first (their values are
    /// encoded first) and copied into place after its leading fields.
    frames: Vec<u8>,
    /// The current tasklet's frame shapes.
    shapes: Vec<FrameShape>,
}

impl TaskletWriter {
    fn name(&mut self, enc: &Encoder, f: FuncRef) -> Result<&FuncRec, SaveError> {
        let (m, i) = (f.module as usize, f.func as usize);
        if self.names.len() <= m {
            self.names.resize_with(m + 1, Vec::new);
        }
        let module = &mut self.names[m];
        if module.len() <= i {
            module.resize_with(i + 1, || None);
        }
        let slot = &mut module[i];
        let name = match slot.take() {
            Some(name) => name,
            None => {
                let (module, function) = enc.func_names(f)?;
                FuncRec(module.into(), function.into())
            }
        };
        Ok(slot.insert(name))
    }

    /// Appends `t`'s record: the bytes a `TaskletRec` of it serializes to.
    fn write(
        &mut self,
        out: &mut Vec<u8>,
        enc: &mut Encoder,
        refs: &mut dyn EncodeRefs,
        t: Tasklet,
    ) -> Result<(), SaveError> {
        let (s, fiber) = (t.state, t.fiber);
        let mut frames = std::mem::take(&mut self.frames);
        frames.clear();
        let mut shapes = std::mem::take(&mut self.shapes);
        frame_shapes(enc.program(), fiber, &mut shapes)?;
        put(&mut frames, &shapes.len())?;
        for (f, shape) in fiber.frames().zip(&shapes) {
            let base = f.base as usize;
            let name = self.name(enc, f.func)?;
            put(&mut frames, &(name, f.pc, shape.line))?;
            for part in [
                &fiber.stack[base..shape.locals_end],
                &fiber.stack[shape.locals_end..shape.end],
            ] {
                put(&mut frames, &part.len())?;
                for v in part {
                    put_value(&mut frames, enc, refs, v)?;
                }
            }
            put(&mut frames, &(&shape.handlers, f.ret))?;
        }
        // The tasklet's own values, after its frames' (see the module doc).
        let tempval = slot(enc, refs, &s.tempval)?;
        let pending = s.pending().map(|v| slot(enc, refs, v)).transpose()?;
        let fiber_pending = (fiber.pending()).map(|v| slot(enc, refs, v)).transpose()?;
        let suspension = suspension_rec(enc, refs, s)?;
        let data = slot(enc, refs, s.data())?;
        let wait = wait_rec(enc, refs, &s.wait, t.tick)?;
        let waiting = wait != Wait::Nothing;
        let func = match s.func {
            Some(f) => Some(self.name(enc, f)?),
            None => None,
        };
        let head = (
            t.id,
            s.name(),
            status(s.alive, s.started, waiting, t.in_ring),
            s.alive,
            s.started,
            s.atomic,
            s.block_trap,
            &data,
            &tempval,
            &pending,
            s.pending_is_payload,
            &wait,
            &suspension,
            func,
            // Between ticks none of the per-tick bookkeeping is live.
            TickStateRec::default(),
            fiber_state(&fiber.state),
        );
        put(out, &head)?;
        out.extend_from_slice(&frames);
        put(out, &(&fiber_pending, t.ext))?;
        self.frames = frames;
        self.shapes = shapes;
        Ok(())
    }
}

/// A value to write where a `ValueRec` goes: the live value itself when
/// the encoder would write it inline as it is, else the encoder's record.
enum ValueRecSlot<'v> {
    Live(&'v Value),
    Rec(ValueRec),
}

/// `v` as a slot, encoded (and its tall or big parts tabled) unless direct.
fn slot<'v>(
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

/// Appends `v` as its `ValueRec`'s bytes, with no slot moved in between
/// (a frame's locals are most of a world's values).
fn put_value(
    out: &mut Vec<u8>,
    enc: &mut Encoder,
    refs: &mut dyn EncodeRefs,
    v: &Value,
) -> Result<(), SaveError> {
    if direct(v) {
        put(out, &ValueRecSlot::Live(v))
    } else {
        put(out, &enc.encode(v, refs)?)
    }
}

/// Values the encoder writes inline without its work stack or table (its
/// fast path; world ids are written as they are): written directly here.
fn direct(v: &Value) -> bool {
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

impl Serialize for ValueRecSlot<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = match self {
            ValueRecSlot::Rec(r) => return r.serialize(s),
            ValueRecSlot::Live(v) => v,
        };
        // `ValueRec`'s variant indices, as its derived `Serialize` numbers
        // them (the saves of `tests/binary.rs` hold every one of these).
        const R: &str = "ValueRec";
        match v {
            Value::None => s.serialize_unit_variant(R, 0, "Nil"),
            Value::Bool(b) => s.serialize_newtype_variant(R, 1, "Bool", b),
            Value::Int(i) => s.serialize_newtype_variant(R, 2, "Int", i),
            Value::Float(f) => s.serialize_newtype_variant(R, 3, "Float", f),
            Value::Str(t) => s.serialize_newtype_variant(R, 4, "Str", t.as_str()),
            Value::List(l) => s.serialize_newtype_variant(R, 5, "List", &Items(&l.items)),
            Value::Dict(d) => s.serialize_newtype_variant(R, 6, "Dict", &Entries(d)),
            Value::Tasklet(id) => s.serialize_newtype_variant(R, 14, "Tasklet", id),
            Value::Channel(id) => s.serialize_newtype_variant(R, 16, "Channel", id),
            Value::Unbound => s.serialize_unit_variant(R, 19, "Unbound"),
            // `direct` lets no other value through.
            _ => Err(serde::ser::Error::custom("not a directly written value")),
        }
    }
}

/// A plain list's items.
struct Items<'a>(&'a [Value]);

impl Serialize for Items<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for v in self.0 {
            seq.serialize_element(&ValueRecSlot::Live(v))?;
        }
        seq.end()
    }
}

/// A plain dict's entries, each as a (key, value) pair.
struct Entries<'a>(&'a skein_vm::value::Dict);

impl Serialize for Entries<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.map.len()))?;
        for (k, v) in self.0.map.values() {
            seq.serialize_element(&Pair(k, v))?;
        }
        seq.end()
    }
}

/// One dict entry, as `(ValueRec, ValueRec)` serializes.
struct Pair<'a>(&'a Value, &'a Value);

impl Serialize for Pair<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(2)?;
        t.serialize_element(&ValueRecSlot::Live(self.0))?;
        t.serialize_element(&ValueRecSlot::Live(self.1))?;
        t.end()
    }
}

/// Appends `v`'s postcard bytes to `out`.
fn put<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> Result<(), SaveError> {
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
