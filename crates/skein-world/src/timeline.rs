//! The timeline of ticks and tasklet slices (the spans of [`crate::spans`])
//! written as a Chrome/Perfetto trace through `tracing-chrome`: a layer for
//! a program's own subscriber (the binary's `--trace FILE`), or a
//! [`Timeline`] scoped to the scheduler alone (the plugin's trace), which
//! leaves the program's global subscriber as it is.

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use tracing::{Dispatch, Level, Subscriber};
use tracing_chrome::{ChromeLayerBuilder, EventOrSpan, FlushGuard};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;

use crate::spans::TARGET;

/// A layer that writes Skein's tick and slice spans (and nothing else) to
/// `file` as a Chrome trace; the file is complete once the guard is dropped.
pub fn chrome_layer<S>(file: File) -> (impl Layer<S> + Send + Sync, FlushGuard)
where
    S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
{
    let (layer, guard) = ChromeLayerBuilder::new()
        .writer(file)
        .include_args(true)
        .include_locations(false)
        .category_fn(Box::new(|_: &EventOrSpan<'_, '_, S>| "skein".into()))
        .build();
    let only_ours = Targets::new().with_target(TARGET, Level::TRACE);
    (layer.with_filter(only_ours), guard)
}

/// A trace file and the subscriber that writes it, for running ticks
/// inside [`Timeline::in_scope`].
pub struct Timeline {
    dispatch: Dispatch,
    // Behind a mutex only so the timeline can be a bevy resource.
    guard: Mutex<Option<FlushGuard>>,
}

impl Timeline {
    /// Creates (or truncates) the trace file at `path`.
    pub fn create(path: &Path) -> std::io::Result<Timeline> {
        let file = File::create(path)?;
        let (layer, guard) = chrome_layer(file);
        let dispatch = Dispatch::new(tracing_subscriber::registry().with(layer));
        Ok(Timeline {
            dispatch,
            guard: Mutex::new(Some(guard)),
        })
    }

    /// Runs `f` with the timeline's subscriber as the current one.
    pub fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        tracing::dispatcher::with_default(&self.dispatch, f)
    }

    /// Finishes the file (also done when the timeline is dropped).
    pub fn finish(&self) {
        if let Ok(mut guard) = self.guard.lock() {
            drop(guard.take());
        }
    }
}
