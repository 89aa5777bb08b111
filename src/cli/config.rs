//! The second step of argument handling: raw clap arguments become resolved
//! configurations with every default filled in, so the code that runs a
//! world never looks at clap types or asks "was this given?".

use std::path::{Path, PathBuf};

use skein_save::Encoding;
use skein_vm::Limits;
use skein_world::RunOptions;

use super::args::{EncodingArgs, LimitArgs, LoadArgs, RunArgs, SaveArgs, VillageArgs, WorldArgs};

/// Instructions a tasklet may run per tick unless `--budget` says otherwise
/// (docs/stackless.md, "Ticks and the budget").
pub const DEFAULT_BUDGET: u64 = 10_000;

/// Everything `skein run` (or `skein village`) needs to know, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    /// `None` for the built-in village.
    pub script: Option<PathBuf>,
    /// Folders searched for imports after the importing file's own.
    pub search_path: Vec<PathBuf>,
    /// `None`: run until the world is idle.
    pub max_ticks: Option<u64>,
    pub seed: u64,
    /// Per tasklet per tick; `None` is unlimited (`--budget 0`).
    pub budget: Option<u64>,
    /// All tasklets together per tick; 0 is no bound (`--tick-budget`).
    pub tick_budget: u64,
    pub limits: Limits,
    /// Scenario parameters in the order given; a later `k=` wins over an earlier one.
    pub params: Vec<(String, String)>,
    pub strict: bool,
    /// Script output is discarded (`-q`).
    pub quiet: bool,
    pub save: SaveConfig,
    /// `--load PART [--schedule]`.
    pub load: Option<(PathBuf, bool)>,
    /// `--tick-rate HZ`: `None` runs ticks as fast as they go.
    pub tick_rate: Option<f64>,
    /// `--watch`: hot reload of the script files.
    pub watch: bool,
}

/// `--save PATH [--save-every K] [--compact|--binary]`, resolved.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SaveConfig {
    pub path: Option<PathBuf>,
    pub every: Option<u64>,
    pub encoding: Encoding,
    /// `--autosave-every T [--autosave PATH] [--keep K]`.
    pub autosave: Option<AutosaveConfig>,
}

/// Autosave options, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct AutosaveConfig {
    pub every: u64,
    pub path: PathBuf,
    pub keep: usize,
    pub encoding: Encoding,
    /// `--full-every F`: 1 writes every autosave whole.
    pub full_every: u64,
}

/// Where autosaves go unless `--autosave` says otherwise.
pub const DEFAULT_AUTOSAVE: &str = "saves/autosave.bin";

impl AutosaveConfig {
    pub fn options(&self) -> skein_save::autosave::AutosaveOptions {
        let mut o = skein_save::autosave::AutosaveOptions::new(self.every, &self.path);
        o.keep = self.keep;
        o.encoding = self.encoding;
        o.full_every = self.full_every;
        o
    }
}

impl SaveConfig {
    pub fn resolve(args: SaveArgs) -> SaveConfig {
        let encoding = match &args.save {
            Some(p) => encoding(p, args.encoding),
            None => Encoding::default(),
        };
        let autosave = args.autosave.autosave_every.map(|every| {
            let path = args
                .autosave
                .autosave
                .clone()
                .unwrap_or_else(|| PathBuf::from(DEFAULT_AUTOSAVE));
            AutosaveConfig {
                every,
                encoding: self::encoding(&path, args.encoding),
                path,
                keep: args.autosave.keep.map_or(3, |k| k as usize),
                full_every: args.autosave.full_every.unwrap_or(1),
            }
        });
        SaveConfig {
            path: args.save,
            every: args.save_every,
            encoding,
            autosave,
        }
    }
}

/// The encoding chosen by the flags, or by a `.bin` path.
pub fn encoding(path: &Path, flags: EncodingArgs) -> Encoding {
    Encoding::choose(path, flags.compact, flags.binary)
}

/// `--budget`: `None` is unlimited.
pub fn budget(arg: Option<u64>) -> Option<u64> {
    match arg {
        None => Some(DEFAULT_BUDGET),
        Some(0) => None,
        Some(n) => Some(n),
    }
}

/// `--frame-limit` and `--size-limit` over `base`.
pub fn limits(args: &LimitArgs, base: Limits) -> Limits {
    Limits {
        frame_limit: args.frame_limit.unwrap_or(base.frame_limit),
        size_limit: args.size_limit.unwrap_or(base.size_limit),
    }
}

impl RunConfig {
    pub fn resolve(args: RunArgs) -> RunConfig {
        let mut cfg = RunConfig::of_world(args.world, args.save, args.load);
        cfg.tick_rate = args.serve.tick_rate;
        cfg.script = Some(args.file);
        cfg.search_path = args.paths;
        cfg.watch = args.watch;
        cfg
    }

