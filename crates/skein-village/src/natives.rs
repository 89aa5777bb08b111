//! The `npc` module scripts import: immediate natives that read and change
//! the calling NPC's components, and the blocking `npc.walk_to(x, y)` that
//! the movement systems ([`crate::movement`]) serve over several ticks.
//!
//! Every function acts on the calling tasklet's own entity, so a script
//! can only move, hurt or fill the pockets of the NPC it is.

use bevy_ecs::prelude::*;
use skein_vm::Value;
use skein_vm::errors::{runtime_error, type_error, value_error};
use skein_vm::value::Dict;
use skein_world::{NativeCx, NativeKind};

use crate::components::{Health, Inventory, Position};

/// The module name scripts import.
pub const MODULE: &str = "npc";

type Body = fn(&mut NativeCx, &[Value]) -> Result<Value, Value>;

/// Registers every `npc.*` function in `world` (before scripts are loaded).
pub fn register(world: &mut World) {
    let immediate: [(&str, Body); 9] = [
        ("spawn", spawn),
        ("pos", pos),
        ("hp", hp),
        ("hurt", hurt),
        ("heal", heal),
        ("give", give),
        ("take", take),
        ("count", count),
        ("inventory", inventory),
    ];
    for (name, body) in immediate {
        skein_world::register_native(world, MODULE, name, immediate_fn(body));
    }
    skein_world::register_native(world, MODULE, "walk_to", NativeKind::Blocking);
}

/// `body` as a native that takes no keyword arguments (the world refuses
/// them with Python's message), its arguments lent by the VM.
fn immediate_fn(body: Body) -> NativeKind {
    NativeKind::positional(move |cx, args| body(cx, args))
}

/// `npc.spawn(x, y, hp)`: gives the calling tasklet a body on the grid.
fn spawn(cx: &mut NativeCx, args: &[Value]) -> Result<Value, Value> {
    let [x, y, hp] = ints::<3>("spawn", args)?;
    if hp <= 0 {
        return Err(value_error("npc.spawn(): hp must be positive"));
    }
    cx.world.entity_mut(cx.entity).insert((
        Position { x, y },
        Health { hp, max: hp },
        Inventory::default(),
    ));
    Ok(Value::None)
}

/// `npc.pos()` → `[x, y]`.
fn pos(cx: &mut NativeCx, args: &[Value]) -> Result<Value, Value> {
    ints::<0>("pos", args)?;
    let p = *body::<Position>(cx, "pos")?;
    Ok(Value::list(vec![Value::Int(p.x), Value::Int(p.y)]))
}

/// `npc.hp()` → current hit points.
fn hp(cx: &mut NativeCx, args: &[Value]) -> Result<Value, Value> {
    ints::<0>("hp", args)?;
    Ok(Value::Int(body::<Health>(cx, "hp")?.hp))
}

/// `npc.hurt(n)` → hit points left (never below 0).
fn hurt(cx: &mut NativeCx, args: &[Value]) -> Result<Value, Value> {
    let [n] = amounts::<1>("hurt", args)?;
    let mut h = body::<Health>(cx, "hurt")?;
    h.hp = (h.hp - n).max(0);
    Ok(Value::Int(h.hp))
}

/// `npc.heal(n)` → hit points after healing (never above the maximum).
fn heal(cx: &mut NativeCx, args: &[Value]) -> Result<Value, Value> {
    let [n] = amounts::<1>("heal", args)?;
    let mut h = body::<Health>(cx, "heal")?;
    h.hp = h.hp.saturating_add(n).min(h.max);
    Ok(Value::Int(h.hp))
}

