//! Loading a selection into a running world: checked in a staging area
//! first, then every record becomes a new entity with a fresh id.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bevy_ecs::world::World;
use skein_vm::Value;
use skein_world::components::Wait as WWait;
use skein_world::{
    ChannelState, Code, NativeCall, NativeQueue, Natives, RunCounters, Scheduler, TaskletFiber,
    TaskletState,
};

use crate::error::{FieldPath, LoadError, Problem};
use crate::format::{SaveFile, SaveKind};
use crate::names::{NativeNames, changed_functions, saved_hashes};
use crate::registry::{IdMap, registry_of};
use crate::resolve::{IdTable, MapResolve};
use crate::staging::{check_ids, id_list, stage};
use crate::values::{Decoder, Place};

/// Loads a selection into a running `world`: new entities with fresh ids in
/// record order, runnable tasklets paused (or, with `schedule`, appended to
/// the ring in their saved order), waiters blocked on the new channels,
/// sleepers and native waiters in the same wait. Returns the roots as values
/// of this world. On error the world is left exactly as it was.
pub fn load_selection(
    world: &mut World,
    save: &SaveFile,
    schedule: bool,
) -> Result<Vec<Value>, LoadError> {
    load_or_check(world, save, schedule, true)
}

/// Checks a selection against `world` (its code, natives, limits and
/// registry) exactly as [`load_selection`] would, without loading it: for
/// `skein run --load`, which checks before tick 0 and loads later.
pub fn check_selection(world: &mut World, save: &SaveFile) -> Result<(), LoadError> {
    load_or_check(world, save, false, false).map(|_| ())
}

