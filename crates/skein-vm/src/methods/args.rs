//! The argument checks of methods, whose messages name the method as
//! `type.name` where CPython does.

use crate::host::KwArgs;
use crate::value::Value;

/// A method that takes no keyword arguments got none; the message, when it
/// got some, names it as `ty.name`.
pub(crate) fn no_kwargs(ty: &str, name: &str, kwargs: KwArgs) -> Result<(), Value> {
    if kwargs.is_empty() {
        return Ok(());
    }
    crate::args::take_kwargs(&format!("{ty}.{name}"), kwargs, &[]).map(drop)
}

/// Python's arity messages for methods: `list.append() takes exactly one
/// argument (0 given)` for fixed counts, `pop expected at most 1 argument,
/// got 2` for ranges.
pub(crate) fn arity(
    ty: &str,
    name: &str,
    args: &[Value],
    min: usize,
    max: usize,
) -> Result<(), Value> {
    // Formatting the name only for the message keeps a good call free of
    // allocation.
    if (min..=max).contains(&args.len()) {
        return Ok(());
    }
    if min == max && min <= 1 {
        crate::args::arity(&format!("{ty}.{name}"), args, min, max)
    } else {
        crate::args::arity(name, args, min, max)
    }
}
