//! Calls that skip the general call path when their operands allow it:
//! `isinstance(x, T)` without its argument vector, and a list, dict or str
//! method on a module global without the place walk. Each gives the result,
//! error and fuel charge of the general path it stands in for.

use skein_script::bytecode::Function;

use super::stack::pop;
use super::{Exec, cx};
use crate::methods;
use crate::value::Value;

/// `BUILTIN_NAMES` index of `isinstance`.
pub(crate) const ISINSTANCE: u16 = 11;

/// `isinstance(x, t)` with `[isinstance, x, t]` on top of the stack, all
/// popped: the builtin without its argument vector, charged as it is.
#[inline(never)]
pub(crate) fn isinstance(
    ex: &mut Exec,
    stack: &mut Vec<Value>,
    fuel: &mut u64,
) -> Result<Value, Value> {
    let t = pop(stack);
    let x = pop(stack);
    stack.pop();
    crate::ops::charge(&mut cx!(ex, fuel), 2);
    crate::builtins::isinstance(&x, &t).map(Value::Bool)
}

/// As [`local_method`](super::calls::local_method), on the list, dict or str in global slot `g` of
/// module `m` (`heap.append(x)` on a module's list): the slot itself is
/// the receiver, as `ops::with_place` would lend it, with no place walk.
#[inline(never)]
pub(crate) fn global_method(
    ex: &mut Exec,
    stack: &mut Vec<Value>,
    fuel: &mut u64,
    func: &Function,
    (m, g): (usize, usize),
    name: u16,
    argc: u8,
) -> Result<Value, Value> {
    let at = stack.len() - argc as usize;
    let id = super::values::method_id(func, name);
    let recv = &mut ex.globals.modules[m].values[g];
    let mut cx = cx!(ex, fuel);
    if id != methods::MethodId::Other
        && let Some(r) = methods::call_quick(recv, id, &stack[at..], &mut cx)
    {
        stack.truncate(at);
        return r;
    }
    let args = stack.split_off(at);
    methods::call(recv, &func.names[name as usize], args, Vec::new(), &mut cx)
}

#[cfg(test)]
#[test]
fn isinstance_index_names_isinstance() {
    use skein_script::bytecode::BUILTIN_NAMES;
    assert_eq!(BUILTIN_NAMES[ISINSTANCE as usize], "isinstance");
}
