//! Selections: chosen tasklets and channels with what they reach, saved from
//! a world and loaded into a running one (saves.md, "A selection";
//! stackless-rules.md, "Selections and pickle").
//!
//! Records are numbered 1..n breadth-first from the roots: a tasklet's
//! values in frame order, then tempval, pending errors and data, reach
//! further tasklets and channels; a channel reaches its waiters. The channel
//! a tasklet waits on is saved only if a value refers to it; otherwise the
//! tasklet comes back not blocked. Main is written as `Main` and never saved.
//! Loading gives every record a fresh id in record order.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use bevy_ecs::world::World;
use skein_vm::{Fiber, Limits, Value};
use skein_world::components::Wait as WWait;
use skein_world::{
    ChannelState, Code, NativeCall, NativeQueue, Natives, RunCounters, Scheduler, TaskletFiber,
    TaskletState,
};

use crate::error::{FieldPath, LoadError, Problem, SaveError};
use crate::format::{
    Body, ChannelRec, Dir, Header, SaveFile, SaveKind, TaskletRec, TickStateRec, Wait,
};
use crate::names::{NativeNames, changed_functions, module_recs, saved_hashes};
use crate::registry::{IdMap, registry_of};
use crate::staging::{MapResolve, check_ids, id_list, stage};
use crate::tasklet::{status_of, tasklet_rec};
use crate::values::{Decoder, EncodeRefs, Encoder, IterRec, Place, ValueRec};

/// Numbers tasklets and channels as the encoder meets them.
struct SelRefs<'a> {
    world: &'a World,
    natives: &'a NativeNames,
    main: u64,
    current: u64,
    numbers: HashMap<u64, u64>,
    /// Ids met as channel references (the rest as tasklets), to catch a
    /// reference that names the wrong kind of entity.
    channels: BTreeSet<u64>,
    queue: VecDeque<u64>,
    /// The record being written, which pulls in what it refers to.
    parent: Option<u64>,
    /// Who pulled each id in (`None`: a root).
    via: HashMap<u64, Option<u64>>,
}

impl SelRefs<'_> {
    fn number(&mut self, id: u64, channel: bool) -> Result<u64, SaveError> {
        if let Some(n) = self.numbers.get(&id) {
            if self.channels.contains(&id) != channel {
                return Err(wrong_kind(id, channel));
            }
            return Ok(*n);
        }
        let n = self.numbers.len() as u64 + 1;
        self.numbers.insert(id, n);
        self.via.insert(id, self.parent);
        if channel {
            self.channels.insert(id);
        }
        self.queue.push_back(id);
        Ok(n)
    }
}

fn wrong_kind(id: u64, channel: bool) -> SaveError {
    let (is, not) = if channel {
        ("tasklet", "channel")
    } else {
        ("channel", "tasklet")
    };
    SaveError::Unsaveable(format!("#{id} is a {is}, not a {not}"))
}

impl EncodeRefs for SelRefs<'_> {
    fn tasklet(&mut self, id: u64) -> Result<ValueRec, SaveError> {
        if id == self.main && id != 0 {
            return Ok(ValueRec::Main);
        }
        if id == self.current && id != 0 {
            return Err(SaveError::Unsaveable(
                "the current tasklet cannot be saved from inside itself".into(),
            ));
        }
        Ok(ValueRec::Tasklet(self.number(id, false)?))
    }
    fn channel(&mut self, id: u64) -> Result<u64, SaveError> {
        self.number(id, true)
    }
    fn native(&self, id: u32) -> Option<(String, String)> {
        let _ = self.world;
        self.natives.name(id)
    }
}

/// What a selection save reports besides the file: why each record is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    /// Record id and the world id it was saved from.
    pub record: u64,
    pub world_id: u64,
    pub is_channel: bool,
    /// The world id of the tasklet or channel whose record pulled it in
    /// (by a value it holds, or as a channel's waiter); `None` for a root.
    pub via: Option<u64>,
}

/// What a selection left behind: channels whose waiters included main.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectionReport {
    pub pulled: Vec<Pulled>,
    /// World ids of saved channels main was waiting on (left out).
    pub main_left_out: Vec<u64>,
}

