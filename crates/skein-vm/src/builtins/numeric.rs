//! Numeric builtins of the second round: `divmod`, `pow` (with Python's
//! three-argument modular form, negative exponents included), and `hex`,
//! `oct`, `bin`.

use skein_script::bytecode::BinOp;

use crate::args::{arity, int_arg, take_kwargs};
use crate::context::Cx;
use crate::errors::{type_error, value_error, zero_division};
use crate::format::type_name;
use crate::host::KwArgs;
use crate::ops;
use crate::value::Value;

pub(super) fn call(
    name: &str,
    args: Vec<Value>,
    kwargs: KwArgs,
    cx: &mut Cx,
) -> Result<Value, Value> {
    match name {
        "divmod" => {
            take_kwargs(name, kwargs, &[])?;
            arity(name, &args, 2, 2)?;
            divmod(&args[0], &args[1], cx)
        }
        "pow" => {
            let kw = take_kwargs(name, kwargs, &["base", "exp", "mod"])?;
            let mut slots: Vec<Option<Value>> = args.into_iter().map(Some).collect();
            if slots.len() > 3 {
                return Err(type_error(format!(
                    "pow() takes at most 3 arguments ({} given)",
                    slots.len()
                )));
            }
            slots.resize(3, None);
            for (i, (v, pname)) in kw.into_iter().zip(["base", "exp", "mod"]).enumerate() {
                if let Some(v) = v {
                    if slots[i].is_some() {
                        return Err(type_error(format!(
                            "argument for pow() given by name ('{pname}') and position ({})",
                            i + 1
                        )));
                    }
                    slots[i] = Some(v);
                }
            }
            let need = |i: usize, pname: &str| {
                slots[i].clone().ok_or_else(|| {
                    type_error(format!(
                        "pow() missing required argument '{pname}' (pos {})",
                        i + 1
                    ))
                })
            };
            let (base, exp) = (need(0, "base")?, need(1, "exp")?);
            match &slots[2] {
                None | Some(Value::None) => ops::binary(BinOp::Pow, &base, &exp, cx),
                Some(m) => pow_mod(&base, &exp, m),
            }
        }
        _ => {
            take_kwargs(name, kwargs, &[])?;
            arity(name, &args, 1, 1)?;
            let n = int_arg(&args[0])?;
            let mag = n.unsigned_abs();
            let digits = match name {
                "hex" => format!("0x{mag:x}"),
                "oct" => format!("0o{mag:o}"),
                _ => format!("0b{mag:b}"),
            };
            Ok(Value::str(if n < 0 {
                format!("-{digits}")
            } else {
                digits
            }))
        }
    }
}

fn is_num(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Bool(_) | Value::Float(_))
}

/// `divmod(a, b)`: `[a // b, a % b]` (a list: Skein has no tuples).
fn divmod(a: &Value, b: &Value, cx: &mut Cx) -> Result<Value, Value> {
    if !is_num(a) || !is_num(b) {
        return Err(type_error(format!(
            "unsupported operand type(s) for divmod(): '{}' and '{}'",
            type_name(a),
            type_name(b)
        )));
    }
    let float = matches!(a, Value::Float(_)) || matches!(b, Value::Float(_));
    let zero = match b {
        Value::Float(f) => *f == 0.0,
        other => matches!(other, Value::Int(0) | Value::Bool(false)),
    };
    if float && zero {
        return Err(zero_division("float divmod()"));
    }
    let q = ops::binary(BinOp::FloorDiv, a, b, cx)?;
    let r = ops::binary(BinOp::Mod, a, b, cx)?;
    Ok(Value::list(vec![q, r]))
}

/// `pow(base, exp, mod)` on ints: `base ** exp % mod`, the result taking the
/// sign of `mod`; a negative `exp` uses the inverse of `base` modulo `mod`.
fn pow_mod(base: &Value, exp: &Value, m: &Value) -> Result<Value, Value> {
    let ints = [base, exp, m]
        .iter()
        .all(|v| matches!(v, Value::Int(_) | Value::Bool(_)));
    if !ints {
        if ![base, exp, m].iter().all(|v| is_num(v)) {
            return Err(type_error(format!(
                "unsupported operand type(s) for ** or pow(): '{}', '{}', '{}'",
                type_name(base),
                type_name(exp),
                type_name(m)
            )));
        }
        return Err(type_error(
            "pow() 3rd argument not allowed unless all arguments are integers",
        ));
    }
    let (b, e, m) = (int_arg(base)?, int_arg(exp)?, int_arg(m)?);
    if m == 0 {
        return Err(value_error("pow() 3rd argument cannot be 0"));
    }
    let modulus = (m as i128).abs();
    let mut b = (b as i128).rem_euclid(modulus);
    if e < 0 {
        b = inverse(b, modulus)
            .ok_or_else(|| value_error("base is not invertible for the given modulus"))?;
    }
    let mut e = e.unsigned_abs();
    let mut acc: i128 = 1 % modulus;
    while e > 0 {
        if e & 1 == 1 {
            acc = acc * b % modulus;
        }
        b = b * b % modulus;
        e >>= 1;
    }
    // Python's result has the modulus's sign.
    if m < 0 && acc != 0 {
        acc -= modulus;
    }
    Ok(Value::Int(acc as i64))
}

/// The inverse of `a` modulo `m` (both non-negative, `m` > 0), if any.
fn inverse(a: i128, m: i128) -> Option<i128> {
    let (mut r0, mut r1) = (m, a);
    let (mut t0, mut t1) = (0i128, 1i128);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (t0, t1) = (t1, t0 - q * t1);
    }
    (r0 == 1).then(|| t0.rem_euclid(m))
}
