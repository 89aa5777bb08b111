//! `skein run` as a library call: load a script, tick until idle (or a tick
//! limit), stream script output and error reports, and list deadlocked
//! tasklets. The binary adds the closing line and the exit code.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use skein_vm::{Limits, Value};

use crate::resources::WorldOptions;
use crate::sim::Simulation;

/// The run options (docs/cli.md) that do not involve saves.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// At most this many ticks (`None`: until idle).
    pub ticks: Option<u64>,
    /// The seed of the random generator.
    pub seed: u64,
    /// Instructions per tasklet per tick (`None`: the default 10 000; 0 unlimited).
    pub budget: Option<u64>,
    /// Instructions per tick for all tasklets together (`None` or 0: no bound).
    pub tick_budget: Option<u64>,
    /// `--frame-limit`: frames per tasklet (`None`: the default).
    pub frame_limit: Option<u32>,
    /// `--size-limit`: the size of one value (`None`: the default).
    pub size_limit: Option<u64>,
    /// `--path`: folders `import` searches.
    pub search_path: Vec<PathBuf>,
    /// `--param name=value` as typed; values are Skein literals.
    pub params: Vec<(String, String)>,
    /// `-q`: drop script output.
    pub quiet: bool,
    /// This world's shard number in a cluster (0 in a plain world).
    pub shard: u64,
    /// The cluster's shard count (0 or 1: a plain world).
    pub shards: u64,
}

/// What a run did, for the closing line and the exit code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Ticks run.
    pub ticks: u64,
    /// Tasklets created (main included).
    pub tasklets: u64,
    /// Tasklet switches.
    pub switches: u64,
    /// Channel messages passed.
    pub messages: u64,
    /// Uncaught script errors reported (for `--strict`).
    pub errors: u64,
    /// The run ended because the world went idle.
    pub idle: bool,
    /// `after_tick` stopped the run.
    pub interrupted: bool,
    /// The `deadlock: …` lines written (without newlines).
    pub deadlocked: Vec<String>,
}

/// Why a whole run could not go on; the binary maps each to its exit code.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Compile errors or unreadable scripts.
    #[error("{0}")]
    Load(#[from] skein_script::loader::LoadError),
    /// A bad option value.
    #[error("{0}")]
    Usage(String),
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
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
        tick_budget: opts.tick_budget.unwrap_or(0),
        limits,
        seed: opts.seed,
        search_path: opts.search_path.clone(),
        params,
        shard: opts.shard,
        shards: opts.shards.max(1),
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
    let mut sim = prepare(path, opts)?;
    drive(&mut sim, opts, out, err, &mut |_| true)
}

/// A world with the run options applied and the script at `path` loaded as
/// its main tasklet, not yet ticked.
pub fn prepare(path: &Path, opts: &RunOptions) -> Result<Simulation, RunError> {
    let mut sim = Simulation::new(world_options(opts)?);
    sim.world.resource_mut::<crate::resources::Output>().quiet = opts.quiet;
    match sim.load_main(path) {
        Ok(_) => Ok(sim),
        Err(crate::setup::WorldError::Load(e)) => Err(RunError::Load(e)),
        Err(e) => Err(RunError::Usage(e.to_string())),
    }
}

/// Ticks `sim` until it is idle or `opts.ticks` ticks have run, writing what
/// each tick printed. After every tick `after_tick` may save, show progress
/// or stop the run (by returning `false`, e.g. after Ctrl-C). When the run
/// ends idle, the deadlock lines go to `err`.
pub fn drive(
    sim: &mut Simulation,
    opts: &RunOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
    after_tick: &mut dyn FnMut(&mut Simulation) -> bool,
) -> Result<RunSummary, RunError> {
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
        if !after_tick(sim) {
            summary.interrupted = true;
            break;
        }
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
    summary.errors = sim.world.resource::<crate::resources::Output>().errors;
    Ok(summary)
}

/// A `--param` value: a Skein literal (`5`, `-2.5`, `"ada"`, `[1, 2]`,
/// `{"k": None}`, `True`), evaluated by compiling `v = (TEXT)`; text that is
/// not a literal (a bare word such as `ada`) is taken as a plain string.
pub fn parse_literal(text: &str) -> Option<Value> {
    Some(eval_literal(text).unwrap_or_else(|| Value::str(text)))
}

fn eval_literal(text: &str) -> Option<Value> {
    if text.contains('\n') || text.trim().is_empty() {
        return None;
    }
    let program = skein_script::loader::compile_str("param", &format!("v = ({text})\n")).ok()?;
    let slot = program
        .modules
        .first()?
        .globals
        .iter()
        .position(|g| g == "v")?;
    let mut machine = skein_vm::Machine::new(std::sync::Arc::new(program), Limits::default());
    let mut host = skein_vm::BufferHost::default();
    // A literal takes a handful of instructions; anything long is not one.
    match machine.run(10_000, &mut host) {
        skein_vm::Step::Done(_) if host.out.is_empty() => {}
        _ => return None,
    }
    let v = machine.globals.modules.first()?.values.get(slot)?.clone();
    match v {
        Value::None
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Float(_)
        | Value::Str(_)
        | Value::List(_)
        | Value::Dict(_) => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_literals_or_plain_strings() {
        assert_eq!(parse_literal("5"), Some(Value::Int(5)));
        assert_eq!(parse_literal("-2.5"), Some(Value::Float(-2.5)));
        assert_eq!(parse_literal("True"), Some(Value::Bool(true)));
        assert_eq!(parse_literal("'ada'"), Some(Value::str("ada")));
        assert_eq!(parse_literal("ada"), Some(Value::str("ada")));
        assert_eq!(
            parse_literal("[1, 2]"),
            Some(Value::list(vec![Value::Int(1), Value::Int(2)]))
        );
        assert_eq!(parse_literal("len"), Some(Value::str("len")));
    }
}
