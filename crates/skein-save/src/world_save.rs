//! A whole world to records, between ticks: every tasklet (main included)
//! and channel by id, the ring from its head, the sleepers in wake order,
//! outstanding native requests and completions, the generator, the options,
//! every module's code and globals, and the registered host data — encoded
//! from a [`Snapshot`] of the world.

use std::collections::BTreeMap;

use bevy_ecs::world::World;
use skein_world::ChannelState;

use crate::delta::ExtPatch;
use crate::error::SaveError;
use crate::ext::ExtValue;
use crate::format::{
    Body, ChannelRec, CompletionRec, CountersRec, Dir, GlobalsRec, Header, ImportStateRec,
    OptionsRec, RngRec, SaveFile, SaveKind, TaskletRec, WorldRec,
};
use crate::names::{WorldRefs, world_module_recs};
use crate::registry::{IdMap, SaveRegistry};
use crate::snapshot::{Entry, HostColumn, Snapshot, encode_fiber, host_bit};
use crate::tasklet::{status_of, tasklet_rec};
use crate::values::Encoder;

/// The tasklet and channel records of a snapshot (see
/// [`Snapshot::entry_recs`]).
pub(crate) struct EntryRecs {
    pub tasklets: Vec<TaskletRec>,
    pub channels: Vec<ChannelRec>,
    pub patches: Vec<ExtPatch>,
}

/// The registered components of entry `id`, by tag.
pub(crate) fn ext_of(
    id: u64,
    host: &[Box<dyn HostColumn>],
    registry: &SaveRegistry,
    ids: &IdMap,
) -> Result<BTreeMap<String, ExtValue>, SaveError> {
    let mut ext = BTreeMap::new();
    for (column, c) in host.iter().zip(&registry.components) {
        if let Some(v) = column.encode(id, ids) {
            ext.insert(c.tag.clone(), v.map_err(SaveError::Encode)?);
        }
    }
    Ok(ext)
}

/// A channel's record, its waiters' ids as the world has them.
pub(crate) fn channel_rec(
    id: u64,
    c: &ChannelState,
    ext: BTreeMap<String, ExtValue>,
) -> ChannelRec {
    ChannelRec {
        id,
        preference: c.preference,
        schedule_all: c.schedule_all,
        closing: c.closing,
        dir: if c.senders { Dir::Send } else { Dir::Receive },
        waiters: c.waiters.iter().collect(),
        ext,
    }
}

/// The world as records. Only between ticks: mid-tick a fiber is out of
/// its entity and the globals out of the world.
pub fn save_world(world: &World) -> Result<SaveFile, SaveError> {
    Snapshot::take(world)?.to_save()
}

impl Snapshot {
    /// The records of the world this snapshot froze: the same as
    /// [`save_world`] of that world at that tick boundary. Each fiber is let
    /// go as soon as it is encoded (its tasklet need not copy it any more),
    /// so a snapshot is encoded once.
    pub fn to_save(&mut self) -> Result<SaveFile, SaveError> {
        let program = self.program.clone();
        let mut enc = Encoder::new(&program);
        let EntryRecs {
            tasklets, channels, ..
        } = self.entry_recs(&mut enc, false)?;
        let world_rec = self.world_rec(&mut enc)?;
        let modules = world_module_recs(&program);
        let mut header = Header::new(SaveKind::World, self.tick, self.options.seed);
        for m in &modules {
            header.modules.insert(m.name.clone(), m.hash);
        }
        Ok(SaveFile {
            header,
            body: Body {
                modules,
                tasklets,
                channels,
                world: Some(world_rec),
                roots: Vec::new(),
                ring_order: Vec::new(),
                values: enc.into_table(),
            },
        })
    }

