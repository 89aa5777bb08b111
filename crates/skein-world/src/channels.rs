//! Channel attributes and methods: meetings with the first waiter, blocking
//! at the tail, the preference/schedule_all table of docs/stackless.md,
//! `send_exception`, `send_sequence`, iteration, close/open, and
//! `getstate`/`setstate`.

use std::sync::Arc;

use skein_vm::value::{Dict, List};
use skein_vm::{HostResult, Kind, KwArgs, Value, errors};

use crate::components::{SendSequence, Suspension, Wait, Waiters};
use crate::host_args::{answer, check_args, int_or_bool, to_error};
use crate::world_host::WorldHost;

/// What a sender hands over.
enum Msg {
    Value(Value),
    Error(Value),
}

const METHODS: &[&str] = &[
    "send",
    "receive",
    "send_exception",
    "send_sequence",
    "close",
    "open",
    "getstate",
    "setstate",
];

/// Reads attribute `name` of channel `id` (`balance`, `preference`, `queue`, …).
pub fn get_attr(host: &mut WorldHost, id: u64, obj: &Value, name: &str) -> Result<Value, Value> {
    let Some(ch) = host.channel(id) else {
        return Err(errors::attribute_error(obj, name));
    };
    Ok(match name {
        "balance" => Value::Int(ch.balance()),
        "queue" => ch.waiters.front().map_or(Value::None, Value::Tasklet),
        "closing" => Value::Bool(ch.closing),
        "closed" => Value::Bool(ch.closed()),
        "id" => Value::Int(id as i64),
        "preference" => Value::Int(ch.preference as i64),
        "schedule_all" => Value::Int(ch.schedule_all as i64),
        m if METHODS.contains(&m) => Value::Method(Arc::new((obj.clone(), Arc::from(m)))),
        _ => return Err(errors::attribute_error(obj, name)),
    })
}

/// Lets `f` change attribute `name` of channel `id` in place (`ch.preference = 1`, `ch.preference += 1`).
pub fn with_attr_mut(
    host: &mut WorldHost,
    id: u64,
    obj: &Value,
    name: &str,
    f: &mut dyn FnMut(&mut Value) -> Result<(), Value>,
) -> Result<(), Value> {
    let Some(mut ch) = host.channel_mut(id) else {
        return Err(errors::attribute_error(obj, name));
    };
    match name {
        "preference" | "schedule_all" => {
            let mut v = if name == "preference" {
                Value::Int(ch.preference as i64)
            } else {
                Value::Int(ch.schedule_all as i64)
            };
            f(&mut v)?;
            let Some(i) = int_or_bool(&v) else {
                return Err(errors::type_error(format!(
                    "{name} must be set to a bool or integer"
                )));
            };
            if name == "preference" {
                ch.preference = i.signum() as i8;
            } else {
                ch.schedule_all = i != 0;
            }
            Ok(())
        }
        "balance" | "queue" | "closing" | "closed" | "id" => Err(errors::error(
            Kind::AttributeError,
            format!("attribute '{name}' of 'channel' objects is not writable"),
        )),
        _ => Err(errors::attribute_error(obj, name)),
    }
}

/// Calls method `name` of channel `id` (`send`, `receive`, `close`, `setstate`, …) with the script's arguments.
pub fn call_method(
    host: &mut WorldHost,
    id: u64,
    recv: &Value,
    name: &str,
    args: Vec<Value>,
    kwargs: KwArgs,
) -> HostResult {
    match name {
        "send" => match check_args("send", &args, &kwargs, 1, 1) {
            Ok(()) => {
                let v = args.into_iter().next().unwrap_or(Value::None);
                send(
                    host,
                    id,
                    Msg::Value(v),
                    Suspension::Send { exception: false },
                )
            }
            Err(e) => HostResult::Raise(e),
        },
        "receive" => match check_args("receive", &args, &kwargs, 0, 0) {
            Ok(()) => receive(host, id, false),
            Err(e) => HostResult::Raise(e),
        },
        "send_exception" => {
            if !kwargs.is_empty() || args.is_empty() {
                return HostResult::Raise(errors::type_error(
                    "send_exception() takes at least 1 argument",
                ));
            }
            let mut args = args;
            let kind = args.remove(0);
            match to_error(kind, args) {
                Ok(err) => send(
                    host,
                    id,
                    Msg::Error(err),
                    Suspension::Send { exception: true },
                ),
                Err(e) => HostResult::Raise(e),
            }
        }
        "send_sequence" => match check_args("send_sequence", &args, &kwargs, 1, 1) {
            Ok(()) => match sequence_items(args.into_iter().next().unwrap_or(Value::None)) {
                Ok(items) => send_sequence(host, id, items, 0),
                Err(e) => HostResult::Raise(e),
            },
            Err(e) => HostResult::Raise(e),
        },
        "close" | "open" => match check_args(name, &args, &kwargs, 0, 0) {
            Ok(()) => {
                if let Some(mut ch) = host.channel_mut(id) {
                    ch.closing = name == "close";
                }
                HostResult::Return(Value::None)
            }
            Err(e) => HostResult::Raise(e),
        },
        "getstate" => {
            answer(check_args("getstate", &args, &kwargs, 0, 0).map(|()| getstate(host, id)))
        }
        "setstate" => answer(
            check_args("setstate", &args, &kwargs, 1, 1)
                .and_then(|()| setstate(host, id, args.into_iter().next().unwrap_or(Value::None))),
        ),
        _ => HostResult::Raise(errors::attribute_error(recv, name)),
    }
}

