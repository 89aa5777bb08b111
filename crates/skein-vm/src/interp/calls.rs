//! Calls and returns: binding arguments to a script function's parameters
//! (with Python's `TypeError` messages), dispatching builtins, types, natives
//! and host methods, routing `key=` through the `__prelude__` module, and
//! what happens when a frame returns.

use std::sync::Arc;

use skein_script::bytecode::{
    BUILTIN_MODULES, BUILTIN_NAMES, FuncRef, Function, NO_KW, PlaceBase, Program,
};

use super::values::{as_error, make_list};
use super::{Exec, cx, places, pop};
use crate::context::Cx;
use crate::fiber::{Cont, Fiber, Frame};
use crate::globals::{Globals, ImportState};
use crate::host::{HostResult, KwArgs};
use crate::kind::Kind;
use crate::value::{ModRef, TypeTag, Value};
use crate::{builtins, errors, format, methods};

/// The module holding the Skein code behind `key=` (see `prelude.sk`).
pub(crate) const PRELUDE: &str = "__prelude__";

/// What an instruction that may call did to the loop.
pub(crate) enum Flow {
    /// Finished; its result is on the stack.
    Next,
    /// Pushed a frame: the loop must load the new innermost frame.
    Frame,
    /// A host call suspended the fiber; the host resumes it later.
    Suspend,
}

/// What a `Return` did.
pub(crate) enum Ret {
    Continue,
    /// The outermost frame returned.
    Done(Value),
    /// Finishing the return raised in the caller (storing a sorted list back).
    Raise(Value),
}

/// `len`'s index in `BUILTIN_NAMES` (a test checks it).
pub(crate) const LEN: u16 = 1;

/// `len(x)` with `[len, x]` on top of the stack, both popped: the builtin
/// without its argument vector.
pub(crate) fn len(ex: &mut Exec, stack: &mut Vec<Value>, fuel: &mut u64) -> Result<Value, Value> {
    let x = pop(stack);
    stack.pop();
    crate::ops::charge(&mut cx!(ex, fuel), 1);
    match crate::ops::len_of(&x) {
        Some(n) => i64::try_from(n)
            .map(Value::Int)
            .map_err(|_| errors::overflow("Python int too large to convert to C ssize_t")),
        None => Err(errors::type_error(format!(
            "object of type '{}' has no len()",
            format::type_name(&x)
        ))),
    }
}

/// Method `names[name]` of the list, dict or str in stack slot `slot`, with
/// the top `argc` values as its arguments and no keywords: by its id and
/// with the arguments left on the stack when `methods::call_quick` covers
/// it, else by name. (Inlined, as it was before `global_method` beside it
/// changed the compiler's mind: out of line it costs a method call 10%.)
#[inline(always)]
pub(crate) fn local_method(
    ex: &mut Exec,
    stack: &mut Vec<Value>,
    fuel: &mut u64,
    func: &Function,
    slot: usize,
    name: u16,
    argc: u8,
) -> Result<Value, Value> {
    let at = stack.len() - argc as usize;
    let id = super::values::method_id(func, name);
    if id != methods::MethodId::Other {
        let (low, args) = stack.split_at_mut(at);
        if let Some(recv) = low.get_mut(slot)
            && let Some(r) = methods::call_quick(recv, id, args, &mut cx!(ex, fuel))
        {
            stack.truncate(at);
            return r;
        }
    }
    let args = stack.split_off(at);
    let name = &func.names[name as usize];
    methods::call(&mut stack[slot], name, args, Vec::new(), &mut cx!(ex, fuel))
}

