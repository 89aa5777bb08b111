//! The hot loop: fetches, charges and executes instructions of the innermost
//! frame, one unit of fuel each, so a preempted fiber always stops between
//! two whole instructions. It finishes itself only the common cases —
//! locals, small constants, int arithmetic and comparisons, jumps, the range
//! loop, plain calls and returns of script functions — and hands every other
//! instruction, or a common one whose operands are not the usual kind, to
//! `general::one`, which runs any instruction.
//!
//! Why it is split so: in one function with every instruction's code, LLVM
//! kept the pc and the fuel in stack slots, stored and reloaded on every
//! instruction, and whether it did depended on the layout of the whole
//! binary. This loop is small and calls out only on its slow paths, so its
//! state (pc, fuel, the frame's code and window) stays in registers.

use skein_script::bytecode::{Arg, BinOp, NO_KW, Op, PlaceBase};

use super::general::{self, Ctl, Here};
use super::regs::{Regs, int_arith, int_cmp, pop_int, push_int, set_int};
use super::stack::pop;
use super::stack::{cut, plain_return, pop_plain, save_pc};
use super::{Exec, Flow, build, calls, cx, inplace, places, values};
use crate::fiber::{Fiber, FiberState, Step};
use crate::value::Value;
use crate::{builtins, errors, ops};

