//! The progress bar of long runs, on stderr when it is a terminal. Anything
//! else written to the terminal meanwhile goes through [`Progress::suspend`]
//! or a [`Suspending`] writer so the bar never tears a line.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs shorter than this many ticks get no bar: they end before one helps.
const LONG_RUN_TICKS: u64 = 100;

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar for a run of `ticks` ticks, or none (unknown length, a short
    /// run, or stderr not a terminal).
    pub fn new(ticks: Option<u64>) -> Progress {
        let bar = ticks
            .filter(|&n| n >= LONG_RUN_TICKS && io::stderr().is_terminal())
            .map(|n| {
                let bar = ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "{spinner} tick {pos}/{len} [{bar:30}] {elapsed} elapsed, eta {eta}",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar.enable_steady_tick(Duration::from_millis(200));
                bar
            });
        Progress { bar }
    }

    pub fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Runs `f` with the bar cleared from the terminal.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// `w`, writing around the bar.
    pub fn writer<W: Write>(&self, w: W) -> Suspending<W> {
        Suspending {
            bar: self.bar.clone(),
            inner: w,
        }
    }

    /// Removes the bar, leaving the terminal as it was.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A writer whose writes clear the progress bar first.
pub struct Suspending<W> {
    bar: Option<ProgressBar>,
    inner: W,
}

impl<W> Suspending<W> {
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for Suspending<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &self.bar {
            Some(bar) => bar.suspend(|| self.inner.write(buf)),
            None => self.inner.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &self.bar {
            Some(bar) => bar.suspend(|| self.inner.write_all(buf)),
            None => self.inner.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
