//! The host-served modules: `stackless`, `random`, `sim`, and the host
//! game's own (plus anything a game adds to a built-in module, such as
//! `pickle` from the save crate). Their functions are `Value::Native` ids
//! below [`HOST_NATIVE_BASE`]; host natives are at and above it.

use skein_vm::{HostResult, Kind, KwArgs, TypeTag, Value, errors};

use crate::components::{Suspension, Wait};
use crate::host_args::{answer, as_error, check_args, int_or_bool};
use crate::natives::{
    HOST_NATIVE_BASE, ImmediateFn, NativeCall, NativeCx, NativeKind, PositionalFn,
};
use crate::world_host::WorldHost;
use crate::{NativeRequest, random};

/// Ids of the world's own functions (stable: they may sit in saved values).
mod id {
    pub const SCHEDULE: u32 = 1;
    pub const SCHEDULE_REMOVE: u32 = 2;
    pub const GETCURRENT: u32 = 3;
    pub const GETMAIN: u32 = 4;
    pub const GETRUNCOUNT: u32 = 5;
    pub const SET_ATOMIC: u32 = 6;
    pub const RUN: u32 = 7;
    pub const RANDOM: u32 = 20;
    pub const RANDINT: u32 = 21;
    pub const CHOICE: u32 = 22;
    pub const SHUFFLE: u32 = 23;
    pub const TICK: u32 = 30;
    pub const SLEEP: u32 = 31;
    pub const PARAM: u32 = 32;
    pub const SHARD: u32 = 33;
    pub const SHARDS: u32 = 34;
    pub const MIGRATE: u32 = 35;
}

/// The world's own functions as (module, name, id): what [`attr`] hands
/// out, and the table saves name them by.
pub const WORLD_NATIVES: &[(&str, &str, u32)] = &[
    ("stackless", "schedule", id::SCHEDULE),
    ("stackless", "getcurrent", id::GETCURRENT),
    ("stackless", "schedule_remove", id::SCHEDULE_REMOVE),
    ("stackless", "getmain", id::GETMAIN),
    ("stackless", "getruncount", id::GETRUNCOUNT),
    ("stackless", "set_atomic", id::SET_ATOMIC),
    ("stackless", "run", id::RUN),
    ("random", "random", id::RANDOM),
    ("random", "randint", id::RANDINT),
    ("random", "choice", id::CHOICE),
    ("random", "shuffle", id::SHUFFLE),
    ("sim", "tick", id::TICK),
    ("sim", "sleep", id::SLEEP),
    ("sim", "param", id::PARAM),
    ("sim", "shard", id::SHARD),
    ("sim", "shards", id::SHARDS),
    ("sim", "migrate", id::MIGRATE),
];

/// `module.name` for the world's modules; `None` falls through to natives.
/// (Looked up on every `stackless.schedule()` call, so by module first.)
pub fn attr(host: &mut WorldHost, module: &str, name: &str) -> Option<Value> {
    // A host module's functions (`npc.hp()`) skip the table below.
    if !matches!(module, "stackless" | "random" | "sim") {
        return None;
    }
    if module == "stackless" {
        match name {
            "tasklet" => return Some(Value::Type(TypeTag::Tasklet)),
            "channel" => return Some(Value::Type(TypeTag::Channel)),
            "current" => return Some(tasklet_or_none(host.sched.current)),
            "main" => return Some(tasklet_or_none(host.sched.main)),
            "runcount" => return Some(Value::Int(host.sched.ring.len() as i64)),
            "TaskletExit" => return Some(Value::Type(TypeTag::Kind(Kind::TaskletExit))),
            _ => {}
        }
    }
    WORLD_NATIVES
        .iter()
        .find(|(m, n, _)| *m == module && *n == name)
        .map(|(_, _, id)| Value::Native(*id))
}

fn tasklet_or_none(id: u64) -> Value {
    if id == 0 {
        Value::None
    } else {
        Value::Tasklet(id)
    }
}

