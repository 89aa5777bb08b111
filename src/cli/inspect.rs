//! `skein inspect` (a save described for people, or as JSON, or one
//! tasklet's stack with its locals under `--tasklet`) and
//! `skein extract` (a selection cut out of a world save, with what was
//! pulled in and why on stderr).

use std::path::Path;

use skein_save::extract::{ExtractError, Selector, extract};
use skein_save::world_load::{CodePolicy, load_world};
use skein_save::{SaveFile, SaveKind};
use skein_world::WorldOptions;
use skein_world::bevy_ecs::schedule::Schedule;
use skein_world::stack;

use super::ExitStatus;
use super::args::{ExtractArgs, InspectArgs};
use super::config::encoding;
use super::failure::{Failure, Outcome};
use super::output::{Stdout, report};
use super::{engine, saving};

fn read(path: &Path) -> Result<SaveFile, Failure> {
    skein_save::read_file(&super::saving::existing(path)).map_err(Failure::bad_input)
}

/// `skein inspect SAVE [--json]`, on stdout.
pub fn inspect(args: &InspectArgs) -> Outcome {
    let save = read(&args.file)?;
    let text = match &args.tasklet {
        Some(selector) => stacks(&args.file, &save, selector, args.full)?,
        None if args.json => skein_save::inspect::json(&save),
        None => skein_save::inspect::text(&save),
    };
    let mut out = Stdout::new();
    out.write_str(&text);
    out.flush()
}

/// `--tasklet NAME|#ID`: the world save loaded into a scratch world as
/// `resume` would load it, then each matching tasklet's stack.
fn stacks(file: &Path, save: &SaveFile, selector: &str, full: bool) -> Result<String, Failure> {
    if save.header.kind != SaveKind::World {
        return Err(Failure::bad_input(format!(
            "{}: --tasklet looks inside world saves; this is a selection \
             (load it into a world with `skein run SCRIPT.sk --load`)",
            file.display()
        )));
    }
    let mut sim = engine::new_simulation(WorldOptions::default(), true);
    load_world(&mut sim.world, save, CodePolicy::Saved)
        .map_err(|e| Failure::bad_input(format!("{}: {e}", file.display())))?;
    let ids = stack::find_tasklets(&sim.world, selector);
    if ids.is_empty() {
        return Err(Failure::bad_input(format!(
            "{}: no tasklet is {selector}",
            file.display()
        )));
    }
    let mut text = String::new();
    for (i, id) in ids.into_iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        if let Some(s) = stack::tasklet_stack(&sim.world, id) {
            text.push_str(&s.render(full));
        }
    }
    Ok(text)
}

/// `skein extract SAVE selectors… -o PART`.
pub fn extract_part(args: &ExtractArgs) -> Outcome {
    let selectors: Vec<Selector> = args
        .names
        .iter()
        .cloned()
        .map(Selector::TaskletName)
        .chain(args.tasklet_ids.iter().copied().map(Selector::TaskletId))
        .chain(args.channel_ids.iter().copied().map(Selector::ChannelId))
        .collect();
    if selectors.is_empty() {
        return Err(Failure::bad_input(
            "say what to extract: --tasklet NAME, --tasklet-id N or --channel N",
        ));
    }
    let save = read(&args.file)?;
    // The world's tasklets may be waiting in the village's natives.
    let setup = |w: &mut skein_world::bevy_ecs::world::World| {
        skein_village::install(w, &mut Schedule::default());
    };
    let part = extract(&save, &selectors, setup).map_err(|e| match e {
        ExtractError::Save(e) => Failure::cannot_write(format!("cannot save the selection: {e}")),
        ExtractError::Load(e) => Failure::bad_input(format!("{}: {e}", args.file.display())),
        e => Failure::bad_input(e),
    })?;
    for line in &part.lines {
        report(line);
    }
    let enc = encoding(&args.output, args.encoding);
    saving::write(&args.output, &part.save, enc)?;
    report(&format!(
        "wrote {} tasklet(s) and {} channel(s) to {}",
        part.save.body.tasklets.len(),
        part.save.body.channels.len(),
        args.output.display()
    ));
    Ok(ExitStatus::Success)
}
