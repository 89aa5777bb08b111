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

use skein_world::ChannelState;
use skein_world::components::{Suspension, Wait as WWait};

use crate::bytes::{put_len, put_str, put_u64};
use crate::direct::ExtMap;
use crate::direct::{Tasklet, put_in_front};
use crate::error::SaveError;
use crate::format::{Dir, Header, SaveKind, SuspensionRec, Wait};
use crate::names::FuncNames;
use crate::names::world_module_recs;
use crate::snapshot::{Entry, Snapshot};
use crate::tasklet::{fiber_state, frame_shapes, own_direct, status, suspension_rec, wait_rec};
use crate::values::{EncodeRefs, Encoder};
use crate::write::{BINARY_MAGIC, Encoding, to_bytes};

mod frames;
mod live;

use frames::{Heads, TaskletWriter};
use live::{ValueRecSlot, direct, put, put_direct, put_option, put_slot, slot};

impl Snapshot {
    /// The snapshot's world save as bytes of `encoding`: the binary one
    /// written directly (see the module doc), as is compact RON
    /// (`write/ron_snapshot.rs`); pretty RON through the records. Each
    /// fiber is let go once written (or kept), as in [`to_save`](Snapshot::to_save).
    pub fn encode(&mut self, encoding: Encoding) -> Result<Vec<u8>, SaveError> {
        match encoding {
            Encoding::Binary => self.to_binary(),
            Encoding::Compact => self.to_compact_ron(),
            _ => to_bytes(&self.to_save()?, encoding),
        }
    }

    /// The binary world save, the same bytes as the records'.
    pub fn to_binary(&mut self) -> Result<Vec<u8>, SaveError> {
        let program = self.program.clone();
        let mut enc = Encoder::new(&program);
        // Everything before the tasklets: small next to them.
        let mut out = Vec::with_capacity(4096);
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
        // they are written to a buffer of their own, and what goes before
        // them is moved in front of them in that buffer (sized for it).
        // About what a tasklet blocked in one small function takes.
        let mut tail = Vec::with_capacity(96 * self.entries.len() + 4096);
        let tasklets = self.entries.iter().flatten();
        let count = tasklets
            .filter(|h| matches!(h.entry, Entry::Tasklet { .. }))
            .count();
        put(&mut tail, &count)?;
        let mut w = TaskletWriter {
            names: FuncNames::default(),
            frames: Vec::new(),
            shapes: Vec::new(),
            heads: Heads::default(),
        };
        // Channels hold no values: their records are written as they are
        // met, after their count.
        let mut channels = Vec::new();
        let mut channel_count = 0usize;
        self.visit_direct(
            |t, refs| w.write(&mut tail, &mut enc, refs, t),
            |id, c, ext| {
                channel_count += 1;
                put_channel(&mut channels, id, c, ext)
            },
        )?;
        let world = self.world_rec(&mut enc)?;
        put(&mut out, &enc.into_table())?;
        put_len(&mut out, channel_count);
        out.extend_from_slice(&channels);
        put(&mut out, &Some(world))?;
        // A world save has no roots and no ring order of its own.
        put(&mut tail, &(0usize, 0usize))?;
        Ok(put_in_front(out, tail))
    }
}

/// Appends a channel's record, the bytes of its `ChannelRec` (see
/// `channel_rec`) with no list of its waiters collected: a channel many
/// tasklets wait on lists them all.
fn put_channel(
    out: &mut Vec<u8>,
    id: u64,
    c: &ChannelState,
    ext: ExtMap<'_>,
) -> Result<(), SaveError> {
    put_u64(out, id);
    // An `i8` is its byte; `Dir`'s variants are `Send` then `Receive`.
    let dir = if c.senders { Dir::Send } else { Dir::Receive };
    out.extend_from_slice(&[
        c.preference as u8,
        u8::from(c.schedule_all),
        u8::from(c.closing),
        dir as u8,
    ]);
    put_len(out, c.waiters.len());
    for w in c.waiters.iter() {
        put_u64(out, w);
    }
    if ext.is_empty() {
        out.push(0);
        Ok(())
    } else {
        put(out, &ext)
    }
}

