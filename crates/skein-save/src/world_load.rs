//! A world save into a fresh world: the code first (the saved bytecode,
//! checked as untrusted input, or the scripts on disk with `--code current`), then every
//! record checked in a staging area, then the world built in one go.

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
    Code, NativeCall, NativeQueue, Natives, RunCounters, Scheduler, ScriptGlobals, TaskletFiber,
    WorldOptions, WorldRng,
};

use crate::check::Verified;
use crate::error::{FieldPath, LoadError, Problem};
use crate::format::{ImportStateRec, SaveFile, SaveKind, Wait};
use crate::names::{NativeNames, changed_functions, saved_hashes};
use crate::registry::{IdMap, registry_of};
use crate::resolve::{IdTable, MapResolve};
use crate::staging::{check_ids, id_list, stage};
use crate::values::{Decoder, Place};

/// Ids a world may have handed out beyond its saved tasklets and channels
/// (every tasklet and channel stays an entity, so there are none in practice).
const SPARE_IDS: u64 = 1 << 20;

/// Which code a world save resumes on (docs/saves.md, "Code").
#[derive(Debug, Clone, Default)]
pub enum CodePolicy {
    /// The code saved in the file (the default).
    #[default]
    Saved,
    /// This program (the scripts on disk): frames resume only where their
    /// function is unchanged; `def`s rebind by name; globals keep their values.
    Current(Program),
}

