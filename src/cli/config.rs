//! The second step of argument handling: raw [`RunArgs`] become a
//! [`RunConfig`] with every default filled in, so the code that runs a
//! script never looks at clap types or asks "was this given?".

use std::path::PathBuf;

use skein_vm::Limits;

use super::args::RunArgs;

/// Instructions a tasklet may run per tick unless `--budget` says otherwise
/// (runtime.md, "Ticks").
pub const DEFAULT_BUDGET: u64 = 10_000;

/// Everything `skein run` needs to know, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    pub script: PathBuf,
    /// Folders searched for imports after the importing file's own.
    pub search_path: Vec<PathBuf>,
    /// `None`: run until the world is idle.
    pub max_ticks: Option<u64>,
    pub seed: u64,
    /// Per tasklet per tick; `None` is unlimited (`--budget 0`).
    pub budget: Option<u64>,
    pub limits: Limits,
    /// Scenario parameters in the order given; a later `k=` wins over an earlier one.
    pub params: Vec<(String, String)>,
    pub strict: bool,
    /// Script output is discarded (`-q`).
    pub quiet: bool,
}

impl RunConfig {
    pub fn resolve(args: RunArgs) -> RunConfig {
        let defaults = Limits::default();
        let limits = Limits {
            frame_limit: args.frame_limit.unwrap_or(defaults.frame_limit),
            size_limit: args.size_limit.unwrap_or(defaults.size_limit),
        };
        let budget = match args.budget {
            None => Some(DEFAULT_BUDGET),
            Some(0) => None,
            Some(n) => Some(n),
        };
        let mut params: Vec<(String, String)> = Vec::with_capacity(args.params.len());
        for (key, value) in args.params {
            params.retain(|(k, _)| *k != key);
            params.push((key, value));
        }
        RunConfig {
            script: args.file,
            search_path: args.paths,
            max_ticks: args.ticks,
            seed: args.seed,
            budget,
            limits,
            params,
            strict: args.strict,
            quiet: args.quiet,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::args::{Cli, Command};

    fn resolve(argv: &[&str]) -> RunConfig {
        let cli = Cli::try_parse_from(argv).expect("valid arguments");
        match cli.command {
            Some(Command::Run(args)) => RunConfig::resolve(args),
            other => panic!("not a run: {other:?}"),
        }
    }

    #[test]
    fn defaults_are_the_spec_defaults() {
        let cfg = resolve(&["skein", "run", "a.sk"]);
        assert_eq!(cfg.script, PathBuf::from("a.sk"));
        assert_eq!(cfg.budget, Some(10_000));
        assert_eq!(cfg.seed, 0);
        assert_eq!(cfg.max_ticks, None);
        assert_eq!(cfg.limits, Limits::default());
        assert!(!cfg.strict && !cfg.quiet);
    }

    #[test]
    fn every_option_lands_in_the_config() {
        let cfg = resolve(&[
            "skein",
            "run",
            "a.sk",
            "--ticks",
            "5",
            "--seed",
            "42",
            "--budget",
            "0",
            "--frame-limit",
            "50",
            "--size-limit",
            "1000",
            "--path",
            "lib",
            "--path",
            "more",
            "--param",
            "n=1",
            "--param",
            "m=[2]",
            "--param",
            "n=3",
            "--strict",
            "-q",
            "-v",
        ]);
        assert_eq!(cfg.max_ticks, Some(5));
        assert_eq!(cfg.seed, 42);
        assert_eq!(cfg.budget, None);
        assert_eq!(
            cfg.limits,
            Limits {
                frame_limit: 50,
                size_limit: 1000
            }
        );
        assert_eq!(
            cfg.search_path,
            [PathBuf::from("lib"), PathBuf::from("more")]
        );
        assert_eq!(
            cfg.params,
            [("m".into(), "[2]".into()), ("n".into(), "3".into())]
        );
        assert!(cfg.strict && cfg.quiet);
    }
}
