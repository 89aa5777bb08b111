//! The bytecode a world save carries (format version 2): each module's
//! compiled functions written as they are, so `--code saved` resumes on
//! exactly what was saved, whatever compiler later reads the source. Read
//! back, that bytecode is untrusted input: every function is verified and
//! every index checked here, before a world ever runs it.

use skein_script::bytecode::{BUILTIN_NAMES, Function, Module, OldSource, Op, Program};
use skein_script::verify::verify_function;

use crate::check::Verified;
use crate::error::{FieldPath, LoadError};
use crate::format::{CodeRec, ModuleRec};

/// The prelude's module name: only it may call the hidden builtins.
const PRELUDE: &str = "__prelude__";

/// Most functions or globals a module can have: ops index them with `u16`.
const MAX_INDEX: usize = u16::MAX as usize;

/// The program a world save's records carry, every function verified
/// (with the verifier's findings, which the frames are checked against).
/// `host_modules` are the loading world's registered host modules.
pub fn program(
    recs: &[ModuleRec],
    host_modules: Vec<String>,
) -> Result<(Program, Verified), LoadError> {
    let top = FieldPath::root();
    let root = top.field("modules");
    if recs.first().is_none_or(crate::versions::is_old_rec) {
        return Err(LoadError::invalid(
            &root,
            "a world save has at least its main module",
        ));
    }
    let mut modules: Vec<Module> = Vec::new();
    let mut infos = Vec::new();
    for (i, rec) in recs.iter().enumerate() {
        if crate::versions::is_old_rec(rec) {
            continue;
        }
        let path = root.index(i);
        if modules.iter().any(|m| m.name == rec.name) {
            return Err(LoadError::invalid(
                &path.field("name"),
                "a module appears twice",
            ));
        }
        let Some(code) = &rec.code else {
            return Err(LoadError::invalid(
                &path.field("code"),
                "missing: a world save carries its modules' bytecode",
            ));
        };
        let m = module(rec, code, recs, &path.field("code"))?;
        infos.push(verify(&m, &path.field("code"))?);
        modules.push(m);
    }
    let program = Program {
        modules,
        host_modules,
    };
    Ok((program, Verified::from_infos(infos)))
}

/// One module from its record, its indices checked (the ops' own indices
/// are the verifier's part).
fn module(
    rec: &ModuleRec,
    code: &CodeRec,
    recs: &[ModuleRec],
    path: &FieldPath,
) -> Result<Module, LoadError> {
    let n = code.functions.len();
    if n == 0 || n > MAX_INDEX {
        return Err(LoadError::invalid(
            &path.field("functions"),
            format!("{n} functions: a module has 1 to {MAX_INDEX}"),
        ));
    }
    if code.globals.len() > MAX_INDEX {
        return Err(LoadError::invalid(
            &path.field("globals"),
            format!("{} globals, more than {MAX_INDEX}", code.globals.len()),
        ));
    }
    if code.functions[0].name != "<module>" {
        return Err(LoadError::invalid(
            &path.field("functions").index(0).field("name"),
            "function 0 is the module's top level, named <module>",
        ));
    }
    let in_range = |list: &[u16], p: &FieldPath| -> Result<(), LoadError> {
        for (j, &f) in list.iter().enumerate() {
            if f as usize >= n || list[..j].contains(&f) {
                return Err(LoadError::invalid(
                    &p.index(j),
                    format!("function {f} is out of range ({n} functions) or listed twice"),
                ));
            }
        }
        Ok(())
    };
    in_range(&code.retired, &path.field("retired"))?;
    let mut old = Vec::with_capacity(code.old.len());
    for (j, (generation, functions)) in code.old.iter().enumerate() {
        let p_0 = path.field("old");
        let p = p_0.index(j);
        in_range(functions, &p)?;
        let name = format!("{}#{generation}", rec.name);
        let Some(src) = recs.iter().find(|r| r.name == name) else {
            return Err(LoadError::invalid(
                &p,
                format!("no record {name} holds the source of generation {generation}"),
            ));
        };
        old.push(OldSource {
            generation: *generation,
            source: src.source.clone(),
            functions: functions.clone(),
        });
    }
    let m = Module {
        name: rec.name.clone(),
        path: rec.path.clone(),
        source: rec.source.clone(),
        globals: code.globals.clone(),
        functions: code.functions.clone(),
        generation: code.generation,
        old,
        retired: code.retired.clone(),
    };
    for (j, f) in m.functions.iter().enumerate() {
        lines_fit(&m, j, f, &path.field("functions").index(j))?;
    }
    Ok(m)
}

/// A function's lines must be lines of its source: tracebacks and
/// `inspect` show them.
fn lines_fit(m: &Module, j: usize, f: &Function, path: &FieldPath) -> Result<(), LoadError> {
    let count = m.source_of(j as u16).lines().count() as u32 + 1;
    if f.def_line > count {
        return Err(LoadError::invalid(
            &path.field("def_line"),
            format!("line {} is past the end of the source", f.def_line),
        ));
    }
    if let Some(pc) = f.lines.iter().position(|&l| l > count) {
        return Err(LoadError::invalid(
            &path.field("lines").index(pc),
            format!("line {} is past the end of the source", f.lines[pc]),
        ));
    }
    Ok(())
}

/// Every function of `m` through the bytecode verifier (jump targets,
/// constant, name, local, global and function indices, stack heights,
/// the line table's length); hidden builtins only in the prelude.
fn verify(
    m: &Module,
    path: &FieldPath,
) -> Result<Vec<skein_script::verify::VerifyInfo>, LoadError> {
    let mut out = Vec::with_capacity(m.functions.len());
    for (j, f) in m.functions.iter().enumerate() {
        let p_0 = path.field("functions");
        let p = p_0.index(j);
        let info = verify_function(f, m.globals.len(), m.functions.len()).map_err(|e| {
            LoadError::invalid(
                &p.field("code").index(e.pc),
                format!("{}.{} does not verify: {}", m.name, f.name, e.message),
            )
        })?;
        if m.name != PRELUDE
            && let Some(pc) = f.code.iter().position(hidden_builtin)
        {
            return Err(LoadError::invalid(
                &p.field("code").index(pc),
                "only the prelude names a hidden builtin",
            ));
        }
        out.push(info);
    }
    Ok(out)
}

/// `LoadBuiltin` of a helper only the prelude may call (`__sort_by_keys`…).
fn hidden_builtin(op: &Op) -> bool {
    matches!(op, Op::LoadBuiltin(i) if BUILTIN_NAMES.get(*i as usize).is_some_and(|n| n.starts_with("__")))
}
