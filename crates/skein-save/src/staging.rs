//! The staging area of a load: every record checked and turned into world
//! components before anything in the world changes, so a failed load leaves
//! the world exactly as it was.

use std::collections::{BTreeMap, BTreeSet};

use skein_world::{ChannelState, TaskletFiber, TaskletState};

use crate::check::Verified;
use crate::error::{FieldPath, LoadError, Problem};
use crate::ext::ExtValue;
use crate::format::{Body, ChannelRec, Dir, TaskletRec, Wait};
use crate::registry::SaveRegistry;
use crate::resolve::{IdTable, MapResolve};
use crate::tasklet::{status_of, tasklet_from};
use crate::values::{Decoder, Resolve};

/// A tasklet ready to become an entity.
pub(crate) struct StagedTasklet {
    pub rec_id: u64,
    pub state: TaskletState,
    /// Shared already, as the world holds it: staged tasklets are moved
    /// twice before they are spawned, and a pointer moves cheaper.
    pub fiber: TaskletFiber,
    pub ext: BTreeMap<String, ExtValue>,
}

/// A channel ready to become an entity.
pub(crate) struct StagedChannel {
    pub rec_id: u64,
    pub state: ChannelState,
    pub ext: BTreeMap<String, ExtValue>,
}

/// Record ids in order: strictly increasing, tasklets and channels apart.
pub(crate) fn check_ids(body: &Body) -> Result<(), LoadError> {
    let root = FieldPath::root();
    let lists: [(&'static str, Vec<u64>); 2] = [
        ("tasklet", body.tasklets.iter().map(|t| t.id).collect()),
        ("channel", body.channels.iter().map(|c| c.id).collect()),
    ];
    for (what, ids) in &lists {
        let field = if *what == "tasklet" {
            "tasklets"
        } else {
            "channels"
        };
        let list = root.field(field);
        let mut last = 0;
        for (i, id) in ids.iter().enumerate() {
            let item = list.index(i);
            let p = item.field("id");
            if *id == 0 || *id == last {
                return Err(LoadError::at(&p, Problem::Duplicate { what, id: *id }));
            }
            if *id < last {
                return Err(LoadError::invalid(
                    &p,
                    format!("{field} must be sorted by id"),
                ));
            }
            last = *id;
        }
    }
    // Both lists are sorted: one walk finds an id used by both.
    let (ts, cs) = (&lists[0].1, &lists[1].1);
    let (mut i, mut j) = (0, 0);
    while i < ts.len() && j < cs.len() {
        match ts[i].cmp(&cs[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let list = root.field("channels");
                let item = list.index(j);
                return Err(LoadError::at(
                    &item.field("id"),
                    Problem::Duplicate {
                        what: "channel",
                        id: cs[j],
                    },
                ));
            }
        }
    }
    Ok(())
}

/// Checks and converts every tasklet and channel record. `in_ring` says
/// which tasklet records are runnable (for their `status`); `base_tick` is
/// the tick sleeps count from.
#[allow(clippy::too_many_arguments)]
pub(crate) fn stage(
    body: &Body,
    dec: &Decoder,
    resolve: &MapResolve,
    verified: &Verified,
    registry: &SaveRegistry,
    in_ring: &BTreeSet<u64>,
    base_tick: u64,
    shard: Option<&crate::shard_load::Staged>,
) -> Result<(Vec<StagedTasklet>, Vec<StagedChannel>), LoadError> {
    let mut tasklets = Vec::with_capacity(body.tasklets.len());
    for (i, rec) in body.tasklets.iter().enumerate() {
        let t = Tasklets {
            dec,
            resolve,
            verified,
            registry,
            in_ring,
            base_tick,
        };
        tasklets.push(t.stage(rec, i)?);
    }
    let waits: Vec<WaitOf> = body.tasklets.iter().map(WaitOf::of).collect();
    let channels = stage_channels(&body.channels, &waits, resolve, registry, in_ring, shard)?;
    Ok((tasklets, channels))
}

/// What staging one tasklet record needs.
#[derive(Clone, Copy)]
pub(crate) struct Tasklets<'a, 'r> {
    pub dec: &'a Decoder<'r>,
    pub resolve: &'a MapResolve<'r>,
    pub verified: &'a Verified,
    pub registry: &'a SaveRegistry,
    pub in_ring: &'a BTreeSet<u64>,
    pub base_tick: u64,
}

impl Tasklets<'_, '_> {
    /// Checks and converts the tasklet record at `tasklets[i]`.
    pub fn stage(&self, rec: &TaskletRec, i: usize) -> Result<StagedTasklet, LoadError> {
        let root = FieldPath::root();
        let p_0 = root.field("tasklets");
        let p = p_0.index(i);
        let resolve = self.resolve;
        let new_id = resolve
            .tasklet(rec.id)
            .map_err(|pr| LoadError::at(&p.field("id"), pr))?;
        let (dec, verified, base) = (self.dec, self.verified, self.base_tick);
        let (state, fiber) = tasklet_from(dec, resolve, verified, rec, new_id, base, &p)?;
        let status = status_of(rec, self.in_ring.contains(&rec.id));
        if status != rec.status {
            return Err(LoadError::invalid(
                &p.field("status"),
                format!(
                    "status {:?} does not match the tasklet, which is {status:?}",
                    rec.status
                ),
            ));
        }
        check_ext(self.registry, &rec.ext, &p.field("ext"))?;
        Ok(StagedTasklet {
            rec_id: rec.id,
            state,
            fiber: TaskletFiber::new(fiber),
            ext: rec.ext.clone(),
        })
    }
}

/// What the channels' checks need of a tasklet record: its id and wait.
#[derive(Clone, Copy)]
pub(crate) struct WaitOf {
    pub id: u64,
    /// The channel it waits on, and which way.
    pub channel: Option<(u64, Dir)>,
    /// It waits for anything at all.
    pub waits: bool,
}

impl WaitOf {
    pub fn of(rec: &TaskletRec) -> WaitOf {
        WaitOf {
            id: rec.id,
            channel: match rec.wait {
                Wait::Channel { id, dir } => Some((id, dir)),
                _ => None,
            },
            waits: rec.wait != Wait::Nothing,
        }
    }
}

/// Checks and converts the channel records against the tasklets' waits
/// (`waits`, sorted by id: `check_ids`), then checks every tasklet blocked
/// on a channel is listed by it and no tasklet in the ring waits.
pub(crate) fn stage_channels(
    chans: &[ChannelRec],
    waits: &[WaitOf],
    resolve: &MapResolve,
    registry: &SaveRegistry,
    in_ring: &BTreeSet<u64>,
    shard: Option<&crate::shard_load::Staged>,
) -> Result<Vec<StagedChannel>, LoadError> {
    let root = FieldPath::root();
    // Who waits where, from the tasklets' side; tasklets of other shards
    // queued here are in the shard record.
    let find = |id: u64| waits.binary_search_by_key(&id, |t| t.id).ok();
    // Waiters are mostly listed in id order, as the tasklets are: the one
    // after the last found is tried before a search.
    let next = std::cell::Cell::new(0);
    let index_of = |id: u64| {
        let k = next.get();
        let k = match waits.get(k) {
            Some(t) if t.id == id => Some(k),
            _ => find(id),
        };
        if let Some(k) = k {
            next.set(k + 1);
        }
        k
    };
    let wait_of = |id: u64, k: Option<usize>| match k {
        Some(i) => waits[i].channel,
        None => shard.and_then(|s| s.waits.get(&id).copied()),
    };
    // Which waiters the channels list: records by their index, other
    // shards' tasklets by id.
    let mut listed = vec![false; waits.len()];
    let mut listed_foreign: BTreeSet<u64> = BTreeSet::new();
    let mut channels = Vec::with_capacity(chans.len());
    for (i, rec) in chans.iter().enumerate() {
        let p_0 = root.field("channels");
        let p = p_0.index(i);
        let new_id = resolve
            .channel(rec.id)
            .map_err(|pr| LoadError::at(&p.field("id"), pr))?;
        if !(-1..=1).contains(&rec.preference) {
            return Err(LoadError::invalid(
                &p.field("preference"),
                "preference is -1, 0 or 1",
            ));
        }
        let mut waiters = skein_world::Waiters::default();
        for (j, w) in rec.waiters.iter().enumerate() {
            let wp_0 = p.field("waiters");
            let wp = wp_0.index(j);
            let k = index_of(*w);
            // A one-pass load notes ids to check they are records once all
            // are read: a waiter found among them already is one.
            let new_w = match (k, &resolve.tasklets) {
                (Some(_), IdTable::Noted(_)) => *w,
                _ => resolve.tasklet(*w).map_err(|pr| LoadError::at(&wp, pr))?,
            };
            let first = match k {
                Some(k) => !std::mem::replace(&mut listed[k], true),
                None => listed_foreign.insert(*w),
            };
            if !first {
                return Err(LoadError::invalid(
                    &wp,
                    format!("tasklet {w} waits in two places"),
                ));
            }
            match wait_of(*w, k) {
                Some((c, d)) if c == rec.id && d == rec.dir => {}
                Some((c, d)) if c == rec.id => {
                    return Err(LoadError::invalid(
                        &wp,
                        format!(
                            "tasklet {w} waits {d:?} on a channel whose waiters {:?}",
                            rec.dir
                        ),
                    ));
                }
                _ => {
                    return Err(LoadError::invalid(
                        &wp,
                        format!("tasklet {w} is listed here but does not wait on this channel"),
                    ));
                }
            }
            if !waiters.push_back(new_w) {
                return Err(LoadError::invalid(
                    &wp,
                    format!("tasklet {w}'s id in this world is past {}", u32::MAX),
                ));
            }
        }
        check_ext(registry, &rec.ext, &p.field("ext"))?;
        channels.push(StagedChannel {
            rec_id: rec.id,
            state: ChannelState {
                id: new_id,
                preference: rec.preference,
                schedule_all: rec.schedule_all,
                closing: rec.closing,
                waiters,
                senders: rec.dir == Dir::Send,
            },
            ext: rec.ext.clone(),
        });
    }
    if let Some(s) = shard {
        for (i, w) in s.rec.waiters.iter().enumerate() {
            let seen = match index_of(w.tasklet) {
                Some(k) => listed[k],
                None => listed_foreign.contains(&w.tasklet),
            };
            if !seen {
                let p_0 = root.field("world");
                let p_1 = p_0.field("resources");
                let p_2 = p_1.key(crate::shard_save::TAG);
                let p_3 = p_2.field("waiters");
                return Err(LoadError::invalid(
                    &p_3.index(i),
                    format!("channel {} does not list tasklet {}", w.channel, w.tasklet),
                ));
            }
        }
    }
    let chan_recs = chans;
    let is_channel = |id: u64| chan_recs.binary_search_by_key(&id, |c| c.id).is_ok();
    for (i, rec) in waits.iter().enumerate() {
        // Blocked on another shard's channel: queued at its home.
        let remote = match (rec.channel, shard) {
            (Some((id, _)), Some(s)) => !is_channel(id) && s.numbered_elsewhere(id),
            _ => false,
        };
        if rec.channel.is_some() && !listed[i] && !remote {
            return Err(LoadError::invalid(
                &root.field("tasklets").index(i).field("wait"),
                "waits on a channel that does not list it",
            ));
        }
        if in_ring.contains(&rec.id) && rec.waits {
            return Err(LoadError::invalid(
                &root.field("tasklets").index(i),
                "a tasklet in the ring cannot also wait",
            ));
        }
    }
    Ok(channels)
}

pub(crate) fn check_ext(
    registry: &SaveRegistry,
    ext: &BTreeMap<String, ExtValue>,
    path: &FieldPath,
) -> Result<(), LoadError> {
    for (tag, v) in ext {
        let p = path.key(tag);
        let entry = registry.component(tag).ok_or_else(|| {
            LoadError::invalid(
                &p,
                format!("component {tag} is not registered in this world"),
            )
        })?;
        (entry.check)(v).map_err(|e| LoadError::invalid(&p, e))?;
    }
    Ok(())
}

/// A list of ids that must be distinct tasklet records (`is_tasklet`).
pub(crate) fn id_list(
    ids: &[u64],
    is_tasklet: &dyn Fn(u64) -> bool,
    path: &FieldPath,
) -> Result<BTreeSet<u64>, LoadError> {
    let mut set = BTreeSet::new();
    for (i, id) in ids.iter().enumerate() {
        let p = path.index(i);
        if !is_tasklet(*id) {
            return Err(LoadError::at(
                &p,
                Problem::Dangling {
                    what: "tasklet",
                    id: *id,
                },
            ));
        }
        if !set.insert(*id) {
            return Err(LoadError::at(
                &p,
                Problem::Duplicate {
                    what: "tasklet",
                    id: *id,
                },
            ));
        }
    }
    Ok(set)
}
