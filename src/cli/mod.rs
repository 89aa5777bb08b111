//! The command-line face of Skein: parse the arguments, resolve them into a
//! configuration, dispatch to one command, and turn its outcome into an
//! exit code (docs/cli.md, "Exit codes").

mod args;
mod cluster;
mod compile;
mod config;
mod durability;
mod engine;
mod failure;
mod frames;
mod inspect;
mod interrupt;
mod logging;
mod output;
mod pace;
mod progress;
mod reload;
mod resume;
mod run;
mod saving;
mod shard;
mod stats;
mod world;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, VillageArgs};
use config::RunConfig;

/// How the process ends, with the exit codes of docs/cli.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done; uncaught script errors were reported but do not count.
    Success = 0,
    /// 1: `--strict` and a script error went uncaught.
    ScriptFailed = 1,
    /// 2: bad usage, a compile error, or input that cannot be read.
    BadInput = 2,
    /// 3: a save or other output that cannot be written.
    CannotWrite = 3,
    /// 130: stopped by Ctrl-C (after finishing the tick, and saving).
    Interrupted = 130,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

/// Runs the command line the process was started with.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap's own code: 2 for usage errors, 0 for --help and --version.
            let code = err.exit_code();
            let _ = err.print();
            return ExitCode::from(u8::try_from(code).unwrap_or(2));
        }
    };
    let trace = match &cli.command {
        Some(Command::Run(a)) => a.serve.trace.clone(),
        Some(Command::Resume(a)) => a.serve.trace.clone(),
        Some(Command::Village(a)) => a.serve.trace.clone(),
        _ => None,
    };
    let outcome = match logging::init(cli.verbose, trace.as_deref()) {
        // Held to the end: dropping it completes the trace file.
        Ok(_trace) => command(cli.command),
        Err(msg) => Err(failure::Failure::cannot_write(msg)),
    };
    match outcome {
        Ok(status) => status.into(),
        Err(failure) => {
            if !failure.message.is_empty() {
                output::report(&failure.message);
            }
            failure.status.into()
        }
    }
}

/// Runs one command.
fn command(command: Option<Command>) -> failure::Outcome {
    match command {
        None => run::run(&RunConfig::village(VillageArgs::default())),
        Some(Command::Village(args)) => run::run(&RunConfig::village(args)),
        Some(Command::Run(args)) => run::run(&RunConfig::resolve(args)),
        Some(Command::Resume(args)) => resume::resume(args),
        Some(Command::Inspect(args)) => inspect::inspect(&args),
        Some(Command::Extract(args)) => inspect::extract_part(&args),
        Some(Command::Shard(args)) => shard::shard(&args),
        Some(Command::Cluster(args)) => cluster::cluster(&args),
        Some(Command::Check(args)) => compile::check(&args.file, &args.paths),
        Some(Command::Disasm(args)) => compile::disasm_file(&args.file, &args.paths),
    }
}
