//! The inner loop of a script loop's body: runs, in a function of its own
//! that calls nothing on its common paths, the instructions whose int,
//! float and bool cases need nothing but the frame's code and window
//! (local loads and stores, list items by an int, the register arithmetic
//! and comparisons, jumps, the range loop). It stops, with nothing of that
//! instruction done, before the first instruction it does not take whole
//! (any other instruction, or any other operands), and `dispatch::run`
//! runs that one in full.
//!
//! Why a second loop: `dispatch::run` holds every instruction, and the
//! calls its general paths make leave too few registers for its own state
//! (pc, fuel, the code, the window), which it keeps in memory and reloads
//! and stores on each instruction. Here less of it is: callgrind counts
//! 11% fewer machine instructions on `loop.sk`, whose whole body runs
//! here. It is entered at a loop's back edge ([`Edges::enter`]), where a
//! body's hot stretch begins, so straight-line code and calls pay nothing
//! for it; an edge where a stay is too short to pay for the call in and
//! out is not entered again.
//!
//! Each instruction is charged one unit of fuel, as in `dispatch::run`, and
//! the loop stops when the fuel runs out, so a preempted fiber still stops
//! between two whole instructions.

use skein_script::bytecode::{Arg, Dst, FuncRef, Op, PlaceBase};

use super::regs::{Regs, int_binary_top, int_compare_top, pop_int, push_int, set_int};
use super::stack::{owns_nothing, pop_plain};
use super::{floats, items};
use crate::value::Value;

/// Runs the frame's instructions from `*pc` while this loop takes them
/// whole and fuel is left, moving `*pc` and `*fuel` on past each.
#[inline(never)]
fn run(
    code: &[Op],
    regs: Regs,
    stack: &mut Vec<Value>,
    limit: u64,
    pc: &mut usize,
    fuel: &mut u64,
) {
    let mut p = *pc;
    let mut left = *fuel;
    while left > 0 {
        let Some(op) = code.get(p) else { break };
        let Some(next) = step(op, p + 1, regs, stack, limit) else {
            break;
        };
        p = next;
        left -= 1;
    }
    *pc = p;
    *fuel = left;
}