/// `npc.give(item, n)` → how many of `item` the NPC now carries.
fn give(cx: &mut NativeCx, args: &[Value]) -> Result<Value, Value> {
    let (item, n) = item_amount("give", args)?;
    let mut inv = body::<Inventory>(cx, "give")?;
    if n == 0 {
        return Ok(Value::Int(inv.0.get(item).copied().unwrap_or(0)));
    }
    // Look up before allocating a key: most gifts add to a pile already there.
    let now = match inv.0.get_mut(item) {
        Some(have) => {
            *have = have.saturating_add(n);
            *have
        }
        None => {
            inv.0.insert(item.to_string(), n);
            n
        }
    };
    Ok(Value::Int(now))
}

/// `npc.take(item, n)` → how many were taken (at most what is carried).
fn take(cx: &mut NativeCx, args: &[Value]) -> Result<Value, Value> {
    let (item, n) = item_amount("take", args)?;
    let mut inv = body::<Inventory>(cx, "take")?;
    let Some(have) = inv.0.get_mut(item) else {
        return Ok(Value::Int(0));
    };
    let taken = n.min(*have);
    *have -= taken;
    if *have == 0 {
        inv.0.remove(item);
    }
    Ok(Value::Int(taken))
}

/// `npc.count(item)` → how many of `item` the NPC carries.
fn count(cx: &mut NativeCx, args: &[Value]) -> Result<Value, Value> {
    let [Value::Str(item)] = args else {
        return Err(type_error("npc.count() takes one str"));
    };
    let inv = body::<Inventory>(cx, "count")?;
    Ok(Value::Int(inv.0.get(item.as_str()).copied().unwrap_or(0)))
}

/// `npc.inventory()` → a dict of item → count, in item order.
fn inventory(cx: &mut NativeCx, args: &[Value]) -> Result<Value, Value> {
    ints::<0>("inventory", args)?;
    let inv = body::<Inventory>(cx, "inventory")?;
    let mut d = Dict::new();
    for (k, v) in &inv.0 {
        d.insert(Value::str(k.clone()), Value::Int(*v))?;
    }
    Ok(Value::dict(d))
}

/// The calling NPC's component `C`, or a `RuntimeError` before `npc.spawn`.
fn body<'w, C: Component<Mutability = bevy_ecs::component::Mutable>>(
    cx: &'w mut NativeCx,
    f: &str,
) -> Result<Mut<'w, C>, Value> {
    cx.world.get_mut::<C>(cx.entity).ok_or_else(|| {
        runtime_error(format!(
            "npc.{f}(): this tasklet has no body yet (call npc.spawn(x, y, hp) first)"
        ))
    })
}

/// Exactly `N` int arguments.
pub(crate) fn ints<const N: usize>(f: &str, args: &[Value]) -> Result<[i64; N], Value> {
    let wrong = || {
        type_error(match N {
            0 => format!("npc.{f}() takes no arguments ({} given)", args.len()),
            1 => format!("npc.{f}() takes one int"),
            n => format!("npc.{f}() takes {n} ints"),
        })
    };
    if args.len() != N {
        return Err(wrong());
    }
    let mut out = [0; N];
    for (slot, v) in out.iter_mut().zip(args) {
        match v {
            Value::Int(i) => *slot = *i,
            _ => return Err(wrong()),
        }
    }
    Ok(out)
}

/// Non-negative int arguments.
fn amounts<const N: usize>(f: &str, args: &[Value]) -> Result<[i64; N], Value> {
    let out = ints::<N>(f, args)?;
    if out.iter().any(|n| *n < 0) {
        return Err(value_error(format!(
            "npc.{f}(): amount must not be negative"
        )));
    }
    Ok(out)
}

/// `(item: str, n: int >= 0)`.
fn item_amount<'a>(f: &str, args: &'a [Value]) -> Result<(&'a str, i64), Value> {
    match args {
        [Value::Str(item), Value::Int(n)] if *n >= 0 => Ok((item.as_str(), *n)),
        [Value::Str(_), Value::Int(_)] => Err(value_error(format!(
            "npc.{f}(): amount must not be negative"
        ))),
        _ => Err(type_error(format!("npc.{f}() takes a str and an int"))),
    }
}