impl TaskletWriter {
    /// Appends `t`'s record: the bytes a `TaskletRec` of it serializes to.
    fn write(
        &mut self,
        out: &mut Vec<u8>,
        enc: &mut Encoder,
        refs: &mut dyn EncodeRefs,
        t: Tasklet,
    ) -> Result<(), SaveError> {
        let (s, fiber) = (t.state, t.fiber);
        // When the tasklet's own values are all written as they are, none
        // of them touches the value table, so its leading fields can go
        // first and its frames straight after them; else the frames are
        // encoded first into a buffer of their own (see the module doc).
        let own_direct = own_direct(s, fiber, direct);
        let mut frames = std::mem::take(&mut self.frames);
        frames.clear();
        let mut shapes = std::mem::take(&mut self.shapes);
        // Most fibers have no active `try`: their frames' windows are found
        // as they are written, with no shapes built (see `frames.rs`).
        shapes.clear();
        if !fiber.handlers().is_empty() {
            frame_shapes(enc.program(), fiber, &mut shapes)?;
        }
        if own_direct {
            self.head_direct(out, enc, &t)?;
            self.frames_of(out, enc, refs, fiber, &shapes)?;
            match fiber.pending() {
                // No pending error and no registered component (most
                // tasklets): the record ends with two `None`s, with no call.
                None if t.ext.is_empty() => out.extend_from_slice(&[0, 0]),
                pending => tail(out, pending.map(ValueRecSlot::Live), t.ext)?,
            }
        } else {
            self.frames_of(&mut frames, enc, refs, fiber, &shapes)?;
            // Encoded in the record path's order, written in the file's.
            let fiber_pending = self.head(out, enc, refs, &t)?;
            out.extend_from_slice(&frames);
            tail(out, fiber_pending, t.ext)?;
        }
        self.frames = frames;
        self.shapes = shapes;
        Ok(())
    }

    /// Appends a `TaskletRec`'s fields before its fiber's frames, encoding
    /// the tasklet's own values (after its frames', see the module doc);
    /// gives back the fiber's pending error, written after the frames.
    fn head<'t>(
        &mut self,
        out: &mut Vec<u8>,
        enc: &mut Encoder,
        refs: &mut dyn EncodeRefs,
        t: &Tasklet<'t>,
    ) -> Result<Option<ValueRecSlot<'t>>, SaveError> {
        let (s, fiber) = (t.state, t.fiber);
        // The tasklet's own values, after its frames' (see the module doc).
        let tempval = slot(enc, refs, &s.tempval)?;
        let pending = s.pending().map(|v| slot(enc, refs, v)).transpose()?;
        // The fiber's pending error is written after the frames but
        // encoded here, in the record path's order.
        let fiber_pending = (fiber.pending()).map(|v| slot(enc, refs, v)).transpose()?;
        let suspension = suspension_rec(enc, refs, s)?;
        let data = slot(enc, refs, s.data())?;
        let wait = wait_rec(enc, refs, &s.wait, t.tick)?;
        let waiting = wait != Wait::Nothing;
        // A `TaskletRec`'s fields in order, each as postcard writes it.
        put_id_name(out, t);
        let status = status(s.alive, s.started, waiting, t.in_ring);
        out.push(status as u8);
        out.extend_from_slice(&[s.alive, s.started, s.atomic, s.block_trap].map(u8::from));
        put_slot(out, &data)?;
        put_slot(out, &tempval)?;
        put_option(out, pending.as_ref())?;
        out.push(u8::from(s.pending_is_payload));
        match wait {
            Wait::Nothing => out.push(0),
            Wait::Channel { id, dir } => {
                out.push(1);
                put_u64(out, id);
                out.push(dir as u8);
            }
            Wait::Sleep { remaining } => {
                out.push(2);
                put_u64(out, remaining);
            }
            native @ Wait::Native { .. } => put(out, &native)?,
        }
        match suspension {
            SuspensionRec::SendSequence { .. } => put(out, &suspension)?,
            unit => out.push(suspension_index(&unit)),
        }
        self.head_end(out, enc, t)?;
        Ok(fiber_pending)
    }
}