/// Saves `roots` and everything they reach. `current` is the tasklet doing
/// the saving (0 between ticks), which cannot be reached.
pub fn save_selection(
    world: &World,
    roots: &[Value],
    current: u64,
) -> Result<(SaveFile, SelectionReport), SaveError> {
    let sched = world.resource::<Scheduler>();
    let program = world.resource::<Code>().0.clone();
    let natives = NativeNames::of(world.resource::<Natives>());
    let registry = registry_of(world);
    let mut enc = Encoder::new(&program);
    let mut refs = SelRefs {
        world,
        natives: &natives,
        main: sched.main,
        current,
        numbers: HashMap::new(),
        channels: BTreeSet::new(),
        queue: VecDeque::new(),
        parent: None,
        via: HashMap::new(),
    };
    let mut root_recs = Vec::with_capacity(roots.len());
    for v in roots {
        root_recs.push(enc.encode(v, &mut refs)?);
    }
    // The tick sleeps count from: between ticks the next one; mid-tick the
    // one running.
    let tick = sched.tick;
    let mut tasklets: Vec<TaskletRec> = Vec::new();
    let mut channels: Vec<ChannelRec> = Vec::new();
    let mut pulled = Vec::new();
    // Tasklets by record number → the world channel they wait on.
    let mut waits_on: Vec<(usize, u64)> = Vec::new();
    let mut entities = Vec::new();
    let mut main_left_out = Vec::new();
    while let Some(id) = refs.queue.pop_front() {
        let n = refs.numbers[&id];
        refs.parent = Some(id);
        let e = sched
            .ring
            .entity(id)
            .ok_or_else(|| SaveError::Unsaveable(format!("no tasklet or channel with id {id}")))?;
        let ext = BTreeMap::new();
        entities.push((n, e));
        let is_channel = refs.channels.contains(&id);
        if world.get::<ChannelState>(e).is_some() != is_channel {
            return Err(wrong_kind(id, !is_channel));
        }
        if let Some(t) = world.get::<TaskletState>(e) {
            let empty = Fiber::default();
            let fiber = world.get::<TaskletFiber>(e).map_or(&empty, |f| &f.0);
            let mut rec = tasklet_rec(&mut enc, &mut refs, n, t, fiber, tick)?;
            if let Wait::Channel { id: ch, .. } = rec.wait {
                waits_on.push((tasklets.len(), ch));
            }
            rec.tick_state = TickStateRec::default();
            rec.ext = ext;
            tasklets.push(rec);
            pulled.push(Pulled {
                record: n,
                world_id: id,
                is_channel: false,
                via: None,
            });
        } else if let Some(c) = world.get::<ChannelState>(e) {
            let mut waiters = Vec::with_capacity(c.waiters.len());
            for w in &c.waiters {
                // Main stays in its own world: it is left out of the queue.
                if *w != sched.main {
                    waiters.push(refs.number(*w, false)?);
                } else {
                    main_left_out.push(id);
                }
            }
            channels.push(ChannelRec {
                id: n,
                preference: c.preference,
                schedule_all: c.schedule_all,
                closing: c.closing,
                dir: if c.senders { Dir::Send } else { Dir::Receive },
                waiters,
                ext,
            });
            pulled.push(Pulled {
                record: n,
                world_id: id,
                is_channel: true,
                via: None,
            });
        }
    }
    // Host components last, when every record has its number.
    let numbers = refs.numbers.clone();
    let by_number = |id: u64| numbers.get(&id).copied();
    let ids = IdMap::new(&by_number);
    for (n, e) in entities {
        let mut ext = BTreeMap::new();
        for c in &registry.components {
            if let Some(v) = (c.save)(world, e, &ids) {
                ext.insert(c.tag.clone(), v.map_err(SaveError::Encode)?);
            }
        }
        if ext.is_empty() {
            continue;
        }
        if let Some(t) = tasklets.iter_mut().find(|t| t.id == n) {
            t.ext = ext;
        } else if let Some(c) = channels.iter_mut().find(|c| c.id == n) {
            c.ext = ext;
        }
    }
    // A wait survives only on a channel that is in the selection.
    for (i, ch) in waits_on {
        let rec = &mut tasklets[i];
        rec.wait = match (refs.numbers.get(&ch), &rec.wait) {
            (Some(n), Wait::Channel { dir, .. }) => Wait::Channel { id: *n, dir: *dir },
            _ => Wait::Nothing,
        };
    }
    // Runnable ones in ring order, counted from the head (mid-tick, from
    // the tasklet after the current one).
    let mut order = sched.ring.order();
    if current != 0
        && let Some(pos) = order.iter().position(|t| *t == current)
    {
        order.rotate_left(pos + 1);
    }
    let not_waiting: BTreeSet<u64> = tasklets
        .iter()
        .filter(|t| t.wait == Wait::Nothing)
        .map(|t| t.id)
        .collect();
    let ring_order: Vec<u64> = order
        .iter()
        .filter_map(|id| refs.numbers.get(id).copied())
        .filter(|n| not_waiting.contains(n))
        .collect();
    let runnable: BTreeSet<u64> = ring_order.iter().copied().collect();
    for rec in &mut tasklets {
        rec.status = status_of(rec, runnable.contains(&rec.id));
    }
    tasklets.sort_by_key(|t| t.id);
    channels.sort_by_key(|c| c.id);

    let values = enc.into_table();
    let used = modules_used(&tasklets, &root_recs, &values);
    let modules: Vec<_> = module_recs(&program)
        .into_iter()
        .filter(|m| used.contains(&m.name))
        .collect();
    let seed = world
        .get_resource::<skein_world::WorldOptions>()
        .map_or(0, |o| o.seed);
    let mut header = Header::new(SaveKind::Selection, tick, seed);
    for m in &modules {
        header.modules.insert(m.name.clone(), m.hash);
    }
    let save = SaveFile {
        header,
        body: Body {
            modules,
            tasklets,
            channels,
            world: None,
            roots: root_recs,
            ring_order,
            values,
        },
    };
    for p in &mut pulled {
        p.via = refs.via.get(&p.world_id).copied().flatten();
    }
    pulled.sort_by_key(|p| p.record);
    Ok((
        save,
        SelectionReport {
            pulled,
            main_left_out,
        },
    ))
}

