//! The dispatch loop proper: fetches, charges and executes instructions of
//! the innermost frame, one unit of fuel each, so a preempted fiber always
//! stops between two whole instructions. Each arm is short: local slots, int
//! arithmetic and comparisons on the stack, bool jumps and calls of script
//! functions with exactly their positional arguments are inline; the
//! register instructions are in `regs` and `shapes`, everything else in the
//! sibling modules and in `ops`.
//!
//! The loop's hot state lives in locals: the fuel is counted down in one and
//! written back only when the loop hands control away (`leave!`, and the
//! `fueled!` calls of helpers that charge fuel themselves); the frame's code,
//! base and pc are reloaded only when the innermost frame changes. A jump
//! back to an earlier instruction (`Jump`, a taken compare-and-jump, the
//! range loop) hands the body's hot stretch to `fast`'s inner loop, which
//! keeps that state in registers.

use std::sync::Arc;

use skein_script::bytecode::{Arg, BinOp, Dst, NO_KW, Op, PlaceBase, builtin_index};

use super::regs::{Regs, int_binary_top, int_compare_top, push_int};
use super::stack::{
    name_error, plain_return, pop, return_value, save_pc, top, truthy, unbound_local,
};
use super::{
    Exec, Flow, attrs, build, calls, cx, imports, inplace, items, place_call, places, throw,
    unwind, values,
};
use super::{fast, floats};
use crate::fiber::{Fiber, FiberState, Step};
use crate::value::{IterState, Value};
use crate::{builtins, errors, ops};

