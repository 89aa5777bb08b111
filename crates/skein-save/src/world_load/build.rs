//! The second half of a world load, shared by the record path and the
//! one-pass binary decoder: the world-level checks that follow the staged
//! tasklets and channels (completions, globals, parameters, resources), then
//! the world built in one go from what was staged.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use bevy_ecs::world::World;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use skein_script::bytecode::Program;
use skein_vm::{Globals, ImportState, Limits, ModuleGlobals, Value};
use skein_world::components::Wait as WWait;
use skein_world::{
    Code, NativeCall, NativeQueue, RunCounters, Scheduler, ScriptGlobals, WorldOptions, WorldRng,
};

use crate::error::{FieldPath, LoadError, Problem};
use crate::format::{GlobalsRec, ImportStateRec, WorldRec};
use crate::registry::{IdMap, SaveRegistry};
use crate::resolve::MapResolve;
use crate::shard_load::Staged as ShardStaged;
use crate::staging::{StagedChannel, StagedTasklet};
use crate::values::{Decoder, Place};
use skein_world::shard::ShardLink;

/// Ids a world may have handed out beyond its saved tasklets and channels
/// (every tasklet and channel stays an entity, so there are none in practice).
pub(crate) const SPARE_IDS: u64 = 1 << 20;

/// A world save checked whole, ready to become the world.
pub(crate) struct Staged<'a> {
    parts: Parts<'a>,
    completions: Vec<Completion>,
    completed: BTreeSet<u64>,
    globals: Globals,
    params: BTreeMap<String, Value>,
    link: Option<ShardLink>,
}

type Completion = (u64, u64, Result<Value, Value>);

/// What the world-level checks start from: the staged records and what
/// staging them took.
pub(crate) struct Parts<'a> {
    pub w: &'a WorldRec,
    pub tick: u64,
    pub seed: u64,
    pub program: Arc<Program>,
    pub limits: Limits,
    pub registry: SaveRegistry,
    pub shard: Option<ShardStaged>,
    pub tasklets: Vec<StagedTasklet>,
    pub channels: Vec<StagedChannel>,
}

impl<'a> Parts<'a> {
    /// The world-level checks after staging: completions (each for a
    /// tasklet waiting in that very request), globals, parameters,
    /// resources and the shard link.
    pub fn finish(self, dec: &Decoder, resolve: &MapResolve) -> Result<Staged<'a>, LoadError> {
        let Parts {
            w,
            program,
            limits,
            registry,
            shard,
            tasklets,
            ..
        } = &self;
        let root = FieldPath::root();
        // Completions: each for a tasklet waiting in that very request.
        let mut completions = Vec::with_capacity(w.completions.len());
        let mut completed = BTreeSet::new();
        for (i, c) in w.completions.iter().enumerate() {
            let p_0 = root.field("world");
            let p_1 = p_0.field("completions");
            let p = p_1.index(i);
            // Staged tasklets keep the records' order, so by id too.
            let k = tasklets.binary_search_by_key(&c.tasklet, |t| t.rec_id);
            let waits = k.is_ok_and(|k| {
                matches!(&tasklets[k].state.wait, WWait::Native(req) if req.request == c.request)
            });
            if !waits || !completed.insert(c.tasklet) {
                return Err(LoadError::invalid(
                    &p,
                    format!(
                        "tasklet {} does not wait in request {}",
                        c.tasklet, c.request
                    ),
                ));
            }
            let result = match &c.result {
                Ok(v) => Ok(dec.decode(v, Place::Plain, &p.field("result"))?),
                Err(v) => Err(dec.decode(v, Place::Plain, &p.field("result"))?),
            };
            completions.push((c.tasklet, c.request, result));
        }

        let globals = stage_globals(&w.globals, program, dec)?;
        let mut params = BTreeMap::new();
        for (k, v) in &w.options.params {
            let p_0 = root.field("world");
            let p_1 = p_0.field("options");
            let p_2 = p_1.field("params");
            let p = p_2.key(k);
            params.insert(k.clone(), dec.decode(v, Place::Plain, &p)?);
        }
        for (tag, v) in w.resources.iter().filter(|r| r.0 != crate::shard_save::TAG) {
            let p_0 = root.field("world");
            let p_1 = p_0.field("resources");
            let p = p_1.key(tag);
            let entry = registry.resource(tag).ok_or_else(|| {
                LoadError::invalid(
                    &p,
                    format!("resource {tag} is not registered in this world"),
                )
            })?;
            (entry.check)(v).map_err(|e| LoadError::invalid(&p, e))?;
        }

        let link = match &shard {
            Some(s) => Some(crate::shard_load::link_of(s, resolve, *limits)?),
            None => None,
        };
        Ok(Staged {
            parts: self,
            completions,
            completed,
            globals,
            params,
            link,
        })
    }
}

