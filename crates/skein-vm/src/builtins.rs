//! The built-in functions and types of docs/language.md (`print`, `len`, `int`,
//! `sorted`, error kinds as constructors …), except the `key=` paths, which
//! the interpreter routes through the `__prelude__` module's Skein code.
//!
//! Every builtin charges `cx.fuel` by the elements it touches.

mod convert;
mod numeric;
mod seq;

use std::sync::{Arc, LazyLock};

use skein_script::bytecode::BUILTIN_NAMES;

use crate::args::{arity, int_arg, take_kwargs};
use crate::context::Cx;
use crate::errors::{int_overflow, overflow, type_error, value_error};
use crate::format::{self, type_name};
use crate::host::{HostResult, KwArgs};
use crate::kind::Kind;
use crate::mathmod;
use crate::num::float_to_int;
use crate::ops::{self, charge, len_of};
use crate::value::{TypeTag, Value};

pub use seq::{sort_values, stable_sort_by_keys};

fn type_of_name(name: &str) -> Option<TypeTag> {
    Some(match name {
        "int" => TypeTag::Int,
        "float" => TypeTag::Float,
        "str" => TypeTag::Str,
        "bool" => TypeTag::Bool,
        "list" => TypeTag::List,
        "dict" => TypeTag::Dict,
        "range" => TypeTag::Range,
        "type" => TypeTag::Type,
        _ => return Kind::from_name(name).map(TypeTag::Kind),
    })
}

/// The type or kind each builtin is, by index: `LoadBuiltin` and every
/// builtin call ask, so the names are compared once, not per instruction.
static TYPE_OF_INDEX: LazyLock<Box<[Option<TypeTag>]>> =
    LazyLock::new(|| BUILTIN_NAMES.iter().map(|n| type_of_name(n)).collect());

/// The type or kind builtin `index` names, if it is one.
#[inline]
fn type_of_index(index: u16) -> Option<TypeTag> {
    TYPE_OF_INDEX.get(index as usize).copied().flatten()
}

/// What `LoadBuiltin(i)` pushes: a function, or a type/kind for the names
/// that are types (`int`, `str`, `list`, `range`, `ValueError` …).
#[inline]
pub fn value_of(index: u16) -> Value {
    match type_of_index(index) {
        Some(tag) => Value::Type(tag),
        None => Value::Builtin(index),
    }
}

/// Calls builtin function `index` (`Value::Builtin(index)`).
pub fn call(index: u16, args: Vec<Value>, kwargs: KwArgs, cx: &mut Cx) -> Result<Value, Value> {
    if mathmod::function_name(index).is_some() {
        return mathmod::call(index, args, kwargs, cx);
    }
    if let Some(tag) = type_of_index(index) {
        return call_type(tag, args, kwargs, cx);
    }
    let name = format::builtin_name(index);
    charge(cx, args.len() as u64);
    match name {
        "print" => print(args, kwargs, cx),
        "len" => {
            take_kwargs(name, kwargs, &[])?;
            arity(name, &args, 1, 1)?;
            match len_of(&args[0]) {
                Some(n) => i64::try_from(n)
                    .map(Value::Int)
                    .map_err(|_| overflow("Python int too large to convert to C ssize_t")),
                None => Err(type_error(format!(
                    "object of type '{}' has no len()",
                    type_name(&args[0])
                ))),
            }
        }
        "repr" => {
            take_kwargs(name, kwargs, &[])?;
            arity(name, &args, 1, 1)?;
            let s = format::repr(&args[0], cx);
            charge(cx, s.len() as u64 / 16);
            Ok(Value::str(s))
        }
        "isinstance" => {
            take_kwargs(name, kwargs, &[])?;
            arity(name, &args, 2, 2)?;
            isinstance(&args[0], &args[1]).map(Value::Bool)
        }
        "abs" => {
            take_kwargs(name, kwargs, &[])?;
            arity(name, &args, 1, 1)?;
            match &args[0] {
                Value::Int(i) => i.checked_abs().map(Value::Int).ok_or_else(int_overflow),
                Value::Bool(b) => Ok(Value::Int(*b as i64)),
                Value::Float(f) => Ok(Value::Float(libm::fabs(*f))),
                other => Err(type_error(format!(
                    "bad operand type for abs(): '{}'",
                    type_name(other)
                ))),
            }
        }
        "round" => {
            take_kwargs(name, kwargs, &[])?;
            arity(name, &args, 1, 2)?;
            round(&args[0], args.get(1))
        }
        "chr" => {
            take_kwargs(name, kwargs, &[])?;
            arity(name, &args, 1, 1)?;
            let i = int_arg(&args[0])?;
            u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .map(|c| Value::str(c.to_string()))
                .ok_or_else(|| value_error("chr() arg not in range(0x110000)"))
        }
        "ord" => {
            take_kwargs(name, kwargs, &[])?;
            arity(name, &args, 1, 1)?;
            match &args[0] {
                Value::Str(s) => {
                    let mut it = s.chars();
                    match (it.next(), it.next()) {
                        (Some(c), None) => Ok(Value::Int(c as i64)),
                        _ => Err(type_error(format!(
                            "ord() expected a character, but string of length {} found",
                            s.chars().count()
                        ))),
                    }
                }
                other => Err(type_error(format!(
                    "ord() expected string of length 1, but {} found",
                    type_name(other)
                ))),
            }
        }
        "divmod" | "pow" | "hex" | "oct" | "bin" => numeric::call(name, args, kwargs, cx),
        "fromkeys" => {
            take_kwargs("fromkeys", kwargs, &[])?;
            crate::methods::fromkeys(args, cx)
        }
        "map" | "filter" => map_filter_unrouted(name, &args, &kwargs),
        _ => seq::call(name, args, kwargs, cx),
    }
}