/// Loads a world save into `world`, which must be fresh (set up with
/// `init_world` and its natives registered, no main started). On error the
/// world is left as it was.
pub fn load_world(world: &mut World, save: &SaveFile, code: CodePolicy) -> Result<(), LoadError> {
    let root = FieldPath::root();
    if save.header.kind != SaveKind::World {
        return Err(LoadError::whole(Problem::WrongKind {
            found: "selection",
            expected: "world",
            hint: " (load it into a running world with --load)",
        }));
    }
    let body = &save.body;
    let Some(w) = &body.world else {
        return Err(LoadError::invalid(
            &root.field("body").field("world"),
            "missing",
        ));
    };
    {
        let sched = world.resource::<Scheduler>();
        if sched.main != 0 || sched.ring.next_id() > 1 {
            return Err(LoadError::whole(Problem::Invalid(
                "a world save loads into a fresh world".into(),
            )));
        }
    }
    let (program, verified) = match code {
        CodePolicy::Saved => {
            let host = skein_world::load_options(world).host_modules;
            crate::saved_code::program(&body.modules, host.into_iter().map(|h| h.0).collect())?
        }
        CodePolicy::Current(p) => {
            let saved = saved_hashes(&body.modules);
            let in_frames = body
                .tasklets
                .iter()
                .flat_map(|t| &t.fiber.frames)
                .map(|f| (f.func.module(), f.func.function()));
            let changed = changed_functions(&p, &saved, in_frames);
            if !changed.is_empty() {
                return Err(LoadError::whole(Problem::ChangedFunctions(changed)));
            }
            let verified = Verified::new(&p)?;
            (p, verified)
        }
    };
    check_ids(body)?;
    let shard = crate::shard_save::stage(w.resources.get(crate::shard_save::TAG), body, w.next_id)?;

    // The world keeps a slot per id ever handed out, so a loader makes
    // `next_id` of them: a hostile count must not become an allocation.
    let records = (body.tasklets.len() + body.channels.len()) as u64;
    if w.next_id > records + 1 + SPARE_IDS {
        return Err(LoadError::at(
            &root.field("world").field("next_id"),
            Problem::TooLarge {
                what: "next_id",
                size: w.next_id,
                limit: records + 1 + SPARE_IDS,
            },
        ));
    }
    // `check_ids` has made both lists strictly increasing: membership is a
    // binary search, no set built.
    let recs = &body.tasklets;
    let is_tasklet = |id: u64| recs.binary_search_by_key(&id, |t| t.id).is_ok();
    let tasklet_rec = |id: u64| (recs.binary_search_by_key(&id, |t| t.id).ok()).map(|i| &recs[i]);
    for (i, id) in (recs.iter().map(|t| &t.id))
        .chain(body.channels.iter().map(|c| &c.id))
        .enumerate()
    {
        // A tasklet that arrived from another shard keeps its id there.
        let arrived = shard.as_ref().is_some_and(|s| s.numbered_elsewhere(*id));
        if *id >= w.next_id && !arrived {
            return Err(LoadError::invalid(
                &root.field("world").field("next_id"),
                format!("id {id} is not below next_id {} ({i})", w.next_id),
            ));
        }
    }
    if w.main != 0 && !is_tasklet(w.main) {
        return Err(LoadError::at(
            &root.field("world").field("main"),
            Problem::Dangling {
                what: "tasklet",
                id: w.main,
            },
        ));
    }
    let ring = id_list(&w.ring, &is_tasklet, &root.field("world").field("ring"))?;
    let sleepers = id_list(
        &w.sleepers,
        &is_tasklet,
        &root.field("world").field("sleepers"),
    )?;
    for t in &body.tasklets {
        if matches!(t.wait, Wait::Sleep { .. }) != sleepers.contains(&t.id) {
            return Err(LoadError::invalid(
                &root.field("world").field("sleepers"),
                format!("tasklet {} sleeps exactly when it is listed here", t.id),
            ));
        }
    }

    let natives = NativeNames::of(world.resource::<Natives>());
    let identity = |ids: &mut dyn Iterator<Item = u64>| IdTable::new(ids.map(|i| (i, i)));
    let mut tasklets_table = identity(&mut recs.iter().map(|t| t.id));
    let mut channels_table = identity(&mut body.channels.iter().map(|c| c.id));
    if let Some(s) = &shard {
        let (k, n, next) = (s.rec.shard, s.rec.shards, s.next_id);
        tasklets_table = IdTable::Shard(
            Box::new(tasklets_table),
            Box::new(move |id| id != 0 && ((id - 1) % n != k || id < next)),
        );
        channels_table = IdTable::Shard(
            Box::new(channels_table),
            Box::new(move |id| id != 0 && (id - 1) % n != k),
        );
    }
    let resolve = MapResolve {
        program: &program,
        natives: &natives,
        tasklets: tasklets_table,
        channels: channels_table,
        main: (w.main != 0).then_some(w.main),
        last: Default::default(),
    };
    let limits = Limits {
        frame_limit: w.options.frame_limit,
        size_limit: w.options.size_limit,
    };
    let dec = Decoder::new(&body.values, &resolve, limits, &root.field("values"))?;
    let registry = registry_of(world);
    let (mut tasklets, channels) = stage(
        body,
        &dec,
        &resolve,
        &verified,
        &registry,
        &ring,
        save.header.tick,
        shard.as_ref(),
    )?;

    // Completions: each for a tasklet waiting in that very request.
    let mut completions = Vec::with_capacity(w.completions.len());
    let mut completed = BTreeSet::new();
    for (i, c) in w.completions.iter().enumerate() {
        let p_0 = root.field("world");
        let p_1 = p_0.field("completions");
        let p = p_1.index(i);
        let waits = tasklet_rec(c.tasklet).is_some_and(
            |t| matches!(&t.wait, Wait::Native { request, .. } if *request == c.request),
        );
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

    let globals = stage_globals(save, &program, &dec)?;
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
        Some(s) => Some(crate::shard_save::link_of(s, &resolve, limits)?),
        None => None,
    };

    // Everything is checked: build the world.
    let seed = save.header.seed;
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
    world.insert_resource(Code(Arc::new(program)));
    world.insert_resource(ScriptGlobals(globals));
    world.insert_resource(RunCounters {
        switches: w.counters.switches,
        messages: w.counters.messages,
        tasklets: w.counters.tasklets,
        ticks: w.counters.ticks,
    });

    let mut sched = Scheduler {
        tick: save.header.tick,
        main: w.main,
        ..Scheduler::default()
    };
    // Sleep numbers restart from 1 in saved order; the world's counter
    // holds the last one handed out. Staged tasklets keep the records'
    // order, so by id too.
    for (i, id) in w.sleepers.iter().enumerate() {
        let seq = i as u64 + 1;
        let k = tasklets.binary_search_by_key(id, |t| t.rec_id);
        if let Some(t) = k.ok().and_then(|k| tasklets.get_mut(k))
            && let WWait::Sleep { until, .. } = t.state.wait
        {
            t.state.wait = WWait::Sleep { until, seq };
            sched.sleepers.insert((until, seq), *id);
        }
    }
    sched.sleep_seq = w.sleepers.len() as u64;
    let mut parked = Vec::new();
    let mut exts = Vec::with_capacity(tasklets.len() + channels.len());
    let mut rec_ids = Vec::with_capacity(tasklets.len() + channels.len());
    let mut bundles = Vec::with_capacity(tasklets.len());
    for t in tasklets {
        let id = t.rec_id;
        if let WWait::Native(req) = &t.state.wait
            && !completed.contains(&id)
        {
            parked.push((req.clone(), id));
        }
        rec_ids.push(id);
        exts.push(t.ext);
        bundles.push((t.state, TaskletFiber::new(t.fiber)));
    }
    // In bulk: the table grows once, not once per doubling.
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

/// Globals by module and name onto `program`'s slots.
fn stage_globals(save: &SaveFile, program: &Program, dec: &Decoder) -> Result<Globals, LoadError> {
    let top = FieldPath::root();
    let world_path = top.field("world");
    let root = world_path.field("globals");
    let recs = save.body.world.as_ref().map_or(&[][..], |w| &w.globals[..]);
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
