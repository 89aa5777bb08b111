//! The components of tasklet and channel entities (docs/rust-api.md, "Tasklets and channels from Rust").
//!
//! A tasklet is a [`TaskletState`] (status, name, data, tempval, pending
//! error, what it waits on, where its fiber is suspended) plus its fiber in
//! a [`TaskletFiber`] of its own, so the scheduler can take the fiber out
//! while it steps it and still hand the rest of the world to the host. A
//! channel is a [`ChannelState`]. A game puts its own components beside them.

use std::collections::VecDeque;
use std::sync::Arc;

use bevy_ecs::component::Component;
use serde::{Deserialize, Serialize};
use skein_script::bytecode::FuncRef;
use skein_vm::{Fiber, Value};

/// What a tasklet is blocked on. `None` for a tasklet that is runnable,
/// paused, unstarted or dead; anything else makes it `blocked` (and
/// `scheduled`, as docs/stackless.md's table says).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Wait {
    #[default]
    /// Not waiting on anything.
    None,
    /// A member of the channel's waiters. A sender's value is its tempval.
    Channel {
        /// The channel's id.
        channel: u64,
        /// Waiting to send (else to receive).
        sending: bool,
    },
    /// Wakes at the start of tick `until`; `seq` orders sleepers of one tick.
    Sleep {
        /// The tick at whose start it wakes.
        until: u64,
        /// Orders the sleepers that wake in the same tick (numbered per
        /// tick, so a `u32` keeps this enum at 16 bytes).
        seq: u32,
    },
    /// Parked in a blocking native until the host completes the request
    /// (boxed: rare, and it would triple the size of every tasklet's wait).
    Native(Box<NativeRequest>),
}

/// A blocking native call as plain data: what the host must serve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NativeRequest {
    /// Per-world request number, so a stale completion is recognised.
    pub request: u64,
    /// The native's module, as the script named it.
    pub module: String,
    /// The native's name within its module.
    pub name: String,
    /// The arguments of the call.
    pub args: Vec<Value>,
}

/// A `send_sequence` in progress: the channel, the items (a list) and the
/// next index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendSequence {
    /// The channel the items go to.
    pub channel: u64,
    /// The items to send: a list.
    pub items: Value,
    /// The index of the next item to send.
    pub next: usize,
}

/// Where a waiting fiber is suspended: which host call it is inside, so the
/// scheduler knows what the call returns when the tasklet runs again.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Suspension {
    /// Not inside a host call: new, preempted, or not alive.
    #[default]
    None,
    /// `schedule`, `schedule_remove`, `run`, `switch`: returns the tempval.
    Schedule,
    /// `kill`/`throw` of another tasklet, `sim.sleep`, `stackless.run()`:
    /// returns `None`.
    Nothing,
    /// `send`/`send_exception`: returns the tempval (its own unsent value if
    /// resumed without a meeting, else `None`).
    Send {
        /// `send_exception` (else `send`).
        exception: bool,
    },
    /// `send_sequence`: its progress is kept beside the state's other rare
    /// attributes ([`TaskletState::send_sequence`]), so a suspension is two
    /// bytes and not a box's sixteen in every tasklet.
    SendSequence,
    /// `receive()` or a `for` loop over a channel: returns the tempval.
    Receive {
        /// A step of a `for` loop over the channel (else `receive()`).
        iterating: bool,
    },
    /// A blocking native: returns what the host completed it with (the tempval).
    Native,
}

impl Suspension {
    /// Suspended in a send of any form (for `setstate`).
    pub fn is_send(&self) -> bool {
        matches!(self, Suspension::Send { .. } | Suspension::SendSequence)
    }

    /// Suspended in a `receive` or in a `for` loop over a channel.
    pub fn is_receive(&self) -> bool {
        matches!(self, Suspension::Receive { .. })
    }
}

/// One shared empty dict: every new tasklet's `data` starts as a clone of
/// it (copy-on-write), so a million tasklets do not hold a million dicts.
pub fn empty_dict() -> Value {
    empty_dict_ref().clone()
}

fn empty_dict_ref() -> &'static Value {
    static EMPTY: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Value::dict(Default::default()))
}