/// The loop proper. Each turn of `'frame` loads the innermost frame's code;
/// the inner loop runs it until a call, return or error changes frames.
pub(super) fn run(ex: &mut Exec, fiber: &mut Fiber, fuel_io: &mut u64) -> Step {
    let program = ex.program;
    let mut fuel: u64 = *fuel_io;

    'frame: loop {
        let Some(frame) = fiber.frames.last() else {
            fiber.state = FiberState::Done;
            *fuel_io = fuel;
            return Step::Done(Value::None);
        };
        let fref = frame.func;
        let func = program.function(fref);
        let code: &[Op] = &func.code;
        let base = frame.base as usize;
        // The pc is kept as an iterator over the rest of the code: one
        // pointer and an end, where an index needs the slice's start as
        // well, which leaves a register free for the loop's other state.
        let mut next_ops = code.get(frame.pc as usize..).unwrap_or_default().iter();
        // The index of the next instruction, as a frame saves it.
        macro_rules! pc {
            () => {
                code.len() - next_ops.len()
            };
        }
        // Goes on at instruction `$t` (past the end is a fault at the fetch).
        macro_rules! jump {
            ($t:expr) => {
                next_ops = code.get($t as usize..).unwrap_or_default().iter()
            };
        }
        let regs = Regs { func, base };

        // Runs `$e` with `$f` a `&mut u64` of the fuel left, for helpers
        // that charge fuel themselves; the copy keeps `fuel` out of memory.
        macro_rules! fueled {
            ($f:ident => $e:expr) => {{
                let mut spare = fuel;
                let r = {
                    let $f = &mut spare;
                    $e
                };
                fuel = spare;
                r
            }};
        }
        // Raises `$e` at the current instruction.
        macro_rules! raise {
            ($e:expr) => {{
                match general::raise(ex, fiber, pc!(), $e) {
                    Ctl::Leave(step) => {
                        *fuel_io = fuel;
                        return step;
                    }
                    _ => continue 'frame,
                }
            }};
        }
        // Pushes the value a helper made, or raises its error.
        macro_rules! push_or_raise {
            ($r:expr) => {{
                match $r {
                    Ok(v) => {
                        fiber.stack.push(v);
                        continue;
                    }
                    Err(e) => raise!(e),
                }
            }};
        }

        // Follows a call helper's `Flow`: on in this frame, into a new
        // one, or out of the loop while the host answers.
        macro_rules! flow {
            ($r:expr) => {{
                match $r {
                    Ok(Flow::Next) => continue,
                    Ok(Flow::Frame) => continue 'frame,
                    Ok(Flow::Suspend) => {
                        fiber.state = FiberState::Waiting;
                        *fuel_io = fuel;
                        return Step::Suspended;
                    }
                    Err(e) => raise!(e),
                }
            }};
        }

        loop {
            if fuel == 0 {
                save_pc(fiber, pc!());
                *fuel_io = fuel;
                return Step::OutOfFuel;
            }
            let Some(&op) = next_ops.next() else {
                match general::past_end(ex, fiber, pc!()) {
                    Ctl::Leave(step) => {
                        *fuel_io = fuel;
                        return step;
                    }
                    _ => continue 'frame,
                }
            };
            fuel -= 1;
            let stack = &mut fiber.stack;
            // Each arm finishes its instruction and goes on (`continue`),
            // or falls out of the `match` to the general path.
            match op {
                Op::Nop => continue,
                Op::None => {
                    stack.push(Value::None);
                    continue;
                }
                Op::True | Op::False => {
                    stack.push(Value::Bool(matches!(op, Op::True)));
                    continue;
                }
                Op::Const(i) => {
                    push_or_raise!(fueled!(f => values::load_const(func, i, &mut cx!(ex, f))))
                }
                Op::LoadBuiltin(i) => {
                    stack.push(builtins::value_of(i));
                    continue;
                }
                // A method of a list, dict or str in a local: on the slot
                // itself, no place to walk.
                Op::CallPlace {
                    base: PlaceBase::Local(l),
                    depth: 0,
                    name,
                    argc,
                    kw: NO_KW,
                } if stack
                    .get(base + l as usize)
                    .is_some_and(values::has_methods) =>
                {
                    let slot = base + l as usize;
                    push_or_raise!(fueled!(
                        f => calls::local_method(ex, &mut fiber.stack, f, func, slot, name, argc)
                    ))
                }
                Op::Call { argc: 1, kw: NO_KW }
                    if matches!(
                        stack.len().checked_sub(2).and_then(|i| stack.get(i)),
                        Some(Value::Builtin(calls::LEN))
                    ) =>
                {
                    push_or_raise!(fueled!(f => calls::len(ex, &mut fiber.stack, f)))
                }
                // The common instructions whose work is a helper's: called
                // from here, with no second dispatch in `general::one`.
                Op::Index => {
                    let i = pop(stack);
                    let Some(a) = stack.last_mut() else {
                        raise!(errors::fault("Index on an empty stack"))
                    };
                    let r = match (&*a, &i) {
                        (Value::List(l), Value::Int(n))
                            if *n >= 0 && (*n as usize) < l.items.len() =>
                        {
                            Ok(l.items[*n as usize].clone())
                        }
                        _ => ops::index(a, &i),
                    };
                    match r {
                        Ok(r) => {
                            *a = r;
                            continue;
                        }
                        Err(e) => raise!(e),
                    }
                }
                Op::BuildList(n) => {
                    push_or_raise!(fueled!(f => build::list(stack, n, &cx!(ex, f))))
                }
                Op::BuildString(n) => {
                    let s = fueled!(f => build::string(stack, n, &mut cx!(ex, f)));
                    fiber.stack.push(s);
                    continue;
                }
                Op::FormatValue { conv, spec } => {
                    push_or_raise!(fueled!(
                        f => build::format_value(stack, conv, spec, &mut cx!(ex, f))
                    ))
                }
                Op::StorePlace {
                    base: place_base,
                    depth,
                } if depth > 0 => {
                    let at = places::PlaceFrame {
                        func,
                        base,
                        module: fref.module as usize,
                    };
                    match fueled!(f => places::store_place(ex, fiber, f, at, place_base, depth)) {
                        Ok(()) => continue,
                        Err(e) => raise!(e),
                    }
                }
                Op::CallMethod { name, argc, kw } => {
                    save_pc(fiber, pc!());
                    flow!(fueled!(f => calls::call_method_op(ex, fiber, f, func, name, argc, kw)))
                }
                Op::SmallInt(i) => {
                    push_int(stack, i64::from(i));
                    continue;
                }
                Op::LoadLocal(i) => {
                    // An int is read as its payload: the slot was likely
                    // written that way, and reading the whole value right
                    // after a partial write stalls on x86.
                    if let Some(Value::Int(x)) = stack.get(base + i as usize) {
                        let x = *x;
                        push_int(stack, x);
                        continue;
                    }
                    // Cloning straight into the stack's spare capacity
                    // avoids a round trip through a temporary.
                    let slot = base + i as usize;
                    if stack
                        .get(slot)
                        .is_some_and(|v| !matches!(v, Value::Unbound))
                    {
                        stack.extend_from_within(slot..slot + 1);
                        continue;
                    }
                }
                Op::StoreLocal(i) => {
                    if let Some(v) = stack.pop() {
                        if let Some(slot) = stack.get_mut(base + i as usize) {
                            *slot = v;
                            continue;
                        }
                        stack.push(v);
                    }
                }
                Op::Pop => {
                    if pop_plain(stack) {
                        continue;
                    }
                }
                Op::LoadGlobal(i) => {
                    // A module function, as in every call of one: no clone
                    // to run, nothing to look up.
                    if let Some(g) = ex.globals.modules.get(fref.module as usize)
                        && let Some(Value::Function(f)) = g.values.get(i as usize)
                    {
                        let f = *f;
                        stack.push(Value::Function(f));
                        continue;
                    }
                }
                Op::Binary(bop) => {
                    if let [.., Value::Int(x), Value::Int(y)] = stack.as_slice()
                        && let Some(r) = int_arith(bop, *x, *y)
                    {
                        pop_int(stack);
                        if let Some(top) = stack.last_mut() {
                            set_int(top, r);
                        }
                        continue;
                    }
                    // `x = x + y` on a str or list: appended in place.
                    if bop == BinOp::Add {
                        let at = places::PlaceFrame {
                            func,
                            base,
                            module: fref.module as usize,
                        };
                        if let Some(r) = fueled!(f => inplace::add_then_store(ex, fiber, f, at, next_ops.as_slice().first()))
                        {
                            match r {
                                Ok(()) => {
                                    next_ops.next();
                                    continue;
                                }
                                Err(e) => raise!(e),
                            }
                        }
                    }
                    let stack = &mut fiber.stack;
                    let b = pop(stack);
                    let Some(a) = stack.last_mut() else {
                        raise!(errors::fault("Binary on an empty stack"))
                    };
                    match fueled!(f => ops::binary(bop, a, &b, &mut cx!(ex, f))) {
                        Ok(r) => {
                            *a = r;
                            continue;
                        }
                        Err(e) => raise!(e),
                    }
                }
                Op::Compare(cop) => {
                    if let [.., Value::Int(x), Value::Int(y)] = stack.as_slice()
                        && let Some(r) = int_cmp(cop, *x, *y)
                    {
                        pop_int(stack);
                        if let Some(top) = stack.last_mut() {
                            *top = Value::Bool(r);
                        }
                        continue;
                    }
                }
                Op::Bin { op: bop, dst, a, b } => {
                    if regs.int_bin(stack, bop, dst, a, b) {
                        continue;
                    }
                }
                Op::BinLL { op: bop, dst, a, b } => {
                    if regs.bin_ll(stack, bop, dst, a, b) {
                        continue;
                    }
                }
                Op::BinLI { op: bop, dst, a, b } => {
                    if regs.bin_li(stack, bop, dst, a, b) {
                        continue;
                    }
                }
                Op::BinPK { op: bop, dst, b } => {
                    if regs.bin_pop(stack, bop, dst, regs.pk(b)) {
                        continue;
                    }
                }
                Op::BinPI { op: bop, dst, b } => {
                    if regs.bin_pop(stack, bop, dst, Some(i64::from(b))) {
                        continue;
                    }
                }
                Op::PushLL { op: bop, a, b } => {
                    if regs.push_ll(stack, bop, a, b) {
                        continue;
                    }
                }
                Op::PushLI { op: bop, a, b } => {
                    if regs.push_li(stack, bop, a, b) {
                        continue;
                    }
                }
                Op::JumpCmp {
                    op: cop,
                    a,
                    b,
                    when,
                    target,
                } => {
                    if let Some(r) = regs.int_cmp_pop(stack, cop, a, b) {
                        if r == when {
                            jump!(target);
                        }
                        continue;
                    }
                }
                Op::JumpLL {
                    op: cop,
                    a,
                    b,
                    when,
                    target,
                } => {
                    if let Some(r) = regs.cmp_ll(stack, cop, a, b) {
                        if r == when {
                            jump!(target);
                        }
                        continue;
                    }
                }
                Op::JumpLI {
                    op: cop,
                    a,
                    b,
                    when,
                    target,
                } => {
                    if let Some(r) = regs.cmp_li(stack, cop, a, b) {
                        if r == when {
                            jump!(target);
                        }
                        continue;
                    }
                }
                Op::Move { dst, src } => {
                    if regs.int_move(stack, dst, src) {
                        continue;
                    }
                }
                Op::Jump(t) => {
                    jump!(t);
                    continue;
                }
                Op::JumpIfFalse(t) | Op::JumpIfTrue(t) => {
                    if let Some(&Value::Bool(v)) = stack.last() {
                        pop_plain(stack);
                        if v == matches!(op, Op::JumpIfTrue(_)) {
                            jump!(t);
                        }
                        continue;
                    }
                }
                Op::ForLoop { var, state, body } => {
                    if let Ok(more) = regs.for_step(stack, var, state) {
                        if more {
                            jump!(body);
                        }
                        continue;
                    }
                }
                Op::Call { argc, kw } => {
                    let n = argc as usize;
                    if kw == NO_KW
                        && let Some(fpos) = stack.len().checked_sub(n + 1)
                        && let Value::Function(target) = stack[fpos]
                        && let callee = program.function(target)
                        && callee.params.len() == n
                        && fiber.frames.len() < ex.limits.frame_limit as usize
                    {
                        save_pc(fiber, pc!());
                        calls::enter_exact(fiber, target, callee, fpos);
                        continue 'frame;
                    }
                    save_pc(fiber, pc!());
                    flow!(fueled!(f => calls::call_op(ex, fiber, f, func, argc, kw)))
                }
                Op::ReturnLocal(i) => {
                    if let Some(Value::Int(x)) = stack.get(base + i as usize)
                        && plain_return(&fiber.frames, &fiber.handlers)
                    {
                        let x = *x;
                        fiber.frames.pop();
                        cut(&mut fiber.stack, base);
                        push_int(&mut fiber.stack, x);
                        continue 'frame;
                    }
                }
                Op::Return => {
                    if plain_return(&fiber.frames, &fiber.handlers)
                        && let Some(v) = stack.pop()
                    {
                        fiber.frames.pop();
                        cut(&mut fiber.stack, base);
                        if let Value::Int(x) = v {
                            // An int owns nothing: forgetting it spares the
                            // drop call a `match` arm left behind.
                            std::mem::forget(v);
                            push_int(&mut fiber.stack, x);
                        } else {
                            fiber.stack.push(v);
                        }
                        continue 'frame;
                    }
                }
                Op::ReturnArg(Arg::Int(k)) => {
                    if plain_return(&fiber.frames, &fiber.handlers) {
                        fiber.frames.pop();
                        cut(&mut fiber.stack, base);
                        push_int(&mut fiber.stack, i64::from(k));
                        continue 'frame;
                    }
                }
                _ => {}
            }
            // The fuel copy keeps `fuel` itself out of memory.
            let here = Here { fref, func, base };
            let mut spare = fuel;
            let ctl = general::one(ex, fiber, &here, op, pc!(), &mut spare);
            fuel = spare;
            match ctl {
                Ctl::Next(next) => jump!(next),
                Ctl::Frame => continue 'frame,
                Ctl::Leave(step) => {
                    *fuel_io = fuel;
                    return step;
                }
            }
        }
    }
}
