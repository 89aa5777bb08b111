//! `skein extract`: a selection cut out of a world save, by tasklet name,
//! tasklet id or channel id, with a report of what was pulled in and why.

use bevy_ecs::world::World;
use skein_vm::Value;
use skein_world::{ChannelState, Scheduler, TaskletState, WorldOptions};

use crate::error::{LoadError, SaveError};
use crate::format::SaveFile;
use crate::selection::{SelectionReport, save_selection};
use crate::world_load::{CodePolicy, load_world};

/// One `extract` selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// `--tasklet NAME`: every tasklet with that name, in id order.
    TaskletName(String),
    /// `--tasklet-id N`.
    TaskletId(u64),
    /// `--channel N`.
    ChannelId(u64),
}

/// Why `extract` made no selection.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The world save could not be loaded.
    #[error("{0}")]
    Load(#[from] LoadError),
    /// The selection could not be saved.
    #[error("{0}")]
    Save(#[from] SaveError),
    /// A selector that matches nothing, or names main.
    #[error("{0}")]
    Selector(String),
}

/// The selection and the lines `extract` prints on stderr.
pub struct Extracted {
    /// The selection save.
    pub save: SaveFile,
    /// Why each record is in it, and what was left out.
    pub report: SelectionReport,
    /// The report as lines for people.
    pub lines: Vec<String>,
}

/// Cuts a selection out of a world save. `setup` registers the natives
/// the world's tasklets may be waiting in.
pub fn extract(
    save: &SaveFile,
    selectors: &[Selector],
    setup: impl FnOnce(&mut World),
) -> Result<Extracted, ExtractError> {
    let mut world = World::new();
    skein_world::init_world(&mut world, WorldOptions::default());
    crate::pickle::install(&mut world);
    setup(&mut world);
    load_world(&mut world, save, CodePolicy::Saved)?;
    let sched = world.resource::<Scheduler>();
    let mut roots: Vec<Value> = Vec::new();
    for sel in selectors {
        let mut found = Vec::new();
        for (id, e) in sched.ring.ids() {
            let t = world.get::<TaskletState>(e);
            let is_channel = world.get::<ChannelState>(e).is_some();
            let hit = match sel {
                Selector::TaskletName(n) => t.is_some_and(|t| t.name() == Some(n)),
                Selector::TaskletId(i) => *i == id && t.is_some(),
                Selector::ChannelId(i) => *i == id && is_channel,
            };
            if hit {
                if id == sched.main {
                    return Err(ExtractError::Selector(
                        "main cannot be selected: it belongs to the world".into(),
                    ));
                }
                found.push(if is_channel {
                    Value::Channel(id)
                } else {
                    Value::Tasklet(id)
                });
            }
        }
        if found.is_empty() {
            return Err(ExtractError::Selector(match sel {
                Selector::TaskletName(n) => format!("no tasklet named {n:?} in this save"),
                Selector::TaskletId(i) => format!("no tasklet #{i} in this save"),
                Selector::ChannelId(i) => format!("no channel #{i} in this save"),
            }));
        }
        for v in found {
            if !roots.contains(&v) {
                roots.push(v);
            }
        }
    }
    let (part, report) = save_selection(&world, &roots, 0)?;
    let mut lines = Vec::new();
    for p in &report.pulled {
        let what = if p.is_channel { "channel" } else { "tasklet" };
        let why = match p.via {
            None => "selected".to_string(),
            Some(v) => format!("reached from #{v}"),
        };
        lines.push(format!(
            "{what} #{} → record {}: {why}",
            p.world_id, p.record
        ));
    }
    for c in &report.main_left_out {
        lines.push(format!(
            "main was waiting on channel #{c}: left out of its saved waiters"
        ));
    }
    Ok(Extracted {
        save: part,
        report,
        lines,
    })
}
