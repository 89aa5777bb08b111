//! Builtins over sequences: `min`, `max`, `sum`, `any`, `all`, `sorted`,
//! `reversed`, `enumerate`, `zip` and the hidden `key=` helpers. Sorting is
//! a stable merge sort driven by Python's `<`, so a comparison error is a
//! script error rather than a panic, whatever the values.

use skein_script::bytecode::{BinOp, CmpOp};

use crate::args::{arity, int_arg, take_kwargs};
use crate::context::Cx;
use crate::errors::{check_size, type_error, value_error};
use crate::host::KwArgs;
use crate::ops::{self, charge, items_of, truthy};
use crate::value::Value;

fn iterable(v: &Value, cx: &Cx) -> Result<Vec<Value>, Value> {
    ops::iter_items(v, cx)
}

fn made(v: Value, cx: &mut Cx) -> Result<Value, Value> {
    check_size(v.size(), cx.limits.size_limit)?;
    Ok(v)
}

pub(super) fn call(
    name: &str,
    args: Vec<Value>,
    kwargs: KwArgs,
    cx: &mut Cx,
) -> Result<Value, Value> {
    match name {
        "min" | "max" => {
            let kw = take_kwargs(name, kwargs, &["key", "default"])?;
            if kw[1].is_some() && args.len() > 1 {
                return Err(type_error(format!(
                    "Cannot specify a default for {name}() with multiple positional arguments"
                )));
            }
            if kw[0].as_ref().is_some_and(|k| *k != Value::None) {
                return Err(type_error(format!("{name}() key= needs a function call")));
            }
            let items = match args.len() {
                0 => {
                    return Err(type_error(format!(
                        "{name} expected at least 1 argument, got 0"
                    )));
                }
                1 => iterable(&args[0], cx)?,
                _ => args,
            };
            charge(cx, items.len() as u64);
            if let (true, Some(dflt)) = (items.is_empty(), &kw[1]) {
                return Ok(dflt.clone());
            }
            let i = extreme(&items, &items, name == "max", name)?;
            Ok(items[i].clone())
        }
        "__min_by_keys" | "__max_by_keys" => {
            arity(name, &args, 2, 2)?;
            let is_max = name == "__max_by_keys";
            let (items, keys) = (iterable(&args[0], cx)?, iterable(&args[1], cx)?);
            charge(cx, items.len() as u64);
            let shown = if is_max { "max" } else { "min" };
            let i = extreme(&items, &keys, is_max, shown)?;
            Ok(items[i].clone())
        }
        "sum" => {
            let kw = take_kwargs(name, kwargs, &["start"])?;
            arity(name, &args, 1, 2)?;
            if args.len() == 2 && kw[0].is_some() {
                return Err(type_error(
                    "argument for sum() given by name ('start') and position (2)",
                ));
            }
            let start = args
                .get(1)
                .cloned()
                .or_else(|| kw[0].clone())
                .unwrap_or(Value::Int(0));
            if let Value::Str(_) = start {
                return Err(type_error(
                    "sum() can't sum strings [use ''.join(seq) instead]",
                ));
            }
            let items = iterable(&args[0], cx)?;
            charge(cx, items.len() as u64);
            let mut acc = start;
            for item in &items {
                acc = ops::binary(BinOp::Add, &acc, item, cx)?;
            }
            Ok(acc)
        }
        "any" | "all" => {
            take_kwargs(name, kwargs, &[])?;
            arity(name, &args, 1, 1)?;
            let items = iterable(&args[0], cx)?;
            let want = name == "any";
            let mut touched = 0;
            let mut found = !want;
            for item in &items {
                touched += 1;
                if truthy(item) == want {
                    found = want;
                    break;
                }
            }
            charge(cx, touched);
            Ok(Value::Bool(found))
        }
        "sorted" => {
            let kw = take_kwargs(name, kwargs, &["key", "reverse"])?;
            arity(name, &args, 1, 1)?;
            if kw[0].as_ref().is_some_and(|k| *k != Value::None) {
                return Err(type_error("sorted() key= needs a function call"));
            }
            let reverse = kw[1].as_ref().is_some_and(truthy);
            let items = iterable(&args[0], cx)?;
            let sorted = sort_values(items, reverse, cx)?;
            Ok(Value::list(sorted))
        }
        "__sort_by_keys" => {
            arity(name, &args, 2, 3)?;
            let items = iterable(&args[0], cx)?;
            let keys = iterable(&args[1], cx)?;
            if keys.len() != items.len() {
                return Err(value_error(
                    "__sort_by_keys: keys and items differ in length",
                ));
            }
            let reverse = args.get(2).is_some_and(truthy);
            let order = stable_sort_by_keys(&keys, reverse, cx)?;
            Ok(Value::list(
                order.into_iter().map(|i| items[i].clone()).collect(),
            ))
        }
        "reversed" => {
            take_kwargs(name, kwargs, &[])?;
            arity(name, &args, 1, 1)?;
            ops::check_len(&args[0], cx)?;
            let mut items = items_of(&args[0]).ok_or_else(|| {
                type_error(format!(
                    "'{}' object is not reversible",
                    crate::format::type_name(&args[0])
                ))
            })?;
            charge(cx, items.len() as u64);
            items.reverse();
            Ok(Value::list(items))
        }
        "enumerate" => {
            let kw = take_kwargs(name, kwargs, &["start"])?;
            arity(name, &args, 1, 2)?;
            let start = match args.get(1).or(kw[0].as_ref()) {
                Some(v) => int_arg(v)?,
                None => 0,
            };
            let items = iterable(&args[0], cx)?;
            charge(cx, items.len() as u64);
            let mut out = Vec::with_capacity(items.len());
            for (i, x) in items.into_iter().enumerate() {
                let n = start
                    .checked_add(i as i64)
                    .ok_or_else(crate::errors::int_overflow)?;
                out.push(Value::list(vec![Value::Int(n), x]));
            }
            made(Value::list(out), cx)
        }
        "zip" => {
            take_kwargs(name, kwargs, &[])?;
            let seqs: Vec<Vec<Value>> = args
                .iter()
                .map(|a| iterable(a, cx))
                .collect::<Result<_, _>>()?;
            let n = seqs.iter().map(Vec::len).min().unwrap_or(0);
            charge(cx, (n * seqs.len()) as u64);
            let out = (0..n)
                .map(|i| Value::list(seqs.iter().map(|s| s[i].clone()).collect()))
                .collect();
            made(Value::list(out), cx)
        }
        other => Err(type_error(format!("unknown builtin {other}"))),
    }
}

