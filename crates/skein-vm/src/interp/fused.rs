//! Superinstructions found at run time: after an int local is loaded, the
//! next few instructions are looked at, and the common int sequences
//! (`i < 10`, `i < n` then a jump, `i + 1` stored back, `n - 1` pushed) run
//! as one step instead of three or four dispatches; likewise after an int
//! operation (`t = (a + b) % 7`) and a range loop's `for i in`.
//!
//! The bytecode is untouched, so saves, the verifier and the disassembler
//! see the same code. A sequence is only fused when each of its instructions
//! would succeed on the fast int path and the fuel covers all of them; each
//! still costs one unit of fuel, so a fiber stops at the same instruction
//! boundaries, with the same state, as without fusion. Otherwise the caller
//! runs the first instruction alone and the rest dispatch as usual.

use skein_script::bytecode::{BinOp, CmpOp, Op};

use super::dispatch::push_int;
use crate::value::Value;

/// `x op y` for the comparisons whose int result needs no other value.
#[inline]
pub(super) fn int_cmp(op: CmpOp, x: i64, y: i64) -> Option<bool> {
    match op {
        CmpOp::Eq => Some(x == y),
        CmpOp::Ne => Some(x != y),
        CmpOp::Lt => Some(x < y),
        CmpOp::Le => Some(x <= y),
        CmpOp::Gt => Some(x > y),
        CmpOp::Ge => Some(x >= y),
        _ => None,
    }
}

/// `x op y` for the operators the fast path handles; `None` on overflow or
/// for any other operator (the generic path then raises or handles it).
#[inline]
pub(super) fn int_arith(op: BinOp, x: i64, y: i64) -> Option<i64> {
    match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        // As `ops::arith` computes them; a zero divisor (an error) or
        // `MIN // -1` (an overflow) is left to the generic path.
        BinOp::FloorDiv if y != 0 => {
            let q = x.checked_div(y)?;
            Some(if x % y != 0 && ((x < 0) != (y < 0)) {
                q - 1
            } else {
                q
            })
        }
        BinOp::Mod if y != 0 => {
            let r = x.wrapping_rem(y);
            Some(if r != 0 && ((r < 0) != (y < 0)) {
                r + y
            } else {
                r
            })
        }
        BinOp::BitAnd => Some(x & y),
        BinOp::BitOr => Some(x | y),
        BinOp::BitXor => Some(x ^ y),
        _ => None,
    }
}

/// Runs the instructions after a `Binary` of two ints (already charged)
/// whose result is `r`, while the operands are still the top two values:
/// a store of the result (`total = a + b`), or a further operation with a
/// small literal, stored or left on the stack (`(a + b) % 7`). Returns the
/// next pc with the stack as the sequence leaves it; `None` when it did
/// nothing.
#[inline]
pub(super) fn after_int_binary(
    code: &[Op],
    pc: usize,
    stack: &mut Vec<Value>,
    base: usize,
    r: i64,
    fuel: &mut u64,
) -> Option<usize> {
    let rest = code.get(pc..)?;
    let n = stack.len().checked_sub(2)?;
    match *rest {
        [Op::StoreLocal(d), ..] if *fuel >= 1 => {
            // The operands go first: the slot may be below them only.
            let slot = base + d as usize;
            if slot >= n {
                return None;
            }
            *fuel -= 1;
            pop_two(stack);
            set_int(&mut stack[slot], r);
            Some(pc + 1)
        }
        [Op::SmallInt(k), Op::Binary(b), Op::StoreLocal(d), ..] if *fuel >= 3 => {
            let r = int_arith(b, r, i64::from(k))?;
            let slot = base + d as usize;
            if slot >= n {
                return None;
            }
            *fuel -= 3;
            pop_two(stack);
            set_int(&mut stack[slot], r);
            Some(pc + 3)
        }
        [Op::SmallInt(k), Op::Binary(b), ..] if *fuel >= 2 => {
            let r = int_arith(b, r, i64::from(k))?;
            *fuel -= 2;
            forget_int(stack);
            set_int(&mut stack[n], r);
            Some(pc + 2)
        }
        _ => None,
    }
}

/// Drops the top value, known to be an int, without reading it whole.
#[inline]
fn forget_int(stack: &mut Vec<Value>) {
    if let Some(v) = stack.pop() {
        std::mem::forget(v);
    }
}

#[inline]
fn pop_two(stack: &mut Vec<Value>) {
    forget_int(stack);
    forget_int(stack);
}

/// Stores an int into a slot, writing only the payload when the slot
/// already holds an int (no whole value read back after a partial write).
#[inline]
pub(super) fn set_int(slot: &mut Value, r: i64) {
    match slot {
        Value::Int(old) => *old = r,
        other => *other = Value::Int(r),
    }
}

