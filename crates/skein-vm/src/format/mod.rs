//! Printing values as Python does: `str`, `repr`, shortest round-trip floats,
//! the format-spec mini-language and printf-style `%`.
//!
//! Walking a value uses an explicit job stack, so a 100 000-deep list prints
//! without recursing on the host stack.

pub mod float;
pub mod percent;
mod printable;
pub mod spec;
pub mod strformat;

use skein_script::bytecode::{BUILTIN_MODULES, BUILTIN_NAMES};

use crate::Cx;
use crate::errors::kind_name;
use crate::value::{ModRef, TypeTag, Value};

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
        Value::Error(e) => kind_name(e.kind),
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
        TypeTag::Kind(k) => kind_name(k),
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
    if let Some(name) = crate::mathmod::function_name(index) {
        return name;
    }
    match BUILTIN_NAMES.get(index as usize).copied() {
        // `dict.fromkeys`, a hidden builtin, goes by its method's name.
        Some("__dict_fromkeys") => "fromkeys",
        Some(name) => name,
        None => "?",
    }
}

/// `repr(v)`.
pub fn repr(v: &Value, cx: &mut Cx) -> String {
    let mut out = String::new();
    write_repr(v, cx, &mut out);
    out
}

/// `str(v)`.
pub fn str(v: &Value, cx: &mut Cx) -> String {
    // `str(ValueError(e))` is `str(e)`: follow such chains in a loop, since
    // a script can wrap errors 100 000 deep.
    let mut v = v;
    while let Value::Error(e) = v {
        match e.args.as_slice() {
            [a] if e.kind != crate::value::Kind::KeyError => v = a,
            _ => break,
        }
    }
    match v {
        Value::Str(s) => s.as_str().to_owned(),
        Value::Error(e) => match e.args.as_slice() {
            [] => String::new(),
            [k] if e.kind == crate::value::Kind::KeyError => repr(k, cx),
            args => {
                let mut out = String::from("(");
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_repr(a, cx, &mut out);
                }
                out.push(')');
                out
            }
        },
        _ => repr(v, cx),
    }
}

/// `format(v, spec)` with Python's format-spec mini-language.
pub fn format_spec(v: &Value, spec: &str, cx: &mut Cx) -> Result<String, Value> {
    spec::format_spec(v, spec, cx)
}

/// `fmt % args` (printf-style; `args` is one value or a list of values).
pub fn percent(fmt: &str, args: &Value, cx: &mut Cx) -> Result<String, Value> {
    percent::percent(fmt, args, cx)
}

/// The shortest repr that round-trips, as Python prints floats.
pub fn float_repr(f: f64) -> String {
    float::float_repr(f)
}

/// Python's repr of a string: single quotes unless the text has a `'` and no
/// `"`, with `\n \r \t \\`, the quote and non-printable characters escaped.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !printable::printable(c) => {
                let n = c as u32;
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

enum Job<'a> {
    Repr(&'a Value),
    Lit(&'static str),
    Owned(String),
}

fn write_repr(root: &Value, cx: &mut Cx, out: &mut String) {
    let mut stack = vec![Job::Repr(root)];
    while let Some(job) = stack.pop() {
        let v = match job {
            Job::Lit(s) => {
                out.push_str(s);
                continue;
            }
            Job::Owned(s) => {
                out.push_str(&s);
                continue;
            }
            Job::Repr(v) => v,
        };
        match v {
            Value::List(l) => {
                out.push('[');
                stack.push(Job::Lit("]"));
                for (i, item) in l.items.iter().enumerate().rev() {
                    stack.push(Job::Repr(item));
                    if i > 0 {
                        stack.push(Job::Lit(", "));
                    }
                }
            }
            Value::Dict(d) => {
                out.push('{');
                stack.push(Job::Lit("}"));
                for (i, (k, v)) in d.map.values().enumerate().rev() {
                    stack.push(Job::Repr(v));
                    stack.push(Job::Lit(": "));
                    stack.push(Job::Repr(k));
                    if i > 0 {
                        stack.push(Job::Lit(", "));
                    }
                }
            }
            Value::Error(e) => {
                out.push_str(kind_name(e.kind));
                out.push('(');
                stack.push(Job::Lit(")"));
                for (i, a) in e.args.iter().enumerate().rev() {
                    stack.push(Job::Repr(a));
                    if i > 0 {
                        stack.push(Job::Lit(", "));
                    }
                }
            }
            Value::Method(m) => {
                out.push_str(&format!("<bound method {}.{} of ", type_name(&m.0), m.1));
                stack.push(Job::Lit(">"));
                stack.push(Job::Repr(&m.0));
            }
            other => stack.push(Job::Owned(scalar_repr(other, cx))),
        }
    }
}

fn scalar_repr(v: &Value, cx: &mut Cx) -> String {
    match v {
        Value::None => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_repr(*f),
        Value::Str(s) => str_repr(s),
        Value::Range(r) => {
            if r.step == 1 {
                format!("range({}, {})", r.start, r.stop)
            } else {
                format!("range({}, {}, {})", r.start, r.stop, r.step)
            }
        }
        Value::Function(f) => {
            let module = cx.program.modules.get(f.module as usize);
            let func = module.and_then(|m| m.functions.get(f.func as usize));
            match (module, func) {
                (Some(m), Some(func)) => format!("<function {}.{}>", m.name, func.name),
                _ => "<function ?>".into(),
            }
        }
        Value::Builtin(i) => format!("<built-in function {}>", builtin_name(*i)),
        Value::Native(id) => {
            let d = cx.host.describe(v);
            if d == "<?>" {
                format!("<built-in function #{id}>")
            } else {
                d
            }
        }
        Value::Module(m) => {
            let name = match m {
                ModRef::Script(i) => cx.program.modules.get(*i as usize).map(|m| m.name.as_str()),
                ModRef::Native(i) => {
                    let i = *i as usize;
                    BUILTIN_MODULES.get(i).copied().or_else(|| {
                        cx.program
                            .host_modules
                            .get(i.wrapping_sub(BUILTIN_MODULES.len()))
                            .map(|s| s.as_str())
                    })
                }
            };
            format!("<module '{}'>", name.unwrap_or("?"))
        }
        Value::Type(t) => format!("<class '{}'>", tag_name(*t)),
        Value::Tasklet(_) | Value::Channel(_) => cx.host.describe(v),
        Value::Iter(_) => "<iterator>".into(),
        Value::Unbound => "<unbound>".into(),
        // Containers are expanded by `write_repr`.
        Value::List(_) | Value::Dict(_) | Value::Error(_) | Value::Method(_) => String::new(),
    }
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests;
