//! Value → [`ValueRec`], with an explicit work stack instead of recursion, so
//! a list nested 10 000 deep is encoded in constant host stack.

use std::collections::HashMap;
use std::sync::Arc;

use skein_script::bytecode::{BUILTIN_MODULES, BUILTIN_NAMES, FuncRef, Program};
use skein_vm::value::ErrorObj;
use skein_vm::value::{IterState, ModRef, Value};

use super::rec::{ErrorRec, INLINE_HEIGHT, IterRec, SHARE_SIZE, TraceRec, ValueRec};
use crate::error::SaveError;

/// How the encoder writes references to things outside values: the world
/// save writes ids as they are; a selection numbers what it reaches.
pub trait EncodeRefs {
    /// A tasklet by world id: usually `Tasklet(record id)`, or `Main`.
    /// The current tasklet of a `pickle.dumps` is refused here.
    fn tasklet(&mut self, id: u64) -> Result<ValueRec, SaveError>;
    /// A channel by world id, as its record id.
    fn channel(&mut self, id: u64) -> Result<u64, SaveError>;
    /// A host native function by the host's id: (module, name).
    fn native(&self, id: u32) -> Option<(String, String)>;
}

/// Encodes the values of one save, collecting its value table.
pub struct Encoder<'p> {
    program: &'p Program,
    table: Vec<ValueRec>,
    /// Canonical bytes of each table entry, to write equal parts once.
    by_content: HashMap<Vec<u8>, u32>,
    /// Table entries already made for an `Arc`, by its address. Only a
    /// shortcut: which parts are tabled, and their order, depend on content
    /// alone, so this cache never changes the bytes written. The value is
    /// kept alive here so its address cannot be reused while the cache lives.
    by_arc: HashMap<usize, (u32, Value)>,
}

/// A step of the encoder's work stack.
enum Task {
    Visit(Value),
    List {
        n: usize,
        arc: usize,
        size: u64,
        keep: Value,
    },
    Dict {
        n: usize,
        arc: usize,
        size: u64,
        keep: Value,
    },
    Error(Arc<ErrorObj>),
    Method(Arc<str>),
    IterList(usize),
    IterStr(usize),
    IterDict(usize),
}

