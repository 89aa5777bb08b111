//! A fiber's frames written into a binary save, as the bytes their
//! `FrameRec`s serialize to. A frame's function names, `pc` and source line
//! are the same bytes for every tasklet stopped at the same place (most of
//! a world's tasklets wait at a few), so they are found once per function
//! and `pc` and copied after that. A fiber with no active `try` (the
//! common case) has its frames' stack windows found as they are written,
//! with no shape list built for it.

use skein_script::bytecode::FuncRef;
use skein_vm::Cont;
use skein_vm::fiber::{Fiber, Frame};

use super::live::{put, put_live};
use crate::bytes::{put_len, put_str, put_u64};
use crate::error::SaveError;
use crate::names::FuncNames;
use crate::tasklet::FrameShape;
use crate::values::{EncodeRefs, Encoder};

/// Writes tasklet records, reusing its buffers from one to the next.
pub(super) struct TaskletWriter {
    /// Function names, as a `FuncRec`'s encoding.
    pub(super) names: FuncNames,
    /// The current tasklet's frames, written first (their values are
    /// encoded first) and copied into place after its leading fields.
    pub(super) frames: Vec<u8>,
    /// The current tasklet's frame shapes, when it has handlers.
    pub(super) shapes: Vec<FrameShape>,
    /// Frame heads by function and `pc` (below).
    pub(super) heads: Heads,
}

impl TaskletWriter {
    /// Appends `f` as its `FuncRec`'s bytes (its two names).
    pub(super) fn name(
        &mut self,
        out: &mut Vec<u8>,
        enc: &Encoder,
        f: FuncRef,
    ) -> Result<(), SaveError> {
        self.names.put(out, enc, f, |out, m, f| {
            put_str(out, m);
            put_str(out, f);
        })
    }
}

/// Distinct frame heads remembered per save; past this, a head is built
/// each time (the bytes are the same either way).
const HEADS: usize = 256;

/// Frame heads (function names, `pc`, line) already written, by function
/// and `pc`.
#[derive(Default)]
pub(super) struct Heads {
    entries: Vec<Head>,
    /// The entries' bytes, one after another.
    bytes: Vec<u8>,
    /// The entry found last: consecutive tasklets tend to share it.
    last: usize,
}

struct Head {
    func: FuncRef,
    pc: u32,
    /// The function's local count, for the frame's stack window.
    nlocals: usize,
    start: usize,
    end: usize,
}

impl Heads {
    /// `f`'s head: its bytes and its function's local count.
    fn find(&mut self, f: &Frame) -> Option<(&[u8], usize)> {
        let hit = |h: &Head| h.func == f.func && h.pc == f.pc;
        if !self.entries.get(self.last).is_some_and(hit) {
            self.last = self.entries.iter().position(hit)?;
        }
        let h = self.entries.get(self.last)?;
        Some((self.bytes.get(h.start..h.end)?, h.nlocals))
    }
}

fn broken(m: String) -> SaveError {
    SaveError::Unsaveable(format!("inconsistent fiber: {m}"))
}

impl TaskletWriter {
    /// Appends frame `i`'s function names, `pc` and line; gives back its
    /// function's local count.
    fn frame_head(
        &mut self,
        out: &mut Vec<u8>,
        enc: &Encoder,
        i: usize,
        f: &Frame,
    ) -> Result<usize, SaveError> {
        if let Some((bytes, nlocals)) = self.heads.find(f) {
            out.extend_from_slice(bytes);
            return Ok(nlocals);
        }
        let func = enc
            .program()
            .modules
            .get(f.func.module as usize)
            .and_then(|m| m.functions.get(f.func.func as usize))
            .ok_or_else(|| broken(format!("frame {i} names no function")))?;
        let line = func
            .lines
            .get(f.pc as usize)
            .copied()
            .unwrap_or(func.def_line);
        let nlocals = func.nlocals as usize;
        let at = out.len();
        self.name(out, enc, f.func)?;
        put_u64(out, u64::from(f.pc));
        put_u64(out, u64::from(line));
        let heads = &mut self.heads;
        if heads.entries.len() < HEADS {
            let start = heads.bytes.len();
            heads.bytes.extend_from_slice(&out[at..]);
            heads.last = heads.entries.len();
            heads.entries.push(Head {
                func: f.func,
                pc: f.pc,
                nlocals,
                start,
                end: heads.bytes.len(),
            });
        }
        Ok(nlocals)
    }

    /// Appends a fiber's frames (their count first). `shapes` is its
    /// frames' shapes when it has handlers, else empty (see the module doc).
    pub(super) fn frames_of(
        &mut self,
        frames: &mut Vec<u8>,
        enc: &mut Encoder,
        refs: &mut dyn EncodeRefs,
        fiber: &Fiber,
        shapes: &[FrameShape],
    ) -> Result<(), SaveError> {
        put_len(frames, fiber.frame_count());
        for (i, f) in fiber.frames().enumerate() {
            let base = f.base as usize;
            let nlocals = self.frame_head(frames, enc, i, f)?;
            let (locals_end, end, handlers) = match shapes.get(i) {
                Some(s) => (s.locals_end, s.end, &s.handlers[..]),
                None => {
                    // `frame_shapes`'s window and its check.
                    let locals_end = base + nlocals;
                    let end = fiber
                        .frame(i + 1)
                        .map_or(fiber.stack.len(), |n| n.base as usize);
                    if locals_end > end || end > fiber.stack.len() {
                        return Err(broken(format!("frame {i}'s stack window")));
                    }
                    (locals_end, end, &[][..])
                }
            };
            for part in [
                &fiber.stack[base..locals_end],
                &fiber.stack[locals_end..end],
            ] {
                put_len(frames, part.len());
                for v in part {
                    if !put_live(frames, v) {
                        put(frames, &enc.encode(v, refs)?)?;
                    }
                }
            }
            put_len(frames, handlers.len());
            for h in handlers {
                put_u64(frames, u64::from(h.target));
                put_u64(frames, u64::from(h.height));
                frames.push(u8::from(h.catch_all));
            }
            match f.ret {
                Cont::Push => frames.push(0),
                Cont::Import => frames.push(1),
                Cont::PushNone => frames.push(3),
                ret @ Cont::StorePlace { .. } => put(frames, &ret)?,
            }
        }
        Ok(())
    }
}
