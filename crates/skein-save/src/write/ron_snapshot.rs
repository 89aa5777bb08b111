//! A world save's compact RON written straight from a [`Snapshot`], as
//! `binary.rs` writes the binary one: no record tree is built and walked
//! again. Each tasklet is written as it is visited, its scalars, ids and
//! small plain values straight from the live value (`ron_live.rs`), its
//! function names from a cache, and every other part (a tabled value, a
//! native wait, host data) as the quick writer writes its record. The bytes
//! are exactly those of [`to_save`](Snapshot::to_save) then
//! [`to_bytes`](super::to_bytes) with [`Encoding::Compact`](super::Encoding)
//! (a test compares them), so every reader and golden file keeps working.
//!
//! Values are encoded in the order the record path encodes them (a frame's
//! locals before its tasklet's `tempval`, the tasklets before the world's
//! globals), since which parts go to the value table, and their numbers,
//! follow that order; the file puts the table before the tasklets, so the
//! tasklets are written to a buffer of their own and the rest put in front.
//!
//! Where the quick writer gives up on a part (a NaN, say), `ron` writes
//! that part: compact RON has no layout, so a part's text is the same alone
//! as inside the whole, and the whole file is what `ron` would have written.

use serde::Serialize;
use skein_script::bytecode::FuncRef;
use skein_vm::fiber::Fiber;
use skein_vm::{Cont, Value};

use super::quick_ron::{put_string, put_u64, write_at};
use super::ron_live::{direct, put_live};
use crate::direct::{Tasklet, put_in_front};
use crate::error::SaveError;
use crate::format::{Header, SaveKind, SuspensionRec, Wait};
use crate::names::{FuncNames, world_module_recs};
use crate::snapshot::Snapshot;
use crate::tasklet::{
    FrameShape, fiber_state, frame_shapes, own_direct, status, suspension_rec, wait_rec,
};
use crate::values::{EncodeRefs, Encoder, ValueRec};
use crate::world_save::channel_rec;

/// How many levels deep the quick writer is at each place a part is
/// written (a struct's fields are at its own level, a list's items one
/// below it), so that each part gives up exactly where the whole would.
mod depth {
    /// The header and body fields.
    pub const FILE: u32 = 1;
    /// The body's fields.
    pub const BODY: u32 = 2;
    /// A tasklet record's fields.
    pub const TASKLET: u32 = 4;
    /// A frame record's fields.
    pub const FRAME: u32 = 7;
    /// A frame's locals and operand stack.
    pub const SLOT: u32 = 8;
}

impl Snapshot {
    /// The compact RON world save, the same bytes as the records' (see the
    /// module doc). Each fiber is let go once written (or kept), as in
    /// [`to_save`](Snapshot::to_save).
    pub fn to_compact_ron(&mut self) -> Result<Vec<u8>, SaveError> {
        let program = self.program.clone();
        let mut enc = Encoder::new(&program);
        // About what a tasklet blocked in one small function takes.
        let mut tail = Vec::with_capacity(320 * self.entries.len() + 4096);
        let mut w = TaskletWriter {
            names: FuncNames::default(),
            frames: Vec::new(),
            shapes: Vec::new(),
        };
        let mut channels = Vec::new();
        self.visit_direct(
            |t, refs| {
                tail.push(if tail.is_empty() { b'[' } else { b',' });
                w.write(&mut tail, &mut enc, refs, t)
            },
            |id, c, ext| {
                channels.push(channel_rec(id, c, ext.to_map()));
                Ok(())
            },
        )?;
        if tail.is_empty() {
            tail.push(b'[');
        }
        // A world save has no roots and no ring order of its own.
        tail.extend_from_slice(b"],roots:[],ring_order:[]))\n");

        let world = self.world_rec(&mut enc)?;
        let modules = world_module_recs(&program);
        let mut header = Header::new(SaveKind::World, self.tick, self.options.seed);
        for m in &modules {
            header.modules.insert(m.name.clone(), m.hash);
        }
        let mut out = Vec::with_capacity(4096);
        out.extend_from_slice(b"(header:");
        part(&mut out, &header, depth::FILE)?;
        out.extend_from_slice(b",body:(modules:");
        part(&mut out, &modules, depth::BODY)?;
        out.extend_from_slice(b",values:");
        part(&mut out, &enc.into_table(), depth::BODY)?;
        out.extend_from_slice(b",channels:");
        part(&mut out, &channels, depth::BODY)?;
        out.extend_from_slice(b",world:");
        part(&mut out, &Some(world), depth::BODY)?;
        out.extend_from_slice(b",tasklets:");
        Ok(put_in_front(out, tail))
    }
}

/// Appends `v` as the quick writer writes it `depth` levels down, or as
/// `ron` does where the quick writer gives up (see the module doc).
fn part<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T, depth: u32) -> Result<(), SaveError> {
    let start = out.len();
    if write_at(v, out, depth).is_err() {
        out.truncate(start);
        let text = ron::Options::default()
            .to_string(v)
            .map_err(|e| SaveError::Encode(e.to_string()))?;
        out.extend_from_slice(text.as_bytes());
    }
    Ok(())
}