/// Modules a saved frame, function value or traceback belongs to.
fn modules_used(
    tasklets: &[TaskletRec],
    roots: &[ValueRec],
    table: &[ValueRec],
) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut work: Vec<&ValueRec> = roots.iter().chain(table).collect();
    for t in tasklets {
        if let Some(f) = &t.func {
            used.insert(f.0.clone());
        }
        for f in &t.fiber.frames {
            used.insert(f.func.0.clone());
            work.extend(f.locals.iter().chain(&f.stack));
        }
        work.extend([&t.data, &t.tempval]);
        work.extend(t.pending.iter().chain(&t.fiber.pending));
        if let crate::format::SuspensionRec::SendSequence { items, .. } = &t.suspension {
            work.push(items);
        }
        if let Wait::Native { args, .. } = &t.wait {
            work.extend(args);
        }
    }
    // Inline values nest only a bounded depth, so this walk is bounded too.
    while let Some(v) = work.pop() {
        match v {
            ValueRec::Function(m, _) => {
                used.insert(m.clone());
            }
            ValueRec::List(items) => work.extend(items),
            ValueRec::Dict(entries) => {
                for (k, v) in entries {
                    work.push(k);
                    work.push(v);
                }
            }
            ValueRec::Error(e) => {
                work.extend(&e.args);
                for t in &e.traceback {
                    used.insert(t.module.clone());
                }
            }
            ValueRec::Method(r, _) => work.push(r),
            ValueRec::Iter(it) => match &**it {
                IterRec::List { list: v, .. }
                | IterRec::Str { s: v, .. }
                | IterRec::DictKeys { dict: v, .. } => work.push(v),
                IterRec::Range { .. } | IterRec::Channel(_) => {}
            },
            _ => {}
        }
    }
    used
}

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
    let (main, next_id, tick, in_tick) =
        (sched.main, sched.ring.next_id(), sched.tick, sched.in_tick);
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
        let new = next_id + k as u64;
        if *is_channel {
            channel_map.insert(*id, new);
        } else {
            tasklet_map.insert(*id, new);
        }
    }
    let tasklet_ids: BTreeSet<u64> = tasklet_map.keys().copied().collect();
    let ring = id_list(&body.ring_order, &tasklet_ids, &root.field("ring_order"))?;
    let natives = NativeNames::of(world.resource::<Natives>());
    let resolve = MapResolve {
        program: &program,
        natives: &natives,
        tasklets: tasklet_map,
        channels: channel_map,
        main: (main != 0).then_some(main),
    };
    let limits = world
        .get_resource::<skein_world::WorldOptions>()
        .map_or_else(Limits::default, |o| o.limits);
    let dec = Decoder::new(&body.values, &resolve, limits, &root.field("values"))?;
    let mut roots = Vec::with_capacity(body.roots.len());
    for (i, r) in body.roots.iter().enumerate() {
        roots.push(dec.decode(r, Place::Plain, &root.field("roots").index(i))?);
    }
    let registry = registry_of(world);
    // A sleep of r ticks loaded between ticks wakes at the start of tick
    // `tick + r` (the next tick is `tick`); mid-tick, tick `tick` has
    // started, so r = 0 wakes next tick.
    let (staged_t, staged_c) = stage(body, &dec, &resolve, &verified, &registry, &ring, tick)?;

    if !commit {
        return Ok(roots);
    }
    // Commit.
    let mut sched = std::mem::take(&mut *world.resource_mut::<Scheduler>());
    let mut entities = Vec::new();
    let mut ids_by_record: BTreeMap<u64, bevy_ecs::entity::Entity> = BTreeMap::new();
    let mut tasklets: BTreeMap<u64, (TaskletState, Fiber, BTreeMap<_, _>)> = BTreeMap::new();
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
            state.yielded = 0;
            state.budget_tick = 0;
            state.budget_used = 0;
            match &mut state.wait {
                WWait::Sleep { until, seq } => {
                    if in_tick && *until == tick {
                        *until = tick + 1;
                    }
                    // The world's counter holds the last number handed out.
                    sched.sleep_seq += 1;
                    *seq = sched.sleep_seq;
                }
                WWait::Native(req) => {
                    req.request = world.resource_mut::<NativeQueue>().fresh_request();
                    parked.push((state.id, req.clone()));
                }
                _ => {}
            }
            if let WWait::Sleep { until, seq } = state.wait {
                sched.sleepers.insert((until, seq), state.id);
            }
            let e = world.spawn((state, TaskletFiber(fiber))).id();
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
                queue.park_loaded(NativeCall {
                    request: req.request,
                    tasklet,
                    entity,
                    module: req.module,
                    name: req.name,
                    args: req.args,
                });
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
