//! The `math` functions of the second round: trigonometric and hyperbolic
//! functions, logarithms in other bases, `pow`, the integer functions
//! (`gcd`, `factorial`, `comb` …), the predicates, and the sums (`prod`,
//! a correctly rounded `fsum`). Floats go through the `libm` crate (or the
//! double-double code beside this file), never the host's libm, so results
//! are the same on every machine; errors are CPython's.

use super::checks::{checked, domain, real};
use super::refined;
use crate::args::{arity, int_arg, take_kwargs};
use crate::context::Cx;
use crate::errors::{int_overflow, overflow, type_error, value_error};
use crate::host::KwArgs;
use crate::num::float_to_int;
use crate::ops::{self, charge};
use crate::value::Value;

/// A function of this module; `None` when `name` is not one of them.
pub(super) fn call(
    name: &str,
    args: &[Value],
    kwargs: KwArgs,
    cx: &mut Cx,
) -> Option<Result<Value, Value>> {
    let r = match name {
        "isclose" => isclose(args, kwargs),
        "prod" => prod(args, kwargs, cx),
        _ if kwargs.is_empty() => plain(name, args, cx)?,
        _ => match take_kwargs(&format!("math.{name}"), kwargs, &[]) {
            Err(e) => Err(e),
            Ok(_) => plain(name, args, cx)?,
        },
    };
    Some(r)
}

fn one(name: &str, args: &[Value]) -> Result<f64, Value> {
    if args.len() != 1 {
        arity(&format!("math.{name}"), args, 1, 1)?;
    }
    real(&args[0])
}

fn two(name: &str, args: &[Value]) -> Result<(f64, f64), Value> {
    arity(name, args, 2, 2)?;
    Ok((real(&args[0])?, real(&args[1])?))
}

/// The functions without keyword arguments.
fn plain(name: &str, args: &[Value], cx: &mut Cx) -> Option<Result<Value, Value>> {
    let unary = |f: fn(f64) -> f64, overflows: bool| -> Result<Value, Value> {
        let x = one(name, args)?;
        checked(x, f(x), overflows)
    };
    let r = match name {
        "tan" => unary(refined::tan, false),
        "asin" => unary(refined::asin, false),
        "acos" => unary(refined::acos, false),
        "atan" => unary(refined::atan, false),
        "sinh" => unary(libm::sinh, true),
        "cosh" => unary(libm::cosh, true),
        "tanh" => unary(libm::tanh, false),
        "log2" | "log10" => one(name, args).and_then(|x| {
            if x.is_nan() || x == f64::INFINITY {
                return Ok(Value::Float(x));
            }
            if x <= 0.0 {
                return Err(domain());
            }
            Ok(Value::Float(if name == "log2" {
                refined::log2(x)
            } else {
                refined::log10(x)
            }))
        }),
        "fabs" => one(name, args).map(|x| Value::Float(libm::fabs(x))),
        "degrees" => one(name, args).map(|x| Value::Float(x * (180.0 / std::f64::consts::PI))),
        "radians" => one(name, args).map(|x| Value::Float(x * (std::f64::consts::PI / 180.0))),
        "isfinite" => one(name, args).map(|x| Value::Bool(x.is_finite())),
        "isinf" => one(name, args).map(|x| Value::Bool(x.is_infinite())),
        "isnan" => one(name, args).map(|x| Value::Bool(x.is_nan())),
        "trunc" => arity("math.trunc", args, 1, 1).and_then(|_| match &args[0] {
            Value::Int(i) => Ok(Value::Int(*i)),
            Value::Bool(b) => Ok(Value::Int(*b as i64)),
            Value::Float(f) => float_to_int(libm::trunc(*f)),
            other => Err(type_error(format!(
                "type {} doesn't define __trunc__ method",
                crate::format::type_name(other)
            ))),
        }),
        "pow" => two(name, args).and_then(|(x, y)| pow(x, y)),
        "fmod" => two(name, args).and_then(|(x, y)| {
            let r = libm::fmod(x, y);
            if r.is_nan() && !x.is_nan() && !y.is_nan() {
                return Err(domain());
            }
            Ok(Value::Float(r))
        }),
        "copysign" => two(name, args).map(|(x, y)| Value::Float(libm::copysign(x, y))),
        "gcd" | "lcm" => gcd_lcm(name, args, cx),
        "factorial" => factorial(args),
        "comb" | "perm" => comb_perm(name, args),
        "dist" => dist(args, cx),
        "fsum" => arity("fsum", args, 1, 1)
            .and_then(|_| ops::iter_items(&args[0], cx))
            .and_then(|items| {
                charge(cx, items.len() as u64);
                fsum(&items)
            }),
        _ => return None,
    };
    Some(r)
}

