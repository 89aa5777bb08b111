//! `x += y` where `x` is a local, a global or a keyed place holding a str or
//! list: the place lets go of its reference before the add, so a value that
//! only the place held is appended to in place (`ops::add_assign_in_place`)
//! and `t += "ab"` in a loop is linear, not quadratic. The store that follows
//! the add runs in the same step, so no other tasklet and no save ever sees
//! the place between the two.

use skein_script::bytecode::Op;

use super::{Exec, cx, places, pop};
use crate::fiber::Fiber;
use crate::ops;
use crate::value::Value;

/// Runs `Binary(Add)` and the store after it (`next`) as one step when the
/// left operand is a str or list and the store writes a place: `None` when
/// that does not apply (nothing was touched), else the outcome, the store
/// done and one more unit of fuel charged for it.
pub(crate) fn add_then_store(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    at: places::PlaceFrame,
    next: Option<&Op>,
) -> Option<Result<(), Value>> {
    let n = fiber.stack.len();
    if *fuel < 1 || n < 2 || !matches!(fiber.stack[n - 2], Value::Str(_) | Value::List(_)) {
        return None;
    }
    let next = *next?;
    match next {
        Op::StoreLocal(_) | Op::StoreGlobal(_) => {}
        Op::StorePlace { depth, .. } if depth >= 1 => {}
        _ => return None,
    }
    *fuel -= 1;
    let b = pop(&mut fiber.stack);
    let mut a = pop(&mut fiber.stack);
    Some(run(ex, fiber, fuel, at, next, &mut a, &b))
}

fn run(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    at: places::PlaceFrame,
    store: Op,
    a: &mut Value,
    b: &Value,
) -> Result<(), Value> {
    // Let go of the place's copy, keeping it to put back if the add fails.
    let held = match store {
        Op::StoreLocal(i) => release(&mut fiber.stack[at.base + i as usize], a),
        Op::StoreGlobal(i) => release(&mut ex.globals.modules[at.module].values[i as usize], a),
        Op::StorePlace { base, depth } => {
            places::release_place(ex, fiber, fuel, at, base, depth, a)?
        }
        _ => false,
    };
    if let Err(e) = ops::add_assign_in_place(a, b, &mut cx!(ex, fuel)) {
        if held {
            put_back(ex, fiber, fuel, at, store, a.clone())?;
        }
        return Err(e);
    }
    put_back(
        ex,
        fiber,
        fuel,
        at,
        store,
        std::mem::replace(a, Value::None),
    )
}

/// Unbinds `slot` if it holds the same container as `a`; says whether it did.
fn release(slot: &mut Value, a: &Value) -> bool {
    if ops::same_container(slot, a) {
        *slot = Value::Unbound;
        return true;
    }
    false
}

/// The store instruction itself.
fn put_back(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    at: places::PlaceFrame,
    store: Op,
    v: Value,
) -> Result<(), Value> {
    match store {
        Op::StoreLocal(i) => fiber.stack[at.base + i as usize] = v,
        Op::StoreGlobal(i) => ex.globals.modules[at.module].values[i as usize] = v,
        Op::StorePlace { base, depth } => {
            fiber.stack.push(v);
            places::store_place(ex, fiber, fuel, at, base, depth)?;
        }
        _ => {}
    }
    Ok(())
}