/// The channel's flags, and its first waiter taken off if it waits the
/// way a meeting needs (`senders`): one look at the channel per operation.
/// With no one to meet and the channel not closing, the current tasklet is
/// put at the tail in the same look (`joined`: `senders` as it was), since
/// it is about to block there; `block` takes it off again if it may not.
struct Peek {
    waiter: Option<u64>,
    pref: i8,
    all: bool,
    closing: bool,
    joined: Option<bool>,
}

fn peek(host: &mut WorldHost, ch: u64, senders: bool) -> Option<Peek> {
    let cur = host.sched.current;
    let mut held = host.channel_mut(ch)?;
    // One look through the wrapper, not one per field: a peek nearly always
    // changes the channel (a waiter off, or the current tasklet on).
    let c = &mut *held;
    let waiter = if c.senders == senders {
        c.waiters.pop_front()
    } else {
        None
    };
    let mut joined = None;
    if waiter.is_none() && !c.closing && cur != 0 {
        // An id past the waiters' `u32`s does not join; `block` raises.
        if c.waiters.push_back(cur) {
            joined = Some(c.senders);
            c.senders = !senders;
        }
    }
    Some(Peek {
        waiter,
        pref: c.preference,
        all: c.schedule_all,
        closing: c.closing,
        joined,
    })
}

/// The error of a tasklet whose id a channel's waiters cannot hold (one
/// past `u32`, which no world's run ring reaches).
fn too_large(id: u64) -> Value {
    errors::runtime_error(format!(
        "tasklet #{id}: a channel's waiters hold ids up to {}",
        u32::MAX
    ))
}

/// Undoes `peek`'s joining of the current tasklet `cur`.
fn unjoin(host: &mut WorldHost, ch: u64, cur: u64, joined: Option<bool>) {
    if let Some(senders) = joined
        && let Some(mut c) = host.channel_mut(ch)
    {
        if c.waiters.back() == Some(cur) {
            c.waiters.pop_back();
        }
        c.senders = senders;
    }
}

/// Blocks the current tasklet at the channel's tail (where `peek` put it),
/// after the block_trap check and then the closing check; a sender's value
/// goes in its tempval (an exception's payload in its pending field).
fn block(host: &mut WorldHost, ch: u64, p: &Peek, msg: Option<Msg>, s: Suspension) -> HostResult {
    let cur = host.sched.current;
    let sending = msg.is_some();
    if u32::try_from(cur).is_err() {
        return HostResult::Raise(too_large(cur));
    }
    let Some(mut held) = host.tasklet_mut(cur) else {
        unjoin(host, ch, cur, p.joined);
        return HostResult::Raise(errors::runtime_error("no current tasklet"));
    };
    let t = &mut *held;
    if t.block_trap {
        unjoin(host, ch, cur, p.joined);
        return HostResult::Raise(errors::runtime_error(
            "this tasklet does not like to be blocked.",
        ));
    }
    if p.closing {
        return HostResult::Raise(errors::value_error(
            "Send/receive operation on a closed channel",
        ));
    }
    match msg {
        Some(Msg::Value(v)) => t.tempval = v,
        Some(Msg::Error(e)) => {
            t.tempval = Value::None;
            t.set_pending(Some(e));
            t.pending_is_payload = true;
        }
        None => {}
    }
    t.wait = Wait::Channel {
        channel: ch,
        sending,
    };
    t.suspension = s;
    if p.joined.is_none()
        && let Some(mut c) = host.channel_mut(ch)
    {
        // Checked above: `cur` fits the waiters' ids.
        let pushed = c.waiters.push_back(cur);
        debug_assert!(pushed);
        c.senders = sending;
    }
    host.sched.ring.remove(cur);
    HostResult::Suspend
}

