//! The compiler: one module's syntax tree to bytecode. The top level becomes
//! `functions[0]` (`<module>`), each `def` a function of its own. Names are
//! resolved here once and for all (local slot, module global slot or
//! builtin), places become `LoadPlace`/`StorePlace`/`CallPlace`, and
//! `finally` bodies are duplicated onto every path out of their `try`.
//!
//! The parts: [`scope`] finds what each function binds, [`builder`] holds the
//! function being emitted, `stmt`, `expr` and `place` compile the three kinds
//! of node, and `flow` the loops, `try` and the jumps out of them.

mod builder;
mod expr;
mod flow;
mod keyed;
mod loops;
mod peephole;
mod place;
mod scope;
mod stmt;

use std::collections::{HashMap, HashSet};

use crate::ast::{ModuleAst, Span, Stmt, StmtKind};
use crate::bytecode::{BUILTIN_MODULES, Function, Module, builtin_index};
use crate::diag::CompileError;
use builder::FnBuilder;

/// What the compiler needs to know about the other modules of the program.
pub trait ModuleEnv {
    /// Is there a module of this name (script, built-in or host)?
    fn module_exists(&self, name: &str) -> bool;
    /// The names `from name import *` binds, for built-in and host modules;
    /// `None` for script modules (where `import *` is an error) and unknowns.
    fn star_exports(&self, name: &str) -> Option<Vec<String>>;
}

/// The exported names of a built-in module, as `from m import *` binds them.
pub fn builtin_module_exports(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "stackless" => &[
            "tasklet",
            "channel",
            "schedule",
            "schedule_remove",
            "getcurrent",
            "getmain",
            "getruncount",
            "set_atomic",
            "run",
        ],
        "math" => &[
            "pi", "inf", "sqrt", "floor", "ceil", "hypot", "sin", "cos", "atan2", "exp", "log",
        ],
        "random" => &["random", "randint", "choice", "shuffle"],
        "sim" => &["tick", "sleep", "param", "shard", "shards", "migrate"],
        "pickle" => &["dumps", "loads"],
        _ => return None,
    })
}

/// A module environment with only the built-in modules and the given host
/// modules (name, exported names), plus script modules known by name.
#[derive(Debug, Clone, Default)]
pub struct SimpleEnv {
    /// Host modules and the names each exports.
    pub host_modules: Vec<(String, Vec<String>)>,
    /// Script modules that exist, by name.
    pub script_modules: Vec<String>,
}

impl ModuleEnv for SimpleEnv {
    fn module_exists(&self, name: &str) -> bool {
        BUILTIN_MODULES.contains(&name)
            || self.host_modules.iter().any(|(n, _)| n == name)
            || self.script_modules.iter().any(|n| n == name)
    }

    fn star_exports(&self, name: &str) -> Option<Vec<String>> {
        if let Some(names) = builtin_module_exports(name) {
            return Some(names.iter().map(|s| s.to_string()).collect());
        }
        self.host_modules
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, names)| names.clone())
    }
}

/// How to compile one module.
pub struct CompileOptions<'a> {
    /// The module's name (its file stem).
    pub module_name: &'a str,
    /// The module's path as errors and tracebacks show it.
    pub file: &'a str,
    /// The module's index in the program, which the loader assigns.
    pub module_index: u16,
    /// What other modules exist, for `import` checks.
    pub env: &'a dyn ModuleEnv,
    /// Global names that keep their slots, in slot order, before any the
    /// module itself introduces: a hot reload compiles the new source with
    /// the running module's globals here, so code compiled from the old
    /// source (still run by frames that started on it) and the new code
    /// index the same slots. Empty for an ordinary load.
    pub prior_globals: &'a [String],
}

type R<T> = Result<T, CompileError>;

/// Compiles one parsed module. `source` is kept in the module for tracebacks.
pub fn compile_module(ast: &ModuleAst, source: &str, opts: &CompileOptions) -> R<Module> {
    let star = |m: &str| opts.env.star_exports(m).unwrap_or_default();
    let top = scope::bindings(&ast.body, &star);
    if let Some((span, message)) = &top.error {
        return Err(CompileError {
            message: message.clone(),
            file: opts.file.to_string(),
            span: *span,
        });
    }
    // A name is "bound at module level" if the top level binds it or some
    // function assigns it under a `global` declaration.
    let mut module_bound: HashSet<String> = top.bound.iter().cloned().collect();
    for s in &ast.body {
        if let StmtKind::Def(fd) = &s.kind {
            let b = scope::bindings(&fd.body, &star);
            for (g, _) in &b.globals {
                if b.bound.contains(g) {
                    module_bound.insert(g.clone());
                }
            }
        }
    }
    let mut c = Compiler {
        opts,
        module_bound,
        globals: Vec::new(),
        global_slots: HashMap::new(),
        functions: vec![None],
        defs: HashMap::new(),
        fb: FnBuilder::new("<module>", 1),
        fn_scope: None,
        comp_scopes: Vec::new(),
        blocks: Vec::new(),
        too_many_globals: false,
        take: None,
    };
    for n in opts.prior_globals {
        c.global_slot(n);
    }
    // Slots of names the top level binds follow source order.
    for n in &top.bound {
        c.global_slot(n);
    }
    c.block(&ast.body)?;
    let top_fn = c.finish_function(Span {
        line: 1,
        col: 1,
        ..Span::default()
    })?;
    c.functions[0] = Some(top_fn);
    if c.too_many_globals {
        let span = Span {
            line: 1,
            col: 1,
            ..Span::default()
        };
        return Err(c.err(span, "module is too large: too many global names"));
    }
    let functions = c.functions.into_iter().flatten().collect();
    Ok(Module {
        name: opts.module_name.to_string(),
        path: opts.file.to_string(),
        source: source.to_string(),
        globals: c.globals,
        functions,
        generation: 0,
        old: Vec::new(),
        retired: Vec::new(),
    })
}

