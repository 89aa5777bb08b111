//! Temporaries as slots of the frame's window: a register instruction whose
//! result the next instruction pops writes it into a hidden local instead
//! (`$r0`, `$r1`, …, one per operand stack height), and the consumer names
//! that local; a `LoadLocal` whose value such a chain consumes becomes a
//! `Move` into the slot of its height. `total = (total + i * 3) % k` then
//! runs with no push or pop at all:
//!
//! ```text
//! Move  $r0 := total;  Bin $r1 := i * 3;  Bin $r0 := $r0 + $r1;  Bin total := $r0 % k
//! ```
//!
//! Nothing is reordered or joined: every instruction keeps its place, its
//! line and which errors it can raise, so error order and lines are the
//! stack code's. A temporary is written by one instruction and read by the
//! next that uses it; the VM moves a non-int out of it when it reads it (see
//! `regs` in skein-vm), so a temporary never keeps a list or str shared.

use crate::bytecode::{Arg, BinOp, Dst, Function, Op, TEMP_PREFIX};
use crate::verify::verify_function;

/// Rewrites `f.code` in place (it must verify; code that does not is left
/// as it is, for the verifier to report).
pub(super) fn assign(f: &mut Function) {
    // Globals and functions are not known here; indexes were checked when
    // the code was made, and the loader verifies it again.
    let Ok(info) = verify_function(f, usize::MAX, usize::MAX) else {
        return;
    };
    let n = f.code.len();
    let mut is_target = vec![false; n + 1];
    for op in &f.code {
        if let Some(t) = op.target()
            && let Some(slot) = is_target.get_mut(t as usize)
        {
            *slot = true;
        }
    }
    let first = f.nlocals as usize;
    let mut used: Option<u16> = None;
    // The slot of height `height`, if the function has room for it.
    let slot_of = |height: u16| -> Option<u16> {
        u16::try_from(first + height as usize)
            .ok()
            .filter(|&s| s < u16::MAX)
    };
    let mut mark = |height: u16| used = Some(used.map_or(height, |u| u.max(height)));
    let mut dead = vec![false; n];
    // Pushes into the next instruction's popped operand.
    for pc in 0..n.saturating_sub(1) {
        // Heights are those of the stack code: each value keeps the name
        // of the height it had there, so two live values never share one.
        let (
            Op::Bin {
                op,
                dst: Dst::Push,
                a,
                b,
            },
            Some(Some(after)),
        ) = (f.code[pc], info.depth.get(pc + 1).copied())
        else {
            continue;
        };
        if is_target[pc + 1] || after == 0 {
            continue;
        }
        let height = after - 1;
        let next = f.code.get(pc + 2).copied();
        let Some(t) = slot_of(height) else {
            continue;
        };
        let Some(consumer) = consume_top(f.code[pc + 1], t, next) else {
            continue;
        };
        // A comparison and its jump become one `JumpCmp`.
        if let Op::Compare(_) = f.code[pc + 1] {
            if is_target[pc + 2] {
                continue;
            }
            dead[pc + 2] = true;
        }
        let (dst, consumer) = match consumer {
            Consumed::Into(d) => (d, Op::Nop),
            Consumed::By(c) => {
                mark(height);
                (t, c)
            }
        };
        if matches!(consumer, Op::Nop) {
            dead[pc + 1] = true;
        }
        f.code[pc] = Op::Bin {
            op,
            dst: Dst::Local(dst),
            a,
            b,
        };
        f.code[pc + 1] = consumer;
    }
    // Loads and pushes whose value a chain of temporaries consumes.
    for pc in 0..n {
        let Some(Some(height)) = info.depth.get(pc).copied() else {
            continue;
        };
        let into = |t: u16| match f.code[pc] {
            Op::LoadLocal(src) => Some(Op::Move {
                dst: t,
                src: Arg::Local(src),
            }),
            Op::Bin {
                op,
                dst: Dst::Push,
                a,
                b,
            } if a != Arg::Pop && b != Arg::Pop => Some(Op::Bin {
                op,
                dst: Dst::Local(t),
                a,
                b,
            }),
            _ => None,
        };
        if into(0).is_none() {
            continue;
        }
        let Some(at) = consumer_of_load(f, pc, height, &is_target, first) else {
            continue;
        };
        let Some(t) = slot_of(height) else {
            continue;
        };
        let (Some(op), Some(load)) = (with_popped_a(f.code[at], t), into(t)) else {
            continue;
        };
        mark(height);
        f.code[pc] = load;
        f.code[at] = op;
    }
    if let Some(top) = used {
        for h in 0..=top {
            f.local_names.push(format!("{TEMP_PREFIX}{h}"));
        }
        f.nlocals = f.local_names.len() as u16;
    }
    if dead.iter().any(|&d| d) {
        drop_dead(f, &dead);
    }
}

