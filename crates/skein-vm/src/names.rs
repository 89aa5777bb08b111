//! The names values, types and builtins go by in messages and reprs
//! (`'int'`, `<class 'stackless.tasklet'>`, `<built-in function sqrt>`),
//! and the type `type(x)` returns: tables that need nothing but the value.

use skein_script::bytecode::BUILTIN_NAMES;

use crate::mathmod::table::function_name;
use crate::value::{TypeTag, Value};

/// The name Python's messages use for a value's type (`'int'`, `'list'`).
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::None => "NoneType",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        Value::Str(_) => "str",
        Value::List(_) => "list",
        Value::Dict(_) => "dict",
        Value::Range(_) => "range",
        Value::Function(_) => "function",
        Value::Builtin(_) | Value::Native(_) => "builtin_function_or_method",
        Value::Module(_) => "module",
        Value::Type(_) => "type",
        Value::Error(e) => e.kind.name(),
        Value::Tasklet(_) => "tasklet",
        Value::Channel(_) => "channel",
        Value::Method(_) => "method",
        Value::Iter(_) => "iterator",
        Value::Unbound => "unbound",
    }
}

/// The name a type prints with inside `<class '…'>`.
pub fn tag_name(tag: TypeTag) -> &'static str {
    match tag {
        TypeTag::NoneType => "NoneType",
        TypeTag::Bool => "bool",
        TypeTag::Int => "int",
        TypeTag::Float => "float",
        TypeTag::Str => "str",
        TypeTag::List => "list",
        TypeTag::Dict => "dict",
        TypeTag::Range => "range",
        TypeTag::Function => "function",
        TypeTag::Builtin => "builtin_function_or_method",
        TypeTag::Module => "module",
        TypeTag::Tasklet => "stackless.tasklet",
        TypeTag::Channel => "stackless.channel",
        TypeTag::Type => "type",
        TypeTag::Method => "method",
        TypeTag::Kind(k) => k.name(),
    }
}

/// The type of a value, as `type(x)` returns it.
pub fn type_of(v: &Value) -> TypeTag {
    match v {
        Value::None => TypeTag::NoneType,
        Value::Bool(_) => TypeTag::Bool,
        Value::Int(_) => TypeTag::Int,
        Value::Float(_) => TypeTag::Float,
        Value::Str(_) => TypeTag::Str,
        Value::List(_) => TypeTag::List,
        Value::Dict(_) => TypeTag::Dict,
        Value::Range(_) => TypeTag::Range,
        Value::Function(_) => TypeTag::Function,
        Value::Builtin(_) | Value::Native(_) => TypeTag::Builtin,
        Value::Module(_) => TypeTag::Module,
        Value::Type(_) => TypeTag::Type,
        Value::Error(e) => TypeTag::Kind(e.kind),
        Value::Tasklet(_) => TypeTag::Tasklet,
        Value::Channel(_) => TypeTag::Channel,
        Value::Method(_) => TypeTag::Method,
        Value::Iter(_) | Value::Unbound => TypeTag::NoneType,
    }
}

/// The name of builtin function value `index` (math functions included).
pub fn builtin_name(index: u16) -> &'static str {
    if let Some(name) = function_name(index) {
        return name;
    }
    match BUILTIN_NAMES.get(index as usize).copied() {
        // `dict.fromkeys`, a hidden builtin, goes by its method's name.
        Some("__dict_fromkeys") => "fromkeys",
        Some(name) => name,
        None => "?",
    }
}
