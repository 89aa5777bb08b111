//! The dispatch loop proper: fetches, charges and executes instructions of
//! the innermost frame, one unit of fuel each, so a preempted fiber always
//! stops between two whole instructions. Each arm is short: local slots, int
//! arithmetic and comparisons on the stack, bool jumps and calls of script
//! functions with exactly their positional arguments are inline; the
//! register instructions are in `regs`, everything else in the sibling
//! modules and in `ops`.

use std::sync::Arc;

use skein_script::bytecode::{BinOp, NO_KW, Op, PlaceBase, builtin_index};

use super::regs::{Regs, int_arith, int_cmp};
use super::{Exec, Flow, attrs, calls, cx, imports, inplace, places, throw, unwind, values};
use crate::fiber::{Cont, Fiber, FiberState, Frame, Step};
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

#[inline]
fn top(stack: &mut [Value]) -> &mut Value {
    let n = stack.len();
    &mut stack[n - 1]
}

/// Whether a return of the innermost frame can skip `calls::return_from`:
/// its value is pushed for a caller, and it has no handler left to pop.
#[inline]
fn plain_return(frames: &[Frame], handlers: &[crate::Handler]) -> bool {
    let depth = frames.len();
    depth > 1
        && frames.last().is_some_and(|f| f.ret == Cont::Push)
        && handlers
            .last()
            .is_none_or(|h| (h.frame as usize) < depth - 1)
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
        let regs = Regs { func, base };

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

        // Hands `v` to the caller: inline for a plain return, else through
        // `calls::return_from`.
        macro_rules! ret {
            ($v:expr) => {{
                let v = $v;
                if plain_return(&fiber.frames, &fiber.handlers) {
                    fiber.frames.pop();
                    fiber.stack.truncate(base);
                    fiber.stack.push(v);
                    continue 'frame;
                }
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
            }};
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
                    let v = tri!(values::load_const(func, i, &mut cx!(ex, fuel)));
                    stack.push(v);
                }
                Op::SmallInt(i) => stack.push(Value::Int(i64::from(i))),
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
                        stack.push(Value::Int(x));
                        continue;
                    }
                    if matches!(stack[slot], Value::Unbound) {
                        break unbound_local(&func.local_names[i as usize]);
                    }
                    // Cloning straight into the stack's spare capacity
                    // avoids a round trip through a temporary.
                    stack.extend_from_within(slot..slot + 1);
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
                    let name = &func.names[name as usize];
                    let r = tri!(calls::local_method(ex, stack, fuel, slot, name, argc));
                    stack.push(r);
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
                        && let Some(r) = int_arith(bop, *x, *y)
                    {
                        stack.pop();
                        *top(stack) = Value::Int(r);
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
                Op::Bin { op: bop, dst, a, b } => {
                    if !regs.int_bin(stack, bop, dst, a, b) {
                        tri!(regs.bin(stack, bop, dst, a, b, &mut cx!(ex, fuel)));
                    }
                }
                Op::Unary(uop) => {
                    let a = top(stack);
                    let r = tri!(ops::unary(uop, a));
                    *a = r;
                }
                Op::Compare(cop) => {
                    if let [.., Value::Int(x), Value::Int(y)] = stack.as_slice()
                        && let Some(r) = int_cmp(cop, *x, *y)
                    {
                        stack.pop();
                        *top(stack) = Value::Bool(r);
                        continue;
                    }
                    let b = pop(stack);
                    let a = top(stack);
                    let r = tri!(ops::compare(cop, a, &b));
                    *a = r;
                }
                Op::JumpCmp {
                    op: cop,
                    a,
                    b,
                    when,
                    target,
                } => {
                    let jump = match regs.int_jump_cmp(stack, cop, a, b, when) {
                        Some(j) => j,
                        None => tri!(regs.jump_cmp(stack, cop, a, b, when, &mut cx!(ex, fuel))),
                    };
                    if jump {
                        pc = target as usize;
                    }
                }
                Op::Move { dst, src } => {
                    if !regs.int_move(stack, dst, src) {
                        tri!(regs.mov(stack, dst, src, &mut cx!(ex, fuel)));
                    }
                }
                Op::Not => {
                    let a = top(stack);
                    *a = Value::Bool(!truthy(a));
                }
                Op::Jump(t) => pc = t as usize,
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
                    let Value::Iter(it) = top(stack) else {
                        break errors::runtime_error("internal error: ForIter without an iterator");
                    };
                    let next = match Arc::make_mut(it) {
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
                Op::ForPrep {
                    var,
                    state,
                    argc,
                    exit,
                } => {
                    if !tri!(regs.for_prep(stack, var, state, argc, &mut cx!(ex, fuel))) {
                        pc = exit as usize;
                    }
                }
                Op::ForLoop { var, state, body } => {
                    if tri!(regs.for_step(stack, var, state)) {
                        pc = body as usize;
                    }
                }
                Op::Call { argc: 1, kw: NO_KW }
                    if matches!(stack[stack.len() - 2], Value::Builtin(calls::LEN)) =>
                {
                    let r = tri!(calls::len(ex, stack, fuel));
                    stack.push(r);
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
                            // Slide the arguments over the function value.
                            for j in fpos..fpos + n {
                                match stack[j + 1] {
                                    // Moved as its payload (see `LoadLocal`).
                                    Value::Int(x) => stack[j] = Value::Int(x),
                                    _ => stack.swap(j, j + 1),
                                }
                            }
                            stack.pop();
                            if callee.nlocals as usize > n {
                                stack.resize(fpos + callee.nlocals as usize, Value::Unbound);
                            }
                            save_pc(fiber, pc);
                            fiber.frames.push(Frame {
                                func: target,
                                pc: 0,
                                base: fpos as u32,
                                ret: Cont::Push,
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
                Op::Return => ret!(pop(stack)),
                Op::ReturnArg(a) => match regs.take_quick(stack, a) {
                    Some(v) => ret!(v),
                    None => ret!(tri!(regs.take(stack, a, &mut cx!(ex, fuel)))),
                },
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
