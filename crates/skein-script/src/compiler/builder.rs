//! One function under construction: its code with the pc → line map, its
//! deduplicated constant, name and keyword-list pools, its local slots, and
//! the forward jumps still waiting for a target.

use std::collections::HashMap;

use crate::bytecode::{Const, Function, Op};

/// The function being emitted, plus the bookkeeping that does not end up in
/// the compiled [`Function`].
pub(super) struct FnBuilder {
    pub f: Function,
    /// Named locals (parameters and bound names), by name.
    pub locals: HashMap<String, u16>,
    /// The line ops are attributed to right now (the innermost node being compiled).
    pub line: u32,
    names: HashMap<String, u16>,
    consts: HashMap<ConstKey, u16>,
    /// Set when a pool or the locals outgrow their `u16` index; reported at the end
    /// so emitting never has to fail.
    pub overflow: Option<&'static str>,
}

impl FnBuilder {
    pub fn new(name: &str, def_line: u32) -> Self {
        FnBuilder {
            f: Function {
                name: name.to_string(),
                params: Vec::new(),
                defaults: Vec::new(),
                nlocals: 0,
                local_names: Vec::new(),
                code: Vec::new(),
                lines: Vec::new(),
                consts: Vec::new(),
                names: Vec::new(),
                kwnames: Vec::new(),
                def_line,
                derived: Default::default(),
            },
            locals: HashMap::new(),
            line: def_line,
            names: HashMap::new(),
            consts: HashMap::new(),
            overflow: None,
        }
    }

    /// Appends an op at the current line and returns its pc.
    pub fn emit(&mut self, op: Op) -> usize {
        self.f.code.push(op);
        self.f.lines.push(self.line);
        self.f.code.len() - 1
    }

    /// The pc the next op will get, as a jump target.
    pub fn here(&self) -> u32 {
        self.f.code.len() as u32
    }

    /// Points the jump (or handler setup) at `at` to `target`.
    pub fn patch(&mut self, at: usize, target: u32) {
        match self.f.code[at].target_mut() {
            Some(t) => *t = target,
            None => unreachable!("patching a non-jump op {:?}", self.f.code[at]),
        }
    }

    /// Patches `at` to jump to the next op.
    pub fn patch_here(&mut self, at: usize) {
        let here = self.here();
        self.patch(at, here);
    }

    /// Patches every jump of `jumps` to the next op.
    pub fn patch_all_here(&mut self, jumps: impl IntoIterator<Item = usize>) {
        for at in jumps {
            self.patch_here(at);
        }
    }

    fn index(&mut self, len: usize, what: &'static str) -> u16 {
        match u16::try_from(len) {
            Ok(i) if i < u16::MAX => i,
            _ => {
                self.overflow.get_or_insert(what);
                0
            }
        }
    }

    /// A new local slot named `name` (hidden temporaries start with `$`).
    pub fn new_local(&mut self, name: &str) -> u16 {
        let i = self.index(self.f.local_names.len(), "too many local variables");
        self.f.local_names.push(name.to_string());
        self.f.nlocals = self.f.local_names.len().min(u16::MAX as usize) as u16;
        i
    }

    /// The slot of named local `name`, creating it on first use.
    pub fn named_local(&mut self, name: &str) -> u16 {
        if let Some(&i) = self.locals.get(name) {
            return i;
        }
        let i = self.new_local(name);
        self.locals.insert(name.to_string(), i);
        i
    }

    pub fn constant(&mut self, c: Const) -> u16 {
        let key = ConstKey::of(&c);
        if let Some(&i) = self.consts.get(&key) {
            return i;
        }
        let i = self.index(self.f.consts.len(), "too many constants");
        self.f.consts.push(c);
        self.consts.insert(key, i);
        i
    }

    pub fn name(&mut self, n: &str) -> u16 {
        if let Some(&i) = self.names.get(n) {
            return i;
        }
        let i = self.index(self.f.names.len(), "too many names");
        self.f.names.push(n.to_string());
        self.names.insert(n.to_string(), i);
        i
    }

    pub fn kwnames(&mut self, kws: Vec<String>) -> u16 {
        if let Some(i) = self.f.kwnames.iter().position(|k| *k == kws) {
            return i as u16;
        }
        let i = self.index(self.f.kwnames.len(), "too many keyword-argument lists");
        self.f.kwnames.push(kws);
        i
    }
}

/// Constant identity for pooling: floats by bits, so `0.0` and `-0.0` stay
/// apart, and `1`, `1.0` and `True` are never merged.
#[derive(PartialEq, Eq, Hash)]
enum ConstKey {
    None,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(String),
    List(Vec<ConstKey>),
    Dict(Vec<(ConstKey, ConstKey)>),
}

impl ConstKey {
    /// Recursion is bounded by the parser's nesting limit.
    fn of(c: &Const) -> ConstKey {
        match c {
            Const::None => ConstKey::None,
            Const::Bool(b) => ConstKey::Bool(*b),
            Const::Int(i) => ConstKey::Int(*i),
            Const::Float(f) => ConstKey::Float(f.to_bits()),
            Const::Str(s) => ConstKey::Str(s.clone()),
            Const::List(items) => ConstKey::List(items.iter().map(ConstKey::of).collect()),
            Const::Dict(items) => ConstKey::Dict(
                items
                    .iter()
                    .map(|(k, v)| (ConstKey::of(k), ConstKey::of(v)))
                    .collect(),
            ),
        }
    }
}
