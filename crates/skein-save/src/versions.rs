//! Saves taken while a hot reload left two versions of a module live.
//!
//! A module's record holds only the functions of its current source. Each
//! older source some loaded function still comes from (a retired copy that
//! frames still run, or a `def` the new source dropped) gets a record of its
//! own named `module#generation`, listing those functions; a frame in a
//! retired copy names its function by that record (`("npc#0", "b")`), while
//! function values keep naming the module itself. Loading compiles each old
//! source again with the module's globals keeping their slots, checks every
//! listed function's hash, and appends them to the module as they were.
//! Nothing in the format changes: an older reader sees extra module records.

use skein_script::bytecode::{FuncRef, Function, Module, OldSource, Op, Program};
use skein_script::loader::{LoadOptions, recompile_module};

use crate::code::{ContentHash, function_hash, module_hash};
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
pub fn recs(m: &Module) -> Vec<ModuleRec> {
    if m.old.is_empty() && m.retired.is_empty() {
        return vec![rec(m.name.clone(), m, m.source.clone(), |_| true)];
    }
    // The records of a module with older sources hash their top levels
    // blind to function indices, which the load lays out anew.
    let mut out = vec![rec(m.name.clone(), m, m.source.clone(), |i| !is_old(m, i))];
    let mut old: Vec<&OldSource> = m.old.iter().collect();
    old.sort_by_key(|o| o.generation);
    for o in old {
        let name = format!("{}{MARK}{}", m.name, o.generation);
        out.push(rec(name, m, o.source.clone(), |i| {
            o.functions.contains(&(i as u16))
        }));
    }
    out
}

fn rec(name: String, m: &Module, source: String, keep: impl Fn(usize) -> bool) -> ModuleRec {
    let versioned = !(m.old.is_empty() && m.retired.is_empty());
    let view = Module {
        functions: (0..m.functions.len())
            .filter(|i| keep(*i))
            .map(|i| {
                let mut f = m.functions[i].clone();
                if versioned {
                    blind(&mut f);
                }
                f
            })
            .collect(),
        source,
        ..m.clone()
    };
    ModuleRec {
        name,
        path: m.path.clone(),
        hash: module_hash(&view),
        functions: view
            .functions
            .iter()
            .map(|f| (f.name.clone(), function_hash(f)))
            .collect(),
        source: view.source,
    }
}

/// A function's hash in the records of a module with older sources: a top
/// level's `MakeFunction` operands (indices, which a load lays out anew)
/// are left out; the `def`s they make are named by the stores after them.
pub fn hash(f: &Function) -> ContentHash {
    if f.name != "<module>" {
        return function_hash(f);
    }
    let mut g = f.clone();
    blind(&mut g);
    function_hash(&g)
}

