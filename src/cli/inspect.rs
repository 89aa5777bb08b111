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
use super::output::{Stdout, report};
use super::{engine, saving, table};

fn read(path: &Path) -> Result<SaveFile, ExitStatus> {
    skein_save::read_file(&super::saving::existing(path)).map_err(|e| {
        report(&format!("error: {e}"));
        ExitStatus::BadInput
    })
}

/// `skein inspect SAVE [--json]`, on stdout.
pub fn inspect(args: &InspectArgs) -> ExitStatus {
    let save = match read(&args.file) {
        Ok(s) => s,
        Err(status) => return status,
    };
    let text = match &args.tasklet {
        Some(selector) => match stacks(&args.file, &save, selector, args.full) {
            Ok(text) => text,
            Err(status) => return status,
        },
        None if args.json => table::json(&save),
        None => table::text(&save),
    };
    let mut out = Stdout::new();
    out.write_str(&text);
    out.flush()
}

/// `--tasklet NAME|#ID`: the world save loaded into a scratch world as
/// `resume` would load it, then each matching tasklet's stack.
fn stacks(file: &Path, save: &SaveFile, selector: &str, full: bool) -> Result<String, ExitStatus> {
    if save.header.kind != SaveKind::World {
        report(&format!(
            "error: {}: --tasklet looks inside world saves; this is a selection \
             (load it into a world with `skein run SCRIPT.sk --load`)",
            file.display()
        ));
        return Err(ExitStatus::BadInput);
    }
    let mut sim = engine::new_simulation(WorldOptions::default(), true);
    if let Err(e) = load_world(&mut sim.world, save, CodePolicy::Saved) {
        report(&format!("error: {}: {e}", file.display()));
        return Err(ExitStatus::BadInput);
    }
    let ids = stack::find_tasklets(&sim.world, selector);
    if ids.is_empty() {
        report(&format!(
            "error: {}: no tasklet is {selector}",
            file.display()
        ));
        return Err(ExitStatus::BadInput);
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
pub fn extract_part(args: &ExtractArgs) -> ExitStatus {
    let selectors: Vec<Selector> = args
        .names
        .iter()
        .cloned()
        .map(Selector::TaskletName)
        .chain(args.tasklet_ids.iter().copied().map(Selector::TaskletId))
        .chain(args.channel_ids.iter().copied().map(Selector::ChannelId))
        .collect();
    if selectors.is_empty() {
        report("error: say what to extract: --tasklet NAME, --tasklet-id N or --channel N");
        return ExitStatus::BadInput;
    }
    let save = match read(&args.file) {
        Ok(s) => s,
        Err(status) => return status,
    };
    // The world's tasklets may be waiting in the village's natives.
    let setup = |w: &mut skein_world::bevy_ecs::world::World| {
        skein_village::install(w, &mut Schedule::default());
    };
    let part = match extract(&save, &selectors, setup) {
        Ok(p) => p,
        Err(ExtractError::Save(e)) => {
            report(&format!("error: cannot save the selection: {e}"));
            return ExitStatus::CannotWrite;
        }
        Err(ExtractError::Load(e)) => {
            report(&format!("error: {}: {e}", args.file.display()));
            return ExitStatus::BadInput;
        }
        Err(e) => {
            report(&format!("error: {e}"));
            return ExitStatus::BadInput;
        }
    };
    for line in &part.lines {
        report(line);
    }
    let enc = encoding(&args.output, args.encoding);
    if let Err(status) = saving::write(&args.output, &part.save, enc) {
        return status;
    }
    report(&format!(
        "wrote {} tasklet(s) and {} channel(s) to {}",
        part.save.body.tasklets.len(),
        part.save.body.channels.len(),
        args.output.display()
    ));
    ExitStatus::Success
}
