//! Printing values as Python does: `str`, `repr`, shortest round-trip floats,
//! the format-spec mini-language and printf-style `%`.

use crate::value::Value;

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
        Value::Error(_) => "Exception",
        Value::Tasklet(_) => "tasklet",
        Value::Channel(_) => "channel",
        Value::Method(_) => "method",
        Value::Iter(_) => "iterator",
        Value::Unbound => "unbound",
    }
}

use crate::Cx;

/// `repr(v)`.
pub fn repr(v: &Value, cx: &mut Cx) -> String {
    let _ = (v, cx);
    todo!()
}

/// `str(v)`.
pub fn str(v: &Value, cx: &mut Cx) -> String {
    let _ = (v, cx);
    todo!()
}

/// `format(v, spec)` with Python's format-spec mini-language.
pub fn format_spec(v: &Value, spec: &str, cx: &mut Cx) -> Result<String, Value> {
    let _ = (v, spec, cx);
    todo!()
}

/// `fmt % args` (printf-style; `args` is one value or a list of values).
pub fn percent(fmt: &str, args: &Value, cx: &mut Cx) -> Result<String, Value> {
    let _ = (fmt, args, cx);
    todo!()
}

/// The shortest repr that round-trips, as Python prints floats.
pub fn float_repr(f: f64) -> String {
    let _ = f;
    todo!()
}
