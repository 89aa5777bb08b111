//! What the user may type, as clap derive structs. Nothing here decides
//! anything: `config.rs` turns these raw arguments into a resolved
//! configuration, so defaults and cross-option rules live in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Skein: scripted tasklets and channels whose whole world saves to RON.
#[derive(Debug, Parser)]
#[command(name = "skein", version, about, long_about = None)]
#[command(arg_required_else_help = false, disable_help_subcommand = true)]
pub struct Cli {
    /// Log what the engine does to stderr (`-v` debug, `-vv` trace; RUST_LOG overrides).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a script's top level as the main tasklet.
    Run(RunArgs),
    /// Compile a script and every module it imports; report errors only.
    Check(FileArgs),
    /// Show the bytecode of a script and the modules it imports.
    Disasm(FileArgs),
}

/// `skein check FILE` / `skein disasm FILE`.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// The script to compile.
    pub file: PathBuf,

    /// Another folder to look for imported modules in (repeatable; searched
    /// after the importing file's folder, in the order given).
    #[arg(long = "path", value_name = "DIR")]
    pub paths: Vec<PathBuf>,
}

/// `skein run FILE [options]`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The script to run.
    pub file: PathBuf,

    /// Run at most N ticks (fewer if the world goes idle).
    #[arg(long, value_name = "N")]
    pub ticks: Option<u64>,

    /// Seed of the world's random generator.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    /// VM instructions each tasklet may run per tick (0: unlimited) [default: 10000].
    #[arg(long, value_name = "I")]
    pub budget: Option<u64>,

    /// Frames per tasklet, the top level included [default: 1000].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub frame_limit: Option<u32>,

    /// Largest value size: items counted recursively plus string bytes [default: 16777216].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub size_limit: Option<u64>,

    /// Another folder to look for imported modules in (repeatable; searched
    /// after the importing file's folder, in the order given).
    #[arg(long = "path", value_name = "DIR")]
    pub paths: Vec<PathBuf>,

    /// A scenario parameter, `sim.param("k")` in scripts; V is a Skein literal (repeatable).
    #[arg(long = "param", value_name = "K=V", value_parser = parse_param)]
    pub params: Vec<(String, String)>,

    /// Exit with status 1 if any script error went uncaught.
    #[arg(long)]
    pub strict: bool,

    /// Discard what scripts print.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Splits `k=v` at the first `=`; the key must look like a Skein name so
/// `sim.param` can name it.
fn parse_param(s: &str) -> Result<(String, String), String> {
    let Some((key, value)) = s.split_once('=') else {
        return Err(format!("expected K=V, found `{s}` (no `=`)"));
    };
    let mut chars = key.chars();
    let starts_well = chars.next().is_some_and(|c| c == '_' || c.is_alphabetic());
    if !starts_well || !chars.all(|c| c == '_' || c.is_alphanumeric()) {
        return Err(format!("parameter name `{key}` is not a name"));
    }
    Ok((key.to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn params_split_at_first_equals() {
        assert_eq!(
            parse_param("greeting=\"a=b\""),
            Ok(("greeting".into(), "\"a=b\"".into()))
        );
        assert!(parse_param("novalue").is_err());
        assert!(parse_param("=3").is_err());
        assert!(parse_param("9lives=3").is_err());
        assert_eq!(parse_param("n=").map(|p| p.1), Ok(String::new()));
    }

    #[test]
    fn bad_numbers_are_usage_errors() {
        for argv in [
            &["skein", "run", "a.sk", "--seed", "-1"][..],
            &["skein", "run", "a.sk", "--frame-limit", "0"],
            &["skein", "run", "a.sk", "--ticks", "lots"],
            &["skein", "run", "a.sk", "--bogus"],
            &["skein", "run"],
            &["skein", "frobnicate"],
        ] {
            let err = Cli::try_parse_from(argv).expect_err("should be rejected");
            assert_eq!(err.exit_code(), 2, "{argv:?}");
        }
    }
}
