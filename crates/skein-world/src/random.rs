//! Module `random`: the world's one ChaCha8 generator and Skein's own,
//! version-stable sequences drawn from it (docs/language.md, "The world").

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::Rng;
use skein_vm::{KwArgs, Value, errors};

use crate::host_args::check_args;

/// `random()`: 53 random bits scaled into [0, 1).
pub fn random(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// An unbiased draw in `[0, span)`, `span` in 1..=2^64: rejection sampling
/// on `next_u64` against the largest multiple of `span` that fits.
pub fn below(rng: &mut ChaCha8Rng, span: u128) -> u128 {
    let range = 1u128 << 64;
    let zone = range / span * span;
    loop {
        let x = rng.next_u64() as u128;
        if x < zone {
            return x % span;
        }
    }
}

/// `randint(a, b)`, inclusive.
pub fn randint(rng: &mut ChaCha8Rng, a: i64, b: i64) -> Result<i64, Value> {
    if a > b {
        let stop = b as i128 + 1;
        return Err(errors::value_error(format!(
            "empty range for randrange() ({a}, {stop}, {})",
            stop - a as i128
        )));
    }
    let span = (b as i128 - a as i128 + 1) as u128;
    Ok((a as i128 + below(rng, span) as i128) as i64)
}

fn int_arg(v: &Value, name: &str) -> Result<i64, Value> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        other => Err(errors::type_error(format!(
            "{name}() arguments must be int, not '{}'",
            skein_vm::format::type_name(other)
        ))),
    }
}

/// Calls function `which` (0 random, 1 randint, 2 choice, 3 shuffle).
pub fn call(
    rng: &mut ChaCha8Rng,
    which: u32,
    args: &[Value],
    kwargs: &KwArgs,
) -> Result<Value, Value> {
    match which {
        0 => {
            check_args("random", args, kwargs, 0, 0)?;
            Ok(Value::Float(random(rng)))
        }
        1 => {
            check_args("randint", args, kwargs, 2, 2)?;
            let a = int_arg(&args[0], "randint")?;
            let b = int_arg(&args[1], "randint")?;
            randint(rng, a, b).map(Value::Int)
        }
        2 => {
            check_args("choice", args, kwargs, 1, 1)?;
            choice(rng, &args[0])
        }
        _ => {
            check_args("shuffle", args, kwargs, 1, 1)?;
            let Value::List(list) = &args[0] else {
                return Err(errors::type_error(format!(
                    "shuffle() argument must be a list, not '{}'",
                    skein_vm::format::type_name(&args[0])
                )));
            };
            let mut items = list.items.clone();
            for i in (1..items.len()).rev() {
                let j = below(rng, i as u128 + 1) as usize;
                items.swap(i, j);
            }
            Ok(Value::list(items))
        }
    }
}

fn choice(rng: &mut ChaCha8Rng, seq: &Value) -> Result<Value, Value> {
    let empty = || errors::index_error("Cannot choose from an empty sequence");
    match seq {
        Value::List(l) => {
            if l.items.is_empty() {
                return Err(empty());
            }
            let i = below(rng, l.items.len() as u128) as usize;
            Ok(l.items[i].clone())
        }
        Value::Str(s) => {
            let n = s.chars().count();
            if n == 0 {
                return Err(empty());
            }
            let i = below(rng, n as u128) as usize;
            Ok(Value::str(
                s.chars().nth(i).map(String::from).unwrap_or_default(),
            ))
        }
        Value::Range(r) => {
            let n = skein_vm::ops::range_len(r);
            if n == 0 {
                return Err(empty());
            }
            let i = below(rng, n as u128) as u64;
            Ok(Value::Int(skein_vm::ops::range_item(r, i)))
        }
        other => Err(errors::type_error(format!(
            "object of type '{}' has no len()",
            skein_vm::format::type_name(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn randint_stays_in_range_and_is_reproducible() {
        let mut a = ChaCha8Rng::seed_from_u64(7);
        let mut b = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..1000 {
            let x = randint(&mut a, -3, 5).unwrap();
            assert!((-3..=5).contains(&x));
            assert_eq!(x, randint(&mut b, -3, 5).unwrap());
        }
        assert_eq!(randint(&mut a, 4, 4).unwrap(), 4);
        assert!(randint(&mut a, i64::MIN, i64::MAX).is_ok());
        assert!(randint(&mut a, 2, 1).is_err());
    }

    #[test]
    fn random_is_in_unit_interval() {
        let mut r = ChaCha8Rng::seed_from_u64(0);
        for _ in 0..1000 {
            let x = random(&mut r);
            assert!((0.0..1.0).contains(&x));
        }
    }
}