/// A tasklet's status and Stackless attributes.
///
/// The fields the scheduler reads on every turn are inline; `name`, `data`,
/// a pending error and a `send_sequence`'s progress, which most tasklets
/// never have, live in a box that only a tasklet with one of them allocates
/// — shared copy-on-write, so a snapshot's copy of a named tasklet's state
/// is a count, not an allocation and a copy of its name —
/// (read and set them through [`TaskletState::name`],
/// [`TaskletState::data`], [`TaskletState::pending`],
/// [`TaskletState::send_sequence`] and their setters). A million blocked
/// tasklets then hold a million 80-byte states, not 160-byte ones
/// (docs/architecture.md, "What a tasklet costs").
#[derive(Component, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskletState {
    /// Stable id from the world's counter (main is 1).
    pub id: u64,
    /// The transfer slot (docs/stackless.md, "tempval"). For a bound,
    /// unstarted tasklet it holds the function.
    pub tempval: Value,
    /// The pending value is the payload of a blocked `send_exception`, not
    /// an error to raise.
    pub pending_is_payload: bool,
    /// Has frames: set up and not yet ended.
    pub alive: bool,
    /// Has executed (or been entered for) at least once since setup.
    pub started: bool,
    /// `t.block_trap`: a channel operation that would block raises instead.
    pub block_trap: bool,
    /// `t.atomic`: the tasklet is not preempted by the instruction budget.
    pub atomic: bool,
    /// What it is blocked on, if anything.
    pub wait: Wait,
    /// Which host call its fiber is suspended in.
    pub suspension: Suspension,
    /// The function it was set up with, for the one-entry traceback of an
    /// error thrown into a tasklet that never ran.
    pub func: Option<FuncRef>,
    /// It yielded in the tick `budget_tick` names (a flag rather than a
    /// tick of its own: a tasklet that yields has run, so that tick is the
    /// one `budget_tick` already holds; read it with
    /// [`TaskletState::yielded_in`]).
    pub yielded: bool,
    /// `tick + 1` of the tick `budget_used` counts in.
    pub budget_tick: u64,
    /// Instructions run in the tick `budget_tick` names.
    pub budget_used: u64,
    /// `name`, `data`, `pending` and a `send_sequence`'s progress, when any
    /// is set.
    cold: Option<Arc<Cold>>,
}

/// The attributes few tasklets set, boxed out of [`TaskletState`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct Cold {
    name: Option<String>,
    /// `None`: the shared empty dict.
    data: Option<Value>,
    pending: Option<Value>,
    /// Set while `suspension` is `SendSequence`.
    send_sequence: Option<SendSequence>,
}

impl Cold {
    fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.data.is_none()
            && self.pending.is_none()
            && self.send_sequence.is_none()
    }
}

impl TaskletState {
    /// A fresh, unbound tasklet with id `id`.
    pub fn new(id: u64) -> Self {
        TaskletState {
            id,
            tempval: Value::None,
            pending_is_payload: false,
            alive: false,
            started: false,
            block_trap: false,
            atomic: false,
            wait: Wait::None,
            suspension: Suspension::None,
            func: None,
            yielded: false,
            budget_tick: 0,
            budget_used: 0,
            cold: None,
        }
    }

    /// Whether it yielded in tick `tick` (and so runs no more in it).
    pub fn yielded_in(&self, tick: u64) -> bool {
        self.yielded && self.budget_tick == tick + 1
    }

    /// It yielded in tick `tick`.
    pub fn mark_yielded(&mut self, tick: u64) {
        self.start_budget(tick);
        self.yielded = true;
    }

    /// Starts counting its instructions in tick `tick`, unless it already
    /// runs in it: the budget used and the yield of an earlier tick are
    /// forgotten.
    pub fn start_budget(&mut self, tick: u64) {
        if self.budget_tick != tick + 1 {
            self.budget_tick = tick + 1;
            self.budget_used = 0;
            self.yielded = false;
        }
    }

    /// Whether it waits on a channel, a sleep or a native.
    pub fn blocked(&self) -> bool {
        self.wait != Wait::None
    }

    /// `t.name`: `None` prints as `<tasklet #ID>`.
    pub fn name(&self) -> Option<&str> {
        self.cold.as_ref()?.name.as_deref()
    }