    /// Every tasklet and channel record, by id; each fiber is let go once
    /// encoded. With `only_dirty`, only what changed since the snapshot this
    /// one was retaken from: whole records, and for entries of which only
    /// registered components changed, those components.
    pub(crate) fn entry_recs(
        &mut self,
        enc: &mut Encoder,
        only_dirty: bool,
    ) -> Result<EntryRecs, SaveError> {
        let mut refs = WorldRefs {
            natives: &self.natives,
        };
        let tick = self.tick;
        let registry = &self.registry;
        let mut tasklets = Vec::new();
        let mut channels = Vec::new();
        let mut patches = Vec::new();
        let same = |id: u64| Some(id);
        let ids = crate::registry::IdMap::new(&same);
        let held = self.entries.iter_mut().enumerate();
        for (id, h) in held.filter_map(|(i, h)| Some((i as u64, h.as_mut()?))) {
            if only_dirty && !h.dirty() {
                continue;
            }
            if only_dirty && !h.whole() {
                let mut set = std::collections::BTreeMap::new();
                let columns = self.host.iter().zip(&registry.components);
                for (i, (column, c)) in columns.enumerate() {
                    if h.host_fresh & host_bit(i) == 0 {
                        continue;
                    }
                    if let Some(v) = column.encode(id, &ids) {
                        set.insert(c.tag.clone(), v.map_err(SaveError::Encode)?);
                    }
                }
                let removed = (registry.components.iter().enumerate())
                    .filter(|(i, _)| h.host_gone & host_bit(*i) != 0)
                    .filter(|(_, c)| !set.contains_key(&c.tag))
                    .map(|(_, c)| c.tag.clone())
                    .collect();
                patches.push(ExtPatch { id, set, removed });
                continue;
            }
            let ext = ext_of(id, &self.host, registry, &ids)?;
            let keep = h.keeps_fiber(self.ring.contains(id));
            match &mut h.entry {
                Entry::Tasklet { state, fiber } => {
                    let fiber = encode_fiber(fiber, keep, id, &mut self.fiberless)?;
                    let mut rec = tasklet_rec(enc, &mut refs, id, state, &fiber, tick)?;
                    // Per-tick bookkeeping counts `tick + 1` of the tick it
                    // belongs to; between ticks none of it is for the next
                    // tick, so it is written as zeros (the scheduler resets
                    // stale values itself).
                    rec.tick_state = crate::format::TickStateRec::default();
                    rec.status = status_of(&rec, self.ring.contains(id));
                    rec.ext = ext;
                    tasklets.push(rec);
                }
                Entry::Channel(c) => channels.push(channel_rec(id, c, ext)),
            }
        }
        Ok(EntryRecs {
            tasklets,
            channels,
            patches,
        })
    }

    /// The world's own state: scheduler tables, completions, generator,
    /// options, globals, counters and registered resources.
    pub(crate) fn world_rec(&self, enc: &mut Encoder) -> Result<WorldRec, SaveError> {
        let program = &self.program;
        let mut refs = WorldRefs {
            natives: &self.natives,
        };
        let registry = &self.registry;
        let same = |id: u64| Some(id);
        let ids = crate::registry::IdMap::new(&same);
        let mut completions = Vec::new();
        for (tasklet, request, result) in &self.completions {
            let result = match result {
                Ok(v) => Ok(enc.encode(v, &mut refs)?),
                Err(v) => Err(enc.encode(v, &mut refs)?),
            };
            completions.push(CompletionRec {
                tasklet: *tasklet,
                request: *request,
                result,
            });
        }

        let mut globals_recs = Vec::new();
        for (m, g) in program.modules.iter().zip(&self.globals.modules) {
            let mut values = Vec::with_capacity(m.globals.len());
            for (name, v) in m.globals.iter().zip(&g.values) {
                values.push((name.clone(), enc.encode(v, &mut refs)?));
            }
            globals_recs.push(GlobalsRec {
                module: m.name.clone(),
                state: match g.state {
                    skein_vm::ImportState::NotRun => ImportStateRec::NotRun,
                    skein_vm::ImportState::Running => ImportStateRec::Running,
                    skein_vm::ImportState::Done => ImportStateRec::Done,
                },
                values,
            });
        }

        let options = &self.options;
        let mut params = std::collections::BTreeMap::new();
        for (k, v) in &options.params {
            params.insert(k.clone(), enc.encode(v, &mut refs)?);
        }
        let rng = &self.rng;
        let mut rng_rec = RngRec {
            seed: rng.get_seed(),
            stream: rng.get_stream(),
            word_pos: (0, 0),
        };
        rng_rec.set_word_pos(rng.get_word_pos());
        let counters = &self.counters;

        let mut resources = std::collections::BTreeMap::new();
        for (i, snap) in &self.resources {
            let v = snap.encode(&ids).map_err(SaveError::Encode)?;
            resources.insert(registry.resources[*i].tag.clone(), v);
        }
        if let Some(link) = &self.shard {
            let rec = crate::shard_save::record(
                link,
                options.shard,
                options.shards,
                program,
                &self.natives,
            )?;
            resources.insert(crate::shard_save::TAG.to_string(), rec);
        }

        Ok(WorldRec {
            next_id: self.ring.next_id(),
            main: self.main,
            ring: self.ring.order(),
            sleepers: self.sleepers.clone(),
            last_request: self.last_request,
            completions,
            rng: rng_rec,
            options: OptionsRec {
                budget: options.budget,
                frame_limit: options.limits.frame_limit,
                size_limit: options.limits.size_limit,
                path: options
                    .search_path
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect(),
                params,
                tick_budget: options.tick_budget,
            },
            globals: globals_recs,
            host_modules: program.host_modules.clone(),
            counters: CountersRec {
                ticks: counters.ticks,
                switches: counters.switches,
                messages: counters.messages,
                tasklets: counters.tasklets,
            },
            resources,
        })
    }
}
