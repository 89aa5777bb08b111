//! Building and starting a Skein world in a bevy `World`: the resources it
//! needs, the loader options its natives imply, the main tasklet, and the
//! questions a game loop asks of it between ticks (idle? deadlocked?), with
//! [`with_host`] for Rust code that acts on tasklets and channels.

use std::sync::Arc;

use bevy_ecs::schedule::SystemSet;
use bevy_ecs::world::World;
use skein_script::bytecode::{BUILTIN_MODULES, Program};
use skein_script::loader::{LoadError, LoadOptions};
use skein_vm::{Fiber, Globals};

use crate::components::{TaskletFiber, TaskletState, Wait};
use crate::natives::{NativeKind, NativeQueue, Natives};
use crate::resources::{
    Code, Output, RunCounters, Scheduler, ScriptGlobals, WorldOptions, WorldRng,
};
use crate::shard::ShardLink;
use crate::world_host::{WorldHost, spawn_tasklet};

/// The system sets of Skein, for a game to order its systems against
/// (named the way bevy names system sets since 0.17).
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum SkeinSystems {
    /// The scheduler system ([`run_tick`]): one tick per run of its schedule.
    Run,
    /// Save and load requests, applied at the tick boundary right after
    /// [`SkeinSystems::Run`] (the `app` feature of `skein-save`).
    Persist,
}

/// The old name of [`SkeinSystems`], kept for one release.
#[deprecated(note = "renamed to `SkeinSystems`, as bevy names system sets; kept for one release")]
pub type SkeinSet = SkeinSystems;

/// What can go wrong building or starting a world.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    /// The scripts did not compile (rendered rustc-style by `Display`).
    #[error("{0}")]
    Load(#[from] LoadError),
    /// A main module was already started in this world.
    #[error("this world already has a main tasklet")]
    MainAlreadyStarted,
}

/// Inserts every resource a Skein world needs (fresh, with `options`).
pub fn init_world(world: &mut World, options: WorldOptions) {
    world.insert_resource(WorldRng::seeded_for_shard(options.seed, options.shard));
    let mut sched = Scheduler::default();
    sched.ring.set_layout(options.shard + 1, options.shards);
    world.insert_resource(options);
    world.insert_resource(sched);
    world.insert_resource(ShardLink::default());
    world.insert_resource(Code::default());
    world.insert_resource(ScriptGlobals::default());
    world.insert_resource(Output::default());
    world.insert_resource(RunCounters::default());
    if !world.contains_resource::<Natives>() {
        world.insert_resource(Natives::default());
    }
    world.insert_resource(NativeQueue::default());
    // Made here, before any tasklet, and never removed (see `KeptLookups`).
    world.insert_resource(crate::lookups::KeptLookups::default());
}

/// The loader options of this world: its search path and host modules.
pub fn load_options(world: &World) -> LoadOptions {
    let natives = world.resource::<Natives>();
    LoadOptions {
        search_path: world.resource::<WorldOptions>().search_path.clone(),
        host_modules: natives
            .exports()
            .into_iter()
            .filter(|(m, _)| !BUILTIN_MODULES.contains(&m.as_str()))
            .collect(),
    }
}

/// Installs `program` as the world's code and starts its first module as
/// the main tasklet (#1 in a fresh world, #k+1 on shard k), first to run in the next tick.
pub fn start_main(world: &mut World, program: Program) -> Result<u64, WorldError> {
    if world.resource::<Scheduler>().main != 0 {
        return Err(WorldError::MainAlreadyStarted);
    }
    let fiber = Fiber::new_main(&program, 0);
    world.resource_mut::<ScriptGlobals>().0 = Globals::new(&program);
    world.resource_mut::<Code>().0 = Arc::new(program);
    let mut sched = std::mem::take(&mut *world.resource_mut::<Scheduler>());
    let id = spawn_tasklet(world, &mut sched);
    if let Some(e) = sched.ring.entity(id) {
        if let Some(mut f) = world.get_mut::<TaskletFiber>(e) {
            f.0 = Arc::new(fiber);
        }
        if let Some(mut t) = world.get_mut::<TaskletState>(e) {
            t.alive = true;
        }
    }
    sched.main = id;
    sched.ring.insert_tail(id);
    sched.flush_counts(&mut world.resource_mut::<RunCounters>());
    *world.resource_mut::<Scheduler>() = sched;
    Ok(id)
}