    /// Sets `t.name`.
    pub fn set_name(&mut self, name: Option<String>) {
        self.edit_cold(|c| c.name = name);
    }

    /// `t.data`: a dict (an empty one unless set).
    pub fn data(&self) -> &Value {
        match self.cold.as_ref().and_then(|c| c.data.as_ref()) {
            Some(d) => d,
            None => empty_dict_ref(),
        }
    }

    /// Takes `t.data` out (to change it in place), leaving an empty dict.
    pub fn take_data(&mut self) -> Value {
        if self.cold.as_ref().is_none_or(|c| c.data.is_none()) {
            return empty_dict();
        }
        let mut taken = None;
        self.edit_cold(|c| taken = c.data.take());
        taken.unwrap_or_else(empty_dict)
    }

    /// Sets `t.data`. An empty dict is kept as the shared one: dicts have
    /// no identity, so nothing can tell them apart.
    pub fn set_data(&mut self, data: Value) {
        let empty = matches!(&data, Value::Dict(d) if d.map.is_empty());
        self.edit_cold(|c| c.data = (!empty).then_some(data));
    }

    /// An error to raise when the tasklet next runs, or the payload of a
    /// blocked `send_exception` (then `pending_is_payload`).
    pub fn pending(&self) -> Option<&Value> {
        self.cold.as_ref()?.pending.as_ref()
    }

    /// Takes the pending error or payload out.
    #[inline]
    pub fn take_pending(&mut self) -> Option<Value> {
        self.take_cold(|c| c.pending.is_some(), |c| &mut c.pending)
    }

    /// Sets (or clears) the pending error or payload.
    #[inline]
    pub fn set_pending(&mut self, pending: Option<Value>) {
        self.set_cold(|c| c.pending.is_some(), |c| &mut c.pending, pending);
    }

    /// The progress of the `send_sequence` the tasklet is suspended in
    /// (with `suspension` `SendSequence`).
    pub fn send_sequence(&self) -> Option<&SendSequence> {
        self.cold.as_ref()?.send_sequence.as_ref()
    }

    /// Takes the `send_sequence` progress out.
    #[inline]
    pub fn take_send_sequence(&mut self) -> Option<SendSequence> {
        self.take_cold(|c| c.send_sequence.is_some(), |c| &mut c.send_sequence)
    }

    /// Sets (or clears) the `send_sequence` progress.
    #[inline]
    pub fn set_send_sequence(&mut self, progress: Option<SendSequence>) {
        self.set_cold(
            |c| c.send_sequence.is_some(),
            |c| &mut c.send_sequence,
            progress,
        );
    }

    /// Takes one boxed attribute out (`is_set` tells whether it is there),
    /// touching no box when it is unset: a box a snapshot shares is copied
    /// only for a real change.
    #[inline]
    fn take_cold<T>(
        &mut self,
        is_set: impl Fn(&Cold) -> bool,
        field: impl Fn(&mut Cold) -> &mut Option<T>,
    ) -> Option<T> {
        let mut taken = None;
        if self.cold.as_deref().is_some_and(is_set) {
            self.edit_cold(|c| taken = field(c).take());
        }
        taken
    }

    /// Sets or clears one boxed attribute; clearing an unset one touches no
    /// box (and allocates none).
    #[inline]
    fn set_cold<T>(
        &mut self,
        is_set: impl Fn(&Cold) -> bool,
        field: impl FnOnce(&mut Cold) -> &mut Option<T>,
        value: Option<T>,
    ) {
        if value.is_none() && !self.cold.as_deref().is_some_and(is_set) {
            return;
        }
        self.edit_cold(|c| *field(c) = value);
    }

    /// Changes the boxed attributes, allocating the box on first use (or
    /// copying it if a snapshot shares it) and freeing it once nothing is
    /// left in it, so equal states compare equal.
    // Out of line: the turn's checks of unset attributes stay small.
    #[inline(never)]
    fn edit_cold(&mut self, f: impl FnOnce(&mut Cold)) {
        let cold = Arc::make_mut(self.cold.get_or_insert_with(Default::default));
        f(cold);
        if cold.is_empty() {
            self.cold = None;
        }
    }
}

