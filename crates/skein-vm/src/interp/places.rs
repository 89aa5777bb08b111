//! Places (docs/language.md, "Values and places"): a local, a global, a
//! module's global or a tasklet's/channel's attribute, then a chain of
//! `[key]`s. Reading walks the chain; writing, deleting and mutating methods
//! go through `ops::with_place`, which copies on write only what is shared.

use skein_script::bytecode::{Function, PlaceBase};

use super::{Exec, NullHost, cx, name_error, pop, unbound_local};
use crate::context::Cx;
use crate::fiber::Fiber;
use crate::value::{ModRef, Value};
use crate::{builtins, errors, ops};

/// Where a place starts.
pub(super) enum Root<'p> {
    /// Absolute index of a local slot on the fiber's stack.
    Local(usize),
    /// (module, slot) in the globals.
    Global(usize, usize),
    /// An attribute of a tasklet or channel, which the host owns.
    HostAttr(Value, &'p str),
    /// Something that is not a place (a native module's attribute, an
    /// error's `args`): changes to it are lost.
    Temp(Value),
}

/// The frame a place op runs in: its function, where its locals start and
/// its module (whose globals `PlaceBase::Global` names).
#[derive(Clone, Copy)]
pub(crate) struct PlaceFrame<'p> {
    pub func: &'p Function,
    pub base: usize,
    pub module: usize,
}

/// Where the place's parts start on the stack (the object of an `Attr`
/// base, else the first key), given that its keys end at the top.
pub(super) fn parts_start(len: usize, base: PlaceBase, depth: usize) -> usize {
    let keys_at = len - depth;
    match base {
        PlaceBase::Attr(_) => keys_at - 1,
        _ => keys_at,
    }
}

fn module_name(ex: &Exec, m: ModRef) -> String {
    super::attrs::module_name(ex.program, m)
}

/// Finds the root of a place whose keys start at `keys_at`. `binding`: the
/// root itself is about to be assigned, so an unbound one is fine.
pub(super) fn resolve_root<'p>(
    ex: &mut Exec,
    fiber: &Fiber,
    fuel: &mut u64,
    at: PlaceFrame<'p>,
    base: PlaceBase,
    keys_at: usize,
    binding: bool,
) -> Result<Root<'p>, Value> {
    let PlaceFrame {
        func,
        base: frame_base,
        module,
    } = at;
    match base {
        PlaceBase::Local(i) => {
            let slot = frame_base + i as usize;
            if !binding && matches!(fiber.stack[slot], Value::Unbound) {
                return Err(unbound_local(&func.local_names[i as usize]));
            }
            Ok(Root::Local(slot))
        }
        PlaceBase::Global(i) => {
            let i = i as usize;
            if !binding && matches!(ex.globals.modules[module].values[i], Value::Unbound) {
                let name = &ex.program.modules[module].globals[i];
                return match skein_script::bytecode::builtin_index(name) {
                    Some(b) => Ok(Root::Temp(builtins::value_of(b))),
                    None => Err(name_error(name)),
                };
            }
            Ok(Root::Global(module, i))
        }
        PlaceBase::Attr(n) => {
            let name = func.names[n as usize].as_str();
            let obj = &fiber.stack[keys_at - 1];
            match obj {
                Value::Module(ModRef::Script(m)) => {
                    let m = *m as usize;
                    let slot = ex.program.modules[m].globals.iter().position(|g| g == name);
                    match slot {
                        Some(s)
                            if binding
                                || !matches!(ex.globals.modules[m].values[s], Value::Unbound) =>
                        {
                            Ok(Root::Global(m, s))
                        }
                        _ => Err(errors::error(
                            crate::kind::Kind::AttributeError,
                            format!(
                                "module '{}' has no attribute '{name}'",
                                module_name(ex, ModRef::Script(m as u16))
                            ),
                        )),
                    }
                }
                Value::Tasklet(_) | Value::Channel(_) => Ok(Root::HostAttr(obj.clone(), name)),
                _ if binding => Err(errors::attribute_error(obj, name)),
                _ => {
                    let obj = obj.clone();
                    Ok(Root::Temp(super::attrs::get_attr(ex, fuel, &obj, name)?))
                }
            }
        }
    }
}