/// Runs the instructions after a `LoadLocal` of the int `x` (the load itself
/// already charged) when they form a fusable sequence. Returns the next pc,
/// having charged the extra instructions to `fuel` and left the stack as the
/// sequence would; `None` when it did nothing.
#[inline]
pub(super) fn after_int_local(
    code: &[Op],
    pc: usize,
    stack: &mut Vec<Value>,
    base: usize,
    x: i64,
    fuel: &mut u64,
) -> Option<usize> {
    let rest = code.get(pc..)?;
    // The right operand: a small literal or another int local.
    let (y, rest) = match rest {
        [Op::SmallInt(k), rest @ ..] => (i64::from(*k), rest),
        [Op::LoadLocal(j), rest @ ..] => match stack.get(base + *j as usize) {
            Some(Value::Int(y)) => (*y, rest),
            _ => return None,
        },
        _ => return None,
    };
    match *rest {
        [Op::Compare(c), Op::JumpIfFalse(t), ..] if *fuel >= 3 => {
            let r = int_cmp(c, x, y)?;
            *fuel -= 3;
            Some(if r { pc + 3 } else { t as usize })
        }
        [Op::Binary(b), Op::StoreLocal(d), ..] if *fuel >= 3 => {
            let r = int_arith(b, x, y)?;
            let slot = stack.get_mut(base + d as usize)?;
            *fuel -= 3;
            set_int(slot, r);
            Some(pc + 3)
        }
        [Op::Binary(b), ..] if *fuel >= 2 => {
            let r = int_arith(b, x, y)?;
            *fuel -= 2;
            push_int(stack, r);
            Some(pc + 2)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use skein_script::loader::compile_str;

    use crate::Step;
    use crate::machine::{BufferHost, Machine};
    use crate::value::Value;

    /// Every fusable shape, plus the ones that must not fuse: an overflow,
    /// a float local, `is`, a store into an unbound slot, `return n` inside
    /// a `try`. No builtin is
    /// called (they charge fuel by the elements they touch, clamped at zero,
    /// so small fuel sizes would count differently for reasons of their own).
    const FUSABLE: &str = r#"
def f(n):
    i = 0
    s = 0
    while i < n:
        s = s + i
        t = i * 3
        if t >= 9:
            s += 1
        i += 1
    return s + t
def g(n):
    if n < 2:
        return n
    return g(n - 1) + g(n - 2)
def h(n):
    try:
        return n
    finally:
        n = 0
x = 2.5
y = x - 1
k = 9223372036854775806
a = k + 1
try:
    b = k + 2
except OverflowError:
    b = "overflow"
r = [f(10), y, x is None, x < 3, k > 2, g(10), h(7)]
"#;

    /// A range loop, floor division and modulo of both signs, bit operations
    /// and a division by zero. `range` charges fuel for its arguments, so
    /// only the results are compared across fuel sizes.
    const RANGE: &str = r#"
def m(a, b):
    t = 0
    for i in range(-7, 8):
        t = (t * 31 + i // 3 + i % 4 - (i & 5 | 2 ^ i)) % 1000003
        q = (a + i) // -2
        t = t + q % -3
    try:
        z = a // (b - b)
    except ZeroDivisionError:
        z = -1
    return t + z
r = m(5, 9)
"#;

    /// Fuel used and the final globals when stepping by `fuel` at a time.
    fn run_by(fuel: u64) -> (u64, Vec<Value>) {
        run_src_by(FUSABLE, fuel)
    }

    fn run_src_by(src: &str, fuel: u64) -> (u64, Vec<Value>) {
        let program = Arc::new(compile_str("main", src).expect("compiles"));
        let mut m = Machine::new(program, crate::Limits::default());
        let mut host = BufferHost::default();
        let mut used = 0;
        loop {
            let mut left = fuel;
            let mut vm = crate::Vm {
                program: &m.program,
                globals: &mut m.globals,
                limits: m.limits,
            };
            let step = crate::step(&mut vm, &mut m.fiber, &mut left, &mut host);
            used += fuel - left;
            match step {
                Step::OutOfFuel => {}
                Step::Done(_) => return (used, m.globals.modules[0].values.clone()),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn fused_sequences_charge_each_instruction_and_match_single_steps() {
        let (used1, globals1) = run_by(1);
        let text = format!("{globals1:?}");
        assert!(text.contains("Int(9223372036854775807)"), "{text}");
        assert!(text.contains(r#"Str("overflow")"#), "{text}");
        assert!(
            text.contains(
                "Int(79), Float(1.5), Bool(false), Bool(true), Bool(true), Int(55), Int(7)"
            ),
            "{text}"
        );
        for fuel in [2, 3, 4, 5, 1_000_000] {
            assert_eq!(run_by(fuel), (used1, globals1.clone()), "fuel {fuel}");
        }
    }

    #[test]
    fn fused_range_loops_and_division_match_python() {
        for fuel in [1, 2, 3, 4, 5, 1_000_000] {
            let (_, globals) = run_src_by(RANGE, fuel);
            // python3: m(5, 9) == 647023
            assert_eq!(globals.last(), Some(&Value::Int(647023)), "fuel {fuel}");
        }
    }
}
