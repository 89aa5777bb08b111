//! The `skein` binary run as a user runs it, in temporary folders: the seed
//! examples, saving and resuming, `inspect`, `extract`, `--load`, the
//! village with no arguments, and the exit codes of docs/cli.md.

#[path = "cli/harness.rs"]
mod harness;

#[path = "cli/autosave.rs"]
mod autosave;
#[path = "cli/cluster.rs"]
mod cluster;
#[path = "cli/crash.rs"]
mod crash;
#[path = "cli/errors.rs"]
mod errors;
#[path = "cli/hermetic.rs"]
mod hermetic;
#[path = "cli/outage.rs"]
mod outage;
#[path = "cli/pacing.rs"]
mod pacing;
#[path = "cli/reload.rs"]
mod reload;
#[path = "cli/saves.rs"]
mod saves;
#[path = "cli/seeds.rs"]
mod seeds;
#[path = "cli/shard_saves.rs"]
mod shard_saves;
#[path = "cli/stacks.rs"]
mod stacks;
#[path = "cli/tools.rs"]
mod tools;
#[path = "cli/village.rs"]
mod village;