/// Who runs after a meeting between the current tasklet and waiter `w`
/// (docs/stackless.md's table). `result` is what the caller's call gives.
fn after_meeting(
    host: &mut WorldHost,
    p: &Peek,
    w: u64,
    sending: bool,
    result: Result<Value, Value>,
    s: Suspension,
) -> HostResult {
    let cur = host.sched.current;
    host.sched.counts.messages += 1;
    let dir: i8 = if sending { 1 } else { -1 };
    if p.all || p.pref == -dir {
        if p.all {
            host.sched.ring.insert_tail(w);
            host.sched.ring.advance();
        } else {
            host.sched.ring.insert_after(w, cur);
            host.sched.ring.set_head(w);
        }
        host.with_current(|t| {
            t.suspension = s;
            match result {
                Ok(v) => t.tempval = v,
                Err(e) => {
                    t.set_pending(Some(e));
                    t.pending_is_payload = false;
                }
            }
        });
        HostResult::Suspend
    } else {
        host.sched.ring.insert_tail(w);
        answer(result)
    }
}

/// `send(v)` by the current tasklet.
pub fn send_value(host: &mut WorldHost, ch: u64, v: Value) -> HostResult {
    send(
        host,
        ch,
        Msg::Value(v),
        Suspension::Send { exception: false },
    )
}

/// `send(v)` / `send_exception(e)` by the current tasklet.
fn send(host: &mut WorldHost, ch: u64, msg: Msg, s: Suspension) -> HostResult {
    let Some(p) = peek(host, ch, false) else {
        // send_sequence on a channel of another shard: one remote
        // operation per item.
        if let Some(home) = crate::remote::elsewhere(host, ch) {
            return crate::remote::channel_op(host, ch, home, remote_op(msg), s);
        }
        return HostResult::Raise(errors::runtime_error("no such channel"));
    };
    let Some(w) = p.waiter else {
        return block(host, ch, &p, Some(msg), s);
    };
    // A local waiter is found first: only an id with no tasklet here may
    // be another shard's.
    if let Some(mut held) = host.tasklet_mut(w) {
        let t = &mut *held;
        t.wait = Wait::None;
        match msg {
            Msg::Value(v) => t.tempval = v,
            Msg::Error(e) => {
                t.set_pending(Some(e));
                t.pending_is_payload = false;
            }
        }
    } else if host.entity(w).is_none() && crate::remote::is_remote_waiter(host, w) {
        let msg = match msg {
            Msg::Value(v) => Ok(v),
            Msg::Error(e) => Err(e),
        };
        return crate::remote::meet_local_send(host, w, msg);
    }
    after_meeting(host, &p, w, true, Ok(Value::None), s)
}

fn remote_op(msg: Msg) -> crate::remote::ChanOp {
    match msg {
        Msg::Value(v) => crate::remote::ChanOp::Send(v),
        Msg::Error(e) => crate::remote::ChanOp::SendError(e),
    }
}

/// `receive()` (or the next item of a `for` loop over the channel).
pub fn receive(host: &mut WorldHost, ch: u64, iterating: bool) -> HostResult {
    let Some(p) = peek(host, ch, true) else {
        return HostResult::Raise(errors::runtime_error("no such channel"));
    };
    let s = Suspension::Receive { iterating };
    let Some(w) = p.waiter else {
        if iterating && p.closing {
            return HostResult::IterEnd;
        }
        return block(host, ch, &p, None, s);
    };
    let mut result = Ok(Value::None);
    if let Some(mut held) = host.tasklet_mut(w) {
        let t = &mut *held;
        t.wait = Wait::None;
        result = if t.pending_is_payload {
            t.pending_is_payload = false;
            Err(t.take_pending().unwrap_or(Value::None))
        } else {
            Ok(std::mem::replace(&mut t.tempval, Value::None))
        };
    } else if host.entity(w).is_none() && crate::remote::is_remote_waiter(host, w) {
        return crate::remote::meet_local_receive(host, w);
    }
    after_meeting(host, &p, w, false, result, s)
}

/// The items of `send_sequence`'s argument: a list, or a range or str
/// made into one.
fn sequence_items(seq: Value) -> Result<Value, Value> {
    match &seq {
        Value::List(_) => Ok(seq),
        Value::Range(r) => {
            let n = skein_vm::ops::range_len(r);
            let items = (0..n)
                .map(|i| Value::Int(skein_vm::ops::range_item(r, i)))
                .collect();
            Ok(Value::List(Arc::new(List::new(items))))
        }
        Value::Str(s) => Ok(Value::list(
            s.chars().map(|c| Value::str(c.to_string())).collect(),
        )),
        Value::Dict(d) => Ok(Value::list(
            d.map.values().map(|(k, _)| k.clone()).collect(),
        )),
        other => Err(errors::type_error(format!(
            "'{}' object is not iterable",
            skein_vm::format::type_name(other)
        ))),
    }
}

