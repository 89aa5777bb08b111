//! A fiber: one tasklet's whole interpreter state — frames, operand stack,
//! exception handlers — as plain serde data, so it can be saved between any
//! two instructions and resumed in another process.

mod lend;
mod lifecycle;
mod parts;

use serde::{Deserialize, Serialize};
use skein_script::bytecode::{FuncRef, PlaceBase};

use crate::value::Value;

/// One activation of a function. Script-to-script calls push one of these;
/// they never recurse on the Rust stack.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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

/// The interpreter state of one tasklet, as it is kept between two steps.
///
/// A million blocked tasklets hold a million of these (each in an `Arc`),
/// so it is kept to 56 bytes (an `Arc` of 72, in malloc's 80-byte chunk)
/// and a tasklet blocked in its body's own frame allocates nothing else:
/// the innermost frame is held inline, and its callers, the `try` handlers
/// and a pending error live in a box only a fiber with one of them
/// allocates (docs/architecture.md, "What a tasklet costs"). While `step`
/// runs it, its frames are lent to the step's one buffer (`lend_frames`),
/// so where they are kept in between costs a script call nothing. Frames are read
/// and changed through [`Fiber::top`], [`Fiber::push_frame`],
/// [`Fiber::pop_frame`], [`Fiber::frames`] and their kin (`fiber/parts.rs`).
#[derive(Debug, Clone, Default)]
pub struct Fiber {
    /// The innermost frame; `None` once the fiber has ended (or before it
    /// was given one).
    top: Option<Frame>,
    /// Running, suspended in a host call, finished or failed.
    pub state: FiberState,
    /// The operand stack (with each frame's locals window).
    pub stack: Vec<Value>,
    /// The callers, handlers and the pending error, once any was set.
    cold: Option<Box<Cold>>,
}

/// The parts of a fiber few blocked tasklets have. Kept once allocated
/// (a loop around a `try` would otherwise allocate per pass), so an empty
/// one and none mean the same.
#[derive(Debug, Clone, Default, PartialEq)]
struct Cold {
    /// The frames below the innermost, outermost first. Empty while the
    /// fiber runs (the step's buffer holds them all).
    callers: Vec<Frame>,
    handlers: Vec<Handler>,
    pending: Option<Value>,
}

/// A fiber's frames, outermost first (see [`Fiber::frames`]): its callers,
/// then its innermost frame.
pub type Frames<'a> = std::iter::Chain<std::slice::Iter<'a, Frame>, std::option::Iter<'a, Frame>>;

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
