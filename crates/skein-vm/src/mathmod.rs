//! The `math` module on a portable software libm (the `libm` crate), so
//! results are bit-identical on every machine. `exp`, `log`, `pow` (also
//! behind `**`), `hypot`, `sin`, `cos` and `atan2` are refined in
//! double-double (`dd.rs`, `trig.rs`) so they round as CPython on glibc does.
//!
//! Math functions are values `Value::Builtin(MATH_BASE + i)`: they print as
//! `<built-in function sqrt>` and `builtins::call` dispatches them here.

mod checks;
pub(crate) mod dd;
mod extra;
mod refined;
pub mod table;
mod trig;

use checks::{checked, domain, real};
pub use table::{MATH_BASE, MATH_FUNCTIONS, function_name};

use crate::value::Value;

/// How many of [`MATH_FUNCTIONS`] this file implements; `extra.rs` has the rest.
const FIRST_ROUND: usize = 9;

/// `math.NAME`: a constant, or a builtin function value.
pub fn attr(name: &str) -> Option<Value> {
    match name {
        "pi" => Some(Value::Float(std::f64::consts::PI)),
        "inf" => Some(Value::Float(f64::INFINITY)),
        "e" => Some(Value::Float(std::f64::consts::E)),
        "tau" => Some(Value::Float(std::f64::consts::TAU)),
        "nan" => Some(Value::Float(f64::NAN)),
        _ => MATH_FUNCTIONS
            .iter()
            .position(|n| *n == name)
            .map(|i| Value::Builtin(MATH_BASE + i as u16)),
    }
}

fn log(x: f64) -> Result<f64, Value> {
    if x.is_nan() || x == f64::INFINITY {
        return Ok(x);
    }
    if x <= 0.0 {
        return Err(domain());
    }
    Ok(dd::log(x))
}

/// Calls math function value `index` (see [`MATH_BASE`]).
pub fn call(
    index: u16,
    args: Vec<Value>,
    kwargs: crate::host::KwArgs,
    cx: &mut crate::context::Cx,
) -> Result<Value, Value> {
    use crate::args::{arity, take_kwargs};
    let name = function_name(index).unwrap_or("?");
    crate::ops::charge(cx, args.len() as u64);
    if !MATH_FUNCTIONS[..FIRST_ROUND].contains(&name) {
        let r = extra::call(name, &args, kwargs, cx);
        return r.unwrap_or_else(|| Err(domain()));
    }
    // The names for messages are built only when there is one to give.
    if !kwargs.is_empty() {
        take_kwargs(&format!("math.{name}"), kwargs, &[])?;
    }
    let (min, max) = match name {
        "hypot" => (0, usize::MAX),
        "atan2" => (2, 2),
        "log" => (1, 2),
        _ => (1, 1),
    };
    if !(min..=max).contains(&args.len()) {
        let shown = if min == 1 && max == 1 {
            format!("math.{name}")
        } else {
            name.to_string()
        };
        arity(&shown, &args, min, max)?;
    }
    let x = match args.first() {
        Some(v) => real(v)?,
        None => 0.0,
    };
    match name {
        "sqrt" => {
            if x < 0.0 {
                return Err(domain());
            }
            Ok(Value::Float(libm::sqrt(x)))
        }
        "floor" | "ceil" => match &args[0] {
            Value::Int(i) => Ok(Value::Int(*i)),
            Value::Bool(b) => Ok(Value::Int(*b as i64)),
            _ => {
                let r = if name == "floor" {
                    libm::floor(x)
                } else {
                    libm::ceil(x)
                };
                crate::num::float_to_int(r)
            }
        },
        "hypot" => {
            let mut acc = 0.0;
            for a in &args {
                acc = dd::hypot(acc, real(a)?);
            }
            Ok(Value::Float(acc))
        }
        "sin" => checked(x, trig::sin(x), false),
        "cos" => checked(x, trig::cos(x), false),
        "atan2" => Ok(Value::Float(trig::atan2(x, real(&args[1])?))),
        "exp" => checked(x, dd::exp(x), true),
        "log" => {
            let lx = log(x)?;
            match args.get(1) {
                None => Ok(Value::Float(lx)),
                Some(b) => {
                    let lb = log(real(b)?)?;
                    if lb == 0.0 {
                        return Err(crate::errors::zero_division("float division by zero"));
                    }
                    Ok(Value::Float(lx / lb))
                }
            }
        }
        _ => Err(crate::errors::attribute_error(
            &Value::Module(crate::value::ModRef::Native(4)),
            name,
        )),
    }
}
