//! `skein run` on the standalone VM: one fiber running the main module to
//! its end, `print` going to a buffered stdout. The world crate replaces
//! this module (ticks, tasklets, the seed and the budget come with it); the
//! rest of the binary only calls [`run`] with a resolved [`RunConfig`].

use std::sync::Arc;
use std::time::Instant;

use skein_vm::machine::Machine;
use skein_vm::{Host, Value, traceback};

use super::ExitStatus;
use super::compile::load;
use super::config::RunConfig;
use super::output::{Stdout, report};

/// Runs the script of `config` and says how the process should exit.
pub fn run(config: &RunConfig) -> ExitStatus {
    tracing::debug!(?config, "run");
    let started = Instant::now();
    let program = match load(&config.script, &config.search_path) {
        Ok(p) => Arc::new(p),
        Err(status) => return status,
    };
    let mut host = PrintHost {
        out: Stdout::new(),
        quiet: config.quiet,
    };
    let mut machine = Machine::new(Arc::clone(&program), config.limits);
    let uncaught = machine.run_to_end(&mut host);

    // Flush before the traceback so a terminal shows output and error in the
    // order they happened.
    let output = host.out.flush();
    if let Some(err) = &uncaught {
        let mut text = format!("Uncaught error in {}:\n", host.describe(&Value::Tasklet(1)));
        text.push_str(&traceback::render(err, &program, &host));
        report(&text);
    }
    tracing::info!(elapsed = ?started.elapsed(), uncaught = uncaught.is_some(), "run finished");

    if output != ExitStatus::Success {
        output
    } else if uncaught.is_some() && config.strict {
        ExitStatus::ScriptFailed
    } else {
        ExitStatus::Success
    }
}

/// The only host service a script without tasklets needs: printing.
struct PrintHost {
    out: Stdout,
    quiet: bool,
}

impl Host for PrintHost {
    fn print(&mut self, text: &str) {
        if !self.quiet {
            self.out.write_str(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use skein_vm::Value;

    /// Issue 2 promises values of at most 16 bytes; BENCHMARKS.md quotes this
    /// (`cargo test -p skein value_size -- --nocapture`).
    #[test]
    fn value_size_is_at_most_16_bytes() {
        let size = std::mem::size_of::<Value>();
        println!("size_of::<Value>() = {size} bytes");
        assert!(size <= 16, "Value is {size} bytes");
    }
}
