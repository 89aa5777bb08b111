//! `tracing` output for `-v` and RUST_LOG, always to stderr so it never mixes
//! with what scripts print; and `--trace FILE`, the timeline of ticks and
//! tasklet slices as a Chrome/Perfetto trace.

use std::io::IsTerminal;
use std::path::Path;

use skein_world::timeline::chrome_layer;
use tracing_chrome::FlushGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs a subscriber when the user asked for logs or a trace;
/// otherwise none, so an ordinary run pays nothing for either. RUST_LOG,
/// when set and valid, decides what is shown; `-v` alone shows Skein's
/// debug events, `-vv` its trace events. The returned guard completes the
/// trace file when dropped; a trace file that cannot be created is `Err`.
pub fn init(verbose: u8, trace: Option<&Path>) -> Result<Option<FlushGuard>, String> {
    let from_env = std::env::var_os("RUST_LOG").is_some();
    let logs = verbose > 0 || from_env;
    if !logs && trace.is_none() {
        return Ok(None);
    }
    let (timeline, guard) = match trace {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| format!("cannot write the trace {}: {e}", path.display()))?;
            let (layer, guard) = chrome_layer(file);
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let fmt = logs.then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            // Colour only for a person watching, never into a file or a pipe.
            .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
            .with_filter(filter(verbose, from_env))
    });
    // Fails only if a subscriber is already set, which leaves logging as it is.
    let _ = tracing_subscriber::registry()
        .with(fmt)
        .with(timeline)
        .try_init();
    Ok(guard)
}

fn filter(verbose: u8, from_env: bool) -> EnvFilter {
    let level = if verbose >= 2 { "trace" } else { "debug" };
    let fallback = || {
        EnvFilter::new(format!(
            "skein={level},skein_script={level},skein_vm={level},skein_world={level},skein_save={level}"
        ))
    };
    if from_env {
        EnvFilter::try_from_default_env().unwrap_or_else(|e| {
            eprintln!("warning: ignoring RUST_LOG: {e}");
            fallback()
        })
    } else {
        fallback()
    }
}
