//! Finding, parsing and compiling every module a program can import, before
//! anything runs. Modules are found breadth-first from the main script by
//! walking each module's syntax tree for `import` and `from … import`
//! statements (inside functions too): first in the importing file's folder,
//! then along the search path. The `__prelude__` module, written in Skein,
//! is always appended last. Every compiled function is verified.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::ast::{ModuleAst, Span, Stmt, StmtKind};
use crate::bytecode::{BUILTIN_MODULES, Module, Program};
use crate::compiler::{CompileOptions, SimpleEnv, compile_module};
use crate::diag::CompileError;
use crate::parser::parse_module;
use crate::verify::verify_program;
use find::{FileFinder, Finder, Found, ResolverFinder, io_message};
pub use find::{MemoryFiles, SourceResolver};

mod find;

/// The prelude's source: builtins written in Skein (`sorted(key=…)` and kin).
const PRELUDE: &str = include_str!("prelude.sk");
const PRELUDE_NAME: &str = "__prelude__";

/// Where modules are looked for, and which modules the host provides.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Folders searched, in order, after the importing file's own folder.
    pub search_path: Vec<PathBuf>,
    /// Modules the host registers: name and exported names (for `import *`).
    pub host_modules: Vec<(String, Vec<String>)>,
}

/// One thing that stopped loading.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadIssue {
    /// A compile error, with the source of the file it points into.
    Compile {
        /// The error.
        error: CompileError,
        /// The whole source of the file it is in, to show the line.
        source: String,
    },
    /// A file that could not be read, with no source location.
    Io {
        /// What went wrong, naming the file.
        message: String,
    },
}

/// Everything that stopped a program from loading.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    /// Every problem found, in the order met.
    pub issues: Vec<LoadIssue>,
}

