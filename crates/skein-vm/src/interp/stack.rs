//! The small operations the dispatch loop does on the fiber between and
//! inside instructions: popping and peeking the operand stack, saving the
//! pc, deciding whether a return can skip `calls::return_from`, dropping a
//! frame's window, truthiness, and the errors of names that are not bound.

use crate::fiber::{Cont, Fiber, Frame};
use crate::kind::Kind;
use crate::value::Value;
use crate::{errors, ops};

/// Saves the current instruction pointer into the innermost frame.
#[inline]
pub(super) fn save_pc(frames: &mut [Frame], pc: usize) {
    if let Some(f) = frames.last_mut() {
        f.pc = pc as u32;
    }
}

#[inline]
pub(crate) fn pop(stack: &mut Vec<Value>) -> Value {
    // Verified bytecode never pops an empty stack; `Unbound` keeps a broken
    // save from panicking the host.
    // Not `unwrap_or`: its unused default would be dropped, a call per pop.
    match stack.pop() {
        Some(v) => v,
        None => Value::Unbound,
    }
}

#[inline]
pub(super) fn top(stack: &mut [Value]) -> &mut Value {
    let n = stack.len();
    &mut stack[n - 1]
}

/// Whether a return of the innermost frame can skip `calls::return_from`:
/// its value is pushed for a caller, and it has no handler left to pop.
// Always inlined: out of line it costs a fib call a dozen instructions.
#[inline(always)]
pub(super) fn plain_return(frames: &[Frame], fiber: &Fiber) -> bool {
    let depth = frames.len();
    depth > 1
        && frames.last().is_some_and(|f| f.ret == Cont::Push)
        && fiber
            .handlers()
            .last()
            .is_none_or(|h| (h.frame as usize) < depth - 1)
}

pub(crate) fn unbound_local(name: &str) -> Value {
    errors::error(
        Kind::UnboundLocalError,
        format!("cannot access local variable '{name}' where it is not associated with a value"),
    )
}

pub(crate) fn name_error(name: &str) -> Value {
    errors::error(Kind::NameError, format!("name '{name}' is not defined"))
}

/// Drops a returning frame's window. Windows are a few values, mostly ints,
/// so they are popped one by one inline, with no drop to run for a value
/// that owns nothing; the first that owns something sends the rest to
/// `truncate`.
#[inline(always)]
fn cut(stack: &mut Vec<Value>, len: usize) {
    while stack.len() > len {
        if !pop_plain(stack) {
            stack.truncate(len);
        }
    }
}

/// Drops a returning frame's window at `base` and leaves `v` on top in its
/// place. The window's first slot, when it has one, takes `v`: the stack
/// needs no capacity check, and the push it spares was not inlined.
#[inline(always)]
pub(super) fn return_value(stack: &mut Vec<Value>, base: usize, v: Value) {
    if stack.len() > base {
        cut(stack, base + 1);
        let last = stack.len() - 1;
        let old = std::mem::replace(&mut stack[last], v);
        if owns_nothing(&old) {
            std::mem::forget(old);
        }
    } else {
        stack.push(v);
    }
}

/// Python truthiness, with the common cases inline.
#[inline]
pub(super) fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::None => false,
        other => ops::truthy(other),
    }
}

/// Pops the top of the stack when it owns nothing (an int, a bool, a
/// function…), with no drop to run; `false`, nothing changed, otherwise.
#[inline(always)]
pub(super) fn pop_plain(stack: &mut Vec<Value>) -> bool {
    let plain = stack.last().is_some_and(owns_nothing);
    if plain && let Some(v) = stack.pop() {
        // It owns nothing: forgetting it drops nothing.
        std::mem::forget(v);
    }
    plain
}

/// Whether dropping `v` has nothing to do: an int, a bool, a function…
#[inline(always)]
pub(super) fn owns_nothing(v: &Value) -> bool {
    matches!(
        v,
        Value::Int(_)
            | Value::None
            | Value::Bool(_)
            | Value::Float(_)
            | Value::Function(_)
            | Value::Builtin(_)
            | Value::Unbound
    )
}