fn load_or_check(
    world: &mut World,
    save: &SaveFile,
    schedule: bool,
    commit: bool,
) -> Result<Vec<Value>, LoadError> {
    let root = FieldPath::root();
    if save.header.kind != SaveKind::Selection {
        return Err(LoadError::whole(Problem::WrongKind {
            found: "world",
            expected: "selection",
            hint: " (continue it with `skein resume`)",
        }));
    }
    let body = &save.body;
    let program = world.resource::<Code>().0.clone();
    for (i, m) in body.modules.iter().enumerate() {
        if program.module_index(&m.name).is_none() {
            return Err(LoadError::at(
                &root.field("modules").index(i),
                Problem::UnknownModule(m.name.clone()),
            ));
        }
    }
    let saved = saved_hashes(&body.modules);
    // A frame naming a function the selection's own code lacks is a bad
    // field, not changed code: say which one.
    for (i, t) in body.tasklets.iter().enumerate() {
        for (j, f) in t.fiber.frames.iter().enumerate() {
            let (module, name) = (f.func.module(), f.func.function());
            if !saved.contains_key(&(module, name)) {
                let tasklets = root.field("tasklets");
                let tasklet = tasklets.index(i);
                let fiber = tasklet.field("fiber");
                let frames = fiber.field("frames");
                let frame = frames.index(j);
                return Err(LoadError::at(
                    &frame.field("func"),
                    Problem::UnknownFunction {
                        module: module.into(),
                        name: name.into(),
                    },
                ));
            }
        }
    }
    let in_frames = body
        .tasklets
        .iter()
        .flat_map(|t| &t.fiber.frames)
        .map(|f| (f.func.module(), f.func.function()));
    let changed = changed_functions(&program, &saved, in_frames);
    if !changed.is_empty() {
        return Err(LoadError::whole(Problem::ChangedFunctions(changed)));
    }
    let verified = crate::check::verified_for(world, &program)?;
    check_ids(body)?;
    let sched = world.resource::<Scheduler>();
    let (main, next_id, stride, tick, in_tick) = (
        sched.main,
        sched.ring.next_id(),
        sched.ring.stride(),
        sched.tick,
        sched.in_tick,
    );
    // Fresh ids in record order, tasklets and channels together.
    let mut all: Vec<(u64, bool)> = body
        .tasklets
        .iter()
        .map(|t| (t.id, false))
        .chain(body.channels.iter().map(|c| (c.id, true)))
        .collect();
    all.sort();
    let mut tasklet_map = HashMap::new();
    let mut channel_map = HashMap::new();
    for (k, (id, is_channel)) in all.iter().enumerate() {
        let new = next_id + k as u64 * stride;
        if *is_channel {
            channel_map.insert(*id, new);
        } else {
            tasklet_map.insert(*id, new);
        }
    }
    let tasklet_ids: BTreeSet<u64> = tasklet_map.keys().copied().collect();
    let is_tasklet = |id: u64| tasklet_ids.contains(&id);
    let ring = id_list(&body.ring_order, &is_tasklet, &root.field("ring_order"))?;
    let natives = NativeNames::of(world.resource::<Natives>());
    let resolve = MapResolve::new(
        &program,
        &natives,
        IdTable::new(tasklet_map),
        IdTable::new(channel_map),
        (main != 0).then_some(main),
    );
    let limits = crate::resolve::limits_of(world);
    let dec = Decoder::new(&body.values, &resolve, limits, &root.field("values"))?;
    let mut roots = Vec::with_capacity(body.roots.len());
    for (i, r) in body.roots.iter().enumerate() {
        roots.push(dec.decode(r, Place::Plain, &root.field("roots").index(i))?);
    }
    let registry = registry_of(world);
    // A sleep of r ticks loaded between ticks wakes at the start of tick
    // `tick + r` (the next tick is `tick`); mid-tick, tick `tick` has
    // started, so r = 0 wakes next tick.
    let (staged_t, staged_c) = stage(
        body, &dec, &resolve, &verified, &registry, &ring, tick, None,
    )?;

    if !commit {
        return Ok(roots);
    }
    // Commit.
    let mut sched = std::mem::take(&mut *world.resource_mut::<Scheduler>());
    let mut entities = Vec::new();
    let mut ids_by_record: BTreeMap<u64, bevy_ecs::entity::Entity> = BTreeMap::new();
    let mut tasklets: BTreeMap<u64, (TaskletState, TaskletFiber, BTreeMap<_, _>)> = BTreeMap::new();
    for t in staged_t {
        tasklets.insert(t.rec_id, (t.state, t.fiber, t.ext));
    }
    let mut chans: BTreeMap<u64, (ChannelState, BTreeMap<_, _>)> = BTreeMap::new();
    for c in staged_c {
        chans.insert(c.rec_id, (c.state, c.ext));
    }
    let mut parked = Vec::new();
    for (id, is_channel) in &all {
        let e = if *is_channel {
            let Some((state, ext)) = chans.remove(id) else {
                continue;
            };
            let e = world.spawn(state).id();
            entities.push((e, ext));
            e
        } else {
            let Some((mut state, fiber, ext)) = tasklets.remove(id) else {
                continue;
            };
            state.yielded = false;
            state.budget_tick = 0;
            state.budget_used = 0;
            match &mut state.wait {
                WWait::Sleep { until, seq } => {
                    if in_tick && *until == tick {
                        *until = tick + 1;
                    }
                    // After the tick's sleepers so far.
                    let Some(next) = sched.sleepers.insert_next(*until, state.id) else {
                        return Err(LoadError::whole(crate::error::Problem::Invalid(format!(
                            "more sleepers into tick {until} than a tick can order"
                        ))));
                    };
                    *seq = next;
                }
                WWait::Native(req) => {
                    req.request = world.resource_mut::<NativeQueue>().fresh_request();
                    parked.push((state.id, (**req).clone()));
                }
                _ => {}
            }
            let e = world.spawn((state, fiber)).id();
            world.resource_mut::<RunCounters>().tasklets += 1;
            entities.push((e, ext));
            e
        };
        let new = sched.ring.allocate(e);
        ids_by_record.insert(*id, e);
        debug_assert_eq!(new, resolve_id(&resolve, *id, *is_channel));
    }
    if schedule {
        for id in &body.ring_order {
            if let Ok(new) = crate::values::Resolve::tasklet(&resolve, *id) {
                sched.ring.insert_tail(new);
            }
        }
    }
    {
        let mut queue = world.resource_mut::<NativeQueue>();
        for (tasklet, req) in parked {
            if let Some(entity) = sched.ring.entity(tasklet) {
                queue.park_loaded(NativeCall::of(req, tasklet, entity));
            }
        }
    }
    *world.resource_mut::<Scheduler>() = sched;
    let map = |id: u64| {
        crate::values::Resolve::tasklet(&resolve, id)
            .or_else(|_| crate::values::Resolve::channel(&resolve, id))
            .ok()
    };
    let ids = IdMap::new(&map);
    for (e, ext) in entities {
        for (tag, v) in ext {
            if let Some(c) = registry.component(&tag) {
                (c.load)(world, e, &v, &ids)
                    .map_err(|m| LoadError::invalid(&root.field("ext").key(&tag), m))?;
            }
        }
    }
    Ok(roots)
}

fn resolve_id(resolve: &MapResolve, id: u64, is_channel: bool) -> u64 {
    use crate::values::Resolve;
    if is_channel {
        resolve.channel(id).unwrap_or(0)
    } else {
        resolve.tasklet(id).unwrap_or(0)
    }
}