/// `recv.names[name](args…)` with `recv` a local or global holding a
/// tasklet, channel or native module and the top `argc` values its
/// arguments: by id through `Host::call_quick`, with no name lookup, no
/// argument vector and no place walk. `None` (nothing changed) when the
/// name has no host id or the host declines; the caller then goes by name.
/// Never inlined: in the dispatch loop's function it costs every other
/// instruction registers (measured: +28% instructions on a plain loop).
#[inline(never)]
pub(crate) fn host_quick(
    ex: &mut Exec,
    fiber: &mut Fiber,
    at: places::PlaceFrame,
    base: PlaceBase,
    name: u16,
    argc: u8,
) -> Option<Result<Flow, Value>> {
    let id = super::values::method_id(at.func, name);
    if !id.is_host() {
        return function_quick(ex, fiber, at, base, name, argc);
    }
    let at_args = fiber.stack.len().checked_sub(argc as usize)?;
    // The receiver is borrowed where it lies (a local below the arguments,
    // or a global), not cloned: that spared an atomic count up and down
    // per call.
    let (below, args) = fiber.stack.split_at_mut(at_args);
    let recv = quick_receiver(below, ex.globals, &at, base)?;
    if !matches!(
        recv,
        Value::Tasklet(_) | Value::Channel(_) | Value::Module(ModRef::Native(_))
    ) {
        return None;
    }
    let r = ex.host.call_quick(recv, id, args)?;
    fiber.stack.truncate(at_args);
    Some(host_result(fiber, r))
}

/// `m.name(args…)` on a native module other than `math` (`npc.hp()`,
/// `random.randint(a, b)`): [`Host::call_function`] with the arguments
/// lent, or `None` to make the call by name.
#[inline(never)]
fn function_quick(
    ex: &mut Exec,
    fiber: &mut Fiber,
    at: places::PlaceFrame,
    base: PlaceBase,
    name: u16,
    argc: u8,
) -> Option<Result<Flow, Value>> {
    let at_args = fiber.stack.len().checked_sub(argc as usize)?;
    let m = quick_receiver(&fiber.stack, ex.globals, &at, base)?;
    let &Value::Module(ModRef::Native(m)) = m else {
        return None;
    };
    if BUILTIN_MODULES.get(m as usize) == Some(&"math") {
        return None;
    }
    let name = at.func.names.get(name as usize)?.as_str();
    let r = ex
        .host
        .call_function(m, name, &mut fiber.stack[at_args..])?;
    fiber.stack.truncate(at_args);
    Some(host_result(fiber, r))
}

/// The receiver a quick call names: a local of its frame (`stack` holds
/// it below the arguments) or a global of its module; `None` for anything
/// else.
#[inline(always)]
fn quick_receiver<'a>(
    stack: &'a [Value],
    globals: &'a Globals,
    at: &places::PlaceFrame,
    base: PlaceBase,
) -> Option<&'a Value> {
    match base {
        PlaceBase::Local(i) => stack.get(at.base + i as usize),
        PlaceBase::Global(i) => globals.modules.get(at.module)?.values.get(i as usize),
        PlaceBase::Attr(_) => None,
    }
}

pub(crate) fn recursion_error() -> Value {
    errors::error(Kind::RecursionError, "maximum recursion depth exceeded")
}

/// Pops a call's keyword values and positional arguments.
pub(crate) fn pop_args(
    stack: &mut Vec<Value>,
    func: &Function,
    argc: u8,
    kw: u16,
) -> (Vec<Value>, KwArgs) {
    let kwargs = if kw == NO_KW {
        Vec::new()
    } else {
        let names = &func.kwnames[kw as usize];
        let vals = stack.split_off(stack.len() - names.len());
        names
            .iter()
            .map(|n| Arc::<str>::from(n.as_str()))
            .zip(vals)
            .collect()
    };
    let args = stack.split_off(stack.len() - argc as usize);
    (args, kwargs)
}

