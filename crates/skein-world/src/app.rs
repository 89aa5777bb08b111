//! [`SkeinPlugin`]: Skein in a bevy `App` (feature `app`). It inserts the
//! world's resources, adds the scheduler in [`SkeinSystems::Run`] to a
//! schedule (`Update` unless told otherwise), starts a main module, runs
//! one Skein tick per run of that schedule, and can end the app when the
//! world goes idle. Saving and loading by message is the `app` feature of
//! `skein-save` (`SkeinSavePlugin`), since saves sit above this crate.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bevy_app::{App, AppExit, Plugin, Update};
use bevy_ecs::intern::Interned;
use bevy_ecs::message::Message;
use bevy_ecs::resource::Resource;
use bevy_ecs::schedule::{IntoScheduleConfigs, ScheduleLabel};
use bevy_ecs::world::World;

use crate::reload::watch::Watch;
use crate::reload::{ReloadError, ReloadReport};
use crate::timeline::Timeline;
use crate::{Output, Scheduler, SkeinSystems, WorldError, WorldOptions, run_tick};

/// Starts a main module in a world whose natives are all registered.
pub type StartFn = Arc<dyn Fn(&mut World) -> Result<u64, WorldError> + Send + Sync>;

/// Where the main module comes from.
#[derive(Clone)]
pub enum MainModule {
    /// A script file and the modules it imports (found beside it and on
    /// the options' search path).
    File(PathBuf),
    /// A script in a string: module `name`, shown as `name.sk`.
    Source {
        /// The module's name.
        name: String,
        /// Its source text.
        source: String,
    },
    /// Anything else, such as scripts built into the game.
    With(StartFn),
}

/// Skein in a bevy `App`: resources, the scheduler, a main module, and one
/// tick per run of the chosen schedule.
///
/// The main module is compiled in [`Plugin::finish`], after every plugin
/// has registered its natives. A script that does not compile is reported
/// on stderr (as `skein run` reports it), kept in [`SkeinStartError`], and
/// ends the app with exit code 2; it never panics.
#[derive(Clone)]
pub struct SkeinPlugin {
    /// The world's options (budgets, limits, seed, search path, params).
    pub options: WorldOptions,
    /// The main module, started as the main tasklet (`None`: no script).
    pub main: Option<MainModule>,
    /// The schedule that runs one tick per run (`Update` by default;
    /// `FixedUpdate` for a fixed rate).
    pub schedule: Interned<dyn ScheduleLabel>,
    /// Send `AppExit::Success` after the tick that leaves the world idle.
    pub exit_when_idle: bool,
    /// Keep script output in the [`Output`] resource instead of writing it
    /// to the process's stdout and stderr.
    pub capture_output: bool,
    /// Write a Chrome/Perfetto trace of every tick and slice to this file.
    pub trace: Option<PathBuf>,
    /// Hot reload of a [`MainModule::File`] program: changed files are
    /// swapped in at the tick boundary (see [`crate::reload`]).
    pub watch: bool,
}

impl Default for SkeinPlugin {
    fn default() -> Self {
        SkeinPlugin {
            options: WorldOptions::default(),
            main: None,
            schedule: Update.intern(),
            exit_when_idle: false,
            capture_output: false,
            trace: None,
            watch: false,
        }
    }
}

impl SkeinPlugin {
    /// A plugin with the default options and no main module yet.
    pub fn new() -> Self {
        SkeinPlugin::default()
    }

    /// The world's options (seed, budget, limits, search path, params).
    pub fn with_options(mut self, options: WorldOptions) -> Self {
        self.options = options;
        self
    }

    /// Runs the script at `path` as the main tasklet.
    pub fn main_file(mut self, path: impl AsRef<Path>) -> Self {
        self.main = Some(MainModule::File(path.as_ref().to_path_buf()));
        self
    }

    /// Runs `source` as the main tasklet, as module `name`.
    pub fn main_source(mut self, name: &str, source: &str) -> Self {
        self.main = Some(MainModule::Source {
            name: name.to_string(),
            source: source.to_string(),
        });
        self
    }

