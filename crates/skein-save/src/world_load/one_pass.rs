//! A binary world save loaded in one pass: the bytes are read in file order
//! (code, value table, channels, world record, then the tasklets) and each
//! tasklet is checked and staged as soon as it is read, its record dropped
//! before the next one is read, so no tree of every record is ever built
//! and walked again. References to tasklets not read yet are noted and
//! checked once all are read, before anything in the world changes.
//!
//! Every check of the record path is made here too. A save this path
//! refuses, or one it does not take (RON, a delta, `--code current`, a
//! shard's save), goes through the record path (`load_world`) instead
//! (`load_world_bytes`), so a refusal is the record path's own, with its
//! message and field path, whatever order the two paths meet the problems
//! in.

use std::collections::BTreeSet;
use std::sync::Arc;

use bevy_ecs::world::World;
use serde::Deserialize;
use skein_vm::Limits;
use skein_world::{Natives, Scheduler};

use super::build::{Parts, SPARE_IDS};
use super::fast::Fast;
use crate::bytes::Reader;
use crate::error::{FieldPath, LoadError};
use crate::format::{
    ChannelRec, FORMAT_NAME, FORMAT_VERSION, Header, ModuleRec, SaveKind, TaskletRec, Wait,
    WorldRec,
};
use crate::names::NativeNames;
use crate::registry::registry_of;
use crate::resolve::{IdTable, MapResolve};
use crate::staging::{Tasklets, WaitOf, stage_channels};
use crate::values::{Decoder, ValueRec};
use crate::write::BINARY_MAGIC;

/// The one-pass load of `bytes` (magic included): `None`, the world
/// untouched, when it does not take them or refuses them; else the save's
/// header and the outcome of building the world.
pub(super) fn one_pass(world: &mut World, bytes: &[u8]) -> Option<(Header, Result<(), LoadError>)> {
    one_pass_counted(world, bytes).map(|(header, done, _)| (header, done))
}

