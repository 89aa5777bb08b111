//! Script values: 16 bytes each, `Send + Sync`, and plain serde data.
//!
//! Lists, dicts and strings are *values* in Skein (docs/language.md): they sit
//! behind `Arc` and are copied on write (`Arc::make_mut`), so passing a big
//! list is O(1) and mutating a place that nobody else holds copies nothing.
//! Tasklets and channels are references to world entities by their stable id.
//! Errors are values too ([`ErrorObj`]): a kind, its arguments and the
//! traceback gathered while it unwinds, all serde data so a pending error can
//! be saved.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use skein_script::bytecode::FuncRef;

/// Error kinds live in [`crate::kind`]; values carry them, so they are named
/// here too.
pub use crate::kind::Kind;

/// Which module a module value denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ModRef {
    /// Index into `Program::modules`.
    Script(u16),
    /// Index into `skein_script::bytecode::BUILTIN_MODULES`, or past its end
    /// a host-registered module (in the order the host registered them).
    Native(u16),
}

/// What `type(x)` returns: a type or an error kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TypeTag {
    /// The type `NoneType`.
    NoneType,
    /// The type `bool`.
    Bool,
    /// The type `int`.
    Int,
    /// The type `float`.
    Float,
    /// The type `str`.
    Str,
    /// The type `list`.
    List,
    /// The type `dict`.
    Dict,
    /// The type `range`.
    Range,
    /// The type `function`.
    Function,
    /// The type `builtin_function_or_method`.
    Builtin,
    /// The type `module`.
    Module,
    /// The type `tasklet`.
    Tasklet,
    /// The type `channel`.
    Channel,
    /// The type of types and kinds: `<class 'type'>`.
    Type,
    /// A bound method of a tasklet or channel.
    Method,
    /// An error kind, which is also callable to make an error.
    Kind(Kind),
}

/// A list value. `size` caches the recursive size of docs/language.md's limit
/// (items counted recursively plus UTF-8 bytes of strings), so making a value
/// checks the limit in O(1).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct List {
    /// The items, in order.
    pub items: Vec<Value>,
    /// The recursive size counted against the size limit.
    pub size: u64,
}

/// A dict key: the hashable part of a value. `True` and `1` are one key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Key {
    /// `None`.
    None,
    /// An int, or a bool (`True` and `1` are one key).
    Int(i64),
    /// A string.
    Str(Arc<Str>),
}

/// The map behind a dict. Iteration is insertion order whatever the hasher,
/// so the hasher's per-process seed never shows in output or saves; it is
/// foldhash for speed (int and short str keys hash in a few multiplies).
pub type DictMap = indexmap::IndexMap<Key, (Value, Value), foldhash::fast::RandomState>;

/// An insertion-ordered dict. Each entry keeps the key as first written
/// (`{True: 1, 1: 2}` prints `{True: 2}`) beside its value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Dict {
    /// Key → (the key as first written, the value), in insertion order.
    pub map: DictMap,
    /// The recursive size counted against the size limit.
    pub size: u64,
}

/// `range(start, stop, step)`: O(1) whatever its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeObj {
    /// The first value.
    pub start: i64,
    /// The end, not included.
    pub stop: i64,
    /// The step, never 0.
    pub step: i64,
}

/// The state of a `for` loop's iterator, kept on the operand stack so a loop
/// saved mid-way resumes at the same item. It iterates a snapshot: the value
/// the loop expression had when the loop began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum IterState {
    /// A list's items.
    List {
        /// The list iterated.
        list: Arc<List>,
        /// The index (or offset) of the next item.
        next: usize,
    },
    /// A range's values.
    Range {
        /// The next value.
        next: i64,
        /// The end, not included.
        stop: i64,
        /// The step.
        step: i64,
    },
    /// `next` is a byte offset into the string.
    Str {
        /// The string iterated.
        s: Arc<Str>,
        /// The index (or offset) of the next item.
        next: usize,
    },
    /// Keys snapshot of a dict.
    DictKeys {
        /// The dict whose keys are iterated.
        dict: Arc<Dict>,
        /// The index (or offset) of the next item.
        next: usize,
    },
    /// Receives from a channel until it is closing and no sender waits.
    Channel(u64),
    /// `d.items()` of a dict snapshot, each pair made only if a plain
    /// `ForIter` asks for it (`ForPair` takes key and value as they are).
    /// Added after the others, so older saves read as before.
    DictItems {
        /// The dict whose items are iterated.
        dict: Arc<Dict>,
        /// The index of the next entry.
        next: usize,
    },
}

/// One traceback line: where a frame was when the error passed through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEntry {
    /// The function the frame ran.
    pub func: FuncRef,
    /// The line it was at.
    pub line: u32,
}

/// An error value (`ValueError("msg")`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObj {
    /// Which error it is (`ValueError`, …).
    pub kind: Kind,
    /// The constructor's arguments; `str(e)` is built from them as Python does.
    pub args: Vec<Value>,
    /// Outermost frame first, as Python prints it.
    pub traceback: Vec<TraceEntry>,
}

/// A script value. The derived `PartialEq` is structural (for tests and
/// save round-trips); script `==` is `ops::compare`. Its serde form is the
/// derived one up to a modest nesting depth, then a flat node table
/// (`value/serde_flat.rs`), so no value is too deep to save and load.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An int (64-bit; overflow raises `OverflowError`).
    Int(i64),
    /// A float.
    Float(f64),
    /// A thin `Arc` (not `Arc<str>`), to keep `Value` at 16 bytes.
    Str(Arc<Str>),
    /// A list, shared copy-on-write.
    List(Arc<List>),
    /// A dict, shared copy-on-write.
    Dict(Arc<Dict>),
    /// A `range`.
    Range(Arc<RangeObj>),
    /// A script function, by module and index.
    Function(FuncRef),
    /// Index into `BUILTIN_NAMES` (functions; kinds are `Type(Kind(..))`).
    Builtin(u16),
    /// A host-registered native function, by the host's own id.
    Native(u32),
    /// A module.
    Module(ModRef),
    /// A type or an error kind, as `type(x)` returns.
    Type(TypeTag),
    /// An error value.
    Error(Arc<ErrorObj>),
    /// A tasklet entity, by its stable world id.
    Tasklet(u64),
    /// A channel entity, by its stable world id.
    Channel(u64),
    /// A tasklet's or channel's method used as a value: (receiver, method name).
    Method(Arc<(Value, Arc<str>)>),
    /// Internal: a loop iterator on the operand stack; never user-visible.
    Iter(Arc<IterState>),
    /// Internal: an unbound local or global slot; never user-visible.
    Unbound,
}

const _: () = assert!(std::mem::size_of::<Value>() <= 16);

mod behaviour;
mod text;
pub use text::Str;
pub mod serde_flat;
