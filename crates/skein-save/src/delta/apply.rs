//! A delta applied to the records of its base: changed and created records
//! replace or join the base's, deleted ones go, the world's own state is the
//! delta's, and the delta's value table is appended to the base's (its
//! `Ref(i)`s shifted to match). Only records are merged here; the result is
//! checked whole by the loader like any save.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::error::{FieldPath, LoadError};
use crate::format::{Header, SaveFile, SaveKind, SuspensionRec, TaskletRec, Wait, WorldRec};
use crate::tasklet::status_of;
use crate::values::{IterRec, ValueRec};

use super::file::DeltaFile;

/// `base` with `delta` applied: the records of the delta's tick.
pub fn apply(base: SaveFile, delta: DeltaFile) -> Result<SaveFile, LoadError> {
    let root = FieldPath::root();
    let bad = |field: &'static str, m: String| LoadError::invalid(&root.field(field), m);
    if base.header.kind != SaveKind::World {
        return Err(bad("header", "a delta extends a world save".into()));
    }
    if delta.header.base_tick != base.header.tick || delta.header.tick < base.header.tick {
        return Err(bad(
            "header",
            format!(
                "the delta extends tick {} up to tick {}, its base is of tick {}",
                delta.header.base_tick, delta.header.tick, base.header.tick
            ),
        ));
    }
    let elapsed = delta.header.tick - base.header.tick;
    let SaveFile { mut body, .. } = base;
    let d = delta.body;
    let offset = u32::try_from(body.values.len())
        .map_err(|_| bad("values", "the value table is too long".into()))?;

    let deleted: BTreeSet<u64> = d.deleted.iter().copied().collect();
    let in_base: HashSet<u64> = body
        .tasklets
        .iter()
        .map(|t| t.id)
        .chain(body.channels.iter().map(|c| c.id))
        .collect();
    if let Some(id) = deleted.iter().find(|id| !in_base.contains(id)) {
        return Err(bad(
            "deleted",
            format!("the delta deletes {id}, which its base does not have"),
        ));
    }
    let replaced: HashSet<u64> = d.tasklets.iter().map(|t| t.id).collect();
    let mut tasklets: BTreeMap<u64, TaskletRec> = BTreeMap::new();
    let mut channels = BTreeMap::new();
    for mut t in body.tasklets {
        if deleted.contains(&t.id) || replaced.contains(&t.id) {
            continue;
        }
        // A sleep counts from the save's tick: a tasklet the delta left
        // alone has slept through the ticks in between.
        if let Wait::Sleep { remaining } = &mut t.wait {
            *remaining = remaining.checked_sub(elapsed).ok_or_else(|| {
                bad(
                    "tasklets",
                    format!(
                        "tasklet {} woke before the delta's tick, yet the delta leaves it unchanged",
                        t.id
                    ),
                )
            })?;
        }
        tasklets.insert(t.id, t);
    }
    for c in body.channels {
        if !deleted.contains(&c.id) {
            channels.insert(c.id, c);
        }
    }
    for (i, mut t) in d.tasklets.into_iter().enumerate() {
        shift_tasklet(&mut t, offset)
            .map_err(|m| LoadError::invalid(&root.field("tasklets").index(i), m))?;
        tasklets.insert(t.id, t);
    }
    for c in d.channels {
        channels.insert(c.id, c);
    }
    for (i, patch) in d.patches.into_iter().enumerate() {
        let ext = match tasklets.get_mut(&patch.id) {
            Some(t) if !replaced.contains(&patch.id) => &mut t.ext,
            _ => match channels.get_mut(&patch.id) {
                Some(c) => &mut c.ext,
                None => {
                    return Err(LoadError::invalid(
                        &root.field("patches").index(i),
                        format!("no tasklet or channel {} to patch in the base", patch.id),
                    ));
                }
            },
        };
        for tag in &patch.removed {
            ext.remove(tag);
        }
        ext.extend(patch.set);
    }

    let mut world = d.world;
    shift_world(&mut world, offset).map_err(|m| bad("world", m))?;
    let mut values = d.values;
    for (i, v) in values.iter_mut().enumerate() {
        shift(v, offset).map_err(|m| LoadError::invalid(&root.field("values").index(i), m))?;
    }

    // Whether a tasklet is runnable or paused is its ring membership, which
    // a delta can change without changing the tasklet.
    let ring: HashSet<u64> = world.ring.iter().copied().collect();
    let mut tasklets: Vec<TaskletRec> = tasklets.into_values().collect();
    for t in &mut tasklets {
        t.status = status_of(t, ring.contains(&t.id));
    }
    body.tasklets = tasklets;
    body.channels = channels.into_values().collect();
    body.values.extend(values);
    body.world = Some(world);
    if !d.modules.is_empty() {
        body.modules = d.modules;
    }
    let mut header = Header::new(SaveKind::World, delta.header.tick, delta.header.seed);
    for m in &body.modules {
        header.modules.insert(m.name.clone(), m.hash);
    }
    Ok(SaveFile { header, body })
}

fn shift_tasklet(t: &mut TaskletRec, offset: u32) -> Result<(), String> {
    let mut all: Vec<&mut ValueRec> = vec![&mut t.data, &mut t.tempval];
    all.extend(t.pending.as_mut());
    if let Wait::Native { args, .. } = &mut t.wait {
        all.extend(args.iter_mut());
    }
    if let SuspensionRec::SendSequence { items, .. } = &mut t.suspension {
        all.push(items);
    }
    all.extend(t.fiber.pending.as_mut());
    for f in &mut t.fiber.frames {
        all.extend(f.locals.iter_mut());
        all.extend(f.stack.iter_mut());
    }
    all.into_iter().try_for_each(|v| shift(v, offset))
}

fn shift_world(w: &mut WorldRec, offset: u32) -> Result<(), String> {
    let mut all: Vec<&mut ValueRec> = Vec::new();
    for c in &mut w.completions {
        all.push(match &mut c.result {
            Ok(v) | Err(v) => v,
        });
    }
    all.extend(w.options.params.values_mut());
    for g in &mut w.globals {
        all.extend(g.values.iter_mut().map(|(_, v)| v));
    }
    all.into_iter().try_for_each(|v| shift(v, offset))
}

/// Adds `offset` to every `Ref` in `v`, with a work list rather than
/// recursion (a parsed value's depth is bounded, but nothing here relies on it).
fn shift(v: &mut ValueRec, offset: u32) -> Result<(), String> {
    let mut work = vec![v];
    while let Some(v) = work.pop() {
        match v {
            ValueRec::Ref(i) => {
                *i = i
                    .checked_add(offset)
                    .ok_or_else(|| format!("value table entry {i} is out of range"))?;
            }
            ValueRec::List(items) => work.extend(items.iter_mut()),
            ValueRec::Dict(entries) => {
                for (k, v) in entries {
                    work.push(k);
                    work.push(v);
                }
            }
            ValueRec::Error(e) => work.extend(e.args.iter_mut()),
            ValueRec::Method(recv, _) => work.push(recv),
            ValueRec::Iter(it) => match &mut **it {
                IterRec::List { list: v, .. }
                | IterRec::Str { s: v, .. }
                | IterRec::DictKeys { dict: v, .. } => work.push(v),
                IterRec::Range { .. } | IterRec::Channel(_) => {}
            },
            _ => {}
        }
    }
    Ok(())
}
