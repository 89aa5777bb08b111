//! The methods a game script calls in its inner loops, by an id resolved
//! once per call site instead of by name per call, with their arguments
//! as a slice instead of a vector. Anything else (another method, a
//! keyword, an argument of another kind) goes to `call`, unchanged.

use std::sync::Arc;

use crate::context::Cx;
use crate::errors::{check_size, index_error};
pub use crate::method_id::MethodId;
use crate::ops::charge;
use crate::value::{Key, List, Value};

/// Method `id` of `recv` on `args`, charged and checked as `call` charges
/// and checks it; `None`, with nothing charged or changed, when the quick
/// path does not cover this receiver and these arguments.
pub fn call_quick(
    recv: &mut Value,
    id: MethodId,
    args: &[Value],
    cx: &mut Cx,
) -> Option<Result<Value, Value>> {
    if !matches!(
        (&*recv, id, args),
        (Value::List(_), MethodId::Append, [_])
            | (Value::List(_), MethodId::Pop | MethodId::Clear, [])
            | (Value::Dict(_), MethodId::Get, [_] | [_, _])
            | (
                Value::Str(_),
                MethodId::StartsWith | MethodId::EndsWith,
                [Value::Str(_)]
            )
    ) {
        return None;
    }
    // What `call` charges before it looks at the method.
    charge(cx, 1 + args.len() as u64);
    Some(match (recv, args) {
        (Value::List(list), [x]) => append(list, x, cx),
        (Value::List(list), []) if id == MethodId::Clear => {
            charge(cx, list.items.len() as u64);
            *list = Arc::new(List::default());
            Ok(Value::None)
        }
        (Value::List(list), []) => match list.items.len() {
            0 => Err(index_error("pop from empty list")),
            n => {
                charge(cx, 1);
                Ok(Arc::make_mut(list).remove(n - 1))
            }
        },
        (Value::Dict(d), [k, rest @ ..]) => Key::from_value(k).map(|key| {
            d.get(&key)
                .cloned()
                .unwrap_or_else(|| rest.first().cloned().unwrap_or(Value::None))
        }),
        (Value::Str(s), [Value::Str(p)]) => Ok(Value::Bool(if id == MethodId::StartsWith {
            s.as_str().starts_with(p.as_str())
        } else {
            s.as_str().ends_with(p.as_str())
        })),
        _ => Err(crate::errors::fault("a quick method lost its receiver")),
    })
}

fn append(list: &mut Arc<List>, x: &Value, cx: &Cx) -> Result<Value, Value> {
    check_size(list.size.saturating_add(1 + x.size()), cx.limits.size_limit)?;
    Arc::make_mut(list).push(x.clone());
    Ok(Value::None)
}
