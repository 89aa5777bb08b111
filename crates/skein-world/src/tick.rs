//! The scheduler system: one tick of docs/stackless.md's "Ticks and the budget".
//!
//! First the tasklets whose native requests were completed are appended to
//! the ring, then the sleepers due this tick; then the ring runs in
//! Stackless order. A tasklet runs until a host call suspends it (the call
//! has already rearranged the ring), it ends, or its budget for the tick is
//! spent (it is preempted: it goes last, as if it had called `schedule()`).
//! The tick ends when the ring is empty after main's fallback, or when the
//! tasklet at the head has already yielded this tick.

use std::sync::Arc;

use bevy_ecs::world::World;
use skein_vm::value::TraceEntry;
use skein_vm::{Fiber, HostResult, Kind, Step, Value, Vm, errors};

use crate::components::{Suspension, TaskletFiber, TaskletState, Wait, empty_fiber};
use crate::host_args::{as_error, error_kind};
use crate::resources::{Output, Scheduler, ScriptGlobals, WorldOptions};
use crate::spans::{SliceSpan, TickSpan};
use crate::world_host::WorldHost;

/// Atomic stretches may run this many budgets before `RuntimeError`.
const ATOMIC_BUDGETS: u32 = 100;

/// What one tasklet's turn counts toward `tick_budget`, in instructions,
/// besides the instructions it runs. A turn (finding the tasklet, its
/// fiber and state, the host call that ends it) costs the CPU time of
/// over a thousand simple instructions in a 100k-NPC world (BENCHMARKS.md,
/// "Issue 10, third step"); counting turns as nothing let a tick of many
/// short turns (the village at noon: ~6 500 turns of ~40 instructions)
/// run 60–80 ms under a 2M bound it never reached.
pub const TURN_INSTRUCTIONS: u64 = 1500;

/// What creating a tasklet or a channel counts toward `tick_budget`, in
/// instructions, besides the instructions of the call: an entity spawned
/// and its id slot, ~3 µs at 100k NPCs, where the village's set-up ran
/// 28 000 spawns (92 ms) in 1.4M instructions.
pub const SPAWN_INSTRUCTIONS: u64 = 500;

/// The scheduler system: runs one tick. Add it to a schedule in
/// [`SkeinSystems::Run`](crate::SkeinSystems), or let [`Simulation`](crate::Simulation) do it.
pub fn run_tick(world: &mut World) {
    if !world.contains_resource::<Scheduler>() {
        return;
    }
    let mut globals = std::mem::take(&mut world.resource_mut::<ScriptGlobals>().0);
    let opts = world.resource::<WorldOptions>();
    let (budget, tick_budget, limits) = (opts.budget, opts.tick_budget, opts.limits);
    let mut host = WorldHost::over(world);
    let program = host.program.clone();
    // The empty fiber a running tasklet's component holds meanwhile: one
    // per tick, handed back and forth, so a switch costs no reference count.
    let mut spare = Some(empty_fiber());
    host.sched.in_tick = true;
    // Spawns between ticks (set-up, hot reload) count toward no tick.
    host.sched.spawned = 0;
    let tick_span = TickSpan::begin(&host);
    let in_tick = tick_span.span().enter();
    wake(&mut host);
    // Instructions run by all tasklets this tick, for `--tick-budget`.
    let mut tick_used = 0u64;
    // One for the whole tick: it keeps the frame buffer the fibers share.
    let mut vm = Vm::new(&program, &mut globals, limits);
    loop {
        if host.sched.ring.is_empty() && !main_fallback(&mut host) {
            break;
        }
        let Some(id) = host.sched.ring.head() else {
            break;
        };
        // The whole tick's bound: the next tasklet stays at the head, as if
        // it had already yielded, and the ring goes on from it next tick.
        if tick_budget != 0 && tick_used >= tick_budget {
            break;
        }
        // Slices are traced only inside a traced tick: an untraced run
        // pays one branch per slice, not a span. A head that has already
        // yielded runs nothing (the tick ends), so it gets no slice.
        let yielded = |host: &WorldHost| {
            host.tasklet(id)
                .is_some_and(|t| t.yielded_in(host.sched.tick))
        };
        let ran = if tick_span.traced() && !yielded(&host) {
            let slice = SliceSpan::begin(&host, id);
            let _in_slice = slice.span().enter();
            let ran = run_slice(&mut host, &mut vm, &mut spare, id, budget);
            slice.end(&host);
            ran
        } else {
            run_slice(&mut host, &mut vm, &mut spare, id, budget)
        };
        match ran {
            Some(n) => {
                let spawns = std::mem::take(&mut host.sched.spawned);
                tick_used = tick_used
                    .saturating_add(n)
                    .saturating_add(TURN_INSTRUCTIONS)
                    .saturating_add(spawns.saturating_mul(SPAWN_INSTRUCTIONS));
            }
            None => break,
        }
    }
    drop(vm);
    tick_span.end(&host);
    drop(in_tick);
    host.sched.current = 0;
    host.sched.tick += 1;
    host.sched.in_tick = false;
    host.sched.counts.ticks += 1;
    tracing::debug!(
        tick = host.sched.tick - 1,
        runnable = host.sched.ring.len(),
        sleepers = host.sched.sleepers.len(),
        switches = host.sched.counts.switches,
        "tick ended"
    );
    host.release().resource_mut::<ScriptGlobals>().0 = globals;
}

