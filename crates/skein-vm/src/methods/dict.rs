//! Dict methods.

use std::sync::Arc;

use super::args::{arity, no_kwargs};
use crate::context::Cx;
use crate::errors::{attribute_error, check_size, key_error};
use crate::host::KwArgs;
use crate::ops::charge;
use crate::value::{Dict, Key, Value};

pub(super) const METHODS: &[&str] = &[
    "keys",
    "values",
    "items",
    "get",
    "pop",
    "setdefault",
    "update",
    "clear",
    "copy",
    "popitem",
    "fromkeys",
];

/// `dict.fromkeys(seq[, value])`: a new dict of `seq`'s items, each
/// mapped to `value` (default `None`), first occurrence keeping its place.
pub fn fromkeys(args: Vec<Value>, cx: &mut Cx) -> Result<Value, Value> {
    crate::args::arity("fromkeys", &args, 1, 2)?;
    let keys = crate::ops::iter_items(&args[0], cx)?;
    charge(cx, keys.len() as u64);
    let v = args.get(1).cloned().unwrap_or(Value::None);
    let mut d = Dict::new();
    for k in keys {
        d.insert(k, v.clone())?;
        check_size(d.size, cx.limits.size_limit)?;
    }
    Ok(Value::dict(d))
}

pub(super) fn call(
    recv: &mut Value,
    name: &str,
    args: Vec<Value>,
    kwargs: KwArgs,
    cx: &mut Cx,
) -> Result<Value, Value> {
    let Value::Dict(d) = recv else {
        return Err(attribute_error(recv, name));
    };
    no_kwargs("dict", name, kwargs)?;
    let limit = cx.limits.size_limit;
    match name {
        "keys" | "values" | "items" => {
            arity("dict", name, &args, 0, 0)?;
            charge(cx, d.len() as u64);
            let items = d
                .map
                .values()
                .map(|(k, v)| match name {
                    "keys" => k.clone(),
                    "values" => v.clone(),
                    _ => Value::list(vec![k.clone(), v.clone()]),
                })
                .collect();
            let l = Value::list(items);
            check_size(l.size(), limit)?;
            Ok(l)
        }
        "get" => {
            arity("dict", name, &args, 1, 2)?;
            let key = Key::from_value(&args[0])?;
            Ok(d.get(&key)
                .cloned()
                .unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::None)))
        }
        "pop" => {
            arity("dict", name, &args, 1, 2)?;
            let key = Key::from_value(&args[0])?;
            if !d.map.contains_key(&key) {
                return match args.get(1) {
                    Some(dflt) => Ok(dflt.clone()),
                    None => Err(key_error(args[0].clone())),
                };
            }
            charge(cx, d.len() as u64);
            Ok(Arc::make_mut(d)
                .remove(&key)
                .map(|(_, v)| v)
                .unwrap_or(Value::None))
        }
        "setdefault" => {
            arity("dict", name, &args, 1, 2)?;
            let key = Key::from_value(&args[0])?;
            if let Some(v) = d.get(&key) {
                return Ok(v.clone());
            }
            let dflt = args.get(1).cloned().unwrap_or(Value::None);
            check_size(
                d.size
                    .saturating_add(1 + args[0].size())
                    .saturating_add(dflt.size()),
                limit,
            )?;
            Arc::make_mut(d).insert_key(key, args[0].clone(), dflt.clone());
            Ok(dflt)
        }
        "update" => {
            arity("dict", name, &args, 0, 1)?;
            let mut pairs: Vec<(Value, Value)> = Vec::new();
            match args.first() {
                None => {}
                Some(Value::Dict(src)) => pairs.extend(src.map.values().cloned()),
                Some(v) => {
                    let items = crate::ops::iter_items(v, cx)?;
                    for (i, p) in items.iter().enumerate() {
                        pairs.push(crate::ops::update_pair(i, p, cx)?);
                    }
                }
            }
            charge(cx, pairs.len() as u64);
            let mut new = (**d).clone();
            for (k, v) in pairs {
                new.insert(k, v)?;
            }
            check_size(new.size, limit)?;
            *d = Arc::new(new);
            Ok(Value::None)
        }
        "clear" => {
            arity("dict", name, &args, 0, 0)?;
            charge(cx, d.len() as u64);
            *d = Arc::new(Dict::new());
            Ok(Value::None)
        }
        "copy" => {
            arity("dict", name, &args, 0, 0)?;
            Ok(Value::Dict(d.clone()))
        }
        "popitem" => {
            arity("dict", name, &args, 0, 0)?;
            let m = Arc::make_mut(d);
            let Some((_, (k, v))) = m.map.pop() else {
                return Err(key_error(Value::str("popitem(): dictionary is empty")));
            };
            m.size = m.size.saturating_sub(1 + k.size() + v.size());
            Ok(Value::list(vec![k, v]))
        }
        "fromkeys" => fromkeys(args, cx),
        _ => Err(attribute_error(&Value::Dict(d.clone()), name)),
    }
}
