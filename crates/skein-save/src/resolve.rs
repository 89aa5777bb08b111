//! Record ids and names bound to the loading world: what a load's decoder
//! asks to turn a saved reference (a tasklet id, a function by module and
//! name) into one of the world's.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use bevy_ecs::world::World;
use skein_script::bytecode::{FuncRef, Program};
use skein_vm::Limits;
use skein_vm::value::ModRef;
use skein_world::WorldOptions;

use crate::error::Problem;
use crate::names::{self, NativeNames};
use crate::values::Resolve;

/// Record ids to the loading world's ids: a table indexed by id when the
/// ids are dense (a world's are), a hash map otherwise. New ids are never 0.
pub(crate) enum IdTable {
    Dense(Vec<u64>),
    Sparse(HashMap<u64, u64>),
    /// Every id stays as it is (a migrant between shards, whose references
    /// are cluster-wide ids).
    Same,
    /// A shard's save: its own records, and ids the predicate says live on
    /// other shards, which stay as they are.
    Shard(Box<IdTable>, Box<dyn Fn(u64) -> bool>),
    /// A world save read in one pass, before all its tasklets are read:
    /// every id but 0 stays as it is and is noted, to be checked against
    /// the records once they are all read.
    Noted(RefCell<Vec<u64>>),
}

impl IdTable {
    pub fn new(pairs: impl IntoIterator<Item = (u64, u64)>) -> IdTable {
        let pairs: Vec<(u64, u64)> = pairs.into_iter().collect();
        let max = pairs.iter().map(|p| p.0).max().unwrap_or(0);
        if max <= 4 * pairs.len() as u64 + 1024 {
            let mut v = vec![0; max as usize + 1];
            for (k, n) in pairs {
                v[k as usize] = n;
            }
            IdTable::Dense(v)
        } else {
            IdTable::Sparse(pairs.into_iter().collect())
        }
    }

    pub fn get(&self, id: u64) -> Option<u64> {
        match self {
            IdTable::Dense(v) => usize::try_from(id)
                .ok()
                .and_then(|i| v.get(i).copied())
                .filter(|n| *n != 0),
            IdTable::Sparse(m) => m.get(&id).copied(),
            IdTable::Same => (id != 0).then_some(id),
            IdTable::Shard(own, foreign) => own.get(id).or_else(|| foreign(id).then_some(id)),
            IdTable::Noted(seen) => {
                if id == 0 {
                    return None;
                }
                seen.borrow_mut().push(id);
                Some(id)
            }
        }
    }
}

/// Names and record ids bound to the loading world.
pub(crate) struct MapResolve<'a> {
    pub program: &'a Program,
    pub natives: &'a NativeNames,
    pub tasklets: IdTable,
    pub channels: IdTable,
    /// The loading world's main, for `Main` references.
    pub main: Option<u64>,
    /// The function found last: a world's frames run a few functions, and
    /// comparing two names beats searching the program's lists again.
    pub last: Cell<Option<FuncRef>>,
}

impl<'a> MapResolve<'a> {
    /// Names bound to `program` and `natives`, record ids through the tables.
    pub fn new(
        program: &'a Program,
        natives: &'a NativeNames,
        tasklets: IdTable,
        channels: IdTable,
        main: Option<u64>,
    ) -> Self {
        MapResolve {
            program,
            natives,
            tasklets,
            channels,
            main,
            last: Cell::new(None),
        }
    }

    /// References kept as they are (cluster-wide ids), for what crosses
    /// between shards into a world whose main tasklet is `main` (0: none).
    pub fn same_ids(program: &'a Program, natives: &'a NativeNames, main: u64) -> Self {
        MapResolve::new(
            program,
            natives,
            IdTable::Same,
            IdTable::Same,
            (main != 0).then_some(main),
        )
    }
}

/// The limits a value loaded into `world` is checked against: the world's
/// own, or the defaults.
pub(crate) fn limits_of(world: &World) -> Limits {
    world
        .get_resource::<WorldOptions>()
        .map_or_else(Limits::default, |o| o.limits)
}

impl Resolve for MapResolve<'_> {
    fn function(&self, module: &str, name: &str) -> Result<FuncRef, Problem> {
        // A hit names a loaded module exactly, so never an older version
        // (whose saved module name carries its generation).
        if let Some(f) = self.last.get() {
            let m = &self.program.modules[f.module as usize];
            if m.name == module && m.functions[f.func as usize].name == name {
                return Ok(f);
            }
        }
        let f = names::function(self.program, module, name)?;
        if self.program.modules[f.module as usize].name == module {
            self.last.set(Some(f));
        }
        Ok(f)
    }
    fn module(&self, name: &str) -> Result<ModRef, Problem> {
        names::module(self.program, name)
    }
    fn native(&self, module: &str, name: &str) -> Result<u32, Problem> {
        self.natives.id(module, name)
    }
    fn tasklet(&self, id: u64) -> Result<u64, Problem> {
        self.tasklets.get(id).ok_or(Problem::Dangling {
            what: "tasklet",
            id,
        })
    }
    fn main(&self) -> Result<u64, Problem> {
        self.main
            .ok_or_else(|| Problem::Invalid("this world has no main tasklet".into()))
    }
    fn channel(&self, id: u64) -> Result<u64, Problem> {
        self.channels.get(id).ok_or(Problem::Dangling {
            what: "channel",
            id,
        })
    }
}
