//! `CallPlace`: a method called on a place (`self.items[k].append(x)`). A
//! list or dict method mutates the place itself; a `sort` with `key=` runs
//! as a Skein frame whose return stores the sorted list back there.

use skein_script::bytecode::{BUILTIN_MODULES, NO_KW, PlaceBase};

use super::calls::{self, Flow, pop_args};
use super::exec::Exec;
use super::places::{PlaceFrame, Root, parts_start, read_place, resolve_root, with_root};
use crate::fiber::Fiber;
use crate::methods;
use crate::value::{ModRef, Value};

/// The operands of a `CallPlace`.
#[derive(Clone, Copy)]
pub(crate) struct PlaceCall {
    pub base: PlaceBase,
    pub depth: u8,
    pub name: u16,
    pub argc: u8,
    pub kw: u16,
}

/// `CallPlace`: `[obj?, k1..kd, args…, kwvals…] → [result]`. A list or dict
/// method runs on the place itself; a str method, or any method of a
/// tasklet, channel or module found there, runs on a copy.
pub(crate) fn call_place(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    at: PlaceFrame,
    call: PlaceCall,
) -> Result<Flow, Value> {
    if call.depth == 0
        && call.kw == skein_script::bytecode::NO_KW
        && let Some(flow) = calls::host_quick(ex, fiber, at, call.base, call.name, call.argc)
    {
        return flow;
    }
    if let Some(flow) = sqrt_quick(ex, fiber, fuel, at, call) {
        return flow;
    }
    // A list, dict or str method on a global (`heap.append(x)`).
    if call.depth == 0
        && call.kw == NO_KW
        && let PlaceBase::Global(g) = call.base
        && crate::interp::values::has_methods(&ex.globals.modules[at.module].values[g as usize])
    {
        let slot = (at.module, g as usize);
        let r = super::quick::global_method(
            ex,
            &mut fiber.stack,
            fuel,
            at.func,
            slot,
            call.name,
            call.argc,
        )?;
        fiber.stack.push(r);
        return Ok(Flow::Next);
    }
    let (args, kwargs) = pop_args(&mut fiber.stack, at.func, call.argc, call.kw);
    let name = at.func.names[call.name as usize].as_str();
    let d = call.depth as usize;
    let len = fiber.stack.len();
    let keys_at = len - d;
    let start = parts_start(len, call.base, d);
    let root = resolve_root(ex, fiber, fuel, at, call.base, keys_at, false)?;
    let mut target = read_place(ex, fiber, &root, keys_at, d)?;
    if !matches!(target, Value::List(_) | Value::Dict(_)) || matches!(root, Root::Temp(_)) {
        fiber.stack.truncate(start);
        return calls::call_method(ex, fiber, fuel, &mut target, name, args, kwargs);
    }
    if let Some((pf, pargs)) = calls::sort_key_route(ex, &target, name, &args, &kwargs) {
        // The place's parts stay on the stack: when `list_sort` returns,
        // its continuation stores the sorted list there.
        drop(target);
        let ret = crate::fiber::Cont::StorePlace {
            base: call.base,
            depth: call.depth,
        };
        calls::push_frame(ex, fiber, pf, pargs, ret)?;
        return Ok(Flow::Frame);
    }
    // Drop the copy first so an unshared list is mutated without a copy.
    drop(target);
    let mut call_args = Some((args, kwargs));
    let r = with_root(ex, fiber, fuel, root, keys_at, d, &mut |v, cx| {
        let (args, kwargs) = call_args.take().unwrap_or_default();
        methods::call(v, name, args, kwargs, cx)
    });
    fiber.stack.truncate(start);
    fiber.stack.push(r?);
    Ok(Flow::Next)
}

/// `math.sqrt(x)` of a float `x` that is not negative, the commonest math
/// call of numeric code, without the argument vector, the attribute lookup
/// and the call by name the general path makes: the same result and the
/// same fuel (one unit for its argument). `None` for anything else.
fn sqrt_quick(
    ex: &Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    at: PlaceFrame,
    call: PlaceCall,
) -> Option<Result<Flow, Value>> {
    if call.depth != 0 || call.argc != 1 || call.kw != NO_KW {
        return None;
    }
    let recv = match call.base {
        PlaceBase::Local(i) => fiber.stack.get(at.base + i as usize)?,
        PlaceBase::Global(i) => ex.globals.modules.get(at.module)?.values.get(i as usize)?,
        PlaceBase::Attr(_) => return None,
    };
    let Value::Module(ModRef::Native(m)) = recv else {
        return None;
    };
    if BUILTIN_MODULES.get(*m as usize) != Some(&"math")
        || at.func.names.get(call.name as usize)?.as_str() != "sqrt"
    {
        return None;
    }
    let x = match fiber.stack.last_mut()? {
        Value::Float(x) if *x >= 0.0 || x.is_nan() => x,
        _ => return None,
    };
    *x = libm::sqrt(*x);
    *fuel = fuel.saturating_sub(1);
    Some(Ok(Flow::Next))
}