impl Staged<'_> {
    /// Builds the world from what was staged. Only a registered host
    /// component's or resource's own load hook can still fail here.
    pub fn build(self, world: &mut World) -> Result<(), LoadError> {
        let Staged {
            parts:
                Parts {
                    w,
                    tick,
                    seed,
                    program,
                    limits,
                    registry,
                    shard,
                    mut tasklets,
                    channels,
                },
            completions,
            completed,
            globals,
            params,
            link,
        } = self;
        // Everything is checked: build the world.
        let mut rng = ChaCha8Rng::from_seed(w.rng.seed);
        rng.set_stream(w.rng.stream);
        rng.set_word_pos(w.rng.word_pos());
        world.insert_resource(WorldRng(rng));
        let options = WorldOptions {
            budget: w.options.budget,
            tick_budget: w.options.tick_budget,
            limits,
            seed,
            search_path: w.options.path.iter().map(PathBuf::from).collect(),
            params,
            ..WorldOptions::default()
        };
        // A shard's place comes from its shard record (a plain world: 0 of 1).
        world.insert_resource(WorldOptions {
            shard: shard.as_ref().map_or(0, |s| s.rec.shard),
            shards: shard.as_ref().map_or(1, |s| s.rec.shards),
            ..options
        });
        world.insert_resource(Code(program));
        world.insert_resource(ScriptGlobals(globals));
        world.insert_resource(RunCounters {
            switches: w.counters.switches,
            messages: w.counters.messages,
            tasklets: w.counters.tasklets,
            ticks: w.counters.ticks,
        });

        let mut sched = Scheduler {
            tick,
            main: w.main,
            ..Scheduler::default()
        };
        // Sleep numbers restart from 1 in each tick, in saved order.
        // Staged tasklets keep the records' order, so by id too.
        for id in &w.sleepers {
            let k = tasklets.binary_search_by_key(id, |t| t.rec_id);
            if let Some(t) = k.ok().and_then(|k| tasklets.get_mut(k))
                && let WWait::Sleep { until, .. } = t.state.wait
            {
                let Some(seq) = sched.sleepers.insert_next(until, *id) else {
                    return Err(LoadError::whole(crate::error::Problem::Invalid(format!(
                        "more sleepers into tick {until} than a tick can order"
                    ))));
                };
                t.state.wait = WWait::Sleep { until, seq };
            }
        }
        let mut parked = Vec::new();
        let mut exts = Vec::with_capacity(tasklets.len() + channels.len());
        let mut rec_ids = Vec::with_capacity(tasklets.len() + channels.len());
        // In bulk: the table grows once, not once per doubling; each state
        // moved straight from the staging area into the table, with no
        // list of bundles in between.
        let bundles = tasklets.into_iter().map(|t| {
            let id = t.rec_id;
            if let WWait::Native(req) = &t.state.wait
                && !completed.contains(&id)
            {
                parked.push((req.clone(), id));
            }
            rec_ids.push(id);
            exts.push(t.ext);
            (t.state, t.fiber)
        });
        let mut spawned: Vec<_> = world.spawn_batch(bundles).collect();
        let mut states = Vec::with_capacity(channels.len());
        for c in channels {
            rec_ids.push(c.rec_id);
            exts.push(c.ext);
            states.push(c.state);
        }
        spawned.extend(world.spawn_batch(states));
        let mut entities = Vec::with_capacity(exts.len());
        for ((id, e), ext) in rec_ids.into_iter().zip(spawned).zip(exts) {
            sched.ring.set_entity(id, Some(e));
            if !ext.is_empty() {
                entities.push((e, ext));
            }
        }
        if let Some(s) = &shard {
            sched.ring.set_layout(s.rec.shard + 1, s.rec.shards);
        }
        sched.ring.reserve_to(w.next_id);
        for id in &w.ring {
            sched.ring.insert_tail(*id);
        }
        parked.sort_by_key(|(req, _)| req.request);
        {
            let mut queue = world.resource_mut::<NativeQueue>();
            queue.restore(w.last_request, completions);
            for (req, id) in parked {
                if let Some(entity) = sched.ring.entity(id) {
                    queue.park_loaded(NativeCall::of(*req, id, entity));
                }
            }
        }
        *world.resource_mut::<Scheduler>() = sched;
        if let Some(link) = link {
            world.insert_resource(link);
        }
        let same = |id: u64| Some(id);
        let ids = IdMap::new(&same);
        for (e, ext) in entities {
            for (tag, v) in ext {
                if let Some(c) = registry.component(&tag) {
                    (c.load)(world, e, &v, &ids).map_err(|m| {
                        LoadError::invalid(&FieldPath::root().field("ext").key(&tag), m)
                    })?;
                }
            }
        }
        for (tag, v) in &w.resources {
            if let Some(r) = registry.resource(tag) {
                (r.load)(world, v, &ids).map_err(|m| {
                    LoadError::invalid(&FieldPath::root().field("resources").key(tag), m)
                })?;
            }
        }
        Ok(())
    }
}

/// Globals by module and name onto `program`'s slots.
fn stage_globals(
    recs: &[GlobalsRec],
    program: &Program,
    dec: &Decoder,
) -> Result<Globals, LoadError> {
    let top = FieldPath::root();
    let world_path = top.field("world");
    let root = world_path.field("globals");
    let mut by_module = HashMap::new();
    for (i, g) in recs.iter().enumerate() {
        if program.module_index(&g.module).is_none() {
            return Err(LoadError::at(
                &root.index(i).field("module"),
                Problem::UnknownModule(g.module.clone()),
            ));
        }
        if by_module.insert(g.module.as_str(), i).is_some() {
            return Err(LoadError::invalid(
                &root.index(i),
                "a module's globals appear twice",
            ));
        }
    }
    let mut out = Globals::new(program);
    for (m, slot) in program.modules.iter().zip(out.modules.iter_mut()) {
        let Some(&i) = by_module.get(m.name.as_str()) else {
            continue;
        };
        let g = &recs[i];
        *slot = ModuleGlobals {
            values: vec![Value::Unbound; m.globals.len()],
            state: match g.state {
                ImportStateRec::NotRun => ImportState::NotRun,
                ImportStateRec::Running => ImportState::Running,
                ImportStateRec::Done => ImportState::Done,
            },
        };
        for (j, (name, v)) in g.values.iter().enumerate() {
            let p_0 = root.index(i);
            let p_1 = p_0.field("values");
            let p = p_1.index(j);
            let val = dec.decode(v, Place::Slot, &p)?;
            if let Some(k) = m.globals.iter().position(|n| n == name) {
                slot.values[k] = val;
            }
        }
    }
    Ok(out)
}