/// Binds `args` and `kwargs` to `f`'s parameters, filling defaults: the
/// values of its first `params.len()` locals.
pub fn bind_args(
    program: &Program,
    f: FuncRef,
    args: Vec<Value>,
    kwargs: KwArgs,
    cx: &mut Cx,
) -> Result<Vec<Value>, Value> {
    let func = program.function(f);
    let np = func.params.len();
    let given = args.len();
    if kwargs.is_empty() && given == np {
        return Ok(args);
    }
    let name = &func.name;
    let mut slots = args;
    slots.truncate(np);
    slots.resize(np, Value::Unbound);
    for (k, v) in kwargs {
        let Some(i) = func.params.iter().position(|p| **p == *k) else {
            return Err(errors::type_error(format!(
                "{name}() got an unexpected keyword argument '{k}'"
            )));
        };
        if !matches!(slots[i], Value::Unbound) {
            return Err(errors::type_error(format!(
                "{name}() got multiple values for argument '{k}'"
            )));
        }
        slots[i] = v;
    }
    let nreq = np - func.defaults.len().min(np);
    if given > np {
        let takes = if nreq < np {
            format!("from {nreq} to {np} positional arguments")
        } else {
            format!("{np} positional argument{}", if np == 1 { "" } else { "s" })
        };
        let was = if given == 1 { "was" } else { "were" };
        return Err(errors::type_error(format!(
            "{name}() takes {takes} but {given} {was} given"
        )));
    }
    let missing: Vec<&str> = (0..nreq)
        .filter(|&i| matches!(slots[i], Value::Unbound))
        .map(|i| func.params[i].as_str())
        .collect();
    if !missing.is_empty() {
        let quoted: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
        let list = match quoted.as_slice() {
            [one] => one.clone(),
            [a, b] => format!("{a} and {b}"),
            [init @ .., last] => format!("{}, and {last}", init.join(", ")),
            [] => String::new(),
        };
        let n = missing.len();
        let s = if n == 1 { "" } else { "s" };
        return Err(errors::type_error(format!(
            "{name}() missing {n} required positional argument{s}: {list}"
        )));
    }
    for (i, slot) in slots.iter_mut().enumerate().skip(nreq) {
        if matches!(slot, Value::Unbound) {
            *slot = super::values::const_value(&func.defaults[i - nreq], cx)?;
        }
    }
    Ok(slots)
}

/// Enters script function `target` (`callee`) called with exactly its
/// positional parameters, the function value at stack slot `fpos` and the
/// arguments above it: they slide down one slot, over the function value
/// (which owns nothing), to become the callee's first locals. Inlined into
/// the dispatch loop: out of line, its prologue and epilogue were a fifth
/// of a call's cost in fib.
#[inline(always)]
pub(crate) fn enter_exact(
    frames: &mut Vec<Frame>,
    fiber: &mut Fiber,
    target: FuncRef,
    callee: &Function,
    fpos: usize,
) {
    let stack = &mut fiber.stack;
    let window = &mut stack[fpos..];
    let n = window.len().saturating_sub(1);
    // One argument, the common case, is one swap and no loop.
    if n == 1 {
        window.swap(0, 1);
    } else {
        for j in 0..n {
            window.swap(j, j + 1);
        }
    }
    // The function value, now on top, owns nothing: forgetting it drops
    // nothing, with no drop code to run.
    if let Some(f) = stack.pop() {
        debug_assert!(matches!(f, Value::Function(_)));
        std::mem::forget(f);
    }
    if callee.nlocals as usize > n {
        stack.resize(fpos + callee.nlocals as usize, Value::Unbound);
    }
    frames.push(Frame {
        func: target,
        pc: 0,
        base: fpos as u32,
        ret: Cont::Push,
    });
}

/// Pushes a frame for `f` whose first locals are `locals` and whose value
/// goes where `ret` says.
pub(crate) fn push_frame(
    ex: &mut Exec,
    fiber: &mut Fiber,
    f: FuncRef,
    locals: Vec<Value>,
    ret: Cont,
) -> Result<(), Value> {
    if ex.frames.len() >= ex.limits.frame_limit as usize {
        return Err(recursion_error());
    }
    let nlocals = ex.program.function(f).nlocals as usize;
    let base = fiber.stack.len();
    fiber.stack.extend(locals);
    fiber
        .stack
        .resize(base + nlocals.max(fiber.stack.len() - base), Value::Unbound);
    ex.frames.push(Frame {
        func: f,
        pc: 0,
        base: base as u32,
        ret,
    });
    Ok(())
}

