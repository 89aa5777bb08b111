//! A whole world to records, between ticks: every tasklet (main included)
//! and channel by id, the ring from its head, the sleepers in wake order,
//! outstanding native requests and completions, the generator, the options,
//! every module's code and globals, and the registered host data.

use bevy_ecs::world::World;
use skein_world::{
    ChannelState, Code, NativeQueue, Natives, RunCounters, Scheduler, ScriptGlobals, TaskletFiber,
    TaskletState, WorldOptions, WorldRng,
};

use crate::error::SaveError;
use crate::format::{
    Body, ChannelRec, CompletionRec, CountersRec, Dir, GlobalsRec, Header, ImportStateRec,
    OptionsRec, RngRec, SaveFile, SaveKind, WorldRec,
};
use crate::names::{NativeNames, module_recs};
use crate::registry::registry_of;
use crate::tasklet::{status_of, tasklet_rec};
use crate::values::{EncodeRefs, Encoder, ValueRec};

/// Ids written as they are.
pub(crate) struct WorldRefs<'a> {
    pub natives: &'a NativeNames,
}

impl EncodeRefs for WorldRefs<'_> {
    fn tasklet(&mut self, id: u64) -> Result<ValueRec, SaveError> {
        Ok(ValueRec::Tasklet(id))
    }
    fn channel(&mut self, id: u64) -> Result<u64, SaveError> {
        Ok(id)
    }
    fn native(&self, id: u32) -> Option<(String, String)> {
        self.natives.name(id)
    }
}

/// The world as records. Only between ticks: mid-tick a fiber is out of
/// its entity and the globals out of the world.
pub fn save_world(world: &World) -> Result<SaveFile, SaveError> {
    let sched = world.resource::<Scheduler>();
    if sched.in_tick || sched.current != 0 {
        return Err(SaveError::Unsaveable(
            "a world is saved between ticks, not during one".into(),
        ));
    }
    let program = world.resource::<Code>().0.clone();
    let natives = NativeNames::of(world.resource::<Natives>());
    let registry = registry_of(world);
    let options = world.resource::<WorldOptions>();
    let mut enc = Encoder::new(&program);
    let mut refs = WorldRefs { natives: &natives };
    let tick = sched.tick;

    let mut tasklets = Vec::new();
    let mut channels = Vec::new();
    let same = |id: u64| Some(id);
    let ids = crate::registry::IdMap::new(&same);
    for (id, e) in sched.ring.ids() {
        let mut ext = std::collections::BTreeMap::new();
        for c in &registry.components {
            if let Some(v) = (c.save)(world, e, &ids) {
                ext.insert(c.tag.clone(), v.map_err(SaveError::Encode)?);
            }
        }
        if let Some(t) = world.get::<TaskletState>(e) {
            let fiber = world.get::<TaskletFiber>(e).map(|f| &f.0);
            let empty = skein_vm::Fiber::default();
            let mut rec = tasklet_rec(&mut enc, &mut refs, id, t, fiber.unwrap_or(&empty), tick)?;
            // Per-tick bookkeeping counts `tick + 1` of the tick it belongs
            // to; between ticks none of it is for the next tick, so it is
            // written as zeros (the scheduler resets stale values itself).
            rec.tick_state = crate::format::TickStateRec::default();
            rec.status = status_of(&rec, sched.ring.contains(id));
            rec.ext = ext;
            tasklets.push(rec);
        } else if let Some(c) = world.get::<ChannelState>(e) {
            channels.push(ChannelRec {
                id,
                preference: c.preference,
                schedule_all: c.schedule_all,
                closing: c.closing,
                dir: if c.senders { Dir::Send } else { Dir::Receive },
                waiters: c.waiters.iter().copied().collect(),
                ext,
            });
        }
    }

    let queue = world.resource::<NativeQueue>();
    let mut completions = Vec::new();
    for (tasklet, request, result) in queue.completions() {
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

    let globals = &world.resource::<ScriptGlobals>().0;
    let mut globals_recs = Vec::new();
    for (m, g) in program.modules.iter().zip(&globals.modules) {
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

    let mut params = std::collections::BTreeMap::new();
    for (k, v) in &options.params {
        params.insert(k.clone(), enc.encode(v, &mut refs)?);
    }
    let rng = &world.resource::<WorldRng>().0;
    let mut rng_rec = RngRec {
        seed: rng.get_seed(),
        stream: rng.get_stream(),
        word_pos: (0, 0),
    };
    rng_rec.set_word_pos(rng.get_word_pos());
    let counters = world.resource::<RunCounters>();

    let mut resources = std::collections::BTreeMap::new();
    for r in &registry.resources {
        if let Some(v) = (r.save)(world) {
            resources.insert(r.tag.clone(), v.map_err(SaveError::Encode)?);
        }
    }

    let world_rec = WorldRec {
        next_id: sched.ring.next_id(),
        main: sched.main,
        ring: sched.ring.order(),
        sleepers: sched.sleepers.values().copied().collect(),
        last_request: queue.last_request(),
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
    };

    let modules = module_recs(&program);
    let mut header = Header::new(SaveKind::World, tick, options.seed);
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