/// Appends the tasklets whose natives completed, then those arriving from
/// other shards, then the due sleepers.
fn wake(host: &mut WorldHost) {
    // The list is handed back emptied, with its room: a list made afresh
    // each tick was a large allocation per tick at 100k NPCs, and each one
    // made the allocator merge every small free block (`malloc_consolidate`).
    let mut done = std::mem::take(&mut host.world.resource_mut::<crate::NativeQueue>().completed);
    for (id, request, result) in done.drain(..) {
        let Some(mut t) = host.tasklet_mut(id) else {
            continue;
        };
        if !matches!(&t.wait, Wait::Native(r) if r.request == request) {
            continue;
        }
        t.wait = Wait::None;
        match result {
            Ok(v) => t.tempval = v,
            Err(e) => {
                t.set_pending(Some(as_error(e)));
                t.pending_is_payload = false;
            }
        }
        host.sched.ring.insert_tail(id);
    }
    let mut queue = host.world.resource_mut::<crate::NativeQueue>();
    if queue.completed.is_empty() {
        queue.completed = done;
    }
    crate::shard::append_arrivals(host);
    let tick = host.sched.tick;
    // The batch below writes components directly (nothing is held at the
    // start of a tick, unless a game's host call left something).
    host.flush_held();
    // Each due tick's sleepers come out as one list.
    while let Some(due) = host.sched.sleepers.take_due(tick) {
        let ring = &host.sched.ring;
        let entities = due.iter().filter_map(|&(_, id)| ring.entity(id));
        host.look
            .each_tasklet_mut(host.world, entities, |t| t.wait = Wait::None);
        for &(_, id) in &due {
            host.sched.ring.insert_tail(id);
        }
        host.sched.sleepers.recycle(due);
    }
}

/// Main's fallback (docs/stackless.md): with the ring empty and nothing
/// asleep or in a native, a paused main goes back in the ring.
fn main_fallback(host: &mut WorldHost) -> bool {
    let main = host.sched.main;
    if main == 0
        || !host.sched.sleepers.is_empty()
        || host.world.resource::<crate::NativeQueue>().pending()
    {
        return false;
    }
    let paused = host.tasklet(main).is_some_and(|t| t.alive && !t.blocked());
    if paused && !host.sched.ring.contains(main) && crate::shard::fallback_allowed(host) {
        host.sched.ring.insert_tail(main);
        return true;
    }
    false
}

/// How a tasklet's turn begins.
enum Entry {
    /// Step the fiber as it is.
    Run,
    /// Resume the host call it is suspended in with this value.
    Value(Value),
    /// Raise this error where it is.
    Error(Value),
    /// Go on with its `send_sequence`.
    Sequence {
        channel: u64,
        items: Value,
        next: usize,
    },
    /// Ended before running (killed or thrown into before it ever ran).
    Ended(Option<Value>),
}

