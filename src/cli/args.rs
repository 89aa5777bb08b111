//! What the user may type, as clap derive structs. Nothing here decides
//! anything: `config.rs` turns these raw arguments into a resolved
//! configuration, so defaults and cross-option rules live in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Skein: scripted tasklets and channels whose whole world saves to RON.
///
/// With no command, runs the bundled village scenario and saves it to
/// `saves/village.ron`.
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
    /// Run a script's top level as the main tasklet of a new world.
    Run(RunArgs),
    /// Continue a world save with the options saved in it.
    Resume(ResumeArgs),
    /// Show what a save holds: tasklets, channels, tick and modules.
    Inspect(InspectArgs),
    /// Cut chosen tasklets and channels out of a world save into a selection.
    Extract(ExtractArgs),
    /// Run the bundled village scenario (what `skein` alone does).
    Village(VillageArgs),
    /// Run one shard of a cluster, ticking in lockstep with the others
    /// through a NATS server with JetStream.
    Shard(ShardArgs),
    /// Start N shard processes on this machine (and a private nats-server
    /// unless --nats is given) and forward their output tick by tick.
    Cluster(ClusterArgs),
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

    #[command(flatten)]
    pub world: WorldArgs,

    /// Another folder to look for imported modules in (repeatable; searched
    /// after the importing file's folder, in the order given).
    #[arg(long = "path", value_name = "DIR")]
    pub paths: Vec<PathBuf>,

    /// Hot reload: when a script file changes, compile it and swap it in at
    /// the next tick boundary (calls from then on run the new code; frames
    /// already in changed code finish on the old; a compile error keeps the
    /// old code).
    #[arg(long)]
    pub watch: bool,

    #[command(flatten)]
    pub save: SaveArgs,

    #[command(flatten)]
    pub load: LoadArgs,

    #[command(flatten)]
    pub serve: ServeArgs,
}

/// `--tick-rate HZ` and `--trace FILE`, for `run`, `resume` and `village`.
#[derive(Debug, Args, Default, Clone)]
pub struct ServeArgs {
    /// Pace ticks to the wall clock, HZ ticks a second (20: one every 50 ms);
    /// by default ticks run as fast as they go.
    #[arg(long, value_name = "HZ", value_parser = crate::cli::pace::parse_rate)]
    pub tick_rate: Option<f64>,

    /// Write a Chrome/Perfetto trace of every tick and tasklet slice to FILE
    /// (open it in ui.perfetto.dev or chrome://tracing).
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
}

/// `--load PART [--schedule]`.
#[derive(Debug, Args, Default)]
pub struct LoadArgs {
    /// A selection save to load into the world at the end of tick 0
    /// (checked before anything runs).
    #[arg(long, value_name = "PART")]
    pub load: Option<PathBuf>,

    /// With `--load`: append the loaded runnable tasklets to the ring
    /// instead of leaving them paused.
    #[arg(long, requires = "load")]
    pub schedule: bool,
}

/// `skein village [options]`, and `skein` with no arguments.
#[derive(Debug, Args, Default)]
pub struct VillageArgs {
    #[command(flatten)]
    pub world: WorldArgs,

    #[command(flatten)]
    pub save: SaveArgs,

    #[command(flatten)]
    pub load: LoadArgs,

    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The options of a new world, shared by `run` and `village`.
#[derive(Debug, Args, Default)]
pub struct WorldArgs {
    /// Run at most N ticks (fewer if the world goes idle).
    #[arg(long, value_name = "N")]
    pub ticks: Option<u64>,

    /// Seed of the world's random generator.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    #[command(flatten)]
    pub limits: LimitArgs,

    /// A scenario parameter, `sim.param("k")` in scripts; V is a Skein literal (repeatable).
    #[arg(long = "param", value_name = "K=V", value_parser = parse_param)]
    pub params: Vec<(String, String)>,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Budget and limits: chosen for a new world, overridable on resume.
#[derive(Debug, Args, Default)]
pub struct LimitArgs {
    /// VM instructions each tasklet may run per tick (0: unlimited) [default: 10000].
    #[arg(long, value_name = "I")]
    pub budget: Option<u64>,

    /// VM instructions all tasklets together may run per tick before the tick ends at the next switch (0: no bound) [default: 0].
    #[arg(long, value_name = "I")]
    pub tick_budget: Option<u64>,

    /// Frames per tasklet, the top level included [default: 1000].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub frame_limit: Option<u32>,

    /// Largest value size: items counted recursively plus string bytes [default: 16777216].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub size_limit: Option<u64>,
}

/// What happens to script output and errors.
#[derive(Debug, Args, Default)]
pub struct OutputArgs {
    /// Exit with status 1 if any script error went uncaught.
    #[arg(long)]
    pub strict: bool,

