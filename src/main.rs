//! The `skein` binary: see `cli` for the commands and their exit codes.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
