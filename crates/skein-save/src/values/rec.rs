//! The records a saved value is written as ([`ValueRec`] and its parts),
//! the limits on their height, and the depth guard that keeps a hostile
//! file from nesting them without end.

use std::cell::Cell;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use skein_vm::value::{Kind, TypeTag};

/// A container this many levels tall is moved to the value table, so no
/// value nests deeper than this inline when written.
pub const INLINE_HEIGHT: u32 = 16;
/// Lists, dicts, strings and errors at least this big (items counted
/// recursively plus string bytes) go to the value table, where equal ones are
/// written once.
pub const SHARE_SIZE: u64 = 256;
/// A reader refuses values nested deeper than this inline (some slack above
/// [`INLINE_HEIGHT`] for the wrappers of iterators and methods).
pub const MAX_INLINE_DEPTH: u32 = 2 * INLINE_HEIGHT + 8;

/// One value in a save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub enum ValueRec {
    /// Python's `None` (RON keeps the name `None` for its own options).
    Nil,
    /// `True` or `False`.
    Bool(bool),
    /// An int.
    Int(i64),
    /// A float.
    Float(f64),
    /// A str.
    Str(String),
    /// A list's items in order.
    List(Vec<ValueRec>),
    /// Entries in order: each key as first written, then its value.
    Dict(Vec<(ValueRec, ValueRec)>),
    /// `range(start, stop, step)`.
    Range(i64, i64, i64),
    /// A script function: module name, function name.
    Function(String, String),
    /// A built-in function, by name.
    Builtin(String),
    /// A host native function: module name, function name.
    Native(String, String),
    /// A module, by name.
    Module(String),
    /// A type, as `type(x)` gives it.
    Type(TypeTag),
    /// An error value.
    Error(Box<ErrorRec>),
    /// A tasklet record, by id.
    Tasklet(u64),
    /// The loading world's main tasklet (selections never contain main).
    Main,
    /// A channel record, by id.
    Channel(u64),
    /// A tasklet's or channel's method as a value: receiver, method name.
    Method(Box<ValueRec>, String),
    /// A `for` loop's iterator (operand stacks only).
    Iter(Box<IterRec>),
    /// An unassigned local or global slot.
    Unbound,
    /// Entry `i` of the value table.
    Ref(u32),
}

/// An error value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorRec {
    /// Its kind (`KeyError`…).
    pub kind: Kind,
    /// The arguments it was raised with.
    pub args: Vec<ValueRec>,
    /// Outermost first.
    pub traceback: Vec<TraceRec>,
}

/// One traceback line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceRec {
    /// The module's name.
    pub module: String,
    /// The function's name.
    pub function: String,
    /// The source line.
    pub line: u32,
}

/// A loop iterator's state: what it iterates and where it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum IterRec {
    /// Over a list.
    List {
        /// The list.
        list: ValueRec,
        /// The index of the next item.
        next: u64,
    },
    /// Over a range.
    Range {
        /// The next number.
        next: i64,
        /// The range's stop.
        stop: i64,
        /// The range's step.
        step: i64,
    },
    /// `next` is a byte offset into the string.
    Str {
        /// The string.
        s: ValueRec,
        /// The byte offset of the next character.
        next: u64,
    },
    /// Over a dict's keys.
    DictKeys {
        /// The dict.
        dict: ValueRec,
        /// The index of the next entry.
        next: u64,
    },
    /// Over a channel's items (a record id).
    Channel(u64),
}

impl Serialize for ValueRec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The encoder never builds a value deeper than the reader accepts, so
        // writing recurses only as far as reading may.
        ValueRec::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for ValueRec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A hostile file can nest values without end; the binary decoder has
        // no recursion limit of its own, so this one stops it.
        let Some(_guard) = DepthGuard::enter() else {
            return Err(serde::de::Error::custom(format!(
                "value nested deeper than {MAX_INLINE_DEPTH} levels inline"
            )));
        };
        ValueRec::deserialize(d)
    }
}

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Counts how deep the deserializer is inside values on this thread.
struct DepthGuard;

impl DepthGuard {
    fn enter() -> Option<DepthGuard> {
        DEPTH.with(|d| {
            let n = d.get();
            if n >= MAX_INLINE_DEPTH {
                None
            } else {
                d.set(n + 1);
                Some(DepthGuard)
            }
        })
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// A short name of a record's shape, for "expected X, found Y".
pub fn shape(v: &ValueRec) -> &'static str {
    match v {
        ValueRec::Nil => "None",
        ValueRec::Bool(_) => "a bool",
        ValueRec::Int(_) => "an int",
        ValueRec::Float(_) => "a float",
        ValueRec::Str(_) => "a str",
        ValueRec::List(_) => "a list",
        ValueRec::Dict(_) => "a dict",
        ValueRec::Range(..) => "a range",
        ValueRec::Function(..) => "a function",
        ValueRec::Builtin(_) => "a builtin",
        ValueRec::Native(..) => "a native function",
        ValueRec::Module(_) => "a module",
        ValueRec::Type(_) => "a type",
        ValueRec::Error(_) => "an error",
        ValueRec::Tasklet(_) | ValueRec::Main => "a tasklet",
        ValueRec::Channel(_) => "a channel",
        ValueRec::Method(..) => "a method",
        ValueRec::Iter(_) => "a loop iterator",
        ValueRec::Unbound => "Unbound",
        ValueRec::Ref(_) => "a value table reference",
    }
}
