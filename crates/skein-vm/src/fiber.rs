//! A fiber: one tasklet's whole interpreter state — frames, operand stack,
//! exception handlers — as plain serde data, so it can be saved between any
//! two instructions and resumed in another process.

mod lifecycle;

use serde::{Deserialize, Serialize};
use skein_script::bytecode::{FuncRef, PlaceBase};
use smallvec::SmallVec;

use crate::value::Value;

/// One activation of a function. Script-to-script calls push one of these;
/// they never recurse on the Rust stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// The function it runs.
    pub func: FuncRef,
    /// The next instruction to execute.
    pub pc: u32,
    /// Where this frame's locals start on the fiber's operand stack; its
    /// temporaries follow them.
    pub base: u32,
    /// What the caller does with the value this frame returns.
    #[serde(default, skip_serializing_if = "Cont::is_push")]
    pub ret: Cont,
}

/// A frame's return continuation: what happens to the value it returns,
/// fixed by whoever pushed the frame, so returning is one `match` and never
/// looks at the caller's code or the callee's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Cont {
    /// Pushed on the caller's operand stack; with no caller, the fiber ends
    /// with it.
    #[default]
    Push,
    /// A module's top level ran to its end: the module counts as imported
    /// and the importer gets the module (a fiber's first frame just ends).
    Import,
    /// `place.sort(key=…)` run by the prelude's `list_sort`: the sorted list
    /// is stored into the caller's place, whose parts wait on its operand
    /// stack, and the call's value is `None`.
    StorePlace {
        /// Where the place starts (a local, a global, …).
        base: PlaceBase,
        /// How many keys and attributes below the base it goes.
        depth: u8,
    },
    /// `temp.sort(key=…)` on a temporary: the sorted list is dropped and the
    /// call's value is `None`.
    PushNone,
}

impl Cont {
    /// The plain continuation: push the returned value.
    pub fn is_push(&self) -> bool {
        *self == Cont::Push
    }
}

/// An active `try` of some frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handler {
    /// Index of the frame (in `Fiber::frames`) that set it up.
    pub frame: u32,
    /// Where the handler code starts.
    pub target: u32,
    /// Operand stack length to restore before pushing the error.
    pub stack_len: u32,
    /// `SetupFinally`: also catches `TaskletExit`.
    pub catch_all: bool,
}

/// Why a fiber is not running right now.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum FiberState {
    /// Has frames and can be stepped.
    #[default]
    Ready,
    /// Suspended inside a host call (`Call`/`CallMethod`/`CallPlace` of a
    /// host function, or `ForIter` over a channel); needs a `resume_*`.
    Waiting,
    /// Returned from its outermost frame.
    Done,
    /// Ended by an uncaught error.
    Failed,
}

/// A fiber's call frames: the first is held inline, so a tasklet with one
/// frame (a blocked NPC's usual state) has no frame buffer of its own.
pub type Frames = SmallVec<[Frame; 1]>;

/// The interpreter state of one tasklet.
///
/// A million blocked tasklets hold a million of these (each in an `Arc`),
/// so it is kept to 72 bytes: the first frame inline, and the `try`
/// handlers and a pending error, which a blocked tasklet seldom has, in a
/// box that only a fiber with one of them allocates (docs/architecture.md,
/// "What a tasklet costs").
#[derive(Debug, Clone, Default)]
pub struct Fiber {
    /// Call frames, outermost first.
    pub frames: Frames,
    /// The operand stack (with each frame's locals window).
    pub stack: Vec<Value>,
    /// Running, suspended in a host call, finished or failed.
    pub state: FiberState,
    /// Handlers and the pending error, once either was set.
    pub(crate) cold: Option<Box<Cold>>,
}

/// The handlers in `cold`, allocating the box on first use. A free
/// function so the dispatch loop can push one while it holds the stack.
#[inline]
pub(crate) fn cold_handlers(cold: &mut Option<Box<Cold>>) -> &mut Vec<Handler> {
    &mut cold.get_or_insert_with(Default::default).handlers
}

/// The parts of a fiber few blocked tasklets have. Kept once allocated
/// (a loop around a `try` would otherwise allocate per pass), so an empty
/// one and none mean the same.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cold {
    handlers: Vec<Handler>,
    pending: Option<Value>,
}

impl Fiber {
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
        cold_handlers(&mut self.cold)
    }

    /// The handlers, to pop, if the fiber ever had any (allocates nothing).
    #[inline]
    pub fn handlers_if_any(&mut self) -> Option<&mut Vec<Handler>> {
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
        self.frames == other.frames
            && self.stack == other.stack
            && self.state == other.state
            && self.handlers() == other.handlers()
            && self.pending() == other.pending()
    }
}

/// The serde shape of a fiber: the five fields as they always were, so a
/// fiber's text form does not depend on how it is laid out in memory.
#[derive(Serialize)]
#[serde(rename = "Fiber")]
struct FiberOut<'a> {
    frames: &'a [Frame],
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
            frames: &self.frames,
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

impl Fiber {
    /// A fiber from its parts (a loaded save's, or a test's).
    pub fn from_parts(
        frames: Vec<Frame>,
        stack: Vec<Value>,
        handlers: Vec<Handler>,
        state: FiberState,
        pending: Option<Value>,
    ) -> Fiber {
        let cold = (!handlers.is_empty() || pending.is_some())
            .then(|| Box::new(Cold { handlers, pending }));
        Fiber {
            frames: frames.into_iter().collect(),
            stack,
            state,
            cold,
        }
    }
}

/// What one call of `step` ended with.
#[derive(Debug, Clone)]
pub enum Step {
    /// The fuel ran out between two instructions.
    OutOfFuel,
    /// A host call suspended the fiber (it blocked, yielded or switched).
    Suspended,
    /// The outermost frame returned this value.
    Done(Value),
    /// An uncaught error (a `Value::Error` with its traceback) ended the fiber.
    Raised(Value),
}
