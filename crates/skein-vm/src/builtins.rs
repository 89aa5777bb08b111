//! The built-in functions and types of language.md (`print`, `len`, `int`,
//! `sorted`, error kinds as constructors …), except the `key=` paths, which
//! the interpreter routes through the `__prelude__` module's Skein code.

use crate::Cx;
use crate::host::KwArgs;
use crate::value::{TypeTag, Value};

/// What `LoadBuiltin(i)` pushes: a function, or a type/kind for the names
/// that are types (`int`, `str`, `list`, `range`, `ValueError` …).
pub fn value_of(index: u16) -> Value {
    let _ = index;
    todo!()
}

/// Calls builtin function `index` (`Value::Builtin(index)`).
pub fn call(index: u16, args: Vec<Value>, kwargs: KwArgs, cx: &mut Cx) -> Result<Value, Value> {
    let _ = (index, args, kwargs, cx);
    todo!()
}

/// Calls a type: `int("3")`, `list(range(3))`, `ValueError("msg")` (makes an
/// error value), `type(x)`. Tasklet and channel types go to the host instead.
pub fn call_type(
    tag: TypeTag,
    args: Vec<Value>,
    kwargs: KwArgs,
    cx: &mut Cx,
) -> Result<Value, Value> {
    let _ = (tag, args, kwargs, cx);
    todo!()
}
