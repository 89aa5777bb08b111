//! `skein resume SAVE`: a fresh world, the save loaded into it with the
//! options saved in it, then ticks through [`world::run`]. Budget and limit
//! overrides are applied after loading and reported, since they break the
//! exact-continuation promise.

use std::path::{Path, PathBuf};

use skein_save::world_load::{CodePolicy, load_world, try_one_pass_file};
use skein_save::{SaveFile, SaveKind};
use skein_script::bytecode::Program;
use skein_script::loader::{load_program, load_program_with};
use skein_world::WorldOptions;

use super::args::{CodeChoice, ResumeArgs};
use super::config::{self, SaveConfig};
use super::engine;
use super::failure::{Failure, Outcome};
use super::output::report;
use super::world::{self, Plan};

pub fn resume(args: ResumeArgs) -> Outcome {
    let path = super::saving::existing(&args.file);
    let file = args.file.display();
    let mut sim = engine::new_simulation(WorldOptions::default(), args.output.quiet);
    // A binary world save resuming its saved code is decoded in one pass;
    // anything else, or a save that path refuses, is read into records
    // (which says why a save is refused).
    let fast = match args.code {
        CodeChoice::Saved => try_one_pass_file(&mut sim.world, &path),
        CodeChoice::Current => None,
    };
    let (tick, loaded) = match fast {
        Some((header, loaded)) => {
            seed_note(&args, header.seed);
            (header.tick, loaded)
        }
        None => {
            let save = skein_save::read_file(&path).map_err(Failure::bad_input)?;
            if save.header.kind == SaveKind::Selection {
                return Err(Failure::bad_input(format!(
                    "{file} is a selection save, not a world save; \
                     load it into a running world with `skein run SCRIPT.sk --load {file}`"
                )));
            }
            seed_note(&args, save.header.seed);
            let code = match args.code {
                CodeChoice::Saved => CodePolicy::Saved,
                CodeChoice::Current => {
                    CodePolicy::Current(current_code(&save, &args.paths, &sim.world)?)
                }
            };
            (save.header.tick, load_world(&mut sim.world, &save, code))
        }
    };
    loaded.map_err(|e| Failure::bad_input(format!("{file}: {e}")))?;
    override_limits(&mut sim.world.resource_mut::<WorldOptions>(), &args);
    let budget = sim.world.resource::<WorldOptions>().budget;
    let save_config = SaveConfig::resolve(args.save);
    tracing::debug!(tick, ?save_config, "resuming");
    let plan = Plan {
        ticks: args.ticks,
        save: &save_config,
        strict: args.output.strict,
        load: None,
        unbounded_ticks: budget == 0,
        tick_rate: args.serve.tick_rate,
        watch: None,
    };
    world::run(&mut sim, &plan)
}

/// Says that `--seed` does not apply to a resumed world.
fn seed_note(args: &ResumeArgs, saved: u64) {
    if let Some(seed) = args.seed {
        report(&format!(
            "note: --seed {seed} is ignored: a resumed world's random generator \
             continues from its saved state (seed {saved})"
        ));
    }
}

/// Applies `--budget`, `--frame-limit` and `--size-limit`, saying on stderr
/// that the run no longer continues the saved one exactly.
fn override_limits(options: &mut WorldOptions, args: &ResumeArgs) {
    let l = &args.limits;
    let mut changed = Vec::new();
    if let Some(b) = l.budget
        && b != options.budget
    {
        changed.push(format!("--budget {b} (saved: {})", options.budget));
        options.budget = b;
    }
    if let Some(b) = l.tick_budget
        && b != options.tick_budget
    {
        changed.push(format!(
            "--tick-budget {b} (saved: {})",
            options.tick_budget
        ));
        options.tick_budget = b;
    }
    let limits = config::limits(l, options.limits);
    if limits.frame_limit != options.limits.frame_limit {
        changed.push(format!(
            "--frame-limit {} (saved: {})",
            limits.frame_limit, options.limits.frame_limit
        ));
    }
    if limits.size_limit != options.limits.size_limit {
        changed.push(format!(
            "--size-limit {} (saved: {})",
            limits.size_limit, options.limits.size_limit
        ));
    }
    options.limits = limits;
    if !changed.is_empty() {
        report(&format!(
            "note: {} overrides the saved options: this run is no longer an exact \
             continuation of the saved one",
            changed.join(", ")
        ));
    }
}

/// `--code current`: the saved main module's file as it is now, found
/// against the current folder (or, for the built-in village, the scripts
/// built into this binary), with `--path` or the saved search path.
fn current_code(
    save: &SaveFile,
    paths: &[PathBuf],
    world: &skein_world::bevy_ecs::world::World,
) -> Result<Program, Failure> {
    let Some(main) = save.body.modules.first() else {
        return Err(Failure::bad_input("the save has no modules"));
    };
    let search_path: Vec<PathBuf> = if paths.is_empty() {
        save.body
            .world
            .as_ref()
            .map(|w| w.options.path.iter().map(PathBuf::from).collect())
            .unwrap_or_default()
    } else {
        paths.to_vec()
    };
    let opts = skein_script::loader::LoadOptions {
        search_path,
        ..skein_world::load_options(world)
    };
    let on_disk = Path::new(&main.path);
    let built_in = main.name == skein_village::assets::MAIN && !on_disk.exists();
    let loaded = if built_in {
        let source = skein_village::assets::source(&main.path).unwrap_or_default();
        load_program_with(
            &main.name,
            &main.path,
            source,
            &skein_village::assets::Embedded,
            &opts,
        )
    } else {
        load_program(on_disk, &opts)
    };
    loaded.map_err(|e| Failure::diagnostic(e.render()))
}
