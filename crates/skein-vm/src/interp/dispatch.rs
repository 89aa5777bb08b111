//! The dispatch loop proper: fetches, charges and executes instructions of
//! the innermost frame. The common cases (local slots, int arithmetic and
//! comparisons, bool jumps, range loops, calls of script functions with
//! exactly their positional arguments, plain returns) are handled inline;
//! everything else goes to the sibling modules and to `ops`.
//!
//! Speed (release, min CPU time of 5 runs by `perf stat -e task-clock`,
//! pinned with `taskset -c 1`, on a busy 2-core VM where PUC Lua 5.4 took
//! 0.154 s for fib(32) and 0.116 s for the bench loop): fib(32) 0.58 s, the
//! 10-million-iteration `while` loop of `loop_speed` 0.16 s, the
//! `benches/programs/loop.sk` range loop 0.39 s. Sequences of int
//! instructions run fused (`fused`); values are written in place or copied
//! whole, never built in parts and read back whole (a store-forwarding stall
//! on x86). What is left is one indirect dispatch per (fused) instruction
//! and register pressure in this one big function.

use std::sync::Arc;

use skein_script::bytecode::{BinOp, FuncRef, NO_KW, Op, builtin_index};

use super::{Exec, Flow, attrs, calls, cx, fused, imports, inplace, places, throw, unwind, values};
use crate::fiber::{Fiber, FiberState, Frame, Step};
use crate::value::{IterState, Kind, Value};
use crate::{builtins, errors, format, ops};

/// Saves the current instruction pointer into the innermost frame.
#[inline]
fn save_pc(fiber: &mut Fiber, pc: usize) {
    if let Some(f) = fiber.frames.last_mut() {
        f.pc = pc as u32;
    }
}

#[inline]
pub(crate) fn pop(stack: &mut Vec<Value>) -> Value {
    // Verified bytecode never pops an empty stack; `Unbound` keeps a broken
    // save from panicking the host.
    stack.pop().unwrap_or(Value::Unbound)
}

/// A zero to push by copying, never written, so reading it whole is free.
static INT0: Value = Value::Int(0);

/// Pushes an int: a copy of a zero, then its payload written in place.
///
/// `push(Value::Int(0))` builds its zero in a temporary by parts and reads it
/// back whole: a store-forwarding stall on every push. Copying a zero that
/// sits in memory moves it whole instead; `black_box` keeps the compiler
/// from folding the copy back into a built value.
#[inline]
pub(super) fn push_int(stack: &mut Vec<Value>, i: i64) {
    stack.push(Value::clone(std::hint::black_box(&INT0)));
    if let [.., Value::Int(slot)] = stack.as_mut_slice() {
        *slot = i;
    }
}

/// Replaces the top two values, known to be ints, by a bool. Written in
/// place rather than moved, so nothing reads a whole value back right after
/// it was written in parts (a store-forwarding stall on x86).
#[inline]
fn set_top2_bool(stack: &mut Vec<Value>, b: bool) {
    forget_top(stack);
    let n = stack.len();
    stack[n - 1] = Value::Bool(b);
}

/// Pops a value known to need no drop (an int or a bool), without
/// reading it whole.
#[inline]
fn forget_top(stack: &mut Vec<Value>) {
    if let Some(v) = stack.pop() {
        std::mem::forget(v);
    }
}

/// `stack.truncate(len)`, skipping the drop glue for scalars.
#[inline]
fn truncate(stack: &mut Vec<Value>, len: usize) {
    while stack.len() > len {
        match stack.pop() {
            Some(v @ (Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_))) => {
                std::mem::forget(v)
            }
            other => drop(other),
        }
    }
}

#[inline]
fn top(stack: &mut [Value]) -> &mut Value {
    let n = stack.len();
    &mut stack[n - 1]
}

/// Whether a `Return` of the innermost frame (running `fref`) can skip
/// `calls::return_from`: a plain function returning to a script caller,
/// with no handler of its own left to run.
#[inline]
fn plain_return(ex: &Exec, frames: &[Frame], handlers: &[crate::Handler], fref: FuncRef) -> bool {
    let depth = frames.len();
    depth > 1
        && fref.func != 0
        && Some(fref.module) != ex.prelude
        && handlers
            .last()
            .is_none_or(|h| (h.frame as usize) < depth - 1)
}