/// Calls a native function value.
pub fn call(host: &mut WorldHost, fid: u32, args: Vec<Value>, kwargs: KwArgs) -> HostResult {
    if fid >= HOST_NATIVE_BASE {
        return call_host(host, fid, Args::Owned(args), kwargs);
    }
    let cur = host.sched.current;
    match fid {
        id::SCHEDULE | id::SCHEDULE_REMOVE => {
            let name = if fid == id::SCHEDULE {
                "schedule"
            } else {
                "schedule_remove"
            };
            if let Err(e) = check_args(name, &args, &kwargs, 0, 1) {
                return HostResult::Raise(e);
            }
            let v = args.into_iter().next();
            crate::tasklets::schedule(host, v, fid == id::SCHEDULE_REMOVE)
        }
        id::GETCURRENT => {
            answer(check_args("getcurrent", &args, &kwargs, 0, 0).map(|()| tasklet_or_none(cur)))
        }
        id::GETMAIN => answer(
            check_args("getmain", &args, &kwargs, 0, 0).map(|()| tasklet_or_none(host.sched.main)),
        ),
        id::GETRUNCOUNT => answer(
            check_args("getruncount", &args, &kwargs, 0, 0)
                .map(|()| Value::Int(host.sched.ring.len() as i64)),
        ),
        id::SET_ATOMIC => answer(set_atomic(host, &args, &kwargs)),
        id::RUN => match check_args("run", &args, &kwargs, 0, 0) {
            Ok(()) => crate::tasklets::stackless_run(host),
            Err(e) => HostResult::Raise(e),
        },
        id::RANDOM | id::RANDINT | id::CHOICE | id::SHUFFLE => {
            let mut rng = host.world.resource_mut::<crate::WorldRng>();
            answer(random::call(&mut rng.0, fid - id::RANDOM, &args, &kwargs))
        }
        id::TICK => answer(
            check_args("tick", &args, &kwargs, 0, 0).map(|()| Value::Int(host.sched.tick as i64)),
        ),
        id::SLEEP => match check_args("sleep", &args, &kwargs, 1, 1) {
            Ok(()) => crate::tasklets::sleep(host, &args[0]),
            Err(e) => HostResult::Raise(e),
        },
        id::PARAM => answer(param(host, args, kwargs)),
        id::SHARD => {
            answer(check_args("shard", &args, &kwargs, 0, 0).map(|()| crate::shard::shard(host)))
        }
        id::SHARDS => {
            answer(check_args("shards", &args, &kwargs, 0, 0).map(|()| crate::shard::shards(host)))
        }
        id::MIGRATE => match check_args("migrate", &args, &kwargs, 1, 1) {
            Ok(()) => crate::shard::migrate(host, &args[0]),
            Err(e) => HostResult::Raise(e),
        },
        _ => HostResult::Raise(errors::runtime_error("unknown native function")),
    }
}

fn set_atomic(host: &mut WorldHost, args: &[Value], kwargs: &KwArgs) -> Result<Value, Value> {
    check_args("set_atomic", args, kwargs, 1, 1)?;
    let Some(flag) = int_or_bool(&args[0]) else {
        return Err(errors::type_error(
            "set_atomic needs exactly one bool or integer",
        ));
    };
    let mut old = false;
    host.with_current(|t| {
        old = t.atomic;
        t.atomic = flag != 0;
    });
    Ok(Value::Bool(old))
}

fn param(host: &mut WorldHost, args: Vec<Value>, kwargs: KwArgs) -> Result<Value, Value> {
    check_args("param", &args, &kwargs, 1, 2)?;
    let mut args = args.into_iter();
    let name = args.next().unwrap_or(Value::None);
    let default = args.next().unwrap_or(Value::None);
    let Value::Str(name) = name else {
        return Err(errors::type_error("param() name must be a str"));
    };
    let opts = host.world.resource::<crate::WorldOptions>();
    Ok(opts.params.get(name.as_str()).cloned().unwrap_or(default))
}

/// A call's positional arguments: the vector the VM made for a call by
/// name, or the VM's stack slots lent by a quick call (`quick::call_function`).
pub(crate) enum Args<'a> {
    /// Owned (a call by name).
    Owned(Vec<Value>),
    /// Lent: values may be taken out.
    Lent(&'a mut [Value]),
}

impl Args<'_> {
    fn into_vec(self) -> Vec<Value> {
        match self {
            Args::Owned(v) => v,
            Args::Lent(s) => s
                .iter_mut()
                .map(|v| std::mem::replace(v, Value::None))
                .collect(),
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Value] {
        match self {
            Args::Owned(v) => v,
            Args::Lent(s) => s,
        }
    }
}

