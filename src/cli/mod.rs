//! The command-line face of Skein: parse the arguments, resolve them into a
//! configuration, dispatch to one command, and turn its outcome into an
//! exit code (runtime.md, "The headless binary").

mod args;
mod compile;
mod config;
mod logging;
mod output;
mod run;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use args::{Cli, Command};
use config::RunConfig;

/// How the process ends, with runtime.md's exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done; uncaught script errors were reported but do not count.
    Success = 0,
    /// 1: `--strict` and a script error went uncaught.
    ScriptFailed = 1,
    /// 2: bad usage, a compile error, or input that cannot be read.
    BadInput = 2,
    /// 3: output that cannot be written.
    CannotWrite = 3,
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
    logging::init(cli.verbose);
    let status = match cli.command {
        None => {
            // The bundled village scenario will run here; until then, help.
            let _ = Cli::command().print_help();
            ExitStatus::Success
        }
        Some(Command::Run(args)) => run::run(&RunConfig::resolve(args)),
        Some(Command::Check(args)) => compile::check(&args.file, &args.paths),
        Some(Command::Disasm(args)) => compile::disasm_file(&args.file, &args.paths),
    };
    status.into()
}
