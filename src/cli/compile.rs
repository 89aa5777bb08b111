//! `skein check` and `skein disasm`, and the one way every command loads a
//! script: the file and every module it imports, compiled before anything
//! runs, with a rendered diagnostic on stderr when that fails.

use std::path::{Path, PathBuf};

use skein_script::bytecode::Program;

use super::ExitStatus;
use super::output::{Stdout, report};
use skein_script::disasm::disasm;
use skein_script::loader::load_program;

/// Compiles `script` and its imports, or reports why not on stderr.
pub fn load(script: &Path, search_path: &[PathBuf]) -> Result<Program, ExitStatus> {
    let options = super::engine::load_options(search_path);
    tracing::debug!(script = %script.display(), ?search_path, "loading");
    load_program(script, &options).map_err(|err| {
        report(&err.render());
        ExitStatus::BadInput
    })
}

/// `skein check FILE`: silent on success.
pub fn check(script: &Path, search_path: &[PathBuf]) -> ExitStatus {
    match load(script, search_path) {
        Ok(_) => ExitStatus::Success,
        Err(status) => status,
    }
}

/// `skein disasm FILE`: the bytecode of every module, on stdout.
pub fn disasm_file(script: &Path, search_path: &[PathBuf]) -> ExitStatus {
    let program = match load(script, search_path) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let mut out = Stdout::new();
    out.write_str(&disasm(&program));
    out.flush()
}
