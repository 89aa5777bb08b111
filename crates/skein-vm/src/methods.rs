//! Methods of lists, dicts and strings. Mutating methods change `recv` in
//! place: the interpreter passes the place itself (`CallPlace`) or a
//! temporary whose change is then dropped (`CallMethod`).

use crate::Cx;
use crate::host::KwArgs;
use crate::value::Value;

/// Calls method `name` of a list, dict or str. Unknown: `AttributeError`.
pub fn call(
    recv: &mut Value,
    name: &str,
    args: Vec<Value>,
    kwargs: KwArgs,
    cx: &mut Cx,
) -> Result<Value, Value> {
    let _ = (recv, name, args, kwargs, cx);
    todo!()
}
