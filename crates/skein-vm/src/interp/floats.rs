//! The float cases of the arithmetic and comparison instructions: a float
//! with a float (or an int beside a float, which Python converts) gives a
//! float without going through `ops::binary`, its operand clones and its
//! context. Only results that cannot raise are taken here (`+ - *`, and
//! `/` by a non-zero divisor); everything else, and every comparison that
//! mixes an int and a float (Python compares those exactly, not as
//! floats), is left to the general path, which gives the same results and
//! messages. Two floats compare through the ints' table (`ordered_cmp`):
//! with a NaN only `!=` holds, as in Python.

use skein_script::bytecode::{Arg, BinOp, CmpOp, Const, Dst};

use super::regs::{Regs, ordered_cmp};
use super::stack::pop_plain;
use crate::value::Value;

/// `x op y` on floats when it cannot raise.
#[inline(always)]
fn float_arith(op: BinOp, x: f64, y: f64) -> Option<f64> {
    match op {
        BinOp::Add => Some(x + y),
        BinOp::Sub => Some(x - y),
        BinOp::Mul => Some(x * y),
        BinOp::Div if y != 0.0 => Some(x / y),
        _ => None,
    }
}

/// A numeric operand read for the float path.
#[derive(Clone, Copy)]
enum F {
    Float(f64),
    Int(i64),
}

#[inline(always)]
fn of_value(v: Option<&Value>) -> Option<F> {
    match v {
        Some(Value::Float(x)) => Some(F::Float(*x)),
        Some(Value::Int(i)) => Some(F::Int(*i)),
        _ => None,
    }
}

/// Both operands as floats when at least one is a float and the other a
/// float or an int.
#[inline(always)]
fn pair(a: Option<F>, b: Option<F>) -> Option<(f64, f64)> {
    match (a?, b?) {
        (F::Float(x), F::Float(y)) => Some((x, y)),
        (F::Float(x), F::Int(j)) => Some((x, j as f64)),
        (F::Int(i), F::Float(y)) => Some((i as f64, y)),
        (F::Int(_), F::Int(_)) => None,
    }
}

/// The top two values of the stack as floats (see [`pair`]).
#[inline(always)]
fn top_pair(stack: &[Value]) -> Option<(f64, f64)> {
    match stack {
        [.., a, b] => pair(of_value(Some(a)), of_value(Some(b))),
        _ => None,
    }
}

/// Both operands of a comparison as floats, only when both are floats.
#[inline(always)]
fn both_floats(a: Option<&Value>, b: Option<&Value>) -> Option<(f64, f64)> {
    match (a?, b?) {
        (Value::Float(x), Value::Float(y)) => Some((*x, *y)),
        _ => None,
    }
}

impl Regs<'_> {
    /// The operand for the float path; `pos` is where a popped one sits.
    #[inline(always)]
    fn num(self, stack: &[Value], arg: Arg, pos: usize) -> Option<F> {
        match arg {
            Arg::Int(k) => Some(F::Int(i64::from(k))),
            Arg::Local(i) => of_value(stack.get(self.base + i as usize)),
            Arg::Pop => of_value(stack.get(pos)),
            Arg::Const(c) => match self.func.consts.get(c as usize) {
                Some(Const::Float(x)) => Some(F::Float(*x)),
                Some(Const::Int(k)) => Some(F::Int(*k)),
                _ => None,
            },
        }
    }

    /// The operand for a float comparison: a float only.
    #[inline(always)]
    fn float(self, stack: &[Value], arg: Arg, pos: usize) -> Option<f64> {
        match self.num(stack, arg, pos)? {
            F::Float(x) => Some(x),
            F::Int(_) => None,
        }
    }

    /// `Bin` (any shape) on floats: done and `true`; `false`, nothing
    /// changed, for any other operands. Out of line, as everything the
    /// int paths do not need: inlined, it costs the dispatch loop registers
    /// on every instruction.
    #[inline(never)]
    pub fn float_bin(self, stack: &mut Vec<Value>, op: BinOp, dst: Dst, a: Arg, b: Arg) -> bool {
        let n = stack.len().saturating_sub(a.pops() + b.pops());
        let x = self.num(stack, a, n);
        let y = self.num(stack, b, n + a.pops());
        let Some(r) = pair(x, y).and_then(|(x, y)| float_arith(op, x, y)) else {
            return false;
        };
        // Popped operands are numbers: they own nothing to drop.
        while stack.len() > n && pop_plain(stack) {}
        match dst {
            Dst::Push => stack.push(Value::Float(r)),
            Dst::Local(d) => {
                if let Some(slot) = stack.get_mut(self.base + d as usize) {
                    *slot = Value::Float(r);
                }
            }
        }
        true
    }

    /// `JumpCmp` (any shape) on two floats: the comparison's result, its
    /// popped operands popped; `None`, nothing changed, otherwise.
    #[inline(never)]
    pub fn float_cmp_pop(self, stack: &mut Vec<Value>, op: CmpOp, a: Arg, b: Arg) -> Option<bool> {
        let n = stack.len().saturating_sub(a.pops() + b.pops());
        let x = self.float(stack, a, n)?;
        let y = self.float(stack, b, n + a.pops())?;
        let r = ordered_cmp(op, x, y)?;
        while stack.len() > n && pop_plain(stack) {}
        Some(r)
    }
}

/// `Binary` on the top two values when they are floats (or an int and a
/// float): done and `true`; `false`, nothing changed, otherwise.
#[inline(never)]
pub(super) fn binary_top(stack: &mut Vec<Value>, op: BinOp) -> bool {
    let Some(r) = top_pair(stack).and_then(|(x, y)| float_arith(op, x, y)) else {
        return false;
    };
    pop_plain(stack);
    if let Some(top) = stack.last_mut() {
        *top = Value::Float(r);
    }
    true
}

/// `Compare` on the top two values when both are floats: done and `true`;
/// `false`, nothing changed, otherwise.
#[inline(never)]
pub(super) fn compare_top(stack: &mut Vec<Value>, op: CmpOp) -> bool {
    let r = match stack.as_slice() {
        [.., a, b] => both_floats(Some(a), Some(b)).and_then(|(x, y)| ordered_cmp(op, x, y)),
        _ => None,
    };
    let Some(r) = r else {
        return false;
    };
    pop_plain(stack);
    if let Some(top) = stack.last_mut() {
        *top = Value::Bool(r);
    }
    true
}