/// Compiles `source` as module `name` (shown as `name.sk`; it imports
/// only built-in and host modules) and starts it as the main tasklet.
pub fn start_main_source(world: &mut World, name: &str, source: &str) -> Result<u64, WorldError> {
    struct Nothing;
    impl skein_script::loader::SourceResolver for Nothing {
        fn resolve(&self, _: &str, _: &str) -> Option<(String, String)> {
            None
        }
    }
    let opts = load_options(world);
    let program = skein_script::loader::load_program_with(
        name,
        &format!("{name}.sk"),
        source,
        &Nothing,
        &opts,
    )?;
    start_main(world, program)
}

/// Nothing runnable, nobody asleep, no native request pending, and no
/// paused main for the fallback to bring back (docs/stackless.md, "The ring").
pub fn is_idle(world: &World) -> bool {
    let sched = world.resource::<Scheduler>();
    if !sched.ring.is_empty() || !sched.sleepers.is_empty() {
        return false;
    }
    if world.resource::<NativeQueue>().pending() {
        return false;
    }
    let main = sched.ring.entity(sched.main);
    let main_paused = main
        .and_then(|e| world.get::<TaskletState>(e))
        .is_some_and(|t| t.alive && !t.blocked());
    !main_paused
}

/// The tasklet entity with stable id `id`.
pub fn entity_of(world: &World, id: u64) -> Option<bevy_ecs::entity::Entity> {
    world.resource::<Scheduler>().ring.entity(id)
}

/// Registers a native in `module` (before loading scripts that import it).
pub fn register_native(world: &mut World, module: &str, name: &str, kind: NativeKind) {
    if !world.contains_resource::<Natives>() {
        world.insert_resource(Natives::default());
    }
    world.resource_mut::<Natives>().register(module, name, kind);
}

/// Runs `f` with a [`WorldHost`] over `world` between ticks (no tasklet is
/// current): the way Rust code reads and changes tasklets and channels with
/// the scripts' own rules, e.g. `channels::getstate(host, id)`,
/// `channels::setstate`, `tasklets::insert`, `tasklets::kill(host, id, true)`.
/// Calls that switch to another tasklet act as their `pending` forms.
pub fn with_host<R>(world: &mut World, f: impl FnOnce(&mut WorldHost) -> R) -> R {
    let mut host = WorldHost::over(world);
    let r = f(&mut host);
    host.release();
    r
}

/// `deadlock: <tasklet X> blocked receiving on <channel #N> at FILE:LINE`
/// for every tasklet blocked on a channel, in id order.
pub fn deadlocked(world: &bevy_ecs::world::World) -> Vec<String> {
    let sched = world.resource::<Scheduler>();
    let program = world.resource::<Code>().0.clone();
    let mut lines = Vec::new();
    for (id, e) in sched.ring.ids() {
        let Some(t) = world.get::<TaskletState>(e) else {
            continue;
        };
        let Wait::Channel { channel, sending } = t.wait else {
            continue;
        };
        let label = match t.name() {
            Some(n) => format!("<tasklet {n}>"),
            None => format!("<tasklet #{id}>"),
        };
        let at = world
            .get::<TaskletFiber>(e)
            .and_then(|f| crate::stack::current_line(&f.0, &program))
            .map_or_else(String::new, |(file, line)| format!(" at {file}:{line}"));
        let dir = if sending { "sending" } else { "receiving" };
        let home = match sched.ring.entity(channel) {
            None if crate::shard::shard_of(world).1 > 1 => {
                // Ids are striped: shard k made k+1, k+1+N, …
                let n = crate::shard::shard_of(world).1;
                format!(" (home shard {})", channel.saturating_sub(1) % n)
            }
            _ => String::new(),
        };
        lines.push(format!(
            "deadlock: {label} blocked {dir} on <channel #{channel}>{home}{at}"
        ));
    }
    lines
}
