//! The compiled form of Skein script: one `enum Op`, functions, modules and
//! the program they make up. Everything here is serde data, because frames
//! saved to disk name functions and program counters within them.
//!
//! A frame's locals are the first `nlocals` slots of its window on the
//! fiber's operand stack, and temporaries are pushed above them, in one
//! window per frame. Most ops work on the top of that stack; the hot ones are
//! register instructions (`Bin`, `JumpCmp`, `Move`, `ReturnArg`, the range
//! loop) whose operands name local slots, immediates or constants directly
//! ([`Arg`], [`Dst`]), so `total = (total + i * 3) % 7` is three
//! instructions, not eight. The compiler's peephole pass chooses them, and
//! gives the commonest operand shapes variants of their own (`BinLI`,
//! `JumpLL`, `ReturnLocal`, …) so the VM branches on no operand's kind.
//! Notation in the op docs: `[a, b] → [c]` pops `b` then `a` (b on top) and
//! pushes `c`.

use std::any::Any;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

pub use crate::ast::{BinOp, CmpOp, UnaryOp};

/// Sentinel for "no keyword names" in call ops.
pub const NO_KW: u16 = u16::MAX;

/// Names every function can see without a `def` or `import`, by index: the
/// compiler emits `LoadBuiltin(i)` for a name that is not bound at module
/// level, and the VM implements index `i`. Order is part of the bytecode
/// format: append only.
pub const BUILTIN_NAMES: &[&str] = &[
    // functions
    "print",
    "len",
    "range",
    "str",
    "repr",
    "int",
    "float",
    "bool",
    "list",
    "dict",
    "type",
    "isinstance",
    "abs",
    "round",
    "min",
    "max",
    "sum",
    "any",
    "all",
    "sorted",
    "reversed",
    "enumerate",
    "zip",
    "chr",
    "ord",
    // error kinds
    "Exception",
    "ValueError",
    "TypeError",
    "NameError",
    "UnboundLocalError",
    "AttributeError",
    "IndexError",
    "KeyError",
    "ZeroDivisionError",
    "OverflowError",
    "AssertionError",
    "RuntimeError",
    "RecursionError",
    "MemoryError",
    "ImportError",
    "TaskletExit",
    // Hidden helpers for `key=` (only the `__prelude__` module may name them):
    // keys are computed by ordinary calls in Skein code, then sorted natively.
    "__sort_by_keys",
    "__min_by_keys",
    "__max_by_keys",
    // Added in the second round.
    "divmod",
    "pow",
    "hex",
    "oct",
    "bin",
    "map",
    "filter",
    // Hidden: what `dict.fromkeys` is.
    "__dict_fromkeys",
];

/// Where the error kinds start in [`BUILTIN_NAMES`].
const FIRST_ERROR_KIND: usize = 25;

/// The names of the error kinds, in the order of the VM's `Kind` enum: a
/// view of [`BUILTIN_NAMES`], so the list is written once (skein-vm's
/// `kind` tests check that each name is its variant's).
pub const ERROR_KINDS: &[&str] = BUILTIN_NAMES.split_at(FIRST_ERROR_KIND).1.split_at(16).0;

/// Index of a builtin name in [`BUILTIN_NAMES`].
pub fn builtin_index(name: &str) -> Option<u16> {
    BUILTIN_NAMES
        .iter()
        .position(|n| *n == name)
        .map(|i| i as u16)
}

/// Modules that exist in every world without a file. `math` is the VM's own;
/// the others are served by the host (the world crate).
pub const BUILTIN_MODULES: &[&str] = &["stackless", "pickle", "random", "sim", "math"];

/// The root of a place (docs/language.md, "Values and places").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlaceBase {
    /// Local slot of the current frame.
    Local(u16),
    /// Global slot of the current function's module.
    Global(u16),
    /// Attribute `names[i]` of the object that sits on the stack *below* the
    /// place's keys: a module's global, or a tasklet's/channel's attribute.
    Attr(u16),
}

/// An operand of a register instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arg {
    /// Local slot i (`UnboundLocalError` if unbound).
    Local(u16),
    /// A small int literal.
    Int(i16),
    /// `consts[i]`.
    Const(u16),
    /// Popped off the operand stack (when both operands pop, `b` is on top).
    Pop,
}

impl Arg {
    /// How many values reading this operand pops.
    pub fn pops(self) -> usize {
        usize::from(self == Arg::Pop)
    }
}