/// Leaves the int `x` (already off the stack) as the result of the frame
/// whose locals start at `base`: in its first local's slot, usually an int
/// already, so only the payload is written.
#[inline]
fn return_int(stack: &mut Vec<Value>, base: usize, x: i64) {
    if let Some(slot) = stack.get_mut(base) {
        fused::set_int(slot, x);
        truncate(stack, base + 1);
    } else {
        push_int(stack, x);
    }
}

pub(crate) fn unbound_local(name: &str) -> Value {
    errors::error(
        Kind::UnboundLocalError,
        format!("cannot access local variable '{name}' where it is not associated with a value"),
    )
}

pub(crate) fn name_error(name: &str) -> Value {
    errors::error(Kind::NameError, format!("name '{name}' is not defined"))
}

/// The loop proper. Each turn of `'frame` loads the innermost frame's code;
/// the inner loop runs it until a call, return or error changes frames.
pub(super) fn run(ex: &mut Exec, fiber: &mut Fiber, fuel: &mut u64) -> Step {
    let program = ex.program;
    'frame: loop {
        let Some(frame) = fiber.frames.last() else {
            fiber.state = FiberState::Done;
            return Step::Done(Value::None);
        };
        let fref = frame.func;
        let func = program.function(fref);
        let code: &[Op] = &func.code;
        let base = frame.base as usize;
        let gm = fref.module as usize;
        let mut pc = frame.pc as usize;
        let at = places::At {
            func,
            base,
            module: gm,
        };

        macro_rules! tri {
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
                        return Step::Suspended;
                    }
                    Err(e) => break e,
                }
            };
        }

        let err: Value = loop {
            if *fuel == 0 {
                save_pc(fiber, pc);
                return Step::OutOfFuel;
            }
            *fuel -= 1;
            let Some(&op) = code.get(pc) else {
                break errors::runtime_error("internal error: ran past the end of a function");
            };
            pc += 1;
            let stack = &mut fiber.stack;
            match op {
                Op::Nop => {}
                Op::Const(i) => {
                    let v = tri!(values::const_value(
                        &func.consts[i as usize],
                        &mut cx!(ex, fuel)
                    ));
                    stack.push(v);
                }
                Op::SmallInt(i) => push_int(stack, i as i64),
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
                    if let Value::Int(x) = stack[base + i as usize] {
                        // `return n`, without pushing `n` first.
                        if let Some(Op::Return) = code.get(pc)
                            && *fuel >= 1
                            && plain_return(ex, &fiber.frames, &fiber.handlers, fref)
                        {
                            *fuel -= 1;
                            fiber.frames.pop();
                            return_int(stack, base, x);
                            continue 'frame;
                        }
                        if let Some(next) = fused::after_int_local(code, pc, stack, base, x, fuel) {
                            pc = next;
                        } else {
                            push_int(stack, x);
                        }
                        continue;
                    }
                    let v = &stack[base + i as usize];
                    if matches!(v, Value::Unbound) {
                        break unbound_local(&func.local_names[i as usize]);
                    }
                    // Cloning straight into the stack's spare capacity
                    // avoids a round trip through a temporary.
                    let slot = base + i as usize;
                    stack.extend_from_within(slot..slot + 1);
                }
                Op::StoreLocal(i) => {
                    let slot = base + i as usize;
                    // An int into an int slot: move the payload alone, so
                    // no whole value is read back right after being written.
                    if let [.., Value::Int(x)] = stack.as_slice() {
                        let x = *x;
                        if let Value::Int(old) = &mut stack[slot] {
                            *old = x;
                            forget_top(stack);
                            continue;
                        }
                    }
                    let v = pop(stack);
                    stack[slot] = v;
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
                    let v = &ex.globals.modules[gm].values[i as usize];
                    if matches!(v, Value::Unbound) {
                        let name = &program.modules[gm].globals[i as usize];
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
                    ex.globals.modules[gm].values[i as usize] = v;
                }
                Op::DelGlobal(i) => {
                    let slot = &mut ex.globals.modules[gm].values[i as usize];
                    if matches!(slot, Value::Unbound) {
                        break name_error(&program.modules[gm].globals[i as usize]);
                    }
                    *slot = Value::Unbound;
                }
                Op::LoadBuiltin(i) => stack.push(builtins::value_of(i)),
                Op::LoadAttr(i) => {
                    let obj = pop(stack);
                    let v = tri!(attrs::get_attr(ex, fuel, &obj, &func.names[i as usize]));
                    fiber.stack.push(v);
                }
                Op::LoadPlace { base: pb, depth } => {
                    tri!(places::load_place(ex, fiber, fuel, at, pb, depth));
                }
                Op::StorePlace { base: pb, depth } => {
                    if depth == 0
                        && let skein_script::bytecode::PlaceBase::Local(i) = pb
                    {
                        let v = pop(stack);
                        stack[base + i as usize] = v;
                    } else {
                        tri!(places::store_place(ex, fiber, fuel, at, pb, depth));
                    }
                }
                Op::DelPlace { base: pb, depth } => {
                    tri!(places::del_place(ex, fiber, fuel, at, pb, depth));
                }
                Op::CallPlace {
                    base: pb,
                    depth,
                    name,
                    argc,
                    kw,
                } => {
                    save_pc(fiber, pc);
                    let call = places::PlaceCall {
                        base: pb,
                        depth,
                        name,
                        argc,
                        kw,
                    };
                    flow!(places::call_place(ex, fiber, fuel, at, call));
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
                        _ => tri!(ops::index(a, &i)),
                    };
                    *top(&mut fiber.stack) = r;
                }
                Op::Slice => {
                    let st = pop(stack);
                    let hi = pop(stack);
                    let lo = pop(stack);
                    let a = top(stack);
                    let r = tri!(ops::slice(a, &lo, &hi, &st));
                    *top(&mut fiber.stack) = r;
                }
                Op::Binary(bop) => {
                    if let [.., Value::Int(x), Value::Int(y)] = stack.as_slice()
                        && let Some(r) = fused::int_arith(bop, *x, *y)
                    {
                        if let Some(next) = fused::after_int_binary(code, pc, stack, base, r, fuel)
                        {
                            pc = next;
                        } else if let [.., Value::Int(x), _] = stack.as_mut_slice() {
                            // Only the payload changes: no tag write, no drop.
                            *x = r;
                            forget_top(stack);
                        }
                        continue;
                    }
                    if bop == BinOp::Add
                        && let Some(r) = inplace::add_then_store(ex, fiber, fuel, at, code.get(pc))
                    {
                        tri!(r);
                        pc += 1;
                        continue;
                    }
                    let stack = &mut fiber.stack;
                    let b = pop(stack);
                    let a = top(stack);
                    let r = tri!(ops::binary(bop, a, &b, &mut cx!(ex, fuel)));
                    *top(&mut fiber.stack) = r;
                }
                Op::Unary(uop) => {
                    let a = top(stack);
                    let r = tri!(ops::unary(uop, a));
                    *a = r;
                }
                Op::Compare(cop) => {
                    let n = stack.len();
                    if let (Value::Int(x), Value::Int(y)) = (&stack[n - 2], &stack[n - 1])
                        && let Some(r) = fused::int_cmp(cop, *x, *y)
                    {
                        // A jump on the result takes it straight away
                        // (charged as the instruction it is).
                        if let Some(&Op::JumpIfFalse(t)) = code.get(pc)
                            && *fuel >= 1
                        {
                            *fuel -= 1;
                            forget_top(stack);
                            forget_top(stack);
                            pc = if r { pc + 1 } else { t as usize };
                        } else {
                            set_top2_bool(stack, r);
                        }
                        continue;
                    }
                    let b = pop(stack);
                    let a = top(stack);
                    let r = tri!(ops::compare(cop, a, &b));
                    *a = r;
                }
                Op::Not => {
                    let a = top(stack);
                    *a = Value::Bool(!truthy(a));
                }
                Op::Jump(t) => pc = t as usize,
                Op::JumpIfFalse(t) => {
                    if let [.., Value::Bool(b)] = stack.as_slice() {
                        if !*b {
                            pc = t as usize;
                        }
                        forget_top(stack);
                    } else if !truthy(&pop(stack)) {
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
                    let items = stack.split_off(stack.len() - n as usize);
                    let v = tri!(values::make_list(items, &cx!(ex, fuel)));
                    fiber.stack.push(v);
                }
                Op::BuildDict(n) => {
                    let pairs = stack.split_off(stack.len() - 2 * n as usize);
                    let mut d = Value::Dict(Arc::default());
                    let mut cx = cx!(ex, fuel);
                    let mut it = pairs.into_iter();
                    let mut res = Ok(());
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        res = ops::store_index(&mut d, k, v, &mut cx);
                        if res.is_err() {
                            break;
                        }
                    }
                    tri!(res);
                    fiber.stack.push(d);
                }
                Op::ListAppendLocal(i) => {
                    let v = pop(stack);
                    let slot = &mut stack[base + i as usize];
                    tri!(crate::methods::call(
                        slot,
                        "append",
                        vec![v],
                        Vec::new(),
                        &mut cx!(ex, fuel)
                    ));
                }
                Op::DictInsertLocal(i) => {
                    let v = pop(stack);
                    let k = pop(stack);
                    let slot = &mut stack[base + i as usize];
                    tri!(ops::store_index(slot, k, v, &mut cx!(ex, fuel)));
                }
                Op::BuildString(n) => {
                    let parts = stack.split_off(stack.len() - n as usize);
                    let mut s = String::new();
                    for p in &parts {
                        match p {
                            Value::Str(x) => s.push_str(x),
                            other => s.push_str(&format::str(other, &mut cx!(ex, fuel))),
                        }
                    }
                    fiber.stack.push(Value::str(s));
                }
                Op::FormatValue { conv, spec } => {
                    let spec = if spec { Some(pop(stack)) } else { None };
                    let v = pop(stack);
                    let mut cx = cx!(ex, fuel);
                    let conv_v = match conv {
                        1 => Value::str(format::str(&v, &mut cx)),
                        2 => Value::str(format::repr(&v, &mut cx)),
                        _ => v,
                    };
                    let s = match &spec {
                        Some(Value::Str(sp)) if !sp.is_empty() => {
                            tri!(format::format_spec(&conv_v, sp, &mut cx))
                        }
                        _ => match conv_v {
                            Value::Str(s) => {
                                fiber.stack.push(Value::Str(s));
                                continue;
                            }
                            other => format::str(&other, &mut cx),
                        },
                    };
                    fiber.stack.push(Value::str(s));
                }
                Op::Unpack(n) => {
                    let v = pop(stack);
                    let items = tri!(ops::unpack(&v, n as usize));
                    fiber.stack.extend(items.into_iter().rev());
                }
                Op::GetIter => {
                    let a = top(stack);
                    let it = tri!(ops::get_iter(a));
                    *top(&mut fiber.stack) = it;
                }
                Op::ForIter(t) => {
                    // Ranges first, pushing the int in place.
                    let range_step = match stack.last_mut() {
                        Some(Value::Iter(it)) => match Arc::make_mut(it) {
                            IterState::Range { next, stop, step } => {
                                let cur = *next;
                                let more = if *step > 0 { cur < *stop } else { cur > *stop };
                                if more {
                                    // Past the end of i64 there is nothing left to yield.
                                    *next = cur.checked_add(*step).unwrap_or(*stop);
                                }
                                Some(more.then_some(cur))
                            }
                            _ => None,
                        },
                        _ => None,
                    };
                    match range_step {
                        Some(Some(cur)) => {
                            // `for i in range(..)`: straight into `i`.
                            if let Some(&Op::StoreLocal(d)) = code.get(pc)
                                && *fuel >= 1
                                && base + (d as usize) + 1 < stack.len()
                            {
                                *fuel -= 1;
                                fused::set_int(&mut stack[base + d as usize], cur);
                                pc += 1;
                            } else {
                                push_int(stack, cur);
                            }
                            continue;
                        }
                        Some(None) => {
                            stack.pop();
                            pc = t as usize;
                            continue;
                        }
                        None => {}
                    }
                    let Value::Iter(it) = top(stack) else {
                        break errors::runtime_error("internal error: ForIter without an iterator");
                    };
                    let state = Arc::make_mut(it);
                    let next = match state {
                        IterState::Range { next, stop, step } => {
                            let cur = *next;
                            let more = if *step > 0 { cur < *stop } else { cur > *stop };
                            if more {
                                // Past the end of i64 there is nothing left to yield.
                                *next = cur.checked_add(*step).unwrap_or(*stop);
                                Some(Value::Int(cur))
                            } else {
                                None
                            }
                        }
                        IterState::Channel(id) => {
                            let id = *id;
                            save_pc(fiber, pc);
                            match ex.host.channel_next(id) {
                                crate::HostResult::Return(v) => Some(v),
                                crate::HostResult::IterEnd => None,
                                crate::HostResult::Raise(e) => break values::as_error(e),
                                crate::HostResult::Suspend => {
                                    fiber.state = FiberState::Waiting;
                                    return Step::Suspended;
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
                Op::Call { argc, kw } => {
                    let n = argc as usize;
                    let fpos = stack.len() - n - 1;
                    if kw == NO_KW
                        && let Value::Function(target) = stack[fpos]
                    {
                        let callee = program.function(target);
                        if callee.params.len() == n {
                            if fiber.frames.len() >= ex.limits.frame_limit as usize {
                                break calls::recursion_error();
                            }
                            // Slide the arguments over the function value,
                            // which needs no drop.
                            for j in fpos..fpos + n {
                                match stack[j + 1] {
                                    // Moved as payload (see `set_top2_bool`).
                                    Value::Int(x) => stack[j] = Value::Int(x),
                                    _ => stack.swap(j, j + 1),
                                }
                            }
                            forget_top(stack);
                            if callee.nlocals as usize > n {
                                stack.resize(fpos + callee.nlocals as usize, Value::Unbound);
                            }
                            save_pc(fiber, pc);
                            fiber.frames.push(Frame {
                                func: target,
                                pc: 0,
                                base: fpos as u32,
                            });
                            continue 'frame;
                        }
                    }
                    save_pc(fiber, pc);
                    flow!(calls::call_op(ex, fiber, fuel, func, argc, kw));
                }
                Op::CallMethod { name, argc, kw } => {
                    save_pc(fiber, pc);
                    flow!(calls::call_method_op(ex, fiber, fuel, func, name, argc, kw));
                }
                Op::Return => {
                    if plain_return(ex, &fiber.frames, &fiber.handlers, fref) {
                        fiber.frames.pop();
                        if let [.., Value::Int(x)] = stack.as_slice() {
                            let x = *x;
                            forget_top(stack);
                            return_int(stack, base, x);
                        } else {
                            let v = pop(stack);
                            truncate(stack, base);
                            stack.push(v);
                        }
                        continue 'frame;
                    }
                    let v = pop(stack);
                    match calls::return_from(ex, fiber, fuel, v) {
                        calls::Ret::Continue => continue 'frame,
                        calls::Ret::Done(v) => {
                            fiber.state = FiberState::Done;
                            return Step::Done(v);
                        }
                        calls::Ret::Raise(e) => {
                            if let Some(done) = throw(ex, fiber, e, false) {
                                return done;
                            }
                            continue 'frame;
                        }
                    }
                }
                Op::SetupExcept(t) | Op::SetupFinally(t) => {
                    let len = stack.len() as u32;
                    fiber.handlers.push(crate::Handler {
                        frame: (fiber.frames.len() - 1) as u32,
                        target: t,
                        stack_len: len,
                        catch_all: matches!(op, Op::SetupFinally(_)),
                    });
                }
                Op::PopHandler => {
                    fiber.handlers.pop();
                }
                Op::ExcMatch => {
                    let kind = pop(stack);
                    let err = top(stack);
                    let m = tri!(unwind::exc_match(err, &kind));
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
                    save_pc(fiber, pc);
                    let (e, again) = match e {
                        Value::None => unwind::handled_error(ex, fiber),
                        e => (e, true),
                    };
                    if let Some(done) = throw(ex, fiber, e, again) {
                        return done;
                    }
                    continue 'frame;
                }
                Op::Import(i) => {
                    save_pc(fiber, pc);
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
                    let v = tri!(imports::import_from(ex, fuel, &m, &func.names[i as usize]));
                    fiber.stack.push(v);
                }
            }
        };
        save_pc(fiber, pc);
        if let Some(done) = throw(ex, fiber, err, false) {
            return done;
        }
    }
}

/// Python truthiness, with the common cases inline.
#[inline]
fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::None => false,
        other => ops::truthy(other),
    }
}
