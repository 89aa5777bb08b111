//! `repr` and `str` of any value, walking containers with an explicit job
//! stack so a 100 000-deep list prints without recursing on the host stack.

use skein_script::bytecode::BUILTIN_MODULES;

use super::float::float_repr;
use super::printable;
use crate::context::Cx;
use crate::names::{builtin_name, tag_name, type_name};
use crate::value::{ModRef, Value};

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
            [a] if e.kind != crate::kind::Kind::KeyError => v = a,
            _ => break,
        }
    }
    match v {
        Value::Str(s) => s.as_str().to_owned(),
        Value::Error(e) => match e.args.as_slice() {
            [] => String::new(),
            [k] if e.kind == crate::kind::Kind::KeyError => repr(k, cx),
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
                out.push_str(e.kind.name());
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