/// A tasklet's interpreter state, shared copy-on-write: an autosave's
/// snapshot holds the same `Arc`, and the scheduler copies a fiber
/// (`Arc::make_mut`) only when it runs one that a snapshot still holds.
/// Taken out of the entity while the scheduler steps it.
#[derive(Component, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskletFiber(pub Arc<Fiber>);

impl TaskletFiber {
    /// Wraps `fiber`, not shared with anything yet.
    pub fn new(fiber: Fiber) -> Self {
        TaskletFiber(Arc::new(fiber))
    }
}

impl Default for TaskletFiber {
    fn default() -> Self {
        TaskletFiber(empty_fiber())
    }
}

/// One shared fiber with no frames, the state of every unbound or ended
/// tasklet, so taking a fiber out and ending a tasklet allocate nothing.
pub fn empty_fiber() -> Arc<Fiber> {
    static EMPTY: std::sync::OnceLock<Arc<Fiber>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::new(Fiber::default())).clone()
}

/// A channel: its flags and its waiters in blocking order.
#[derive(Component, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelState {
    /// Stable id from the world's counter.
    pub id: u64,
    /// -1, 0 or 1.
    pub preference: i8,
    /// `ch.schedule_all`: every operation reschedules, whatever the preference.
    pub schedule_all: bool,
    /// `ch.close()` was called: once empty, it is closed.
    pub closing: bool,
    /// Tasklet ids, first to meet first. All wait the same way.
    pub waiters: Waiters,
    /// The waiters are senders (else receivers).
    pub senders: bool,
}

/// A channel's waiting tasklets' ids, first to meet first, held as `u32`s:
/// a million tasklets blocked on channels hold 4 MB here, not 8. Every id
/// indexes the run ring's table, which could not hold 2^32 slots, so a
/// world's ids fit; a larger one is refused ([`Waiters::push_back`] says
/// so and its callers raise), never cut short. Its serde form is the plain
/// sequence of ids.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Waiters(VecDeque<u32>);

impl Waiters {
    /// Puts `id` last; `false` (and nothing done) for an id past `u32`.
    #[must_use]
    pub fn push_back(&mut self, id: u64) -> bool {
        match u32::try_from(id) {
            Ok(w) => {
                self.0.push_back(w);
                true
            }
            Err(_) => false,
        }
    }

    /// Waiters from ids in order; the first id past `u32` if there is one.
    pub fn from_ids(ids: impl IntoIterator<Item = u64>) -> Result<Waiters, u64> {
        ids.into_iter()
            .map(|id| u32::try_from(id).map_err(|_| id))
            .collect::<Result<VecDeque<u32>, u64>>()
            .map(Waiters)
    }

    /// Takes the first waiter off.
    pub fn pop_front(&mut self) -> Option<u64> {
        self.0.pop_front().map(u64::from)
    }

    /// Takes the last waiter off.
    pub fn pop_back(&mut self) -> Option<u64> {
        self.0.pop_back().map(u64::from)
    }

    /// The first waiter.
    pub fn front(&self) -> Option<u64> {
        self.0.front().copied().map(u64::from)
    }

    /// The last waiter.
    pub fn back(&self) -> Option<u64> {
        self.0.back().copied().map(u64::from)
    }

    /// The ids, first to meet first.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        self.0.iter().map(|&w| u64::from(w))
    }

    /// Takes `id` out wherever it waits; whether it was there.
    pub fn remove_id(&mut self, id: u64) -> bool {
        match self.0.iter().position(|&w| u64::from(w) == id) {
            Some(pos) => self.0.remove(pos).is_some(),
            None => false,
        }
    }

    /// Takes every waiter off, in order.
    pub fn take_all(&mut self) -> Vec<u64> {
        self.0.drain(..).map(u64::from).collect()
    }

    /// How many wait.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Nobody waits.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl ChannelState {
    /// A fresh, open channel with id `id` and no waiters.
    pub fn new(id: u64) -> Self {
        ChannelState {
            id,
            preference: -1,
            schedule_all: false,
            closing: false,
            waiters: Waiters::default(),
            senders: false,
        }
    }

    /// ± the number of waiters: positive for senders.
    pub fn balance(&self) -> i64 {
        let n = self.waiters.len() as i64;
        if self.senders { n } else { -n }
    }

    /// `closing` and nobody waiting.
    pub fn closed(&self) -> bool {
        self.closing && self.waiters.is_empty()
    }
}

