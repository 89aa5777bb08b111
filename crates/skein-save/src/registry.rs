//! The host game's persistent data: components on tasklet and channel
//! entities, and resources, registered by a stable tag with serde, plus
//! optional hooks to adjust a value on save and on load (for example to remap
//! an id that is not a tasklet or channel reference).
//!
//! Components and resources that are not registered here are not saved at
//! all: a save holds only what the game chose to persist.

use std::sync::Arc;

use bevy_ecs::change_detection::Ref;
use bevy_ecs::component::{Component, Mutable};
use bevy_ecs::entity::Entity;
use bevy_ecs::resource::Resource;
use bevy_ecs::world::World;
use serde::Serialize;
use serde::de::DeserializeOwned;
use skein_world::{ChannelState, TaskletState};

use crate::ext::ExtValue;
pub use crate::id_map::IdMap;
use crate::snapshot::{Column, HostColumn, Sink};

type SaveFn = Arc<dyn Fn(&World, Entity, &IdMap) -> Option<Result<ExtValue, String>> + Send + Sync>;
type CheckFn = Arc<dyn Fn(&ExtValue) -> Result<(), String> + Send + Sync>;
type LoadFn =
    Arc<dyn Fn(&mut World, Entity, &ExtValue, &IdMap) -> Result<(), String> + Send + Sync>;
type SnapFn = Arc<dyn Fn(&World, &mut Box<dyn HostColumn>, &mut Sink) + Send + Sync>;
type SnapResFn = Arc<dyn Fn(&World) -> Option<Box<dyn HostSnap>> + Send + Sync>;
type LoadResFn = Arc<dyn Fn(&mut World, &ExtValue, &IdMap) -> Result<(), String> + Send + Sync>;

/// A copy of a registered resource taken at a tick boundary, encoded later
/// (on an autosave's writer thread) by serde.
pub(crate) trait HostSnap: Send + Sync {
    fn encode(&self, ids: &IdMap) -> Result<ExtValue, String>;
}

/// A resource's copy.
struct ResourceSnap<R>(R);

impl<R: Serialize + Send + Sync + 'static> HostSnap for ResourceSnap<R> {
    fn encode(&self, _: &IdMap) -> Result<ExtValue, String> {
        ExtValue::from_rust(&self.0).map_err(|e| e.to_string())
    }
}

#[derive(Clone)]
pub(crate) struct ComponentEntry {
    pub tag: String,
    pub save: SaveFn,
    pub snap: SnapFn,
    pub check: CheckFn,
    pub load: LoadFn,
}

#[derive(Clone)]
pub(crate) struct ResourceEntry {
    pub tag: String,
    pub snap: SnapResFn,
    pub check: CheckFn,
    pub load: LoadResFn,
}

/// The registry, a resource of the world it belongs to.
#[derive(Resource, Clone, Default)]
pub struct SaveRegistry {
    pub(crate) components: Vec<ComponentEntry>,
    pub(crate) resources: Vec<ResourceEntry>,
}

impl SaveRegistry {
    /// Saves component `C` under `tag` on every tasklet and channel that has it.
    pub fn register_component<C>(&mut self, tag: &str)
    where
        C: Component<Mutability = Mutable> + Serialize + DeserializeOwned + Clone,
    {
        self.register::<C>(tag, None, |_, _| {});
    }

    /// As [`register_component`](Self::register_component), with hooks that
    /// adjust a copy on save and the loaded value before it is inserted.
    pub fn register_component_with<C>(
        &mut self,
        tag: &str,
        on_save: fn(&mut C, &IdMap),
        on_load: fn(&mut C, &IdMap),
    ) where
        C: Component<Mutability = Mutable> + Serialize + DeserializeOwned + Clone,
    {
        self.register::<C>(tag, Some(on_save), on_load);
    }

    /// Registers `C`; without a save hook, a copy is encoded as it is
    /// rather than cloned first for the hook to adjust.
    fn register<C>(
        &mut self,
        tag: &str,
        on_save: Option<fn(&mut C, &IdMap)>,
        on_load: fn(&mut C, &IdMap),
    ) where
        C: Component<Mutability = Mutable> + Serialize + DeserializeOwned + Clone,
    {
        self.components.retain(|c| c.tag != tag);
        self.components.push(ComponentEntry {
            tag: tag.to_string(),
            save: Arc::new(move |world, e, ids| {
                let c = world.get::<C>(e)?;
                Some(crate::snapshot::encode_with(c, on_save, ids))
            }),
            snap: Arc::new(move |world, column, sink| {
                let column = Column::<C>::of(column, on_save, sink.ids());
                // Queries that name a component no entity ever had are
                // `None`: then nothing of that kind holds `C` either.
                if let Some(mut q) = world.try_query::<(Entity, Ref<C>, &TaskletState)>() {
                    for (e, c, t) in q.iter(world) {
                        column.take(sink, t.id, e, c);
                    }
                }
                if let Some(mut q) = world.try_query::<(Entity, Ref<C>, &ChannelState)>() {
                    for (e, c, ch) in q.iter(world) {
                        column.take(sink, ch.id, e, c);
                    }
                }
            }),
            check: Arc::new(|v| v.to_rust::<C>().map(|_| ()).map_err(|e| e.to_string())),
            load: Arc::new(move |world, e, v, ids| {
                let mut c = v.to_rust::<C>().map_err(|e| e.to_string())?;
                on_load(&mut c, ids);
                world.entity_mut(e).insert(c);
                Ok(())
            }),
        });
        self.components.sort_by(|a, b| a.tag.cmp(&b.tag));
    }

    /// Saves resource `R` under `tag` with world saves.
    pub fn register_resource<R>(&mut self, tag: &str)
    where
        R: Resource + Serialize + DeserializeOwned + Clone,
    {
        self.resources.retain(|r| r.tag != tag);
        self.resources.push(ResourceEntry {
            tag: tag.to_string(),
            snap: Arc::new(|world| {
                let r = world.get_resource::<R>()?.clone();
                Some(Box::new(ResourceSnap(r)) as Box<dyn HostSnap>)
            }),
            check: Arc::new(|v| v.to_rust::<R>().map(|_| ()).map_err(|e| e.to_string())),
            load: Arc::new(|world, v, _ids| {
                let r = v.to_rust::<R>().map_err(|e| e.to_string())?;
                world.insert_resource(r);
                Ok(())
            }),
        });
        self.resources.sort_by(|a, b| a.tag.cmp(&b.tag));
    }

    pub(crate) fn component(&self, tag: &str) -> Option<&ComponentEntry> {
        self.components.iter().find(|c| c.tag == tag)
    }

    pub(crate) fn resource(&self, tag: &str) -> Option<&ResourceEntry> {
        self.resources.iter().find(|r| r.tag == tag)
    }
}

/// The registry of a world, or an empty one.
pub(crate) fn registry_of(world: &World) -> SaveRegistry {
    world
        .get_resource::<SaveRegistry>()
        .cloned()
        .unwrap_or_default()
}