/// `map`/`filter` calls that the interpreter did not hand to the prelude's
/// Skein code: Python's messages for bad calls.
fn map_filter_unrouted(name: &str, args: &[Value], kwargs: &KwArgs) -> Result<Value, Value> {
    if !kwargs.is_empty() {
        return Err(type_error(format!("{name}() takes no keyword arguments")));
    }
    if name == "filter" {
        arity(name, args, 2, 2)?;
    } else if args.len() < 2 {
        return Err(type_error("map() must have at least two arguments."));
    } else if args.len() > 5 {
        return Err(type_error("map() takes at most 4 sequences in Skein"));
    }
    Err(crate::errors::runtime_error(format!(
        "{name}() needs the __prelude__ module, which this program lacks"
    )))
}

fn print(args: Vec<Value>, kwargs: KwArgs, cx: &mut Cx) -> Result<Value, Value> {
    let kw = take_kwargs("print", kwargs, &["sep", "end"])?;
    let text_arg = |v: &Option<Value>, what: &str, dflt: &str| match v {
        None | Some(Value::None) => Ok(dflt.to_string()),
        Some(Value::Str(s)) => Ok(s.as_str().to_owned()),
        Some(other) => Err(type_error(format!(
            "{what} must be None or a string, not {}",
            type_name(other)
        ))),
    };
    let sep = text_arg(&kw[0], "sep", " ")?;
    let end = text_arg(&kw[1], "end", "\n")?;
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        out.push_str(&format::str(a, cx));
    }
    out.push_str(&end);
    charge(cx, out.len() as u64 / 16);
    cx.host.print(&out);
    Ok(Value::None)
}

pub(crate) fn isinstance(x: &Value, t: &Value) -> Result<bool, Value> {
    let bad = || type_error("isinstance() arg 2 must be a type, a tuple of types, or a union");
    let one = |tag: TypeTag| -> bool {
        let xt = format::type_of(x);
        match tag {
            TypeTag::Int => matches!(x, Value::Int(_) | Value::Bool(_)),
            TypeTag::Kind(k) => {
                matches!(x, Value::Error(e) if e.kind.caught_by(k))
            }
            tag => xt == tag,
        }
    };
    match t {
        Value::Type(tag) => Ok(one(*tag)),
        Value::List(l) => {
            let mut found = false;
            for item in &l.items {
                match item {
                    Value::Type(tag) => found |= one(*tag),
                    Value::List(_) => found |= isinstance(x, item)?,
                    _ => return Err(bad()),
                }
            }
            Ok(found)
        }
        _ => Err(bad()),
    }
}

fn round(x: &Value, nd: Option<&Value>) -> Result<Value, Value> {
    let nd = match nd {
        None | Some(Value::None) => None,
        Some(v) => Some(int_arg(v)?),
    };
    match (x, nd) {
        (Value::Bool(b), _) => Ok(Value::Int(*b as i64)),
        (Value::Int(i), None) => Ok(Value::Int(*i)),
        (Value::Int(i), Some(n)) if n >= 0 => Ok(Value::Int(*i)),
        (Value::Int(i), Some(n)) => {
            if n < -18 {
                return Ok(Value::Int(0));
            }
            let p = 10i64.pow((-n) as u32);
            let (q, r) = (i.div_euclid(p), i.rem_euclid(p));
            let up = match (2 * r as i128).cmp(&(p as i128)) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Equal => q % 2 != 0,
                std::cmp::Ordering::Less => false,
            };
            let q = if up { q + 1 } else { q };
            q.checked_mul(p).map(Value::Int).ok_or_else(int_overflow)
        }
        (Value::Float(f), None) => float_to_int(f.round_ties_even()),
        (Value::Float(f), Some(n)) => Ok(Value::Float(round_float(*f, n))),
        (other, _) => Err(type_error(format!(
            "type {} doesn't define __round__ method",
            type_name(other)
        ))),
    }
}