    /// Starts the main module with `start` (e.g. `skein_village::start_village`).
    pub fn main_with(
        mut self,
        start: impl Fn(&mut World) -> Result<u64, WorldError> + Send + Sync + 'static,
    ) -> Self {
        self.main = Some(MainModule::With(Arc::new(start)));
        self
    }

    /// Ticks in `schedule` instead of `Update` (`FixedUpdate`: a fixed rate).
    pub fn in_schedule(mut self, schedule: impl ScheduleLabel) -> Self {
        self.schedule = schedule.intern();
        self
    }

    /// Ends the app (`AppExit::Success`) when the world goes idle.
    pub fn exit_when_idle(mut self) -> Self {
        self.exit_when_idle = true;
        self
    }

    /// Keeps script output in the [`Output`] resource (`take()` it).
    pub fn capture_output(mut self) -> Self {
        self.capture_output = true;
        self
    }

    /// Writes the timeline of ticks and slices to `path` as a Chrome trace.
    pub fn trace(mut self, path: impl AsRef<Path>) -> Self {
        self.trace = Some(path.as_ref().to_path_buf());
        self
    }

    /// Hot reload, as `skein run --watch`: when a file of the main program
    /// ([`main_file`](Self::main_file)) changes, it is compiled and swapped
    /// in at the next tick boundary, answered by [`CodeReloaded`] or
    /// [`ReloadFailed`]. Refused (exit code 2) in a world marked
    /// [`DeterministicReplay`](crate::reload::DeterministicReplay).
    pub fn watch(mut self) -> Self {
        self.watch = true;
        self
    }
}

/// New code was swapped in (what, and how many frames still run old code).
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub struct CodeReloaded(pub ReloadReport);

/// A changed file did not compile (or the swap was refused); the old code
/// keeps running. The text is rendered as `skein run` renders errors.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub struct ReloadFailed(pub String);

/// The watched files and how many frames ran old code after the last swap.
struct Watched {
    watch: Watch,
    old_frames: usize,
}

/// Where [`Watched`] waits between ticks. The system takes its contents
/// rather than the resource, because taking a resource out of a bevy 0.20
/// world and back moves its entity between archetypes every tick.
#[derive(Resource)]
struct Watching(Option<Watched>);

/// At the tick boundary: unloads old code no frame runs, swaps in changed
/// files, and reports both on the world's error output and as messages.
fn watch_system(world: &mut World) {
    let Some(mut w) = world
        .get_resource_mut::<Watching>()
        .and_then(|mut slot| slot.0.take())
    else {
        return;
    };
    if w.old_frames > 0 {
        w.old_frames = crate::reload::collect(world);
        if w.old_frames == 0 {
            let mut out = world.resource_mut::<Output>();
            out.eprint("reload: no frame runs old code any more\n");
        }
    }
    match w.watch.poll(world) {
        None => {}
        Some(Ok(r)) if r.is_empty() => {}
        Some(Ok(r)) => {
            w.old_frames = r.old_frames;
            let text = format!("reload: {}\n", r.summary());
            world.resource_mut::<Output>().eprint(&text);
            world.write_message(CodeReloaded(r));
        }
        Some(Err(e)) => {
            let text = match e {
                ReloadError::Load(e) => format!(
                    "reload: the new code does not compile; the old code keeps running\n{}",
                    e.render()
                ),
                other => format!("reload: error: {other}\n"),
            };
            world.resource_mut::<Output>().eprint(&text);
            world.write_message(ReloadFailed(text));
        }
    }
    world.resource_mut::<Watching>().0 = Some(w);
}

/// The schedule the plugin ticks in, for plugins that add systems beside
/// the scheduler (such as `skein-save`'s).
#[derive(Resource, Debug, Clone, Copy)]
pub struct SkeinSchedule(pub Interned<dyn ScheduleLabel>);

/// Why the plugin could not start: a compile error (rendered as `skein
/// run` renders it) or a trace file that cannot be written.
#[derive(Resource, Debug, Clone, PartialEq, Eq)]
pub struct SkeinStartError(pub String);