    /// Discard what scripts print.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Where and how the world is saved.
#[derive(Debug, Args, Default)]
pub struct SaveArgs {
    /// Save the world to PATH at the end (the previous file is kept as PATH.bak).
    #[arg(long, value_name = "PATH")]
    pub save: Option<PathBuf>,

    /// Also save after every tick that leaves the completed ticks a multiple of K.
    #[arg(long, value_name = "K", requires = "save",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub save_every: Option<u64>,

    #[command(flatten)]
    pub encoding: EncodingArgs,

    #[command(flatten)]
    pub autosave: AutosaveArgs,
}

/// `--autosave-every T [--autosave PATH] [--keep K] [--full-every F]`.
#[derive(Debug, Args, Default, Clone)]
pub struct AutosaveArgs {
    /// Autosave the world every T completed ticks (counted from tick 0), on a
    /// background thread while the ticks go on.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u64).range(1..))]
    pub autosave_every: Option<u64>,

    /// Where autosaves go [default: saves/autosave.bin]; `--compact`,
    /// `--binary` or a `.bin` path choose the encoding as for `--save`.
    #[arg(long, value_name = "PATH", requires = "autosave_every")]
    pub autosave: Option<PathBuf>,

    /// How many complete autosaves to keep: PATH, PATH.1, … PATH.(K-1) [default: 3].
    #[arg(long, value_name = "K", requires = "autosave_every",
          value_parser = clap::value_parser!(u64).range(1..1000))]
    pub keep: Option<u64>,

    /// Every F-th autosave is a full save, the others deltas of what changed
    /// since the previous one (kept in PATH.chain/) [default: 1, all full].
    #[arg(long, value_name = "F", requires = "autosave_every",
          value_parser = clap::value_parser!(u64).range(1..1_000_000))]
    pub full_every: Option<u64>,
}

/// `--compact` / `--binary`.
#[derive(Debug, Args, Default, Clone, Copy)]
pub struct EncodingArgs {
    /// Write RON without whitespace.
    #[arg(long, conflicts_with = "binary")]
    pub compact: bool,

    /// Write the binary encoding (also chosen by a `.bin` path).
    #[arg(long)]
    pub binary: bool,
}

/// `skein resume SAVE [options]`.
#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The world save to continue.
    pub file: PathBuf,

    /// Run at most N more ticks (`--ticks 0 --save P` re-saves without running).
    #[arg(long, value_name = "N")]
    pub ticks: Option<u64>,

    #[command(flatten)]
    pub save: SaveArgs,

    /// Resume on the code saved in the file, or on the scripts as they are now.
    #[arg(long, value_enum, default_value_t = CodeChoice::Saved)]
    pub code: CodeChoice,

    /// With `--code current`: where to look for modules (repeatable; default:
    /// the saved search path, resolved against the current folder).
    #[arg(long = "path", value_name = "DIR")]
    pub paths: Vec<PathBuf>,

    /// Ignored: the random generator continues from its saved state.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,

    /// Overrides, which break the exact-continuation promise.
    #[command(flatten)]
    pub limits: LimitArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Which code a resumed world runs (docs/saves.md, "Code").
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CodeChoice {
    Saved,
    Current,
}

/// `skein inspect SAVE [--json]`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The save (world or selection) to describe.
    pub file: PathBuf,

    /// Print JSON for tools instead of the table.
    #[arg(long, conflicts_with = "tasklet")]
    pub json: bool,

    /// Show this tasklet's whole stack with its locals, like a Python
    /// traceback: every tasklet with this name, or `#ID` for one id.
    #[arg(long, value_name = "NAME|#ID")]
    pub tasklet: Option<String>,

    /// With `--tasklet`: print long values whole instead of cutting them.
    #[arg(long, requires = "tasklet")]
    pub full: bool,
}

/// `skein extract SAVE selectors… -o PART`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The world save to cut from.
    pub file: PathBuf,

    /// Every tasklet with this name (repeatable).
    #[arg(long = "tasklet", value_name = "NAME")]
    pub names: Vec<String>,

    /// The tasklet with this id (repeatable).
    #[arg(long = "tasklet-id", value_name = "N")]
    pub tasklet_ids: Vec<u64>,

    /// The channel with this id (repeatable).
    #[arg(long = "channel", value_name = "N")]
    pub channel_ids: Vec<u64>,

    /// Where to write the selection.
    #[arg(short = 'o', long = "output", value_name = "PART")]
    pub output: PathBuf,

    #[command(flatten)]
    pub encoding: EncodingArgs,
}

/// `skein shard SCRIPT --nats URL --shard K --shards N [options]`.
#[derive(Debug, Args)]
pub struct ShardArgs {
    /// The main module every shard runs [default: the built-in village].
    pub file: Option<PathBuf>,

