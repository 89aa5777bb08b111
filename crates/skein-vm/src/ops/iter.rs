//! Unpacking and `for` loop iteration over snapshots of values.

use std::sync::Arc;

use super::index::{range_item, range_len};
use crate::context::Cx;
use crate::errors::{check_size, type_error, value_error};
use crate::format::type_name;
use crate::value::{Dict, IterState, Value};

/// The items of an iterable value (list, str, range, dict keys), or the
/// `not iterable` error. `what` builds the error for other values.
pub fn items_of(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l) => Some(l.items.clone()),
        Value::Str(s) => Some(s.chars().map(|c| Value::str(c.to_string())).collect()),
        Value::Range(r) => Some(
            (0..range_len(r))
                .map(|i| Value::Int(range_item(r, i)))
                .collect(),
        ),
        Value::Dict(d) => Some(d.map.values().map(|(k, _)| k.clone()).collect()),
        _ => None,
    }
}

/// Refuses to materialise an iterable with more items than the size limit
/// allows (`list(range(10**18))` is a `MemoryError`, not a hang).
pub fn check_len(v: &Value, cx: &Cx) -> Result<(), Value> {
    match v {
        Value::Range(r) => check_size(range_len(r), cx.limits.size_limit),
        _ => Ok(()),
    }
}

/// The items of an iterable, or `'int' object is not iterable`; bounded by
/// the size limit (see [`check_len`]).
pub fn iter_items(v: &Value, cx: &Cx) -> Result<Vec<Value>, Value> {
    check_len(v, cx)?;
    items_of(v).ok_or_else(|| not_iterable(v))
}

/// Element `i` of the iterable given to `dict(...)` or `d.update(...)` as a
/// key and value: it must itself be an iterable of exactly two items.
pub fn update_pair(i: usize, p: &Value, cx: &Cx) -> Result<(Value, Value), Value> {
    check_len(p, cx)?;
    let kv = items_of(p).ok_or_else(|| {
        type_error(format!(
            "cannot convert dictionary update sequence element #{i} to a sequence"
        ))
    })?;
    match <[Value; 2]>::try_from(kv) {
        Ok([k, v]) => Ok((k, v)),
        Err(kv) => Err(value_error(format!(
            "dictionary update sequence element #{i} has length {}; 2 is required",
            kv.len()
        ))),
    }
}

/// The number of items `items_of` would give, without making them.
pub fn len_of(v: &Value) -> Option<u64> {
    match v {
        Value::List(l) => Some(l.items.len() as u64),
        Value::Str(s) => Some(s.char_len() as u64),
        Value::Range(r) => Some(range_len(r)),
        Value::Dict(d) => Some(d.map.len() as u64),
        _ => None,
    }
}

/// `'int' object is not iterable`.
pub fn not_iterable(v: &Value) -> Value {
    type_error(format!("'{}' object is not iterable", type_name(v)))
}

/// Unpacks a list, str or range of exactly `n` items, in order.
pub fn unpack(v: &Value, n: usize) -> Result<Vec<Value>, Value> {
    let Some(len) = len_of(v) else {
        return Err(type_error(format!(
            "cannot unpack non-iterable {} object",
            type_name(v)
        )));
    };
    if len < n as u64 {
        return Err(value_error(format!(
            "not enough values to unpack (expected {n}, got {len})"
        )));
    }
    if len > n as u64 {
        return Err(value_error(format!(
            "too many values to unpack (expected {n})"
        )));
    }
    Ok(items_of(v).unwrap_or_default())
}

/// `Unpack`: `unpack`'s items pushed onto `stack` last first, so the first
/// ends on top; a list of `n` items is read in place, with no vector made
/// between it and the stack.
pub fn unpack_onto(stack: &mut Vec<Value>, v: &Value, n: usize) -> Result<(), Value> {
    if let Value::List(l) = v
        && l.items.len() == n
    {
        stack.extend(l.items.iter().rev().cloned());
        return Ok(());
    }
    let items = unpack(v, n)?;
    stack.extend(items.into_iter().rev());
    Ok(())
}

/// `iter(v)` for a `for` loop: a `Value::Iter` over a snapshot of `v`.
pub fn get_iter(v: &Value) -> Result<Value, Value> {
    let st = match v {
        Value::List(l) => IterState::List {
            list: l.clone(),
            next: 0,
        },
        Value::Range(r) => IterState::Range {
            next: r.start,
            stop: r.stop,
            step: r.step,
        },
        Value::Str(s) => IterState::Str {
            s: s.clone(),
            next: 0,
        },
        Value::Dict(d) => IterState::DictKeys {
            dict: d.clone(),
            next: 0,
        },
        Value::Channel(id) => IterState::Channel(*id),
        Value::Iter(it) => return Ok(Value::Iter(it.clone())),
        other => return Err(not_iterable(other)),
    };
    Ok(Value::Iter(Arc::new(st)))
}

/// The next item, or `None` when exhausted. Never called for channels.
pub fn iter_next(it: &mut IterState) -> Option<Value> {
    match it {
        IterState::List { list, next } => {
            let v = list.items.get(*next)?.clone();
            *next += 1;
            Some(v)
        }
        IterState::Range { next, stop, step } => {
            let live = (*step > 0 && *next < *stop) || (*step < 0 && *next > *stop);
            if !live {
                return None;
            }
            let v = *next;
            // Past i64's end the range is over: park `next` on `stop`.
            *next = next.checked_add(*step).unwrap_or(*stop);
            Some(Value::Int(v))
        }
        IterState::Str { s, next } => {
            let c = s.get(*next..)?.chars().next()?;
            let at = *next;
            *next += c.len_utf8();
            Some(Value::char_str(s.get(at..*next)?))
        }
        IterState::DictKeys { dict, next } => {
            let (_, (k, _)) = dict.map.get_index(*next)?;
            *next += 1;
            Some(k.clone())
        }
        IterState::DictItems { dict, next } => {
            let (k, v) = next_pair(dict, next)?;
            Some(Value::list(vec![k, v]))
        }
        IterState::Channel(_) => None,
    }
}

/// `ItemsIter` on a dict: the lazy iterator over `d.items()`, charged and
/// bounded as the list `d.items()` builds would be (that list counts two
/// more per pair than the dict, see `Value::size`).
pub fn items_iter(d: &Arc<Dict>, cx: &mut Cx) -> Result<Value, Value> {
    let n = d.len() as u64;
    crate::context::charge(cx, n);
    check_size(
        d.size.saturating_add(n.saturating_mul(2)),
        cx.limits.size_limit,
    )?;
    Ok(Value::Iter(Arc::new(IterState::DictItems {
        dict: d.clone(),
        next: 0,
    })))
}

/// `ForPair`'s step over a dict's items iterator: `Some(Some((k, v)))`,
/// or `Some(None)` when it is exhausted; `None` for any other value, which
/// steps as `ForIter` does.
pub fn pair_step(top: &mut Value) -> Option<Option<(Value, Value)>> {
    let Value::Iter(it) = top else {
        return None;
    };
    if !matches!(**it, IterState::DictItems { .. }) {
        return None;
    }
    let IterState::DictItems { dict, next } = Arc::make_mut(it) else {
        return None;
    };
    Some(next_pair(dict, next))
}

/// The dict's entry at `*next` as key and value, moving `next` past it;
/// `None` once the entries are done.
#[inline]
fn next_pair(dict: &Dict, next: &mut usize) -> Option<(Value, Value)> {
    let (_, (k, v)) = dict.map.get_index(*next)?;
    *next += 1;
    Some((k.clone(), v.clone()))
}
