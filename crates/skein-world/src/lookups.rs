//! The scheduler's per-switch look-ups of tasklet and channel components
//! (docs/architecture.md, "The switch"). Reads go through query states
//! kept across ticks: a query state knows its components' ids and the
//! archetypes that hold them, so a read is the entity's location and a
//! column index, without the type-id map `World::get` consults. Single
//! writes go through `World::get_mut`: a mutable query state re-checks the
//! world's archetypes on every look, which measured dearer than the map for
//! one component; for a turn's state and fiber together, and for a batch
//! of tasklets, the mutable query state is the cheaper look.

use bevy_ecs::component::Component;
use bevy_ecs::entity::Entity;
use bevy_ecs::query::QueryState;
use bevy_ecs::resource::Resource;
use bevy_ecs::world::{Mut, World};

use crate::components::{ChannelState, TaskletFiber, TaskletState};

/// The query states, held by the scheduler's host for a tick and kept in
/// the world between ticks.
pub struct Lookups {
    tasklet: QueryState<&'static TaskletState>,
    channel: QueryState<&'static ChannelState>,
    /// For writes to many tasklets at once (waking a tick's sleepers):
    /// the archetype re-check that makes a mutable query state dear for one
    /// look is paid once per batch.
    tasklets_mut: QueryState<&'static mut TaskletState>,
    /// A turn's state and fiber together: one location and archetype
    /// check for both, where two `World::get_mut`s each find the entity
    /// and consult the type-id map.
    turn: QueryState<(&'static mut TaskletState, &'static mut TaskletFiber)>,
}

/// Where the lookups wait between ticks: a slot inserted when the world is
/// set up, whose contents move. A bevy resource is a component on an entity
/// of its own, and inserting the lookups first at the end of the first tick
/// gave that entity an index past every tasklet spawned in it, with storage
/// sized to the index (4 bytes per tasklet); removing and inserting it each
/// tick also moved it between archetypes twice per tick.
#[derive(Resource, Default)]
pub struct KeptLookups(Option<Lookups>);

impl Lookups {
    /// New query states for `world`.
    pub fn new(world: &mut World) -> Self {
        Lookups {
            tasklet: QueryState::new(world),
            channel: QueryState::new(world),
            tasklets_mut: QueryState::new(world),
            turn: QueryState::new(world),
        }
    }

    /// The world's lookups, taken out of it (made on first use), with the
    /// read-only states brought up to date with its archetypes.
    pub fn take(world: &mut World) -> Self {
        let kept = world
            .get_resource_mut::<KeptLookups>()
            .and_then(|mut k| k.0.take());
        let mut l = match kept {
            Some(l) => l,
            None => Lookups::new(world),
        };
        l.refresh(world);
        l
    }

    /// Puts them back for the next tick.
    pub fn put(self, world: &mut World) {
        match world.get_resource_mut::<KeptLookups>() {
            Some(mut k) => k.0 = Some(self),
            None => world.insert_resource(KeptLookups(Some(self))),
        }
    }

    /// Brings the states up to date with the world's archetypes.
    pub fn refresh(&mut self, world: &World) {
        self.tasklet.update_archetypes(world);
        self.channel.update_archetypes(world);
    }

    /// Tasklet state of `e`. An archetype made since the last refresh (a
    /// game added a component mid-tick) is found by the world's own look-up.
    pub fn tasklet<'w>(&self, world: &'w World, e: Entity) -> Option<&'w TaskletState> {
        read(&self.tasklet, world, e)
    }

    /// Tasklet state of `e`, to change.
    pub fn tasklet_mut<'w>(
        &mut self,
        world: &'w mut World,
        e: Entity,
    ) -> Option<Mut<'w, TaskletState>> {
        world.get_mut::<TaskletState>(e)
    }

    /// Tasklet `e`'s state and fiber, to change, in one look.
    pub fn turn<'w>(
        &mut self,
        world: &'w mut World,
        e: Entity,
    ) -> Option<(Mut<'w, TaskletState>, Mut<'w, TaskletFiber>)> {
        self.turn.get_mut(world, e).ok()
    }

    /// Runs `f` on the state of each of `entities` that is a tasklet, in order.
    pub fn each_tasklet_mut(
        &mut self,
        world: &mut World,
        entities: impl IntoIterator<Item = Entity>,
        mut f: impl FnMut(&mut TaskletState),
    ) {
        let mut each = self.tasklets_mut.iter_many_mut(world, entities);
        // An entity that is not (or no longer) a tasklet is passed over,
        // as a single look would find nothing.
        while let Some(found) = each.fetch_next() {
            if let Ok(mut t) = found {
                f(&mut t);
            }
        }
    }

    /// Tasklet `e`'s fiber, to change.
    pub fn fiber<'w>(&mut self, world: &'w mut World, e: Entity) -> Option<Mut<'w, TaskletFiber>> {
        world.get_mut::<TaskletFiber>(e)
    }

    /// Channel state of `e`.
    pub fn channel<'w>(&self, world: &'w World, e: Entity) -> Option<&'w ChannelState> {
        read(&self.channel, world, e)
    }

    /// Channel state of `e`, to change.
    pub fn channel_mut<'w>(
        &mut self,
        world: &'w mut World,
        e: Entity,
    ) -> Option<Mut<'w, ChannelState>> {
        world.get_mut::<ChannelState>(e)
    }
}

/// `C` of `e` through `state`, or through the world's own look-up when `e`
/// is in an archetype made since the last refresh.
fn read<'w, C: Component>(
    state: &QueryState<&'static C>,
    world: &'w World,
    e: Entity,
) -> Option<&'w C> {
    match state.get_manual(world, e) {
        Ok(c) => Some(c),
        Err(_) => world.get::<C>(e),
    }
}