/// Turns what a host call did into the loop's terms.
pub(crate) fn host_result(fiber: &mut Fiber, r: HostResult) -> Result<Flow, Value> {
    match r {
        HostResult::Return(v) => {
            fiber.stack.push(v);
            Ok(Flow::Next)
        }
        HostResult::Raise(e) => Err(as_error(e)),
        HostResult::Suspend => Ok(Flow::Suspend),
        HostResult::IterEnd => Err(errors::fault("the host ended a loop outside a for")),
    }
}

/// `Call`: `[f, a1..an, kwvals…] → [result]`.
pub(crate) fn call_op(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    func: &Function,
    argc: u8,
    kw: u16,
) -> Result<Flow, Value> {
    if argc == 2
        && kw == NO_KW
        && let Some(Value::Builtin(super::quick::ISINSTANCE)) = fiber
            .stack
            .len()
            .checked_sub(3)
            .and_then(|i| fiber.stack.get(i))
    {
        let r = super::quick::isinstance(ex, &mut fiber.stack, fuel)?;
        fiber.stack.push(r);
        return Ok(Flow::Next);
    }
    let (args, kwargs) = pop_args(&mut fiber.stack, func, argc, kw);
    let callee = pop(&mut fiber.stack);
    call_value(ex, fiber, fuel, callee, args, kwargs)
}

/// Calls any value; a script function (or a `key=` path) pushes a frame.
pub(crate) fn call_value(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    callee: Value,
    args: Vec<Value>,
    kwargs: KwArgs,
) -> Result<Flow, Value> {
    match callee {
        Value::Function(f) => {
            if ex.frames.len() >= ex.limits.frame_limit as usize {
                return Err(recursion_error());
            }
            let locals = bind_args(ex.program, f, args, kwargs, &mut cx!(ex, fuel))?;
            push_frame(ex, fiber, f, locals, Cont::Push)?;
            Ok(Flow::Frame)
        }
        Value::Builtin(b) => {
            if let Some((pf, pargs)) = builtin_key_route(ex, fuel, b, &args, &kwargs)? {
                push_frame(ex, fiber, pf, pargs, Cont::Push)?;
                return Ok(Flow::Frame);
            }
            let r = builtins::call(b, args, kwargs, &mut cx!(ex, fuel))?;
            fiber.stack.push(r);
            Ok(Flow::Next)
        }
        Value::Type(tag @ (TypeTag::Tasklet | TypeTag::Channel)) => {
            let r = ex.host.construct(tag, args, kwargs);
            host_result(fiber, r)
        }
        Value::Type(tag) => {
            let r = builtins::call_type(tag, args, kwargs, &mut cx!(ex, fuel))?;
            fiber.stack.push(r);
            Ok(Flow::Next)
        }
        Value::Native(id) => {
            let r = ex.host.call_native(id, args, kwargs);
            host_result(fiber, r)
        }
        Value::Tasklet(_) => {
            let r = ex.host.call_method(&callee, "setup", args, kwargs);
            host_result(fiber, r)
        }
        Value::Method(m) => {
            let r = ex.host.call_method(&m.0, &m.1, args, kwargs);
            host_result(fiber, r)
        }
        other => Err(errors::type_error(format!(
            "'{}' object is not callable",
            format::type_name(&other)
        ))),
    }
}