/// A value where a `ValueRec` goes: the live value when it is written as
/// it is, else the encoder's record.
enum Slot<'v> {
    Live(&'v Value),
    Rec(ValueRec),
}

impl Slot<'_> {
    fn of<'v>(
        enc: &mut Encoder,
        refs: &mut dyn EncodeRefs,
        v: &'v Value,
    ) -> Result<Slot<'v>, SaveError> {
        Ok(if direct(v) {
            Slot::Live(v)
        } else {
            Slot::Rec(enc.encode(v, refs)?)
        })
    }

    fn put(&self, out: &mut Vec<u8>, depth: u32) -> Result<(), SaveError> {
        match self {
            Slot::Live(v) if put_live(out, v) => Ok(()),
            Slot::Live(_) => Err(SaveError::Encode("not a directly written value".into())),
            Slot::Rec(r) => part(out, r, depth),
        }
    }

    /// `Nil`, which a tasklet's `tempval` leaves out.
    fn is_nil(&self) -> bool {
        matches!(self, Slot::Live(Value::None) | Slot::Rec(ValueRec::Nil))
    }

    /// An empty dict, which a tasklet's `data` leaves out.
    fn is_empty_dict(&self) -> bool {
        match self {
            Slot::Live(Value::Dict(d)) => d.map.is_empty(),
            Slot::Rec(ValueRec::Dict(entries)) => entries.is_empty(),
            _ => false,
        }
    }
}

/// A tasklet's own values and waits, encoded in the record path's order
/// (after its frames' values).
struct Own<'v> {
    tempval: Slot<'v>,
    pending: Option<Slot<'v>>,
    fiber_pending: Option<Slot<'v>>,
    suspension: SuspensionRec,
    data: Slot<'v>,
    wait: Wait,
}

/// Writes tasklet records, reusing its buffers from one to the next.
struct TaskletWriter {
    /// Function names, as a `FuncRec`'s encoding.
    names: FuncNames,
    /// The current tasklet's frames, when they are encoded before its
    /// leading fields are written.
    frames: Vec<u8>,
    /// The current tasklet's frame shapes.
    shapes: Vec<FrameShape>,
}

impl TaskletWriter {
    /// Appends `f` as its `FuncRec`'s text, `("module","function")`.
    fn name(&mut self, out: &mut Vec<u8>, enc: &Encoder, f: FuncRef) -> Result<(), SaveError> {
        self.names.put(out, enc, f, |out, m, f| {
            out.push(b'(');
            put_string(out, m);
            out.push(b',');
            put_string(out, f);
            out.push(b')');
        })
    }

    /// Appends `t`'s record: the text a `TaskletRec` of it is written as.
    fn write(
        &mut self,
        out: &mut Vec<u8>,
        enc: &mut Encoder,
        refs: &mut dyn EncodeRefs,
        t: Tasklet,
    ) -> Result<(), SaveError> {
        let (s, fiber) = (t.state, t.fiber);
        // Leading fields first when they touch no value table, as in
        // `binary.rs`; else the frames first, into a buffer of their own.
        let own_direct = own_direct(s, fiber, direct);
        let mut shapes = std::mem::take(&mut self.shapes);
        frame_shapes(enc.program(), fiber, &mut shapes)?;
        let own = if own_direct {
            let own = own(enc, refs, &t)?;
            self.head(out, enc, &t, &own)?;
            self.frames_of(out, enc, refs, fiber, &shapes)?;
            own
        } else {
            let mut frames = std::mem::take(&mut self.frames);
            frames.clear();
            self.frames_of(&mut frames, enc, refs, fiber, &shapes)?;
            let own = own(enc, refs, &t)?;
            self.head(out, enc, &t, &own)?;
            out.extend_from_slice(&frames);
            self.frames = frames;
            own
        };
        self.shapes = shapes;
        // The fiber's last field, then the tasklet's.
        if let Some(p) = &own.fiber_pending {
            out.extend_from_slice(b",pending:Some(");
            p.put(out, depth::TASKLET + 2)?;
            out.push(b')');
        }
        out.push(b')');
        if !t.ext.is_empty() {
            out.extend_from_slice(b",ext:");
            part(out, &t.ext, depth::TASKLET)?;
        }
        out.push(b')');
        Ok(())
    }

