//! [`ValueRec`] → Value, checking everything: every id and table index,
//! every name against the loading world, dict keys, iterator positions, and
//! sizes against the world's limits. Nothing here panics or allocates more
//! than the file's own contents justify.

use std::sync::Arc;

use skein_script::bytecode::{BUILTIN_NAMES, FuncRef};
use skein_vm::Limits;
use skein_vm::value::{Dict, IterState, Key, List, ModRef, RangeObj, Value};
use skein_vm::value::{ErrorObj, TraceEntry};

use super::rec::{IterRec, MAX_INLINE_DEPTH, ValueRec, shape};
use crate::error::{FieldPath, LoadError, Problem};

/// What a value may be, by where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Inside another value, a tasklet's data, a tempval…: user-visible only.
    Plain,
    /// A local or global slot: may also be `Unbound`.
    Slot,
    /// An operand stack entry: may also be a loop iterator.
    Operand,
}

/// How names and ids in a save bind to the loading world. Record ids of
/// tasklets and channels map to the ids they get in that world.
pub trait Resolve {
    /// A script function, by its module and name.
    fn function(&self, module: &str, name: &str) -> Result<FuncRef, Problem>;
    /// A module, by name.
    fn module(&self, name: &str) -> Result<ModRef, Problem>;
    /// A host native's id, by its module and name.
    fn native(&self, module: &str, name: &str) -> Result<u32, Problem>;
    /// The id a tasklet record gets in the loading world.
    fn tasklet(&self, id: u64) -> Result<u64, Problem>;
    /// The loading world's main tasklet.
    fn main(&self) -> Result<u64, Problem>;
    /// The id a channel record gets in the loading world.
    fn channel(&self, id: u64) -> Result<u64, Problem>;
}

/// Decodes the values of one save against its value table.
pub struct Decoder<'r> {
    pub(super) resolve: &'r dyn Resolve,
    limits: Limits,
    /// The decoded table entries.
    pub(super) table: Vec<Value>,
}