/// A name as the code refers to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameRef {
    Local(u16),
    Global(u16),
    Builtin(u16),
}

/// A construct enclosing the statement being compiled, innermost last.
enum Block<'a> {
    Loop {
        /// Where `continue` jumps; `None` while not yet known (a range
        /// loop's step comes after its body).
        top: Option<u32>,
        /// `continue` jumps to patch once `top` is known.
        continues: Vec<usize>,
        /// `break` jumps to patch to the loop's exit.
        breaks: Vec<usize>,
        /// A `for` keeps its iterator on the stack: leaving pops it.
        is_for: bool,
    },
    /// A `try` body under its except handler: leaving pops the handler.
    Handler,
    /// A region under a `finally` handler: leaving pops it and runs the body.
    Finally(&'a [Stmt]),
    /// An `except` clause body: `hidden` holds the error for a bare `raise`.
    Except { hidden: u16, name: Option<&'a str> },
}

/// Scope facts of the function being compiled (None at module level).
struct FnScope {
    bindings: scope::Bindings,
}

struct Compiler<'a, 'o> {
    opts: &'o CompileOptions<'o>,
    module_bound: HashSet<String>,
    globals: Vec<String>,
    global_slots: HashMap<String, u16>,
    /// Functions by index; a slot is `None` while its body is being compiled.
    functions: Vec<Option<Function>>,
    /// `def` name → (function index, line), to reject a second `def`.
    defs: HashMap<String, (u16, u32)>,
    fb: FnBuilder,
    fn_scope: Option<FnScope>,
    /// Comprehension loop variables → hidden slots, innermost last.
    comp_scopes: Vec<HashMap<String, u16>>,
    /// Loops and handlers enclosing the statement being compiled.
    blocks: Vec<Block<'a>>,
    /// More global names than a `u16` slot index reaches.
    too_many_globals: bool,
    /// The local whose next read moves its value out (`TakeLocal`): set
    /// while compiling the call of a `d = f(d)` the scope pass found safe.
    take: Option<u16>,
}

impl<'a, 'o> Compiler<'a, 'o> {
    fn err(&self, span: Span, msg: impl Into<String>) -> CompileError {
        CompileError {
            message: msg.into(),
            file: self.opts.file.to_string(),
            span,
        }
    }

    fn global_slot(&mut self, name: &str) -> u16 {
        if let Some(&i) = self.global_slots.get(name) {
            return i;
        }
        let Ok(i) = u16::try_from(self.globals.len()) else {
            self.too_many_globals = true;
            return 0;
        };
        self.globals.push(name.to_string());
        self.global_slots.insert(name.to_string(), i);
        i
    }

    fn comp_var(&self, name: &str) -> Option<u16> {
        self.comp_scopes
            .iter()
            .rev()
            .find_map(|s| s.get(name).copied())
    }

    fn builtin(&self, name: &str) -> Option<u16> {
        if name.starts_with("__") && self.opts.module_name != "__prelude__" {
            return None;
        }
        builtin_index(name)
    }

    /// Where a read of `name` goes.
    fn resolve_load(&mut self, name: &str) -> NameRef {
        if let Some(i) = self.comp_var(name) {
            return NameRef::Local(i);
        }
        if let Some(sc) = &self.fn_scope
            && !sc.bindings.is_global(name)
            && let Some(&i) = self.fb.locals.get(name)
        {
            return NameRef::Local(i);
        }
        if !self.module_bound.contains(name)
            && let Some(b) = self.builtin(name)
        {
            return NameRef::Builtin(b);
        }
        NameRef::Global(self.global_slot(name))
    }

    /// Where a write (or `del`) of `name` goes; never a builtin.
    fn resolve_store(&mut self, name: &str) -> NameRef {
        if let Some(i) = self.comp_var(name) {
            return NameRef::Local(i);
        }
        match &self.fn_scope {
            Some(sc) if !sc.bindings.is_global(name) => NameRef::Local(self.fb.named_local(name)),
            _ => NameRef::Global(self.global_slot(name)),
        }
    }

    /// Ends the function being built: the implicit `return None`, then the
    /// pool overflow check.
    fn finish_function(&mut self, span: Span) -> R<Function> {
        self.fb.emit(crate::bytecode::Op::None);
        self.fb.emit(crate::bytecode::Op::Return);
        if let Some(what) = self.fb.overflow {
            return Err(self.err(span, format!("function is too large: {what}")));
        }
        let mut fb = std::mem::replace(&mut self.fb, FnBuilder::new("", 0));
        peephole::optimize(&mut fb.f);
        keyed::index_params(&mut fb.f);
        Ok(fb.f)
    }
}

#[cfg(test)]
mod tests;
