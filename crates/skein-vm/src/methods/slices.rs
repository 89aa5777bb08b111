//! Slice assignment and deletion on lists (`a[i:j] = seq`, `a[::2] = seq`,
//! `del a[i:j:k]`), as Python does them; the compiler turns both into calls
//! of the hidden methods `__setslice__(lo, hi, step, value)` and
//! `__delslice__(lo, hi, step)` on the place, so they change it in place.

use std::sync::Arc;

use crate::context::Cx;
use crate::errors::{check_size, type_error, value_error};
use crate::format::type_name;
use crate::ops::{self, charge};
use crate::value::Value;

fn bound(v: &Value) -> Result<Option<i64>, Value> {
    match v {
        Value::None => Ok(None),
        Value::Int(i) => Ok(Some(*i)),
        Value::Bool(b) => Ok(Some(*b as i64)),
        _ => Err(type_error(
            "slice indices must be integers or None or have an __index__ method",
        )),
    }
}

/// The positions a slice selects, in its order.
fn positions(start: i64, stop: i64, step: i64) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        i += step;
    }
    out
}

pub(super) fn call(
    recv: &mut Value,
    name: &str,
    args: Vec<Value>,
    cx: &mut Cx,
) -> Result<Value, Value> {
    let set = name == "__setslice__";
    let Value::List(list) = recv else {
        return Err(match recv {
            Value::Dict(_) => type_error("unhashable type: 'slice'"),
            other => type_error(format!(
                "'{}' object does not support item {}",
                type_name(other),
                if set { "assignment" } else { "deletion" }
            )),
        });
    };
    let want = if set { 4 } else { 3 };
    if args.len() != want {
        return Err(type_error(format!("{name} expects {want} arguments")));
    }
    let (lo, hi, st) = (bound(&args[0])?, bound(&args[1])?, bound(&args[2])?);
    let len = list.items.len();
    let (start, stop, step) = ops::slice_indices(len, lo, hi, st)?;
    let new = if set {
        let v = &args[3];
        let items = ops::iter_items(v, cx).map_err(|_| {
            type_error(if step == 1 {
                "can only assign an iterable"
            } else {
                "must assign iterable to extended slice"
            })
        })?;
        Some(items)
    } else {
        None
    };
    charge(cx, len as u64);
    let at: Vec<usize> = if step == 1 {
        (start as usize..stop.max(start) as usize).collect()
    } else {
        positions(start, stop, step)
    };
    if let Some(items) = &new {
        let weigh = |vs: &mut dyn Iterator<Item = &Value>| {
            vs.fold(0u64, |acc, v| acc.saturating_add(1 + v.size()))
        };
        let added = weigh(&mut items.iter());
        let removed = weigh(&mut at.iter().map(|&i| &list.items[i]));
        check_size(
            list.size.saturating_sub(removed).saturating_add(added),
            cx.limits.size_limit,
        )?;
    }
    if step == 1 {
        let (a, b) = (start as usize, (stop.max(start)) as usize);
        let l = Arc::make_mut(list);
        match new {
            Some(items) => {
                l.items.splice(a..b, items);
            }
            None => {
                l.items.drain(a..b);
            }
        }
        l.recompute();
        return Ok(Value::None);
    }
    let l = Arc::make_mut(list);
    match new {
        Some(items) => {
            if items.len() != at.len() {
                return Err(value_error(format!(
                    "attempt to assign sequence of size {} to extended slice of size {}",
                    items.len(),
                    at.len()
                )));
            }
            for (i, v) in at.into_iter().zip(items) {
                l.items[i] = v;
            }
        }
        None => {
            let mut gone = vec![false; l.items.len()];
            for i in at {
                gone[i] = true;
            }
            let mut k = 0;
            l.items.retain(|_| {
                k += 1;
                !gone[k - 1]
            });
        }
    }
    l.recompute();
    Ok(Value::None)
}
