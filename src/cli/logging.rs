//! `tracing` output for `-v` and RUST_LOG, always to stderr so it never mixes
//! with what scripts print.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs a subscriber when the user asked for logs; otherwise none, so an
/// ordinary run pays nothing for them. RUST_LOG, when set and valid, decides
/// what is shown; `-v` alone shows Skein's debug events, `-vv` its trace events.
pub fn init(verbose: u8) {
    let from_env = std::env::var_os("RUST_LOG").is_some();
    if verbose == 0 && !from_env {
        return;
    }
    let level = if verbose >= 2 { "trace" } else { "debug" };
    let fallback = || {
        EnvFilter::new(format!(
            "skein={level},skein_script={level},skein_vm={level},skein_world={level},skein_save={level}"
        ))
    };
    let filter = if from_env {
        EnvFilter::try_from_default_env().unwrap_or_else(|e| {
            eprintln!("warning: ignoring RUST_LOG: {e}");
            fallback()
        })
    } else {
        fallback()
    };
    // Fails only if a subscriber is already set, which leaves logging as it is.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour only for a person watching, never into a file or a pipe.
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .try_init();
}