/// What the instruction after a push does with the pushed value.
enum Consumed {
    /// Stores it into this local (the push can write there itself).
    Into(u16),
    /// Reads it: the instruction rewritten to read temporary `t` instead.
    By(Op),
}

/// The instruction `op`, which pops the top of the stack as one operand,
/// rewritten to read local `t` instead; `None` when it does not pop it as a
/// register operand. `next` is the instruction after `op`.
fn consume_top(op: Op, t: u16, next: Option<Op>) -> Option<Consumed> {
    let top = |a: Arg, b: Arg| -> Option<(Arg, Arg)> {
        match (a, b) {
            (_, Arg::Pop) => Some((a, Arg::Local(t))),
            (Arg::Pop, _) => Some((Arg::Local(t), b)),
            _ => None,
        }
    };
    Some(match op {
        // `g += s` and `d[k] += s` are appended in place by the VM when the
        // `Binary` is followed by its store (`interp/inplace.rs`): left so.
        Op::Binary(BinOp::Add)
            if matches!(
                next,
                Some(Op::StoreGlobal(_) | Op::StorePlace { depth: 1.., .. })
            ) =>
        {
            return None;
        }
        Op::Binary(op) => Consumed::By(Op::Bin {
            op,
            dst: Dst::Push,
            a: Arg::Pop,
            b: Arg::Local(t),
        }),
        Op::Bin { op, dst, a, b } => {
            let (a, b) = top(a, b)?;
            Consumed::By(Op::Bin { op, dst, a, b })
        }
        Op::JumpCmp {
            op,
            a,
            b,
            when,
            target,
        } => {
            let (a, b) = top(a, b)?;
            Consumed::By(Op::JumpCmp {
                op,
                a,
                b,
                when,
                target,
            })
        }
        Op::Compare(op) => match next {
            Some(Op::JumpIfFalse(target) | Op::JumpIfTrue(target)) => Consumed::By(Op::JumpCmp {
                op,
                a: Arg::Pop,
                b: Arg::Local(t),
                when: matches!(next, Some(Op::JumpIfTrue(_))),
                target,
            }),
            _ => return None,
        },
        Op::StoreLocal(d)
        | Op::Move {
            dst: d,
            src: Arg::Pop,
        } => Consumed::Into(d),
        _ => return None,
    })
}

/// Where the value the instruction at `pc` pushes (at stack height `height`) is
/// popped as the first operand of a register instruction, with only
/// instructions that write temporaries above it in between.
fn consumer_of_load(
    f: &Function,
    pc: usize,
    height: u16,
    is_target: &[bool],
    first: usize,
) -> Option<usize> {
    let above = |d: Dst| matches!(d, Dst::Local(l) if l as usize > first + height as usize);
    let mut at = pc + 1;
    loop {
        if is_target.get(at).copied().unwrap_or(true) {
            return None;
        }
        match *f.code.get(at)? {
            Op::Bin { dst, a, b, .. } if a != Arg::Pop && b != Arg::Pop && above(dst) => at += 1,
            Op::Bin { a: Arg::Pop, b, .. } | Op::JumpCmp { a: Arg::Pop, b, .. }
                if b != Arg::Pop =>
            {
                return Some(at);
            }
            _ => return None,
        }
    }
}

/// `op`, whose first operand pops, reading local `t` instead.
fn with_popped_a(op: Op, t: u16) -> Option<Op> {
    match op {
        Op::Bin { op, dst, b, .. } => Some(Op::Bin {
            op,
            dst,
            a: Arg::Local(t),
            b,
        }),
        Op::JumpCmp {
            op,
            b,
            when,
            target,
            ..
        } => Some(Op::JumpCmp {
            op,
            a: Arg::Local(t),
            b,
            when,
            target,
        }),
        _ => None,
    }
}

/// Removes the stores a push now does itself, renumbering every jump.
fn drop_dead(f: &mut Function, dead: &[bool]) {
    let n = f.code.len();
    let mut map = vec![0u32; n + 1];
    let mut code = Vec::with_capacity(n);
    let mut lines = Vec::with_capacity(n);
    for i in 0..n {
        map[i] = code.len() as u32;
        if !dead[i] {
            code.push(f.code[i]);
            lines.push(f.lines[i]);
        }
    }
    map[n] = code.len() as u32;
    for op in &mut code {
        if let Some(t) = op.target_mut() {
            *t = map.get(*t as usize).copied().unwrap_or(*t);
        }
    }
    f.code = code;
    f.lines = lines;
}
