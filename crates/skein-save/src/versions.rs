//! Saves taken while a hot reload left two versions of a module live.
//!
//! A module's record holds only the functions of its current source. Each
//! older source some loaded function still comes from (a retired copy that
//! frames still run, or a `def` the new source dropped) gets a record of its
//! own named `module#generation`, listing those functions; a frame in a
//! retired copy names its function by that record (`("npc#0", "b")`), while
//! function values keep naming the module itself. In a world save the
//! module's own record carries all its bytecode, the older sources'
//! functions included (`saved_code.rs`); the older records give their text,
//! for tracebacks, and their functions' hashes.

use skein_script::bytecode::{FuncRef, Module, OldSource, Program};

use crate::code::{ContentHash, function_hashes, module_hash};
use crate::error::Problem;
use crate::format::ModuleRec;

/// Marks a record of an older source: `npc#0`.
const MARK: char = '#';

/// Whether `func` of `m` came from an older source (or is unloaded).
fn is_old(m: &Module, func: usize) -> bool {
    m.old.iter().any(|o| o.functions.contains(&(func as u16)))
        || m.functions[func].name == "<unloaded>"
}

/// The record of a module's current source, then one per older source.
pub fn recs(m: &Module, with_code: bool) -> Vec<ModuleRec> {
    let code = with_code.then(|| crate::format::CodeRec::of(m));
    let hashes = function_hashes(m);
    let mut out = vec![rec(
        m.name.clone(),
        m,
        &hashes,
        &m.source,
        |i| !is_old(m, i),
        code,
    )];
    let mut old: Vec<&OldSource> = m.old.iter().collect();
    old.sort_by_key(|o| o.generation);
    for o in old {
        let name = format!("{}{MARK}{}", m.name, o.generation);
        let keep = |i: usize| o.functions.contains(&(i as u16));
        out.push(rec(name, m, &hashes, &o.source, keep, None));
    }
    out
}

fn rec(
    name: String,
    m: &Module,
    hashes: &[ContentHash],
    source: &str,
    keep: impl Fn(usize) -> bool,
    code: Option<crate::format::CodeRec>,
) -> ModuleRec {
    let kept: Vec<usize> = (0..m.functions.len()).filter(|i| keep(*i)).collect();
    let functions: Vec<(String, ContentHash)> = kept
        .iter()
        .map(|&i| (m.functions[i].name.clone(), hashes[i]))
        .collect();
    let only: Vec<ContentHash> = functions.iter().map(|f| f.1).collect();
    ModuleRec {
        name,
        path: m.path.clone(),
        hash: module_hash(source, &only),
        functions,
        source: source.to_string(),
        code,
    }
}

/// The module name a save gives function `f`: `npc#0` for a retired copy.
pub fn module_name(program: &Program, f: FuncRef) -> Option<String> {
    let m = program.modules.get(f.module as usize)?;
    if m.retired.contains(&f.func) {
        Some(format!("{}{MARK}{}", m.name, m.generation_of(f.func)))
    } else {
        Some(m.name.clone())
    }
}

/// A retired copy named `npc#0` / `b`; `None` if `module` has no mark.
pub fn function(program: &Program, module: &str, name: &str) -> Option<Result<FuncRef, Problem>> {
    let (base, generation) = module.split_once(MARK)?;
    let unknown = || Problem::UnknownFunction {
        module: module.to_string(),
        name: name.to_string(),
    };
    let Some(mi) = program.module_index(base) else {
        return Some(Err(Problem::UnknownModule(module.to_string())));
    };
    let m = &program.modules[mi as usize];
    let found = generation.parse::<u32>().ok().and_then(|g| {
        let o = m.old.iter().find(|o| o.generation == g)?;
        o.functions
            .iter()
            .copied()
            .find(|&i| m.functions[i as usize].name == name)
    });
    Some(
        found
            .map(|func| FuncRef { module: mi, func })
            .ok_or_else(unknown),
    )
}

/// Whether a saved record is an older source of a module.
pub fn is_old_rec(rec: &ModuleRec) -> bool {
    rec.name.contains(MARK)
}
