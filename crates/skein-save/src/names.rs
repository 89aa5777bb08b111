//! Names of code and natives in a world, both ways: what a save writes for a
//! function, module or native, and what a name in a save binds to in the
//! loading world.

use std::collections::{BTreeMap, HashMap};

use skein_script::bytecode::{BUILTIN_MODULES, FuncRef, Program};
use skein_vm::value::ModRef;
use skein_world::Natives;
use skein_world::save_access::world_natives;

use crate::code::{ContentHash, function_hashes};
use crate::error::Problem;
use crate::error::SaveError;
use crate::format::ModuleRec;
use crate::values::{EncodeRefs, Encoder, ValueRec};

/// Native functions by id and by name: the world's own and the host's.
pub struct NativeNames {
    by_id: HashMap<u32, (String, String)>,
    by_name: HashMap<(String, String), u32>,
}

impl NativeNames {
    /// The names of the world's built-in natives and of `natives`.
    pub fn of(natives: &Natives) -> NativeNames {
        let mut n = NativeNames {
            by_id: HashMap::new(),
            by_name: HashMap::new(),
        };
        for (m, f, id) in world_natives() {
            n.add(m, f, *id);
        }
        for (m, _) in natives.exports() {
            for f in natives.fns.iter().filter(|f| f.module == m) {
                if let Some(skein_vm::Value::Native(id)) = natives.lookup(&m, &f.name) {
                    n.add(&m, &f.name, id);
                }
            }
        }
        n
    }

    fn add(&mut self, module: &str, name: &str, id: u32) {
        self.by_id
            .insert(id, (module.to_string(), name.to_string()));
        self.by_name
            .insert((module.to_string(), name.to_string()), id);
    }

    /// Native `id`'s module and name.
    pub fn name(&self, id: u32) -> Option<(String, String)> {
        self.by_id.get(&id).cloned()
    }

    /// The id of native `module.name`, or why there is none.
    pub fn id(&self, module: &str, name: &str) -> Result<u32, Problem> {
        self.by_name
            .get(&(module.to_string(), name.to_string()))
            .copied()
            .ok_or_else(|| Problem::UnknownNative {
                module: module.to_string(),
                name: name.to_string(),
            })
    }
}

/// A function by module and name in `program`.
pub fn function(program: &Program, module: &str, name: &str) -> Result<FuncRef, Problem> {
    if let Some(retired) = crate::versions::function(program, module, name) {
        return retired;
    }
    let mi = program
        .module_index(module)
        .ok_or_else(|| Problem::UnknownModule(module.to_string()))?;
    let fi = program.modules[mi as usize]
        .functions
        .iter()
        .position(|f| f.name == name)
        .ok_or_else(|| Problem::UnknownFunction {
            module: module.to_string(),
            name: name.to_string(),
        })?;
    Ok(FuncRef {
        module: mi,
        func: fi as u16,
    })
}

/// A module value by name: a script module, a built-in or a host module.
pub fn module(program: &Program, name: &str) -> Result<ModRef, Problem> {
    if let Some(i) = program.module_index(name) {
        return Ok(ModRef::Script(i));
    }
    if let Some(i) = BUILTIN_MODULES.iter().position(|m| *m == name) {
        return Ok(ModRef::Native(i as u16));
    }
    if let Some(i) = program.host_modules.iter().position(|m| m == name) {
        return Ok(ModRef::Native((BUILTIN_MODULES.len() + i) as u16));
    }
    Err(Problem::UnknownModule(name.to_string()))
}

/// The code records of `program`'s modules, in load order (a module's
/// older sources still in use follow it), without their bytecode: what a
/// selection carries.
pub fn module_recs(program: &Program) -> Vec<ModuleRec> {
    program
        .modules
        .iter()
        .flat_map(|m| crate::versions::recs(m, false))
        .collect()
}

