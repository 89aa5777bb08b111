//! The save file's schema: a header read first, then flat lists of records
//! that refer to each other by ids of our own (never `Entity` bits), so the
//! nesting stays shallow however deep the stacks are. Every list is sorted by
//! id and every map is a `BTreeMap`, so one world always gives the same bytes.
//!
//! The same records are written as pretty RON, compact RON or postcard
//! (`write.rs`); nothing here depends on the encoding, which is why there is
//! no untagged enum, flattening or skipped field (postcard cannot read those).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::code::ContentHash;
use crate::ext::ExtValue;
use crate::values::ValueRec;

mod code_rec;
mod func_rec;
mod skip;

pub use code_rec::CodeRec;

/// The `format` field of every header.
pub const FORMAT_NAME: &str = "skein-save";
/// The format version this build writes, and the newest it reads.
pub const FORMAT_VERSION: u32 = 2;
/// The producing version written into headers.
pub const PRODUCER: &str = concat!("skein ", env!("CARGO_PKG_VERSION"));

/// A whole save file: the header, then the body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SaveFile {
    /// Read and checked first.
    pub header: Header,
    /// The records.
    pub body: Body,
}

/// What a reader checks before anything else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// [`FORMAT_VERSION`] when written by this build.
    pub version: u32,
    /// The skein that wrote the file (`skein 0.1.0`), for people.
    pub producer: String,
    /// A whole world or a selection.
    pub kind: SaveKind,
    /// Ticks completed when the save was made (what `sim.tick()` returns next).
    pub tick: u64,
    /// The world's seed.
    pub seed: u64,
    /// Content hash of every module in the file, by module name.
    pub modules: BTreeMap<String, ContentHash>,
}

impl Header {
    /// A header of this build's format and version.
    pub fn new(kind: SaveKind, tick: u64, seed: u64) -> Header {
        Header {
            format: FORMAT_NAME.to_string(),
            version: FORMAT_VERSION,
            producer: PRODUCER.to_string(),
            kind,
            tick,
            seed,
            modules: BTreeMap::new(),
        }
    }
}

/// What a save holds, and so what it is loaded into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaveKind {
    /// A whole world, loaded into a fresh world (`skein resume`).
    World,
    /// Chosen tasklets and channels, loaded into a running world.
    Selection,
}

/// Everything after the header. The parts a world and a selection share are
/// plain fields; `world` is present exactly when the kind is `World`, and
/// `roots` is used only by selections.
///
/// The fields are in the order a one-pass reader needs them: the code, the
/// value table, the channels and the world record come before the tasklets
/// that refer to them, so each tasklet can be checked and built as it is
/// read (format version 2).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Body {
    /// The code of every module a record refers to, by name.
    pub modules: Vec<ModuleRec>,
    /// Values too deep or too big to write inline, referred to as `Ref(i)`.
    /// Entry `i` refers only to entries below `i`.
    pub values: Vec<ValueRec>,
    /// Sorted by id.
    pub channels: Vec<ChannelRec>,
    /// World-only state.
    pub world: Option<WorldRec>,
    /// Sorted by id.
    pub tasklets: Vec<TaskletRec>,
    /// A selection's roots in the caller's order: the elements of the
    /// `pickle.dumps` value, or `extract`'s selectors.
    pub roots: Vec<ValueRec>,
    /// For a selection: its runnable tasklets in relative ring order (loaded
    /// paused; scheduling them on request appends them in this order).
    pub ring_order: Vec<u64>,
}

/// One module's code: its source with per-function content hashes, so a
/// loader can tell exactly which functions changed, and in a world save the
/// compiled functions that `--code saved` runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleRec {
    /// The module's dotted name.
    pub name: String,
    /// Relative to its search-path root; never absolute.
    pub path: String,
    /// The module's content hash (source and function hashes).
    pub hash: ContentHash,
    /// Function name to its hash, in the module's function order.
    pub functions: Vec<(String, ContentHash)>,
    /// The module's source text (tracebacks, `inspect`, the hashes).
    pub source: String,
    /// The compiled module, in world saves (a selection runs on the loading
    /// world's code); `None` on the record of an older source.
    pub code: Option<CodeRec>,
}

/// The world's own state beside its tasklets and channels.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WorldRec {
    /// The next id the world hands out.
    pub next_id: u64,
    /// Main's id (tasklet #1 once a main module started; 0 before).
    pub main: u64,
    /// The run ring from the head; between ticks no tasklet is current.
    pub ring: Vec<u64>,
    /// Sleepers in wake order (wake tick, then order of going to sleep);
    /// each one's wake is in its record's `wait`.
    pub sleepers: Vec<u64>,
    /// The last native request number handed out.
    pub last_request: u64,
    /// Tasklets whose native request the host completed but that are not yet
    /// back in the ring, in completion order, with their result.
    pub completions: Vec<CompletionRec>,
    /// The state of the world's seeded generator.
    pub rng: RngRec,
    /// The options the run was started with.
    pub options: OptionsRec,
    /// Module globals, in module load order.
    pub globals: Vec<GlobalsRec>,
    /// Host-registered modules (beyond the built-in ones), in registration
    /// order: values that name one of them name it by this name.
    pub host_modules: Vec<String>,
    /// Counters of the closing line (ticks, switches, messages, tasklets).
    pub counters: CountersRec,
    /// Host-registered resources, by their stable tag.
    pub resources: BTreeMap<String, ExtValue>,
}

