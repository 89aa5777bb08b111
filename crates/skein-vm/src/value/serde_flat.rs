//! Serde for [`Value`] with bounded nesting, so saving or loading a value of
//! any depth never recurses on the host stack without bound (docs/language.md).
//!
//! A value is written as the derived form would write it, variant by variant,
//! until containers nest [`INLINE_DEPTH`] deep. A container below that is
//! written as one `Deep { nodes }` table instead: node 0 is the container,
//! every node is a leaf (a value holding no values) or a shallow container
//! whose children are node indices. Nodes are numbered breadth-first, so a
//! child's index is always greater than its parent's, and every node but the
//! root is the child of exactly one node: the table is a tree, read back
//! last node first with no recursion. Reading checks all of that, and refuses
//! inline nesting deeper than [`MAX_READ_DEPTH`] whatever the format.

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::Arc;
use std::thread::LocalKey;

use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use skein_script::bytecode::FuncRef;

use super::{Dict, DictMap, IterState, Key, Kind, List, ModRef, RangeObj, Str, TypeTag, Value};
use crate::value::{ErrorObj, TraceEntry};

/// Containers nested this deep inline are written as a node table.
pub const INLINE_DEPTH: u32 = 12;
/// A reader refuses values nested deeper than this inline (the writer never
/// goes past `INLINE_DEPTH` containers plus a table and its leaves).
pub const MAX_READ_DEPTH: u32 = 2 * INLINE_DEPTH + 16;

