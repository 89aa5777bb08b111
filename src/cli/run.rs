//! `skein run`, `skein village` and `skein` alone: a new world with the
//! run options, its main script (a file, or the built-in village), an
//! optional `--load`ed selection, then ticks through [`world::run`].

use std::path::Path;

use skein_world::run::{RunError, world_options};
use skein_world::{Simulation, WorldError};

use super::config::RunConfig;
use super::output::report;
use super::world::{self, Plan};
use super::{ExitStatus, engine};

/// Runs the script of `config` (or the village) and says how the process
/// should exit.
pub fn run(config: &RunConfig) -> ExitStatus {
    tracing::debug!(?config, "run");
    let options = match world_options(&config.run_options()) {
        Ok(o) => o,
        Err(RunError::Usage(msg)) => {
            report(&format!("error: {msg}"));
            return ExitStatus::BadInput;
        }
        Err(e) => {
            report(&format!("error: {e}"));
            return ExitStatus::BadInput;
        }
    };
    let mut sim = engine::new_simulation(options, config.quiet);
    let started = match &config.script {
        Some(path) => sim.load_main(path),
        None => skein_village::start_village(&mut sim.world),
    };
    if let Err(e) = started {
        report(&match e {
            WorldError::Load(e) => e.render(),
            other => format!("error: {other}"),
        });
        return ExitStatus::BadInput;
    }
    let part = match &config.load {
        Some((path, _)) => match read_selection(&mut sim, path) {
            Ok(part) => Some(part),
            Err(status) => return status,
        },
        None => None,
    };
    let plan = Plan {
        ticks: config.max_ticks,
        save: &config.save,
        strict: config.strict,
        load: part
            .as_ref()
            .zip(config.load.as_ref())
            .map(|(p, (_, schedule))| (p, *schedule)),
        unbounded_ticks: config.budget.is_none(),
        tick_rate: config.tick_rate,
        watch: None,
    };
    let mut plan = plan;
    if config.watch
        && let Some(script) = &config.script
    {
        if let Err(e) = skein_world::reload::check_allowed(&sim.world) {
            report(&format!("error: {e}"));
            return ExitStatus::BadInput;
        }
        plan.watch = Some(skein_world::reload::watch::Watch::new(&sim.world, script));
    }
    let status = world::run(&mut sim, &plan);
    if config.script.is_none() {
        tell_where_the_village_is(config, status);
    }
    status
}

/// Reads `--load PART` and checks it against the world before tick 0.
fn read_selection(sim: &mut Simulation, path: &Path) -> Result<skein_save::SaveFile, ExitStatus> {
    let part = skein_save::read_file(path).map_err(|e| {
        report(&format!("error: --load: {e}"));
        ExitStatus::BadInput
    })?;
    skein_save::selection::check_selection(&mut sim.world, &part).map_err(|e| {
        report(&format!("error: --load {}: {e}", path.display()));
        ExitStatus::BadInput
    })?;
    Ok(part)
}

/// After a village run: where the save is and what to do with it.
fn tell_where_the_village_is(config: &RunConfig, status: ExitStatus) {
    let Some(path) = &config.save.path else {
        return;
    };
    if status == ExitStatus::CannotWrite || !path.exists() {
        return;
    }
    let p = path.display();
    report(&format!(
        "The village is saved in {p}.\n\
         Continue it:  skein resume {p} --ticks 400 --save {p}\n\
         Look inside:  skein inspect {p}"
    ));
}
