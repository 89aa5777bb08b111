//! The host calls a scheduler-heavy script makes per switch, reached by the
//! id the VM resolved once per call site (`Host::call_quick`): a channel's
//! `send`/`receive`, `stackless.schedule`, `sim.sleep`, `sim.tick`. Each arm
//! does exactly what the call by name does; anything else (another arity,
//! a tasklet receiver, a channel this world does not hold, a host module) is
//! declined and goes by name. Other functions of native modules
//! (`npc.hp()`, `random.randint(a, b)`) come through `Host::call_function`
//! with their arguments lent: no argument vector and no function value.

use skein_script::bytecode::BUILTIN_MODULES;
use skein_vm::methods::MethodId;
use skein_vm::{Host, HostResult, ModRef, Value};

use crate::world_host::WorldHost;

/// The index of built-in module `name`, found at compile time, so a call
/// compares two numbers where it compared two names.
const fn builtin(name: &str) -> u16 {
    let mut i = 0;
    while i < BUILTIN_MODULES.len() {
        let (a, b) = (BUILTIN_MODULES[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut k = 0;
            while k < a.len() && a[k] == b[k] {
                k += 1;
            }
            if k == a.len() {
                return i as u16;
            }
        }
        i += 1;
    }
    panic!("not a built-in module")
}

const STACKLESS: u16 = builtin("stackless");
const SIM: u16 = builtin("sim");

/// The call `recv.<id>(args…)`, or `None` to go by name.
pub fn call(
    host: &mut WorldHost,
    recv: &Value,
    id: MethodId,
    args: &mut [Value],
) -> Option<HostResult> {
    let take = |v: &mut Value| std::mem::replace(v, Value::None);
    Some(match (recv, id, args) {
        // A channel this world does not hold (another shard's, where its
        // home is asked, or none at all) goes by name.
        (Value::Channel(ch), MethodId::Send, [v]) if host.entity(*ch).is_some() => {
            crate::channels::send_value(host, *ch, take(v))
        }
        (Value::Channel(ch), MethodId::Receive, []) if host.entity(*ch).is_some() => {
            crate::channels::receive(host, *ch, false)
        }
        (Value::Module(ModRef::Native(m)), MethodId::Schedule, args @ ([] | [_]))
            if *m == STACKLESS =>
        {
            let v = args.first_mut().map(take);
            crate::tasklets::schedule(host, v, false)
        }
        (Value::Module(ModRef::Native(m)), MethodId::Sleep, [n]) if *m == SIM => {
            crate::tasklets::sleep(host, n)
        }
        (Value::Module(ModRef::Native(m)), MethodId::Tick, []) if *m == SIM => {
            HostResult::Return(Value::Int(host.sched.tick as i64))
        }
        _ => return None,
    })
}

/// `module.name(args…)` with no keywords, `module` a native module: a
/// function of it (the world's or a host's native) called with its
/// arguments lent, as the call by name would call it. `None` when
/// `module.name` is not a native function: the call goes by name, to the
/// same value or error.
pub fn call_function(
    host: &mut WorldHost,
    module: u16,
    name: &str,
    args: &mut [Value],
) -> Option<HostResult> {
    let fid = match host.fns.get(module, name) {
        Some(fid) => fid,
        None => {
            let Some(Value::Native(fid)) = host.module_attr(ModRef::Native(module), name) else {
                return None;
            };
            host.fns.put(module, name, fid);
            fid
        }
    };
    Some(crate::modules::call_lent(host, fid, args))
}