    /// `skein village [options]`: the fixed length and save path unless given.
    pub fn village(args: VillageArgs) -> RunConfig {
        let mut cfg = RunConfig::of_world(args.world, args.save, args.load);
        cfg.tick_rate = args.serve.tick_rate;
        cfg.max_ticks = Some(cfg.max_ticks.unwrap_or(skein_village::DEFAULT_TICKS));
        if cfg.save.path.is_none() {
            cfg.save.path = Some(PathBuf::from(skein_village::DEFAULT_SAVE));
        }
        cfg
    }

    fn of_world(world: WorldArgs, save: SaveArgs, load: LoadArgs) -> RunConfig {
        let mut params: Vec<(String, String)> = Vec::with_capacity(world.params.len());
        for (key, value) in world.params {
            params.retain(|(k, _)| *k != key);
            params.push((key, value));
        }
        RunConfig {
            script: None,
            search_path: Vec::new(),
            max_ticks: world.ticks,
            seed: world.seed,
            budget: budget(world.limits.budget),
            tick_budget: world.limits.tick_budget.unwrap_or(0),
            limits: limits(&world.limits, Limits::default()),
            params,
            strict: world.output.strict,
            quiet: world.output.quiet,
            save: SaveConfig::resolve(save),
            load: load.load.map(|p| (p, load.schedule)),
            tick_rate: None,
            watch: false,
        }
    }

    /// The world crate's view of these options.
    pub fn run_options(&self) -> RunOptions {
        RunOptions {
            ticks: self.max_ticks,
            seed: self.seed,
            budget: Some(self.budget.unwrap_or(0)),
            tick_budget: Some(self.tick_budget),
            frame_limit: Some(self.limits.frame_limit),
            size_limit: Some(self.limits.size_limit),
            search_path: self.search_path.clone(),
            params: self.params.clone(),
            quiet: self.quiet,
            ..RunOptions::default()
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
            Some(Command::Village(args)) => RunConfig::village(args),
            other => panic!("not a run: {other:?}"),
        }
    }

    #[test]
    fn defaults_are_the_spec_defaults() {
        let cfg = resolve(&["skein", "run", "a.sk"]);
        assert_eq!(cfg.script, Some(PathBuf::from("a.sk")));
        assert_eq!(cfg.budget, Some(10_000));
        assert_eq!(cfg.seed, 0);
        assert_eq!(cfg.max_ticks, None);
        assert_eq!(cfg.limits, Limits::default());
        assert_eq!(cfg.save, SaveConfig::default());
        assert_eq!(cfg.load, None);
        assert_eq!(cfg.tick_rate, None);
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
            "--save",
            "w.ron",
            "--save-every",
            "7",
            "--compact",
            "--load",
            "p.ron",
            "--schedule",
            "--tick-rate",
            "20",
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
        assert_eq!(
            cfg.save,
            SaveConfig {
                path: Some("w.ron".into()),
                every: Some(7),
                encoding: Encoding::Compact,
                autosave: None,
            }
        );
        assert_eq!(cfg.load, Some(("p.ron".into(), true)));
        assert_eq!(cfg.tick_rate, Some(20.0));
        assert_eq!(cfg.run_options().budget, Some(0));
    }

    #[test]
    fn autosave_has_its_defaults_and_follows_the_encoding_flags() {
        let cfg = resolve(&["skein", "run", "a.sk", "--autosave-every", "5"]);
        assert_eq!(
            cfg.save.autosave,
            Some(AutosaveConfig {
                every: 5,
                path: PathBuf::from(DEFAULT_AUTOSAVE),
                keep: 3,
                encoding: Encoding::Binary,
                full_every: 1,
            })
        );
        let cfg = resolve(&[
            "skein",
            "run",
            "a.sk",
            "--autosave-every",
            "2",
            "--autosave",
            "s/a.ron",
            "--keep",
            "5",
            "--full-every",
            "4",
            "--compact",
        ]);
        let a = cfg.save.autosave.expect("autosave");
        assert_eq!(
            (a.keep, a.encoding, a.full_every),
            (5, Encoding::Compact, 4)
        );
        assert_eq!(a.options().path, PathBuf::from("s/a.ron"));
    }

    #[test]
    fn a_bin_path_is_binary_and_village_has_its_defaults() {
        let cfg = resolve(&["skein", "run", "a.sk", "--save", "w.bin"]);
        assert_eq!(cfg.save.encoding, Encoding::Binary);
        let v = resolve(&["skein", "village", "--seed", "3"]);
        assert_eq!(v.script, None);
        assert_eq!(v.max_ticks, Some(skein_village::DEFAULT_TICKS));
        assert_eq!(
            v.save.path.as_deref(),
            Some(Path::new(skein_village::DEFAULT_SAVE))
        );
    }
}