impl<'r> Decoder<'r> {
    /// Decodes the whole table up front, front to back: entry `i` may refer
    /// only to entries below `i`, which makes cycles impossible.
    pub fn new(
        table: &[ValueRec],
        resolve: &'r dyn Resolve,
        limits: Limits,
        path: &FieldPath,
    ) -> Result<Decoder<'r>, LoadError> {
        let mut d = Decoder {
            resolve,
            limits,
            table: Vec::new(),
        };
        for (i, rec) in table.iter().enumerate() {
            let p = path.index(i);
            if matches!(rec, ValueRec::Ref(_)) {
                return Err(LoadError::invalid(
                    &p,
                    "a table entry cannot be a bare reference",
                ));
            }
            let v = d.value(rec, Place::Plain, &p, 0)?;
            d.table.push(v);
        }
        Ok(d)
    }

    /// The limits values are checked against.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Decodes one value found at `path`.
    pub fn decode(
        &self,
        rec: &ValueRec,
        place: Place,
        path: &FieldPath,
    ) -> Result<Value, LoadError> {
        self.value(rec, place, path, 0)
    }

    pub(super) fn value(
        &self,
        rec: &ValueRec,
        place: Place,
        path: &FieldPath,
        depth: u32,
    ) -> Result<Value, LoadError> {
        if depth > MAX_INLINE_DEPTH {
            return Err(LoadError::at(
                path,
                Problem::TooDeep {
                    limit: MAX_INLINE_DEPTH,
                },
            ));
        }
        let r = self.resolve;
        let fail = |p: Problem| LoadError::at(path, p);
        Ok(match rec {
            ValueRec::Nil => Value::None,
            ValueRec::Bool(b) => Value::Bool(*b),
            ValueRec::Int(i) => Value::Int(*i),
            ValueRec::Float(f) => Value::Float(*f),
            ValueRec::Str(s) => {
                self.check_size("a str", s.len() as u64, path)?;
                Value::str(s.clone())
            }
            ValueRec::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(self.value(item, Place::Plain, &path.index(i), depth + 1)?);
                }
                let l = List::new(out);
                self.check_size("a list", l.size, path)?;
                Value::List(Arc::new(l))
            }
            ValueRec::Dict(entries) => {
                let mut d = Dict::new();
                for (i, (k, v)) in entries.iter().enumerate() {
                    let p = path.index(i);
                    let kv = self.value(k, Place::Plain, &p.field("key"), depth + 1)?;
                    let key = Key::from_value(&kv).map_err(|_| {
                        LoadError::at(
                            &p.field("key"),
                            Problem::WrongType {
                                expected: "a dict key (None, bool, int or str)",
                                found: shape(k).to_string(),
                            },
                        )
                    })?;
                    if d.map.contains_key(&key) {
                        return Err(LoadError::invalid(&p.field("key"), "duplicate dict key"));
                    }
                    let vv = self.value(v, Place::Plain, &p.field("value"), depth + 1)?;
                    d.insert_key(key, kv, vv);
                }
                self.check_size("a dict", d.size, path)?;
                Value::Dict(Arc::new(d))
            }
            ValueRec::Range(start, stop, step) => {
                if *step == 0 {
                    return Err(LoadError::invalid(path, "range step is 0"));
                }
                Value::Range(Arc::new(RangeObj {
                    start: *start,
                    stop: *stop,
                    step: *step,
                }))
            }
            ValueRec::Function(m, f) => Value::Function(r.function(m, f).map_err(fail)?),
            ValueRec::Builtin(name) => {
                let i = BUILTIN_NAMES
                    .iter()
                    .position(|n| n == name)
                    .filter(|_| !is_kind_name(name))
                    .ok_or_else(|| fail(Problem::UnknownBuiltin(name.clone())))?;
                Value::Builtin(i as u16)
            }
            ValueRec::Native(m, f) => Value::Native(r.native(m, f).map_err(fail)?),
            ValueRec::Module(m) => Value::Module(r.module(m).map_err(fail)?),
            ValueRec::Type(t) => Value::Type(*t),
            ValueRec::Error(e) => {
                let mut args = Vec::with_capacity(e.args.len());
                for (i, a) in e.args.iter().enumerate() {
                    let p_0 = path.field("args");
                    let p = p_0.index(i);
                    args.push(self.value(a, Place::Plain, &p, depth + 1)?);
                }
                let mut traceback = Vec::with_capacity(e.traceback.len());
                for (i, t) in e.traceback.iter().enumerate() {
                    let p_0 = path.field("traceback");
                    let p = p_0.index(i);
                    let func = r
                        .function(&t.module, &t.function)
                        .map_err(|pr| LoadError::at(&p, pr))?;
                    traceback.push(TraceEntry { func, line: t.line });
                }
                let v = Value::Error(Arc::new(ErrorObj {
                    kind: e.kind,
                    args,
                    traceback,
                }));
                self.check_size("an error", v.size(), path)?;
                v
            }
            ValueRec::Tasklet(id) => Value::Tasklet(r.tasklet(*id).map_err(fail)?),
            ValueRec::Main => Value::Tasklet(r.main().map_err(fail)?),
            ValueRec::Channel(id) => Value::Channel(r.channel(*id).map_err(fail)?),
            ValueRec::Method(recv, name) => {
                let rv = self.value(recv, Place::Plain, &path.index(0), depth + 1)?;
                if !matches!(rv, Value::Tasklet(_) | Value::Channel(_)) {
                    return Err(LoadError::at(
                        &path.index(0),
                        Problem::WrongType {
                            expected: "a tasklet or channel",
                            found: shape(recv).to_string(),
                        },
                    ));
                }
                Value::Method(Arc::new((rv, Arc::from(name.as_str()))))
            }
            ValueRec::Iter(it) => {
                if place != Place::Operand {
                    return Err(LoadError::invalid(
                        path,
                        "a loop iterator can only be on an operand stack",
                    ));
                }
                Value::Iter(Arc::new(self.iter(it, path, depth)?))
            }
            ValueRec::Unbound => {
                if place != Place::Slot {
                    return Err(LoadError::invalid(
                        path,
                        "Unbound can only be in a local or global slot",
                    ));
                }
                Value::Unbound
            }
            ValueRec::Ref(i) => {
                let v = self.table.get(*i as usize).ok_or_else(|| {
                    fail(Problem::BadRef {
                        index: *i,
                        limit: self.table.len() as u32,
                    })
                })?;
                v.clone()
            }
        })
    }

    fn iter(&self, it: &IterRec, path: &FieldPath, depth: u32) -> Result<IterState, LoadError> {
        let next_past = |p: &FieldPath, next: u64, len: usize| {
            LoadError::invalid(
                &p.field("next"),
                format!("position {next} is past the end ({len})"),
            )
        };
        Ok(match it {
            IterRec::List { list, next } => {
                let p = path.field("list");
                let Value::List(l) = self.value(list, Place::Plain, &p, depth + 1)? else {
                    return Err(wrong(&p, "a list", list));
                };
                if *next > l.items.len() as u64 {
                    return Err(next_past(path, *next, l.items.len()));
                }
                IterState::List {
                    list: l,
                    next: *next as usize,
                }
            }
            IterRec::Range { next, stop, step } => {
                if *step == 0 {
                    return Err(LoadError::invalid(path, "range step is 0"));
                }
                IterState::Range {
                    next: *next,
                    stop: *stop,
                    step: *step,
                }
            }
            IterRec::Str { s, next } => {
                let p = path.field("s");
                let Value::Str(text) = self.value(s, Place::Plain, &p, depth + 1)? else {
                    return Err(wrong(&p, "a str", s));
                };
                let ok = usize::try_from(*next)
                    .ok()
                    .filter(|n| text.is_char_boundary(*n));
                let Some(n) = ok else {
                    return Err(LoadError::invalid(
                        &path.field("next"),
                        format!("byte {next} is not a character boundary of the string"),
                    ));
                };
                IterState::Str { s: text, next: n }
            }
            IterRec::DictKeys { dict, next } => {
                let p = path.field("dict");
                let Value::Dict(d) = self.value(dict, Place::Plain, &p, depth + 1)? else {
                    return Err(wrong(&p, "a dict", dict));
                };
                if *next > d.map.len() as u64 {
                    return Err(next_past(path, *next, d.map.len()));
                }
                IterState::DictKeys {
                    dict: d,
                    next: *next as usize,
                }
            }
            IterRec::Channel(id) => IterState::Channel(
                self.resolve
                    .channel(*id)
                    .map_err(|p| LoadError::at(path, p))?,
            ),
        })
    }

    pub(super) fn check_size(
        &self,
        what: &'static str,
        size: u64,
        path: &FieldPath,
    ) -> Result<(), LoadError> {
        if size > self.limits.size_limit {
            return Err(LoadError::at(
                path,
                Problem::TooLarge {
                    what,
                    size,
                    limit: self.limits.size_limit,
                },
            ));
        }
        Ok(())
    }
}

fn wrong(path: &FieldPath, expected: &'static str, found: &ValueRec) -> LoadError {
    LoadError::at(
        path,
        Problem::WrongType {
            expected,
            found: shape(found).to_string(),
        },
    )
}

/// Error kinds are values of `Type`, not builtins, though their names are in
/// `BUILTIN_NAMES` for the compiler.
pub(super) fn is_kind_name(name: &str) -> bool {
    skein_script::bytecode::ERROR_KINDS.contains(&name)
}
