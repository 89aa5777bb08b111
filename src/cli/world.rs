//! Ticking a prepared world for `run`, `resume` and `village`: script
//! output streamed after each tick, `--save-every`, the selection of
//! `--load` at the end of tick 0, autosave, `--tick-rate` pacing, Ctrl-C,
//! the progress bar, the final save, the closing line and the exit status.

use std::io::{self, Write};

use skein_save::SaveFile;
use skein_save::autosave::{Autosave, AutosaveStats};
use skein_world::Simulation;
use skein_world::reload::watch::Watch;
use skein_world::run::{RunError, RunOptions, drive};

use super::ExitStatus;
use super::config::SaveConfig;
use super::failure::{Failure, Outcome};
use super::output::report;
use super::pace::Pacer;
use super::progress::Progress;
use super::stats::{Clock, closing_line};
use super::{interrupt, reload, saving};

/// How to tick a world that is ready to run.
pub struct Plan<'a> {
    /// At most this many ticks of this run (`None`: until idle).
    pub ticks: Option<u64>,
    pub save: &'a SaveConfig,
    pub strict: bool,
    /// A checked selection to load at the end of this run's first tick, and
    /// whether its runnable tasklets are scheduled.
    pub load: Option<(&'a SaveFile, bool)>,
    /// Whether a tick can run without end (`--budget 0`).
    pub unbounded_ticks: bool,
    /// `--tick-rate HZ`: ticks paced to the wall clock (`None`: flat out).
    pub tick_rate: Option<f64>,
    /// `--watch`: the script files, polled at every tick boundary.
    pub watch: Option<Watch>,
}

/// Ticks `sim` by `plan`.
pub fn run(sim: &mut Simulation, plan: &Plan<'_>) -> Outcome {
    let mut watch = plan.watch.clone().map(reload::Watching::new);
    // A long run should not end in a save that could never be written.
    if let Some(path) = &plan.save.path
        && path.is_dir()
    {
        return Err(Failure::cannot_write(format!(
            "cannot save to {}: it is a folder",
            path.display()
        )));
    }
    let clock = Clock::start(sim);
    interrupt::install(plan.unbounded_ticks);
    let progress = Progress::new(plan.ticks);
    let mut out = progress.writer(StdoutSink::new());
    let mut err = progress.writer(io::stderr());
    let opts = RunOptions {
        ticks: plan.ticks,
        ..RunOptions::default()
    };

    let mut autosave = plan
        .save
        .autosave
        .as_ref()
        .map(|a| Autosave::new(a.options()));
    let mut failure: Option<Failure> = None;
    let mut saved_at: Option<u64> = None;
    let mut pacer = Pacer::new(plan.tick_rate);
    let mut ran = 0u64;
    let mut load = plan.load;
    // `--ticks 0` runs nothing at all: no idle check, no deadlock lines.
    if plan.ticks == Some(0) {
        load = None;
    }
    let result = if plan.ticks == Some(0) {
        Ok(Default::default())
    } else {
        drive(sim, &opts, &mut out, &mut err, &mut |sim| {
            interrupt::tick_ended();
            progress.tick();
            if let Some((part, schedule)) = load.take()
                && let Err(e) =
                    skein_save::selection::load_selection(&mut sim.world, part, schedule)
            {
                failure = Some(Failure::bad_input(format!("--load: {e}")));
                return false;
            }
            let done = sim.tick_count();
            if let (Some(path), Some(k)) = (&plan.save.path, plan.save.every)
                && done % k == 0
            {
                if let Err(f) =
                    progress.suspend(|| saving::save_world(sim, path, plan.save.encoding))
                {
                    failure = Some(f);
                    return false;
                }
                saved_at = Some(done);
            }
            if let Some(w) = watch.as_mut() {
                w.after_tick(sim, &progress);
            }
            if let Some(a) = autosave.as_mut() {
                a.after_tick(&mut sim.world);
                report_failures(a, &progress);
            }
            ran += 1;
            // No wait after the last tick: the run is over.
            let last = plan.ticks.is_some_and(|n| ran >= n) || sim.is_idle();
            if let Some(pacer) = pacer.as_mut()
                && !last
            {
                pacer.wait(done.saturating_sub(1), interrupt::requested);
            }
            !interrupt::requested()
        })
    };
    progress.finish();
    // A write in flight is waited for, and no extra autosave is taken.
    let autosaved = autosave.as_mut().map(|a| {
        a.finish(&sim.world);
        report_failures(a, &progress);
        a.stats().clone()
    });
    let summary = result.map_err(|e| match e {
        RunError::Io(e) => Failure::cannot_write(format!("cannot write script output: {e}")),
        e => Failure::bad_input(e),
    })?;
    if let Some(f) = failure {
        return Err(f);
    }
    if let Some(path) = &plan.save.path
        && saved_at != Some(sim.tick_count())
    {
        saving::save_world(sim, path, plan.save.encoding)?;
    }
    let mut line = closing_line(sim, summary.ticks, &clock);
    if let Some(stats) = &autosaved {
        line.push_str(&autosave_part(stats));
    }
    report(&line);
    let autosave_failed = autosaved.as_ref().map_or(0, |s| s.failed);
    if out.into_inner().failed() {
        Err(Failure::cannot_write("cannot write script output"))
    } else if plan.strict && autosave_failed > 0 {
        Err(Failure::cannot_write(format!(
            "--strict: {autosave_failed} autosave(s) failed"
        )))
    } else if summary.interrupted {
        Ok(ExitStatus::Interrupted)
    } else if plan.strict && summary.errors > 0 {
        Ok(ExitStatus::ScriptFailed)
    } else {
        Ok(ExitStatus::Success)
    }
}

/// Each failed autosave, on stderr, as it is found.
fn report_failures(autosave: &mut Autosave, progress: &Progress) {
    for f in autosave.take_failures() {
        progress.suspend(|| {
            report(&format!(
                "error: autosave of tick {} failed: {}",
                f.tick, f.error
            ))
        });
    }
}

/// The closing line's autosave counts and times.
fn autosave_part(s: &AutosaveStats) -> String {
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    format!(
        ", autosaves: {} written, {} skipped, {} failed, longest pause {:.3} ms, longest write {:.1} ms",
        s.written,
        s.skipped,
        s.failed,
        ms(s.longest_pause()),
        ms(s.longest_write)
    )
}

/// Stdout for script output. A reader that went away (`| head`) is not an
/// error, as for any Unix filter: output is dropped from then on. Any other
/// write error is reported once and ends the run (exit 3).
pub struct StdoutSink {
    inner: io::Stdout,
    closed: bool,
    failed: bool,
}

impl StdoutSink {
    pub fn new() -> StdoutSink {
        StdoutSink {
            inner: io::stdout(),
            closed: false,
            failed: false,
        }
    }

    pub fn failed(&self) -> bool {
        self.failed
    }

    fn filter(&mut self, r: io::Result<()>) -> io::Result<()> {
        match r {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => {
                self.failed = true;
                Err(e)
            }
            Ok(()) => Ok(()),
        }
    }
}

impl Write for StdoutSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.closed {
            let r = self.inner.write_all(buf);
            self.filter(r)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let r = self.inner.flush();
        self.filter(r)
    }
}