/// Where a register instruction leaves its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dst {
    /// Pushed on the operand stack.
    Push,
    /// Stored in local slot i.
    Local(u16),
}

/// The conversion of an f-string field: `{x}`, `{x!s}` or `{x!r}`. Saved
/// code holds it as the number it always was (0, 1, 2), so old saves read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Conversion {
    /// `{x}`: the value as it is (formatted with `str` when it has no spec).
    None,
    /// `{x!s}`: `str(x)`.
    Str,
    /// `{x!r}`: `repr(x)`.
    Repr,
}

impl From<Conversion> for u8 {
    fn from(c: Conversion) -> u8 {
        match c {
            Conversion::None => 0,
            Conversion::Str => 1,
            Conversion::Repr => 2,
        }
    }
}

impl TryFrom<u8> for Conversion {
    type Error = String;

    fn try_from(n: u8) -> Result<Conversion, String> {
        match n {
            0 => Ok(Conversion::None),
            1 => Ok(Conversion::Str),
            2 => Ok(Conversion::Repr),
            _ => Err(format!("no f-string conversion {n}")),
        }
    }
}

/// One VM instruction. Each variant's doc gives its stack effect.
///
/// `repr(u8)` puts the tag in the first byte and each variant's operands at
/// fixed offsets after it, so the dispatch loop decodes an instruction with
/// one byte load and one jump-table index instead of untangling a tag packed
/// into the operands' spare bit patterns. (Serde names variants by their
/// index and fields by name, so the saved form does not change.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[repr(u8)]
pub enum Op {
    /// `[] → []`.
    Nop,
    /// `[] → [consts[i]]`.
    Const(u16),
    /// `[] → [int]`, for small literals.
    SmallInt(i32),
    /// `[] → [None]`.
    None,
    /// `[] → [True]`.
    True,
    /// `[] → [False]`.
    False,
    /// `[a] → []`.
    Pop,
    /// `[a] → [a, a]`.
    Dup,
    /// `[a, b] → [a, b, a, b]`.
    Dup2,
    /// `[a, b] → [b, a]`.
    Rot2,
    /// `[a, b, c] → [c, a, b]` (top moves down two).
    Rot3,

    /// `[] → [local i]`; an unbound slot raises `UnboundLocalError`.
    LoadLocal(u16),
    /// `[v] → []`, local i := v.
    StoreLocal(u16),
    /// `[] → []`, unbinds local i (`del x`; `UnboundLocalError` if unbound).
    DelLocal(u16),
    /// `[] → []`, unbinds local i without checking (hidden temporaries).
    ClearLocal(u16),
    /// `[] → [global i]`; unbound: the builtin of the same name if one
    /// exists, else `NameError`.
    LoadGlobal(u16),
    /// `[v] → []`.
    StoreGlobal(u16),
    /// `[] → []` (`NameError` if unbound).
    DelGlobal(u16),
    /// `[] → [builtin i]` (index into [`BUILTIN_NAMES`]).
    LoadBuiltin(u16),

    /// `[obj] → [obj.names[i]]`: module global, tasklet/channel attribute or
    /// bound method, error `.args`; list/dict methods used as values are a
    /// `TypeError`.
    LoadAttr(u16),

    /// `[obj?, k1..kd] → [obj?, k1..kd, place]`: reads the place without
    /// popping its parts (the first half of `place op= v`).
    LoadPlace {
        /// Where the place starts.
        base: PlaceBase,
        /// How many `[key]`s follow it.
        depth: u8,
    },
    /// `[obj?, k1..kd, v] → []`: writes `v` into the place in place
    /// (copy-on-write along the path). Depth 0 with `Attr` sets an attribute.
    StorePlace {
        /// Where the place starts.
        base: PlaceBase,
        /// How many `[key]`s follow it.
        depth: u8,
    },
    /// `[obj?, k1..kd] → []`: `del place[k1]..[kd]` (depth ≥ 1).
    DelPlace {
        /// Where the place starts.
        base: PlaceBase,
        /// How many `[key]`s follow it (at least 1).
        depth: u8,
    },
    /// `[obj?, k1..kd, args…, kwvals…] → [result]`: calls method `names[name]`
    /// on the place, mutating it in place when the method mutates.
    CallPlace {
        /// Where the place starts.
        base: PlaceBase,
        /// How many `[key]`s follow it.
        depth: u8,
        /// The method, as an index into `Function::names`.
        name: u16,
        /// How many positional arguments.
        argc: u8,
        /// The keyword names, as an index into `Function::kwnames` (or [`NO_KW`]).
        kw: u16,
    },

