//! [`SkeinSavePlugin`]: saving and loading a Skein world in a bevy `App` by
//! message (feature `app`). It lives here rather than beside `SkeinPlugin`
//! in `skein-world` because saves are built on the world crate, not the
//! other way round.
//!
//! A game writes [`SaveWorld`] or [`LoadWorld`]; the requests are applied
//! at the tick boundary, right after the scheduler in the schedule that
//! `SkeinPlugin` ticks in (set [`SkeinSystems::Persist`]), and answered by
//! [`WorldSaved`] / [`SaveFailed`] and [`WorldLoaded`] / [`LoadFailed`].

use std::path::PathBuf;

use bevy_app::{App, Plugin};
use bevy_ecs::message::{Message, MessageCursor, Messages};
use bevy_ecs::schedule::IntoScheduleConfigs;
use bevy_ecs::system::Local;
use bevy_ecs::world::World;
use skein_world::app::SkeinSchedule;
use skein_world::{Scheduler, SkeinSystems};

use crate::autosave::AutosaveOptions;
use crate::error::{LoadError, SaveError};
use crate::replace::replace_world;
use crate::snapshot::Snapshot;
use crate::world_load::CodePolicy;
use crate::{Encoding, read_file, write_atomic};

/// Save the whole world to `path` at the next tick boundary: pretty RON,
/// or the binary encoding for a `.bin` path. The previous file is kept as
/// `PATH.bak`.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub struct SaveWorld {
    /// The file to write.
    pub path: PathBuf,
}

/// Replace the Skein world with the world save at `path` at the next tick
/// boundary; the game's other entities are left alone.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub struct LoadWorld {
    /// The world save to read.
    pub path: PathBuf,
}

/// A [`SaveWorld`] was written: the world after `tick` ticks.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub struct WorldSaved {
    /// The file written.
    pub path: PathBuf,
    /// Ticks completed in the saved world.
    pub tick: u64,
}

/// A [`SaveWorld`] could not be saved or written; nothing was written.
#[derive(Message, Debug)]
pub struct SaveFailed {
    /// The file that was to be written.
    pub path: PathBuf,
    /// Why it was not.
    pub error: SaveError,
}

/// A [`LoadWorld`] replaced the world; it resumes after `tick` ticks.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub struct WorldLoaded {
    /// The file read.
    pub path: PathBuf,
    /// Ticks completed in the loaded world.
    pub tick: u64,
}

/// A [`LoadWorld`] was refused (unreadable, invalid, or for other code);
/// the running world was not changed.
#[derive(Message, Debug)]
pub struct LoadFailed {
    /// The file that was to be read.
    pub path: PathBuf,
    /// Why it was refused.
    pub error: LoadError,
}

/// Save and load requests as messages, `pickle` for scripts, and autosave
/// if asked for. Add it after `SkeinPlugin`, whose schedule it shares.
#[derive(Debug, Clone, Default)]
pub struct SkeinSavePlugin {
    /// Autosave at the tick boundary (after the save and load requests);
    /// its spans go on the plugin's trace.
    pub autosave: Option<AutosaveOptions>,
}

impl SkeinSavePlugin {
    /// The plugin without autosave.
    pub fn new() -> Self {
        SkeinSavePlugin::default()
    }

    /// Autosaves the world every `every` ticks to `path` (binary for a
    /// `.bin` path, else pretty RON), keeping the newest 3 (see
    /// [`keep`](Self::keep)), without stopping the ticks: the write runs on
    /// a thread of its own, and one still going when the app exits is
    /// finished first.
    pub fn autosave(mut self, every: u64, path: impl Into<PathBuf>) -> Self {
        self.autosave = Some(AutosaveOptions::new(every, path));
        self
    }

    /// Keeps the newest `k` autosaves (`PATH`, `PATH.1`, …; at least 1).
    pub fn keep(mut self, k: usize) -> Self {
        if let Some(a) = &mut self.autosave {
            a.keep = k.max(1);
        }
        self
    }

    /// Autosave with options of your own.
    pub fn autosave_with(mut self, options: AutosaveOptions) -> Self {
        self.autosave = Some(options);
        self
    }
}

impl Plugin for SkeinSavePlugin {
    fn build(&self, app: &mut App) {
        let Some(schedule) = app.world().get_resource::<SkeinSchedule>().map(|s| s.0) else {
            panic!("add SkeinPlugin before SkeinSavePlugin: it decides the schedule both use");
        };
        app.add_message::<SaveWorld>()
            .add_message::<LoadWorld>()
            .add_message::<WorldSaved>()
            .add_message::<SaveFailed>()
            .add_message::<WorldLoaded>()
            .add_message::<LoadFailed>();
        crate::pickle::install(app.world_mut());
        app.add_systems(schedule, apply_requests.in_set(SkeinSystems::Persist));
        if let Some(options) = &self.autosave {
            crate::autosave::install(app.world_mut(), options.clone());
            app.add_systems(
                schedule,
                autosave.in_set(SkeinSystems::Persist).after(apply_requests),
            );
        }
    }
}

/// Autosave's step, on the plugin's trace; failed writes are logged.
fn autosave(world: &mut World) {
    skein_world::app::in_trace(world, crate::autosave::autosave_system);
    for f in crate::autosave::take_failures(world) {
        tracing::warn!(tick = f.tick, error = %f.error, "autosave failed");
        let text = format!("error: autosave of tick {} failed: {}\n", f.tick, f.error);
        world.resource_mut::<skein_world::Output>().eprint(&text);
    }
}

/// Saves, then loads, in the order each kind was written.
fn apply_requests(
    world: &mut World,
    mut saves: Local<MessageCursor<SaveWorld>>,
    mut loads: Local<MessageCursor<LoadWorld>>,
) {
    let to_save: Vec<PathBuf> = saves
        .read(world.resource::<Messages<SaveWorld>>())
        .map(|m| m.path.clone())
        .collect();
    let to_load: Vec<PathBuf> = loads
        .read(world.resource::<Messages<LoadWorld>>())
        .map(|m| m.path.clone())
        .collect();
    for path in to_save {
        match save_to(world, &path) {
            Ok(()) => {
                let tick = world.resource::<Scheduler>().tick;
                world.write_message(WorldSaved { path, tick });
            }
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "save failed");
                world.write_message(SaveFailed { path, error });
            }
        }
    }
    for path in to_load {
        match load_from(world, &path) {
            Ok(()) => {
                let tick = world.resource::<Scheduler>().tick;
                world.write_message(WorldLoaded { path, tick });
            }
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "load refused");
                world.write_message(LoadFailed { path, error });
            }
        }
    }
}

fn save_to(world: &World, path: &std::path::Path) -> Result<(), SaveError> {
    let bytes = Snapshot::take(world)?.encode(Encoding::choose(path, false, false))?;
    write_atomic(path, &bytes)
}

fn load_from(world: &mut World, path: &std::path::Path) -> Result<(), LoadError> {
    let save = read_file(path)?;
    replace_world(world, &save, CodePolicy::Saved)
}
