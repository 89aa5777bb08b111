//! The scheduler's per-switch look-ups of tasklet and channel components
//! (docs/architecture.md, "The switch"). Reads go through query states
//! kept across ticks: a query state knows its components' ids and the
//! archetypes that hold them, so a read is the entity's location and a
//! column index, without the type-id map `World::get` consults. Writes go
//! through `World::get_mut`: a mutable query state re-checks the world's
//! archetypes on every look, which measured dearer than the map.

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