impl LoadError {
    /// The errors as the user sees them, rustc-style, one after another.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for issue in &self.issues {
            match issue {
                LoadIssue::Compile { error, source } => out.push_str(&error.render(source)),
                LoadIssue::Io { message } => {
                    out.push_str("error: ");
                    out.push_str(message);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// The compile errors alone (for tests).
    pub fn errors(&self) -> Vec<&CompileError> {
        self.issues
            .iter()
            .filter_map(|i| match i {
                LoadIssue::Compile { error, .. } => Some(error),
                LoadIssue::Io { .. } => None,
            })
            .collect()
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.issues.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match issue {
                LoadIssue::Compile { error, .. } => write!(f, "{error}")?,
                LoadIssue::Io { message } => write!(f, "{message}")?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Loads the program whose main script is the file `main`.
pub fn load_program(main: &Path, opts: &LoadOptions) -> Result<Program, LoadError> {
    let source = std::fs::read_to_string(main).map_err(|e| LoadError {
        issues: vec![LoadIssue::Io {
            message: format!("cannot read {}: {}", main.display(), io_message(&e)),
        }],
    })?;
    let stem = main
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let file_name = main
        .file_name()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let dir = match main.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_string_lossy().into_owned(),
        _ => ".".to_string(),
    };
    let id = main.canonicalize().map_or_else(
        |_| main.to_string_lossy().into_owned(),
        |p| p.to_string_lossy().into_owned(),
    );
    let main_found = Found {
        id,
        dir,
        path: file_name,
        source,
    };
    let finder = FileFinder {
        search_path: &opts.search_path,
    };
    load(&stem, main_found, &finder, opts)
}

/// Loads a program whose modules come from `resolver`; the main module is
/// `main_name`, shown as `main_path`.
pub fn load_program_with(
    main_name: &str,
    main_path: &str,
    main_source: &str,
    resolver: &dyn SourceResolver,
    opts: &LoadOptions,
) -> Result<Program, LoadError> {
    let dir = Path::new(main_path)
        .parent()
        .map_or_else(String::new, |d| d.to_string_lossy().into_owned());
    let main = Found {
        id: main_path.to_string(),
        dir,
        path: main_path.to_string(),
        source: main_source.to_string(),
    };
    load(main_name, main, &ResolverFinder { resolver }, opts)
}

/// Compiles one script (module `name`, shown as `name.sk`) plus the prelude,
/// with only the built-in modules importable.
pub fn compile_str(name: &str, source: &str) -> Result<Program, LoadError> {
    struct Nothing;
    impl SourceResolver for Nothing {
        fn resolve(&self, _: &str, _: &str) -> Option<(String, String)> {
            None
        }
    }
    load_program_with(
        name,
        &format!("{name}.sk"),
        source,
        &Nothing,
        &LoadOptions::default(),
    )
}

/// Compiles one module's source again for a hot reload: `prior_globals`
/// (the running module's globals, in slot order) keep their slots, and
/// `script_modules` are the names of the program's other script modules.
/// The result is not verified on its own: the caller verifies the program
/// it becomes part of.
pub fn recompile_module(
    name: &str,
    path: &str,
    source: &str,
    prior_globals: &[String],
    script_modules: &[String],
    opts: &LoadOptions,
) -> Result<Module, LoadError> {
    let fail = |error: CompileError| LoadError {
        issues: vec![LoadIssue::Compile {
            error,
            source: source.to_string(),
        }],
    };
    let ast = parse_module(source, path).map_err(fail)?;
    let env = SimpleEnv {
        host_modules: opts.host_modules.clone(),
        script_modules: script_modules.to_vec(),
    };
    let copts = CompileOptions {
        module_name: name,
        file: path,
        module_index: 0,
        env: &env,
        prior_globals,
    };
    compile_module(&ast, source, &copts).map_err(fail)
}

/// Checks a whole program's bytecode, as a load does, reporting a failure
/// as an internal compiler error in the module it was found in.
pub fn verify(program: &Program) -> Result<(), LoadError> {
    let Err(e) = verify_program(program) else {
        return Ok(());
    };
    let module = e.function.split('.').next().unwrap_or_default().to_string();
    let m = program.modules.iter().find(|m| m.name == module);
    Err(LoadError {
        issues: vec![LoadIssue::Compile {
            error: CompileError {
                message: format!("internal compiler error: bytecode failed verification: {e}"),
                file: m.map_or(module.clone(), |m| m.path.clone()),
                span: first_line(),
            },
            source: m.map_or_else(String::new, |m| m.source.clone()),
        }],
    })
}

/// A module found and parsed, waiting to be compiled.
struct Pending {
    name: String,
    found: Found,
    ast: Option<ModuleAst>,
}

fn load(
    main_name: &str,
    main: Found,
    finder: &dyn Finder,
    opts: &LoadOptions,
) -> Result<Program, LoadError> {
    let is_native =
        |n: &str| BUILTIN_MODULES.contains(&n) || opts.host_modules.iter().any(|(h, _)| h == n);
    let mut issues = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    // Module names some import mentions, so the compiler does not repeat
    // the loader's "no module named" error.
    let mut mentioned: HashSet<String> = HashSet::new();
    let mut queue = VecDeque::new();

    if is_native(main_name) || main_name == PRELUDE_NAME {
        issues.push(LoadIssue::Compile {
            error: CompileError {
                message: format!("the file {} has the name of a built-in module", main.path),
                file: main.path.clone(),
                span: first_line(),
            },
            source: main.source.clone(),
        });
        return Err(LoadError { issues });
    }
    by_name.insert(main_name.to_string(), 0);
    pending.push(Pending {
        name: main_name.to_string(),
        found: main,
        ast: None,
    });
    queue.push_back(0usize);

    while let Some(i) = queue.pop_front() {
        let (path, source) = (
            pending[i].found.path.clone(),
            pending[i].found.source.clone(),
        );
        let ast = match parse_module(&source, &path) {
            Ok(ast) => ast,
            Err(error) => {
                issues.push(LoadIssue::Compile { error, source });
                continue;
            }
        };
        let mut imports = Vec::new();
        collect_imports(&ast.body, &mut imports);
        let from_dir = pending[i].found.dir.clone();
        for (name, span) in imports {
            mentioned.insert(name.clone());
            let fail = |message: String| LoadIssue::Compile {
                error: CompileError {
                    message,
                    file: path.clone(),
                    span,
                },
                source: source.clone(),
            };
            let found = finder.find(&name, &from_dir);
            if is_native(&name) || name == PRELUDE_NAME {
                if let Ok(Some(f)) = &found {
                    issues.push(fail(format!(
                        "the file {} has the name of the built-in module '{name}'",
                        f.path
                    )));
                }
                if name == PRELUDE_NAME {
                    issues.push(fail(format!("no module named '{name}'")));
                }
                continue;
            }
            match found {
                Err(message) => issues.push(fail(message)),
                Ok(None) => {
                    if !by_name.contains_key(&name) {
                        issues.push(fail(format!("no module named '{name}'")));
                    }
                }
                Ok(Some(f)) => match by_name.get(&name) {
                    Some(&j) => {
                        if pending[j].found.id != f.id {
                            issues.push(fail(format!(
                                "two files define module '{name}': {} and {}",
                                pending[j].found.path, f.path
                            )));
                        }
                    }
                    None => {
                        by_name.insert(name.clone(), pending.len());
                        queue.push_back(pending.len());
                        pending.push(Pending {
                            name,
                            found: f,
                            ast: None,
                        });
                    }
                },
            }
        }
        pending[i].ast = Some(ast);
    }
    if pending.len() + 1 > u16::MAX as usize {
        issues.push(LoadIssue::Io {
            message: "too many modules".into(),
        });
    }
    if !issues.is_empty() {
        return Err(LoadError { issues });
    }

    let env = SimpleEnv {
        host_modules: opts.host_modules.clone(),
        script_modules: pending
            .iter()
            .map(|p| p.name.clone())
            .chain(mentioned)
            .collect(),
    };
    let mut modules = Vec::new();
    for (index, p) in pending.iter().enumerate() {
        let Some(ast) = &p.ast else { continue };
        let copts = CompileOptions {
            module_name: &p.name,
            file: &p.found.path,
            module_index: index as u16,
            env: &env,
            prior_globals: &[],
        };
        match compile_module(ast, &p.found.source, &copts) {
            Ok(m) => modules.push(m),
            Err(error) => issues.push(LoadIssue::Compile {
                error,
                source: p.found.source.clone(),
            }),
        }
    }
    if !issues.is_empty() {
        return Err(LoadError { issues });
    }
    modules.push(compile_prelude(modules.len() as u16, opts)?);
    let program = Program {
        modules,
        host_modules: opts.host_modules.iter().map(|(n, _)| n.clone()).collect(),
    };
    verify(&program)?;
    Ok(program)
}

fn first_line() -> Span {
    Span {
        start: 0,
        end: 0,
        line: 1,
        col: 1,
    }
}

fn compile_prelude(index: u16, opts: &LoadOptions) -> Result<Module, LoadError> {
    let path = format!("{PRELUDE_NAME}.sk");
    let fail = |error: CompileError| LoadError {
        issues: vec![LoadIssue::Compile {
            error,
            source: PRELUDE.to_string(),
        }],
    };
    let ast = parse_module(PRELUDE, &path).map_err(fail)?;
    let env = SimpleEnv {
        host_modules: opts.host_modules.clone(),
        script_modules: Vec::new(),
    };
    let copts = CompileOptions {
        module_name: PRELUDE_NAME,
        file: &path,
        module_index: index,
        env: &env,
        prior_globals: &[],
    };
    compile_module(&ast, PRELUDE, &copts).map_err(fail)
}

/// Every module an `import` or `from … import` names, with where, in source
/// order, looking inside every block and function.
fn collect_imports(body: &[Stmt], out: &mut Vec<(String, Span)>) {
    for s in body {
        match &s.kind {
            StmtKind::Import(names) => {
                out.extend(names.iter().map(|n| (n.name.clone(), n.span)));
            }
            StmtKind::FromImport { module, .. } => out.push((module.clone(), s.span)),
            StmtKind::Def(fd) => collect_imports(&fd.body, out),
            StmtKind::If { then, orelse, .. } => {
                collect_imports(then, out);
                collect_imports(orelse, out);
            }
            StmtKind::While { body, .. } | StmtKind::For { body, .. } => collect_imports(body, out),
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                collect_imports(body, out);
                for h in handlers {
                    collect_imports(&h.body, out);
                }
                collect_imports(orelse, out);
                collect_imports(finalbody, out);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