impl TaskletWriter {
    /// [`head`](TaskletWriter::head) for a tasklet whose own values are
    /// all written as they are (the caller checked, see `write`): nothing
    /// goes to the value table, so each field is written straight from the
    /// live state, with no record built for it on the way.
    fn head_direct(
        &mut self,
        out: &mut Vec<u8>,
        enc: &Encoder,
        t: &Tasklet,
    ) -> Result<(), SaveError> {
        let s = t.state;
        put_id_name(out, t);
        let waiting = !matches!(s.wait, WWait::None);
        let status = status(s.alive, s.started, waiting, t.in_ring);
        out.push(status as u8);
        out.extend_from_slice(&[s.alive, s.started, s.atomic, s.block_trap].map(u8::from));
        put_direct(out, s.data())?;
        put_direct(out, &s.tempval)?;
        match s.pending() {
            Some(v) => {
                out.push(1);
                put_direct(out, v)?;
            }
            None => out.push(0),
        }
        out.push(u8::from(s.pending_is_payload));
        // `Wait`'s variants as `wait_rec` maps them (a native wait is not
        // direct).
        match s.wait {
            WWait::None => out.push(0),
            WWait::Channel { channel, sending } => {
                out.push(1);
                put_u64(out, channel);
                let dir = if sending { Dir::Send } else { Dir::Receive };
                out.push(dir as u8);
            }
            WWait::Sleep { until, .. } => {
                out.push(2);
                put_u64(out, until.saturating_sub(t.tick));
            }
            WWait::Native(_) => {
                return Err(SaveError::Encode(
                    "a native wait is not written directly".into(),
                ));
            }
        }
        out.push(suspension_unit(&s.suspension)?);
        self.head_end(out, enc, t)
    }

    /// A tasklet record's last fields, the same on both paths: its
    /// function, the per-tick bookkeeping, its fiber's state.
    fn head_end(&mut self, out: &mut Vec<u8>, enc: &Encoder, t: &Tasklet) -> Result<(), SaveError> {
        match t.state.func {
            Some(f) => {
                out.push(1);
                self.name(out, enc, f)?;
            }
            None => out.push(0),
        }
        // Between ticks none of the per-tick bookkeeping is live.
        out.extend_from_slice(&[0, 0, 0]);
        out.push(fiber_state(&t.fiber.state) as u8);
        Ok(())
    }
}

/// A tasklet record's first fields: its id and its name, if any.
#[inline]
fn put_id_name(out: &mut Vec<u8>, t: &Tasklet) {
    put_u64(out, t.id);
    match t.state.name() {
        Some(name) => {
            out.push(1);
            put_str(out, name);
        }
        None => out.push(0),
    }
}

/// The `SuspensionRec` index of a suspension that carries nothing (all but
/// a `send_sequence`'s, which is not direct).
fn suspension_unit(s: &Suspension) -> Result<u8, SaveError> {
    let rec = match s {
        Suspension::None => SuspensionRec::NotSuspended,
        Suspension::Schedule => SuspensionRec::Schedule,
        Suspension::Nothing => SuspensionRec::ReturnsNone,
        Suspension::Send { exception: false } => SuspensionRec::Send,
        Suspension::Send { exception: true } => SuspensionRec::SendException,
        Suspension::Receive { iterating: false } => SuspensionRec::Receive,
        Suspension::Receive { iterating: true } => SuspensionRec::ReceiveInLoop,
        Suspension::Native => SuspensionRec::Native,
        Suspension::SendSequence => {
            return Err(SaveError::Encode(
                "a send_sequence is not written directly".into(),
            ));
        }
    };
    Ok(suspension_index(&rec))
}

/// Appends a `TaskletRec`'s fields after its fiber's frames.
fn tail(
    out: &mut Vec<u8>,
    fiber_pending: Option<ValueRecSlot>,
    ext: ExtMap<'_>,
) -> Result<(), SaveError> {
    put_option(out, fiber_pending.as_ref())?;
    if ext.is_empty() {
        out.push(0);
        Ok(())
    } else {
        put(out, &ext)
    }
}

/// A unit variant's index in `SuspensionRec`'s order.
fn suspension_index(s: &SuspensionRec) -> u8 {
    match s {
        SuspensionRec::NotSuspended => 0,
        SuspensionRec::Schedule => 1,
        SuspensionRec::ReturnsNone => 2,
        SuspensionRec::Send => 3,
        SuspensionRec::SendException => 4,
        SuspensionRec::SendSequence { .. } => 5,
        SuspensionRec::Receive => 6,
        SuspensionRec::ReceiveInLoop => 7,
        SuspensionRec::Native => 8,
    }
}