/// A function of a native module called with its arguments lent and no
/// keywords: the world's `random` functions and every host native. The
/// same as [`call`] with the arguments in a vector.
pub(crate) fn call_lent(host: &mut WorldHost, fid: u32, args: &mut [Value]) -> HostResult {
    if fid >= HOST_NATIVE_BASE {
        return call_host(host, fid, Args::Lent(args), KwArgs::new());
    }
    match fid {
        id::RANDOM | id::RANDINT | id::CHOICE | id::SHUFFLE => {
            let mut rng = host.world.resource_mut::<crate::WorldRng>();
            answer(random::call(
                &mut rng.0,
                fid - id::RANDOM,
                args,
                &KwArgs::new(),
            ))
        }
        _ => {
            let args = Args::Lent(args).into_vec();
            call(host, fid, args, KwArgs::new())
        }
    }
}

/// What a call of a host native takes out of the registry: the function
/// (an `Arc`) of an immediate one, the names of a blocking one.
enum Callee {
    Immediate(ImmediateFn),
    Positional(PositionalFn),
    Blocking(String, String),
}

/// A host-registered native: immediate ones run now, blocking ones park.
fn call_host(host: &mut WorldHost, fid: u32, mut args: Args, kwargs: KwArgs) -> HostResult {
    let callee = match host.world.resource::<crate::Natives>().get(fid) {
        Some(f) => match &f.kind {
            NativeKind::Immediate(func) => Callee::Immediate(func.clone()),
            NativeKind::Positional(func) => match kwargs.first() {
                None => Callee::Positional(func.clone()),
                Some((k, _)) => {
                    return HostResult::Raise(errors::type_error(format!(
                        "{}.{}() got an unexpected keyword argument '{k}'",
                        f.module, f.name
                    )));
                }
            },
            NativeKind::Blocking => Callee::Blocking(f.module.clone(), f.name.clone()),
        },
        None => return HostResult::Raise(errors::runtime_error("unknown native function")),
    };
    let cur = host.sched.current;
    let Some(entity) = host.entity(cur) else {
        return HostResult::Raise(errors::runtime_error(
            "native functions need a running tasklet",
        ));
    };
    match callee {
        Callee::Immediate(func) => host.with_world(|world| {
            let mut cx = NativeCx {
                world,
                tasklet: cur,
                entity,
                sched: None,
            };
            answer(func(&mut cx, args.into_vec(), kwargs).map_err(as_error))
        }),
        // The scheduler goes in the context: swapping it into the world and
        // out again cost ~280 instructions a call.
        Callee::Positional(func) => {
            host.flush_held();
            let mut cx = NativeCx {
                world: host.world,
                tasklet: cur,
                entity,
                sched: Some(&mut host.sched),
            };
            answer(func(&mut cx, args.as_mut_slice()).map_err(as_error))
        }
        Callee::Blocking(module, name) => {
            if !kwargs.is_empty() {
                return HostResult::Raise(errors::type_error(format!(
                    "{name}() takes no keyword arguments"
                )));
            }
            let mut queue = host.world.resource_mut::<crate::NativeQueue>();
            let request = queue.new_request();
            let call = NativeRequest {
                request,
                module,
                name,
                args: args.into_vec(),
            };
            queue.park(NativeCall::of(call.clone(), cur, entity));
            host.with_current(|t| {
                t.wait = Wait::Native(Box::new(call));
                t.suspension = Suspension::Native;
            });
            host.sched.ring.remove(cur);
            HostResult::Suspend
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WORLD_NATIVES;

    /// The table names what the compiler lets scripts import, once each.
    #[test]
    fn the_table_matches_the_compilers_module_exports() {
        let mut ids = std::collections::BTreeSet::new();
        for (module, name, id) in WORLD_NATIVES {
            let exports = skein_script::compiler::builtin_module_exports(module)
                .unwrap_or_else(|| panic!("{module} is a built-in module"));
            assert!(exports.contains(name), "{module}.{name} is exported");
            assert!(ids.insert(*id), "{module}.{name}: id {id} is unique");
        }
        assert_eq!(ids.len(), 17);
    }
}
