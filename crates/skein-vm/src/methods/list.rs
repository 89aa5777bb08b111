//! List methods.

use std::sync::Arc;

use super::args::{arity, no_kwargs};
use crate::args::{int_arg, take_kwargs};
use crate::builtins::sort_values;
use crate::context::Cx;
use crate::errors::{attribute_error, check_size, index_error, type_error, value_error};
use crate::format::repr;
use crate::host::KwArgs;
use crate::ops::{charge, truthy, values_equal};
use crate::value::{List, Value};

pub(super) const METHODS: &[&str] = &[
    "append", "pop", "insert", "remove", "index", "extend", "reverse", "sort", "count", "clear",
    "copy",
];

pub(super) fn call(
    recv: &mut Value,
    name: &str,
    args: Vec<Value>,
    kwargs: KwArgs,
    cx: &mut Cx,
) -> Result<Value, Value> {
    let Value::List(list) = recv else {
        return Err(attribute_error(recv, name));
    };
    if name != "sort" {
        no_kwargs("list", name, kwargs.clone())?;
    }
    let limit = cx.limits.size_limit;
    match name {
        "append" => {
            arity("list", name, &args, 1, 1)?;
            check_size(list.size.saturating_add(1 + args[0].size()), limit)?;
            let x = args.into_iter().next().unwrap_or(Value::None);
            Arc::make_mut(list).push(x);
            Ok(Value::None)
        }
        "insert" => {
            arity("list", name, &args, 2, 2)?;
            let i = int_arg(&args[0])?;
            check_size(list.size.saturating_add(1 + args[1].size()), limit)?;
            let len = list.items.len() as i64;
            let pos = if i < 0 { (i + len).max(0) } else { i.min(len) };
            let x = args.into_iter().nth(1).unwrap_or(Value::None);
            Arc::make_mut(list).insert(pos as usize, x);
            Ok(Value::None)
        }
        "pop" => {
            arity("list", name, &args, 0, 1)?;
            let i = match args.first() {
                Some(v) => int_arg(v)?,
                None => -1,
            };
            if list.items.is_empty() {
                return Err(index_error("pop from empty list"));
            }
            let pos = crate::ops::norm_index(i, list.items.len())
                .ok_or_else(|| index_error("pop index out of range"))?;
            charge(cx, (list.items.len() - pos) as u64);
            Ok(Arc::make_mut(list).remove(pos))
        }
        "remove" => {
            arity("list", name, &args, 1, 1)?;
            let pos = list.items.iter().position(|x| values_equal(x, &args[0]));
            charge(cx, pos.map_or(list.items.len(), |p| p + 1) as u64);
            let pos = pos.ok_or_else(|| value_error("list.remove(x): x not in list"))?;
            Arc::make_mut(list).remove(pos);
            Ok(Value::None)
        }
        "index" => {
            arity("list", name, &args, 1, 3)?;
            let len = list.items.len();
            let bound = |v: Option<&Value>, dflt: usize| -> Result<usize, Value> {
                Ok(match v {
                    None => dflt,
                    Some(v) => {
                        let i = int_arg(v)?;
                        let i = if i < 0 { i + len as i64 } else { i };
                        i.clamp(0, len as i64) as usize
                    }
                })
            };
            let (lo, hi) = (bound(args.get(1), 0)?, bound(args.get(2), len)?);
            let found = (lo..hi.max(lo)).find(|&i| values_equal(&list.items[i], &args[0]));
            charge(
                cx,
                found.map_or(hi.saturating_sub(lo), |p| p + 1 - lo) as u64,
            );
            match found {
                Some(p) => Ok(Value::Int(p as i64)),
                None => Err(value_error(format!(
                    "{} is not in list",
                    repr(&args[0], cx)
                ))),
            }
        }
        "count" => {
            arity("list", name, &args, 1, 1)?;
            charge(cx, list.items.len() as u64);
            let n = list
                .items
                .iter()
                .filter(|x| values_equal(x, &args[0]))
                .count();
            Ok(Value::Int(n as i64))
        }
        "extend" => {
            arity("list", name, &args, 1, 1)?;
            let items = crate::ops::iter_items(&args[0], cx)?;
            let add = List::new(items);
            check_size(list.size.saturating_add(add.size), limit)?;
            charge(cx, add.items.len() as u64);
            let l = Arc::make_mut(list);
            l.size += add.size;
            let mut add = add;
            l.items.append(&mut add.items);
            Ok(Value::None)
        }
        "reverse" => {
            arity("list", name, &args, 0, 0)?;
            charge(cx, list.items.len() as u64);
            Arc::make_mut(list).items.reverse();
            Ok(Value::None)
        }
        "sort" => {
            if !args.is_empty() {
                return Err(type_error("sort() takes no positional arguments"));
            }
            let kw = take_kwargs("sort", kwargs, &["key", "reverse"])?;
            if kw[0].as_ref().is_some_and(|k| *k != Value::None) {
                return Err(type_error("sort() key= needs a function call"));
            }
            let reverse = kw[1].as_ref().is_some_and(truthy);
            let sorted = sort_values(list.items.clone(), reverse, cx)?;
            Arc::make_mut(list).items = sorted;
            Ok(Value::None)
        }
        "clear" => {
            arity("list", name, &args, 0, 0)?;
            charge(cx, list.items.len() as u64);
            *list = Arc::new(List::default());
            Ok(Value::None)
        }
        "copy" => {
            arity("list", name, &args, 0, 0)?;
            Ok(Value::List(list.clone()))
        }
        _ => Err(attribute_error(&Value::List(list.clone()), name)),
    }
}