    /// `[a] → [a[i]]` with `[a, i] → [r]`.
    Index,
    /// `[a, lo, hi, step] → [a[lo:hi:step]]`; absent parts are `None`.
    Slice,

    /// `[a, b] → [a op b]`.
    Binary(BinOp),
    /// `dst := a op b` (operands popped as [`Arg::Pop`] says).
    Bin {
        /// The operator.
        op: BinOp,
        /// Where the result goes.
        dst: Dst,
        /// The left operand.
        a: Arg,
        /// The right operand.
        b: Arg,
    },
    /// `[a] → [op a]`.
    Unary(UnaryOp),
    /// `[a, b] → [a op b]` for every comparison, `in`, `is`.
    Compare(CmpOp),
    /// `[a] → [not a]`.
    Not,

    /// `pc := target` if `(a op b)` is as truthy as `when`, else fall through.
    JumpCmp {
        /// The comparison.
        op: CmpOp,
        /// The left operand.
        a: Arg,
        /// The right operand.
        b: Arg,
        /// Jump when the comparison is this.
        when: bool,
        /// The pc jumped to.
        target: u32,
    },
    /// `local dst := src`.
    Move {
        /// The local written.
        dst: u16,
        /// The value written.
        src: Arg,
    },
    /// `local dst := local a op local b` (a shape of `Bin`).
    BinLL {
        /// The operator.
        op: BinOp,
        /// The local the result goes to.
        dst: u16,
        /// The local holding the left operand.
        a: u16,
        /// The local holding the right operand.
        b: u16,
    },
    /// `local dst := local a op b` for an int `b` (a shape of `Bin`).
    BinLI {
        /// The operator.
        op: BinOp,
        /// The local the result goes to.
        dst: u16,
        /// The local holding the left operand.
        a: u16,
        /// The right operand, an int.
        b: i16,
    },
    /// `[a] → []`, `local dst := a op consts[b]` (a shape of `Bin`).
    BinPK {
        /// The operator.
        op: BinOp,
        /// The local the result goes to.
        dst: u16,
        /// The right operand, as an index into `Function::consts`.
        b: u16,
    },
    /// `[a] → []`, `local dst := a op b` for an int `b` (a shape of `Bin`).
    BinPI {
        /// The operator.
        op: BinOp,
        /// The local the result goes to.
        dst: u16,
        /// The right operand, an int.
        b: i16,
    },
    /// `[] → [local a op local b]` (a shape of `Bin`).
    PushLL {
        /// The operator.
        op: BinOp,
        /// The local holding the left operand.
        a: u16,
        /// The local holding the right operand.
        b: u16,
    },
    /// `[] → [local a op b]` for an int `b` (a shape of `Bin`).
    PushLI {
        /// The operator.
        op: BinOp,
        /// The local holding the left operand.
        a: u16,
        /// The right operand, an int.
        b: i16,
    },
    /// `JumpCmp` on `local a op local b`.
    JumpLL {
        /// The comparison.
        op: CmpOp,
        /// The local holding the left operand.
        a: u16,
        /// The local holding the right operand.
        b: u16,
        /// Jump when the comparison is this.
        when: bool,
        /// The pc jumped to.
        target: u32,
    },
    /// `JumpCmp` on `local a op b` for an int `b`.
    JumpLI {
        /// The comparison.
        op: CmpOp,
        /// The local holding the left operand.
        a: u16,
        /// The right operand, an int.
        b: i16,
        /// Jump when the comparison is this.
        when: bool,
        /// The pc jumped to.
        target: u32,
    },
    /// `[] → ⊥`: returns local i (`ReturnArg` of a local).
    ReturnLocal(u16),
    /// `pc := t`.
    Jump(u32),
    /// `[c] → []`, jump if falsy.
    JumpIfFalse(u32),
    /// `[c] → []`, jump if truthy.
    JumpIfTrue(u32),
    /// `[c] → [c]` and jump if falsy, else `[c] → []` (`and`).
    JumpIfFalseOrPop(u32),
    /// `[c] → [c]` and jump if truthy, else `[c] → []` (`or`).
    JumpIfTrueOrPop(u32),