/// Sends `items[next..]` in turn; when one blocks, the progress is kept in
/// the sender's suspension and this is called again when it runs.
pub fn send_sequence(host: &mut WorldHost, ch: u64, items: Value, mut next: usize) -> HostResult {
    let Value::List(list) = &items else {
        return HostResult::Raise(errors::type_error("send_sequence needs a list"));
    };
    let list = list.clone();
    loop {
        let Some(v) = list.items.get(next).cloned() else {
            return HostResult::Return(Value::Int(list.items.len() as i64));
        };
        next += 1;
        match send(host, ch, Msg::Value(v), Suspension::SendSequence) {
            HostResult::Return(_) => {}
            HostResult::Suspend => {
                // Suspended in this send (blocked, or switched away from a
                // meeting): the rest is sent when the tasklet runs again.
                let progress = SendSequence {
                    channel: ch,
                    items: items.clone(),
                    next,
                };
                host.with_current(|t| t.set_send_sequence(Some(progress)));
                return HostResult::Suspend;
            }
            other => return other,
        }
    }
}

/// `[balance, {"preference", "schedule_all", "closing"}, [waiters…]]`.
pub fn getstate(host: &WorldHost, id: u64) -> Value {
    let Some(ch) = host.channel(id) else {
        return Value::None;
    };
    let mut flags = Dict::new();
    let _ = flags.insert(Value::str("preference"), Value::Int(ch.preference as i64));
    let _ = flags.insert(
        Value::str("schedule_all"),
        Value::Int(ch.schedule_all as i64),
    );
    let _ = flags.insert(Value::str("closing"), Value::Bool(ch.closing));
    let waiters = ch.waiters.iter().map(Value::Tasklet).collect();
    Value::list(vec![
        Value::Int(ch.balance()),
        Value::dict(flags),
        Value::list(waiters),
    ])
}

/// `setstate([balance, flags, tasklets])` (docs/stackless.md, "Channel state").
pub fn setstate(host: &mut WorldHost, id: u64, state: Value) -> Result<Value, Value> {
    let bad = || errors::type_error("channel state must be [balance, flags, tasklets]");
    let Value::List(parts) = &state else {
        return Err(bad());
    };
    let [balance, flags, tasklets] = parts.items.as_slice() else {
        return Err(bad());
    };
    let Some(balance) = int_or_bool(balance) else {
        return Err(bad());
    };
    let Value::Dict(flags) = flags else {
        return Err(bad());
    };
    let Value::List(tasklets) = tasklets else {
        return Err(bad());
    };
    let flag = |name: &str| -> Result<Option<i64>, Value> {
        let key = skein_vm::value::Key::Str(Arc::new(name.into()));
        match flags.get(&key) {
            None => Ok(None),
            Some(v) => int_or_bool(v)
                .map(Some)
                .ok_or_else(|| errors::type_error(format!("{name} must be a bool or integer"))),
        }
    };
    let (pref, all, closing) = (flag("preference")?, flag("schedule_all")?, flag("closing")?);
    crate::remote::check_setstate(host, id, &tasklets.items)?;
    // Detach the current waiters: they stay paused, keeping their tempvals.
    let old: Vec<u64> = host
        .channel_mut(id)
        .map(|mut c| c.waiters.take_all())
        .unwrap_or_default();
    for w in old {
        if let Some(mut t) = host.tasklet_mut(w) {
            t.wait = Wait::None;
        }
    }
    let senders = balance > 0;
    let mut joined = Vec::new();
    for v in &tasklets.items {
        let Value::Tasklet(t) = v else { continue };
        let t = *t;
        if joined.contains(&t) || host.sched.ring.contains(t) || host.sched.current == t {
            continue;
        }
        let Some(st) = host.tasklet(t) else { continue };
        let facing = if senders {
            st.suspension.is_send()
        } else {
            st.suspension.is_receive()
        };
        if !st.alive || st.blocked() || !facing {
            continue;
        }
        joined.push(t);
    }
    for t in &joined {
        if let Some(mut st) = host.tasklet_mut(*t) {
            st.wait = Wait::Channel {
                channel: id,
                sending: senders,
            };
        }
    }
    if let Some(mut c) = host.channel_mut(id) {
        if let Some(p) = pref {
            c.preference = p.signum() as i8;
        }
        if let Some(a) = all {
            c.schedule_all = a != 0;
        }
        if let Some(cl) = closing {
            c.closing = cl != 0;
        }
        c.senders = senders;
        c.waiters = Waiters::from_ids(joined).map_err(too_large)?;
    }
    Ok(Value::None)
}