/// Runs `op`, the instruction before `next`, when it can be taken whole
/// here: the pc that follows it. `None`, with nothing changed, otherwise.
#[inline(always)]
fn step(op: &Op, next: usize, regs: Regs, stack: &mut Vec<Value>, limit: u64) -> Option<usize> {
    let done = match *op {
        Op::Nop => true,
        Op::None if room(stack) => {
            stack.push(Value::None);
            true
        }
        Op::True | Op::False if room(stack) => {
            stack.push(Value::Bool(matches!(*op, Op::True)));
            true
        }
        Op::Rot2 => match stack.len() {
            n if n >= 2 => {
                stack.swap(n - 1, n - 2);
                true
            }
            _ => false,
        },
        Op::SmallInt(i) if room(stack) => {
            push_int(stack, i64::from(i));
            true
        }
        Op::LoadLocal(i) => match stack.get(regs.base + i as usize) {
            Some(&Value::Int(x)) if room(stack) => {
                push_int(stack, x);
                true
            }
            Some(Value::Unbound) | None => false,
            Some(v) if room(stack) => {
                let v = v.clone();
                stack.push(v);
                true
            }
            _ => false,
        },
        Op::IndexLocal { a, key } if room(stack) => {
            let key = match key {
                Arg::Int(k) => Some(i64::from(k)),
                Arg::Local(k) => match stack.get(regs.base + k as usize) {
                    Some(Value::Int(k)) => Some(*k),
                    _ => None,
                },
                _ => None,
            };
            match (stack.get(regs.base + a as usize), key) {
                (Some(Value::List(l)), Some(k)) => {
                    match usize::try_from(k).ok().and_then(|k| l.items.get(k)) {
                        Some(v) => {
                            let v = v.clone();
                            stack.push(v);
                            true
                        }
                        None => false,
                    }
                }
                _ => false,
            }
        }
        Op::IndexLocalPop(a) => {
            let n = stack.len();
            let item = match (stack.get(regs.base + a as usize), stack.last()) {
                (Some(Value::List(l)), Some(Value::Int(k))) if regs.base + (a as usize) + 1 < n => {
                    usize::try_from(*k)
                        .ok()
                        .and_then(|k| l.items.get(k))
                        .cloned()
                }
                _ => None,
            };
            match (item, stack.last_mut()) {
                // The key is an int: writing over it drops nothing.
                (Some(v), Some(top)) => {
                    *top = v;
                    true
                }
                _ => false,
            }
        }
        Op::LoadPlace {
            base: PlaceBase::Local(l),
            depth: 1,
        } if room(stack) => match items::quick_item(stack, regs.base + l as usize) {
            Some(v) => {
                stack.push(v);
                true
            }
            None => false,
        },
        Op::StorePlace {
            base: PlaceBase::Local(l),
            depth: 1,
        } => items::quick_store(stack, regs.base + l as usize, limit),
        Op::StoreLocal(i) => store_plain(stack, regs.base + i as usize),
        Op::Pop => pop_plain(stack),
        Op::Binary(bop) => int_binary_top(stack, bop) || floats::binary_top(stack, bop),
        Op::Compare(cop) => int_compare_top(stack, cop) || floats::compare_top(stack, cop),
        Op::Bin { op: bop, dst, a, b } => {
            (dst != Dst::Push || room(stack))
                && (regs.int_bin(stack, bop, dst, a, b) || regs.float_bin(stack, bop, dst, a, b))
        }
        Op::BinLL { op: bop, dst, a, b } => {
            regs.bin_ll(stack, bop, dst, a, b)
                || regs.float_bin(stack, bop, Dst::Local(dst), Arg::Local(a), Arg::Local(b))
        }
        Op::BinLI { op: bop, dst, a, b } => {
            regs.bin_li(stack, bop, dst, a, b)
                || regs.float_bin(stack, bop, Dst::Local(dst), Arg::Local(a), Arg::Int(b))
        }
        Op::BinPK { op: bop, dst, b } => {
            regs.bin_pop(stack, bop, dst, regs.pk(b))
                || regs.float_bin(stack, bop, Dst::Local(dst), Arg::Pop, Arg::Const(b))
        }
        Op::BinPI { op: bop, dst, b } => {
            regs.bin_pop(stack, bop, dst, Some(i64::from(b)))
                || regs.float_bin(stack, bop, Dst::Local(dst), Arg::Pop, Arg::Int(b))
        }
        Op::PushLL { op: bop, a, b } => {
            room(stack)
                && (regs.push_ll(stack, bop, a, b)
                    || regs.float_bin(stack, bop, Dst::Push, Arg::Local(a), Arg::Local(b)))
        }
        Op::PushLI { op: bop, a, b } => {
            room(stack)
                && (regs.push_li(stack, bop, a, b)
                    || regs.float_bin(stack, bop, Dst::Push, Arg::Local(a), Arg::Int(b)))
        }
        Op::Move { dst, src } => regs.int_move(stack, dst, src),
        Op::Jump(t) => return Some(t as usize),
        Op::JumpIfFalse(t) | Op::JumpIfTrue(t) => {
            let jump_when = matches!(*op, Op::JumpIfTrue(_));
            let cond = match stack.last() {
                Some(Value::Bool(b)) => *b,
                Some(Value::Int(i)) => *i != 0,
                Some(Value::None) => false,
                _ => return None,
            };
            pop_plain(stack);
            return Some(if cond == jump_when { t as usize } else { next });
        }
        Op::JumpCmp {
            op: cop,
            a,
            b,
            when,
            target,
        } => {
            let r = regs
                .int_cmp_pop(stack, cop, a, b)
                .or_else(|| regs.float_cmp_pop(stack, cop, a, b))?;
            return Some(if r == when { target as usize } else { next });
        }
        Op::JumpLL {
            op: cop,
            a,
            b,
            when,
            target,
        } => {
            let r = regs
                .cmp_ll(stack, cop, a, b)
                .or_else(|| regs.float_cmp_pop(stack, cop, Arg::Local(a), Arg::Local(b)))?;
            return Some(if r == when { target as usize } else { next });
        }
        Op::JumpLI {
            op: cop,
            a,
            b,
            when,
            target,
        } => {
            let r = regs
                .cmp_li(stack, cop, a, b)
                .or_else(|| regs.float_cmp_pop(stack, cop, Arg::Local(a), Arg::Int(b)))?;
            return Some(if r == when { target as usize } else { next });
        }
        Op::ForLoop { var, state, body } => {
            // A broken range state is left to `dispatch::run`, which raises.
            return match regs.for_step(stack, var, state) {
                Ok(true) => Some(body as usize),
                Ok(false) => Some(next),
                Err(_) => None,
            };
        }
        _ => false,
    };
    done.then_some(next)
}

