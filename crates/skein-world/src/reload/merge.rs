//! The code half of a hot reload: folds a module's new compile into the
//! running module so that every index a frame or a function value holds
//! keeps meaning what it meant, the way Erlang keeps old code for the
//! processes still in it.
//!
//! - A `def` keeps its function index across versions (found by name), so a
//!   function value — which names its `def` by module and index — calls the
//!   newest code of that `def`; a new `def` gets the next free index.
//! - A function whose code changed is copied to a *retired* index first, and
//!   the caller moves the frames running it there, so they finish on the
//!   code they started with; no function value ever names a retired copy.
//! - A function whose code did not change (only its lines moved) is
//!   replaced in place: same instructions, so its frames go on unharmed.
//! - A `def` the new source dropped stays loaded and callable.

use std::collections::HashMap;

use skein_script::bytecode::{Function, Module, OldSource, Op};

/// What merging one module did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    /// Function index → its retired copy, for every function whose code changed.
    pub moved: Vec<(u16, u16)>,
    /// Names of the changed functions (`<module>` for the top level).
    pub changed: Vec<String>,
    /// New `def`s and their indices.
    pub added: Vec<(String, u16)>,
}

/// The merge of `new` (compiled with `old`'s globals as its prior globals)
/// into `old`.
pub fn merge(old: &Module, mut new: Module) -> Result<(Module, Merged), String> {
    let live: HashMap<&str, u16> = (1..old.functions.len())
        .filter(|i| !old.retired.contains(&(*i as u16)))
        .map(|i| (old.functions[i].name.as_str(), i as u16))
        .collect();
    // New index → merged index: the top level and known defs keep theirs,
    // new defs follow the functions already loaded.
    let mut map = Vec::with_capacity(new.functions.len());
    let mut next = old.functions.len();
    for (j, f) in new.functions.iter().enumerate() {
        let at = match (j, live.get(f.name.as_str())) {
            (0, _) => 0,
            (_, Some(&k)) => k as usize,
            _ => {
                next += 1;
                next - 1
            }
        };
        map.push(u16::try_from(at).map_err(|_| "too many functions in one module".to_string())?);
    }
    if let Some(top) = new.functions.first_mut() {
        for op in &mut top.code {
            if let Op::MakeFunction(i) = op {
                *i = map[*i as usize];
            }
        }
    }

    let mut out = Merged::default();
    let mut functions = old.functions.clone();
    let mut sources = old.old.clone();
    let mut retired = old.retired.clone();
    let mut copies = Vec::new();
    let mut new_defs = Vec::new();
    let mut from_new = vec![false; old.functions.len()];
    for (j, f) in new.functions.into_iter().enumerate() {
        let at = map[j] as usize;
        if at >= old.functions.len() {
            out.added.push((f.name.clone(), at as u16));
            new_defs.push(f);
            continue;
        }
        from_new[at] = true;
        forget(&mut sources, at as u16);
        if !same_code(&old.functions[at], &f) {
            out.changed.push(f.name.clone());
            copies.push((
                at as u16,
                old.functions[at].clone(),
                old.generation_of(at as u16),
            ));
        }
        functions[at] = f;
    }
    functions.extend(new_defs);
    for (at, f, generation) in copies {
        let r = u16::try_from(functions.len())
            .map_err(|_| "too many functions in one module".to_string())?;
        functions.push(f);
        retired.push(r);
        out.moved.push((at, r));
        remember(&mut sources, old, generation, r);
    }
    // Dropped defs stay loaded, on the source they came from.
    for (at, kept) in from_new.iter().enumerate().skip(1) {
        let at = at as u16;
        if !kept && !old.retired.contains(&at) && !sources.iter().any(|s| s.functions.contains(&at))
        {
            remember(&mut sources, old, old.generation, at);
        }
    }
    sources.retain(|s| !s.functions.is_empty());
    let module = Module {
        name: new.name,
        path: new.path,
        source: new.source,
        globals: new.globals,
        functions,
        generation: old.generation + 1,
        old: sources,
        retired,
    };
    Ok((module, out))
}

/// Records that function `at` comes from `old`'s source of `generation`.
fn remember(sources: &mut Vec<OldSource>, old: &Module, generation: u32, at: u16) {
    if let Some(s) = sources.iter_mut().find(|s| s.generation == generation) {
        s.functions.push(at);
        return;
    }
    let source = if generation == old.generation {
        old.source.clone()
    } else {
        // A retired copy of a function that came from an older source
        // still: that source is already recorded under its generation.
        old.old
            .iter()
            .find(|s| s.generation == generation)
            .map_or_else(|| old.source.clone(), |s| s.source.clone())
    };
    sources.push(OldSource {
        generation,
        source,
        functions: vec![at],
    });
}

