//! The register instructions (`Bin`, `JumpCmp`, `Move`, the range loop):
//! operands read straight from local slots, immediates and constants, and
//! results written straight into a slot. Two ints take a path that touches
//! nothing else; any other operands go through `ops`, with the messages
//! the stack instructions give.

use skein_script::bytecode::{Arg, BinOp, CmpOp, Const, Dst, Function, builtin_index};

use super::stack::{name_error, pop_plain, unbound_local};
use super::values::load_const;
use crate::context::Cx;
use crate::value::{TypeTag, Value};
use crate::{builtins, errors, ops};

/// Where a register instruction runs: the frame's code and window.
#[derive(Clone, Copy)]
pub(super) struct Regs<'f> {
    pub func: &'f Function,
    pub base: usize,
}

/// `x op y` for the comparisons whose int result needs no other value.
#[inline(always)]
pub(super) fn int_cmp(op: CmpOp, x: i64, y: i64) -> Option<bool> {
    ordered_cmp(op, x, y)
}

/// `x op y` for the six ordering and equality comparisons of two numbers
/// of one type; `None` for the others (`in`, `is`…), left to the general
/// path.
#[inline(always)]
pub(super) fn ordered_cmp<T: PartialOrd>(op: CmpOp, x: T, y: T) -> Option<bool> {
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
#[inline(always)]
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

impl Regs<'_> {
    /// The operand as an int, if it is one; `pos` is where a popped
    /// operand sits on the stack.
    #[inline(always)]
    fn int(self, stack: &[Value], arg: Arg, pos: usize) -> Option<i64> {
        let v = match arg {
            Arg::Int(k) => return Some(i64::from(k)),
            Arg::Local(i) => stack.get(self.base + i as usize),
            Arg::Pop => stack.get(pos),
            Arg::Const(c) => {
                return match self.func.consts.get(c as usize) {
                    Some(Const::Int(k)) => Some(*k),
                    _ => None,
                };
            }
        };
        match v {
            Some(Value::Int(x)) => Some(*x),
            _ => None,
        }
    }

    /// Both operands as ints, with where the first popped one sits.
    #[inline(always)]
    fn ints(self, stack: &[Value], a: Arg, b: Arg) -> (Option<(i64, i64)>, usize) {
        let n = stack.len().saturating_sub(a.pops() + b.pops());
        let pair = match (self.int(stack, a, n), self.int(stack, b, n + a.pops())) {
            (Some(x), Some(y)) => Some((x, y)),
            _ => None,
        };
        (pair, n)
    }

    /// Both operands as values, popping those that pop: `a` is read (and
    /// its unbound check made) before `b`, as the stack code did.
    fn values(
        self,
        stack: &mut Vec<Value>,
        a: Arg,
        b: Arg,
        cx: &mut Cx,
    ) -> Result<(Value, Value), Value> {
        let popped_b = if b == Arg::Pop {
            super::pop(stack)
        } else {
            Value::Unbound
        };
        let popped_a = if a == Arg::Pop {
            super::pop(stack)
        } else {
            Value::Unbound
        };
        let va = self.value(stack, a, popped_a, cx)?;
        let vb = self.value(stack, b, popped_b, cx)?;
        Ok((va, vb))
    }

    /// The operand's value; `popped` is it when it was popped.
    fn value(self, stack: &[Value], arg: Arg, popped: Value, cx: &mut Cx) -> Result<Value, Value> {
        match arg {
            Arg::Pop => Ok(popped),
            Arg::Int(k) => Ok(Value::Int(i64::from(k))),
            Arg::Local(i) => match stack.get(self.base + i as usize) {
                Some(Value::Unbound) | None => Err(self.unbound(i)),
                Some(v) => Ok(v.clone()),
            },
            Arg::Const(c) => load_const(self.func, c, cx),
        }
    }

    pub fn unbound(self, i: u16) -> Value {
        unbound_local(
            self.func
                .local_names
                .get(i as usize)
                .map_or("?", String::as_str),
        )
    }

    /// Writes the result where `dst` says.
    #[inline]
    fn put(self, stack: &mut Vec<Value>, dst: Dst, v: Value) {
        match dst {
            Dst::Push => stack.push(v),
            Dst::Local(d) => {
                if let Some(slot) = stack.get_mut(self.base + d as usize) {
                    *slot = v;
                }
            }
        }
    }

    /// Writes an int result where `dst` says.
    #[inline(always)]
    fn put_int(self, stack: &mut Vec<Value>, dst: Dst, r: i64) {
        match dst {
            Dst::Push => push_int(stack, r),
            Dst::Local(d) => {
                if let Some(slot) = stack.get_mut(self.base + d as usize) {
                    set_int(slot, r);
                }
            }
        }
    }

    /// `Bin` on two ints whose result is an int: done, touching nothing
    /// else, and `true`; `false` (with nothing changed) for any other case.
    #[inline(always)]
    pub fn int_bin(self, stack: &mut Vec<Value>, op: BinOp, dst: Dst, a: Arg, b: Arg) -> bool {
        let (Some((x, y)), n) = self.ints(stack, a, b) else {
            return false;
        };
        let Some(r) = int_arith(op, x, y) else {
            return false;
        };
        match dst {
            // The first popped operand's slot takes the result in place.
            Dst::Push if n < stack.len() => {
                stack.truncate(n + 1);
                if let Some(slot) = stack.get_mut(n) {
                    set_int(slot, r);
                }
            }
            _ => {
                stack.truncate(n);
                self.put_int(stack, dst, r);
            }
        }
        true
    }

    /// `Bin`: `dst := a op b`, for any operands.
    pub fn bin(
        self,
        stack: &mut Vec<Value>,
        op: BinOp,
        dst: Dst,
        a: Arg,
        b: Arg,
        cx: &mut Cx,
    ) -> Result<(), Value> {
        if op == BinOp::Add
            && let (Dst::Local(d), Arg::Local(s)) = (dst, a)
            && d == s
        {
            return self.add_in_place(stack, d, b, cx);
        }
        let (mut va, vb) = self.values(stack, a, b, cx)?;
        if op == BinOp::Add && ops::append_to_temp(&mut va, &vb, cx)? {
            self.put(stack, dst, va);
            return Ok(());
        }
        let r = ops::binary(op, &va, &vb, cx)?;
        self.put(stack, dst, r);
        Ok(())
    }

    /// `x = x + y` (and `x += y`) on local `x`: the slot lets go of its value
    /// during the add, so a str or list that only `x` holds is appended to in
    /// place (`ops::add_assign_in_place`) and a `t += "ab"` loop is linear,
    /// not quadratic. A failed add leaves the slot as it was.
    fn add_in_place(
        self,
        stack: &mut Vec<Value>,
        d: u16,
        b: Arg,
        cx: &mut Cx,
    ) -> Result<(), Value> {
        let popped = if b == Arg::Pop {
            super::pop(stack)
        } else {
            Value::Unbound
        };
        let slot = self.base + d as usize;
        // `x` is read before `y`, as the general path reads them.
        if matches!(stack.get(slot), Some(Value::Unbound) | None) {
            return Err(self.unbound(d));
        }
        let vb = self.value(stack, b, popped, cx)?;
        let mut va = std::mem::replace(&mut stack[slot], Value::Unbound);
        let r = ops::add_assign_in_place(&mut va, &vb, cx);
        stack[slot] = va;
        r
    }

    /// `JumpCmp` on two ints: the comparison's result, its popped operands
    /// popped; `None` (with nothing changed) for any other operands.
    #[inline(always)]
    pub fn int_cmp_pop(self, stack: &mut Vec<Value>, op: CmpOp, a: Arg, b: Arg) -> Option<bool> {
        let (Some((x, y)), n) = self.ints(stack, a, b) else {
            return None;
        };
        let r = int_cmp(op, x, y)?;
        stack.truncate(n);
        Some(r)
    }

    /// `JumpCmp`: whether `(a op b)` is as truthy as `when`, for any operands.
    pub fn jump_cmp(
        self,
        stack: &mut Vec<Value>,
        op: CmpOp,
        a: Arg,
        b: Arg,
        when: bool,
        cx: &mut Cx,
    ) -> Result<bool, Value> {
        let (va, vb) = self.values(stack, a, b, cx)?;
        let r = ops::compare(op, &va, &vb)?;
        Ok(ops::truthy(&r) == when)
    }

    /// The operand of `ReturnArg` when it is a bound local or an int.
    #[inline(always)]
    pub fn take_quick(self, stack: &mut [Value], arg: Arg) -> Option<Value> {
        match arg {
            Arg::Int(k) => Some(Value::Int(i64::from(k))),
            Arg::Local(i) => match stack.get_mut(self.base + i as usize) {
                // The payload alone (see `LoadLocal` in `dispatch`).
                Some(Value::Int(x)) => Some(Value::Int(*x)),
                Some(Value::Unbound) | None => None,
                Some(v) => Some(v.clone()),
            },
            _ => None,
        }
    }

    /// `Move` of an int: done and `true`; else `false`, nothing changed.
    #[inline(always)]
    pub fn int_move(self, stack: &mut Vec<Value>, dst: u16, src: Arg) -> bool {
        let n = stack.len();
        let Some(x) = self.int(stack, src, n.saturating_sub(1)) else {
            return false;
        };
        stack.truncate(n - src.pops());
        self.put_int(stack, Dst::Local(dst), x);
        true
    }

    /// `Move`: `local dst := src`, for any operand.
    pub fn mov(self, stack: &mut Vec<Value>, dst: u16, src: Arg, cx: &mut Cx) -> Result<(), Value> {
        let popped = if src == Arg::Pop {
            super::pop(stack)
        } else {
            Value::Unbound
        };
        let v = self.value(stack, src, popped, cx)?;
        self.put(stack, Dst::Local(dst), v);
        Ok(())
    }

    /// `IndexLocal`: item `key` of the container in local `a`, read in
    /// place; `a` is checked for a binding before the key, as the loads
    /// it replaces did. (Out of line: see `floats::float_bin`.)
    #[inline(never)]
    pub fn index_local(
        self,
        stack: &[Value],
        a: u16,
        key: Arg,
        cx: &mut Cx,
    ) -> Result<Value, Value> {
        let c = match stack.get(self.base + a as usize) {
            Some(Value::Unbound) | None => return Err(self.unbound(a)),
            Some(c) => c,
        };
        self.item(stack, c, key, cx)
    }

    /// `IndexGlobal`: item `key` of `c`, the value of global `name`, read
    /// in place. Unbound, the global is the builtin of its name (which no
    /// key indexes) or `NameError`, before the key is read, as `LoadGlobal`.
    #[inline(never)]
    pub fn index_global(
        self,
        stack: &[Value],
        c: &Value,
        name: &str,
        key: Arg,
        cx: &mut Cx,
    ) -> Result<Value, Value> {
        if matches!(c, Value::Unbound) {
            let b = builtin_index(name).ok_or_else(|| name_error(name))?;
            return self.item(stack, &builtins::value_of(b), key, cx);
        }
        self.item(stack, c, key, cx)
    }

    /// `IndexLocalPop`: pops the key and reads that item of local `a`.
    #[inline(never)]
    pub fn index_pop(self, stack: &mut Vec<Value>, a: u16) -> Result<Value, Value> {
        let k = super::pop(stack);
        match stack.get(self.base + a as usize) {
            Some(Value::Unbound) | None => Err(self.unbound(a)),
            Some(c) => super::places::item(c, &k),
        }
    }

    /// Item `key` (never popped) of the container `c`. (Inlined into each
    /// caller: a call of its own costs `IndexLocal` a tenth more.)
    #[inline(always)]
    fn item(self, stack: &[Value], c: &Value, key: Arg, cx: &mut Cx) -> Result<Value, Value> {
        match key {
            Arg::Int(k) => super::places::item(c, &Value::Int(i64::from(k))),
            Arg::Local(i) => match stack.get(self.base + i as usize) {
                Some(Value::Unbound) | None => Err(self.unbound(i)),
                Some(k) => super::places::item(c, k),
            },
            // (A popped key is refused by the verifier.)
            Arg::Const(_) | Arg::Pop => {
                let k = self.value(stack, key, Value::Unbound, cx)?;
                super::places::item(c, &k)
            }
        }
    }

    /// The operand of `ReturnArg`.
    #[inline]
    pub fn take(self, stack: &mut Vec<Value>, arg: Arg, cx: &mut Cx) -> Result<Value, Value> {
        let popped = if arg == Arg::Pop {
            super::pop(stack)
        } else {
            Value::Unbound
        };
        self.value(stack, arg, popped, cx)
    }

    /// `ForPrep`: builds the range from its popped arguments (as the
    /// builtin `range` does, errors included), keeps its state in three
    /// slots and takes its first step. `false` when it is empty.
    pub fn for_prep(
        self,
        stack: &mut Vec<Value>,
        var: u16,
        state: u16,
        argc: u8,
        cx: &mut Cx,
    ) -> Result<bool, Value> {
        let at = stack.len().saturating_sub(argc as usize);
        // Int arguments with a step that is not zero (what `range` checks),
        // without the argument vector and the range object: charged as
        // `range` charges.
        let ints = match stack.get(at..) {
            Some([Value::Int(stop)]) => Some((0, *stop, 1)),
            Some([Value::Int(start), Value::Int(stop)]) => Some((*start, *stop, 1)),
            Some([Value::Int(start), Value::Int(stop), Value::Int(step)]) if *step != 0 => {
                Some((*start, *stop, *step))
            }
            _ => None,
        };
        let (start, stop, step) = match ints {
            Some(r) => {
                crate::context::charge(cx, u64::from(argc));
                stack.truncate(at);
                r
            }
            None => {
                let args = stack.split_off(at);
                let Value::Range(r) = builtins::call_type(TypeTag::Range, args, Vec::new(), cx)?
                else {
                    return Err(errors::fault("range() made no range"));
                };
                (r.start, r.stop, r.step)
            }
        };
        let s = self.base + state as usize;
        let Some(slots) = stack.get_mut(s..s + 3) else {
            return Err(broken_range());
        };
        slots[0] = Value::Int(start);
        slots[1] = Value::Int(stop);
        slots[2] = Value::Int(step);
        self.for_step(stack, var, state)
    }

    /// `ForLoop` (and `ForPrep`'s first step): the next item into `var`
    /// and the state moved on; `false` once the range is exhausted.
    #[inline(always)]
    pub fn for_step(self, stack: &mut [Value], var: u16, state: u16) -> Result<bool, Value> {
        let s = self.base + state as usize;
        let Some([Value::Int(next), Value::Int(stop), Value::Int(step)]) = stack.get_mut(s..s + 3)
        else {
            return Err(broken_range());
        };
        let cur = *next;
        let more = if *step > 0 { cur < *stop } else { cur > *stop };
        if !more {
            return Ok(false);
        }
        // Past the end of i64 there is nothing left to yield.
        *next = cur.checked_add(*step).unwrap_or(*stop);
        self.put_int_slot(stack, var, cur);
        Ok(true)
    }

    #[inline]
    fn put_int_slot(self, stack: &mut [Value], d: u16, r: i64) {
        if let Some(slot) = stack.get_mut(self.base + d as usize) {
            set_int(slot, r);
        }
    }
}

