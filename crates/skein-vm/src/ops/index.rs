//! Indexing, slicing (ranges slice to ranges), and writing through a
//! place's key path copy-on-write with exact cached sizes.

use std::sync::Arc;

use crate::context::Cx;
use crate::errors::{check_size, index_error, int_overflow, key_error, type_error, value_error};
use crate::format::type_name;
use crate::value::{Key, RangeObj, Str, Value};

/// The number of items of a range.
pub fn range_len(r: &RangeObj) -> u64 {
    let (start, stop, step) = (r.start as i128, r.stop as i128, r.step as i128);
    let n = if step > 0 && start < stop {
        (stop - start + step - 1) / step
    } else if step < 0 && start > stop {
        (start - stop - step - 1) / -step
    } else {
        0
    };
    n as u64
}

/// Item `i` (0-based, in bounds) of a range.
pub fn range_item(r: &RangeObj, i: u64) -> i64 {
    (r.start as i128 + i as i128 * r.step as i128) as i64
}

pub(super) fn range_index_of(r: &RangeObj, n: i64) -> Option<u64> {
    let off = n as i128 - r.start as i128;
    let step = r.step as i128;
    if off % step != 0 {
        return None;
    }
    let i = off / step;
    (i >= 0 && (i as u64) < range_len(r)).then_some(i as u64)
}

fn int_of(i: &Value) -> Option<i64> {
    match i {
        Value::Int(n) => Some(*n),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

/// Resolves a possibly negative index against `len`.
pub fn norm_index(i: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let j = if i < 0 { i.checked_add(len)? } else { i };
    (0..len).contains(&j).then_some(j as usize)
}

fn list_pos(len: usize, i: &Value, what: &str) -> Result<usize, Value> {
    let n = int_of(i).ok_or_else(|| {
        type_error(format!(
            "list indices must be integers or slices, not {}",
            type_name(i)
        ))
    })?;
    norm_index(n, len).ok_or_else(|| index_error(format!("list {what} out of range")))
}

/// The `n`th char of `s` (negative from the end), as a 1-char str, in O(1).
fn str_char(s: &Str, i: &Value) -> Result<Value, Value> {
    let n = int_of(i).ok_or_else(|| {
        type_error(format!(
            "string indices must be integers, not '{}'",
            type_name(i)
        ))
    })?;
    let k = norm_index(n, s.char_len()).ok_or_else(|| index_error("string index out of range"))?;
    Ok(Value::char_str(s.char_at(k)))
}

/// `a[i]`.
pub fn index(a: &Value, i: &Value) -> Result<Value, Value> {
    match a {
        Value::List(l) => Ok(l.items[list_pos(l.items.len(), i, "index")?].clone()),
        Value::Str(s) => str_char(s, i),
        Value::Dict(d) => match d.get(&Key::from_value(i)?) {
            Some(v) => Ok(v.clone()),
            None => Err(key_error(i.clone())),
        },
        Value::Range(r) => {
            let n = int_of(i).ok_or_else(|| {
                type_error(format!(
                    "range indices must be integers or slices, not {}",
                    type_name(i)
                ))
            })?;
            let len = range_len(r) as i128;
            let k = if n < 0 { n as i128 + len } else { n as i128 };
            if k < 0 || k >= len {
                return Err(index_error("range object index out of range"));
            }
            Ok(Value::Int(range_item(r, k as u64)))
        }
        other => Err(type_error(format!(
            "'{}' object is not subscriptable",
            type_name(other)
        ))),
    }
}

fn slice_part(v: &Value) -> Result<Option<i64>, Value> {
    match v {
        Value::None => Ok(None),
        other => int_of(other).map(Some).ok_or_else(|| {
            type_error("slice indices must be integers or None or have an __index__ method")
        }),
    }
}

/// Python's `slice.indices(len)`: (start, stop, step) clamped to the sequence.
pub fn slice_indices(
    len: usize,
    lo: Option<i64>,
    hi: Option<i64>,
    step: Option<i64>,
) -> Result<(i64, i64, i64), Value> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(value_error("slice step cannot be zero"));
    }
    let len = len as i64;
    let clamp = |v: Option<i64>, dflt: i64| -> i64 {
        match v {
            None => dflt,
            Some(v) if v < 0 => {
                let v = v.saturating_add(len);
                if v < 0 {
                    if step < 0 { -1 } else { 0 }
                } else {
                    v
                }
            }
            Some(v) if v >= len => {
                if step < 0 {
                    len - 1
                } else {
                    len
                }
            }
            Some(v) => v,
        }
    };
    if step > 0 {
        Ok((clamp(lo, 0), clamp(hi, len), step))
    } else {
        Ok((clamp(lo, len - 1), clamp(hi, -1), step))
    }
}