    /// `[a1..an] → [list]`.
    BuildList(u16),
    /// `[k1, v1, …, kn, vn] → [dict]`.
    BuildDict(u16),
    /// `[v] → []`, appends to the list in local i (comprehensions).
    ListAppendLocal(u16),
    /// `[k, v] → []`, inserts into the dict in local i (comprehensions).
    DictInsertLocal(u16),
    /// `[s1..sn] → [s1 + … + sn]` (f-strings).
    BuildString(u16),
    /// `[v] → [format(v, "")]` after conversion `conv` (`!s`, `!r` or
    /// none); with `spec`: `[v, spec] → [format(v, spec)]`.
    FormatValue {
        /// The conversion applied first.
        conv: Conversion,
        /// Whether a format spec is on the stack above the value.
        spec: bool,
    },
    /// `[seq] → [x_{n-1}, …, x_0]`: the first item ends on top, for stores
    /// in source order. Wrong length: Python's `ValueError`.
    Unpack(u16),

    /// `[v] → [iter(v)]` for list, range, str, dict (its keys) or channel.
    GetIter,
    /// `[it] → [it, next]`, or pops `it` and jumps to `t` when exhausted.
    /// Over a channel this may suspend the fiber in the host.
    ForIter(u32),

    /// `[f, a1..an, kwvals…] → [result]`; `kw` indexes `Function::kwnames`
    /// (or [`NO_KW`]). A script function pushes a frame.
    Call {
        /// How many positional arguments.
        argc: u8,
        /// The keyword names, as an index into `Function::kwnames` (or [`NO_KW`]).
        kw: u16,
    },
    /// `[recv, a1..an, kwvals…] → [result]`: method `names[name]` on a
    /// temporary (changes to it are lost, as docs/language.md says).
    CallMethod {
        /// The method, as an index into `Function::names`.
        name: u16,
        /// How many positional arguments.
        argc: u8,
        /// The keyword names, as an index into `Function::kwnames` (or [`NO_KW`]).
        kw: u16,
    },
    /// `[v] → ⊥`: returns `v` to the caller's frame.
    Return,
    /// `[] → ⊥`: returns the operand to the caller's frame.
    ReturnArg(Arg),
    /// `[a1..an] → []` (n = `argc`, 1 to 3): `range(a1..an)`'s start, stop
    /// and step into locals `state..state+3`, then its first item into
    /// local `var`, or `pc := exit` when it is empty.
    ForPrep {
        /// The local the loop variable lives in.
        var: u16,
        /// The first of the three locals holding the range.
        state: u16,
        /// How many arguments `range` got (1 to 3).
        argc: u8,
        /// The pc after the loop.
        exit: u32,
    },
    /// `[] → []`: the range in locals `state..state+3` moves on; its next
    /// item goes into local `var` and `pc := body`, or falls through when
    /// it is exhausted.
    ForLoop {
        /// The local the loop variable lives in.
        var: u16,
        /// The first of the three locals holding the range.
        state: u16,
        /// The pc of the loop body.
        body: u32,
    },

    /// Pushes an exception handler at `t` catching every error but
    /// `TaskletExit` (the `except` clauses decide); the handler starts with
    /// the stack as it is now plus the error on top.
    SetupExcept(u32),
    /// As `SetupExcept`, catching everything including `TaskletExit`
    /// (bare `except:` and `finally`).
    SetupFinally(u32),
    /// Pops the innermost handler of this frame.
    PopHandler,
    /// `[err, kind] → [err, bool]`: does `err` match the kind (or list of kinds)?
    ExcMatch,
    /// `[v] → ⊥`: raises `v` (an error, or a kind that is called with no args).
    Raise,
    /// `[err] → ⊥`: raises `err` again, keeping its traceback; `[None] → ⊥`
    /// raises the error a calling frame's `except` is handling (else `RuntimeError`).
    Reraise,

    /// `[] → [module names[i]]`: runs the module's top level first if it has
    /// not run (pushing a frame); a top level still running is `ImportError`.
    Import(u16),
    /// `[m] → [m, m.names[i]]`; a missing name is `ImportError`.
    ImportFrom(u16),

    /// `[] → [function]`: the `Value::Function` for `functions[i]` of the
    /// current frame's module (what a `def` stores in its global).
    MakeFunction(u16),

    /// `[] → [local i]`, leaving local i unbound: the local's value is moved
    /// into the call being built (`d = f(d)` where nothing reads `d` before
    /// the store; docs/language.md, "Cost model"), so the callee holds the
    /// only reference and can change it in place. Unbound raises
    /// `UnboundLocalError`. (Binary saves carry bytecode and name an
    /// instruction by its index: new ones go after the last.)
    TakeLocal(u16),