/// What `schedule()` or `sim.sleep()` changes in the tasklet it suspends.
/// Nothing reads the running tasklet's own state between such a call and
/// the end of its turn, so the change is written then, in the same look at
/// the entity that puts the fiber back.
#[derive(Debug, Clone)]
pub enum Parked {
    /// `schedule(value)` (`yielded`: not `schedule_remove`).
    Schedule {
        /// What the call returns when the tasklet runs again.
        value: Value,
        /// It yielded this tick.
        yielded: bool,
    },
    /// `sim.sleep(0)`: yielded, to run again next tick.
    Yield,
    /// `sim.sleep(n)`: asleep until tick `until`, `seq` among that tick's.
    Sleep {
        /// The tick it wakes in.
        until: u64,
        /// Its order among that tick's sleepers.
        seq: u32,
    },
}

impl Parked {
    /// Writes the change into the tasklet's state; `tick` is the running tick.
    pub fn apply(self, t: &mut TaskletState, tick: u64) {
        match self {
            Parked::Schedule { value, yielded } => {
                t.tempval = value;
                t.suspension = Suspension::Schedule;
                if yielded {
                    t.mark_yielded(tick);
                }
            }
            Parked::Yield => {
                t.mark_yielded(tick);
                t.suspension = Suspension::Nothing;
            }
            Parked::Sleep { until, seq } => {
                t.mark_yielded(tick);
                t.wait = Wait::Sleep { until, seq };
                t.suspension = Suspension::Nothing;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiters_keep_order_and_refuse_an_id_past_u32() {
        let mut w = Waiters::default();
        assert!(w.push_back(7));
        assert!(w.push_back(u64::from(u32::MAX)));
        assert!(w.push_back(3));
        // Refused, not cut to 0 and queued.
        assert!(!w.push_back(u64::from(u32::MAX) + 1));
        assert_eq!(w.iter().collect::<Vec<_>>(), [7, u64::from(u32::MAX), 3]);
        assert!(w.remove_id(u64::from(u32::MAX)));
        assert!(!w.remove_id(9));
        assert_eq!((w.front(), w.back(), w.len()), (Some(7), Some(3), 2));
        assert_eq!(
            Waiters::from_ids([1, 2, 1 << 32, 3]),
            Err(1 << 32),
            "the first id past u32 is named"
        );
        let mut again = Waiters::from_ids([7, 3]).expect("small ids");
        assert_eq!(again, w);
        assert_eq!(again.take_all(), [7, 3]);
        assert!(again.is_empty());
        // The serde form is the plain list of ids.
        assert_eq!(ron::to_string(&w).expect("serializes"), "[7,3]");
    }

    #[test]
    fn the_boxed_attributes_read_back_and_free_their_box_when_cleared() {
        let fresh = TaskletState::new(7);
        let mut t = fresh.clone();
        assert_eq!((t.name(), t.pending()), (None, None));
        assert_eq!(t.data(), &empty_dict());
        t.set_name(Some("ada".into()));
        t.set_pending(Some(Value::Int(3)));
        let mut d = Value::dict(Default::default());
        if let Value::Dict(m) = &mut d {
            let _ = std::sync::Arc::make_mut(m).insert(Value::str("hp"), Value::Int(9));
        }
        t.set_data(d.clone());
        assert_eq!(t.name(), Some("ada"));
        assert_eq!(t.pending(), Some(&Value::Int(3)));
        assert_eq!(t.data(), &d);
        assert_ne!(t, fresh);
        assert_eq!(t.take_pending(), Some(Value::Int(3)));
        assert_eq!(t.take_pending(), None);
        assert_eq!(t.take_data(), d);
        assert_eq!(t.data(), &empty_dict());
        t.set_name(None);
        // Nothing left in the box: it is gone, and the state is a fresh one.
        assert_eq!(t, fresh);
        // An empty dict is kept as the shared one.
        t.set_data(Value::dict(Default::default()));
        assert_eq!(t, fresh);
    }
}
