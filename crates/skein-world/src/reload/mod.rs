//! Hot reload: new code swapped into a running world at a tick boundary, the
//! way Erlang loads a new version of a module.
//!
//! [`swap`] takes a freshly loaded [`Program`] (the scripts as they are on
//! disk now) and, for every module whose source changed, merges the new
//! compile into the running module ([`merge`]): calls made from then on run
//! the new functions (function values too, since they name their `def`),
//! new `def`s are bound, globals keep their values and the module's other
//! top-level statements do not run again. Frames already inside a function
//! whose code changed are moved to a retired copy of the old code and
//! finish on it; [`collect`] unloads a copy once no frame runs it. A module
//! the new code imports for the first time is added and its top level runs
//! in a tasklet of its own, first in the next tick. [`watch`] notices
//! changed files for `skein run --watch` and the plugin.
//!
//! # Contract for caches beside the code
//! A swap replaces the world's [`Code`] with a new `Arc<Program>` (whose
//! functions start with empty [`Derived`](skein_script::bytecode::Derived)
//! slots) and bumps the swapped module's `Module::generation`. A cache that
//! lives outside the `Program` and remembers something resolved from a
//! module's code or globals (a call site's target, say) keys it on that
//! module's `generation` and resolves again when it differs. Global slots
//! never move across a swap (new globals are appended), and neither does the
//! index of a `def`.

pub mod merge;
pub mod watch;

use std::collections::BTreeSet;
use std::sync::Arc;

use bevy_ecs::world::World;
use skein_script::ast::StmtKind;
use skein_script::bytecode::{FuncRef, Program};
use skein_script::loader::{LoadError, LoadIssue, recompile_module, verify};
use skein_vm::{ImportState, ModRef, ModuleGlobals, Value};

use crate::{Code, RunCounters, Scheduler, ScriptGlobals, TaskletFiber, TaskletState};

const PRELUDE: &str = "__prelude__";

/// What one swap changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReloadReport {
    /// The modules whose code was swapped, in load order.
    pub modules: Vec<ModuleReport>,
    /// Modules loaded for the first time (their top level runs next tick).
    pub new_modules: Vec<String>,
    /// Frames that still run code older than the module's newest.
    pub old_frames: usize,
}

/// One module's part of a [`ReloadReport`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleReport {
    /// The module's name.
    pub name: String,
    /// The file it was read from.
    pub path: String,
    /// Functions whose code changed (`<module>` for the top level).
    pub changed: Vec<String>,
    /// New `def`s.
    pub added: Vec<String>,
}

impl ReloadReport {
    /// Nothing was swapped.
    pub fn is_empty(&self) -> bool {
        self.modules.is_empty() && self.new_modules.is_empty()
    }

    /// One line for people: `reloaded m.sk (changed: b; added: c); 1 frame
    /// still runs old code`.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self
            .modules
            .iter()
            .map(|m| {
                let mut what = Vec::new();
                if !m.changed.is_empty() {
                    what.push(format!("changed: {}", m.changed.join(", ")));
                }
                if !m.added.is_empty() {
                    what.push(format!("added: {}", m.added.join(", ")));
                }
                if what.is_empty() {
                    what.push("no code changed".to_string());
                }
                format!("{} ({})", m.path, what.join("; "))
            })
            .collect();
        for n in &self.new_modules {
            parts.push(format!("{n} (new module)"));
        }
        let frames = match self.old_frames {
            1 => "1 frame still runs old code".to_string(),
            n => format!("{n} frames still run old code"),
        };
        format!("reloaded {}; {frames}", parts.join(", "))
    }
}

/// Why a swap did not happen; the old code keeps running.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The new code did not compile (rendered rustc-style by `Display`).
    #[error("{0}")]
    Load(#[from] LoadError),
    /// Swapping is refused here (mid-tick, or a world whose replay must be
    /// deterministic).
    #[error("{0}")]
    Refused(String),
}

/// Worlds that may not change code while running, because their ticks are
/// replayed and must come out the same: a cluster shard inserts this
/// resource, and [`check_allowed`] refuses `--watch` there.
#[derive(bevy_ecs::resource::Resource, Debug, Clone)]
pub struct DeterministicReplay {
    /// Who needs the replay, for the refusal's message ("a cluster shard").
    pub reason: String,
}

/// Refuses hot reload in a world marked [`DeterministicReplay`]: the option
/// check `skein run --watch`, the plugin and a cluster shard call.
pub fn check_allowed(world: &World) -> Result<(), ReloadError> {
    match world.get_resource::<DeterministicReplay>() {
        Some(d) => Err(ReloadError::Refused(format!(
            "hot reload (--watch) is refused in {}: its ticks are replayed and must be deterministic",
            d.reason
        ))),
        None => Ok(()),
    }
}