/// A copy of the value at the place (cheap: containers are shared).
pub(super) fn read_place(
    ex: &mut Exec,
    fiber: &Fiber,
    root: &Root,
    keys_at: usize,
    depth: usize,
) -> Result<Value, Value> {
    let mut v = match root {
        Root::Local(s) => fiber.stack[*s].clone(),
        Root::Global(m, s) => ex.globals.modules[*m].values[*s].clone(),
        Root::HostAttr(obj, name) => ex.host.get_attr(obj, name)?,
        Root::Temp(v) => v.clone(),
    };
    for k in &fiber.stack[keys_at..keys_at + depth] {
        v = ops::index(&v, k)?;
    }
    Ok(v)
}

/// Runs `f` on the value at the root followed by `depth` keys from `keys_at`.
pub(super) fn with_root<R>(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    root: Root,
    keys_at: usize,
    depth: usize,
    f: &mut dyn FnMut(&mut Value, &mut Cx) -> Result<R, Value>,
) -> Result<R, Value> {
    match root {
        Root::Local(slot) => {
            let (lo, hi) = fiber.stack.split_at_mut(keys_at);
            ops::with_place(&mut lo[slot], &hi[..depth], &mut cx!(ex, fuel), f)
        }
        Root::Global(m, s) => {
            let keys = &fiber.stack[keys_at..keys_at + depth];
            let mut cx = cx!(ex, fuel);
            ops::with_place(&mut ex.globals.modules[m].values[s], keys, &mut cx, f)
        }
        Root::HostAttr(obj, name) => {
            let keys = &fiber.stack[keys_at..keys_at + depth];
            let (program, limits) = (ex.program, ex.limits);
            let mut out = None;
            // The host is busy lending the attribute, so the values code
            // gets a host that can only describe.
            ex.host.with_attr_mut(&obj, name, &mut |slot| {
                let mut null = NullHost;
                let mut cx = Cx {
                    program,
                    host: &mut null,
                    limits,
                    fuel: &mut *fuel,
                };
                out = Some(ops::with_place(slot, keys, &mut cx, &mut *f)?);
                Ok(())
            })?;
            out.ok_or_else(|| errors::fault("the host skipped an update"))
        }
        Root::Temp(mut v) => {
            let keys = &fiber.stack[keys_at..keys_at + depth];
            ops::with_place(&mut v, keys, &mut cx!(ex, fuel), f)
        }
    }
}

/// `LoadPlace`: `[obj?, k1..kd] → [obj?, k1..kd, place]`.
pub(crate) fn load_place(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    at: PlaceFrame,
    base: PlaceBase,
    depth: u8,
) -> Result<(), Value> {
    // `a[k]` of a bound local, the commonest place: no root to resolve, no
    // copy of the container.
    if depth == 1
        && let PlaceBase::Local(l) = base
        && let Some(c) = fiber.stack.get(at.base + l as usize)
        && !matches!(c, Value::Unbound)
        && let Some(k) = fiber.stack.last()
    {
        let v = item(c, k)?;
        fiber.stack.push(v);
        return Ok(());
    }
    let d = depth as usize;
    let keys_at = fiber.stack.len() - d;
    let root = resolve_root(ex, fiber, fuel, at, base, keys_at, false)?;
    let v = read_place(ex, fiber, &root, keys_at, d)?;
    fiber.stack.push(v);
    Ok(())
}

/// `StorePlace`: `[obj?, k1..kd, v] → []`.
pub(crate) fn store_place(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    at: PlaceFrame,
    base: PlaceBase,
    depth: u8,
) -> Result<(), Value> {
    // `a[k] = v` on a bound local or global: the container itself is
    // stored into, as `ops::with_place` would.
    if depth == 1 {
        let bound = |v: &Value| !matches!(v, Value::Unbound);
        match base {
            PlaceBase::Local(l) if fiber.stack.get(at.base + l as usize).is_some_and(bound) => {
                let (v, k) = (pop(&mut fiber.stack), pop(&mut fiber.stack));
                let slot = &mut fiber.stack[at.base + l as usize];
                return ops::store_index(slot, k, v, &mut cx!(ex, fuel));
            }
            PlaceBase::Global(g) if bound(&ex.globals.modules[at.module].values[g as usize]) => {
                let (v, k) = (pop(&mut fiber.stack), pop(&mut fiber.stack));
                let slot = &mut ex.globals.modules[at.module].values[g as usize];
                return ops::store_index(slot, k, v, &mut cx!(ex, fuel));
            }
            _ => {}
        }
    }
    let v = pop(&mut fiber.stack);
    store_place_value(ex, fiber, fuel, at, base, depth, v)
}

