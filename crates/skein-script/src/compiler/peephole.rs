//! The peephole pass: turns short runs of stack instructions into the
//! register instructions that do the same in one dispatch — `Bin` with its
//! operands and destination named, `JumpCmp`, `Move` and `ReturnArg` — and
//! renumbers every jump. The commonest operand shapes then get their own
//! variants (`BinLI`, `JumpLL`, …), so the VM never branches on an operand's
//! kind for them.
//!
//! A run is only joined when no jump lands inside it, so every path into it
//! starts at its first instruction, and when its loads and its operator sit
//! on one source line, so an error reports the line it always did. Operands
//! are read in the order the stack code read them, so which error comes
//! first never changes.

use crate::bytecode::{Arg, BinOp, Const, Dst, Function, Op};

/// Rewrites `f.code` (and its line map) in place.
pub(super) fn optimize(f: &mut Function) {
    pool_big_ints(f);
    let n = f.code.len();
    let mut is_target = vec![false; n + 1];
    for op in &f.code {
        if let Some(t) = op.target()
            && let Some(slot) = is_target.get_mut(t as usize)
        {
            *slot = true;
        }
    }
    let mut code = Vec::with_capacity(n);
    let mut lines = Vec::with_capacity(n);
    let mut map = vec![0u32; n + 1];
    let mut i = 0;
    while i < n {
        let (op, len, line) = match join(f, i, &is_target) {
            Some(j) => j,
            None => (f.code[i], 1, f.lines[i]),
        };
        for slot in &mut map[i..i + len] {
            *slot = code.len() as u32;
        }
        code.push(shaped(op));
        lines.push(line);
        i += len;
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

/// The shaped instruction for a register instruction whose operands
/// have one of the hot shapes (`BinLL`, `JumpLI`, …), so the VM
/// branches on no operand's kind; any other op is returned as it is.
fn shaped(ins: Op) -> Op {
    match ins {
        Op::Bin {
            op,
            dst: Dst::Local(dst),
            a,
            b,
        } => match (a, b) {
            (Arg::Local(a), Arg::Local(b)) => Op::BinLL { op, dst, a, b },
            (Arg::Local(a), Arg::Int(b)) => Op::BinLI { op, dst, a, b },
            (Arg::Pop, Arg::Const(b)) => Op::BinPK { op, dst, b },
            (Arg::Pop, Arg::Int(b)) => Op::BinPI { op, dst, b },
            _ => ins,
        },
        Op::Bin {
            op,
            dst: Dst::Push,
            a: Arg::Local(a),
            b,
        } => match b {
            Arg::Local(b) => Op::PushLL { op, a, b },
            Arg::Int(b) => Op::PushLI { op, a, b },
            _ => ins,
        },
        Op::JumpCmp {
            op,
            a: Arg::Local(a),
            b,
            when,
            target,
        } => match b {
            Arg::Local(b) => Op::JumpLL {
                op,
                a,
                b,
                when,
                target,
            },
            Arg::Int(b) => Op::JumpLI {
                op,
                a,
                b,
                when,
                target,
            },
            _ => ins,
        },
        Op::ReturnArg(Arg::Local(i)) => Op::ReturnLocal(i),
        _ => ins,
    }
}

/// The operand a load instruction reads, when it is one a register
/// instruction can name.
fn arg_of(f: &Function, op: Op) -> Option<Arg> {
    match op {
        Op::LoadLocal(i) => Some(Arg::Local(i)),
        Op::SmallInt(k) => match i16::try_from(k) {
            Ok(k) => Some(Arg::Int(k)),
            Err(_) => big_int_const(f, k).map(Arg::Const),
        },
        Op::Const(c) if (c as usize) < f.consts.len() => Some(Arg::Const(c)),
        _ => None,
    }
}

/// The pool index of an int too big for [`Arg::Int`], which
/// [`pool_big_ints`] has added.
fn big_int_const(f: &Function, k: i32) -> Option<u16> {
    let i = f
        .consts
        .iter()
        .position(|c| *c == Const::Int(i64::from(k)))?;
    u16::try_from(i).ok()
}

/// Adds the ints of `SmallInt` ops that do not fit an [`Arg::Int`] to the
/// constant pool, so register instructions can name them.
fn pool_big_ints(f: &mut Function) {
    for op in &f.code {
        if let Op::SmallInt(k) = *op
            && i16::try_from(k).is_err()
            && big_int_const(f, k).is_none()
            && f.consts.len() < u16::MAX as usize
        {
            f.consts.push(Const::Int(i64::from(k)));
        }
    }
}

/// The register instruction the run starting at `i` makes, with the run's
/// length and line; `None` when it makes none.
fn join(f: &Function, i: usize, is_target: &[bool]) -> Option<(Op, usize, u32)> {
    let code = &f.code;
    let line = f.lines[i];
    // The run may go on at `k` if nothing jumps there; `same_line` also
    // asks that it can raise only with the run's line.
    let free = |k: usize| k < code.len() && !is_target[k];
    let same = |k: usize| free(k) && f.lines[k] == line;

    // An item of a global's container, with a key that is not popped.
    if let Op::LoadGlobal(g) = code[i]
        && same(i + 1)
        && let Some(key) = arg_of(f, code[i + 1])
        && same(i + 2)
        && code[i + 2] == Op::Index
    {
        return Some((Op::IndexGlobal { g, key }, 3, line));
    }
    // Up to two operands, then the operator.
    let a = arg_of(f, code[i]);
    let b = if a.is_some() && same(i + 1) {
        arg_of(f, code[i + 1])
    } else {
        None
    };
    let (a, b, at) = match (a, b) {
        // An item of a local's container, with a key that is not popped.
        (Some(Arg::Local(c)), Some(key)) if same(i + 2) && code[i + 2] == Op::Index => {
            return Some((Op::IndexLocal { a: c, key }, 3, line));
        }
        (Some(a), Some(b)) if same(i + 2) && is_operator(code[i + 2]) => (a, b, i + 2),
        (Some(b), _) if same(i + 1) && is_operator(code[i + 1]) => (Arg::Pop, b, i + 1),
        (Some(a), _) => return single(code, i, a, line, &free),
        (None, _) => return None,
    };
    let next = at + 1;
    if a == Arg::Pop && keeps_in_place_add(f, code[at], b, code.get(next).copied()) {
        return None;
    }
    match (code[at], code.get(next).copied()) {
        (Op::Binary(op), Some(Op::StoreLocal(d))) if free(next) => {
            let dst = Dst::Local(d);
            Some((Op::Bin { op, dst, a, b }, next + 1 - i, line))
        }
        (Op::Binary(op), _) => Some((
            Op::Bin {
                op,
                dst: Dst::Push,
                a,
                b,
            },
            next - i,
            line,
        )),
        (Op::Compare(op), Some(Op::JumpIfFalse(t) | Op::JumpIfTrue(t))) if free(next) => {
            let when = matches!(code[next], Op::JumpIfTrue(_));
            let j = Op::JumpCmp {
                op,
                a,
                b,
                when,
                target: t,
            };
            Some((j, next + 1 - i, line))
        }
        _ => None,
    }
}

/// `g += t` and `d[key] += "ab"`: the VM appends to a str or list in
/// place when a `Binary(Add)` is followed by the store back to a global or
/// keyed place (`interp/inplace.rs`), which keeps such loops linear (the
/// cost model in docs/language.md). Joining the add with its operand would
/// hide that pattern from it. (A number cannot be added to a str or list,
/// so `d[k] += 1` is still joined.)
fn keeps_in_place_add(f: &Function, op: Op, b: Arg, next: Option<Op>) -> bool {
    let number = match b {
        Arg::Int(_) => true,
        Arg::Const(c) => matches!(
            f.consts.get(c as usize),
            Some(Const::Int(_) | Const::Float(_))
        ),
        _ => false,
    };
    !number
        && matches!(op, Op::Binary(BinOp::Add))
        && matches!(
            next,
            Some(Op::StoreGlobal(_)) | Some(Op::StorePlace { depth: 1.., .. })
        )
}

fn is_operator(op: Op) -> bool {
    matches!(op, Op::Binary(_) | Op::Compare(_))
}

/// A load followed by a store or a return.
fn single(
    code: &[Op],
    i: usize,
    a: Arg,
    line: u32,
    free: &dyn Fn(usize) -> bool,
) -> Option<(Op, usize, u32)> {
    if !free(i + 1) {
        return None;
    }
    match code[i + 1] {
        Op::StoreLocal(dst) => Some((Op::Move { dst, src: a }, 2, line)),
        Op::Return => Some((Op::ReturnArg(a), 2, line)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::disasm::disasm_function;
    use crate::loader::compile_str;

    fn listing(src: &str) -> String {
        let p = compile_str("t", src).expect("compiles");
        let m = &p.modules[0];
        disasm_function(m, &m.functions[1])
    }

    #[test]
    fn joins_loads_operators_stores_and_jumps() {
        let src = "\
def f(n, t):
    i = 0
    while i < n:
        t = (t + i * 3) % 1000003
        i += 1
    return t
";
        assert_eq!(
            listing(src),
            "\
== t.f (params: n, t) ==
    0  L2   Move local 2 (i) := 0
    1  L3   JumpLL if (local 2 (i) < local 0 (n)) is false to 8
    2  L4   LoadLocal 1 (t)
    3  L4   PushLI push := local 2 (i) * 3
    4  L4   Binary +
    5  L4   BinPK local 1 (t) := pop % 1000003
    6  L5   BinLI local 2 (i) := local 2 (i) + 1
    7  L5   Jump 1
    8  L6   ReturnLocal local 1 (t)
    9  L6   None
   10  L6   Return
"
        );
    }

    #[test]
    fn conditions_jump_on_each_operand() {
        // `and`, `or` and `not` in an `if` or `while` are jumps, so each
        // comparison joins its jump; every operand is tested once.
        let src = "\
def f(a, b, c):
    if a < b and not c[0] or b:
        return 1
    while a and b > 2:
        a -= 1
    return 2
";
        assert_eq!(
            listing(src),
            "\
== t.f (params: a, b, c) ==
    0  L2   JumpLL if (local 0 (a) < local 1 (b)) is false to 3
    1  L2   IndexLocal push := local 2 (c)[0]
    2  L2   JumpIfFalse 5
    3  L2   LoadLocal 1 (b)
    4  L2   JumpIfFalse 6
    5  L3   ReturnArg 1
    6  L4   LoadLocal 0 (a)
    7  L4   JumpIfFalse 11
    8  L4   JumpLI if (local 1 (b) > 2) is false to 11
    9  L5   BinLI local 0 (a) := local 0 (a) - 1
   10  L5   Jump 6
   11  L6   ReturnArg 2
   12  L6   None
   13  L6   Return
"
        );
    }

    #[test]
    fn keeps_runs_that_a_jump_enters_or_that_span_lines() {
        // `b` is on its own line: its load stays apart, so an unbound `b`
        // still reports line 3. The `or` jumps into the middle of a run.
        let src = "def f(a, b):\n    x = (a +\n        b)\n    return a or b < 2\n";
        let l = listing(src);
        assert!(l.contains("L3   LoadLocal 1 (b)"), "{l}");
        assert!(l.contains("JumpIfTrueOrPop"), "{l}");
        assert!(l.contains("Compare <"), "{l}");
    }

    #[test]
    fn leaves_an_add_stored_back_to_a_global_or_keyed_place_to_the_in_place_path() {
        let src = "g = ''\ndef f(d, n):\n    global g\n    g += 'a'\n    d['s'] += 'b'\n    n = n + 1\n    g = n * 2\n    g += n\n";
        let l = listing(src);
        assert!(l.contains("L4   Binary +\n    3  L4   StoreGlobal"), "{l}");
        assert!(l.contains("L5   Binary +\n    8  L5   StorePlace"), "{l}");
        // Other shapes are still joined.
        assert!(l.contains("BinLI local 1 (n) := local 1 (n) + 1"), "{l}");
        assert!(l.contains("PushLI push := local 1 (n) * 2"), "{l}");
        // A local might hold a str or list: left to the in-place path too.
        assert!(
            l.contains("L8   LoadLocal 1 (n)\n   14  L8   Binary +"),
            "{l}"
        );
    }
}