/// The trace the scheduler writes while it runs.
#[derive(Resource)]
struct TraceFile(Timeline);

impl Plugin for SkeinPlugin {
    fn build(&self, app: &mut App) {
        let world = app.world_mut();
        crate::init_world(world, self.options.clone());
        world.resource_mut::<Output>().passthrough = !self.capture_output;
        app.insert_resource(SkeinSchedule(self.schedule));
        app.configure_sets(
            self.schedule,
            SkeinSystems::Persist.after(SkeinSystems::Run),
        );
        match &self.trace {
            Some(path) => match Timeline::create(path) {
                Ok(timeline) => {
                    app.insert_resource(TraceFile(timeline));
                    app.add_systems(self.schedule, traced_tick.in_set(SkeinSystems::Run));
                }
                Err(e) => {
                    fail(
                        app.world_mut(),
                        format!("error: cannot write the trace {}: {e}", path.display()),
                    );
                    app.add_systems(self.schedule, run_tick.in_set(SkeinSystems::Run));
                }
            },
            None => {
                app.add_systems(self.schedule, run_tick.in_set(SkeinSystems::Run));
            }
        }
        if self.watch {
            app.add_message::<CodeReloaded>()
                .add_message::<ReloadFailed>();
            app.add_systems(
                self.schedule,
                watch_system
                    .after(SkeinSystems::Run)
                    .before(SkeinSystems::Persist),
            );
        }
        if self.exit_when_idle {
            app.add_systems(
                self.schedule,
                exit_if_idle
                    .after(SkeinSystems::Run)
                    .after(SkeinSystems::Persist),
            );
        }
    }

    fn finish(&self, app: &mut App) {
        let Some(main) = &self.main else {
            return;
        };
        let world = app.world_mut();
        let started = match main {
            MainModule::File(path) => {
                let opts = crate::load_options(world);
                skein_script::loader::load_program(path, &opts)
                    .map_err(WorldError::from)
                    .and_then(|p| crate::start_main(world, p))
            }
            MainModule::Source { name, source } => crate::start_main_source(world, name, source),
            MainModule::With(start) => start(world),
        };
        if let Err(e) = started {
            let text = match e {
                WorldError::Load(e) => e.render(),
                other => format!("error: {other}"),
            };
            fail(world, text);
            return;
        }
        if self.watch {
            match (main, crate::reload::check_allowed(world)) {
                (_, Err(e)) => fail(world, format!("error: {e}")),
                (MainModule::File(path), Ok(())) => {
                    let watch = Watch::new(world, path);
                    world.insert_resource(Watching(Some(Watched {
                        watch,
                        old_frames: 0,
                    })));
                }
                (_, Ok(())) => fail(
                    world,
                    "error: hot reload watches script files: use main_file".to_string(),
                ),
            }
        }
    }
}

/// Reports `text` on stderr, keeps it, and ends the app with code 2.
fn fail(world: &mut World, text: String) {
    eprintln!("{}", text.trim_end());
    world.write_message(AppExit::from_code(2));
    world.insert_resource(SkeinStartError(text));
}

/// The scheduler inside the trace's subscriber.
fn traced_tick(world: &mut World) {
    world.resource_scope(|world, trace: bevy_ecs::world::Mut<TraceFile>| {
        trace.0.in_scope(|| run_tick(world));
    });
}

/// Runs `f` inside the plugin's trace when it writes one, so the spans of
/// systems beside the scheduler (autosave's) land on the same timeline.
pub fn in_trace<R>(world: &mut World, f: impl FnOnce(&mut World) -> R) -> R {
    if !world.contains_resource::<TraceFile>() {
        return f(world);
    }
    world.resource_scope(|world, trace: bevy_ecs::world::Mut<TraceFile>| {
        trace.0.in_scope(|| f(world))
    })
}

/// `AppExit::Success` once a world that has run something is idle.
fn exit_if_idle(world: &mut World) {
    let started = {
        let sched = world.resource::<Scheduler>();
        sched.main != 0 || sched.ring.next_id() > 1
    };
    if started && crate::is_idle(world) {
        world.write_message(AppExit::Success);
    }
}
