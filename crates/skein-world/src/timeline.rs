//! The timeline of ticks and tasklet slices (the spans of [`crate::spans`])
//! written as a Chrome/Perfetto trace through `tracing-chrome`: a layer for
//! a program's own subscriber (the binary's `--trace FILE`), or a
//! [`Timeline`] scoped to the scheduler alone (the plugin's trace), which
//! leaves the program's global subscriber as it is.

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Dispatch, Level, Subscriber};
use tracing_chrome::{ChromeLayerBuilder, EventOrSpan, FlushGuard};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

use crate::spans::TARGET;

/// A layer that writes Skein's tick and slice spans (and nothing else) to
/// `file` as a Chrome trace; the file is complete once the guard is dropped.
/// A slice is titled with its tasklet (`<tasklet ada>`), so a viewer shows
/// who ran without a click; its arguments say the rest.
pub fn chrome_layer<S>(file: File) -> (impl Layer<S> + Send + Sync, FlushGuard)
where
    S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
{
    let title = |span: &EventOrSpan<'_, '_, S>| match span {
        EventOrSpan::Span(s) => match s.extensions().get::<Title>() {
            Some(t) => t.0.clone(),
            None => s.name().to_string(),
        },
        EventOrSpan::Event(e) => e.metadata().name().to_string(),
    };
    let (layer, guard) = ChromeLayerBuilder::new()
        .writer(file)
        .include_args(true)
        .include_locations(false)
        .name_fn(Box::new(title))
        .category_fn(Box::new(|_: &EventOrSpan<'_, '_, S>| "skein".into()))
        .build();
    let only_ours = || Targets::new().with_target(TARGET, Level::TRACE);
    let layers = Titles
        .with_filter(only_ours())
        .and_then(layer.with_filter(only_ours()));
    (layers, guard)
}

/// A span's title in the trace: the `name` field of a slice.
struct Title(String);

/// Keeps each span's `name` field as its [`Title`], where the chrome
/// layer's `name_fn` can read it.
struct Titles;

impl<S> Layer<S> for Titles
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut found = NameField(None);
        attrs.record(&mut found);
        if let (Some(name), Some(span)) = (found.0, ctx.span(id)) {
            span.extensions_mut().replace(Title(name));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut found = NameField(None);
        values.record(&mut found);
        if let (Some(name), Some(span)) = (found.0, ctx.span(id)) {
            span.extensions_mut().replace(Title(name));
        }
    }
}

/// Picks the `name` field out of a span's values.
struct NameField(Option<String>);

impl Visit for NameField {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "name" {
            self.0 = Some(value.to_string());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "name" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

/// A trace file and the subscriber that writes it, for running ticks
/// inside [`Timeline::in_scope`].
pub struct Timeline {
    dispatch: Dispatch,
    // Behind a mutex only so the timeline can be a bevy resource.
    guard: Mutex<Option<FlushGuard>>,
    refreshed: AtomicBool,
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
            refreshed: AtomicBool::new(false),
        })
    }

    /// Runs `f` with the timeline's subscriber as the current one.
    pub fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        tracing::dispatcher::with_default(&self.dispatch, || {
            // tracing caches per span site whether anyone wants it. With
            // no global subscriber, a site first met on a thread outside
            // this scope (another app's ticks) is cached as unwanted; one
            // rebuild from inside the scope, before the first tick, fixes it.
            if !self.refreshed.swap(true, Ordering::Relaxed) {
                tracing::callsite::rebuild_interest_cache();
            }
            f()
        })
    }

    /// Finishes the file (also done when the timeline is dropped).
    pub fn finish(&self) {
        if let Ok(mut guard) = self.guard.lock() {
            drop(guard.take());
        }
    }
}