/// [`one_pass`], also saying how many tasklets the byte-level reader took
/// (the others were read as records).
pub(super) fn one_pass_counted(
    world: &mut World,
    bytes: &[u8],
) -> Option<(Header, Result<(), LoadError>, usize)> {
    let bytes = bytes.strip_prefix(BINARY_MAGIC)?;
    let mut de = postcard::Deserializer::from_bytes(bytes);
    let header = Header::deserialize(&mut de).ok()?;
    let current = header.format == FORMAT_NAME && header.version == FORMAT_VERSION;
    if !current || header.kind != SaveKind::World {
        return None;
    }
    let modules = Vec::<ModuleRec>::deserialize(&mut de).ok()?;
    let values = Vec::<ValueRec>::deserialize(&mut de).ok()?;
    let chans = Vec::<ChannelRec>::deserialize(&mut de).ok()?;
    let w = Option::<WorldRec>::deserialize(&mut de).ok()??;
    // A shard's save checks its records against its shard record, which
    // only the record path knows how to do.
    if w.resources.contains_key(crate::shard_save::TAG) {
        return None;
    }
    let sched = world.resource::<Scheduler>();
    if sched.main != 0 || sched.ring.next_id() > 1 {
        return None;
    }
    let host = skein_world::load_options(world).host_modules;
    let host = host.into_iter().map(|h| h.0).collect();
    let (program, verified) = crate::saved_code::program(&modules, host).ok()?;
    drop(modules);

    // Ids: channels strictly increasing, all below `next_id`, whose slots
    // the world makes (so bounded by the records, as in the record path).
    let mut last = 0;
    let increasing = chans
        .iter()
        .all(|c| std::mem::replace(&mut last, c.id) < c.id && c.id < w.next_id);
    if !increasing {
        return None;
    }
    let count = usize::deserialize(&mut de).ok()?;
    // The tasklets, the bulk of the file, are read by the byte-level reader.
    let mut r = Reader::at(bytes, bytes.len() - de.finalize().ok()?.len());
    let records = (count as u64).saturating_add(chans.len() as u64);
    if w.next_id > records.saturating_add(1 + SPARE_IDS) {
        return None;
    }
    let ring: BTreeSet<u64> = w.ring.iter().copied().collect();
    let sleepers: BTreeSet<u64> = w.sleepers.iter().copied().collect();
    if ring.len() != w.ring.len() || sleepers.len() != w.sleepers.len() {
        return None;
    }

    let natives = NativeNames::of(world.resource::<Natives>());
    let program = Arc::new(program);
    let resolve = MapResolve::new(
        &program,
        &natives,
        IdTable::Noted(Default::default()),
        IdTable::new(chans.iter().map(|c| (c.id, c.id))),
        (w.main != 0).then_some(w.main),
    );
    let limits = Limits {
        frame_limit: w.options.frame_limit,
        size_limit: w.options.size_limit,
    };
    let dec = Decoder::new(
        &values,
        &resolve,
        limits,
        &FieldPath::root().field("values"),
    )
    .ok()?;
    let registry = registry_of(world);
    let stager = Tasklets {
        dec: &dec,
        resolve: &resolve,
        verified: &verified,
        registry: &registry,
        in_ring: &ring,
        base_tick: header.tick,
    };
    // Sized from the count, bounded by the bytes left (a hostile count
    // must not become an allocation): a tasklet record is tens of bytes.
    let room = count.min(bytes.len() / 16);
    let (mut tasklets, mut waits) = (Vec::with_capacity(room), Vec::with_capacity(room));
    let mut fast = Fast::new(stager);
    let (mut last, mut read_fast) = (0, 0);
    for i in 0..count {
        // A tasklet the fast reader leaves is read again as a record.
        let start = r.pos();
        let (wait, sleeps) = match fast.tasklet(&mut r, &mut tasklets) {
            Some(read) => {
                read_fast += 1;
                read
            }
            None => {
                r.seek(start);
                let rec = &r.serde::<TaskletRec>()?;
                let sleeps = matches!(rec.wait, Wait::Sleep { .. });
                tasklets.push(stager.stage(rec, i).ok()?);
                (WaitOf::of(rec), sleeps)
            }
        };
        let id = wait.id;
        let sorted = std::mem::replace(&mut last, id) < id && id < w.next_id;
        let channel = chans.binary_search_by_key(&id, |c| c.id).is_ok();
        if !sorted || channel || sleeps != sleepers.contains(&id) {
            return None;
        }
        waits.push(wait);
    }
    // A world save has no roots and no ring order, but the file still
    // holds both (empty), and nothing after them.
    r.serde::<Vec<ValueRec>>()?;
    r.serde::<Vec<u64>>()?;
    if !r.rest().is_empty() {
        return None;
    }

    let is_tasklet = |id: &u64| waits.binary_search_by_key(id, |t: &WaitOf| t.id).is_ok();
    if !(w.ring.iter().all(is_tasklet) && w.sleepers.iter().all(is_tasklet))
        || (w.main != 0 && !is_tasklet(&w.main))
    {
        return None;
    }
    let channels = stage_channels(&chans, &waits, &resolve, &registry, &ring, None).ok()?;
    let parts = Parts {
        w: &w,
        tick: header.tick,
        seed: header.seed,
        program: program.clone(),
        limits,
        registry: registry.clone(),
        shard: None,
        tasklets,
        channels,
    };
    let staged = parts.finish(&dec, &resolve).ok()?;
    // Every tasklet a value, a wait or a channel named is a record.
    let IdTable::Noted(seen) = &resolve.tasklets else {
        return None;
    };
    // A binary search each: most are the tasklets' own ids, in order.
    if !seen.take().iter().all(is_tasklet) {
        return None;
    }
    let done = staged.build(world);
    Some((header, done, read_fast))
}