/// The run counters, so a resumed run's closing line counts from the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CountersRec {
    /// Ticks run.
    pub ticks: u64,
    /// Tasklet switches.
    pub switches: u64,
    /// Channel messages passed.
    pub messages: u64,
    /// Tasklets created.
    pub tasklets: u64,
}

/// A completed native request waiting to be appended to the ring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionRec {
    /// The tasklet that made the request.
    pub tasklet: u64,
    /// The request's number.
    pub request: u64,
    /// `Ok` value or raised error.
    pub result: Result<ValueRec, ValueRec>,
}

/// ChaCha8's state, as the generator exposes it (seed, stream, word position).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RngRec {
    /// The generator's seed.
    pub seed: [u8; 32],
    /// The stream number.
    pub stream: u64,
    /// The 128-bit word position as (high, low) halves: RON has no u128.
    pub word_pos: (u64, u64),
}

impl RngRec {
    /// The word position as the generator takes it.
    pub fn word_pos(&self) -> u128 {
        (u128::from(self.word_pos.0) << 64) | u128::from(self.word_pos.1)
    }

    /// Stores the generator's word position.
    pub fn set_word_pos(&mut self, pos: u128) {
        self.word_pos = ((pos >> 64) as u64, pos as u64);
    }
}

/// The options that decide a run's output, saved so `resume` continues with
/// the same ones.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OptionsRec {
    /// Instructions per tasklet per tick; 0 is unlimited.
    pub budget: u64,
    /// Frames per tasklet.
    pub frame_limit: u32,
    /// The largest size of one value.
    pub size_limit: u64,
    /// Search-path roots as given (relative ones stay relative).
    pub path: Vec<String>,
    /// Scenario parameters (`--param k=v`), by name.
    pub params: BTreeMap<String, ValueRec>,
    /// `--tick-budget`: instructions per tick for all tasklets; 0 is none.
    #[serde(default)]
    pub tick_budget: u64,
}

/// One module's globals: every slot by name, `Unbound` included, so the
/// slot order of the loading world's code does not matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalsRec {
    /// The module's name.
    pub module: String,
    /// How far its top level has run.
    pub state: ImportStateRec,
    /// Each global slot, by name.
    pub values: Vec<(String, ValueRec)>,
}

/// How far a module's top level has run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportStateRec {
    /// Not imported yet.
    NotRun,
    /// Being imported (its top level is on some tasklet's stack).
    Running,
    /// Imported.
    Done,
}

/// One tasklet: its Stackless attributes, what it waits on and what the
/// host call it is suspended in will return, then its fiber. RON leaves out
/// the fields marked `default` when they hold it (`format/skip.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TaskletRec {
    /// The tasklet's record id.
    pub id: u64,
    /// The name the script gave it, if any.
    #[serde(default)]
    pub name: Option<String>,
    /// For people; a loader checks it agrees with the fields below.
    pub status: Status,
    /// Not finished or killed.
    pub alive: bool,
    /// Has run (or been entered) since it was set up.
    pub started: bool,
    /// Stackless `atomic`: not switched out by its budget.
    #[serde(default)]
    pub atomic: bool,
    /// Stackless `block_trap`: blocking on a channel raises instead.
    #[serde(default)]
    pub block_trap: bool,
    /// A dict value.
    #[serde(default = "skip::empty_dict")]
    pub data: ValueRec,
    /// The value a switch hands it (Stackless `tempval`).
    #[serde(default = "nil")]
    pub tempval: ValueRec,
    /// The error to raise when it next runs (from `throw`/`kill`), or the
    /// payload of a blocked `send_exception` (then `pending_is_payload`).
    #[serde(default)]
    pub pending: Option<ValueRec>,
    /// `pending` is a blocked `send_exception`'s payload, not an error to raise.
    #[serde(default)]
    pub pending_is_payload: bool,
    /// What it waits for.
    pub wait: Wait,
    /// Which host call its fiber is inside.
    pub suspension: SuspensionRec,
    /// The function it was set up with (for an error thrown before it ran).
    pub func: Option<FuncRec>,
    /// Per-tick bookkeeping (ticks are counted `tick + 1`, 0 for never);
    /// between ticks none of it is live, so world saves write zeros.
    #[serde(default)]
    pub tick_state: TickStateRec,
    /// Its interpreter state.
    pub fiber: FiberRec,
    /// Host-registered components, by their stable tag.
    #[serde(default)]
    pub ext: BTreeMap<String, ExtValue>,
}

fn nil() -> ValueRec {
    ValueRec::Nil
}

/// A function by name: (module, function). The names are shared: a world's
/// frames name a few functions many times over, and reading one back reuses
/// the name it read last in that place (`format/func_rec.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncRec(pub Arc<str>, pub Arc<str>);

