//! [`CodeRec`]: a module's compiled code as a world save carries it (format
//! version 2), a plain serde of the compiler's own types, so whatever the
//! instruction set becomes it still reads and writes.

use serde::{Deserialize, Serialize};
use skein_script::bytecode::{Function, Module};

/// A module's compiled code, beside its source in the module's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeRec {
    /// Global slot names, in slot order (`LoadGlobal(i)` names slot i).
    pub globals: Vec<String>,
    /// The functions by index (`MakeFunction(i)`, frames' function refs);
    /// `functions[0]` is the top level.
    pub functions: Vec<Function>,
    /// How many hot reloads swapped this module's code.
    pub generation: u32,
    /// Retired copies: code a reload replaced that frames still run.
    pub retired: Vec<u16>,
    /// Functions compiled from an older source, by that source's
    /// generation: the text is in the record named `module#generation`.
    pub old: Vec<(u32, Vec<u16>)>,
}

impl CodeRec {
    /// The code of `m` as a save writes it.
    pub fn of(m: &Module) -> CodeRec {
        CodeRec {
            globals: m.globals.clone(),
            functions: m.functions.clone(),
            generation: m.generation,
            retired: m.retired.clone(),
            old: m
                .old
                .iter()
                .map(|o| (o.generation, o.functions.clone()))
                .collect(),
        }
    }
}