/// Pushes an int.
#[inline(always)]
pub(super) fn push_int(stack: &mut Vec<Value>, r: i64) {
    stack.push(Value::Int(r));
}

/// Pops the top of the stack, which the caller has seen to be an int, without
/// copying it out first: a 16-byte copy of a slot just written as a tag and
/// a payload stalls on store forwarding.
#[inline(always)]
pub(super) fn pop_int(stack: &mut Vec<Value>) {
    let plain = pop_plain(stack);
    debug_assert!(plain);
}

/// Stores an int into a slot: only the payload when it holds an int.
#[inline(always)]
pub(super) fn set_int(slot: &mut Value, r: i64) {
    match slot {
        Value::Int(old) => *old = r,
        other => *other = Value::Int(r),
    }
}

/// `Binary` on the two ints on top of the stack, with an int result: done,
/// and `true`; `false`, nothing changed, for any other case.
#[inline(always)]
pub(super) fn int_binary_top(stack: &mut Vec<Value>, op: BinOp) -> bool {
    let [.., Value::Int(x), Value::Int(y)] = stack.as_slice() else {
        return false;
    };
    let Some(r) = int_arith(op, *x, *y) else {
        return false;
    };
    pop_int(stack);
    if let Some(top) = stack.last_mut() {
        set_int(top, r);
    }
    true
}

