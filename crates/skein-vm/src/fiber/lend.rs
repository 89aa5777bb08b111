//! A fiber's frames lent to a step: when `step` starts they move into the
//! step's one frame buffer (innermost last) and when it ends they move
//! back, so the dispatch loop pushes and pops frames in a plain `Vec` and
//! never asks where the innermost frame is kept in between. The buffer of a
//! fiber that stops in its outermost frame (a tasklet blocked in its body)
//! goes back to the caller's spare, so the next step reuses it and the
//! stopped fiber holds none.

use super::{Fiber, Frame};

impl Fiber {
    /// Moves all frames out, outermost first, into a buffer: the fiber's
    /// callers' own (if it has a deeper stack) or `spare`'s. Meanwhile the
    /// fiber has no frames; [`Fiber::take_back_frames`] returns them.
    #[inline]
    pub(crate) fn lend_frames(&mut self, spare: &mut Vec<Frame>) -> Vec<Frame> {
        let mut frames = match self.cold.as_deref_mut() {
            Some(c) if c.callers.capacity() != 0 => std::mem::take(&mut c.callers),
            _ => std::mem::take(spare),
        };
        if let Some(top) = self.top.take() {
            frames.push(top);
        }
        frames
    }

    /// Takes back the frames [`Fiber::lend_frames`] lent (as the step left
    /// them). A buffer left with no callers goes to `spare` if that has
    /// none, so a fiber in its outermost frame holds no buffer.
    #[inline]
    pub(crate) fn take_back_frames(&mut self, mut frames: Vec<Frame>, spare: &mut Vec<Frame>) {
        self.top = frames.pop();
        if !frames.is_empty() {
            self.cold.get_or_insert_with(Default::default).callers = frames;
        } else if spare.capacity() == 0 {
            *spare = frames;
        }
    }
}
