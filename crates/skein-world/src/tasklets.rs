//! Tasklet attributes and methods, and the scheduling calls of module
//! `stackless`, exactly as docs/stackless.md's run-queue, life-cycle and
//! kill/throw sections say.

use std::sync::Arc;

use skein_vm::{HostResult, Kind, KwArgs, Value, errors};

use crate::components::{Parked, Suspension, TaskletState, Wait};
use crate::host_args::{answer, check_args, error_kind, int_or_bool, to_error};
use crate::world_host::{WorldHost, suspend_current};

/// `stackless.tasklet(func=None)`.
pub fn construct(host: &mut WorldHost, args: Vec<Value>, kwargs: KwArgs) -> Result<Value, Value> {
    check_args("tasklet", &args, &kwargs, 0, 1)?;
    let func = args.into_iter().next().unwrap_or(Value::None);
    check_callable(&func)?;
    Ok(Value::Tasklet(host.spawn_tasklet(func)))
}

fn check_callable(func: &Value) -> Result<(), Value> {
    match func {
        Value::Function(_) | Value::None => Ok(()),
        _ => Err(errors::type_error(
            "tasklet function must be a callable or None",
        )),
    }
}

const READ_ONLY: &[&str] = &[
    "alive",
    "blocked",
    "scheduled",
    "paused",
    "id",
    "is_main",
    "is_current",
    "atomic",
];

const METHODS: &[&str] = &[
    "setup",
    "bind",
    "insert",
    "remove",
    "run",
    "switch",
    "kill",
    "throw",
    "raise_exception",
];

/// `t.name`, `t.alive`, a bound method, ….
pub fn get_attr(host: &mut WorldHost, id: u64, obj: &Value, name: &str) -> Result<Value, Value> {
    let in_ring = host.sched.ring.contains(id);
    let is_main = host.sched.main == id;
    let is_current = host.sched.current == id && id != 0;
    let Some(t) = host.tasklet(id) else {
        return Err(errors::attribute_error(obj, name));
    };
    let v = match name {
        "alive" => Value::Bool(t.alive),
        "blocked" => Value::Bool(t.blocked()),
        "scheduled" => Value::Bool(in_ring || t.blocked()),
        "paused" => Value::Bool(t.alive && !in_ring && !t.blocked()),
        "id" => Value::Int(id as i64),
        "is_main" => Value::Bool(is_main),
        "is_current" => Value::Bool(is_current),
        "atomic" => Value::Bool(t.atomic),
        "block_trap" => Value::Bool(t.block_trap),
        "name" => t.name().map_or(Value::None, Value::str),
        "data" => t.data().clone(),
        "tempval" => t.tempval.clone(),
        m if METHODS.contains(&m) => Value::Method(Arc::new((obj.clone(), Arc::from(m)))),
        _ => return Err(errors::attribute_error(obj, name)),
    };
    Ok(v)
}

/// Writes `name`, `data`, `tempval` or `block_trap` in place.
pub fn with_attr_mut(
    host: &mut WorldHost,
    id: u64,
    obj: &Value,
    name: &str,
    f: &mut dyn FnMut(&mut Value) -> Result<(), Value>,
) -> Result<(), Value> {
    let Some(mut t) = host.tasklet_mut(id) else {
        return Err(errors::attribute_error(obj, name));
    };
    match name {
        "name" => {
            let mut v = t.name().map_or(Value::None, Value::str);
            f(&mut v)?;
            let name = match v {
                Value::None => None,
                Value::Str(s) => Some(s.to_string()),
                _ => return Err(errors::type_error("tasklet name must be a str or None")),
            };
            t.set_name(name);
        }
        "data" => {
            // Taken out, not cloned, so `t.data["k"] = v` mutates in place.
            let mut v = t.take_data();
            let r = f(&mut v);
            if matches!(v, Value::Dict(_)) {
                t.set_data(v);
                r?;
            } else {
                r?;
                return Err(errors::type_error("tasklet data must be a dict"));
            }
        }
        "tempval" => {
            let mut v = std::mem::replace(&mut t.tempval, Value::None);
            let r = f(&mut v);
            t.tempval = v;
            r?;
        }
        "block_trap" => {
            let mut v = Value::Bool(t.block_trap);
            f(&mut v)?;
            match int_or_bool(&v) {
                Some(i) => t.block_trap = i != 0,
                None => {
                    return Err(errors::type_error(
                        "block_trap must be set to a bool or integer",
                    ));
                }
            }
        }
        n if READ_ONLY.contains(&n) => {
            return Err(errors::error(
                Kind::AttributeError,
                format!("attribute '{n}' of 'tasklet' objects is not writable"),
            ));
        }
        _ => return Err(errors::attribute_error(obj, name)),
    }
    Ok(())
}