/// Stores `v` into the place whose parts `[obj?, k1..kd]` are on top of the
/// stack, popping them.
pub(crate) fn store_place_value(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    at: PlaceFrame,
    base: PlaceBase,
    depth: u8,
    v: Value,
) -> Result<(), Value> {
    let d = depth as usize;
    let len = fiber.stack.len();
    let keys_at = len - d;
    let start = parts_start(len, base, d);
    let r = if d == 0 {
        let root = resolve_root(ex, fiber, fuel, at, base, keys_at, true)?;
        match root {
            Root::Local(s) => {
                fiber.stack[s] = v;
                Ok(())
            }
            Root::Global(m, s) => {
                ex.globals.modules[m].values[s] = v;
                Ok(())
            }
            Root::HostAttr(obj, name) => {
                let mut v = Some(v);
                ex.host.with_attr_mut(&obj, name, &mut |slot| {
                    if let Some(v) = v.take() {
                        *slot = v;
                    }
                    Ok(())
                })
            }
            Root::Temp(_) => Ok(()),
        }
    } else {
        let mut v = Some(v);
        on_last_key(ex, fiber, fuel, at, base, d, &mut |c, last, cx| {
            ops::store_index(c, last.clone(), v.take().unwrap_or(Value::None), cx)
        })?
    };
    fiber.stack.truncate(start);
    r
}

/// Runs `f` on the container that holds the place's last key (the key is
/// passed to `f`), for stores and deletes through a keyed place. The parts
/// stay on the stack; the caller pops them.
fn on_last_key(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    at: PlaceFrame,
    base: PlaceBase,
    d: usize,
    f: &mut dyn FnMut(&mut Value, &Value, &mut Cx) -> Result<(), Value>,
) -> Result<Result<(), Value>, Value> {
    let len = fiber.stack.len();
    let keys_at = len - d;
    let root = resolve_root(ex, fiber, fuel, at, base, keys_at, false)?;
    let last = fiber.stack[len - 1].clone();
    Ok(with_root(
        ex,
        fiber,
        fuel,
        root,
        keys_at,
        d - 1,
        &mut |c, cx| f(c, &last, cx),
    ))
}

/// Stores `None` at the keyed place whose parts are on top of the stack if
/// it holds the same str or list as `a`, so that `a` may become its only
/// holder (`x[k] += y` in place); says whether it did. The parts stay.
pub(crate) fn release_place(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    at: PlaceFrame,
    base: PlaceBase,
    depth: u8,
    a: &Value,
) -> Result<bool, Value> {
    let mut held = false;
    on_last_key(
        ex,
        fiber,
        fuel,
        at,
        base,
        depth as usize,
        &mut |c, last, cx| {
            if let Ok(cur) = ops::index(c, last)
                && ops::same_container(&cur, a)
            {
                drop(cur);
                ops::store_index(c, last.clone(), Value::None, cx)?;
                held = true;
            }
            Ok(())
        },
    )??;
    Ok(held)
}

/// `DelPlace`: `[obj?, k1..kd] → []` (depth ≥ 1).
pub(crate) fn del_place(
    ex: &mut Exec,
    fiber: &mut Fiber,
    fuel: &mut u64,
    at: PlaceFrame,
    base: PlaceBase,
    depth: u8,
) -> Result<(), Value> {
    let d = depth as usize;
    let start = parts_start(fiber.stack.len(), base, d);
    let r = if d == 0 {
        Err(errors::fault("del of a place without keys"))
    } else {
        on_last_key(ex, fiber, fuel, at, base, d, &mut |c, last, _| {
            ops::del_index(c, last)
        })?
    };
    fiber.stack.truncate(start);
    r
}

/// `a[k]` read straight from the container (`LoadPlace` of a local with
/// one key): a list's item by a non-negative index without a call, any
/// other case as `ops::index`, which `read_place` would run. (Out of
/// line: see `floats::float_bin`.)
#[inline(never)]
pub(super) fn item(a: &Value, k: &Value) -> Result<Value, Value> {
    if let (Value::List(l), Value::Int(i)) = (a, k)
        && let Some(v) = usize::try_from(*i).ok().and_then(|i| l.items.get(i))
    {
        return Ok(v.clone());
    }
    ops::index(a, k)
}
