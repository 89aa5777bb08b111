//! Ctrl-C: the run finishes the tick it is in (and saves, with `--save`)
//! and exits with 130. A tick that can run forever (`--budget 0`) gets one
//! second to end after the signal; then the process exits without saving.
//! A second Ctrl-C exits at once.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::output::report;

static REQUESTED: AtomicBool = AtomicBool::new(false);
/// Ticks ended in this process, so the grace timer can tell whether the
/// tick running at the signal has ended.
static TICKS_ENDED: AtomicU64 = AtomicU64::new(0);
static UNBOUNDED_TICKS: AtomicBool = AtomicBool::new(false);

/// How long an unlimited-budget tick may go on after Ctrl-C.
const GRACE: Duration = Duration::from_secs(1);

/// Installs the handler (once per process; a second call only updates
/// whether ticks are unbounded).
pub fn install(unbounded_ticks: bool) {
    UNBOUNDED_TICKS.store(unbounded_ticks, Ordering::SeqCst);
    // Fails only if a handler is already set, which is then ours.
    let _ = ctrlc::set_handler(on_signal);
}

fn on_signal() {
    if REQUESTED.swap(true, Ordering::SeqCst) {
        report("interrupted again: exiting now without saving");
        std::process::exit(130);
    }
    if !UNBOUNDED_TICKS.load(Ordering::SeqCst) {
        report("interrupted: finishing the current tick");
        return;
    }
    report("interrupted: finishing the current tick (1 s at most with --budget 0)");
    let at_signal = TICKS_ENDED.load(Ordering::SeqCst);
    // The handler runs on its own thread, so waiting here blocks nothing.
    std::thread::sleep(GRACE);
    if TICKS_ENDED.load(Ordering::SeqCst) == at_signal {
        report("interrupted: the tick did not end within 1 s; exiting without saving");
        std::process::exit(130);
    }
}

/// Whether Ctrl-C was pressed.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Called after every tick.
pub fn tick_ended() {
    TICKS_ENDED.fetch_add(1, Ordering::SeqCst);
}