/// `Compare` on the two ints on top of the stack, as [`int_binary_top`].
#[inline(always)]
pub(super) fn int_compare_top(stack: &mut Vec<Value>, op: CmpOp) -> bool {
    let [.., Value::Int(x), Value::Int(y)] = stack.as_slice() else {
        return false;
    };
    let Some(r) = int_cmp(op, *x, *y) else {
        return false;
    };
    pop_int(stack);
    if let Some(top) = stack.last_mut() {
        *top = Value::Bool(r);
    }
    true
}

/// A range loop's state slots hold something else: only a tampered save
/// gets here.
fn broken_range() -> Value {
    errors::fault("a range loop's state is not three ints")
}

/// The general case of `Binary`: the top two values, the result in their
/// place; a str temporary on the left grows in place under `+`
/// (`ops::append_to_temp`). Out of line, so the arm stays short.
#[inline(never)]
pub(super) fn binary_top(stack: &mut Vec<Value>, op: BinOp, cx: &mut Cx) -> Result<(), Value> {
    let b = super::pop(stack);
    let Some(a) = stack.last_mut() else {
        return Err(errors::fault("Binary on an empty stack"));
    };
    if op == BinOp::Add && ops::append_to_temp(a, &b, cx)? {
        return Ok(());
    }
    *a = ops::binary(op, a, &b, cx)?;
    Ok(())
}
