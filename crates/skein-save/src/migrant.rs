//! One tasklet moving between shards (`sim.migrate(k)`, docs/cluster.md):
//! taken out of its world as a one-tasklet selection record — frames,
//! locals, name, `data`, flags and registered host components — and put into
//! another world under the same id.
//!
//! Unlike an ordinary selection, nothing the tasklet refers to goes with it:
//! tasklets and channels inside its values are written as their cluster-wide
//! ids and come back as the same ids, wherever those live. Its modules are
//! written as function hashes only (every shard runs the same code, checked
//! when the cluster starts), so a record stays small.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use bevy_ecs::resource::Resource;
use bevy_ecs::world::{Mut, World};
use skein_script::bytecode::Program;
use skein_vm::Fiber;
use skein_world::shard::ShardLink;
use skein_world::{Code, Natives, Scheduler, TaskletFiber, TaskletState, WorldOptions};

use crate::code::ContentHash;
use crate::error::{FieldPath, LoadError, Problem, SaveError};
use crate::format::{Body, Header, ModuleRec, SaveFile, SaveKind, Status, TickStateRec, Wait};
use crate::names::{NativeNames, changed_functions_in, module_recs, saved_hashes};
use crate::registry::{IdMap, registry_of};
use crate::resolve::{MapResolve, limits_of};
use crate::staging::{check_ids, stage};
use crate::tasklet::tasklet_rec;
use crate::values::{Decoder, Encoder};

/// What every migrant of one program needs and is the same for all:
/// the module records without their source, the natives' names and the
/// functions' content hashes, computed once per program (and set of
/// natives) rather than once per tasklet.
#[derive(Resource)]
struct MigrantCache {
    program: Arc<Program>,
    natives_len: usize,
    modules: Vec<ModuleRec>,
    natives: Arc<NativeNames>,
    hashes: HashMap<u16, Vec<ContentHash>>,
}

/// The world's cache, made again when its code or natives changed.
fn cache_of<'w>(world: &'w mut World, program: &Arc<Program>) -> Mut<'w, MigrantCache> {
    let natives_len = world.resource::<Natives>().fns.len();
    let fresh = world
        .get_resource::<MigrantCache>()
        .is_some_and(|c| Arc::ptr_eq(&c.program, program) && c.natives_len == natives_len);
    if !fresh {
        let modules = module_recs(program)
            .into_iter()
            .map(|m| ModuleRec {
                source: String::new(),
                ..m
            })
            .collect();
        let natives = Arc::new(NativeNames::of(world.resource::<Natives>()));
        world.insert_resource(MigrantCache {
            program: program.clone(),
            natives_len,
            modules,
            natives,
            hashes: HashMap::new(),
        });
    }
    world.resource_mut::<MigrantCache>()
}

/// Takes tasklet `id` out of `world` (between ticks) as a one-tasklet
/// selection record, and unbinds its id here. It must be alive and not
/// blocked: a tasklet that called `migrate` is neither.
pub fn take_migrant(world: &mut World, id: u64) -> Result<SaveFile, SaveError> {
    let program = world.resource::<Code>().0.clone();
    let cache = cache_of(world, &program);
    let (modules, natives) = (cache.modules.clone(), cache.natives.clone());
    let registry = registry_of(world);
    let sched = world.resource::<Scheduler>();
    let tick = sched.tick;
    let e = sched
        .ring
        .entity(id)
        .ok_or_else(|| SaveError::Unsaveable(format!("no tasklet with id {id}")))?;
    let t = world
        .get::<TaskletState>(e)
        .ok_or_else(|| SaveError::Unsaveable(format!("#{id} is a channel, not a tasklet")))?;
    if !t.alive || t.blocked() {
        return Err(SaveError::Unsaveable(format!(
            "tasklet #{id} cannot move: it is {}",
            if t.alive { "blocked" } else { "not alive" }
        )));
    }
    let empty = Fiber::default();
    let fiber = world.get::<TaskletFiber>(e).map_or(&empty, |f| &*f.0);
    let mut enc = Encoder::new(&program);
    // The cluster's ids are the same on every shard: written as they are.
    let mut refs = crate::crossing::CrossRefs {
        natives: &natives,
        channels: BTreeSet::new(),
        tasklets: BTreeSet::new(),
    };
    let mut rec = tasklet_rec(&mut enc, &mut refs, id, t, fiber, tick)?;
    let crossing_channels = refs.channels;
    let crossing_tasklets = refs.tasklets;
    rec.tick_state = TickStateRec::default();
    rec.status = Status::Paused;
    let same = |id: u64| Some(id);
    let ids = IdMap::new(&same);
    for c in &registry.components {
        if let Some(v) = (c.save)(world, e, &ids) {
            rec.ext.insert(c.tag.clone(), v.map_err(SaveError::Encode)?);
        }
    }
    let values = enc.into_table();
    let used = crate::selection::modules_used(std::slice::from_ref(&rec), &[], &values);
    let modules: Vec<ModuleRec> = modules
        .into_iter()
        .filter(|m| used.contains(&m.name))
        .collect();
    let seed = world.resource::<WorldOptions>().seed;
    let mut header = Header::new(SaveKind::Selection, tick, seed);
    for m in &modules {
        header.modules.insert(m.name.clone(), m.hash);
    }
    world.despawn(e);
    skein_world::remote_publish::export_channels(world, crossing_channels);
    skein_world::remote_publish::watch_tasklets(world, crossing_tasklets);
    let mut sched = world.resource_mut::<Scheduler>();
    sched.ring.remove(id);
    sched.ring.set_entity(id, None);
    if let Some(mut link) = world.get_resource_mut::<ShardLink>() {
        link.moves_out += 1;
    }
    Ok(SaveFile {
        header,
        body: Body {
            modules,
            tasklets: vec![rec],
            channels: Vec::new(),
            world: None,
            roots: Vec::new(),
            ring_order: Vec::new(),
            values,
        },
    })
}