/// Runs tasklet `id` (the head) until it suspends, ends or is preempted,
/// and says how many instructions it ran. `None` (and nothing run) if it has
/// already yielded this tick.
fn run_slice(
    host: &mut WorldHost,
    vm: &mut Vm,
    spare: &mut Option<Arc<Fiber>>,
    id: u64,
    budget: u64,
) -> Option<u64> {
    let tick = host.sched.tick;
    let Some(entity) = host.entity(id) else {
        host.sched.ring.remove(id);
        return Some(0);
    };
    // Held or not is decided once, here: a held tasklet is found by its id
    // (one that ran a short while ago is taken out of its components with
    // one look and stays held after the turn); any other runs where it is,
    // as one look at the pair, and its turn asks nothing more of the slots.
    let slot = host.held.for_turn(
        host.world,
        &mut host.look,
        &mut host.sched.copies,
        id,
        entity,
    );
    let (t, f) = match slot {
        Some(i) => {
            let s = host.held.at(i);
            if s.state.yielded_in(tick) {
                return None;
            }
            (&mut s.state, Holder::Slot(&mut s.fiber))
        }
        None => match host.look.turn(host.world, entity) {
            Some((t, f)) => {
                // A head that has already yielded is left unmarked;
                // taking the fiber out marks nothing that putting it back
                // (always, in this tick) would not.
                if t.yielded_in(tick) {
                    return None;
                }
                (t.into_inner(), Holder::World(f.into_inner()))
            }
            None => {
                // Not a tasklet (any more): it leaves the ring. One whose
                // fiber a game removed has nothing left to run: it ends.
                if host.tasklet(id).is_some() {
                    host.sched.current = id;
                    finish(host, id, None);
                } else {
                    host.sched.ring.remove(id);
                }
                return Some(0);
            }
        },
    };
    t.start_budget(tick);
    let entry = plan(t);
    let mut used = t.budget_used;
    if let Entry::Ended(err) = entry {
        host.sched.current = id;
        host.sched.counts.switches += 1;
        let err = err.map(|e| def_line_traceback(host, id, e));
        finish(host, id, err);
        return Some(0);
    }
    // A held fiber is out of its `Arc` already (no copy-on-write check per
    // turn); one in its component leaves this tick's spare empty fiber.
    let mut taken = match f {
        Holder::Slot(f) => Taken::Held(std::mem::take(f)),
        Holder::World(f) => {
            let empty = spare.take().unwrap_or_else(empty_fiber);
            Taken::Shared(std::mem::replace(&mut f.0, empty))
        }
    };
    let fiber = match &mut taken {
        Taken::Held(f) => f,
        Taken::Shared(shared) => crate::held::unshare(&mut host.sched.copies, shared),
    };
    host.sched.current = id;
    host.sched.counts.switches += 1;
    match entry {
        // A fiber left waiting with nothing recorded (a hand-edited save)
        // gets None rather than a short stack.
        Entry::Run if fiber.state == skein_vm::FiberState::Waiting => {
            fiber.resume_value(Value::None)
        }
        Entry::Run => {}
        Entry::Value(v) => fiber.resume_value(v),
        Entry::Error(e) => fiber.resume_error(e),
        Entry::Sequence {
            channel,
            items,
            next,
        } => match crate::channels::send_sequence(host, channel, items, next) {
            HostResult::Return(v) => fiber.resume_value(v),
            HostResult::Raise(e) => fiber.resume_error(e),
            _ => {
                put_fiber(host, id, entity, slot, taken, spare, None);
                return Some(0);
            }
        },
        Entry::Ended(_) => unreachable!("handled before the fiber is taken"),
    }
    let used_before = used;
    let mut atomic_chunks = 0u32;
    let mut fuel = if budget == 0 {
        u64::MAX
    } else {
        budget.saturating_sub(used)
    };
    host.sched.parking = true;
    let outcome = loop {
        let start = fuel;
        let step = skein_vm::step(vm, fiber, &mut fuel, host);
        used = used.saturating_add(start - fuel);
        host.sched.executed = host.sched.executed.wrapping_add(start - fuel);
        match step {
            Step::OutOfFuel => {
                if host.tasklet(id).is_some_and(|t| t.atomic) {
                    // Atomic: not preempted, up to ATOMIC_BUDGETS budgets.
                    atomic_chunks += 1;
                    if atomic_chunks > ATOMIC_BUDGETS {
                        atomic_chunks = 0;
                        fiber.resume_error(errors::runtime_error("atomic section too long"));
                    }
                    fuel = budget;
                    continue;
                }
                // Preempted: last in the ring, as after `schedule()`.
                if let Some(mut t) = host.tasklet_mut(id) {
                    t.mark_yielded(tick);
                }
                if host.sched.ring.head() == Some(id) {
                    host.sched.ring.advance();
                }
                break None;
            }
            Step::Suspended => break None,
            Step::Done(_) => break Some(None),
            Step::Raised(err) => break Some(Some(err)),
        }
    };
    host.sched.parking = false;
    match outcome {
        None => {
            let used = (budget != 0).then_some(used);
            put_fiber(host, id, entity, slot, taken, spare, used);
        }
        Some(err) => {
            host.sched.parked = None;
            finish(host, id, err)
        }
    }
    Some(used - used_before)
}