impl<'p> Encoder<'p> {
    /// An encoder with an empty value table, naming functions of `program`.
    pub fn new(program: &'p Program) -> Encoder<'p> {
        Encoder {
            program,
            table: Vec::new(),
            by_content: HashMap::new(),
            by_arc: HashMap::new(),
        }
    }

    /// The code whose functions values name.
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// The value table collected so far.
    pub fn into_table(self) -> Vec<ValueRec> {
        self.table
    }

    /// The module and function names of a function.
    pub fn func_names(&self, f: FuncRef) -> Result<(String, String), SaveError> {
        let m = self.program.modules.get(f.module as usize).ok_or_else(|| {
            SaveError::Unsaveable(format!("function in unknown module #{}", f.module))
        })?;
        let func = m.functions.get(f.func as usize).ok_or_else(|| {
            SaveError::Unsaveable(format!("unknown function #{} of module {}", f.func, m.name))
        })?;
        let module =
            crate::versions::module_name(self.program, f).unwrap_or_else(|| m.name.clone());
        Ok((module, func.name.clone()))
    }

    /// Encodes one value; tall or big parts go to the table.
    pub fn encode(&mut self, v: &Value, refs: &mut dyn EncodeRefs) -> Result<ValueRec, SaveError> {
        // Most values in a world are scalars: no work stack for them.
        match v {
            Value::None => return Ok(ValueRec::Nil),
            Value::Bool(b) => return Ok(ValueRec::Bool(*b)),
            Value::Int(i) => return Ok(ValueRec::Int(*i)),
            Value::Float(f) => return Ok(ValueRec::Float(*f)),
            Value::Unbound => return Ok(ValueRec::Unbound),
            Value::Tasklet(id) => return refs.tasklet(*id),
            Value::Channel(id) => return Ok(ValueRec::Channel(refs.channel(*id)?)),
            Value::Str(s) if (s.len() as u64) < SHARE_SIZE => {
                return Ok(ValueRec::Str(s.to_string()));
            }
            // A small list or dict of plain items (a position, a fresh
            // tasklet's `data`) is never tabled: it is written inline, as the
            // work stack would write it, without the work stack.
            Value::List(l) if l.size < SHARE_SIZE && l.items.iter().all(plain) => {
                return Ok(ValueRec::List(l.items.iter().map(plain_rec).collect()));
            }
            Value::Dict(d)
                if d.size < SHARE_SIZE && d.map.values().all(|(k, v)| plain(k) && plain(v)) =>
            {
                let entries = d.map.values().map(|(k, v)| (plain_rec(k), plain_rec(v)));
                return Ok(ValueRec::Dict(entries.collect()));
            }
            _ => {}
        }
        let mut work = vec![Task::Visit(v.clone())];
        // Finished parts with their inline height.
        let mut out: Vec<(ValueRec, u32)> = Vec::new();
        while let Some(task) = work.pop() {
            match task {
                Task::Visit(v) => self.visit(v, refs, &mut work, &mut out)?,
                Task::List { n, arc, size, keep } => {
                    let (items, h) = take(&mut out, n);
                    let rec = ValueRec::List(items.into_iter().map(|(r, _)| r).collect());
                    out.push(self.place(rec, h, size, Some((arc, keep))));
                }
                Task::Dict { n, arc, size, keep } => {
                    let (items, h) = take(&mut out, 2 * n);
                    let mut it = items.into_iter().map(|(r, _)| r);
                    let mut entries = Vec::with_capacity(n);
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        entries.push((k, v));
                    }
                    out.push(self.place(ValueRec::Dict(entries), h, size, Some((arc, keep))));
                }
                Task::Error(e) => {
                    let (args, h) = take(&mut out, e.args.len());
                    let traceback = e
                        .traceback
                        .iter()
                        .map(|t| {
                            let (module, function) = self.func_names(t.func)?;
                            Ok(TraceRec {
                                module,
                                function,
                                line: t.line,
                            })
                        })
                        .collect::<Result<Vec<_>, SaveError>>()?;
                    let rec = ValueRec::Error(Box::new(ErrorRec {
                        kind: e.kind,
                        args: args.into_iter().map(|(r, _)| r).collect(),
                        traceback,
                    }));
                    let size = Value::Error(e.clone()).size();
                    let arc = Arc::as_ptr(&e) as usize;
                    out.push(self.place(rec, h, size, Some((arc, Value::Error(e)))));
                }
                Task::Method(name) => {
                    let (mut recv, h) = take(&mut out, 1);
                    let recv = recv.pop().map(|(r, _)| r).unwrap_or(ValueRec::Nil);
                    out.push((ValueRec::Method(Box::new(recv), name.to_string()), h));
                }
                Task::IterList(next) => {
                    let (mut l, h) = take(&mut out, 1);
                    let list = l.pop().map(|(r, _)| r).unwrap_or(ValueRec::Nil);
                    let rec = IterRec::List {
                        list,
                        next: next as u64,
                    };
                    out.push((ValueRec::Iter(Box::new(rec)), h));
                }
                Task::IterStr(next) => {
                    let (mut l, h) = take(&mut out, 1);
                    let s = l.pop().map(|(r, _)| r).unwrap_or(ValueRec::Nil);
                    let rec = IterRec::Str {
                        s,
                        next: next as u64,
                    };
                    out.push((ValueRec::Iter(Box::new(rec)), h));
                }
                Task::IterDict(next) => {
                    let (mut l, h) = take(&mut out, 1);
                    let dict = l.pop().map(|(r, _)| r).unwrap_or(ValueRec::Nil);
                    let rec = IterRec::DictKeys {
                        dict,
                        next: next as u64,
                    };
                    out.push((ValueRec::Iter(Box::new(rec)), h));
                }
            }
        }
        Ok(out.pop().map(|(r, _)| r).unwrap_or(ValueRec::Nil))
    }

