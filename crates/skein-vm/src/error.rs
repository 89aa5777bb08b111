//! Script errors as values: a kind, its arguments and the traceback gathered
//! while it unwinds, all serde data so a pending error can be saved.

use serde::{Deserialize, Serialize};
use skein_script::bytecode::FuncRef;

use crate::value::{Kind, Value};

/// One traceback line: where a frame was when the error passed through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEntry {
    /// The function the frame ran.
    pub func: FuncRef,
    /// The line it was at.
    pub line: u32,
}

/// An error value (`ValueError("msg")`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObj {
    /// Which error it is (`ValueError`, …).
    pub kind: Kind,
    /// The constructor's arguments; `str(e)` is built from them as Python does.
    pub args: Vec<Value>,
    /// Outermost frame first, as Python prints it.
    pub traceback: Vec<TraceEntry>,
}

/// Errors can wrap errors (`ValueError(e)` in a loop), so dropping a long
/// chain must not recurse on the host stack any more than a deep list does.
impl Drop for ErrorObj {
    fn drop(&mut self) {
        if self.args.iter().any(|a| {
            !matches!(
                a,
                Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_)
            )
        }) {
            crate::value::drop_flat(std::mem::take(&mut self.args));
        }
    }
}