/// `round(f, n)` correctly rounded (half to even on the exact binary value),
/// as Python does it through its decimal conversion.
fn round_float(f: f64, n: i64) -> f64 {
    if !f.is_finite() || f == 0.0 || n > 330 {
        return f;
    }
    if n >= 0 {
        let s = format!("{:.*}", n as usize, f);
        return s.parse().unwrap_or(f);
    }
    let k = (-n) as usize;
    // Below 1 nothing rounds up to a multiple of 10^k (k >= 1). At or above
    // it, 60 decimals hold a double's whole exact expansion.
    if libm::fabs(f) < 1.0 || k > 330 {
        return libm::copysign(0.0, f);
    }
    let exact = format!("{:.60}", libm::fabs(f));
    let (int_part, frac) = exact.split_once('.').unwrap_or((&exact, ""));
    let (head, tail) = if int_part.len() > k {
        int_part.split_at(int_part.len() - k)
    } else {
        ("", int_part)
    };
    let tail = format!("{:0>k$}", tail);
    let first = tail.as_bytes()[0];
    let rest_zero = tail[1..].bytes().all(|b| b == b'0') && frac.bytes().all(|b| b == b'0');
    let odd = head.bytes().last().is_some_and(|b| (b - b'0') % 2 == 1);
    let up = first > b'5' || (first == b'5' && (!rest_zero || odd));
    let mut digits: Vec<u8> = if head.is_empty() {
        vec![b'0']
    } else {
        head.bytes().collect()
    };
    if up {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let text = format!("{}e{k}", String::from_utf8_lossy(&digits));
    libm::copysign(text.parse().unwrap_or(f), f)
}

/// Calls a type: `int("3")`, `list(range(3))`, `ValueError("msg")` (makes an
/// error value), `type(x)`. Tasklet and channel types go to the host instead.
pub fn call_type(
    tag: TypeTag,
    args: Vec<Value>,
    kwargs: KwArgs,
    cx: &mut Cx,
) -> Result<Value, Value> {
    charge(cx, args.len() as u64);
    match tag {
        TypeTag::Int => convert::to_int(args, kwargs),
        TypeTag::Float => convert::to_float(args, kwargs),
        TypeTag::Str => {
            take_kwargs("str", kwargs, &[])?;
            arity("str", &args, 0, 1)?;
            Ok(match args.first() {
                None => Value::str(""),
                Some(v @ Value::Str(_)) => v.clone(),
                Some(v) => Value::str(format::str(v, cx)),
            })
        }
        TypeTag::Bool => {
            take_kwargs("bool", kwargs, &[])?;
            arity("bool", &args, 0, 1)?;
            Ok(Value::Bool(args.first().is_some_and(ops::truthy)))
        }
        TypeTag::List => {
            take_kwargs("list", kwargs, &[])?;
            arity("list", &args, 0, 1)?;
            match args.first() {
                None => Ok(Value::list(Vec::new())),
                Some(v @ Value::List(_)) => Ok(v.clone()),
                Some(v) => {
                    let items = ops::iter_items(v, cx)?;
                    charge(cx, items.len() as u64);
                    let l = Value::list(items);
                    crate::errors::check_size(l.size(), cx.limits.size_limit)?;
                    Ok(l)
                }
            }
        }
        TypeTag::Dict => convert::to_dict(args, kwargs, cx),
        TypeTag::Range => {
            take_kwargs("range", kwargs, &[])?;
            arity("range", &args, 1, 3)?;
            let n: Vec<i64> = args.iter().map(int_arg).collect::<Result<_, _>>()?;
            let (start, stop, step) = match n.as_slice() {
                [stop] => (0, *stop, 1),
                [start, stop] => (*start, *stop, 1),
                [start, stop, step] => (*start, *stop, *step),
                _ => (0, 0, 1),
            };
            if step == 0 {
                return Err(value_error("range() arg 3 must not be zero"));
            }
            Ok(Value::Range(Arc::new(crate::value::RangeObj {
                start,
                stop,
                step,
            })))
        }
        TypeTag::Type => {
            take_kwargs("type", kwargs, &[])?;
            if args.len() != 1 {
                return Err(type_error("type() takes 1 or 3 arguments"));
            }
            Ok(Value::Type(format::type_of(&args[0])))
        }
        TypeTag::Kind(kind) => {
            take_kwargs(kind.name(), kwargs, &[])?;
            Ok(Value::Error(Arc::new(crate::value::ErrorObj {
                kind,
                args,
                traceback: Vec::new(),
            })))
        }
        TypeTag::Tasklet | TypeTag::Channel => match cx.host.construct(tag, args, kwargs) {
            HostResult::Return(v) => Ok(v),
            HostResult::Raise(e) => Err(e),
            HostResult::Suspend | HostResult::IterEnd => {
                Err(crate::errors::runtime_error("a constructor cannot suspend"))
            }
        },
        other => Err(type_error(format!(
            "cannot create '{}' instances",
            format::tag_name(other)
        ))),
    }
}

#[cfg(test)]
mod tests;
