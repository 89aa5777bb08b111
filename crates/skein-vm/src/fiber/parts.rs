//! A fiber's frames, handlers and pending error as the rest of the VM and
//! its hosts see them, over the compact layout of [`Fiber`]: the innermost
//! frame inline, its callers, the handlers and the pending error in a box
//! only a fiber with one allocates. Also the fiber's serde shape, which
//! stays the plain five fields whatever the layout.

use serde::{Deserialize, Serialize};

use super::{Cold, Fiber, FiberState, Frame, Frames, Handler};
use crate::value::Value;

impl Fiber {
    /// A fiber from its parts, frames outermost first (a loaded save's, or
    /// a test's).
    pub fn from_parts(
        mut frames: Vec<Frame>,
        stack: Vec<Value>,
        handlers: Vec<Handler>,
        state: FiberState,
        pending: Option<Value>,
    ) -> Fiber {
        let top = frames.pop();
        let cold = (!frames.is_empty() || !handlers.is_empty() || pending.is_some()).then(|| {
            Box::new(Cold {
                callers: frames,
                handlers,
                pending,
            })
        });
        Fiber {
            top,
            state,
            stack,
            cold,
        }
    }

    /// A fiber with one frame (a tasklet's entry), nothing boxed.
    pub(crate) fn with_frame(frame: Frame, stack: Vec<Value>) -> Fiber {
        Fiber {
            top: Some(frame),
            state: FiberState::Ready,
            stack,
            cold: None,
        }
    }

    /// The innermost frame: the one running, or suspended in a host call.
    #[inline]
    pub fn top(&self) -> Option<&Frame> {
        self.top.as_ref()
    }

    /// The innermost frame, to change (its pc).
    #[inline]
    pub fn top_mut(&mut self) -> Option<&mut Frame> {
        self.top.as_mut()
    }

    /// The frames below the innermost (its callers), outermost first.
    #[inline]
    pub fn callers(&self) -> &[Frame] {
        match &self.cold {
            Some(c) => &c.callers,
            None => &[],
        }
    }

    /// All frames, outermost first.
    pub fn frames(&self) -> Frames<'_> {
        self.callers().iter().chain(self.top.iter())
    }

    /// All frames, outermost first, to change (hot reload moves their code).
    pub fn frames_mut(&mut self) -> impl Iterator<Item = &mut Frame> {
        let callers: &mut [Frame] = match &mut self.cold {
            Some(c) => &mut c.callers,
            None => &mut [],
        };
        callers.iter_mut().chain(self.top.iter_mut())
    }

    /// Frame `i`, counting from the outermost.
    pub fn frame(&self, i: usize) -> Option<&Frame> {
        let callers = self.callers();
        match i.cmp(&callers.len()) {
            std::cmp::Ordering::Less => callers.get(i),
            std::cmp::Ordering::Equal => self.top.as_ref(),
            std::cmp::Ordering::Greater => None,
        }
    }

    /// How many frames the fiber has.
    #[inline]
    pub fn frame_count(&self) -> usize {
        self.callers().len() + usize::from(self.top.is_some())
    }

    /// Whether the fiber has no frames (it ended, or never had any).
    #[inline]
    pub fn has_no_frames(&self) -> bool {
        self.top.is_none()
    }

    /// Calls into a new innermost frame.
    pub fn push_frame(&mut self, frame: Frame) {
        if let Some(caller) = self.top.replace(frame) {
            self.cold
                .get_or_insert_with(Default::default)
                .callers
                .push(caller);
        }
    }

    /// Leaves the innermost frame; its caller becomes the innermost.
    pub fn pop_frame(&mut self) -> Option<Frame> {
        let caller = self.cold.as_mut().and_then(|c| c.callers.pop());
        std::mem::replace(&mut self.top, caller)
    }

    /// Reserves room for `n` frames (a loaded fiber's).
    pub fn reserve_frames(&mut self, n: usize) {
        if n > 1 {
            self.cold
                .get_or_insert_with(Default::default)
                .callers
                .reserve_exact(n - 1);
        }
    }

    /// Active `try` handlers, innermost last.
    #[inline]
    pub fn handlers(&self) -> &[Handler] {
        match &self.cold {
            Some(c) => &c.handlers,
            None => &[],
        }
    }

    /// The handlers, to push or pop.
    #[inline]
    pub fn handlers_mut(&mut self) -> &mut Vec<Handler> {
        &mut self.cold.get_or_insert_with(Default::default).handlers
    }

    /// The handlers, to pop, if the fiber ever had any (allocates nothing).
    #[inline]
    pub(crate) fn handlers_if_any(&mut self) -> Option<&mut Vec<Handler>> {
        self.cold.as_mut().map(|c| &mut c.handlers)
    }

    /// An error to raise at the current instruction before executing it
    /// (from `throw`/`kill`, or a resume with an error).
    #[inline]
    pub fn pending(&self) -> Option<&Value> {
        self.cold.as_ref()?.pending.as_ref()
    }

    /// Takes the pending error out.
    #[inline]
    pub fn take_pending(&mut self) -> Option<Value> {
        self.cold.as_mut()?.pending.take()
    }

    /// Sets (or clears) the pending error.
    pub fn set_pending(&mut self, err: Option<Value>) {
        if err.is_none() && self.cold.is_none() {
            return;
        }
        self.cold.get_or_insert_with(Default::default).pending = err;
    }
}

impl PartialEq for Fiber {
    fn eq(&self, other: &Self) -> bool {
        self.frames().eq(other.frames())
            && self.state == other.state
            && self.stack == other.stack
            && self.handlers() == other.handlers()
            && self.pending() == other.pending()
    }
}

/// The frames as one sequence, for the serde shape.
struct FramesOut<'a>(&'a Fiber);

impl Serialize for FramesOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.frames())
    }
}

/// The serde shape of a fiber: the five fields as they always were, so a
/// fiber's text form does not depend on how it is laid out in memory.
#[derive(Serialize)]
#[serde(rename = "Fiber")]
struct FiberOut<'a> {
    frames: FramesOut<'a>,
    stack: &'a [Value],
    handlers: &'a [Handler],
    state: &'a FiberState,
    pending: Option<&'a Value>,
}

#[derive(Deserialize)]
#[serde(rename = "Fiber")]
struct FiberIn {
    frames: Vec<Frame>,
    stack: Vec<Value>,
    handlers: Vec<Handler>,
    state: FiberState,
    pending: Option<Value>,
}

impl Serialize for Fiber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        FiberOut {
            frames: FramesOut(self),
            stack: &self.stack,
            handlers: self.handlers(),
            state: &self.state,
            pending: self.pending(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Fiber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = FiberIn::deserialize(d)?;
        Ok(Fiber::from_parts(
            f.frames, f.stack, f.handlers, f.state, f.pending,
        ))
    }
}
