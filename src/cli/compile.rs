//! `skein check` and `skein disasm`, and the one way every command loads a
//! script: the file and every module it imports, compiled before anything
//! runs, with a rendered diagnostic on stderr when that fails.

use std::path::{Path, PathBuf};

use skein_script::bytecode::Program;

use super::ExitStatus;
use super::failure::{Failure, Outcome};
use super::output::Stdout;
use skein_script::disasm::disasm;
use skein_script::loader::load_program;

/// Compiles `script` and its imports, or says why not.
pub fn load(script: &Path, search_path: &[PathBuf]) -> Result<Program, Failure> {
    let options = super::engine::load_options(search_path);
    tracing::debug!(script = %script.display(), ?search_path, "loading");
    load_program(script, &options).map_err(|err| Failure::diagnostic(err.render()))
}

/// `skein check FILE`: silent on success.
pub fn check(script: &Path, search_path: &[PathBuf]) -> Outcome {
    load(script, search_path)?;
    Ok(ExitStatus::Success)
}

/// `skein disasm FILE`: the bytecode of every module, on stdout.
pub fn disasm_file(script: &Path, search_path: &[PathBuf]) -> Outcome {
    let program = load(script, search_path)?;
    let mut out = Stdout::new();
    out.write_str(&disasm(&program));
    out.flush()
}