/// The index of the first minimal (or, with `is_max`, maximal) key, as
/// Python's `min`/`max` pick it.
fn extreme(items: &[Value], keys: &[Value], is_max: bool, name: &str) -> Result<usize, Value> {
    if items.is_empty() || keys.len() != items.len() {
        return Err(value_error(format!("{name}() arg is an empty sequence")));
    }
    let op = if is_max { CmpOp::Gt } else { CmpOp::Lt };
    let mut best = 0;
    for i in 1..keys.len() {
        if ops::compare(op, &keys[i], &keys[best])? == Value::Bool(true) {
            best = i;
        }
    }
    Ok(best)
}

/// `sorted(items, reverse=…)`: stable, by Python's `<`.
pub fn sort_values(items: Vec<Value>, reverse: bool, cx: &mut Cx) -> Result<Vec<Value>, Value> {
    let order = stable_sort_by_keys(&items, reverse, cx)?;
    Ok(order.into_iter().map(|i| items[i].clone()).collect())
}

/// The positions of `keys` in sorted order: a stable bottom-up merge sort
/// using only `<`. `reverse` sorts descending while keeping equal keys in
/// their original order, as Python does (reverse, sort, reverse).
pub fn stable_sort_by_keys(
    keys: &[Value],
    reverse: bool,
    cx: &mut Cx,
) -> Result<Vec<usize>, Value> {
    let n = keys.len();
    let mut idx: Vec<usize> = (0..n).collect();
    if reverse {
        idx.reverse();
    }
    let mut buf = vec![0usize; n];
    let mut width = 1;
    let mut work: u64 = 0;
    while width < n {
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j, mut k) = (lo, mid, lo);
            while i < mid && j < hi {
                work += 1;
                if ops::less_than(&keys[idx[j]], &keys[idx[i]])? {
                    buf[k] = idx[j];
                    j += 1;
                } else {
                    buf[k] = idx[i];
                    i += 1;
                }
                k += 1;
            }
            buf[k..k + (mid - i)].copy_from_slice(&idx[i..mid]);
            k += mid - i;
            buf[k..k + (hi - j)].copy_from_slice(&idx[j..hi]);
            lo = hi;
        }
        std::mem::swap(&mut idx, &mut buf);
        width *= 2;
    }
    charge(cx, work.max(n as u64));
    if reverse {
        idx.reverse();
    }
    Ok(idx)
}
