//! Small value constructors the interpreter needs on its own: constants from
//! a function's pool, list displays, and error values from kinds.

use std::sync::Arc;

use std::any::Any;

use skein_script::bytecode::{Const, Function};

use crate::context::Cx;
use crate::errors;
use crate::kind::Kind;
use crate::methods::MethodId;
use crate::ops;
use crate::value::ErrorObj;
use crate::value::{List, TypeTag, Value};

/// Whether `v` has the methods `CallPlace` runs on a place (list, dict, str).
#[inline]
pub(crate) fn has_methods(v: &Value) -> bool {
    matches!(v, Value::List(_) | Value::Dict(_) | Value::Str(_))
}

/// A list of `items`, or `MemoryError` past the size limit.
pub(crate) fn make_list(items: Vec<Value>, cx: &Cx) -> Result<Value, Value> {
    let list = List::new(items);
    errors::check_size(list.size, cx.limits.size_limit)?;
    Ok(Value::List(Arc::new(list)))
}

/// What the VM derives from a function's code on first use and keeps beside
/// it (in `Function::derived`): its constants as values, shared by every
/// load so a string constant is not copied per load (lists and dicts are
/// left out, `None`: making one checks the size limit), and its names as
/// method ids, so a method call site is resolved once, not per call.
///
/// It stays valid exactly as long as the code it came from: it lives in
/// that `Function`, a clone of a function starts without it, and code that
/// is replaced (a module reloaded) is a new `Function` that derives its own.
struct FunctionDerived {
    consts: Vec<Option<Value>>,
    methods: Vec<MethodId>,
}

fn derived(func: &Function) -> Option<&FunctionDerived> {
    let made = func.derived.0.get_or_init(|| {
        let consts = func.consts.iter().map(shared_const).collect();
        let methods = func.names.iter().map(|n| MethodId::of(n)).collect();
        Arc::new(FunctionDerived { consts, methods }) as Arc<dyn Any + Send + Sync>
    });
    made.downcast_ref::<FunctionDerived>()
}

/// A constant made once and shared: a literal, or a list of literals and
/// such lists (a list is copied before a change). `None` for what holds a
/// dict, made afresh each time through `ops::store_index`.
fn shared_const(c: &Const) -> Option<Value> {
    Some(match c {
        Const::None => Value::None,
        Const::Bool(b) => Value::Bool(*b),
        Const::Int(i) => Value::Int(*i),
        Const::Float(f) => Value::Float(*f),
        Const::Str(s) => Value::str(s.as_str()),
        Const::List(items) => Value::list(items.iter().map(shared_const).collect::<Option<_>>()?),
        Const::Dict(_) => return None,
    })
}

fn shared_consts(func: &Function) -> &[Option<Value>] {
    derived(func).map_or(&[], |d| d.consts.as_slice())
}

/// The method id of `func.names[name]`, resolved once per function.
#[inline]
pub(crate) fn method_id(func: &Function, name: u16) -> MethodId {
    derived(func)
        .and_then(|d| d.methods.get(name as usize).copied())
        .unwrap_or(MethodId::Other)
}

/// The value of `func.consts[i]`: shared when it can be, else made.
#[inline]
pub(crate) fn load_const(func: &Function, i: u16, cx: &mut Cx) -> Result<Value, Value> {
    match shared_consts(func).get(i as usize) {
        // Past the size limit it is made afresh, to raise as it would.
        Some(Some(v)) if !matches!(v, Value::List(_)) || v.size() <= cx.limits.size_limit => {
            Ok(v.clone())
        }
        _ => match func.consts.get(i as usize) {
            Some(c) => const_value(c, cx),
            None => Err(errors::fault("constant out of range")),
        },
    }
}

/// The value of a constant. Dict constants go through `ops::store_index` so
/// keys are normalised exactly as a running `d[k] = v` would.
pub(crate) fn const_value(c: &Const, cx: &mut Cx) -> Result<Value, Value> {
    Ok(match c {
        Const::None => Value::None,
        Const::Bool(b) => Value::Bool(*b),
        Const::Int(i) => Value::Int(*i),
        Const::Float(f) => Value::Float(*f),
        Const::Str(s) => Value::str(s.clone()),
        Const::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(const_value(item, cx)?);
            }
            make_list(out, cx)?
        }
        Const::Dict(pairs) => {
            let mut d = Value::Dict(Arc::default());
            for (k, v) in pairs {
                let k = const_value(k, cx)?;
                let v = const_value(v, cx)?;
                ops::store_index(&mut d, k, v, cx)?;
            }
            d
        }
    })
}

/// An error value of `kind` with no arguments (`raise KeyError`).
pub(crate) fn bare_error(kind: Kind) -> Value {
    Value::Error(Arc::new(ErrorObj {
        kind,
        args: Vec::new(),
        traceback: Vec::new(),
    }))
}

/// What a host or builtin handed back as "the error": an error value stays as
/// it is, a kind becomes an error with no arguments, anything else is the
/// `TypeError` Python gives for raising a non-exception.
pub(crate) fn as_error(v: Value) -> Value {
    match v {
        Value::Error(_) => v,
        Value::Type(TypeTag::Kind(k)) => bare_error(k),
        _ => errors::type_error("exceptions must derive from BaseException"),
    }
}
