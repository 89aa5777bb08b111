//! Behaviour of the value types: constructors, the size measure of
//! docs/language.md's limit, dict keys, and a drop that never recurses.
//!
//! Size: `size(str)` is its UTF-8 byte length, `size(list)` is its length plus
//! the sizes of its items, `size(dict)` its length plus the sizes of its keys
//! and values, `size(error)` the sizes of its arguments; every other value
//! is 0. Lists and dicts cache theirs, so it is O(1) to ask.

use std::sync::{Arc, OnceLock};

use super::{Dict, ErrorObj, IterState, Key, List, Str, Value};

impl Value {
    /// A str value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(Arc::new(Str::new(s.into())))
    }

    /// A one-char str: an ASCII char is shared from a table made once (as
    /// CPython shares its one-char strings), so `s[i]` and `for c in s`
    /// allocate nothing for it.
    pub fn char_str(c: &str) -> Value {
        static ASCII: OnceLock<Vec<Arc<Str>>> = OnceLock::new();
        match c.as_bytes() {
            [b] if b.is_ascii() => {
                let table = ASCII.get_or_init(|| {
                    (0..128u8)
                        .map(|b| Arc::new(Str::new(char::from(b).to_string())))
                        .collect()
                });
                Value::Str(table[usize::from(*b)].clone())
            }
            _ => Value::str(c),
        }
    }

    /// A list value; its size is computed from the items' cached sizes.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(List::new(items)))
    }

    /// A dict value.
    pub fn dict(d: Dict) -> Value {
        Value::Dict(Arc::new(d))
    }

    /// The size of docs/language.md's limit (see above), in O(1) for containers.
    pub fn size(&self) -> u64 {
        match self {
            Value::Str(s) => s.len() as u64,
            Value::List(l) => l.size,
            Value::Dict(d) => d.size,
            // An error counts its arguments one level deep: a wrapped error
            // counts 1, so `ValueError(e)` chains cost O(1) here, and wrapping
            // shares (never copies) what the inner error holds.
            Value::Error(e) => e.args.iter().fold(0u64, |acc, a| {
                acc.saturating_add(match a {
                    Value::Error(_) => 1,
                    other => other.size(),
                })
            }),
            Value::Method(m) => m.0.size(),
            _ => 0,
        }
    }
}

impl List {
    /// A list with its size computed.
    pub fn new(items: Vec<Value>) -> List {
        let size = items
            .iter()
            .fold(items.len() as u64, |acc, v| acc.saturating_add(v.size()));
        List { items, size }
    }

    /// Appends `v`, keeping `size` right.
    pub fn push(&mut self, v: Value) {
        self.size = self.size.saturating_add(1 + v.size());
        self.items.push(v);
    }

    /// Inserts `v` at `i` (≤ len), keeping `size` right.
    pub fn insert(&mut self, i: usize, v: Value) {
        self.size = self.size.saturating_add(1 + v.size());
        self.items.insert(i, v);
    }

    /// Removes item `i` (< len), keeping `size` right.
    pub fn remove(&mut self, i: usize) -> Value {
        let v = self.items.remove(i);
        self.size = self.size.saturating_sub(1 + v.size());
        v
    }

    /// Replaces item `i` (< len), keeping `size` right.
    pub fn set(&mut self, i: usize, v: Value) {
        let add = v.size();
        let old = std::mem::replace(&mut self.items[i], v);
        self.size = self.size.saturating_sub(old.size()).saturating_add(add);
    }

    /// Recomputes `size` after the items were changed directly.
    pub fn recompute(&mut self) {
        self.size = self.items.iter().fold(self.items.len() as u64, |acc, v| {
            acc.saturating_add(v.size())
        });
    }
}

