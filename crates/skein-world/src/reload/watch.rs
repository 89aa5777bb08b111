//! Noticing changed `.sk` files: at each tick boundary the watched files'
//! modification times and sizes are compared with the last seen (a few
//! `stat` calls, so no watcher thread or file-notification dependency is
//! needed). A change is acted on at the first boundary that finds the
//! files as they were at the one before (so a file caught half written is
//! not compiled): the whole program is loaded again and [`swap`]ped in.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bevy_ecs::resource::Resource;
use bevy_ecs::world::World;
use skein_script::loader::load_program;

use super::{ReloadError, ReloadReport, swap};
use crate::Code;

/// The files of a running program, as last seen.
#[derive(Resource, Debug, Clone)]
pub struct Watch {
    main: PathBuf,
    files: Vec<(PathBuf, Option<Stamp>)>,
    /// A change was seen and has not been acted on yet.
    pending: bool,
}

type Stamp = (SystemTime, u64);

impl Watch {
    /// Watches the files of `world`'s program, whose main script is `main`.
    pub fn new(world: &World, main: &Path) -> Watch {
        let mut w = Watch {
            main: main.to_path_buf(),
            files: Vec::new(),
            pending: false,
        };
        w.refresh(world);
        w
    }

    /// The files watched.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    fn refresh(&mut self, world: &World) {
        let dir = match self.main.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let search = &world.resource::<crate::WorldOptions>().search_path;
        let code = world.resource::<Code>().0.clone();
        let mut files = vec![self.main.clone()];
        for m in code.modules.iter().skip(1) {
            if m.name == super::PRELUDE {
                continue;
            }
            let found = std::iter::once(&dir)
                .chain(search)
                .map(|d| d.join(&m.path))
                .find(|p| p.is_file());
            if let Some(p) = found {
                files.push(p);
            }
        }
        self.files = files.into_iter().map(|p| (p.clone(), stamp(&p))).collect();
    }

    /// Whether a watched file changed since it was last seen (and notes
    /// what it is now).
    fn changed(&mut self) -> bool {
        let mut any = false;
        for (p, seen) in &mut self.files {
            let now = stamp(p);
            if now != *seen {
                *seen = now;
                any = true;
            }
        }
        any
    }

    /// At a tick boundary: if the watched files changed and have stayed
    /// as they are since the last boundary, loads the program again and
    /// swaps it in. `None` when there is nothing to do yet; an error (a
    /// compile error with file, line and column) leaves the old code
    /// running and is not reported again until a file changes again.
    pub fn poll(&mut self, world: &mut World) -> Option<Result<ReloadReport, ReloadError>> {
        if self.changed() {
            self.pending = true;
            return None;
        }
        if !self.pending {
            return None;
        }
        self.pending = false;
        let opts = crate::load_options(world);
        let result = match load_program(&self.main, &opts) {
            Ok(fresh) => swap(world, &fresh),
            Err(e) => Err(ReloadError::Load(e)),
        };
        if result.is_ok() {
            self.refresh(world);
        }
        Some(result)
    }
}

fn stamp(p: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(p).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}
