//! The village's Rust-side state of an NPC, kept on its tasklet's entity:
//! where it stands, its health and what it carries. All three are saved
//! with the world (registered in [`register_saved`]); a walk in progress is
//! not, because the pending `npc.walk_to` request carries its target and
//! comes back with the save.

use std::collections::BTreeMap;

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};
use skein_save::registry::SaveRegistry;

/// Where an NPC stands on the village grid.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Column on the grid.
    pub x: i64,
    /// Row on the grid.
    pub y: i64,
}

/// Hit points, never below zero.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Hit points now.
    pub hp: i64,
    /// Hit points when whole; healing stops here.
    pub max: i64,
}

/// Goods carried, by name; counts are positive (an item at zero is removed,
/// so saves list only what is there).
#[derive(Component, Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory(pub BTreeMap<String, i64>);

/// An NPC on its way to `target`, one grid step per tick, and the tasklet
/// to wake on arrival. In sparse-set storage, because it comes and goes
/// with every walk: table storage would move the entity between tables
/// each time, and the movement system would have to visit every NPC to
/// find the walkers. Rebuilt from the pending request after a load, so it
/// is deliberately not saved.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
#[component(storage = "SparseSet")]
pub struct Walking {
    /// The square the walk ends on, as `(x, y)`.
    pub target: (i64, i64),
    /// The id of the tasklet blocked in `npc.walk_to`, woken on arrival.
    pub tasklet: u64,
}

// Save tags of the village components: stable, since they appear in save
// files.
/// The save tag of [`Position`].
pub const POSITION_TAG: &str = "village.Position";
/// The save tag of [`Health`].
pub const HEALTH_TAG: &str = "village.Health";
/// The save tag of [`Inventory`].
pub const INVENTORY_TAG: &str = "village.Inventory";

/// Registers the saved components in `world`'s save registry (creating it
/// if the world has none yet).
pub fn register_saved(world: &mut World) {
    if !world.contains_resource::<SaveRegistry>() {
        world.insert_resource(SaveRegistry::default());
    }
    let mut reg = world.resource_mut::<SaveRegistry>();
    reg.register_component::<Position>(POSITION_TAG);
    reg.register_component::<Health>(HEALTH_TAG);
    reg.register_component::<Inventory>(INVENTORY_TAG);
}