    /// Appends a `TaskletRec`'s fields up to its fiber's frames, leaving
    /// out those `format/skip.rs` leaves out when they hold their default.
    fn head(
        &mut self,
        out: &mut Vec<u8>,
        enc: &Encoder,
        t: &Tasklet,
        own: &Own,
    ) -> Result<(), SaveError> {
        const D: u32 = depth::TASKLET;
        let s = t.state;
        out.extend_from_slice(b"(id:");
        put_u64(out, t.id);
        if let Some(name) = s.name() {
            out.extend_from_slice(b",name:Some(");
            put_string(out, name);
            out.push(b')');
        }
        out.extend_from_slice(b",status:");
        let waiting = own.wait != Wait::Nothing;
        part(out, &status(s.alive, s.started, waiting, t.in_ring), D)?;
        out.extend_from_slice(if s.alive {
            b",alive:true"
        } else {
            b",alive:false"
        });
        out.extend_from_slice(if s.started {
            b",started:true"
        } else {
            b",started:false"
        });
        if s.atomic {
            out.extend_from_slice(b",atomic:true");
        }
        if s.block_trap {
            out.extend_from_slice(b",block_trap:true");
        }
        if !own.data.is_empty_dict() {
            out.extend_from_slice(b",data:");
            own.data.put(out, D)?;
        }
        if !own.tempval.is_nil() {
            out.extend_from_slice(b",tempval:");
            own.tempval.put(out, D)?;
        }
        if let Some(p) = &own.pending {
            out.extend_from_slice(b",pending:Some(");
            p.put(out, D + 1)?;
            out.push(b')');
        }
        if s.pending_is_payload {
            out.extend_from_slice(b",pending_is_payload:true");
        }
        out.extend_from_slice(b",wait:");
        part(out, &own.wait, D)?;
        out.extend_from_slice(b",suspension:");
        part(out, &own.suspension, D)?;
        match s.func {
            Some(f) => {
                out.extend_from_slice(b",func:Some(");
                self.name(out, enc, f)?;
                out.push(b')');
            }
            None => out.extend_from_slice(b",func:None"),
        }
        // World saves write the per-tick bookkeeping as zeros, its default,
        // which is left out (see `Snapshot::entry_recs`).
        out.extend_from_slice(b",fiber:(state:");
        part(out, &fiber_state(&t.fiber.state), D + 1)?;
        out.extend_from_slice(b",frames:");
        Ok(())
    }

    /// Appends a fiber's frames as a list of `FrameRec`s.
    fn frames_of(
        &mut self,
        out: &mut Vec<u8>,
        enc: &mut Encoder,
        refs: &mut dyn EncodeRefs,
        fiber: &Fiber,
        shapes: &[FrameShape],
    ) -> Result<(), SaveError> {
        out.push(b'[');
        for (i, (f, shape)) in fiber.frames().zip(shapes).enumerate() {
            let base = f.base as usize;
            out.extend_from_slice(if i > 0 { b",(func:" } else { b"(func:" });
            self.name(out, enc, f.func)?;
            out.extend_from_slice(b",pc:");
            put_u64(out, u64::from(f.pc));
            out.extend_from_slice(b",line:");
            put_u64(out, u64::from(shape.line));
            out.extend_from_slice(b",locals:");
            values(out, enc, refs, &fiber.stack[base..shape.locals_end])?;
            let stack = &fiber.stack[shape.locals_end..shape.end];
            if !stack.is_empty() {
                out.extend_from_slice(b",stack:");
                values(out, enc, refs, stack)?;
            }
            if !shape.handlers.is_empty() {
                out.extend_from_slice(b",handlers:");
                part(out, &shape.handlers, depth::FRAME)?;
            }
            if !f.ret.is_push() {
                out.extend_from_slice(b",ret:");
                part::<Cont>(out, &f.ret, depth::FRAME)?;
            }
            out.push(b')');
        }
        out.push(b']');
        Ok(())
    }
}

/// Appends a list of values, each live where it is written as it is.
fn values(
    out: &mut Vec<u8>,
    enc: &mut Encoder,
    refs: &mut dyn EncodeRefs,
    vs: &[Value],
) -> Result<(), SaveError> {
    out.push(b'[');
    for (i, v) in vs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if !put_live(out, v) {
            part(out, &enc.encode(v, refs)?, depth::SLOT)?;
        }
    }
    out.push(b']');
    Ok(())
}

/// A tasklet's own values, encoded in the record path's order (see
/// `tasklet_rec`).
fn own<'v>(
    enc: &mut Encoder,
    refs: &mut dyn EncodeRefs,
    t: &Tasklet<'v>,
) -> Result<Own<'v>, SaveError> {
    let (s, fiber) = (t.state, t.fiber);
    let tempval = Slot::of(enc, refs, &s.tempval)?;
    let pending = s.pending().map(|v| Slot::of(enc, refs, v)).transpose()?;
    let fiber_pending = fiber
        .pending()
        .map(|v| Slot::of(enc, refs, v))
        .transpose()?;
    let suspension = suspension_rec(enc, refs, s)?;
    let data = Slot::of(enc, refs, s.data())?;
    let wait = wait_rec(enc, refs, &s.wait, t.tick)?;
    Ok(Own {
        tempval,
        pending,
        fiber_pending,
        suspension,
        data,
        wait,
    })
}
