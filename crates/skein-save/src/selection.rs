//! Selections: chosen tasklets and channels with what they reach, saved from
//! a world and loaded into a running one (docs/saves.md, "What a selection holds";
//! docs/saves.md, "Saving from a script: `pickle`").
//!
//! Records are numbered 1..n breadth-first from the roots: a tasklet's
//! values in frame order, then tempval, pending errors and data, reach
//! further tasklets and channels; a channel reaches its waiters. The channel
//! a tasklet waits on is saved only if a value refers to it; otherwise the
//! tasklet comes back not blocked. Main is written as `Main` and never saved.
//! Loading gives every record a fresh id in record order.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use bevy_ecs::world::World;
use skein_vm::{Fiber, Value};
use skein_world::{ChannelState, Code, Natives, Scheduler, TaskletFiber, TaskletState};

use crate::error::SaveError;
use crate::format::{
    Body, ChannelRec, Dir, Header, SaveFile, SaveKind, TaskletRec, TickStateRec, Wait,
};
use crate::names::{NativeNames, module_recs};
use crate::registry::{IdMap, registry_of};
use crate::tasklet::{status_of, tasklet_rec};
use crate::values::{EncodeRefs, Encoder, IterRec, ValueRec};

mod load;

pub use load::{check_selection, load_selection};

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

/// A selection reaching what lives on another shard, or a channel that
/// tasklets of other shards wait on, is refused, naming the shards.
fn on_other_shards(id: u64, channel: bool, why: &str, shards: &[u64]) -> SaveError {
    let kind = if channel { "channel" } else { "tasklet" };
    let names: Vec<String> = shards.iter().map(u64::to_string).collect();
    SaveError::Unsaveable(format!(
        "cannot save <{kind} #{id}> in a selection: {why} {}",
        names.join(", ")
    ))
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
    /// Its record id in the save.
    pub record: u64,
    /// The world id it was saved from.
    pub world_id: u64,
    /// A channel (else a tasklet).
    pub is_channel: bool,
    /// The world id of the tasklet or channel whose record pulled it in
    /// (by a value it holds, or as a channel's waiter); `None` for a root.
    pub via: Option<u64>,
}

/// What a selection left behind: channels whose waiters included main.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectionReport {
    /// Every record saved, and why.
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
        let is_channel = refs.channels.contains(&id);
        let Some(e) = sched.ring.entity(id) else {
            return Err(match skein_world::remote::elsewhere_in(world, id) {
                Some(at) => on_other_shards(id, is_channel, "it is on shard", &[at]),
                None => SaveError::Unsaveable(format!("no tasklet or channel with id {id}")),
            });
        };
        let ext = BTreeMap::new();
        entities.push((n, e));
        if world.get::<ChannelState>(e).is_some() != is_channel {
            return Err(wrong_kind(id, !is_channel));
        }
        if let Some(t) = world.get::<TaskletState>(e) {
            let empty = Fiber::default();
            let fiber = world.get::<TaskletFiber>(e).map_or(&empty, |f| &*f.0);
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
            // Their records are on their own shards: the selection could
            // not bring them back.
            let remote = skein_world::remote::waiter_shards(world, c.waiters.iter());
            if !remote.is_empty() {
                return Err(on_other_shards(
                    id,
                    true,
                    "tasklets of other shards wait on it: shard",
                    &remote,
                ));
            }
            let mut waiters = Vec::with_capacity(c.waiters.len());
            for w in c.waiters.iter() {
                // Main stays in its own world: it is left out of the queue.
                if w != sched.main {
                    waiters.push(refs.number(w, false)?);
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
pub(crate) fn modules_used(
    tasklets: &[TaskletRec],
    roots: &[ValueRec],
    table: &[ValueRec],
) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut work: Vec<&ValueRec> = roots.iter().chain(table).collect();
    for t in tasklets {
        if let Some(f) = &t.func {
            used.insert(f.module().to_string());
        }
        for f in &t.fiber.frames {
            if !used.contains(f.func.module()) {
                used.insert(f.func.module().to_string());
            }
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