/// Whether a value can be pushed without the stack growing: growing calls
/// the allocator, which this loop leaves to `dispatch::run`.
#[inline(always)]
fn room(stack: &Vec<Value>) -> bool {
    stack.len() < stack.capacity()
}

/// `StoreLocal` into a slot whose old value owns nothing, so no drop
/// runs; `false`, nothing changed, otherwise.
#[inline(always)]
fn store_plain(stack: &mut Vec<Value>, slot: usize) -> bool {
    let n = stack.len();
    if slot + 1 >= n {
        return false;
    }
    match (&stack[slot], &stack[n - 1]) {
        (old, Value::Int(x)) if owns_nothing(old) => {
            let x = *x;
            pop_int(stack);
            set_int(&mut stack[slot], x);
            true
        }
        (old, _) if owns_nothing(old) => {
            stack.swap(slot, n - 1);
            pop_plain(stack)
        }
        _ => false,
    }
}

/// How many instructions a stay in this loop must run to pay for the
/// call in and out, about what a few instructions save.
const STRETCH: u64 = 4;

/// When `dispatch::run` enters this loop: at a loop's back edge, where a
/// body's hot stretch begins, unless the last stay entered from that same
/// edge ran fewer than [`STRETCH`] instructions (a body that starts with
/// an instruction this loop does not take, or with other operands). One
/// edge is remembered, the innermost loop's, for the length of a step.
pub(super) struct Edges {
    /// The function and back edge (the pc after its jump) of the last
    /// short stay, or of the last edge whose body does not begin with
    /// instructions of kinds this loop takes.
    cold: Option<(FuncRef, usize)>,
    /// The last back edge whose body begins with such instructions.
    warm: Option<(FuncRef, usize)>,
}

impl Edges {
    pub(super) fn new() -> Edges {
        Edges {
            cold: None,
            warm: None,
        }
    }

    /// Runs this loop after the back edge at `from` (the pc after the
    /// jump) of function `f` jumped to `*pc`, when it is one (an earlier
    /// instruction) that is not known to pay nothing.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn enter(
        &mut self,
        f: FuncRef,
        code: &[Op],
        regs: Regs,
        stack: &mut Vec<Value>,
        limit: u64,
        from: usize,
        pc: &mut usize,
        fuel: &mut u64,
    ) {
        if *pc >= from || self.cold == Some((f, from)) {
            return;
        }
        // A tasklet's loop around a call (`schedule()`, `ch.send(x)`) is
        // met once per step, by a new `Edges`: its body's kinds are read,
        // a few compares, rather than entering and leaving at once.
        if self.warm != Some((f, from)) {
            if !leads_in(code, *pc) {
                self.cold = Some((f, from));
                return;
            }
            self.warm = Some((f, from));
        }
        let before = *fuel;
        run(code, regs, stack, limit, pc, fuel);
        if before - *fuel < STRETCH {
            self.cold = Some((f, from));
        }
    }
}

/// How many instructions of a loop body [`leads_in`] reads: two tell a body
/// that begins with a call or its receiver from one this loop runs.
const LEAD: usize = 2;

/// Whether the first [`LEAD`] instructions from `pc` are all of kinds
/// [`step`] may take (whatever their operands turn out to be).
fn leads_in(code: &[Op], pc: usize) -> bool {
    let body = code.get(pc..).unwrap_or_default();
    body.iter().take(LEAD).all(|op| {
        matches!(
            op,
            Op::Nop
                | Op::None
                | Op::True
                | Op::False
                | Op::Rot2
                | Op::SmallInt(_)
                | Op::LoadLocal(_)
                | Op::IndexLocal { .. }
                | Op::IndexLocalPop(_)
                | Op::LoadPlace {
                    base: PlaceBase::Local(_),
                    depth: 1,
                }
                | Op::StorePlace {
                    base: PlaceBase::Local(_),
                    depth: 1,
                }
                | Op::StoreLocal(_)
                | Op::Pop
                | Op::Binary(_)
                | Op::Compare(_)
                | Op::Bin { .. }
                | Op::BinLL { .. }
                | Op::BinLI { .. }
                | Op::BinPK { .. }
                | Op::BinPI { .. }
                | Op::PushLL { .. }
                | Op::PushLI { .. }
                | Op::Move { .. }
                | Op::Jump(_)
                | Op::JumpIfFalse(_)
                | Op::JumpIfTrue(_)
                | Op::JumpCmp { .. }
                | Op::JumpLL { .. }
                | Op::JumpLI { .. }
                | Op::ForLoop { .. }
        )
    })
}