    /// The NATS server (2.9 or newer, with JetStream): `nats://HOST:PORT`.
    #[arg(long, value_name = "URL")]
    pub nats: String,

    /// This shard's number, 0..N-1.
    #[arg(long, value_name = "K")]
    pub shard: u32,

    /// Where the shard's autosaves go (`DIR/NAME-K.bin`); a shard whose
    /// autosave is there resumes from it.
    #[arg(long, value_name = "DIR", default_value = "saves")]
    pub dir: PathBuf,

    /// Autosave every T ticks (and at `--ticks`); 0 never.
    #[arg(long, value_name = "T", default_value_t = 100)]
    pub autosave_every: u64,

    #[command(flatten)]
    pub run: ShardRunArgs,

    /// Write each tick's output as a frame for `skein cluster` (internal).
    #[arg(long, hide = true)]
    pub framed: bool,
}

/// `skein cluster [SCRIPT] --shards N [--nats URL] [--dir DIR] [options]`.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// The main module every shard runs [default: the built-in village,
    /// its hamlets spread over the shards, for 1200 ticks unless `--ticks`].
    pub file: Option<PathBuf>,

    /// A NATS server to use; without it a private `nats-server -js` is
    /// started on a free loopback port, its store under DIR.
    #[arg(long, value_name = "URL")]
    pub nats: Option<String>,

    /// Where the shards' autosaves go; without `--nats`, in a folder of the
    /// run under DIR, with the private nats-server's store, removed at the
    /// end.
    #[arg(long, value_name = "DIR", default_value = "saves")]
    pub dir: PathBuf,

    /// Each shard autosaves every T ticks, so a shard that dies is
    /// restarted from its autosave; 0 never (and no restarts).
    #[arg(long, value_name = "T", default_value_t = 100)]
    pub autosave_every: u64,

    #[command(flatten)]
    pub run: ShardRunArgs,
}

/// What every shard of a run shares (and must agree on, bar pacing and
/// the NATS timeout).
#[derive(Debug, Args)]
pub struct ShardRunArgs {
    /// How many shards the cluster has.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub shards: u32,

    /// The cluster's name: its key-value bucket and streams are named after it.
    #[arg(long, value_name = "NAME", default_value = "skein")]
    pub cluster: String,

    /// The absolute tick at which every shard stops.
    #[arg(long, value_name = "T")]
    pub ticks: Option<u64>,

    /// Seed of every shard's generator (shard k draws on stream k).
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    #[command(flatten)]
    pub limits: LimitArgs,

    /// A scenario parameter, `sim.param("k")` in scripts; V is a Skein literal (repeatable).
    #[arg(long = "param", value_name = "K=V", value_parser = parse_param)]
    pub params: Vec<(String, String)>,

    /// Another folder to look for imported modules in (repeatable).
    #[arg(long = "path", value_name = "DIR")]
    pub paths: Vec<PathBuf>,

    /// Pace ticks to the wall clock, HZ ticks a second.
    #[arg(long, value_name = "HZ", value_parser = crate::cli::pace::parse_rate)]
    pub tick_rate: Option<f64>,

    /// Seconds the NATS server may be unreachable before a shard gives up (exit 3).
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub nats_timeout: f64,

    /// Keep each shard's last K complete autosaves (`NAME-K.bin`, `.bin.1`, …).
    #[arg(long, value_name = "K", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub keep: u32,

    /// A shard whose autosave fails F times in a row stops (exit 3).
    #[arg(long, value_name = "F", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub autosave_failures: u32,

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
    fn bad_arguments_are_usage_errors() {
        for argv in [
            &["skein", "run", "a.sk", "--seed", "-1"][..],
            &["skein", "run", "a.sk", "--frame-limit", "0"],
            &["skein", "run", "a.sk", "--ticks", "lots"],
            &["skein", "run", "a.sk", "--tick-rate", "0"],
            &["skein", "village", "--tick-rate", "-20"],
            &["skein", "run", "a.sk", "--bogus"],
            &["skein", "run", "a.sk", "--save-every", "3"],
            &[
                "skein",
                "run",
                "a.sk",
                "--save",
                "s.ron",
                "--save-every",
                "0",
            ],
            &["skein", "run", "a.sk", "--schedule"],
            &["skein", "run", "a.sk", "--compact", "--binary"],
            &["skein", "run"],
            &["skein", "resume"],
            &["skein", "resume", "s.ron", "--code", "newest"],
            &["skein", "extract", "s.ron", "--tasklet", "ada"],
            &["skein", "frobnicate"],
        ] {
            let err = Cli::try_parse_from(argv).expect_err("should be rejected");
            assert_eq!(err.exit_code(), 2, "{argv:?}");
        }
    }
}