    /// Handles one value: a leaf goes straight to `out`; a container pushes
    /// its build step, then its children (last first, so the first child is
    /// done first and references are met in reading order).
    fn visit(
        &mut self,
        v: Value,
        refs: &mut dyn EncodeRefs,
        work: &mut Vec<Task>,
        out: &mut Vec<(ValueRec, u32)>,
    ) -> Result<(), SaveError> {
        let leaf = match v {
            Value::None => ValueRec::Nil,
            Value::Bool(b) => ValueRec::Bool(b),
            Value::Int(i) => ValueRec::Int(i),
            Value::Float(f) => ValueRec::Float(f),
            Value::Str(s) => {
                let arc = Arc::as_ptr(&s) as usize;
                if let Some(&(i, _)) = self.by_arc.get(&arc) {
                    ValueRec::Ref(i)
                } else {
                    let size = s.len() as u64;
                    let rec = ValueRec::Str(s.to_string());
                    out.push(self.place(rec, 0, size, Some((arc, Value::Str(s)))));
                    return Ok(());
                }
            }
            Value::List(l) => {
                let arc = Arc::as_ptr(&l) as usize;
                if let Some(&(i, _)) = self.by_arc.get(&arc) {
                    ValueRec::Ref(i)
                } else {
                    let n = l.items.len();
                    let size = l.size;
                    let children: Vec<Task> =
                        l.items.iter().rev().cloned().map(Task::Visit).collect();
                    work.push(Task::List {
                        n,
                        arc,
                        size,
                        keep: Value::List(l),
                    });
                    work.extend(children);
                    return Ok(());
                }
            }
            Value::Dict(d) => {
                let arc = Arc::as_ptr(&d) as usize;
                if let Some(&(i, _)) = self.by_arc.get(&arc) {
                    ValueRec::Ref(i)
                } else {
                    let mut children = Vec::with_capacity(2 * d.map.len());
                    for (k, v) in d.map.values().rev() {
                        children.push(Task::Visit(v.clone()));
                        children.push(Task::Visit(k.clone()));
                    }
                    work.push(Task::Dict {
                        n: d.map.len(),
                        arc,
                        size: d.size,
                        keep: Value::Dict(d),
                    });
                    work.extend(children);
                    return Ok(());
                }
            }
            Value::Error(e) => {
                let arc = Arc::as_ptr(&e) as usize;
                if let Some(&(i, _)) = self.by_arc.get(&arc) {
                    ValueRec::Ref(i)
                } else {
                    work.extend(
                        std::iter::once(Task::Error(e.clone()))
                            .chain(e.args.iter().rev().cloned().map(Task::Visit)),
                    );
                    return Ok(());
                }
            }
            Value::Method(m) => {
                work.push(Task::Method(m.1.clone()));
                work.push(Task::Visit(m.0.clone()));
                return Ok(());
            }
            Value::Iter(it) => match &*it {
                IterState::List { list, next } => {
                    work.push(Task::IterList(*next));
                    work.push(Task::Visit(Value::List(list.clone())));
                    return Ok(());
                }
                IterState::Str { s, next } => {
                    work.push(Task::IterStr(*next));
                    work.push(Task::Visit(Value::Str(s.clone())));
                    return Ok(());
                }
                IterState::DictKeys { dict, next } => {
                    work.push(Task::IterDict(*next));
                    work.push(Task::Visit(Value::Dict(dict.clone())));
                    return Ok(());
                }
                // Saved as the list iterator `d.items()` would have made,
                // a form every reader knows; it resumes at the same pair.
                IterState::DictItems { dict, next } => {
                    let pairs = dict
                        .map
                        .values()
                        .map(|(k, v)| Value::list(vec![k.clone(), v.clone()]));
                    work.push(Task::IterList(*next));
                    work.push(Task::Visit(Value::list(pairs.collect())));
                    return Ok(());
                }
                IterState::Range { next, stop, step } => ValueRec::Iter(Box::new(IterRec::Range {
                    next: *next,
                    stop: *stop,
                    step: *step,
                })),
                IterState::Channel(id) => {
                    ValueRec::Iter(Box::new(IterRec::Channel(refs.channel(*id)?)))
                }
            },
            Value::Range(r) => ValueRec::Range(r.start, r.stop, r.step),
            Value::Function(f) => {
                let (m, n) = self.func_names(f)?;
                ValueRec::Function(m, n)
            }
            Value::Builtin(i) => match BUILTIN_NAMES.get(i as usize) {
                Some(name) => ValueRec::Builtin((*name).to_string()),
                None => return Err(SaveError::Unsaveable(format!("unknown builtin #{i}"))),
            },
            Value::Native(id) => match refs.native(id) {
                Some((m, n)) => ValueRec::Native(m, n),
                None => {
                    return Err(SaveError::Unsaveable(format!(
                        "native function #{id} has no registered name"
                    )));
                }
            },
            Value::Module(m) => ValueRec::Module(self.module_name(m)?),
            Value::Type(t) => ValueRec::Type(t),
            Value::Tasklet(id) => refs.tasklet(id)?,
            Value::Channel(id) => ValueRec::Channel(refs.channel(id)?),
            Value::Unbound => ValueRec::Unbound,
        };
        out.push((leaf, 0));
        Ok(())
    }

