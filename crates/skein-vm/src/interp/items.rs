//! `a[k]` and `a[k] = v` on a list in a local with an int key, the keyed
//! place the kernels touch most (`cur[j + 1] = …`, `a[3] -= dx * bm`,
//! `cols[c] = True`): done inline in the dispatch loop when nothing else
//! needs looking at, so the common case pays no call into `places`, no
//! context for the size limit and no copy-on-write check beyond one count.
//! Anything else answers "not here" and the general path runs unchanged,
//! errors included.

use std::sync::Arc;

use crate::value::Value;

/// A value that owns nothing and counts nothing towards the size limit:
/// writing one over another leaves a list's cached size right and has no
/// drop to run.
#[inline(always)]
fn plain(v: &Value) -> bool {
    matches!(
        v,
        Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::None
    )
}

/// `LoadPlace` of local `slot` with one key: the item of a list by a
/// non-negative int in range, or `None` for every other case.
#[inline(always)]
pub(super) fn quick_item(stack: &[Value], slot: usize) -> Option<Value> {
    let (Some(Value::List(l)), Some(Value::Int(k))) = (stack.get(slot), stack.last()) else {
        return None;
    };
    usize::try_from(*k)
        .ok()
        .and_then(|i| l.items.get(i))
        .cloned()
}

/// `StorePlace` of local `slot` with one key, `[k, v] → []`: done here
/// when the list is held by nothing else (no copy to make), the key is a
/// non-negative int in range, and both `v` and the item it replaces are
/// plain (the size stays what it was). `false`, nothing changed, otherwise.
/// A list over the size limit (a save loaded under a smaller one) is left
/// to the general path, which raises as before.
#[inline(always)]
pub(super) fn quick_store(stack: &mut Vec<Value>, slot: usize, limit: u64) -> bool {
    let Some(at) = stack.len().checked_sub(2) else {
        return false;
    };
    let (lo, hi) = stack.split_at_mut(at);
    let (Some(Value::List(l)), [Value::Int(k), v]) = (lo.get_mut(slot), hi) else {
        return false;
    };
    if !plain(v) || l.size > limit {
        return false;
    }
    let Some(list) = Arc::get_mut(l) else {
        return false;
    };
    let Some(item) = usize::try_from(*k).ok().and_then(|i| list.items.get_mut(i)) else {
        return false;
    };
    if !plain(item) {
        return false;
    }
    std::mem::swap(item, v);
    // The key and the replaced item own nothing: forgetting them drops
    // nothing, with no drop code to run.
    for _ in 0..2 {
        if let Some(x) = stack.pop() {
            std::mem::forget(x);
        }
    }
    true
}