/// The positions a slice selects, in order.
fn slice_positions(start: i64, stop: i64, step: i64) -> impl Iterator<Item = usize> {
    let mut i = start;
    std::iter::from_fn(move || {
        if (step > 0 && i < stop) || (step < 0 && i > stop) {
            let r = i as usize;
            i += step;
            Some(r)
        } else {
            None
        }
    })
}

/// `a[lo:hi:step]`; absent parts are `None`.
pub fn slice(a: &Value, lo: &Value, hi: &Value, step: &Value) -> Result<Value, Value> {
    let (lo, hi, st) = (slice_part(lo)?, slice_part(hi)?, slice_part(step)?);
    match a {
        Value::List(l) => {
            let (s, e, k) = slice_indices(l.items.len(), lo, hi, st)?;
            let items = slice_positions(s, e, k)
                .map(|i| l.items[i].clone())
                .collect();
            Ok(Value::list(items))
        }
        Value::Str(text) => {
            let (s, e, k) = slice_indices(text.char_len(), lo, hi, st)?;
            if k == 1 {
                return Ok(Value::str(text.char_slice(s as usize, e.max(s) as usize)));
            }
            if text.is_ascii_text() {
                let b = text.as_bytes();
                let out: String = slice_positions(s, e, k).map(|i| b[i] as char).collect();
                return Ok(Value::str(out));
            }
            let out: String = slice_positions(s, e, k).map(|i| text.char_at(i)).collect();
            Ok(Value::str(out))
        }
        Value::Range(r) => {
            let len = range_len(r);
            let (s, e, k) = slice_indices(len as usize, lo, hi, st)?;
            let at = |i: i64| r.start as i128 + i as i128 * r.step as i128;
            let (start, stop, step) = (at(s), at(e), r.step as i128 * k as i128);
            let fit = |v: i128| i64::try_from(v).map_err(|_| int_overflow());
            Ok(Value::Range(Arc::new(RangeObj {
                start: fit(start)?,
                stop: fit(stop)?,
                step: fit(step)?,
            })))
        }
        Value::Dict(_) => Err(type_error("unhashable type: 'slice'")),
        other => Err(type_error(format!(
            "'{}' object is not subscriptable",
            type_name(other)
        ))),
    }
}

// Places.

/// Runs `f` on the value at `root[keys[0]]…[keys[n-1]]` (or `root` itself
/// for no keys), copying on write along the path, then fixes the cached
/// sizes of every container on the path and checks the size limit.
///
/// While `f` runs, `cx.limits.size_limit` is the room left for the value at
/// the place (the limit minus the rest of the root), so `f`'s own checks of
/// the limit are exact. A value over the room that `f` leaves there is a
/// `MemoryError` (the place keeps it).
pub fn with_place<R>(
    root: &mut Value,
    keys: &[Value],
    cx: &mut Cx,
    f: &mut dyn FnMut(&mut Value, &mut Cx) -> Result<R, Value>,
) -> Result<R, Value> {
    let limit = cx.limits.size_limit;
    let r = place_rec(root, keys, cx, f);
    cx.limits.size_limit = limit;
    let r = r?;
    check_size(root.size(), limit)?;
    Ok(r)
}

