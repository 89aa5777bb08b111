//! `skein run` as a library call: load a script, tick until idle (or a tick
//! limit), stream script output and error reports, and list deadlocked
//! tasklets. The binary adds the closing line and the exit code.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use skein_vm::{Limits, Value};

use crate::{Scheduler, Simulation, TaskletFiber, TaskletState, Wait, WorldOptions};

/// The run options of runtime.md that do not involve saves.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// At most this many ticks (`None`: until idle).
    pub ticks: Option<u64>,
    pub seed: u64,
    /// Instructions per tasklet per tick (`None`: the default 10 000; 0 unlimited).
    pub budget: Option<u64>,
    pub frame_limit: Option<u32>,
    pub size_limit: Option<u64>,
    pub search_path: Vec<PathBuf>,
    /// `--param name=value` as typed; values are Skein literals.
    pub params: Vec<(String, String)>,
    /// `-q`: drop script output.
    pub quiet: bool,
}

/// What a run did, for the closing line and the exit code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub ticks: u64,
    pub tasklets: u64,
    pub switches: u64,
    pub messages: u64,
    /// Uncaught script errors reported (for `--strict`).
    pub errors: u64,
    /// The run ended because the world went idle.
    pub idle: bool,
    /// The `deadlock: …` lines written (without newlines).
    pub deadlocked: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Compile errors or unreadable scripts (exit code 2).
    #[error("{0}")]
    Load(#[from] skein_script::loader::LoadError),
    /// A bad option value (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// Writing the output failed (exit code 3).
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
}

impl RunError {
    /// The exit code runtime.md gives this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Load(_) | RunError::Usage(_) => 2,
            RunError::Io(_) => 3,
        }
    }
}

/// A world with the run options applied (no script loaded yet).
pub fn world_options(opts: &RunOptions) -> Result<WorldOptions, RunError> {
    let mut limits = Limits::default();
    if let Some(f) = opts.frame_limit {
        limits.frame_limit = f;
    }
    if let Some(s) = opts.size_limit {
        limits.size_limit = s;
    }
    let mut params = BTreeMap::new();
    for (k, v) in &opts.params {
        let value = parse_literal(v)
            .ok_or_else(|| RunError::Usage(format!("--param {k}={v}: not a Skein literal")))?;
        params.insert(k.clone(), value);
    }
    Ok(WorldOptions {
        budget: opts.budget.unwrap_or(10_000),
        limits,
        seed: opts.seed,
        search_path: opts.search_path.clone(),
        params,
    })
}

/// Runs the script at `path`: script output to `out`; error reports and
/// deadlock lines to `err`.
pub fn run_file(
    path: &Path,
    opts: &RunOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<RunSummary, RunError> {
    let mut sim = Simulation::new(world_options(opts)?);
    sim.world.resource_mut::<crate::Output>().quiet = opts.quiet;
    match sim.load_main(path) {
        Ok(_) => {}
        Err(crate::WorldError::Load(e)) => return Err(RunError::Load(e)),
        Err(e) => return Err(RunError::Usage(e.to_string())),
    }
    let mut summary = RunSummary::default();
    loop {
        if sim.is_idle() {
            summary.idle = true;
            break;
        }
        if opts.ticks.is_some_and(|n| summary.ticks >= n) {
            break;
        }
        sim.tick();
        summary.ticks += 1;
        let (o, e) = sim.take_output();
        out.write_all(o.as_bytes())?;
        err.write_all(e.as_bytes())?;
    }
    if summary.idle {
        summary.deadlocked = sim.deadlocked();
        for line in &summary.deadlocked {
            writeln!(err, "{line}")?;
        }
    }
    out.flush()?;
    let c = sim.counters();
    summary.tasklets = c.tasklets;
    summary.switches = c.switches;
    summary.messages = c.messages;
    summary.errors = sim.world.resource::<crate::Output>().errors;
    Ok(summary)
}

/// `deadlock: <tasklet X> blocked receiving on <channel #N> at FILE:LINE`
/// for every tasklet blocked on a channel, in id order.
pub fn deadlocked(world: &bevy_ecs::world::World) -> Vec<String> {
    let sched = world.resource::<Scheduler>();
    let program = world.resource::<crate::Code>().0.clone();
    let mut lines = Vec::new();
    for (id, e) in sched.ring.ids() {
        let Some(t) = world.get::<TaskletState>(e) else {
            continue;
        };
        let Wait::Channel { channel, sending } = t.wait else {
            continue;
        };
        let label = match &t.name {
            Some(n) => format!("<tasklet {n}>"),
            None => format!("<tasklet #{id}>"),
        };
        let at = world
            .get::<TaskletFiber>(e)
            .and_then(|f| crate::vmlink::current_line(&f.0, &program))
            .map_or_else(String::new, |(file, line)| format!(" at {file}:{line}"));
        let dir = if sending { "sending" } else { "receiving" };
        lines.push(format!(
            "deadlock: {label} blocked {dir} on <channel #{channel}>{at}"
        ));
    }
    lines
}

/// A `--param` value: `None`, `True`, `False`, an int, a float or a quoted
/// string; anything else is taken as a plain string.
pub fn parse_literal(text: &str) -> Option<Value> {
    let t = text.trim();
    match t {
        "None" => return Some(Value::None),
        "True" => return Some(Value::Bool(true)),
        "False" => return Some(Value::Bool(false)),
        _ => {}
    }
    let digits = t.replace('_', "");
    if let Ok(i) = digits.parse::<i64>() {
        return Some(Value::Int(i));
    }
    if let Ok(f) = digits.parse::<f64>()
        && t.chars().any(|c| c.is_ascii_digit())
    {
        return Some(Value::Float(f));
    }
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return Some(Value::str(&t[1..t.len() - 1]));
        }
    }
    Some(Value::str(t))
}