/// `CallMethod`: `[recv, a1..an, kwvals…] → [result]` on a temporary.
pub(crate) fn call_method_op(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    func: &Function,
    name: u16,
    argc: u8,
    kw: u16,
) -> Result<Flow, Value> {
    let (args, kwargs) = pop_args(&mut fiber.stack, func, argc, kw);
    let mut recv = pop(&mut fiber.stack);
    let name = func.names[name as usize].as_str();
    call_method(ex, fiber, fuel, &mut recv, name, args, kwargs)
}

/// Method `name` of `recv`: list/dict/str methods change `recv` itself.
pub(crate) fn call_method(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    recv: &mut Value,
    name: &str,
    args: Vec<Value>,
    kwargs: KwArgs,
) -> Result<Flow, Value> {
    match recv {
        _ if methods::is_slice_op(name) => {
            let r = methods::call(recv, name, args, kwargs, &mut cx!(ex, fuel))?;
            fiber.stack.push(r);
            Ok(Flow::Next)
        }
        Value::List(_) | Value::Dict(_) | Value::Str(_) => {
            if let Some((pf, pargs)) = sort_key_route(ex, recv, name, &args, &kwargs) {
                push_frame(ex, fiber, pf, pargs, Cont::PushNone)?;
                return Ok(Flow::Frame);
            }
            let r = methods::call(recv, name, args, kwargs, &mut cx!(ex, fuel))?;
            fiber.stack.push(r);
            Ok(Flow::Next)
        }
        Value::Tasklet(_) | Value::Channel(_) => {
            let r = ex.host.call_method(recv, name, args, kwargs);
            host_result(fiber, r)
        }
        _ => {
            let f = super::attrs::get_attr(ex, fuel, recv, name)?;
            call_value(ex, fiber, fuel, f, args, kwargs)
        }
    }
}

/// A function of the prelude module by name.
fn prelude_func(ex: &Exec, name: &str) -> Option<FuncRef> {
    let module = ex.prelude?;
    let m = &ex.program.modules[module as usize];
    let func = m.functions.iter().position(|f| f.name == name)?;
    Some(FuncRef {
        module,
        func: func as u16,
    })
}

fn kwarg<'k>(kwargs: &'k KwArgs, name: &str) -> Option<&'k Value> {
    kwargs.iter().find(|(k, _)| &**k == name).map(|(_, v)| v)
}

#[cfg(test)]
#[test]
fn len_index_names_len() {
    assert_eq!(BUILTIN_NAMES[LEN as usize], "len");
}

/// `map`, `filter`, and `sorted`/`min`/`max` with a `key=` that is not `None` run the prelude's
/// Skein code, so the key calls are ordinary, preemptible VM calls. Calls
/// the builtin would reject anyway are left to it, for its messages.
fn builtin_key_route(
    ex: &mut Exec,
    fuel: &mut u64,
    b: u16,
    args: &[Value],
    kwargs: &KwArgs,
) -> Result<Option<(FuncRef, Vec<Value>)>, Value> {
    let name = BUILTIN_NAMES.get(b as usize).copied().unwrap_or("");
    if let Some(route) = map_filter_route(name, args, kwargs) {
        return Ok(prelude_func(ex, route.0).map(|f| (f, route.1)));
    }
    let Some(key) = kwarg(kwargs, "key") else {
        return Ok(None);
    };
    if matches!(key, Value::None) || ex.prelude.is_none() {
        return Ok(None);
    }
    let only = |allowed: &[&str]| kwargs.iter().all(|(k, _)| allowed.contains(&&**k));
    let route = match name {
        "sorted" if args.len() == 1 && only(&["key", "reverse"]) => {
            let reverse = kwarg(kwargs, "reverse")
                .cloned()
                .unwrap_or(Value::Bool(false));
            Some(("sorted_key", vec![args[0].clone(), key.clone(), reverse]))
        }
        "min" | "max" if args.len() == 1 && only(&["key", "default"]) && kwargs.len() == 2 => {
            let default = kwarg(kwargs, "default").cloned().unwrap_or(Value::None);
            let is_max = Value::Bool(name == "max");
            Some((
                "extreme_key_default",
                vec![args[0].clone(), key.clone(), default, is_max],
            ))
        }
        "min" | "max" if !args.is_empty() && only(&["key"]) => {
            let seq = if args.len() == 1 {
                args[0].clone()
            } else {
                make_list(args.to_vec(), &cx!(ex, fuel))?
            };
            let f = if name == "min" { "min_key" } else { "max_key" };
            Some((f, vec![seq, key.clone()]))
        }
        _ => None,
    };
    Ok(route.and_then(|(f, pargs)| prelude_func(ex, f).map(|f| (f, pargs))))
}