impl Dict {
    /// An empty dict.
    pub fn new() -> Dict {
        Dict::default()
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether it has no entries.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// `d[k] = v`. A new entry keeps `k` as written; an existing one keeps
    /// its first key (`{True: 1, 1: 2}` is `{True: 2}`).
    pub fn insert(&mut self, k: Value, v: Value) -> Result<(), Value> {
        let key = Key::from_value(&k)?;
        self.insert_key(key, k, v);
        Ok(())
    }

    /// `insert` with the key already converted.
    pub fn insert_key(&mut self, key: Key, k: Value, v: Value) {
        let add = v.size();
        match self.map.get_mut(&key) {
            Some(entry) => {
                let old = std::mem::replace(&mut entry.1, v);
                self.size = self.size.saturating_sub(old.size()).saturating_add(add);
            }
            None => {
                self.size = self.size.saturating_add(1 + k.size() + add);
                self.map.insert(key, (k, v));
            }
        }
    }

    /// The value under `key`.
    pub fn get(&self, key: &Key) -> Option<&Value> {
        self.map.get(key).map(|e| &e.1)
    }

    /// Removes an entry keeping insertion order of the rest.
    pub fn remove(&mut self, key: &Key) -> Option<(Value, Value)> {
        let (k, v) = self.map.shift_remove(key)?;
        self.size = self.size.saturating_sub(1 + k.size() + v.size());
        Some((k, v))
    }

    /// Recomputes `size` after entries were changed directly.
    pub fn recompute(&mut self) {
        self.size = self
            .map
            .values()
            .fold(self.map.len() as u64, |acc, (k, v)| {
                acc.saturating_add(k.size()).saturating_add(v.size())
            });
    }
}

impl Key {
    /// The key of a value: `None`, `bool` (as its int), `int` or `str`.
    pub fn from_value(v: &Value) -> Result<Key, Value> {
        match v {
            Value::None => Ok(Key::None),
            Value::Bool(b) => Ok(Key::Int(*b as i64)),
            Value::Int(i) => Ok(Key::Int(*i)),
            Value::Str(s) => Ok(Key::Str(s.clone())),
            Value::Float(f) => Err(crate::errors::type_error(format!(
                "float keys are not allowed: {}",
                crate::format::float_repr(*f)
            ))),
            other => Err(crate::errors::type_error(format!(
                "unhashable type: '{}'",
                crate::format::type_name(other)
            ))),
        }
    }

    /// The key as a value (an int key gives an int, never a bool).
    pub fn to_value(&self) -> Value {
        match self {
            Key::None => Value::None,
            Key::Int(i) => Value::Int(*i),
            Key::Str(s) => Value::Str(s.clone()),
        }
    }
}

/// Drops values without recursing on the host stack: containers that are
/// about to die hand their children to a worklist instead of dropping them.
pub(crate) fn drop_flat(mut work: Vec<Value>) {
    while let Some(v) = work.pop() {
        match v {
            Value::List(a) => {
                if let Some(mut l) = Arc::into_inner(a) {
                    work.append(&mut l.items);
                }
            }
            Value::Dict(a) => {
                if let Some(mut d) = Arc::into_inner(a) {
                    for (_, (k, v)) in std::mem::take(&mut d.map) {
                        work.push(k);
                        work.push(v);
                    }
                }
            }
            Value::Error(a) => {
                if let Some(mut e) = Arc::into_inner(a) {
                    work.append(&mut e.args);
                }
            }
            Value::Method(a) => {
                if let Some((recv, _)) = Arc::into_inner(a) {
                    work.push(recv);
                }
            }
            Value::Iter(a) => match Arc::into_inner(a) {
                Some(IterState::List { list, .. }) => work.push(Value::List(list)),
                Some(IterState::DictKeys { dict, .. } | IterState::DictItems { dict, .. }) => {
                    work.push(Value::Dict(dict))
                }
                _ => {}
            },
            _ => {}
        }
    }
}

fn is_container(v: &Value) -> bool {
    matches!(
        v,
        Value::List(_) | Value::Dict(_) | Value::Error(_) | Value::Method(_) | Value::Iter(_)
    )
}

impl Drop for List {
    fn drop(&mut self) {
        if self.items.iter().any(is_container) {
            drop_flat(std::mem::take(&mut self.items));
        }
    }
}

impl Drop for Dict {
    fn drop(&mut self) {
        if self.map.values().any(|(_, v)| is_container(v)) {
            let work = std::mem::take(&mut self.map)
                .into_values()
                .map(|(_, v)| v)
                .collect();
            drop_flat(work);
        }
    }
}

/// Errors can wrap errors (`ValueError(e)` in a loop), so dropping a long
/// chain must not recurse on the host stack any more than a deep list does.
impl Drop for ErrorObj {
    fn drop(&mut self) {
        if self.args.iter().any(|a| {
            !matches!(
                a,
                Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_)
            )
        }) {
            drop_flat(std::mem::take(&mut self.args));
        }
    }
}
