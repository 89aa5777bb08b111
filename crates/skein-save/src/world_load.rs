//! A world save into a fresh world: the code first (the saved bytecode,
//! checked as untrusted input, or the scripts on disk with `--code current`), then every
//! record checked in a staging area, then the world built in one go.

use std::sync::Arc;

use bevy_ecs::world::World;
use skein_script::bytecode::Program;
use skein_vm::Limits;
use skein_world::{Natives, Scheduler};

use crate::check::Verified;
use crate::error::{FieldPath, LoadError, Problem};
use crate::format::{Header, SaveFile, SaveKind, Wait};
use crate::names::{NativeNames, changed_functions, saved_hashes};
use crate::registry::registry_of;
use crate::resolve::{IdTable, MapResolve};
use crate::staging::{check_ids, id_list, stage};
use crate::values::Decoder;

mod build;
mod fast;
mod one_pass;

use build::{Parts, SPARE_IDS};

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
    let shard = crate::shard_load::stage(w.resources.get(crate::shard_save::TAG), body, w.next_id)?;

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
    let program = Arc::new(program);
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
    let (tasklets, channels) = stage(
        body,
        &dec,
        &resolve,
        &verified,
        &registry,
        &ring,
        save.header.tick,
        shard.as_ref(),
    )?;

    let parts = Parts {
        w,
        tick: save.header.tick,
        seed: save.header.seed,
        program: program.clone(),
        limits,
        registry,
        shard,
        tasklets,
        channels,
    };
    parts.finish(&dec, &resolve)?.build(world)
}

/// Loads a world save from its bytes (any encoding) into `world`, which
/// must be fresh, as [`load_world`] does with the parsed file: a binary save
/// resuming its saved code is decoded in one pass, straight into the staging
/// area; anything else is parsed into records first. On error the world is
/// left as it was (but for a registered host hook failing at the very end,
/// as with [`load_world`]).
pub fn load_world_bytes(
    world: &mut World,
    bytes: &[u8],
    code: CodePolicy,
) -> Result<(), LoadError> {
    if let CodePolicy::Saved = code
        && let Some(done) = try_one_pass(world, bytes)
    {
        return done;
    }
    load_world(world, &crate::read::from_bytes(bytes)?, code)
}

/// The one-pass decoder alone, resuming the saved code: `None`, the world
/// untouched, when `bytes` are not a binary world save it takes or when
/// any check refuses them (only [`load_world`] says why); else the outcome
/// of building the world. For tests and benchmarks that must know which
/// path loaded a save.
pub fn try_one_pass(world: &mut World, bytes: &[u8]) -> Option<Result<(), LoadError>> {
    one_pass::one_pass(world, bytes).map(|(_, done)| done)
}

/// [`try_one_pass`], also saying how many tasklets were read straight from
/// the bytes (the others were read as records first): for tests that must
/// know the byte-level reader took a save's tasklets.
pub fn try_one_pass_counted(
    world: &mut World,
    bytes: &[u8],
) -> Option<(Result<(), LoadError>, usize)> {
    one_pass::one_pass_counted(world, bytes).map(|(_, done, n)| (done, n))
}

/// [`try_one_pass`] on a file, for `skein resume`: `None`, the world
/// untouched, when the file cannot be read, is not a binary world save
/// (a delta, RON) or is refused, so the caller reads it the record way and
/// reports why; else the save's header and the outcome of building.
pub fn try_one_pass_file(
    world: &mut World,
    path: &std::path::Path,
) -> Option<(Header, Result<(), LoadError>)> {
    let bytes = crate::read::read_limited(path).ok()?;
    one_pass::one_pass(world, &bytes)
}