/// The code records of a world save: [`module_recs`] with each module's
/// bytecode, which `--code saved` resumes on.
pub fn world_module_recs(program: &Program) -> Vec<ModuleRec> {
    program
        .modules
        .iter()
        .flat_map(|m| crate::versions::recs(m, true))
        .collect()
}

/// Saved function hashes by (module, function).
pub fn saved_hashes(modules: &[ModuleRec]) -> BTreeMap<(&str, &str), ContentHash> {
    let mut out = BTreeMap::new();
    for m in modules {
        for (f, h) in &m.functions {
            out.insert((m.name.as_str(), f.as_str()), *h);
        }
    }
    out
}

/// Which of `(module, function)` differ between the save's code and
/// `program` (or are missing from it), as `module.function`, sorted.
pub fn changed_functions<'a>(
    program: &Program,
    saved: &BTreeMap<(&str, &str), ContentHash>,
    wanted: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<String> {
    changed_functions_in(program, saved, wanted, &mut HashMap::new())
}

/// [`changed_functions`] with the function hashes of `program`'s modules
/// kept in `by_module` (filled as modules are needed), for callers that
/// check many saves against the same program — a shard taking in
/// migrants lexes each module once, not once per tasklet.
pub(crate) fn changed_functions_in<'a>(
    program: &Program,
    saved: &BTreeMap<(&str, &str), ContentHash>,
    wanted: impl IntoIterator<Item = (&'a str, &'a str)>,
    by_module: &mut HashMap<u16, Vec<ContentHash>>,
) -> Vec<String> {
    let mut changed: Vec<String> = wanted
        .into_iter()
        .filter(|(m, f)| {
            let now = function(program, m, f).ok().map(|r| {
                by_module
                    .entry(r.module)
                    .or_insert_with(|| function_hashes(program.module_of(r)))[r.func as usize]
            });
            now.is_none() || now != saved.get(&(*m, *f)).copied()
        })
        .map(|(m, f)| format!("{m}.{f}"))
        .collect();
    changed.sort();
    changed.dedup();
    changed
}

/// Encodes values for a world save: tasklet and channel ids are written as
/// they are (a world save keeps every id), natives by module and name.
pub(crate) struct WorldRefs<'a> {
    pub natives: &'a NativeNames,
}

impl EncodeRefs for WorldRefs<'_> {
    fn tasklet(&mut self, id: u64) -> Result<ValueRec, SaveError> {
        Ok(ValueRec::Tasklet(id))
    }
    fn channel(&mut self, id: u64) -> Result<u64, SaveError> {
        Ok(id)
    }
    fn native(&self, id: u32) -> Option<(String, String)> {
        self.natives.name(id)
    }
}

/// Function names by module and function index, each as one writer encodes
/// a `FuncRec` (binary bytes, RON text): most frames of a world run a few
/// functions, so each name is encoded once a save.
#[derive(Default)]
pub(crate) struct FuncNames(Vec<Vec<Option<Vec<u8>>>>);

impl FuncNames {
    /// Appends `f`'s encoding to `out`, made by `encode` from its module's
    /// and function's names the first time `f` is written.
    pub(crate) fn put(
        &mut self,
        out: &mut Vec<u8>,
        enc: &Encoder,
        f: FuncRef,
        encode: fn(&mut Vec<u8>, &str, &str),
    ) -> Result<(), SaveError> {
        let (m, i) = (f.module as usize, f.func as usize);
        if let Some(Some(bytes)) = self.0.get(m).and_then(|n| n.get(i)) {
            out.extend_from_slice(bytes);
            return Ok(());
        }
        if self.0.len() <= m {
            self.0.resize_with(m + 1, Vec::new);
        }
        let module = &mut self.0[m];
        if module.len() <= i {
            module.resize_with(i + 1, || None);
        }
        let (module_name, function) = enc.func_names(f)?;
        let mut bytes = Vec::new();
        encode(&mut bytes, &module_name, &function);
        out.extend_from_slice(&bytes);
        module[i] = Some(bytes);
        Ok(())
    }
}