/// Swaps the changed modules of `fresh` (the whole program loaded again)
/// into `world`, between ticks. On an error nothing changes.
pub fn swap(world: &mut World, fresh: &Program) -> Result<ReloadReport, ReloadError> {
    check_allowed(world)?;
    if world.resource::<Scheduler>().in_tick {
        return Err(ReloadError::Refused(
            "code can only be swapped between ticks".to_string(),
        ));
    }
    let old = world.resource::<Code>().0.clone();
    let mut program = (*old).clone();
    let names: Vec<String> = old
        .modules
        .iter()
        .chain(&fresh.modules)
        .map(|m| m.name.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let opts = crate::load_options(world);
    let mut report = ReloadReport::default();
    let mut moves: Vec<(u16, Vec<(u16, u16)>)> = Vec::new();
    let mut binds: Vec<(u16, String, Value)> = Vec::new();
    let mut new_modules: Vec<u16> = Vec::new();
    let mut reloaded: Vec<u16> = Vec::new();
    for fm in fresh.modules.iter().filter(|m| m.name != PRELUDE) {
        let Some(i) = old.module_index(&fm.name) else {
            new_modules.push(program.modules.len() as u16);
            report.new_modules.push(fm.path.clone());
            program.modules.push(fm.clone());
            continue;
        };
        let running = &old.modules[i as usize];
        if running.source == fm.source {
            continue;
        }
        let new = recompile_module(
            &fm.name,
            &fm.path,
            &fm.source,
            &running.globals,
            &names,
            &opts,
        )?;
        let (module, merged) = merge::merge(running, new).map_err(|message| {
            ReloadError::Load(LoadError {
                issues: vec![LoadIssue::Io {
                    message: format!("{}: {message}", fm.path),
                }],
            })
        })?;
        for (name, at) in &merged.added {
            let f = Value::Function(FuncRef {
                module: i,
                func: *at,
            });
            binds.push((i, name.clone(), f));
        }
        report.modules.push(ModuleReport {
            name: fm.name.clone(),
            path: fm.path.clone(),
            changed: merged.changed.clone(),
            added: merged.added.iter().map(|(n, _)| n.clone()).collect(),
        });
        moves.push((i, merged.moved));
        program.modules[i as usize] = module;
        reloaded.push(i);
    }
    if report.is_empty() {
        return Ok(report);
    }
    verify(&program)?;
    let starts = imports_to_run(&program, &reloaded, &new_modules, &mut binds);

    let program = Arc::new(program);
    grow_globals(world, &program, &binds);
    move_frames(world, &moves);
    world.resource_mut::<Code>().0 = program.clone();
    for m in starts {
        start_module(world, &program, m);
    }
    report.old_frames = collect(world);
    Ok(report)
}

/// New modules a reloaded module's top level imports, whose top levels run
/// at the swap (those another new module imports run inside its import),
/// and the names those top-level imports bind.
fn imports_to_run(
    program: &Program,
    reloaded: &[u16],
    new_modules: &[u16],
    binds: &mut Vec<(u16, String, Value)>,
) -> Vec<u16> {
    let mut starts = Vec::new();
    for &i in reloaded {
        let m = &program.modules[i as usize];
        let Ok(ast) = skein_script::parser::parse_module(&m.source, &m.path) else {
            continue;
        };
        for s in &ast.body {
            match &s.kind {
                StmtKind::Import(names) => {
                    for n in names {
                        let Some(at) = program.module_index(&n.name) else {
                            continue;
                        };
                        if new_modules.contains(&at) && !starts.contains(&at) {
                            starts.push(at);
                        }
                        let bound = n.alias.clone().unwrap_or_else(|| n.name.clone());
                        binds.push((i, bound, Value::Module(ModRef::Script(at))));
                    }
                }
                StmtKind::FromImport { module, names, .. } => {
                    let Some(at) = program.module_index(module) else {
                        continue;
                    };
                    if new_modules.contains(&at) && !starts.contains(&at) {
                        starts.push(at);
                    }
                    // A `def` of the new module is bound now; other names
                    // exist only once its top level has run.
                    let target = &program.modules[at as usize];
                    for n in names {
                        if let Some(f) = target.functions.iter().position(|f| f.name == n.name) {
                            let bound = n.alias.clone().unwrap_or_else(|| n.name.clone());
                            let v = Value::Function(FuncRef {
                                module: at,
                                func: f as u16,
                            });
                            binds.push((i, bound, v));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    // A new module imported by another new one runs inside that import.
    let imported_by_new: BTreeSet<String> = new_modules
        .iter()
        .flat_map(|&n| imported_names(program, n))
        .collect();
    starts.retain(|m| !imported_by_new.contains(&program.modules[*m as usize].name));
    starts
}

/// The modules `module`'s code imports anywhere (its `Import` instructions).
fn imported_names(program: &Program, module: u16) -> Vec<String> {
    let m = &program.modules[module as usize];
    let mut out = Vec::new();
    for f in &m.functions {
        for op in &f.code {
            if let skein_script::bytecode::Op::Import(n) = op
                && let Some(name) = f.names.get(*n as usize)
            {
                out.push(name.clone());
            }
        }
    }
    out
}

/// New global slots start unbound; new `def`s and new imports are bound
/// (a name the running module already bound keeps its value, except a
/// `def`'s, which the new code defines).
fn grow_globals(world: &mut World, program: &Program, binds: &[(u16, String, Value)]) {
    let mut globals = world.resource_mut::<ScriptGlobals>();
    for (i, m) in program.modules.iter().enumerate() {
        if globals.0.modules.len() <= i {
            globals.0.modules.push(ModuleGlobals {
                values: Vec::new(),
                state: ImportState::NotRun,
            });
        }
        let g = &mut globals.0.modules[i];
        g.values.resize(m.globals.len(), Value::Unbound);
    }
    for (i, name, v) in binds {
        let m = &program.modules[*i as usize];
        let Some(slot) = m.globals.iter().position(|g| g == name) else {
            continue;
        };
        let cell = &mut globals.0.modules[*i as usize].values[slot];
        if matches!(v, Value::Function(_)) || matches!(cell, Value::Unbound) {
            *cell = v.clone();
        }
    }
}

/// Moves every frame in a changed function to its retired copy.
fn move_frames(world: &mut World, moves: &[(u16, Vec<(u16, u16)>)]) {
    if moves.iter().all(|(_, m)| m.is_empty()) {
        return;
    }
    let mut q = world.query::<&mut TaskletFiber>();
    for mut tf in q.iter_mut(world) {
        let hit = tf.0.frames().any(|f| target(moves, f.func).is_some());
        if !hit {
            continue;
        }
        let fiber = Arc::make_mut(&mut tf.0);
        for frame in fiber.frames_mut() {
            if let Some(to) = target(moves, frame.func) {
                frame.func.func = to;
            }
        }
    }
}

fn target(moves: &[(u16, Vec<(u16, u16)>)], f: FuncRef) -> Option<u16> {
    let (_, m) = moves.iter().find(|(i, _)| *i == f.module)?;
    m.iter()
        .find(|(from, _)| *from == f.func)
        .map(|(_, to)| *to)
}

/// Starts module `m`'s top level in a new tasklet at the head of the ring.
fn start_module(world: &mut World, program: &Program, m: u16) {
    let fiber = skein_vm::Fiber::new_main(program, m);
    let mut sched = std::mem::take(&mut *world.resource_mut::<Scheduler>());
    let id = crate::world_host::spawn_tasklet(world, &mut sched);
    if let Some(e) = sched.ring.entity(id) {
        if let Some(mut f) = world.get_mut::<TaskletFiber>(e) {
            f.0 = Arc::new(fiber);
        }
        if let Some(mut t) = world.get_mut::<TaskletState>(e) {
            t.alive = true;
        }
    }
    sched.ring.insert_tail(id);
    sched.ring.set_head(id);
    sched.flush_counts(&mut world.resource_mut::<RunCounters>());
    *world.resource_mut::<Scheduler>() = sched;
}

/// Unloads retired code no frame runs any more; the number of frames that
/// still run retired code. Cheap when nothing is retired (call it at tick
/// boundaries while reloading is on).
pub fn collect(world: &mut World) -> usize {
    let code = world.resource::<Code>().0.clone();
    if code.modules.iter().all(|m| m.retired.is_empty()) {
        return 0;
    }
    let mut used: Vec<Vec<u16>> = vec![Vec::new(); code.modules.len()];
    let mut frames = 0;
    let mut q = world.query::<&TaskletFiber>();
    for tf in q.iter(world) {
        for f in tf.0.frames() {
            let Some(m) = code.modules.get(f.func.module as usize) else {
                continue;
            };
            if m.retired.contains(&f.func.func) {
                frames += 1;
                used[f.func.module as usize].push(f.func.func);
            }
        }
    }
    let mut program = None;
    for (i, m) in code.modules.iter().enumerate() {
        if m.retired.iter().all(|r| used[i].contains(r)) {
            continue;
        }
        let p = program.get_or_insert_with(|| (*code).clone());
        merge::unload_unused(&mut p.modules[i], &used[i]);
    }
    if let Some(p) = program {
        world.resource_mut::<Code>().0 = Arc::new(p);
    }
    frames
}

/// Frames that run code older than their module's newest.
pub fn old_frames(world: &mut World) -> usize {
    let code = world.resource::<Code>().0.clone();
    let mut q = world.query::<&TaskletFiber>();
    q.iter(world)
        .flat_map(|tf| tf.0.frames().map(|f| f.func).collect::<Vec<_>>())
        .filter(|f| {
            code.modules
                .get(f.module as usize)
                .is_some_and(|m| m.retired.contains(&f.func))
        })
        .count()
}