    /// `[] → [local a[key]]`: an item of the container in local `a`, read
    /// without loading the container (`LoadLocal a; <key>; Index` in one);
    /// the key is a local, an int or a constant, never popped.
    IndexLocal {
        /// The local holding the container.
        a: u16,
        /// The key.
        key: Arg,
    },
    /// `[] → [global g[key]]`: `IndexLocal` for a container in global `g`
    /// (`LoadGlobal g; <key>; Index` in one), the global read in place
    /// rather than its value cloned; unbound falls back to the builtin of
    /// that name, else `NameError`, before the key is read.
    IndexGlobal {
        /// The global holding the container.
        g: u16,
        /// The key: a local, an int or a constant, never popped.
        key: Arg,
    },
    /// `[k] → [local a[k]]`: a computed key's item of the container in
    /// local `a`, which is never loaded. Chosen only for a parameter, or a
    /// local stored before the function's first jump, that the function
    /// never unbinds, with a key computed by register instructions that
    /// write no local, so reading `a` after the key is reading it before.
    IndexLocalPop(u16),
    /// `[d] → [it]`: a lazy iterator over a dict's `items()` (the pairs
    /// are never built), charged and size-checked as `d.items()` is; any
    /// other receiver is left as it is and the op jumps to `t`, where the
    /// general `CallMethod .items; GetIter` runs (`for k, v in d.items()`).
    ItemsIter(u32),
    /// `ForIter(t)` whose item is unpacked into two by the `Unpack(2)`
    /// that must follow it: a pair of a dict's items iterator is pushed
    /// as `[it, v, k]` at once and that `Unpack` skipped.
    ForPair(u32),
}

// An instruction is fetched whole on every step: it stays within 16 bytes.
const _: () = assert!(std::mem::size_of::<Op>() <= 16);

impl Op {
    /// The jump (or handler) target of an op that has one.
    pub fn target_mut(&mut self) -> Option<&mut u32> {
        match self {
            Op::Jump(t)
            | Op::JumpIfFalse(t)
            | Op::JumpIfTrue(t)
            | Op::JumpIfFalseOrPop(t)
            | Op::JumpIfTrueOrPop(t)
            | Op::ForIter(t)
            | Op::ItemsIter(t)
            | Op::ForPair(t)
            | Op::SetupExcept(t)
            | Op::SetupFinally(t)
            | Op::JumpCmp { target: t, .. }
            | Op::JumpLL { target: t, .. }
            | Op::JumpLI { target: t, .. }
            | Op::ForPrep { exit: t, .. }
            | Op::ForLoop { body: t, .. } => Some(t),
            _ => None,
        }
    }

    /// The jump (or handler) target of an op that has one.
    pub fn target(mut self) -> Option<u32> {
        self.target_mut().copied()
    }
}

/// A function of a module, by index: how frames and function values name code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FuncRef {
    /// Index into `Program::modules`.
    pub module: u16,
    /// Index into that module's `functions`.
    pub func: u16,
}

/// A constant in a function's pool: what literals and defaults fold to.
/// Saves carry these; reading one back is depth-guarded ([`Const`]'s
/// `Deserialize`), as binary decoders have no recursion limit of their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub enum Const {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An int.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A list of constants (a default such as `[]`).
    List(Vec<Const>),
    /// A dict of constants, as (key, value) pairs.
    Dict(Vec<(Const, Const)>),
}

impl Serialize for Const {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Const::serialize(self, s)
    }
}

/// Deepest constant a reader accepts: a literal nests at most
/// `lexer::MAX_NESTING` brackets, so the compiler never makes a deeper one.
pub const MAX_CONST_DEPTH: u32 = crate::lexer::MAX_NESTING as u32 + 8;

thread_local! {
    /// How deep the deserializer is inside constants on this thread.
    static CONST_DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

impl<'de> Deserialize<'de> for Const {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A hostile save can nest lists without end; stop before the stack does.
        let depth = CONST_DEPTH.with(|c| c.get());
        if depth >= MAX_CONST_DEPTH {
            return Err(serde::de::Error::custom(format!(
                "constant nested deeper than {MAX_CONST_DEPTH} levels"
            )));
        }
        CONST_DEPTH.with(|c| c.set(depth + 1));
        let out = Const::deserialize(d);
        CONST_DEPTH.with(|c| c.set(depth));
        out
    }
}