/// `t.setup(…)`, `t.run()`, ….
pub fn call_method(
    host: &mut WorldHost,
    id: u64,
    recv: &Value,
    name: &str,
    args: Vec<Value>,
    kwargs: KwArgs,
) -> HostResult {
    let r = match name {
        "setup" => return answer(setup(host, id, args, kwargs)),
        "bind" => check_args("bind", &args, &kwargs, 1, 1).and_then(|()| {
            let func = args.into_iter().next().unwrap_or(Value::None);
            bind(host, id, func)
        }),
        "insert" => check_args("insert", &args, &kwargs, 0, 0).and_then(|()| insert(host, id)),
        "remove" => check_args("remove", &args, &kwargs, 0, 0).and_then(|()| remove(host, id)),
        "run" => match check_args("run", &args, &kwargs, 0, 0) {
            Ok(()) => return run(host, id, false),
            Err(e) => Err(e),
        },
        "switch" => match check_args("switch", &args, &kwargs, 0, 0) {
            Ok(()) => return run(host, id, true),
            Err(e) => Err(e),
        },
        "kill" => match pending_arg("kill", args, kwargs, 0) {
            Ok((_, pending)) => return kill(host, id, pending),
            Err(e) => Err(e),
        },
        "throw" => match pending_arg("throw", args, kwargs, 1) {
            Ok((mut a, pending)) => match to_error(a.remove(0), Vec::new()) {
                Ok(err) => return throw(host, id, err, pending),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        },
        "raise_exception" => {
            if !kwargs.is_empty() || args.is_empty() {
                Err(errors::type_error(
                    "raise_exception() takes at least 1 argument",
                ))
            } else {
                let mut args = args;
                let kind = args.remove(0);
                match kind {
                    Value::Type(skein_vm::TypeTag::Kind(_)) => match to_error(kind, args) {
                        Ok(err) => return throw(host, id, err, false),
                        Err(e) => Err(e),
                    },
                    _ => Err(errors::type_error(
                        "exceptions must derive from BaseException",
                    )),
                }
            }
        }
        _ => Err(errors::attribute_error(recv, name)),
    };
    answer(r)
}

/// `(positional args, pending)` for `kill([pending])` / `throw(exc[, pending])`.
fn pending_arg(
    name: &str,
    mut args: Vec<Value>,
    kwargs: KwArgs,
    npos: usize,
) -> Result<(Vec<Value>, bool), Value> {
    let mut pending = None;
    for (k, v) in kwargs {
        if &*k == "pending" && pending.is_none() {
            pending = Some(v);
        } else {
            return Err(errors::type_error(format!(
                "{name}() got an unexpected keyword argument '{k}'"
            )));
        }
    }
    if args.len() < npos || args.len() > npos + 1 || (args.len() == npos + 1 && pending.is_some()) {
        return Err(errors::type_error(format!(
            "{name}() takes {} arguments ({} given)",
            if npos == 0 { "at most 1" } else { "1 or 2" },
            args.len()
        )));
    }
    if args.len() == npos + 1 {
        pending = args.pop();
    }
    Ok((args, pending.is_some_and(|v| skein_vm::ops::truthy(&v))))
}

/// `t(args…)` / `t.setup(args…)`: binds the arguments and inserts at the tail.
pub fn setup(
    host: &mut WorldHost,
    id: u64,
    args: Vec<Value>,
    kwargs: KwArgs,
) -> Result<Value, Value> {
    let Some(t) = host.tasklet(id) else {
        return Err(errors::runtime_error("no such tasklet"));
    };
    if t.alive {
        return Err(errors::runtime_error("tasklet is alive"));
    }
    let Value::Function(func) = t.tempval else {
        return Err(errors::runtime_error(
            "the tasklet was not bound to a function",
        ));
    };
    let fiber = Arc::new(skein_vm::Fiber::new_call(&host.program, func, args, kwargs));
    let Some(e) = host.entity(id) else {
        return Err(errors::runtime_error("no such tasklet"));
    };
    // Fiber and state in one look, as a turn takes them (a held tasklet is
    // written back first); one whose fiber a game removed still starts, and
    // ends when its turn finds nothing to run.
    host.held.let_go(host.world, &mut host.look, id);
    let start = |t: &mut TaskletState| {
        t.alive = true;
        t.started = false;
        t.func = Some(func);
        t.tempval = Value::None;
        t.set_pending(None);
        t.pending_is_payload = false;
        t.suspension = Suspension::None;
        t.set_send_sequence(None);
        t.wait = Wait::None;
    };
    match host.look.turn(host.world, e) {
        Some((mut t, mut f)) => {
            f.0 = fiber;
            start(&mut t);
        }
        None => {
            if let Some(mut t) = host.tasklet_mut(id) {
                start(&mut t);
            }
        }
    }
    host.sched.ring.insert_tail(id);
    Ok(Value::Tasklet(id))
}

/// `t.bind(func)`: a not-scheduled, not-current tasklet forgets its frames
/// and is bound to `func` (or unbound by `None`).
pub fn bind(host: &mut WorldHost, id: u64, func: Value) -> Result<Value, Value> {
    check_callable(&func)?;
    if host.sched.current == id {
        return Err(errors::runtime_error("can't (re)bind the current tasklet"));
    }
    let in_ring = host.sched.ring.contains(id);
    let Some(t) = host.tasklet(id) else {
        return Err(errors::runtime_error("no such tasklet"));
    };
    if in_ring || t.blocked() {
        return Err(errors::runtime_error("tasklet is scheduled"));
    }
    if host.sched.main == id && func == Value::None {
        return Err(errors::runtime_error("can't unbind the main tasklet"));
    }
    if let Some(mut f) = host.fiber_mut(id) {
        f.0 = crate::components::empty_fiber();
    }
    if let Some(mut t) = host.tasklet_mut(id) {
        t.alive = false;
        t.started = false;
        t.tempval = func;
        t.set_pending(None);
        t.pending_is_payload = false;
        t.suspension = Suspension::None;
        t.set_send_sequence(None);
    }
    Ok(Value::Tasklet(id))
}

/// Errors of `insert`/`run`/`switch` on a blocked or dead tasklet.
fn check_runnable(host: &WorldHost, id: u64) -> Result<(), Value> {
    let Some(t) = host.tasklet(id) else {
        return Err(errors::runtime_error("no such tasklet"));
    };
    if t.blocked() {
        return Err(errors::runtime_error("You cannot run a blocked tasklet"));
    }
    if !t.alive {
        return Err(errors::runtime_error(
            "You cannot run an unbound(dead) tasklet",
        ));
    }
    Ok(())
}

/// `t.insert()`: puts a runnable tasklet at the tail of the ring.
pub fn insert(host: &mut WorldHost, id: u64) -> Result<Value, Value> {
    check_runnable(host, id)?;
    host.sched.ring.insert_tail(id);
    Ok(Value::Tasklet(id))
}

/// `t.remove()`: takes a tasklet out of the ring; it stays alive, paused.
pub fn remove(host: &mut WorldHost, id: u64) -> Result<Value, Value> {
    let Some(t) = host.tasklet(id) else {
        return Err(errors::runtime_error("no such tasklet"));
    };
    if t.blocked() {
        return Err(errors::runtime_error(
            "You cannot remove a blocked tasklet.",
        ));
    }
    if host.sched.current == id {
        return Err(errors::runtime_error(
            "The current tasklet cannot be removed.",
        ));
    }
    host.sched.ring.remove(id);
    Ok(Value::Tasklet(id))
}

/// `t.run()` (`switch` false) or `t.switch()`: `t` becomes the head; the
/// caller keeps its place, or leaves the ring for `switch`.
pub fn run(host: &mut WorldHost, id: u64, switch: bool) -> HostResult {
    let cur = host.sched.current;
    if let Err(e) = check_runnable(host, id) {
        return HostResult::Raise(e);
    }
    if id == cur {
        return HostResult::Return(Value::None);
    }
    host.sched.ring.insert_tail(id);
    host.sched.ring.set_head(id);
    if switch {
        host.sched.ring.remove(cur);
    }
    suspend_current(host, Suspension::Schedule);
    HostResult::Suspend
}

/// `t.kill(pending)`: `throw(TaskletExit)` if `t` is alive.
pub fn kill(host: &mut WorldHost, id: u64, pending: bool) -> HostResult {
    if !host.tasklet(id).is_some_and(|t| t.alive) {
        return HostResult::Return(Value::None);
    }
    let err = match to_error(
        Value::Type(skein_vm::TypeTag::Kind(Kind::TaskletExit)),
        Vec::new(),
    ) {
        Ok(e) => e,
        Err(e) => return HostResult::Raise(e),
    };
    throw(host, id, err, pending)
}

/// `t.throw(err, pending)` (docs/stackless.md, "Kill and throw").
pub fn throw(host: &mut WorldHost, id: u64, err: Value, pending: bool) -> HostResult {
    let cur = host.sched.current;
    if id == cur && cur != 0 {
        return HostResult::Raise(err);
    }
    let Some(t) = host.tasklet(id) else {
        return HostResult::Raise(errors::runtime_error("no such tasklet"));
    };
    if !t.alive {
        return if error_kind(&err) == Some(Kind::TaskletExit) {
            HostResult::Return(Value::None)
        } else {
            HostResult::Raise(errors::runtime_error("You cannot throw to a dead tasklet"))
        };
    }
    // Waiting on a channel of another shard: the home decides.
    if let Some(r) = crate::remote::cancel(host, id, &err) {
        return r;
    }
    host.unblock(id);
    if let Some(mut t) = host.tasklet_mut(id) {
        t.set_pending(Some(err));
        t.pending_is_payload = false;
    }
    host.sched.ring.insert_tail(id);
    if pending || cur == 0 {
        return HostResult::Return(Value::None);
    }
    host.sched.ring.set_head(id);
    suspend_current(host, Suspension::Nothing);
    HostResult::Suspend
}

/// `stackless.schedule(v)` (`remove` false) or `schedule_remove(v)`.
pub fn schedule(host: &mut WorldHost, value: Option<Value>, remove: bool) -> HostResult {
    let cur = host.sched.current;
    let v = value.unwrap_or(Value::Tasklet(cur));
    host.park_current(Parked::Schedule {
        value: v,
        yielded: !remove,
    });
    if remove {
        host.sched.ring.remove(cur);
    } else {
        host.sched.ring.advance();
    }
    HostResult::Suspend
}

/// `stackless.run()`: main pauses until main's fallback puts it back.
pub fn stackless_run(host: &mut WorldHost) -> HostResult {
    let cur = host.sched.current;
    if cur != host.sched.main {
        return HostResult::Raise(errors::runtime_error(
            "run() must be called from the main tasklet",
        ));
    }
    host.sched.ring.remove(cur);
    suspend_current(host, Suspension::Nothing);
    HostResult::Suspend
}

/// `sim.sleep(n)`.
pub fn sleep(host: &mut WorldHost, n: &Value) -> HostResult {
    let n = match n {
        Value::Int(i) => *i,
        Value::Bool(b) => *b as i64,
        other => {
            return HostResult::Raise(errors::type_error(format!(
                "sleep() argument must be an int, not '{}'",
                skein_vm::format::type_name(other)
            )));
        }
    };
    if n < 0 {
        return HostResult::Raise(errors::value_error("sleep length must be non-negative"));
    }
    let cur = host.sched.current;
    let tick = host.sched.tick;
    if n == 0 {
        host.park_current(Parked::Yield);
        host.sched.ring.advance();
        return HostResult::Suspend;
    }
    let until = tick.saturating_add(n as u64);
    let Some(seq) = host.sched.sleepers.insert_next(until, cur) else {
        return HostResult::Raise(errors::runtime_error(format!(
            "too many sleeps into tick {until}: its sleepers' order numbers ran out"
        )));
    };
    host.park_current(Parked::Sleep { until, seq });
    host.sched.ring.remove(cur);
    HostResult::Suspend
}

/// Whether `t` is alive, not in the ring and not blocked.
pub fn is_paused(host: &WorldHost, t: &TaskletState) -> bool {
    t.alive && !host.sched.ring.contains(t.id) && !t.blocked()
}