fn forget(sources: &mut [OldSource], at: u16) {
    for s in sources {
        s.functions.retain(|f| *f != at);
    }
}

/// The same instructions, constants and names: a frame's `pc` in one means
/// the same thing in the other (line numbers may differ).
pub fn same_code(a: &Function, b: &Function) -> bool {
    a.name == b.name
        && a.params == b.params
        && a.defaults == b.defaults
        && a.nlocals == b.nlocals
        && a.local_names == b.local_names
        && a.code == b.code
        && a.consts == b.consts
        && a.names == b.names
        && a.kwnames == b.kwnames
}

/// A retired copy no frame runs any more: it keeps its index (later
/// indices belong to live functions) but holds no code.
pub fn tombstone() -> Function {
    Function {
        name: "<unloaded>".to_string(),
        params: Vec::new(),
        defaults: Vec::new(),
        nlocals: 0,
        local_names: Vec::new(),
        code: vec![Op::None, Op::Return],
        lines: vec![0, 0],
        consts: Vec::new(),
        names: Vec::new(),
        kwnames: Vec::new(),
        def_line: 0,
        derived: Default::default(),
    }
}

/// Unloads the retired copies of `module` that no frame runs (`used` holds
/// the function indices frames run); trailing ones are dropped outright.
/// Whether anything changed.
pub fn unload_unused(module: &mut Module, used: &[u16]) -> bool {
    let before = module.retired.len();
    let gone: Vec<u16> = module
        .retired
        .iter()
        .copied()
        .filter(|r| !used.contains(r))
        .collect();
    if gone.is_empty() {
        return false;
    }
    module.retired.retain(|r| used.contains(r));
    for r in &gone {
        module.functions[*r as usize] = tombstone();
        forget(&mut module.old, *r);
    }
    while module.functions.len() > 1
        && gone.contains(&((module.functions.len() - 1) as u16))
        && module
            .functions
            .last()
            .is_some_and(|f| f.name == "<unloaded>")
    {
        module.functions.pop();
    }
    module.old.retain(|s| !s.functions.is_empty());
    before != module.retired.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use skein_script::loader::{LoadOptions, compile_str, recompile_module};

    fn module(src: &str) -> Module {
        compile_str("m", src).expect("compiles").modules.remove(0)
    }

    fn recompile(old: &Module, src: &str) -> Module {
        recompile_module("m", "m.sk", src, &old.globals, &[], &LoadOptions::default())
            .expect("compiles")
    }

    #[test]
    fn defs_keep_their_indices_and_changed_code_is_retired() {
        let old = module("x = 1\ndef a():\n    return 1\ndef b():\n    return 2\n");
        let new = recompile(
            &old,
            "def c():\n    return 3\ndef b():\n    return 20\ny = 2\n",
        );
        let (m, merged) = merge(&old, new).expect("merges");
        let names: Vec<&str> = m.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["<module>", "a", "b", "c", "<module>", "b"]);
        assert_eq!(merged.moved, [(0, 4), (2, 5)]);
        assert_eq!(merged.added, [("c".to_string(), 3)]);
        assert_eq!(m.retired, [4, 5]);
        assert_eq!(&m.globals[..old.globals.len()], &old.globals[..]);
        assert!(m.globals.iter().any(|g| g == "y"));
        // The dropped `a` and the retired copies read the old source.
        assert_eq!(m.old.len(), 1);
        assert_eq!(m.old[0].functions, [4, 5, 1]);
        assert!(m.source_of(1).contains("return 1"));
        assert!(m.source_of(2).contains("return 20"));
        assert_eq!(m.generation, 1);
    }

    #[test]
    fn unchanged_functions_are_replaced_in_place_and_unused_copies_unload() {
        let old = module("def a():\n    return 1\n");
        let new = recompile(&old, "\n\ndef a():\n    return 1\n");
        let (mut m, merged) = merge(&old, new).expect("merges");
        // Only the top level (its lines) differs, and its code is the same.
        assert!(merged.changed.is_empty(), "{merged:?}");
        assert_eq!(m.functions[1].def_line, 3);
        let new = recompile(&m, "def a():\n    return 5\n");
        let (m2, merged) = merge(&m, new).expect("merges");
        assert_eq!(merged.moved, [(1, 2)]);
        let mut m2b = m2.clone();
        assert!(unload_unused(&mut m2b, &[]));
        assert_eq!(m2b.functions.len(), 2);
        assert!(m2b.old.is_empty() && m2b.retired.is_empty());
        assert!(!unload_unused(&mut m, &[]));
    }
}