/// One compiled function. A module's top level is a function named
/// `<module>` with no parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Function {
    /// Its name (`<module>` for a top level).
    pub name: String,
    /// Parameter names; they are locals 0..params.len().
    pub params: Vec<String>,
    /// Defaults of the last `defaults.len()` parameters.
    pub defaults: Vec<Const>,
    /// Locals including parameters and hidden temporaries.
    pub nlocals: u16,
    /// Names of the locals, for `UnboundLocalError` and `inspect`; hidden
    /// temporaries start with `$`.
    pub local_names: Vec<String>,
    /// Its instructions; a frame's pc indexes them.
    pub code: Vec<Op>,
    /// Source line of each op (the pc → line map).
    pub lines: Vec<u32>,
    /// The constants its ops index.
    pub consts: Vec<Const>,
    /// Attribute, method, global-fallback and module names used by ops.
    pub names: Vec<String>,
    /// Keyword-name lists used by call ops.
    pub kwnames: Vec<Vec<String>>,
    /// Line of the `def` (or 1 for a top level).
    pub def_line: u32,
    /// What the VM derives from this code once and keeps beside it.
    #[serde(skip)]
    pub derived: Derived,
}

/// Room for what the VM derives from a function once (its constants as
/// values, shared by every load), made on first use. It is not bytecode:
/// never saved, hashed or compared, and a clone starts empty.
#[derive(Default)]
pub struct Derived(pub OnceLock<Arc<dyn Any + Send + Sync>>);

impl Clone for Derived {
    fn clone(&self) -> Self {
        Derived::default()
    }
}

impl PartialEq for Derived {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Derived")
    }
}

/// One compiled module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Module {
    /// The module name: the file stem.
    pub name: String,
    /// Path relative to its search-path root (for the main script, its file name).
    pub path: String,
    /// The source it was compiled from.
    pub source: String,
    /// Global slot names, in slot order.
    pub globals: Vec<String>,
    /// Functions by index; `functions[0]` is the top level.
    pub functions: Vec<Function>,
    /// How many times a hot reload swapped this module's code (0 as
    /// loaded). Anything derived from the module's code and kept beside a
    /// call site compares it to notice a swap.
    #[serde(default)]
    pub generation: u32,
    /// Earlier sources that some of `functions` were compiled from (a hot
    /// reload keeps code that frames still run, and defs the new source
    /// dropped), so tracebacks show those functions' own lines.
    #[serde(default)]
    pub old: Vec<OldSource>,
    /// Indices of retired copies: code a reload replaced that frames which
    /// started on it still run. No function value names them.
    #[serde(default)]
    pub retired: Vec<u16>,
}

/// A source a module had before a hot reload, and its functions that are
/// still loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OldSource {
    /// The module's generation while this source was current.
    pub generation: u32,
    /// The source text.
    pub source: String,
    /// Indices into the module's functions.
    pub functions: Vec<u16>,
}

impl Module {
    /// The source that function `func` was compiled from.
    pub fn source_of(&self, func: u16) -> &str {
        self.old
            .iter()
            .find(|o| o.functions.contains(&func))
            .map_or(self.source.as_str(), |o| o.source.as_str())
    }

    /// The generation of the source `func` was compiled from.
    pub fn generation_of(&self, func: u16) -> u32 {
        self.old
            .iter()
            .find(|o| o.functions.contains(&func))
            .map_or(self.generation, |o| o.generation)
    }
}

/// Every script module a world has loaded, in load order (the main module first).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Program {
    /// The modules, by index (`ModRef::Script`, `FuncRef::module`).
    pub modules: Vec<Module>,
    /// Modules the host registered (beyond [`BUILTIN_MODULES`]), in
    /// registration order: `ModRef::Native(BUILTIN_MODULES.len() + i)`.
    #[serde(default)]
    pub host_modules: Vec<String>,
}

impl Program {
    /// The index of module `name`, if it is loaded.
    pub fn module_index(&self, name: &str) -> Option<u16> {
        self.modules
            .iter()
            .position(|m| m.name == name)
            .map(|i| i as u16)
    }

    /// The function `f` names (which must be loaded: frames and function
    /// values only ever name loaded code).
    pub fn function(&self, f: FuncRef) -> &Function {
        &self.modules[f.module as usize].functions[f.func as usize]
    }

    /// The function's own module name (a function value prints as `<function m.f>`).
    pub fn module_of(&self, f: FuncRef) -> &Module {
        &self.modules[f.module as usize]
    }
}
