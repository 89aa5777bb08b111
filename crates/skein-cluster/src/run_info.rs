//! What every shard of a run must agree on before tick 0 — the code (module
//! hashes), seed, budgets, limits, `--param`s, shard count and `--ticks` —
//! and the first difference, named, when two disagree.

use serde::{Deserialize, Serialize};
use skein_world::bevy_ecs::world::World;
use skein_world::{Code, WorldOptions};

/// A shard's view of its run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Module name and content hash, in module order.
    pub code: Vec<(String, String)>,
    /// The seed.
    pub seed: u64,
    /// Instructions per tasklet per tick.
    pub budget: u64,
    /// Instructions per tick for all tasklets.
    pub tick_budget: u64,
    /// Frames per tasklet.
    pub frame_limit: u32,
    /// The size limit of one value.
    pub size_limit: u64,
    /// `--param` name and value as the script sees it.
    pub params: Vec<(String, String)>,
    /// How many shards.
    pub shards: u32,
    /// The absolute tick every shard stops at (`--ticks`).
    pub ticks: Option<u64>,
}

impl RunInfo {
    /// The run as `world` (a shard's, main module loaded) sees it.
    pub fn of(world: &World, shards: u32, ticks: Option<u64>) -> RunInfo {
        let program = world.resource::<Code>().0.clone();
        let code = skein_save::names::module_recs(&program)
            .into_iter()
            .map(|m| (m.name, m.hash.to_string()))
            .collect();
        let o = world.resource::<WorldOptions>();
        RunInfo {
            code,
            seed: o.seed,
            budget: o.budget,
            tick_budget: o.tick_budget,
            frame_limit: o.limits.frame_limit,
            size_limit: o.limits.size_limit,
            params: o
                .params
                .iter()
                .map(|(k, v)| (k.clone(), format!("{v:?}")))
                .collect(),
            shards,
            ticks,
        }
    }

    /// The first field in which `other` differs from this run, said as
    /// "FIELD: this vs other"; `None` when they agree.
    pub fn difference(&self, other: &RunInfo) -> Option<String> {
        let show = |name: &str, a: String, b: String| {
            (a != b).then(|| format!("{name} is {a} on shard 0 but {b} here"))
        };
        if self.code != other.code {
            let names = |c: &[(String, String)]| {
                c.iter()
                    .map(|(m, h)| format!("{m}={h}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Some(format!(
                "the code differs (shard 0: {}; here: {})",
                names(&self.code),
                names(&other.code)
            ));
        }
        show("--seed", self.seed.to_string(), other.seed.to_string())
            .or_else(|| {
                show(
                    "--budget",
                    self.budget.to_string(),
                    other.budget.to_string(),
                )
            })
            .or_else(|| {
                show(
                    "--tick-budget",
                    self.tick_budget.to_string(),
                    other.tick_budget.to_string(),
                )
            })
            .or_else(|| {
                show(
                    "--frame-limit",
                    self.frame_limit.to_string(),
                    other.frame_limit.to_string(),
                )
            })
            .or_else(|| {
                show(
                    "--size-limit",
                    self.size_limit.to_string(),
                    other.size_limit.to_string(),
                )
            })
            .or_else(|| {
                show(
                    "--param",
                    format!("{:?}", self.params),
                    format!("{:?}", other.params),
                )
            })
            .or_else(|| {
                show(
                    "--shards",
                    self.shards.to_string(),
                    other.shards.to_string(),
                )
            })
            .or_else(|| {
                show(
                    "--ticks",
                    format!("{:?}", self.ticks),
                    format!("{:?}", other.ticks),
                )
            })
    }
}
