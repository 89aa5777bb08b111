//! `skein run`, `skein village` and `skein` alone: a new world with the
//! run options, its main script (a file, or the built-in village), an
//! optional `--load`ed selection, then ticks through [`world::run`].

use std::path::Path;

use skein_world::run::{RunError, world_options};
use skein_world::{Simulation, WorldError};

use super::config::RunConfig;
use super::engine;
use super::failure::{Failure, Outcome};
use super::output::report;
use super::world::{self, Plan};

/// Runs the script of `config` (or the village).
pub fn run(config: &RunConfig) -> Outcome {
    tracing::debug!(?config, "run");
    let options = world_options(&config.run_options()).map_err(|e| match e {
        RunError::Usage(msg) => Failure::bad_input(msg),
        e => Failure::bad_input(e),
    })?;
    let mut sim = engine::new_simulation(options, config.quiet);
    let started = match &config.script {
        Some(path) => sim.load_main(path),
        None => skein_village::start_village(&mut sim.world),
    };
    started.map_err(|e| match e {
        WorldError::Load(e) => Failure::diagnostic(e.render()),
        other => Failure::bad_input(other),
    })?;
    let part = match &config.load {
        Some((path, _)) => Some(read_selection(&mut sim, path)?),
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
        skein_world::reload::check_allowed(&sim.world).map_err(Failure::bad_input)?;
        plan.watch = Some(skein_world::reload::watch::Watch::new(&sim.world, script));
    }
    let status = world::run(&mut sim, &plan)?;
    if config.script.is_none() {
        tell_where_the_village_is(config);
    }
    Ok(status)
}

/// Reads `--load PART` and checks it against the world before tick 0.
fn read_selection(sim: &mut Simulation, path: &Path) -> Result<skein_save::SaveFile, Failure> {
    let part =
        skein_save::read_file(path).map_err(|e| Failure::bad_input(format!("--load: {e}")))?;
    skein_save::selection::check_selection(&mut sim.world, &part)
        .map_err(|e| Failure::bad_input(format!("--load {}: {e}", path.display())))?;
    Ok(part)
}

/// After a village run that wrote its save: where it is and what to do
/// with it.
fn tell_where_the_village_is(config: &RunConfig) {
    let Some(path) = &config.save.path else {
        return;
    };
    if !path.exists() {
        return;
    }
    let p = path.display();
    report(&format!(
        "The village is saved in {p}.\n\
         Continue it:  skein resume {p} --ticks 400 --save {p}\n\
         Look inside:  skein inspect {p}"
    ));
}