    fn module_name(&self, m: ModRef) -> Result<String, SaveError> {
        let name = match m {
            ModRef::Script(i) => self
                .program
                .modules
                .get(i as usize)
                .map(|m| m.name.as_str()),
            ModRef::Native(i) => {
                let i = i as usize;
                BUILTIN_MODULES.get(i).copied().or_else(|| {
                    self.program
                        .host_modules
                        .get(i.wrapping_sub(BUILTIN_MODULES.len()))
                        .map(String::as_str)
                })
            }
        };
        name.map(str::to_string)
            .ok_or_else(|| SaveError::Unsaveable(format!("unknown module {m:?}")))
    }

    /// Keeps a finished container inline, or moves it to the table when it
    /// is as tall as [`INLINE_HEIGHT`] or as big as [`SHARE_SIZE`].
    fn place(
        &mut self,
        rec: ValueRec,
        height: u32,
        size: u64,
        arc: Option<(usize, Value)>,
    ) -> (ValueRec, u32) {
        if height < INLINE_HEIGHT && size < SHARE_SIZE {
            return (rec, height);
        }
        // The postcard bytes of an entry whose tabled parts are already
        // `Ref`s: equal content gives equal bytes, and only equal content does.
        let key = postcard::to_stdvec(&rec).unwrap_or_default();
        let i = match self.by_content.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.table.len() as u32;
                self.table.push(rec);
                self.by_content.insert(key, i);
                i
            }
        };
        if let Some((a, keep)) = arc {
            self.by_arc.insert(a, (i, keep));
        }
        (ValueRec::Ref(i), 0)
    }
}

/// A value written the same wherever it is met: no reference, no table.
fn plain(v: &Value) -> bool {
    match v {
        Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) => true,
        Value::Str(s) => (s.len() as u64) < SHARE_SIZE,
        _ => false,
    }
}

/// The record of a [`plain`] value.
fn plain_rec(v: &Value) -> ValueRec {
    match v {
        Value::Bool(b) => ValueRec::Bool(*b),
        Value::Int(i) => ValueRec::Int(*i),
        Value::Float(f) => ValueRec::Float(*f),
        Value::Str(s) => ValueRec::Str(s.to_string()),
        _ => ValueRec::Nil,
    }
}

/// Pops the last `n` finished parts, in order, with the height of the
/// container that holds them.
fn take(out: &mut Vec<(ValueRec, u32)>, n: usize) -> (Vec<(ValueRec, u32)>, u32) {
    let items = out.split_off(out.len().saturating_sub(n));
    let h = 1 + items.iter().map(|(_, h)| *h).max().unwrap_or(0);
    (items, h)
}
