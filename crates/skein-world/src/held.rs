//! The few tasklets whose state and fiber the scheduler holds out of their
//! components during a tick (docs/architecture.md, "A switch"): a channel
//! message between two tasklets reads and writes both tasklets' states
//! several times and switches between their fibers, and each of those
//! through the ECS is an entity look (~90–140 instructions: the entity's
//! location, the component's column, change ticks). A tasklet that runs
//! again a few turns after it last ran is taken in when its turn starts and
//! stays here after the turn, so its next turn, the meeting that wakes it
//! and its own `block` find it by comparing a few ids; so is a channel
//! changed again soon.
//!
//! The components stay the truth outside a tick: while a tasklet is held,
//! its components hold a blank state and the shared empty fiber, and every
//! look at a tasklet goes through [`WorldHost`](crate::world_host::WorldHost),
//! which asks here first. Everything is written back (marked changed, for
//! incremental snapshots) when a slot is needed for another tasklet, when
//! the tasklet ends, before a native sees the world, and when the host is
//! released at the end of the tick; so saves, users' queries and systems
//! never see the blanks.

use std::sync::Arc;

use bevy_ecs::change_detection::DetectChangesMut;
use bevy_ecs::entity::Entity;
use bevy_ecs::world::World;

use skein_vm::Fiber;

use crate::components::{ChannelState, TaskletState, empty_fiber};
use crate::lookups::Lookups;
use crate::resources::CowCopies;

/// How many tasklets are held at once: a two-tasklet exchange (ping-pong,
/// a producer and its consumer) and a little more; with many tasklets
/// running in turn each turn writes back the oldest, the one look at its
/// entity a turn's end made before.
const SLOTS: usize = 4;

/// A held tasklet.
pub struct Slot {
    /// Its id.
    pub id: u64,
    /// Its entity, where it is written back.
    pub entity: Entity,
    /// Its state: the component's, until written back.
    pub state: TaskletState,
    /// Its fiber: the component's, out of its `Arc` (copied first if a
    /// snapshot shared it), so a turn steps it with no copy-on-write check
    /// and no reference count. While the tasklet runs it is out being
    /// stepped and this holds an empty fiber.
    pub fiber: Fiber,
    /// The `Arc` it came in, emptied: it goes back in there, without an
    /// allocation.
    shell: Arc<Fiber>,
}

/// The held tasklets, oldest first, and the held channels.
#[derive(Default)]
pub struct Held {
    slots: Vec<Slot>,
    /// Channels changed again soon after a first change: (id, entity,
    /// state), oldest first.
    channels: Vec<(u64, Entity, ChannelState)>,
    /// The channels changed last that are not held, so that a channel used
    /// once in a tick costs one look, not a look to take it in and one to
    /// write it back.
    seen: Recent,
    /// The same for the tasklets that ran last: one that runs again soon
    /// is held; one of many running in turn (round robin, a game tick) is
    /// not, and its turn costs the two looks it did before.
    ran: Recent,
}

/// The last few ids not held, to tell one used again soon.
#[derive(Default)]
struct Recent {
    ids: [u64; SLOTS],
    next: usize,
}

impl Recent {
    /// Whether `id` is among them; if not, it is noted in place of the oldest.
    #[inline]
    fn again(&mut self, id: u64) -> bool {
        if self.ids.contains(&id) {
            return true;
        }
        self.ids[self.next] = id;
        self.next = (self.next + 1) % SLOTS;
        false
    }
}

impl Held {
    /// Where tasklet `id` is held.
    #[inline]
    pub fn find(&self, id: u64) -> Option<usize> {
        self.slots.iter().position(|s| s.id == id)
    }

    /// Held tasklet `id`.
    #[inline]
    pub fn get(&self, id: u64) -> Option<&Slot> {
        self.slots.iter().find(|s| s.id == id)
    }

    /// Held tasklet `id`, to change.
    #[inline]
    pub fn get_mut(&mut self, id: u64) -> Option<&mut Slot> {
        self.slots.iter_mut().find(|s| s.id == id)
    }

    /// Held tasklet `id`, found where it was at `i` unless a slot was
    /// written back since.
    #[inline]
    pub fn still(&mut self, i: usize, id: u64) -> Option<&mut Slot> {
        if self.slots.get(i).is_some_and(|s| s.id == id) {
            return self.slots.get_mut(i);
        }
        self.get_mut(id)
    }

    /// The slot at `i` (from [`Held::find`] or [`Held::take_in`]).
    pub fn at(&mut self, i: usize) -> &mut Slot {
        &mut self.slots[i]
    }

    /// Where tasklet `id` (entity `e`), about to run, is held: taken in
    /// now if it ran a short while ago (see [`Held::take_in`]); `None` if it
    /// stays in its components for this turn.
    pub fn for_turn(
        &mut self,
        world: &mut World,
        look: &mut Lookups,
        copies: &mut CowCopies,
        id: u64,
        e: Entity,
    ) -> Option<usize> {
        match self.find(id) {
            Some(i) => Some(i),
            None if self.ran.again(id) => self.take_in(world, look, copies, id, e),
            None => None,
        }
    }

