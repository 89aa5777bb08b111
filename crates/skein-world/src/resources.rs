//! World-wide state as resources: the scheduler (ring, ids, tick, sleepers),
//! the code, the module globals, the seeded generator, the options, the
//! output sink and the run counters.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use bevy_ecs::resource::Resource;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};
use skein_script::bytecode::Program;
use skein_vm::{Globals, Limits, Value};

use crate::ring::Ring;
use crate::sleepers::Sleepers;

/// The run ring, the id table, the tick, main and the sleepers.
///
/// While a tick runs, the scheduler system holds this resource outside the
/// world (the world's copy is a default); immediate natives see it put back.
#[derive(Resource, Debug, Clone, Default)]
pub struct Scheduler {
    /// The run ring and the id → entity table.
    pub ring: Ring,
    /// During a tick, the tick being run; between ticks, the number of ticks
    /// completed (what `sim.tick()` returns next).
    pub tick: u64,
    /// Main's id (1 once a main module is started; 0 before).
    pub main: u64,
    /// The running tasklet's id; 0 between ticks.
    pub current: u64,
    /// Sleepers by (wake tick, order of going to sleep).
    pub sleepers: Sleepers,
    /// A tick is running: `run_tick` took this resource out of the world.
    pub in_tick: bool,
    /// Counts not yet added to [`RunCounters`] (kept here so the hot path
    /// touches no other resource).
    pub counts: RunCounters,
    /// VM instructions run by this world's tasklets (not saved: it feeds
    /// the timeline spans, which measure differences).
    pub executed: u64,
    /// Fibers copied because an autosave's snapshot still shared them.
    pub copies: CowCopies,
    /// Tasklets and channels created in this tick's current turn, for the
    /// tick budget (each counts [`SPAWN_INSTRUCTIONS`](crate::tick::SPAWN_INSTRUCTIONS));
    /// not saved: each tick starts it at zero.
    pub spawned: u64,
    /// A turn is being stepped: the running tasklet's own state changes
    /// from `schedule()` and `sim.sleep()` wait in `parked` (below).
    pub parking: bool,
    /// Those changes, written with the fiber when the turn ends: one look
    /// at the tasklet's entity per switch instead of two.
    pub parked: Option<crate::components::Parked>,
}

/// Copy-on-write copies of fibers that a snapshot held when their tasklet
/// ran: part of what an autosave costs the tick loop. Never saved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CowCopies {
    /// Fibers copied.
    pub count: u64,
    /// Time spent copying, in nanoseconds.
    pub nanos: u64,
}

impl Scheduler {
    /// Adds the pending counts to the world's [`RunCounters`].
    pub fn flush_counts(&mut self, counters: &mut RunCounters) {
        let c = std::mem::take(&mut self.counts);
        counters.switches += c.switches;
        counters.messages += c.messages;
        counters.tasklets += c.tasklets;
        counters.ticks += c.ticks;
    }
}

/// The compiled code of every loaded module.
#[derive(Resource, Debug, Clone, Default)]
pub struct Code(pub Arc<Program>);

/// Module globals of this world.
#[derive(Resource, Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScriptGlobals(pub Globals);

/// The world's one generator (docs/language.md, "The world").
#[derive(Resource, Debug, Clone, Serialize, Deserialize)]
pub struct WorldRng(pub ChaCha8Rng);

impl WorldRng {
    /// The generator a plain world starts with for `seed`.
    pub fn seeded(seed: u64) -> Self {
        WorldRng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// The generator of shard `shard`: the same seed on stream `shard`, so
    /// shard 0 draws exactly what a plain world draws.
    pub fn seeded_for_shard(seed: u64, shard: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(shard);
        WorldRng(rng)
    }
}

/// Options of a world (docs/rust-api.md, "Options" and the run options).
#[derive(Resource, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorldOptions {
    /// Instructions per tasklet per tick; 0 is unlimited.
    pub budget: u64,
    /// Instructions all tasklets together may run in one tick before the
    /// tick ends at the next switch (`--tick-budget`), each turn and each
    /// spawn counting as [`TURN_INSTRUCTIONS`](crate::tick::TURN_INSTRUCTIONS)
    /// and [`SPAWN_INSTRUCTIONS`](crate::tick::SPAWN_INSTRUCTIONS) more; 0 is no bound.
    pub tick_budget: u64,
    /// Frame, size and integer limits of the scripts.
    pub limits: Limits,
    /// The seed of the random generator.
    pub seed: u64,
    /// Folders `import` searches, after the main script's own.
    pub search_path: Vec<PathBuf>,
    /// `--param name=value`, already parsed into values.
    pub params: BTreeMap<String, Value>,
    /// This world's shard number k in a cluster (0 in a plain world): its
    /// ids are k+1, k+1+N, … and its generator runs on stream k.
    pub shard: u64,
    /// The cluster's shard count N (1 in a plain world; 0 is taken as 1).
    pub shards: u64,
}

impl Default for WorldOptions {
    fn default() -> Self {
        WorldOptions {
            budget: 10_000,
            tick_budget: 0,
            limits: Limits::default(),
            seed: 0,
            search_path: Vec::new(),
            params: BTreeMap::new(),
            shard: 0,
            shards: 1,
        }
    }
}

/// Where script output and error reports go.
#[derive(Resource, Debug, Clone, Default)]
pub struct Output {
    /// Write to the process's stdout/stderr instead of capturing.
    pub passthrough: bool,
    /// Drop script output (`-q`); error reports are kept.
    pub quiet: bool,
    /// Captured script output.
    pub stdout: String,
    /// Captured error reports (tracebacks, deadlocks).
    pub stderr: String,
    /// Uncaught errors reported so far (for `--strict`).
    pub errors: u64,
}

impl Output {
    /// Writes script output (dropped under `-q`).
    pub fn print(&mut self, text: &str) {
        if self.quiet {
            return;
        }
        if self.passthrough {
            use std::io::Write;
            let _ = std::io::stdout().write_all(text.as_bytes());
        } else {
            self.stdout.push_str(text);
        }
    }

    /// Writes an error report.
    pub fn eprint(&mut self, text: &str) {
        if self.passthrough {
            use std::io::Write;
            let _ = std::io::stderr().write_all(text.as_bytes());
        } else {
            self.stderr.push_str(text);
        }
    }

    /// Takes what was captured so far: (stdout, stderr).
    pub fn take(&mut self) -> (String, String) {
        (
            std::mem::take(&mut self.stdout),
            std::mem::take(&mut self.stderr),
        )
    }
}

/// Counters for the closing line of `skein run`.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCounters {
    /// Slices run: each time a tasklet became current.
    pub switches: u64,
    /// Channel meetings.
    pub messages: u64,
    /// Tasklets created (main included).
    pub tasklets: u64,
    /// Ticks run.
    pub ticks: u64,
}
