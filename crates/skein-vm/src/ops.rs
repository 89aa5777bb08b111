//! Operators on values with Python's semantics and messages: arithmetic,
//! comparison, truthiness, indexing, slicing, unpacking, iteration, and
//! writing through a place's key path copy-on-write.

use skein_script::bytecode::{BinOp, CmpOp, UnaryOp};

use crate::Cx;
use crate::value::{IterState, Value};

/// Python truthiness.
pub fn truthy(v: &Value) -> bool {
    let _ = v;
    todo!()
}

/// `a op b`. `%` on a str is printf-style formatting.
pub fn binary(op: BinOp, a: &Value, b: &Value, cx: &mut Cx) -> Result<Value, Value> {
    let _ = (op, a, b, cx);
    todo!()
}

/// `op a`.
pub fn unary(op: UnaryOp, a: &Value) -> Result<Value, Value> {
    let _ = (op, a);
    todo!()
}

/// Every comparison, `in`/`not in`, `is`/`is not`; returns a bool value.
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> Result<Value, Value> {
    let _ = (op, a, b);
    todo!()
}

/// `a[i]`.
pub fn index(a: &Value, i: &Value) -> Result<Value, Value> {
    let _ = (a, i);
    todo!()
}

/// `a[lo:hi:step]`; absent parts are `None`.
pub fn slice(a: &Value, lo: &Value, hi: &Value, step: &Value) -> Result<Value, Value> {
    let _ = (a, lo, hi, step);
    todo!()
}

/// Runs `f` on the value at `root[keys[0]]…[keys[n-1]]` (or `root` itself
/// for no keys), copying on write along the path, then fixes the cached
/// sizes of every container on the path and checks the size limit.
pub fn with_place<R>(
    root: &mut Value,
    keys: &[Value],
    cx: &mut Cx,
    f: &mut dyn FnMut(&mut Value, &mut Cx) -> Result<R, Value>,
) -> Result<R, Value> {
    let _ = (root, keys, cx, f);
    todo!()
}

/// `a[i] = v` on the container `a` itself (list item or dict entry).
pub fn store_index(a: &mut Value, i: Value, v: Value, cx: &mut Cx) -> Result<(), Value> {
    let _ = (a, i, v, cx);
    todo!()
}

/// `del a[i]`.
pub fn del_index(a: &mut Value, i: &Value) -> Result<(), Value> {
    let _ = (a, i);
    todo!()
}

/// Unpacks a list, str or range of exactly `n` items, in order.
pub fn unpack(v: &Value, n: usize) -> Result<Vec<Value>, Value> {
    let _ = (v, n);
    todo!()
}

/// `iter(v)` for a `for` loop: a `Value::Iter` over a snapshot of `v`.
pub fn get_iter(v: &Value) -> Result<Value, Value> {
    let _ = v;
    todo!()
}

/// The next item, or `None` when exhausted. Never called for channels.
pub fn iter_next(it: &mut IterState) -> Option<Value> {
    let _ = it;
    todo!()
}