impl FuncRec {
    /// The module's name.
    pub fn module(&self) -> &str {
        &self.0
    }

    /// The function's name.
    pub fn function(&self) -> &str {
        &self.1
    }
}

/// A tasklet's per-tick bookkeeping, as the world keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TickStateRec {
    /// `tick + 1` of the last tick in which it yielded (0: never).
    pub yielded: u64,
    /// `tick + 1` of the tick `budget_used` counts in.
    pub budget_tick: u64,
    /// Instructions run in that tick (against `--tick-budget`).
    pub budget_used: u64,
}

/// Where a tasklet is in its life cycle (docs/stackless.md's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// `tasklet(f)`: bound, not yet set up.
    Bound,
    /// In the ring.
    Runnable,
    /// Alive, out of the ring, not waiting.
    Paused,
    /// Waiting on a channel, a sleep or a native: see `wait`.
    Blocked,
    /// Finished or killed.
    Dead,
}

/// What a blocked tasklet waits for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Wait {
    /// Runnable, paused, bound or dead.
    Nothing,
    /// In a channel's queue.
    Channel {
        /// The channel's record id.
        id: u64,
        /// Sending or receiving.
        dir: Dir,
    },
    /// Wakes `remaining` ticks after the save's tick.
    Sleep {
        /// Ticks left to sleep.
        remaining: u64,
    },
    /// In a blocking host native, with the request the host was given.
    Native {
        /// The request's number.
        request: u64,
        /// The native's module.
        module: String,
        /// The native's name.
        name: String,
        /// The arguments it was called with.
        args: Vec<ValueRec>,
    },
}

/// The direction of channel waiters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dir {
    /// Waiting to send.
    Send,
    /// Waiting to receive.
    Receive,
}

/// Which host call a tasklet's fiber is suspended in, which decides what
/// the call returns when the tasklet runs again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SuspensionRec {
    /// Not inside a host call.
    NotSuspended,
    /// `schedule`, `schedule_remove`, `run`, `switch`: returns the tempval.
    Schedule,
    /// `kill`/`throw` of another tasklet, `sim.sleep`, `stackless.run()`:
    /// returns `None`.
    ReturnsNone,
    /// `send`.
    Send,
    /// `send_exception`.
    SendException,
    /// `send_sequence`: the channel, the items and the next index.
    SendSequence {
        /// The channel's record id.
        channel: u64,
        /// The items being sent.
        items: ValueRec,
        /// The index of the next item to send.
        next: u64,
    },
    /// `receive()`.
    Receive,
    /// A `for` loop over a channel, waiting for its next item.
    ReceiveInLoop,
    /// A blocking native.
    Native,
}

/// A tasklet's interpreter state.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FiberRec {
    /// Whether it can run, waits, or has ended.
    pub state: FiberStateRec,
    /// Outermost first.
    pub frames: Vec<FrameRec>,
    /// The fiber's own pending error (raised before its next instruction).
    #[serde(default)]
    pub pending: Option<ValueRec>,
}

/// Where a fiber is in its run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FiberStateRec {
    /// Can run its next instruction.
    Ready,
    /// Suspended in a host call.
    Waiting,
    /// Returned from its outermost frame.
    Done,
    /// Ended by an uncaught error.
    Failed,
}

/// One activation: the function by name, the next instruction with its
/// source line beside it (for people; the loader ignores `line`), then the
/// frame's slice of the operand stack.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FrameRec {
    /// The function this frame runs.
    pub func: FuncRec,
    /// The index of the next instruction.
    pub pc: u32,
    /// The source line of that instruction.
    pub line: u32,
    /// Exactly the function's `nlocals` slots, `Unbound` where unassigned.
    pub locals: Vec<ValueRec>,
    /// Temporaries above the locals, bottom first (loop iterators included).
    #[serde(default)]
    pub stack: Vec<ValueRec>,
    /// This frame's active `try`s, innermost last.
    #[serde(default)]
    pub handlers: Vec<HandlerRec>,
    /// What the caller does with the value this frame returns.
    #[serde(default)]
    pub ret: skein_vm::Cont,
}

/// An active `try`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlerRec {
    /// Where the handler's code starts.
    pub target: u32,
    /// Operand height (above the frame's locals) restored before the error
    /// is pushed.
    pub height: u32,
    /// A `finally` (or cleanup) handler: it also runs for `TaskletExit`.
    pub catch_all: bool,
}

/// One channel: flags and its waiters in blocking order (a sender's pending
/// value is its `tempval`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelRec {
    /// The channel's record id.
    pub id: u64,
    /// -1, 0 or 1.
    pub preference: i8,
    /// Stackless `schedule_all`.
    pub schedule_all: bool,
    /// `close()` was called: once empty, it is closed.
    pub closing: bool,
    /// The direction its waiters wait (kept when it has none).
    pub dir: Dir,
    /// Its waiting tasklets' record ids, in blocking order.
    pub waiters: Vec<u64>,
    /// Host-registered components, by their stable tag.
    pub ext: BTreeMap<String, ExtValue>,
}