/// `map` and `filter` run the prelude's Skein code (the calls of `f` are
/// ordinary VM calls); a call the builtin would reject is left to it.
fn map_filter_route(
    name: &str,
    args: &[Value],
    kwargs: &KwArgs,
) -> Option<(&'static str, Vec<Value>)> {
    if !kwargs.is_empty() {
        return None;
    }
    match name {
        "map" if (2..=5).contains(&args.len()) => {
            let seqs = Value::list(args[1..].to_vec());
            Some(("map_list", vec![args[0].clone(), seqs]))
        }
        "filter" if args.len() == 2 => Some(("filter_list", args.to_vec())),
        _ => None,
    }
}

/// `xs.sort(key=f)` with a `key` that is not `None`: the prelude's
/// `list_sort`, pushed with a continuation that puts the sorted list back.
pub(crate) fn sort_key_route(
    ex: &Exec,
    recv: &Value,
    name: &str,
    args: &[Value],
    kwargs: &KwArgs,
) -> Option<(FuncRef, Vec<Value>)> {
    if name != "sort" || !matches!(recv, Value::List(_)) || !args.is_empty() {
        return None;
    }
    let key = kwarg(kwargs, "key")?;
    if matches!(key, Value::None)
        || !kwargs
            .iter()
            .all(|(k, _)| &**k == "key" || &**k == "reverse")
    {
        return None;
    }
    let reverse = kwarg(kwargs, "reverse")
        .cloned()
        .unwrap_or(Value::Bool(false));
    let f = prelude_func(ex, "list_sort")?;
    Some((f, vec![recv.clone(), key.clone(), reverse]))
}

/// Pops the innermost frame and hands `v` on as its continuation says.
pub(crate) fn return_from(ex: &mut Exec, fiber: &mut Fiber, fuel: &mut u64, v: Value) -> Ret {
    let Some(frame) = ex.frames.pop() else {
        return Ret::Done(v);
    };
    let depth = ex.frames.len() as u32;
    if let Some(handlers) = fiber.handlers_if_any() {
        while handlers.last().is_some_and(|h| h.frame >= depth) {
            handlers.pop();
        }
    }
    fiber.stack.truncate(frame.base as usize);
    let Some(&caller) = ex.frames.last() else {
        if frame.ret == Cont::Import {
            mark_imported(ex, frame.func.module);
        }
        return Ret::Done(v);
    };
    let v = match frame.ret {
        Cont::Push => v,
        Cont::PushNone => Value::None,
        Cont::Import => {
            mark_imported(ex, frame.func.module);
            Value::Module(ModRef::Script(frame.func.module))
        }
        Cont::StorePlace { base, depth } => {
            let at = places::PlaceFrame {
                func: ex.program.function(caller.func),
                base: caller.base as usize,
                module: caller.func.module as usize,
            };
            if let Err(e) = places::store_place_value(ex, fiber, fuel, at, base, depth, v) {
                return Ret::Raise(e);
            }
            Value::None
        }
    };
    fiber.stack.push(v);
    Ret::Continue
}

fn mark_imported(ex: &mut Exec, module: u16) {
    if let Some(g) = ex.globals.modules.get_mut(module as usize) {
        g.state = ImportState::Done;
    }
}
