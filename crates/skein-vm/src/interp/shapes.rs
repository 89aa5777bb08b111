//! The int cases of the shaped register instructions (`BinLL`, `BinPK`,
//! `PushLI`, `JumpLL`, …): each reads its operands from places fixed by its
//! variant, so none branches on an operand's kind. They return `false` or
//! `None`, with nothing changed, for any other operands; the dispatch loop
//! then runs the general instruction in `regs`, which gives the same
//! messages and adds in place.

use skein_script::bytecode::{BinOp, CmpOp, Const};

use super::regs::{Regs, int_arith, int_cmp, pop_int, push_int, set_int};
use crate::value::Value;

impl Regs<'_> {
    /// Local `i` when it holds an int.
    #[inline(always)]
    fn local_int(self, stack: &[Value], i: u16) -> Option<i64> {
        match stack.get(self.base + i as usize) {
            Some(Value::Int(x)) => Some(*x),
            _ => None,
        }
    }

    /// `consts[c]` when it is an int.
    #[inline(always)]
    fn const_int(self, c: u16) -> Option<i64> {
        match self.func.consts.get(c as usize) {
            Some(Const::Int(k)) => Some(*k),
            _ => None,
        }
    }

    /// The top of the stack when it holds an int.
    #[inline(always)]
    fn top_int(stack: &[Value]) -> Option<i64> {
        match stack.last() {
            Some(Value::Int(x)) => Some(*x),
            _ => None,
        }
    }

    /// Stores an int into local `d`.
    #[inline(always)]
    fn store_int(self, stack: &mut [Value], d: u16, r: i64) {
        if let Some(slot) = stack.get_mut(self.base + d as usize) {
            set_int(slot, r);
        }
    }

    /// `BinLL` on two ints.
    #[inline(always)]
    pub fn bin_ll(self, stack: &mut [Value], op: BinOp, d: u16, a: u16, b: u16) -> bool {
        let (Some(x), Some(y)) = (self.local_int(stack, a), self.local_int(stack, b)) else {
            return false;
        };
        let Some(r) = int_arith(op, x, y) else {
            return false;
        };
        self.store_int(stack, d, r);
        true
    }

    /// `BinLI` on an int.
    #[inline(always)]
    pub fn bin_li(self, stack: &mut [Value], op: BinOp, d: u16, a: u16, k: i16) -> bool {
        let Some(r) = self
            .local_int(stack, a)
            .and_then(|x| int_arith(op, x, i64::from(k)))
        else {
            return false;
        };
        self.store_int(stack, d, r);
        true
    }

    /// `BinPK` and `BinPI` on ints: the popped int op `k` into local `d`.
    #[inline(always)]
    pub fn bin_pop(self, stack: &mut Vec<Value>, op: BinOp, d: u16, k: Option<i64>) -> bool {
        let Some(r) = Self::top_int(stack)
            .zip(k)
            .and_then(|(x, y)| int_arith(op, x, y))
        else {
            return false;
        };
        pop_int(stack);
        self.store_int(stack, d, r);
        true
    }

    /// The int of `BinPK`'s constant, if it is one.
    #[inline(always)]
    pub fn pk(self, c: u16) -> Option<i64> {
        self.const_int(c)
    }

    /// `PushLL` on two ints.
    #[inline(always)]
    pub fn push_ll(self, stack: &mut Vec<Value>, op: BinOp, a: u16, b: u16) -> bool {
        let (Some(x), Some(y)) = (self.local_int(stack, a), self.local_int(stack, b)) else {
            return false;
        };
        let Some(r) = int_arith(op, x, y) else {
            return false;
        };
        push_int(stack, r);
        true
    }

    /// `PushLI` on an int.
    #[inline(always)]
    pub fn push_li(self, stack: &mut Vec<Value>, op: BinOp, a: u16, k: i16) -> bool {
        let Some(r) = self
            .local_int(stack, a)
            .and_then(|x| int_arith(op, x, i64::from(k)))
        else {
            return false;
        };
        push_int(stack, r);
        true
    }

    /// `JumpLL` on two ints: the comparison's result.
    #[inline(always)]
    pub fn cmp_ll(self, stack: &[Value], op: CmpOp, a: u16, b: u16) -> Option<bool> {
        int_cmp(op, self.local_int(stack, a)?, self.local_int(stack, b)?)
    }

    /// `JumpLI` on an int: the comparison's result.
    #[inline(always)]
    pub fn cmp_li(self, stack: &[Value], op: CmpOp, a: u16, k: i16) -> Option<bool> {
        int_cmp(op, self.local_int(stack, a)?, i64::from(k))
    }
}
