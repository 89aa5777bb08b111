//! `skein run --watch`: at every tick boundary, a changed script is
//! compiled and swapped in; what was reloaded, how many frames still run
//! old code, and compile errors (the old code keeps running) go to stderr.

use skein_world::Simulation;
use skein_world::reload::watch::Watch;
use skein_world::reload::{self, ReloadError};

use super::output::report;
use super::progress::Progress;

/// The watched files and how many frames ran old code after the last tick.
pub struct Watching {
    watch: Watch,
    old_frames: usize,
}

impl Watching {
    pub fn new(watch: Watch) -> Watching {
        Watching {
            watch,
            old_frames: 0,
        }
    }

    /// Unloads old code no frame runs any more, then swaps in changed files.
    pub fn after_tick(&mut self, sim: &mut Simulation, progress: &Progress) {
        if self.old_frames > 0 {
            let left = reload::collect(&mut sim.world);
            if left == 0 {
                progress.suspend(|| report("reload: no frame runs old code any more"));
            }
            self.old_frames = left;
        }
        match self.watch.poll(&mut sim.world) {
            None => {}
            Some(Ok(r)) if r.is_empty() => {}
            Some(Ok(r)) => {
                self.old_frames = r.old_frames;
                progress.suspend(|| report(&format!("reload: {}", r.summary())));
            }
            Some(Err(ReloadError::Load(e))) => progress.suspend(|| {
                report(&format!(
                    "reload: the new code does not compile; the old code keeps running\n{}",
                    e.render().trim_end()
                ))
            }),
            Some(Err(e)) => progress.suspend(|| report(&format!("reload: error: {e}"))),
        }
    }
}
