//! Stand-ins, with the agreed names and signatures, for the loader, the
//! disassembler, the standalone machine and the traceback renderer while
//! their owners write them. Each item here is deleted, and the `use` lines in
//! `compile.rs` and `run.rs` pointed at the real crate, as soon as the real
//! one lands; nothing else in the binary changes.

pub mod loader {
    use std::fmt;
    use std::path::{Path, PathBuf};

    use skein_script::bytecode::Program;

    /// Where imports are searched besides the importing file's folder.
    #[derive(Debug, Clone, Default)]
    pub struct LoadOptions {
        pub search_path: Vec<PathBuf>,
    }

    /// Why a program could not be loaded.
    #[derive(Debug)]
    pub struct LoadError(String);

    impl LoadError {
        pub fn render(&self) -> String {
            format!("error: {}\n", self.0)
        }
    }

    impl fmt::Display for LoadError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.0)
        }
    }

    pub fn load_program(path: &Path, options: &LoadOptions) -> Result<Program, LoadError> {
        let _ = &options.search_path;
        match std::fs::read_to_string(path) {
            Err(e) => Err(LoadError(format!("cannot read `{}`: {e}", path.display()))),
            Ok(_) => Err(LoadError(String::from(
                "this build of skein has no compiler yet",
            ))),
        }
    }
}

pub mod disasm {
    use skein_script::bytecode::Program;

    pub fn disasm(program: &Program) -> String {
        format!("{program:#?}\n")
    }
}

pub mod machine {
    use std::sync::Arc;

    use skein_script::bytecode::Program;
    use skein_vm::{Host, Limits, Value};

    /// Runs one program's main module on one fiber, to the end.
    pub struct Machine {
        program: Arc<Program>,
        limits: Limits,
    }

    impl Machine {
        pub fn new(program: Arc<Program>, limits: Limits) -> Machine {
            Machine { program, limits }
        }

        /// Runs to the end; `Some(error)` if an error went uncaught.
        pub fn run_to_end(&mut self, host: &mut dyn Host) -> Option<Value> {
            let _ = (&self.program, self.limits, host);
            Some(skein_vm::errors::runtime_error(
                "this build of skein has no VM yet",
            ))
        }
    }
}

pub mod traceback {
    use skein_script::bytecode::Program;
    use skein_vm::{Host, Value};

    pub fn render(err: &Value, program: &Program, host: &dyn Host) -> String {
        let _ = (program, host);
        format!("Traceback (most recent call last):\n{err:?}\n")
    }
}