thread_local! {
    static WRITE_DEPTH: Cell<u32> = const { Cell::new(0) };
    static READ_DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// One level of nesting on a thread's counter, given back on drop (also when
/// serde bails out with an error).
struct Depth(&'static LocalKey<Cell<u32>>);

impl Depth {
    /// Enters a level; also returns how many levels were open before.
    fn enter(key: &'static LocalKey<Cell<u32>>) -> (Depth, u32) {
        let outer = key.with(|c| {
            let d = c.get();
            c.set(d.saturating_add(1));
            d
        });
        (Depth(key), outer)
    }
}

impl Drop for Depth {
    fn drop(&mut self) {
        self.0.with(|c| c.set(c.get().saturating_sub(1)));
    }
}

/// Whether `v` holds other values (and so counts as a level of nesting).
fn has_children(v: &Value) -> bool {
    match v {
        Value::List(_) | Value::Dict(_) | Value::Error(_) | Value::Method(_) => true,
        Value::Iter(it) => matches!(
            **it,
            IterState::List { .. } | IterState::DictKeys { .. } | IterState::DictItems { .. }
        ),
        _ => false,
    }
}

/// `Value` as written: its variants in the same order and with the same
/// names as the derived form, plus the node table last.
#[derive(Serialize)]
#[serde(rename = "Value")]
enum Out<'a> {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a Arc<Str>),
    List(&'a Arc<List>),
    Dict(&'a Arc<Dict>),
    Range(&'a Arc<RangeObj>),
    Function(&'a FuncRef),
    Builtin(u16),
    Native(u32),
    Module(ModRef),
    Type(TypeTag),
    Error(&'a Arc<ErrorObj>),
    Tasklet(u64),
    Channel(u64),
    Method(&'a Arc<(Value, Arc<str>)>),
    Iter(&'a Arc<IterState>),
    Unbound,
    Deep { nodes: Vec<Node<'a>> },
}

/// `Value` as read; mirrors [`Out`].
#[derive(Deserialize)]
#[serde(rename = "Value")]
enum In {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<Str>),
    List(Arc<List>),
    Dict(Arc<Dict>),
    Range(Arc<RangeObj>),
    Function(FuncRef),
    Builtin(u16),
    Native(u32),
    Module(ModRef),
    Type(TypeTag),
    Error(Arc<ErrorObj>),
    Tasklet(u64),
    Channel(u64),
    Method(Arc<(Value, Arc<str>)>),
    Iter(Arc<IterState>),
    Unbound,
    Deep { nodes: Vec<Node<'static>> },
}

/// One node of a `Deep` table; children are indices of later nodes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "FlatNode")]
enum Node<'a> {
    /// A value that holds no values.
    Leaf(Cow<'a, Value>),
    List {
        items: Vec<u32>,
        size: u64,
    },
    /// Entries in order: key, then the nodes of the key as written and of
    /// the value.
    Dict {
        entries: Vec<(Key, u32, u32)>,
        size: u64,
    },
    Error {
        kind: Kind,
        args: Vec<u32>,
        traceback: Cow<'a, [TraceEntry]>,
    },
    Method {
        recv: u32,
        name: Arc<str>,
    },
    /// A loop iterator over a list; `list` must be a `List` node.
    IterList {
        list: u32,
        next: usize,
    },
    /// A loop iterator over a dict's keys; `dict` must be a `Dict` node.
    IterDictKeys {
        dict: u32,
        next: usize,
    },
    /// A loop iterator over a dict's items; `dict` must be a `Dict` node.
    IterDictItems {
        dict: u32,
        next: usize,
    },
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if !has_children(self) {
            return out(self).serialize(s);
        }
        let (_level, outer) = Depth::enter(&WRITE_DEPTH);
        if outer >= INLINE_DEPTH {
            let nodes = flatten(self).map_err(S::Error::custom)?;
            return Out::Deep { nodes }.serialize(s);
        }
        out(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (_level, outer) = Depth::enter(&READ_DEPTH);
        if outer >= MAX_READ_DEPTH {
            return Err(D::Error::custom(format!(
                "value nested deeper than {MAX_READ_DEPTH} levels inline"
            )));
        }
        Ok(match In::deserialize(d)? {
            In::None => Value::None,
            In::Bool(b) => Value::Bool(b),
            In::Int(i) => Value::Int(i),
            In::Float(f) => Value::Float(f),
            In::Str(s) => Value::Str(s),
            In::List(l) => Value::List(l),
            In::Dict(m) => Value::Dict(m),
            In::Range(r) => Value::Range(r),
            In::Function(f) => Value::Function(f),
            In::Builtin(i) => Value::Builtin(i),
            In::Native(i) => Value::Native(i),
            In::Module(m) => Value::Module(m),
            In::Type(t) => Value::Type(t),
            In::Error(e) => Value::Error(e),
            In::Tasklet(t) => Value::Tasklet(t),
            In::Channel(c) => Value::Channel(c),
            In::Method(m) => Value::Method(m),
            In::Iter(it) => Value::Iter(it),
            In::Unbound => Value::Unbound,
            In::Deep { nodes } => unflatten(nodes).map_err(D::Error::custom)?,
        })
    }
}

fn out(v: &Value) -> Out<'_> {
    match v {
        Value::None => Out::None,
        Value::Bool(b) => Out::Bool(*b),
        Value::Int(i) => Out::Int(*i),
        Value::Float(f) => Out::Float(*f),
        Value::Str(s) => Out::Str(s),
        Value::List(l) => Out::List(l),
        Value::Dict(d) => Out::Dict(d),
        Value::Range(r) => Out::Range(r),
        Value::Function(f) => Out::Function(f),
        Value::Builtin(i) => Out::Builtin(*i),
        Value::Native(i) => Out::Native(*i),
        Value::Module(m) => Out::Module(*m),
        Value::Type(t) => Out::Type(*t),
        Value::Error(e) => Out::Error(e),
        Value::Tasklet(t) => Out::Tasklet(*t),
        Value::Channel(c) => Out::Channel(*c),
        Value::Method(m) => Out::Method(m),
        Value::Iter(it) => Out::Iter(it),
        Value::Unbound => Out::Unbound,
    }
}

/// Something waiting for its node: a value, or the list or dict inside an
/// iterator.
#[derive(Clone, Copy)]
enum Item<'a> {
    Value(&'a Value),
    List(&'a List),
    Dict(&'a Dict),
}

/// Queues `item` as a node and returns its index.
fn child<'a>(order: &mut Vec<Item<'a>>, item: Item<'a>) -> Result<u32, String> {
    let i = u32::try_from(order.len()).map_err(|_| "value has too many parts to write")?;
    order.push(item);
    Ok(i)
}

fn list_node<'a>(l: &'a List, order: &mut Vec<Item<'a>>) -> Result<Node<'a>, String> {
    let items = l
        .items
        .iter()
        .map(|v| child(order, Item::Value(v)))
        .collect::<Result<_, _>>()?;
    Ok(Node::List {
        items,
        size: l.size,
    })
}

fn dict_node<'a>(d: &'a Dict, order: &mut Vec<Item<'a>>) -> Result<Node<'a>, String> {
    let entries = d
        .map
        .iter()
        .map(|(key, (k, v))| {
            Ok((
                key.clone(),
                child(order, Item::Value(k))?,
                child(order, Item::Value(v))?,
            ))
        })
        .collect::<Result<_, String>>()?;
    Ok(Node::Dict {
        entries,
        size: d.size,
    })
}

/// The node table of `root`, breadth-first, built with a queue.
fn flatten(root: &Value) -> Result<Vec<Node<'_>>, String> {
    let mut order = vec![Item::Value(root)];
    let mut nodes = Vec::new();
    let mut next = 0;
    while let Some(&item) = order.get(next) {
        next += 1;
        let node = match item {
            Item::List(l) => list_node(l, &mut order)?,
            Item::Dict(d) => dict_node(d, &mut order)?,
            Item::Value(v) => match v {
                Value::List(l) => list_node(l, &mut order)?,
                Value::Dict(d) => dict_node(d, &mut order)?,
                Value::Error(e) => Node::Error {
                    kind: e.kind,
                    args: e
                        .args
                        .iter()
                        .map(|a| child(&mut order, Item::Value(a)))
                        .collect::<Result<_, _>>()?,
                    traceback: Cow::Borrowed(&e.traceback),
                },
                Value::Method(m) => Node::Method {
                    recv: child(&mut order, Item::Value(&m.0))?,
                    name: m.1.clone(),
                },
                Value::Iter(it) => match &**it {
                    IterState::List { list, next } => Node::IterList {
                        list: child(&mut order, Item::List(list))?,
                        next: *next,
                    },
                    IterState::DictKeys { dict, next } => Node::IterDictKeys {
                        dict: child(&mut order, Item::Dict(dict))?,
                        next: *next,
                    },
                    IterState::DictItems { dict, next } => Node::IterDictItems {
                        dict: child(&mut order, Item::Dict(dict))?,
                        next: *next,
                    },
                    _ => Node::Leaf(Cow::Borrowed(v)),
                },
                _ => Node::Leaf(Cow::Borrowed(v)),
            },
        };
        nodes.push(node);
    }
    Ok(nodes)
}

/// Takes built node `c` for its parent `parent`: it must come later in the
/// table and not be taken yet.
fn take(built: &mut [Option<Value>], parent: usize, c: u32) -> Result<Value, String> {
    let c = c as usize;
    if c <= parent || c >= built.len() {
        return Err(format!(
            "flat value: node {parent} refers to node {c}, not a later node of the {}",
            built.len()
        ));
    }
    built[c]
        .take()
        .ok_or_else(|| format!("flat value: node {c} is the child of more than one node"))
}

fn take_all(
    built: &mut [Option<Value>],
    parent: usize,
    cs: Vec<u32>,
) -> Result<Vec<Value>, String> {
    cs.into_iter().map(|c| take(built, parent, c)).collect()
}

/// Rebuilds the value of a node table, last node first.
fn unflatten(nodes: Vec<Node<'_>>) -> Result<Value, String> {
    if nodes.is_empty() {
        return Err("flat value: the node table is empty".into());
    }
    let mut built: Vec<Option<Value>> = vec![None; nodes.len()];
    for (i, node) in nodes.into_iter().enumerate().rev() {
        let v = match node {
            Node::Leaf(v) => {
                let v = v.into_owned();
                if has_children(&v) {
                    return Err(format!("flat value: leaf node {i} holds other values"));
                }
                v
            }
            Node::List { items, size } => {
                let items = take_all(&mut built, i, items)?;
                Value::List(Arc::new(List { items, size }))
            }
            Node::Dict { entries, size } => {
                let mut map = DictMap::with_capacity_and_hasher(entries.len(), Default::default());
                for (key, k, v) in entries {
                    let k = take(&mut built, i, k)?;
                    let v = take(&mut built, i, v)?;
                    map.insert(key, (k, v));
                }
                Value::Dict(Arc::new(Dict { map, size }))
            }
            Node::Error {
                kind,
                args,
                traceback,
            } => Value::Error(Arc::new(ErrorObj {
                kind,
                args: take_all(&mut built, i, args)?,
                traceback: traceback.into_owned(),
            })),
            Node::Method { recv, name } => {
                Value::Method(Arc::new((take(&mut built, i, recv)?, name)))
            }
            Node::IterList { list, next } => match take(&mut built, i, list)? {
                Value::List(list) => Value::Iter(Arc::new(IterState::List { list, next })),
                _ => {
                    return Err(format!(
                        "flat value: node {i} iterates a node that is no list"
                    ));
                }
            },
            Node::IterDictKeys { dict, next } => match take(&mut built, i, dict)? {
                Value::Dict(dict) => Value::Iter(Arc::new(IterState::DictKeys { dict, next })),
                _ => {
                    return Err(format!(
                        "flat value: node {i} iterates a node that is no dict"
                    ));
                }
            },
            Node::IterDictItems { dict, next } => match take(&mut built, i, dict)? {
                Value::Dict(dict) => Value::Iter(Arc::new(IterState::DictItems { dict, next })),
                _ => {
                    return Err(format!(
                        "flat value: node {i} iterates a node that is no dict"
                    ));
                }
            },
        };
        built[i] = Some(v);
    }
    if let Some(unused) = built.iter().skip(1).position(Option::is_some) {
        return Err(format!(
            "flat value: node {} is the child of no node",
            unused + 1
        ));
    }
    built[0]
        .take()
        .ok_or_else(|| "flat value: the root node is missing".into())
}

#[cfg(test)]
#[path = "serde_flat_tests.rs"]
mod tests;