fn place_rec<R>(
    v: &mut Value,
    keys: &[Value],
    cx: &mut Cx,
    f: &mut dyn FnMut(&mut Value, &mut Cx) -> Result<R, Value>,
) -> Result<R, Value> {
    let Some((k, rest)) = keys.split_first() else {
        let room = cx.limits.size_limit;
        let r = f(v, cx)?;
        check_size(v.size(), room)?;
        return Ok(r);
    };
    match v {
        Value::List(arc) => {
            let pos = list_pos(arc.items.len(), k, "index")?;
            let l = Arc::make_mut(arc);
            let old = l.items[pos].size();
            let others = l.size.saturating_sub(old);
            cx.limits.size_limit = cx.limits.size_limit.saturating_sub(others);
            let r = place_rec(&mut l.items[pos], rest, cx, f);
            l.size = others.saturating_add(l.items[pos].size());
            r
        }
        Value::Dict(arc) => {
            let key = Key::from_value(k)?;
            if !arc.map.contains_key(&key) {
                return Err(key_error(k.clone()));
            }
            let d = Arc::make_mut(arc);
            let size = d.size;
            let Some(entry) = d.map.get_mut(&key) else {
                return Err(key_error(k.clone()));
            };
            let old = entry.1.size();
            let others = size.saturating_sub(old);
            cx.limits.size_limit = cx.limits.size_limit.saturating_sub(others);
            let r = place_rec(&mut entry.1, rest, cx, f);
            let new = entry.1.size();
            d.size = others.saturating_add(new);
            r
        }
        other => Err(type_error(format!(
            "'{}' object does not support item assignment",
            type_name(other)
        ))),
    }
}

/// `a[i] = v` on the container `a` itself (list item or dict entry).
pub fn store_index(a: &mut Value, i: Value, v: Value, cx: &mut Cx) -> Result<(), Value> {
    let limit = cx.limits.size_limit;
    match a {
        Value::List(arc) => {
            let pos = list_pos(arc.items.len(), &i, "assignment index")?;
            if counts_nothing(&v) && counts_nothing(&arc.items[pos]) {
                // A number over a number: the size stays what it was.
                debug_assert!(v.size() == 0 && arc.items[pos].size() == 0);
                check_size(arc.size, limit)?;
                Arc::make_mut(arc).items[pos] = v;
                return Ok(());
            }
            let new = arc.size - arc.items[pos].size() + v.size();
            check_size(new, limit)?;
            Arc::make_mut(arc).set(pos, v);
            Ok(())
        }
        Value::Dict(arc) => {
            let key = Key::from_value(&i)?;
            let new = match arc.map.get(&key) {
                Some((_, old)) => arc.size - old.size() + v.size(),
                None => arc.size + 1 + i.size() + v.size(),
            };
            check_size(new, limit)?;
            Arc::make_mut(arc).insert_key(key, i, v);
            Ok(())
        }
        other => Err(type_error(format!(
            "'{}' object does not support item assignment",
            type_name(other)
        ))),
    }
}

/// Whether `v` counts 0 towards the size limit whatever it holds (see
/// `Value::size`).
#[inline]
fn counts_nothing(v: &Value) -> bool {
    !matches!(
        v,
        Value::Str(_) | Value::List(_) | Value::Dict(_) | Value::Error(_) | Value::Method(_)
    )
}

/// `del a[i]`.
pub fn del_index(a: &mut Value, i: &Value) -> Result<(), Value> {
    match a {
        Value::List(arc) => {
            let pos = list_pos(arc.items.len(), i, "assignment index")?;
            Arc::make_mut(arc).remove(pos);
            Ok(())
        }
        Value::Dict(arc) => {
            let key = Key::from_value(i)?;
            if !arc.map.contains_key(&key) {
                return Err(key_error(i.clone()));
            }
            Arc::make_mut(arc).remove(&key);
            Ok(())
        }
        other => Err(type_error(format!(
            "'{}' object doesn't support item deletion",
            type_name(other)
        ))),
    }
}
