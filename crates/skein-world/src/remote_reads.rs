//! Attributes and methods of channels and tasklets of other shards
//! (docs/cluster.md): reads come from what their shards published at the
//! end of the previous tick; what would change them from here is refused
//! with a `RuntimeError` naming the shard.

use std::sync::Arc;

use skein_vm::{HostResult, KwArgs, Value, errors};

use crate::components::Suspension;
use crate::remote::channel_op;
use crate::remote_state::ChanOp;
use crate::shard::ShardLink;
use crate::world_host::WorldHost;

/// Channel attributes read from the home's published state.
pub fn channel_attr(
    host: &WorldHost,
    id: u64,
    home: u64,
    obj: &Value,
    name: &str,
) -> Result<Value, Value> {
    let m = host
        .world
        .get_resource::<ShardLink>()
        .and_then(|l| l.remote.mirrors.get(&id).copied())
        .unwrap_or(crate::remote_state::ChanMirror {
            balance: 0,
            closing: false,
            preference: -1,
            schedule_all: false,
            queue: None,
        });
    Ok(match name {
        "balance" => Value::Int(m.balance),
        "queue" => m.queue.map_or(Value::None, Value::Tasklet),
        "closing" => Value::Bool(m.closing),
        "closed" => Value::Bool(m.closing && m.balance == 0),
        "id" => Value::Int(id as i64),
        "preference" => Value::Int(m.preference as i64),
        "schedule_all" => Value::Int(m.schedule_all as i64),
        "home" => Value::Int(home as i64),
        "send" | "receive" | "send_exception" | "send_sequence" | "close" | "open" | "getstate"
        | "setstate" => Value::Method(Arc::new((obj.clone(), Arc::from(name)))),
        _ => return Err(errors::attribute_error(obj, name)),
    })
}

/// Writing an attribute of a remote channel: refused.
pub fn channel_attr_mut(id: u64, home: u64, obj: &Value, name: &str) -> Result<(), Value> {
    match name {
        "preference" | "schedule_all" => Err(errors::runtime_error(format!(
            "cannot set {name} of <channel #{id}>: it lives on shard {home}"
        ))),
        _ => Err(errors::attribute_error(obj, name)),
    }
}

/// A method of a channel of shard `home`: operations go home, the rest is
/// refused.
pub fn channel_method(
    host: &mut WorldHost,
    id: u64,
    home: u64,
    recv: &Value,
    name: &str,
    mut args: Vec<Value>,
    kwargs: KwArgs,
) -> HostResult {
    let argc = |n: usize| -> Result<(), Value> {
        if !kwargs.is_empty() || args.len() != n {
            return Err(errors::type_error(format!(
                "{name}() takes {n} argument{} ({} given)",
                if n == 1 { "" } else { "s" },
                args.len()
            )));
        }
        Ok(())
    };
    match name {
        "send" => match argc(1) {
            Ok(()) => {
                let v = args.pop().unwrap_or(Value::None);
                channel_op(
                    host,
                    id,
                    home,
                    ChanOp::Send(v),
                    Suspension::Send { exception: false },
                )
            }
            Err(e) => HostResult::Raise(e),
        },
        "receive" => match argc(0) {
            Ok(()) => receive(host, id, home, false),
            Err(e) => HostResult::Raise(e),
        },
        "send_exception" => {
            if !kwargs.is_empty() || args.is_empty() {
                return HostResult::Raise(errors::type_error(format!(
                    "{name}() takes at least 1 argument"
                )));
            }
            let kind = args.remove(0);
            match crate::host_args::to_error(kind, args) {
                Ok(err) => channel_op(
                    host,
                    id,
                    home,
                    ChanOp::SendError(err),
                    Suspension::Send { exception: true },
                ),
                Err(e) => HostResult::Raise(e),
            }
        }
        "send_sequence" => {
            // One remote operation per item, in order: the local
            // send_sequence comes back here for each item.
            crate::channels::call_method(host, id, recv, name, args, kwargs)
        }
        "close" | "open" | "getstate" | "setstate" => HostResult::Raise(errors::runtime_error(
            format!("cannot {name} <channel #{id}>: it lives on shard {home}"),
        )),
        _ => HostResult::Raise(errors::attribute_error(recv, name)),
    }
}

/// `receive()` or a step of iteration on a channel of shard `home`.
pub fn receive(host: &mut WorldHost, id: u64, home: u64, iterating: bool) -> HostResult {
    channel_op(
        host,
        id,
        home,
        ChanOp::Receive { iterating },
        Suspension::Receive { iterating },
    )
}

/// Attributes of a tasklet of shard `at`: `id`, `shard`, and `alive` and
/// `name` as its shard last published them; the rest is refused, naming
/// the shard.
pub fn tasklet_attr(
    host: &WorldHost,
    id: u64,
    at: u64,
    obj: &Value,
    name: &str,
) -> Result<Value, Value> {
    let facts = || {
        host.world
            .get_resource::<ShardLink>()
            .and_then(|l| l.remote.facts.get(&id).cloned())
    };
    match name {
        "id" => Ok(Value::Int(id as i64)),
        "shard" => Ok(Value::Int(at as i64)),
        // Known elsewhere only through a reference that crossed, which
        // makes it watched: no facts yet means none published, i.e. alive
        // and unnamed as it was made.
        "alive" => Ok(Value::Bool(facts().is_none_or(|f| f.alive))),
        "name" => Ok(facts().and_then(|f| f.name).map_or(Value::None, Value::str)),
        "data" | "blocked" | "scheduled" | "paused" | "is_main" | "is_current" | "atomic"
        | "block_trap" | "tempval" | "kill" | "throw" | "raise_exception" | "insert" | "remove"
        | "run" | "switch" | "bind" | "setup" => Err(refused(id, at, name)),
        _ => Err(errors::attribute_error(obj, name)),
    }
}

/// An operation on a tasklet of shard `at`.
pub fn refused(id: u64, at: u64, name: &str) -> Value {
    errors::runtime_error(format!(
        "cannot use {name} of <tasklet #{id}>: it is on shard {at}"
    ))
}