/// Puts a migrant taken by [`take_migrant`] into `world` (between ticks)
/// under its own id, paused, and lists it to join the ring at the start of
/// the next tick. On error the world is left as it was.
pub fn put_migrant(world: &mut World, save: &SaveFile) -> Result<u64, LoadError> {
    let root = FieldPath::root();
    let body = &save.body;
    if save.header.kind != SaveKind::Selection
        || body.tasklets.len() != 1
        || !body.channels.is_empty()
    {
        return Err(LoadError::whole(Problem::Invalid(
            "a migrant is a selection of exactly one tasklet".into(),
        )));
    }
    let rec = &body.tasklets[0];
    if rec.wait != Wait::Nothing {
        return Err(LoadError::invalid(
            &root.field("tasklets").index(0).field("wait"),
            "a migrant cannot be waiting",
        ));
    }
    let program = world.resource::<Code>().0.clone();
    let saved = saved_hashes(&body.modules);
    let in_frames = rec
        .fiber
        .frames
        .iter()
        .map(|f| (f.func.module(), f.func.function()));
    let changed = {
        let mut cache = cache_of(world, &program);
        changed_functions_in(&program, &saved, in_frames, &mut cache.hashes)
    };
    if !changed.is_empty() {
        return Err(LoadError::whole(Problem::ChangedFunctions(changed)));
    }
    check_ids(body)?;
    let id = rec.id;
    let sched = world.resource::<Scheduler>();
    if sched.ring.entity(id).is_some() {
        return Err(LoadError::at(
            &root.field("tasklets").index(0).field("id"),
            Problem::Duplicate {
                what: "tasklet",
                id,
            },
        ));
    }
    let (main, tick) = (sched.main, sched.tick);
    let verified = crate::check::verified_for(world, &program)?;
    let natives = cache_of(world, &program).natives.clone();
    let resolve = MapResolve::same_ids(&program, &natives, main);
    let limits = limits_of(world);
    let dec = Decoder::new(&body.values, &resolve, limits, &root.field("values"))?;
    let registry = registry_of(world);
    let (mut staged, _) = stage(
        body,
        &dec,
        &resolve,
        &verified,
        &registry,
        &BTreeSet::new(),
        tick,
        None,
    )?;
    let Some(t) = staged.pop() else {
        return Err(LoadError::whole(Problem::Invalid("no tasklet".into())));
    };
    let mut state = t.state;
    state.yielded = false;
    state.budget_tick = 0;
    state.budget_used = 0;
    let e = world.spawn((state, t.fiber)).id();
    world
        .resource_mut::<Scheduler>()
        .ring
        .set_entity(id, Some(e));
    let same = |id: u64| Some(id);
    let ids = IdMap::new(&same);
    let ext: BTreeMap<_, _> = t.ext;
    for (tag, v) in ext {
        if let Some(c) = registry.component(&tag)
            && let Err(m) = (c.load)(world, e, &v, &ids)
        {
            // Leave the world as it was.
            world.despawn(e);
            world.resource_mut::<Scheduler>().ring.set_entity(id, None);
            return Err(LoadError::invalid(&root.field("ext").key(&tag), m));
        }
    }
    if let Some(mut link) = world.get_resource_mut::<ShardLink>() {
        link.arriving.push(id);
        link.moves_in += 1;
    }
    Ok(id)
}