/// `math.pow`: C99's special cases (which CPython follows) for non-finite
/// operands; otherwise the double-double `pow` of `**`, with CPython's errors.
fn pow(x: f64, y: f64) -> Result<Value, Value> {
    if !x.is_finite() || !y.is_finite() {
        return Ok(Value::Float(libm::pow(x, y)));
    }
    let r = super::dd::pow(x, y);
    if r.is_nan() || (r.is_infinite() && x == 0.0) {
        return Err(domain());
    }
    if r.is_infinite() {
        return Err(overflow("math range error"));
    }
    Ok(Value::Float(r))
}

/// An int argument of the integer functions: floats are a `TypeError`.
fn int_of(v: &Value) -> Result<i64, Value> {
    int_arg(v)
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

fn gcd_lcm(name: &str, args: &[Value], cx: &mut Cx) -> Result<Value, Value> {
    charge(cx, args.len() as u64);
    let mut acc: i128 = if name == "gcd" { 0 } else { 1 };
    for a in args {
        let n = int_of(a)? as i128;
        acc = if name == "gcd" {
            gcd(acc, n)
        } else if acc == 0 || n == 0 {
            0
        } else {
            (acc / gcd(acc, n) * n).abs()
        };
        if acc > i64::MAX as i128 {
            return Err(int_overflow());
        }
    }
    Ok(Value::Int(acc as i64))
}

fn factorial(args: &[Value]) -> Result<Value, Value> {
    arity("math.factorial", args, 1, 1)?;
    let n = int_of(&args[0])?;
    if n < 0 {
        return Err(value_error("factorial() not defined for negative values"));
    }
    let mut acc: i64 = 1;
    for k in 2..=n {
        acc = acc.checked_mul(k).ok_or_else(int_overflow)?;
    }
    Ok(Value::Int(acc))
}

/// `comb(n, k)` and `perm(n[, k])`, exact in 64-bit ints (overflow is an
/// `OverflowError`, as all Skein int overflow is).
fn comb_perm(name: &str, args: &[Value]) -> Result<Value, Value> {
    if name == "comb" {
        arity("comb", args, 2, 2)?;
    } else {
        arity("perm", args, 1, 2)?;
    }
    let n = int_of(&args[0])?;
    let k = match args.get(1) {
        None | Some(Value::None) if name == "perm" => n,
        Some(v) => int_of(v)?,
        None => n,
    };
    if n < 0 {
        return Err(value_error(if name == "perm" && args.len() == 1 {
            "factorial() not defined for negative values"
        } else {
            "n must be a non-negative integer"
        }));
    }
    if k < 0 {
        return Err(value_error("k must be a non-negative integer"));
    }
    if k > n {
        return Ok(Value::Int(0));
    }
    let k = if name == "comb" { k.min(n - k) } else { k };
    // Each partial product of comb is itself a binomial coefficient, so the
    // running value only overflows when a later one would anyway; i128
    // leaves room for the multiply before the divide.
    let mut acc: i128 = 1;
    for i in 0..k as i128 {
        acc *= n as i128 - i;
        if name == "comb" {
            acc /= i + 1;
        }
        if acc > i64::MAX as i128 {
            return Err(int_overflow());
        }
    }
    Ok(Value::Int(acc as i64))
}

/// `isclose(a, b, *, rel_tol=1e-09, abs_tol=0.0)`, as CPython computes it.
fn isclose(args: &[Value], kwargs: KwArgs) -> Result<Value, Value> {
    let kw = take_kwargs("isclose", kwargs, &["rel_tol", "abs_tol"])?;
    if args.len() < 2 {
        let (p, pos) = if args.is_empty() { ("a", 1) } else { ("b", 2) };
        return Err(type_error(format!(
            "isclose() missing required argument '{p}' (pos {pos})"
        )));
    }
    if args.len() > 2 {
        return Err(type_error(format!(
            "isclose() takes exactly 2 positional arguments ({} given)",
            args.len()
        )));
    }
    let (a, b) = (real(&args[0])?, real(&args[1])?);
    let rel = kw[0].as_ref().map_or(Ok(1e-9), real)?;
    let abs = kw[1].as_ref().map_or(Ok(0.0), real)?;
    if rel < 0.0 || abs < 0.0 {
        return Err(value_error("tolerances must be non-negative"));
    }
    if a == b {
        return Ok(Value::Bool(true));
    }
    if a.is_infinite() || b.is_infinite() {
        return Ok(Value::Bool(false));
    }
    let diff = libm::fabs(b - a);
    let close = (diff <= libm::fabs(rel * b)) || (diff <= libm::fabs(rel * a)) || diff <= abs;
    Ok(Value::Bool(close))
}

/// `prod(iterable, *, start=1)`: `*` over the items, from `start`.
fn prod(args: &[Value], kwargs: KwArgs, cx: &mut Cx) -> Result<Value, Value> {
    let kw = take_kwargs("prod", kwargs, &["start"])?;
    if args.len() > 1 {
        return Err(type_error(format!(
            "prod() takes exactly 1 positional argument ({} given)",
            args.len()
        )));
    }
    arity("prod", args, 1, 1)?;
    let items = ops::iter_items(&args[0], cx)?;
    charge(cx, items.len() as u64);
    let mut acc = kw[0].clone().unwrap_or(Value::Int(1));
    for item in &items {
        acc = ops::binary(skein_script::bytecode::BinOp::Mul, &acc, item, cx)?;
    }
    Ok(acc)
}

/// `dist(p, q)`: the Euclidean distance, summed as `hypot` sums.
fn dist(args: &[Value], cx: &mut Cx) -> Result<Value, Value> {
    arity("dist", args, 2, 2)?;
    let point = |v: &Value, i: usize| match v {
        Value::List(l) => Ok(l.items.clone()),
        other => Err(type_error(format!(
            "dist() argument {i} must be tuple, not {}",
            crate::format::type_name(other)
        ))),
    };
    let (p, q) = (point(&args[0], 1)?, point(&args[1], 2)?);
    if p.len() != q.len() {
        return Err(value_error(
            "both points must have the same number of dimensions",
        ));
    }
    charge(cx, p.len() as u64);
    let mut acc = 0.0;
    for (a, b) in p.iter().zip(&q) {
        acc = super::dd::hypot(acc, real(a)? - real(b)?);
    }
    Ok(Value::Float(acc))
}

/// `fsum`: the correctly rounded sum, by Shewchuk's exact partial sums (a
/// list of non-overlapping doubles whose exact sum is the running total),
/// rounded once at the end with the half-way case settled by the next
/// partial, as CPython does it.
pub(super) fn fsum(items: &[Value]) -> Result<Value, Value> {
    let mut partials: Vec<f64> = Vec::new();
    let mut special = 0.0f64;
    let mut inf_sum = 0.0f64;
    for item in items {
        let mut x = real(item)?;
        let original = x;
        let mut kept = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if libm::fabs(x) < libm::fabs(y) {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        partials.truncate(kept);
        if x != 0.0 {
            if !x.is_finite() {
                // A finite item can only make an infinite partial by overflow.
                if original.is_finite() {
                    return Err(overflow("intermediate overflow in fsum"));
                }
                if original.is_infinite() {
                    inf_sum += original;
                }
                special += original;
                partials.clear();
            } else {
                partials.push(x);
            }
        }
    }
    if special != 0.0 {
        if inf_sum.is_nan() {
            return Err(value_error("-inf + inf in fsum"));
        }
        return Ok(Value::Float(special));
    }
    let mut n = partials.len();
    let mut hi = 0.0;
    let mut lo = 0.0;
    if n > 0 {
        n -= 1;
        hi = partials[n];
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = partials[n];
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        // Half-way between two doubles: the next partial says which way.
        if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
    }
    Ok(Value::Float(hi))
}
