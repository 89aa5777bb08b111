//! Script values: 16 bytes each, `Send + Sync`, and plain serde data.
//!
//! Lists, dicts and strings are *values* in Skein (docs/language.md): they sit
//! behind `Arc` and are copied on write (`Arc::make_mut`), so passing a big
//! list is O(1) and mutating a place that nobody else holds copies nothing.
//! Tasklets and channels are references to world entities by their stable id.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use skein_script::bytecode::FuncRef;

use crate::error::ErrorObj;

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
    NoneType,
    Bool,
    Int,
    Float,
    Str,
    List,
    Dict,
    Range,
    Function,
    Builtin,
    Module,
    Tasklet,
    Channel,
    /// The type of types and kinds: `<class 'type'>`.
    Type,
    /// A bound method of a tasklet or channel.
    Method,
    /// An error kind, which is also callable to make an error.
    Kind(Kind),
}

/// Error kinds (docs/language.md, "Errors"), with Python's hierarchy where it
/// matters for `except`: `UnboundLocalError` is a `NameError`,
/// `RecursionError` a `RuntimeError`, and `Exception` catches all but
/// `TaskletExit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kind {
    Exception,
    ValueError,
    TypeError,
    NameError,
    UnboundLocalError,
    AttributeError,
    IndexError,
    KeyError,
    ZeroDivisionError,
    OverflowError,
    AssertionError,
    RuntimeError,
    RecursionError,
    MemoryError,
    ImportError,
    TaskletExit,
}

/// A list value. `size` caches the recursive size of docs/language.md's limit
/// (items counted recursively plus UTF-8 bytes of strings), so making a value
/// checks the limit in O(1).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct List {
    pub items: Vec<Value>,
    pub size: u64,
}

/// A dict key: the hashable part of a value. `True` and `1` are one key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Key {
    None,
    Int(i64),
    Str(Arc<Str>),
}

/// An insertion-ordered dict. Each entry keeps the key as first written
/// (`{True: 1, 1: 2}` prints `{True: 2}`) beside its value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Dict {
    pub map: indexmap::IndexMap<Key, (Value, Value)>,
    pub size: u64,
}

/// `range(start, stop, step)`: O(1) whatever its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeObj {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
}

/// The state of a `for` loop's iterator, kept on the operand stack so a loop
/// saved mid-way resumes at the same item. It iterates a snapshot: the value
/// the loop expression had when the loop began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum IterState {
    List {
        list: Arc<List>,
        next: usize,
    },
    Range {
        next: i64,
        stop: i64,
        step: i64,
    },
    /// `next` is a byte offset into the string.
    Str {
        s: Arc<Str>,
        next: usize,
    },
    /// Keys snapshot of a dict.
    DictKeys {
        dict: Arc<Dict>,
        next: usize,
    },
    /// Receives from a channel until it is closing and no sender waits.
    Channel(u64),
}

/// A script value. The derived `PartialEq` is structural (for tests and
/// save round-trips); script `==` is `ops::compare`. Its serde form is the
/// derived one up to a modest nesting depth, then a flat node table
/// (`value/serde_flat.rs`), so no value is too deep to save and load.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A thin `Arc` (not `Arc<str>`), to keep `Value` at 16 bytes.
    Str(Arc<Str>),
    List(Arc<List>),
    Dict(Arc<Dict>),
    Range(Arc<RangeObj>),
    Function(FuncRef),
    /// Index into `BUILTIN_NAMES` (functions; kinds are `Type(Kind(..))`).
    Builtin(u16),
    /// A host-registered native function, by the host's own id.
    Native(u32),
    Module(ModRef),
    Type(TypeTag),
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

mod imp;
mod text;
pub(crate) use imp::drop_flat;
pub use text::Str;
pub mod serde_flat;