    /// Takes tasklet `id` (entity `e`) out of its components, writing back
    /// the oldest held one if every slot is taken; `None` if `e` is not a
    /// tasklet with a fiber.
    pub fn take_in(
        &mut self,
        world: &mut World,
        look: &mut Lookups,
        copies: &mut CowCopies,
        id: u64,
        e: Entity,
    ) -> Option<usize> {
        if self.slots.len() >= SLOTS {
            let oldest = self.slots.remove(0);
            write_back(world, look, oldest);
        }
        let (mut t, mut f) = look.turn(world, e)?;
        // Taking out is not a change; writing back is.
        let state = std::mem::replace(t.bypass_change_detection(), TaskletState::new(id));
        let mut shell = std::mem::replace(&mut f.bypass_change_detection().0, empty_fiber());
        let fiber = std::mem::take(unshare(copies, &mut shell));
        self.slots.push(Slot {
            id,
            entity: e,
            state,
            fiber,
            shell,
        });
        Some(self.slots.len() - 1)
    }

    /// Writes tasklet `id` back into its components, if it is held.
    pub fn let_go(&mut self, world: &mut World, look: &mut Lookups, id: u64) {
        if let Some(i) = self.find(id) {
            let slot = self.slots.remove(i);
            write_back(world, look, slot);
        }
    }

    /// Writes ended tasklet `id` back, if it is held, with the shared empty
    /// fiber in place of its own; whether it was held.
    pub fn end(&mut self, world: &mut World, look: &mut Lookups, id: u64) -> bool {
        let Some(i) = self.find(id) else {
            return false;
        };
        let slot = self.slots.remove(i);
        if let Some((mut t, mut f)) = look.turn(world, slot.entity) {
            *t = slot.state;
            f.0 = empty_fiber();
        }
        true
    }

    /// Writes every held tasklet and channel back.
    pub fn flush(&mut self, world: &mut World, look: &mut Lookups) {
        for slot in self.slots.drain(..) {
            write_back(world, look, slot);
        }
        for (_, e, c) in self.channels.drain(..) {
            write_back_channel(world, look, e, c);
        }
    }

    /// Held channel `id`.
    #[inline]
    pub fn channel(&self, id: u64) -> Option<&ChannelState> {
        self.channels.iter().find(|c| c.0 == id).map(|c| &c.2)
    }

    /// Where channel `id` is held.
    #[inline]
    pub fn find_channel(&self, id: u64) -> Option<usize> {
        self.channels.iter().position(|c| c.0 == id)
    }

    /// The held channel at `i`.
    pub fn channel_at(&mut self, i: usize) -> &mut ChannelState {
        &mut self.channels[i].2
    }

    /// Takes channel `id` (entity `e`) in if it was changed a short while
    /// ago (else notes it), writing back the oldest held channel if every
    /// slot is taken.
    pub fn channel_again(
        &mut self,
        world: &mut World,
        look: &mut Lookups,
        id: u64,
        e: Entity,
    ) -> Option<usize> {
        if !self.seen.again(id) {
            return None;
        }
        let mut c = look.channel_mut(world, e)?;
        let state = std::mem::replace(c.bypass_change_detection(), ChannelState::new(id));
        if self.channels.len() >= SLOTS {
            let (_, oe, oc) = self.channels.remove(0);
            write_back_channel(world, look, oe, oc);
        }
        self.channels.push((id, e, state));
        Some(self.channels.len() - 1)
    }
}

/// Puts `slot`'s state and fiber back where they came from. An entity gone
/// meanwhile cannot be: only natives and systems despawn, and both see the
/// world after a flush.
fn write_back(world: &mut World, look: &mut Lookups, slot: Slot) {
    if let Some((mut t, mut f)) = look.turn(world, slot.entity) {
        *t = slot.state;
        let mut shell = slot.shell;
        refill(&mut shell, slot.fiber);
        let _blank: Arc<_> = std::mem::replace(&mut f.0, shell);
    }
}

/// Puts `fiber` into `shell`, in place when nothing else holds the shell
/// (as for one a slot kept), else in a new `Arc`.
pub fn refill(shell: &mut Arc<Fiber>, fiber: Fiber) {
    match Arc::get_mut(shell) {
        Some(f) => *f = fiber,
        None => *shell = Arc::new(fiber),
    }
}

/// The fiber to step, copied first if a snapshot still shares it: the
/// copy-on-write cost an autosave causes, counted in `copies`.
pub fn unshare<'a>(copies: &mut CowCopies, shared: &'a mut Arc<Fiber>) -> &'a mut Fiber {
    if Arc::strong_count(shared) > 1 {
        let t = std::time::Instant::now();
        let fiber = Arc::make_mut(shared);
        copies.count += 1;
        copies.nanos += t.elapsed().as_nanos() as u64;
        fiber
    } else {
        Arc::make_mut(shared)
    }
}

/// Puts a held channel's state back into entity `e`'s component.
fn write_back_channel(world: &mut World, look: &mut Lookups, e: Entity, c: ChannelState) {
    if let Some(mut held) = look.channel_mut(world, e) {
        *held = c;
    }
}

/// A tasklet's component to change, wherever it is now: held here, or in
/// the world (where changing it marks it changed).
pub enum HeldMut<'a, T> {
    /// In a slot.
    Held(&'a mut T),
    /// In its component.
    World(bevy_ecs::world::Mut<'a, T>),
}

impl<T> std::ops::Deref for HeldMut<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        match self {
            HeldMut::Held(t) => t,
            HeldMut::World(t) => t,
        }
    }
}

impl<T> std::ops::DerefMut for HeldMut<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        match self {
            HeldMut::Held(t) => t,
            HeldMut::World(t) => t,
        }
    }
}
