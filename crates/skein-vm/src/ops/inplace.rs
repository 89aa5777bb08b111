//! Augmented `+=` in place: appending to a str or list that nobody else
//! holds costs what is appended, not the whole value (docs/language.md, "What
//! things cost"). A shared value is copied first, as copy-on-write always does,
//! so the result is the same as `a + b` either way.

use std::sync::Arc;

use skein_script::bytecode::BinOp;

use super::arith::binary;
use crate::context::Cx;
use crate::context::charge;
use crate::errors::check_size;
use crate::value::Value;

/// `target += rhs`: in place for str + str and list + list, else `target + rhs`.
/// On error `target` is unchanged.
pub fn add_assign_in_place(target: &mut Value, rhs: &Value, cx: &mut Cx) -> Result<(), Value> {
    match (&mut *target, rhs) {
        (Value::Str(x), Value::Str(y)) => {
            check_size(x.len() as u64 + y.len() as u64, cx.limits.size_limit)?;
            charge(cx, y.len() as u64 / 16);
            Arc::make_mut(x).push_str(y);
            Ok(())
        }
        (Value::List(x), Value::List(y)) => {
            check_size(x.size.saturating_add(y.size), cx.limits.size_limit)?;
            charge(cx, y.items.len() as u64);
            let l = Arc::make_mut(x);
            l.items.extend(y.items.iter().cloned());
            l.size = l.size.saturating_add(y.size);
            Ok(())
        }
        _ => {
            *target = binary(BinOp::Add, target, rhs, cx)?;
            Ok(())
        }
    }
}

/// Whether two values are one shared str or list (so dropping one of them
/// may leave the other unshared).
pub fn same_container(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Arc::ptr_eq(x, y),
        (Value::List(x), Value::List(y)) => Arc::ptr_eq(x, y),
        _ => false,
    }
}

/// `a + b` where `a` is a value the operand stack alone holds (a
/// temporary, such as the left part of `"[" + s + "]"`): a str held by
/// nothing else grows in place instead of being copied into a new one, with
/// `binary`'s size check and fuel. `false` (nothing done) when `a` is not
/// such a str or `b` not a str.
pub fn append_to_temp(a: &mut Value, b: &Value, cx: &mut Cx) -> Result<bool, Value> {
    if let (Value::Str(x), Value::Str(y)) = (&mut *a, b)
        && let Some(s) = Arc::get_mut(x)
    {
        check_size(s.len() as u64 + y.len() as u64, cx.limits.size_limit)?;
        charge(cx, (s.len() + y.len()) as u64 / 16);
        s.push_str(y);
        return Ok(true);
    }
    Ok(false)
}
