//! The scheduler's `tracing` spans: one per tick and one per tasklet slice,
//! with what each did (instructions run, switches, channel messages), so a
//! timeline viewer shows where a slow tick went (`--trace FILE`, see
//! `docs/cli.md`).
//!
//! With no subscriber interested, a tick's span is one cached check, its
//! slices are not looked at, and nothing is measured or formatted.

use tracing::Span;
use tracing::field::Empty;

use crate::world_host::WorldHost;

/// The target of Skein's timeline spans, for filters.
pub const TARGET: &str = "skein_world::timeline";

/// Counters at the start of a span, to record what happened inside it.
struct Mark {
    executed: u64,
    switches: u64,
    messages: u64,
}

impl Mark {
    fn of(host: &WorldHost) -> Mark {
        Mark {
            executed: host.sched.executed,
            switches: host.sched.counts.switches,
            messages: host.sched.counts.messages,
        }
    }

    fn record(&self, span: &Span, host: &WorldHost) {
        span.record(
            "instructions",
            host.sched.executed.wrapping_sub(self.executed),
        );
        span.record(
            "switches",
            host.sched.counts.switches.saturating_sub(self.switches),
        );
        span.record(
            "messages",
            host.sched.counts.messages.saturating_sub(self.messages),
        );
    }
}

/// The span of one tick, open while it runs.
pub struct TickSpan {
    span: Span,
    mark: Option<Mark>,
}

impl TickSpan {
    /// Opens the span of the tick `host` is about to run.
    pub fn begin(host: &WorldHost) -> TickSpan {
        let span = tracing::info_span!(
            target: TARGET,
            "tick",
            tick = host.sched.tick,
            instructions = Empty,
            switches = Empty,
            messages = Empty,
        );
        let mark = (!span.is_disabled()).then(|| Mark::of(host));
        TickSpan { span, mark }
    }

    /// The span, to enter.
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Whether a subscriber wants this tick (and so its slices).
    pub fn traced(&self) -> bool {
        self.mark.is_some()
    }

    /// Records what the tick did; call it before the span is exited, so
    /// the values reach the span's end in the trace.
    pub fn end(&self, host: &WorldHost) {
        if let Some(mark) = &self.mark {
            mark.record(&self.span, host);
        }
    }
}

/// The span of one tasklet's slice: from becoming current until it
/// suspends, ends or is preempted.
pub struct SliceSpan {
    span: Span,
    mark: Option<Mark>,
}

impl SliceSpan {
    /// Opens the span of tasklet `id`'s slice.
    pub fn begin(host: &WorldHost, id: u64) -> SliceSpan {
        let span = tracing::info_span!(
            target: TARGET,
            "slice",
            tasklet = id,
            name = Empty,
            instructions = Empty,
            switches = Empty,
            messages = Empty,
        );
        let mark = (!span.is_disabled()).then(|| {
            span.record("name", tracing::field::display(host.tasklet_label(id)));
            Mark::of(host)
        });
        SliceSpan { span, mark }
    }

    /// The span, to enter.
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Records what the slice did; call it before the span is exited.
    pub fn end(&self, host: &WorldHost) {
        if let Some(mark) = &self.mark {
            mark.record(&self.span, host);
        }
    }
}
