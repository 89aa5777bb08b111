//! Loading a world save over a running world, in place: the Skein part of
//! the world (its tasklets and channels with their components, the
//! scheduler, the code, globals, generator and options) is replaced, and
//! the game's other entities and resources are left alone.
//!
//! The save is first loaded into a scratch world with the same natives and
//! registry, so every check runs before anything changes: a refused load
//! leaves the running world exactly as it was.

use bevy_ecs::world::World;
use skein_world::{NativeQueue, Natives, Scheduler, WorldOptions};

use crate::error::LoadError;
use crate::format::SaveFile;
use crate::registry::SaveRegistry;
use crate::world_load::{CodePolicy, load_world};

/// Replaces the Skein world in `world` with `save`, between ticks.
///
/// The game's systems that keep their own progress on native requests
/// should drop it when this succeeds: the loaded world's waiting requests
/// are back in the [`NativeQueue`], as after any load.
pub fn replace_world(
    world: &mut World,
    save: &SaveFile,
    code: CodePolicy,
) -> Result<(), LoadError> {
    let mut scratch = World::new();
    skein_world::init_world(&mut scratch, WorldOptions::default());
    if let Some(natives) = world.get_resource::<Natives>() {
        scratch.insert_resource(natives.clone());
    }
    if let Some(registry) = world.get_resource::<SaveRegistry>() {
        scratch.insert_resource(registry.clone());
    }
    load_world(&mut scratch, save, code.clone())?;
    drop(scratch);

    let old = std::mem::take(&mut *world.resource_mut::<Scheduler>());
    for (_, entity) in old.ring.ids() {
        // An entity the game despawned itself is simply gone already.
        let _ = world.try_despawn(entity);
    }
    world.insert_resource(NativeQueue::default());
    // Checked above against the same natives and registry, so this only
    // fails if a registered load hook treats the two worlds differently.
    load_world(world, save, code)
}