/// Where a turn's fiber is taken from.
enum Holder<'a> {
    /// A held tasklet's slot.
    Slot(&'a mut Fiber),
    /// Its component.
    World(&'a mut TaskletFiber),
}

/// A turn's fiber, out of where it was held.
enum Taken {
    /// From a slot: its own, stepped in place.
    Held(Fiber),
    /// From its component: maybe shared with a snapshot.
    Shared(Arc<Fiber>),
}

/// Puts a stepped fiber back (one from a component leaves its empty one as
/// the spare), and writes what its suspending call parked and the
/// instructions it has `used` of its budget this tick: into its `slot` if it
/// was held and still is (a native's turn writes it back), else in one look
/// at the entity. A tasklet not held when its turn began is not taken in
/// during it.
#[allow(clippy::too_many_arguments)]
fn put_fiber(
    host: &mut WorldHost,
    id: u64,
    entity: bevy_ecs::entity::Entity,
    slot: Option<usize>,
    taken: Taken,
    spare: &mut Option<Arc<Fiber>>,
    used: Option<u64>,
) {
    let parked = host.sched.parked.take();
    let tick = host.sched.tick;
    let shared = match taken {
        Taken::Held(fiber) => {
            if let Some(i) = slot
                && let Some(slot) = host.held.still(i, id)
            {
                if let Some(p) = parked {
                    p.apply(&mut slot.state, tick);
                }
                if let Some(used) = used {
                    slot.state.budget_used = used;
                }
                slot.fiber = fiber;
                return;
            }
            Err(fiber)
        }
        Taken::Shared(fiber) => Ok(fiber),
    };
    let put = |f: &mut TaskletFiber| match shared {
        Ok(fiber) => *spare = Some(std::mem::replace(&mut f.0, fiber)),
        Err(fiber) => crate::held::refill(&mut f.0, fiber),
    };
    if parked.is_none() && used.is_none() {
        if let Some(mut f) = host.look.fiber(host.world, entity) {
            put(&mut f);
        }
    } else if let Some((mut t, mut f)) = host.look.turn(host.world, entity) {
        if let Some(p) = parked {
            p.apply(&mut t, tick);
        }
        if let Some(used) = used {
            t.budget_used = used;
        }
        put(&mut f);
    }
}

/// What this turn starts with: the first run, a pending error, or the
/// result of the host call the tasklet is suspended in.
fn plan(t: &mut TaskletState) -> Entry {
    if !t.started {
        t.started = true;
        return match t.take_pending() {
            None => Entry::Run,
            Some(err) if error_kind(&err) == Some(Kind::TaskletExit) => Entry::Ended(None),
            Some(err) => Entry::Ended(Some(err)),
        };
    }
    let suspension = std::mem::take(&mut t.suspension);
    // Taken whatever resumes the tasklet, so an error thrown into a
    // `send_sequence` leaves no progress behind.
    let sequence = match suspension {
        Suspension::SendSequence => t.take_send_sequence(),
        _ => None,
    };
    if t.pending_is_payload {
        // A blocked exception-sender resumed without a meeting gets None.
        t.pending_is_payload = false;
        t.set_pending(None);
        return Entry::Value(Value::None);
    }
    if let Some(err) = t.take_pending() {
        return Entry::Error(err);
    }
    match suspension {
        Suspension::None => Entry::Run,
        Suspension::Nothing => Entry::Value(Value::None),
        Suspension::Schedule
        | Suspension::Send { .. }
        | Suspension::Receive { .. }
        | Suspension::Native => Entry::Value(std::mem::replace(&mut t.tempval, Value::None)),
        Suspension::SendSequence => match sequence {
            Some(s) => Entry::Sequence {
                channel: s.channel,
                items: s.items,
                next: s.next,
            },
            None => Entry::Error(errors::runtime_error(
                "send_sequence resumed without its progress",
            )),
        },
    }
}

/// An error thrown into a tasklet that never ran: one traceback entry, at
/// its `def` line.
fn def_line_traceback(host: &WorldHost, id: u64, err: Value) -> Value {
    let func = host.tasklet(id).and_then(|t| t.func);
    let mut err = as_error(err);
    if let (Value::Error(e), Some(func)) = (&mut err, func) {
        let line = host
            .program
            .modules
            .get(func.module as usize)
            .and_then(|m| m.functions.get(func.func as usize))
            .map_or(1, |f| f.def_line);
        Arc::make_mut(e).traceback = vec![TraceEntry { func, line }];
    }
    err
}

/// A tasklet ended: it leaves the ring (the next runs), and an uncaught
/// error other than `TaskletExit` is reported on the error output.
fn finish(host: &mut WorldHost, id: u64, err: Option<Value>) {
    host.sched.ring.remove(id);
    if let Some(mut t) = host.tasklet_mut(id) {
        t.alive = false;
        t.wait = Wait::None;
        t.suspension = Suspension::None;
        t.set_send_sequence(None);
        t.set_pending(None);
        t.pending_is_payload = false;
        t.tempval = Value::None;
    }
    // Its slot is better used by a tasklet that runs again.
    if !host.held.end(host.world, &mut host.look, id)
        && let Some(mut f) = host.fiber_mut(id)
    {
        f.0 = empty_fiber();
    }
    let Some(err) = err else {
        return;
    };
    if error_kind(&err) == Some(Kind::TaskletExit) {
        return;
    }
    let label = host.tasklet_label(id);
    tracing::debug!(tasklet = id, "uncaught error ends {label}");
    let program = host.program.clone();
    let text = skein_vm::traceback::render(&err, &program, host);
    let mut out = host.world.resource_mut::<Output>();
    out.errors += 1;
    out.eprint(&format!("Uncaught error in {label}:\n{text}"));
}