/// The loop proper. Each turn of `'frame` loads the innermost frame's code;
/// the inner loop runs it until a call, return or error changes frames.
pub(super) fn run(ex: &mut Exec, fiber: &mut Fiber, fuel_io: &mut u64) -> Step {
    let program = ex.program;
    let mut fuel: u64 = *fuel_io;
    let mut edges = fast::Edges::new();

    // Leaves the loop, handing the fuel left back to the caller.
    macro_rules! leave {
        ($step:expr) => {{
            *fuel_io = fuel;
            return $step;
        }};
    }
    // Runs `$e` with `$f` a `&mut u64` of the fuel left, for helpers that
    // charge fuel themselves; the local copy keeps `fuel` out of memory.
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

    'frame: loop {
        let Some(frame) = ex.frames.last() else {
            fiber.state = FiberState::Done;
            leave!(Step::Done(Value::None));
        };
        let mut fref = frame.func;
        let mut func = program.function(fref);
        let mut code: &[Op] = &func.code;
        let mut base = frame.base as usize;
        let mut module = fref.module as usize;
        let mut pc = frame.pc as usize;
        let mut at = places::PlaceFrame { func, base, module };
        let mut regs = Regs { func, base };

        // Makes the loop run frame `$fref` (`$func`, its window at `$base`)
        // from `$pc`: a call or return that knows its new frame skips the
        // reload at the top of `'frame`.
        macro_rules! switch_to {
            ($fref:expr, $func:expr, $base:expr, $pc:expr) => {{
                fref = $fref;
                func = $func;
                code = &func.code;
                base = $base;
                module = fref.module as usize;
                pc = $pc;
                at = places::PlaceFrame { func, base, module };
                regs = Regs { func, base };
            }};
        }

        macro_rules! or_raise {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(e) => break e,
                }
            };
        }
        macro_rules! flow {
            ($e:expr) => {
                match $e {
                    Ok(Flow::Next) => {}
                    Ok(Flow::Frame) => continue 'frame,
                    Ok(Flow::Suspend) => {
                        fiber.state = FiberState::Waiting;
                        leave!(Step::Suspended);
                    }
                    Err(e) => break e,
                }
            };
        }

        // Hands `v` to the caller: inline for a plain return, else through
        // `calls::return_from`.
        macro_rules! ret {
            ($v:expr) => {{
                let v = $v;
                if plain_return(&ex.frames, fiber) {
                    ex.frames.pop();
                    return_value(&mut fiber.stack, base, v);
                    if let Some(caller) = ex.frames.last() {
                        let (cf, cbase, cpc) = (caller.func, caller.base, caller.pc);
                        switch_to!(cf, program.function(cf), cbase as usize, cpc as usize);
                        continue;
                    }
                    continue 'frame;
                }
                match fueled!(f => calls::return_from(ex, fiber, f, v)) {
                    calls::Ret::Continue => continue 'frame,
                    calls::Ret::Done(v) => {
                        fiber.state = FiberState::Done;
                        leave!(Step::Done(v));
                    }
                    calls::Ret::Raise(e) => {
                        if let Some(done) = throw(ex, fiber, e, false) {
                            leave!(done);
                        }
                        continue 'frame;
                    }
                }
            }};
        }

        // Runs the general form of a `Bin` whose shape's int case gave way.
        macro_rules! general_bin {
            ($op:expr, $dst:expr, $a:expr, $b:expr) => {
                if !regs.float_bin(&mut fiber.stack, $op, $dst, $a, $b) {
                    or_raise!(fueled!(f => regs.bin(&mut fiber.stack, $op, $dst, $a, $b, &mut cx!(ex, f))))
                }
            };
        }
        // Goes on at `$t`; at a back edge the inner loop may take the body.
        macro_rules! go_to {
            ($t:expr, $stack:expr) => {{
                let from = pc;
                pc = $t as usize;
                edges.enter(
                    fref,
                    code,
                    regs,
                    $stack,
                    ex.limits.size_limit,
                    from,
                    &mut pc,
                    &mut fuel,
                );
            }};
        }
        // Jumps to `$t` when `$cmp` (the int case) or the general `JumpCmp`
        // says so.
        macro_rules! jump_if {
            ($cmp:expr, $when:expr, $t:expr, $op:expr, $a:expr, $b:expr) => {{
                let jump = match $cmp.or_else(|| regs.float_cmp_pop(&mut fiber.stack, $op, $a, $b)) {
                    Some(r) => r == $when,
                    None => or_raise!(fueled!(f => regs.jump_cmp(
                        &mut fiber.stack, $op, $a, $b, $when, &mut cx!(ex, f)
                    ))),
                };
                if jump {
                    go_to!($t, &mut fiber.stack);
                }
            }};
        }

        let err: Value = loop {
            if fuel == 0 {
                save_pc(&mut ex.frames, pc);
                leave!(Step::OutOfFuel);
            }
            fuel -= 1;
            // Matched through a reference: only the operands an arm uses
            // are read, not the whole 16 bytes copied out first.
            let Some(op) = code.get(pc) else {
                break errors::fault("ran past the end of a function");
            };
            pc += 1;
            let stack = &mut fiber.stack;
            match *op {
                Op::Nop => {}
                Op::Const(i) => {
                    let v = or_raise!(fueled!(f => values::load_const(func, i, &mut cx!(ex, f))));
                    stack.push(v);
                }
                Op::SmallInt(i) => push_int(stack, i64::from(i)),
                Op::None => stack.push(Value::None),
                Op::True => stack.push(Value::Bool(true)),
                Op::False => stack.push(Value::Bool(false)),
                Op::Pop => {
                    stack.pop();
                }
                Op::Dup => {
                    let v = top(stack).clone();
                    stack.push(v);
                }
                Op::Dup2 => {
                    let n = stack.len();
                    let a = stack[n - 2].clone();
                    let b = stack[n - 1].clone();
                    stack.push(a);
                    stack.push(b);
                }
                Op::Rot2 => {
                    let n = stack.len();
                    stack.swap(n - 1, n - 2);
                }
                Op::Rot3 => {
                    let n = stack.len();
                    stack[n - 3..].rotate_right(1);
                }
                Op::LoadLocal(i) => {
                    let slot = base + i as usize;
                    // An int is read as its payload: the slot was likely
                    // written that way, and reading the whole value right
                    // after a partial write stalls on x86.
                    if let Value::Int(x) = stack[slot] {
                        push_int(stack, x);
                        continue;
                    }
                    if matches!(stack[slot], Value::Unbound) {
                        break unbound_local(&func.local_names[i as usize]);
                    }
                    // Cloning straight into the stack's spare capacity
                    // avoids a round trip through a temporary.
                    stack.extend_from_within(slot..slot + 1);
                }
                Op::TakeLocal(i) => {
                    let v = std::mem::replace(&mut stack[base + i as usize], Value::Unbound);
                    if matches!(v, Value::Unbound) {
                        break unbound_local(&func.local_names[i as usize]);
                    }
                    stack.push(v);
                }
                Op::StoreLocal(i) => {
                    let v = pop(stack);
                    stack[base + i as usize] = v;
                }
                Op::DelLocal(i) => {
                    let slot = &mut stack[base + i as usize];
                    if matches!(slot, Value::Unbound) {
                        break unbound_local(&func.local_names[i as usize]);
                    }
                    *slot = Value::Unbound;
                }
                Op::ClearLocal(i) => stack[base + i as usize] = Value::Unbound,
                Op::LoadGlobal(i) => {
                    let v = &ex.globals.modules[module].values[i as usize];
                    if matches!(v, Value::Unbound) {
                        let name = &program.modules[module].globals[i as usize];
                        match builtin_index(name) {
                            Some(b) => stack.push(builtins::value_of(b)),
                            None => break name_error(name),
                        }
                    } else {
                        stack.push(v.clone());
                    }
                }
                Op::StoreGlobal(i) => {
                    let v = pop(stack);
                    ex.globals.modules[module].values[i as usize] = v;
                }
                Op::DelGlobal(i) => {
                    let slot = &mut ex.globals.modules[module].values[i as usize];
                    if matches!(slot, Value::Unbound) {
                        break name_error(&program.modules[module].globals[i as usize]);
                    }
                    *slot = Value::Unbound;
                }
                Op::LoadBuiltin(i) => stack.push(builtins::value_of(i)),
                Op::LoadAttr(i) => {
                    let obj = pop(stack);
                    let name = &func.names[i as usize];
                    let v = or_raise!(fueled!(f => attrs::get_attr(ex, f, &obj, name)));
                    fiber.stack.push(v);
                }
                Op::LoadPlace {
                    base: place_base,
                    depth,
                } => {
                    if depth == 1
                        && let PlaceBase::Local(l) = place_base
                        && let Some(v) = items::quick_item(stack, base + l as usize)
                    {
                        stack.push(v);
                    } else {
                        or_raise!(
                            fueled!(f => places::load_place(ex, fiber, f, at, place_base, depth))
                        );
                    }
                }
                Op::StorePlace {
                    base: place_base,
                    depth,
                } => {
                    let done = match place_base {
                        PlaceBase::Local(i) if depth == 0 => {
                            let v = pop(stack);
                            stack[base + i as usize] = v;
                            true
                        }
                        PlaceBase::Local(l) if depth == 1 => {
                            items::quick_store(stack, base + l as usize, ex.limits.size_limit)
                        }
                        _ => false,
                    };
                    if !done {
                        or_raise!(
                            fueled!(f => places::store_place(ex, fiber, f, at, place_base, depth))
                        );
                    }
                }
                Op::DelPlace {
                    base: place_base,
                    depth,
                } => {
                    or_raise!(fueled!(f => places::del_place(ex, fiber, f, at, place_base, depth)));
                }
                // A method of a list, dict or str in a local: on the slot
                // itself, no place to walk (`sort` without `key=` included).
                Op::CallPlace {
                    base: PlaceBase::Local(l),
                    depth: 0,
                    name,
                    argc,
                    kw: NO_KW,
                } if values::has_methods(&stack[base + l as usize]) => {
                    let slot = base + l as usize;
                    let r = or_raise!(
                        fueled!(f => calls::local_method(ex, stack, f, func, slot, name, argc))
                    );
                    stack.push(r);
                }
                Op::CallPlace {
                    base: place_base,
                    depth,
                    name,
                    argc,
                    kw,
                } => {
                    save_pc(&mut ex.frames, pc);
                    let call = place_call::PlaceCall {
                        base: place_base,
                        depth,
                        name,
                        argc,
                        kw,
                    };
                    flow!(fueled!(f => place_call::call_place(ex, fiber, f, at, call)));
                }
                Op::Index => {
                    let i = pop(stack);
                    let a = top(stack);
                    let r = match (&*a, &i) {
                        (Value::List(l), Value::Int(n))
                            if *n >= 0 && (*n as usize) < l.items.len() =>
                        {
                            l.items[*n as usize].clone()
                        }
                        _ => or_raise!(ops::index(a, &i)),
                    };
                    *top(&mut fiber.stack) = r;
                }
                Op::IndexLocal { a, key } => {
                    let v =
                        or_raise!(fueled!(f => regs.index_local(stack, a, key, &mut cx!(ex, f))));
                    fiber.stack.push(v);
                }
                Op::IndexGlobal { g, key } => {
                    let c = &ex.globals.modules[module].values[g as usize];
                    let name = &program.modules[module].globals[g as usize];
                    let v = or_raise!(
                        fueled!(f => regs.index_global(stack, c, name, key, &mut cx!(ex, f)))
                    );
                    fiber.stack.push(v);
                }
                Op::IndexLocalPop(a) => {
                    let v = or_raise!(regs.index_pop(stack, a));
                    stack.push(v);
                }
                Op::Slice => {
                    let st = pop(stack);
                    let hi = pop(stack);
                    let lo = pop(stack);
                    let a = top(stack);
                    let r = or_raise!(ops::slice(a, &lo, &hi, &st));
                    *top(&mut fiber.stack) = r;
                }
                Op::Binary(bop) => {
                    if int_binary_top(stack, bop) || floats::binary_top(stack, bop) {
                        continue;
                    }
                    if bop == BinOp::Add
                        && let Some(r) =
                            fueled!(f => inplace::add_then_store(ex, fiber, f, at, code.get(pc)))
                    {
                        or_raise!(r);
                        pc += 1;
                        continue;
                    }
                    or_raise!(fueled!(f => super::regs::binary_top(
                        &mut fiber.stack,
                        bop,
                        &mut cx!(ex, f)
                    )));
                }
                Op::Bin { op: bop, dst, a, b } => {
                    if !regs.int_bin(stack, bop, dst, a, b) {
                        general_bin!(bop, dst, a, b);
                    }
                }
                Op::BinLL { op: bop, dst, a, b } => {
                    if !regs.bin_ll(stack, bop, dst, a, b) {
                        general_bin!(bop, Dst::Local(dst), Arg::Local(a), Arg::Local(b));
                    }
                }
                Op::BinLI { op: bop, dst, a, b } => {
                    if !regs.bin_li(stack, bop, dst, a, b) {
                        general_bin!(bop, Dst::Local(dst), Arg::Local(a), Arg::Int(b));
                    }
                }
                Op::BinPK { op: bop, dst, b } => {
                    if !regs.bin_pop(stack, bop, dst, regs.pk(b)) {
                        general_bin!(bop, Dst::Local(dst), Arg::Pop, Arg::Const(b));
                    }
                }
                Op::BinPI { op: bop, dst, b } => {
                    if !regs.bin_pop(stack, bop, dst, Some(i64::from(b))) {
                        general_bin!(bop, Dst::Local(dst), Arg::Pop, Arg::Int(b));
                    }
                }
                Op::PushLL { op: bop, a, b } => {
                    if !regs.push_ll(stack, bop, a, b) {
                        general_bin!(bop, Dst::Push, Arg::Local(a), Arg::Local(b));
                    }
                }
                Op::PushLI { op: bop, a, b } => {
                    if !regs.push_li(stack, bop, a, b) {
                        general_bin!(bop, Dst::Push, Arg::Local(a), Arg::Int(b));
                    }
                }
                Op::Unary(uop) => {
                    let a = top(stack);
                    let r = or_raise!(ops::unary(uop, a));
                    *a = r;
                }
                Op::Compare(cop) => {
                    if int_compare_top(stack, cop) || floats::compare_top(stack, cop) {
                        continue;
                    }
                    let b = pop(stack);
                    let a = top(stack);
                    let r = or_raise!(ops::compare(cop, a, &b));
                    *a = r;
                }
                Op::JumpCmp {
                    op: cop,
                    a,
                    b,
                    when,
                    target,
                } => jump_if!(regs.int_cmp_pop(stack, cop, a, b), when, target, cop, a, b),
                Op::JumpLL {
                    op: cop,
                    a,
                    b,
                    when,
                    target,
                } => {
                    let (la, lb) = (Arg::Local(a), Arg::Local(b));
                    jump_if!(regs.cmp_ll(stack, cop, a, b), when, target, cop, la, lb)
                }
                Op::JumpLI {
                    op: cop,
                    a,
                    b,
                    when,
                    target,
                } => {
                    let (la, kb) = (Arg::Local(a), Arg::Int(b));
                    jump_if!(regs.cmp_li(stack, cop, a, b), when, target, cop, la, kb)
                }
                Op::Move { dst, src } => {
                    if !regs.int_move(stack, dst, src) {
                        or_raise!(fueled!(f => regs.mov(stack, dst, src, &mut cx!(ex, f))));
                    }
                }
                Op::Not => {
                    let a = top(stack);
                    *a = Value::Bool(!truthy(a));
                }
                Op::Jump(t) => {
                    go_to!(t, stack);
                }
                Op::JumpIfFalse(t) => {
                    if !truthy(&pop(stack)) {
                        pc = t as usize;
                    }
                }
                Op::JumpIfTrue(t) => {
                    if truthy(&pop(stack)) {
                        pc = t as usize;
                    }
                }
                Op::JumpIfFalseOrPop(t) => {
                    if truthy(top(stack)) {
                        stack.pop();
                    } else {
                        pc = t as usize;
                    }
                }
                Op::JumpIfTrueOrPop(t) => {
                    if truthy(top(stack)) {
                        pc = t as usize;
                    } else {
                        stack.pop();
                    }
                }
                Op::BuildList(n) => {
                    let v = or_raise!(fueled!(f => build::list(stack, n, &cx!(ex, f))));
                    fiber.stack.push(v);
                }
                Op::BuildDict(n) => {
                    let d = or_raise!(fueled!(f => build::dict(stack, n, &mut cx!(ex, f))));
                    fiber.stack.push(d);
                }
                Op::ListAppendLocal(i) => {
                    let v = pop(stack);
                    let slot = &mut stack[base + i as usize];
                    or_raise!(fueled!(f => crate::methods::call(
                        slot,
                        "append",
                        vec![v],
                        Vec::new(),
                        &mut cx!(ex, f)
                    )));
                }
                Op::DictInsertLocal(i) => {
                    let v = pop(stack);
                    let k = pop(stack);
                    let slot = &mut stack[base + i as usize];
                    or_raise!(fueled!(f => ops::store_index(slot, k, v, &mut cx!(ex, f))));
                }
                Op::BuildString(n) => {
                    let s = fueled!(f => build::string(stack, n, &mut cx!(ex, f)));
                    fiber.stack.push(s);
                }
                Op::FormatValue { conv, spec } => {
                    let s = or_raise!(
                        fueled!(f => build::format_value(stack, conv, spec, &mut cx!(ex, f)))
                    );
                    fiber.stack.push(s);
                }
                Op::Unpack(n) => {
                    let v = pop(stack);
                    or_raise!(ops::unpack_onto(stack, &v, n as usize));
                }
                Op::GetIter => {
                    let a = top(stack);
                    let it = or_raise!(ops::get_iter(a));
                    *top(&mut fiber.stack) = it;
                }
                Op::ItemsIter(t) => match top(stack) {
                    Value::Dict(d) => {
                        let it = or_raise!(fueled!(f => ops::items_iter(d, &mut cx!(ex, f))));
                        *top(&mut fiber.stack) = it;
                    }
                    _ => pc = t as usize,
                },
                Op::ForIter(t) | Op::ForPair(t) => {
                    if matches!(*op, Op::ForPair(_))
                        && let Some(step) = ops::pair_step(top(stack))
                    {
                        match step {
                            Some((k, v)) => {
                                stack.push(v);
                                stack.push(k);
                                // Past the `Unpack(2)` the verifier put after it.
                                pc += 1;
                            }
                            None => {
                                stack.pop();
                                pc = t as usize;
                            }
                        }
                        continue;
                    }
                    let Value::Iter(it) = top(stack) else {
                        break errors::fault("ForIter without an iterator");
                    };
                    let next = match Arc::make_mut(it) {
                        IterState::Channel(id) => {
                            let id = *id;
                            save_pc(&mut ex.frames, pc);
                            match ex.host.channel_next(id) {
                                crate::host::HostResult::Return(v) => Some(v),
                                crate::host::HostResult::IterEnd => None,
                                crate::host::HostResult::Raise(e) => break values::as_error(e),
                                crate::host::HostResult::Suspend => {
                                    fiber.state = FiberState::Waiting;
                                    leave!(Step::Suspended);
                                }
                            }
                        }
                        other => ops::iter_next(other),
                    };
                    match next {
                        Some(v) => fiber.stack.push(v),
                        None => {
                            fiber.stack.pop();
                            pc = t as usize;
                        }
                    }
                }
                Op::ForPrep {
                    var,
                    state,
                    argc,
                    exit,
                } => {
                    if !or_raise!(
                        fueled!(f => regs.for_prep(stack, var, state, argc, &mut cx!(ex, f)))
                    ) {
                        pc = exit as usize;
                    }
                }
                Op::ForLoop { var, state, body } => {
                    if or_raise!(regs.for_step(stack, var, state)) {
                        go_to!(body, stack);
                    }
                }
                Op::Call { argc: 1, kw: NO_KW }
                    if matches!(stack[stack.len() - 2], Value::Builtin(calls::LEN)) =>
                {
                    let r = or_raise!(fueled!(f => calls::len(ex, stack, f)));
                    stack.push(r);
                }
                Op::Call { argc, kw } => {
                    let n = argc as usize;
                    let fpos = stack.len() - n - 1;
                    if kw == NO_KW
                        && let Value::Function(target) = stack[fpos]
                        && let callee = program.function(target)
                        && callee.params.len() == n
                    {
                        if ex.frames.len() >= ex.limits.frame_limit as usize {
                            break calls::recursion_error();
                        }
                        save_pc(&mut ex.frames, pc);
                        calls::enter_exact(&mut ex.frames, fiber, target, callee, fpos);
                        switch_to!(target, callee, fpos, 0);
                        continue;
                    }
                    save_pc(&mut ex.frames, pc);
                    flow!(fueled!(f => calls::call_op(ex, fiber, f, func, argc, kw)));
                }
                Op::CallMethod { name, argc, kw } => {
                    save_pc(&mut ex.frames, pc);
                    flow!(fueled!(f => calls::call_method_op(ex, fiber, f, func, name, argc, kw)));
                }
                Op::Return => ret!(pop(stack)),
                Op::ReturnArg(a) => match regs.take_quick(stack, a) {
                    Some(v) => ret!(v),
                    None => ret!(or_raise!(
                        fueled!(f => regs.take(stack, a, &mut cx!(ex, f)))
                    )),
                },
                Op::ReturnLocal(i) => match regs.take_quick(stack, Arg::Local(i)) {
                    Some(v) => ret!(v),
                    None => break regs.unbound(i),
                },
                Op::SetupExcept(t) | Op::SetupFinally(t) => {
                    let len = stack.len() as u32;
                    let frame = (ex.frames.len() - 1) as u32;
                    fiber.handlers_mut().push(crate::fiber::Handler {
                        frame,
                        target: t,
                        stack_len: len,
                        catch_all: matches!(*op, Op::SetupFinally(_)),
                    });
                }
                Op::PopHandler => {
                    if let Some(handlers) = fiber.handlers_if_any() {
                        handlers.pop();
                    }
                }
                Op::ExcMatch => {
                    let kind = pop(stack);
                    let err = top(stack);
                    let m = or_raise!(unwind::exc_match(err, &kind));
                    fiber.stack.push(Value::Bool(m));
                }
                Op::Raise => {
                    let v = pop(stack);
                    // `raise KIND` is `raise KIND()`; anything else not an
                    // error is Python's TypeError.
                    break values::as_error(v);
                }
                Op::Reraise => {
                    let e = pop(stack);
                    save_pc(&mut ex.frames, pc);
                    let (e, again) = match e {
                        Value::None => unwind::handled_error(ex, fiber),
                        e => (e, true),
                    };
                    if let Some(done) = throw(ex, fiber, e, again) {
                        leave!(done);
                    }
                    continue 'frame;
                }
                Op::Import(i) => {
                    save_pc(&mut ex.frames, pc);
                    flow!(imports::import(ex, fiber, &func.names[i as usize]));
                }
                Op::MakeFunction(i) => {
                    stack.push(Value::Function(skein_script::bytecode::FuncRef {
                        module: fref.module,
                        func: i,
                    }))
                }
                Op::ImportFrom(i) => {
                    let m = top(stack).clone();
                    let name = &func.names[i as usize];
                    let v = or_raise!(fueled!(f => imports::import_from(ex, f, &m, name)));
                    fiber.stack.push(v);
                }
            }
        };
        save_pc(&mut ex.frames, pc);
        if let Some(done) = throw(ex, fiber, err, false) {
            leave!(done);
        }
    }
}