/// A top level's `MakeFunction` operands set to 0 (for hashing only).
fn blind(f: &mut Function) {
    if f.name != "<module>" {
        return;
    }
    for op in &mut f.code {
        if let Op::MakeFunction(i) = op {
            *i = 0;
        }
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

/// Whether a saved record is of a module or one of its older sources that
/// [`rebuild`] checks (rather than the generic hash check).
pub fn is_versioned(rec: &ModuleRec, recs: &[ModuleRec]) -> bool {
    is_old_rec(rec)
        || recs.iter().any(|o| {
            o.name
                .split_once(MARK)
                .is_some_and(|(base, _)| base == rec.name)
        })
}

/// Puts a program compiled from a save's sources back as the saved world
/// had it: modules in the saved order, and for a module with older sources,
/// its globals in their saved slots and its functions in their saved order
/// (so saving it again gives the same bytes); then attaches the older
/// sources' functions ([`attach`]).
pub fn rebuild(
    program: &mut Program,
    recs: &[ModuleRec],
    globals: &[(String, Vec<String>)],
    opts: &LoadOptions,
) -> Result<(), Problem> {
    let order: Vec<&str> = recs
        .iter()
        .filter(|r| !is_old_rec(r))
        .map(|r| r.name.as_str())
        .collect();
    program
        .modules
        .sort_by_key(|m| order.iter().position(|n| *n == m.name));
    if !recs.iter().any(is_old_rec) {
        return Ok(());
    }
    let names: Vec<String> = program.modules.iter().map(|m| m.name.clone()).collect();
    for rec in recs.iter().filter(|r| !is_old_rec(r)) {
        let has_old = is_versioned(rec, recs);
        let Some(mi) = program.module_index(&rec.name) else {
            continue;
        };
        if !has_old {
            continue;
        }
        let prior = globals
            .iter()
            .find(|(m, _)| *m == rec.name)
            .map_or(&[][..], |(_, g)| &g[..]);
        let mut m = recompile_module(&rec.name, &rec.path, &rec.source, prior, &names, opts)
            .map_err(|e| Problem::UnknownModule(format!("{} ({})", rec.name, e.render())))?;
        let wanted: Vec<&str> = rec.functions.iter().map(|(n, _)| n.as_str()).collect();
        reorder(&mut m, &wanted);
        let changed: Vec<String> = rec
            .functions
            .iter()
            .filter(|(n, h)| m.functions.iter().find(|f| f.name == *n).map(hash) != Some(*h))
            .map(|(n, _)| format!("{}.{n}", rec.name))
            .collect();
        if !changed.is_empty() {
            return Err(Problem::ChangedFunctions(changed));
        }
        program.modules[mi as usize] = m;
    }
    attach(program, recs, opts, &names)
}

/// Puts `m`'s functions in the order of `names` (the top level stays first).
fn reorder(m: &mut Module, names: &[&str]) {
    let rank = |f: &skein_script::bytecode::Function| {
        names
            .iter()
            .position(|n| *n == f.name)
            .unwrap_or(usize::MAX)
    };
    let mut order: Vec<usize> = (1..m.functions.len()).collect();
    order.sort_by_key(|&i| rank(&m.functions[i]));
    order.insert(0, 0);
    let mut new_index = vec![0u16; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new as u16;
    }
    let mut functions: Vec<_> = order.iter().map(|&i| m.functions[i].clone()).collect();
    if let Some(top) = functions.first_mut() {
        for op in &mut top.code {
            if let Op::MakeFunction(i) = op {
                *i = new_index[*i as usize];
            }
        }
    }
    m.functions = functions;
}

/// Compiles the older sources among `recs` again and appends their
/// functions to their modules in `program`.
fn attach(
    program: &mut Program,
    recs: &[ModuleRec],
    opts: &LoadOptions,
    names: &[String],
) -> Result<(), Problem> {
    for rec in recs.iter().filter(|r| is_old_rec(r)) {
        let bad = |why: String| Problem::UnknownModule(format!("{} ({why})", rec.name));
        let (base, generation) = rec.name.split_once(MARK).unwrap_or_default();
        let generation: u32 = generation
            .parse()
            .map_err(|_| bad("not a module generation".into()))?;
        let mi = program
            .module_index(base)
            .ok_or_else(|| bad(format!("no module {base}")))? as usize;
        let globals = program.modules[mi].globals.clone();
        let old = recompile_module(base, &rec.path, &rec.source, &globals, names, opts)
            .map_err(|e| bad(format!("does not compile: {}", e.render())))?;
        let m = &mut program.modules[mi];
        m.globals = old.globals.clone();
        let mut kept = Vec::new();
        for (fname, hash) in &rec.functions {
            let f = old
                .functions
                .iter()
                .find(|f| &f.name == fname)
                .filter(|f| self::hash(f) == *hash)
                .ok_or_else(|| Problem::ChangedFunctions(vec![format!("{}.{fname}", rec.name)]))?;
            let at =
                u16::try_from(m.functions.len()).map_err(|_| bad("too many functions".into()))?;
            let live = (1..m.functions.len())
                .any(|i| m.functions[i].name == *fname && !m.retired.contains(&(i as u16)));
            if fname == "<module>" || live {
                m.retired.push(at);
            }
            m.functions.push(f.clone());
            kept.push(at);
        }
        m.generation = m.generation.max(generation + 1);
        m.old.push(OldSource {
            generation,
            source: rec.source.clone(),
            functions: kept,
        });
    }
    Ok(())
}
