//! Printing values as Python does: `str`, `repr`, shortest round-trip floats,
//! the format-spec mini-language and printf-style `%`.
//!
//! Walking a value uses an explicit job stack, so a 100 000-deep list prints
//! without recursing on the host stack.

pub mod float;
pub mod percent;
mod printable;
mod repr;
pub mod spec;
pub mod strformat;

pub use float::float_repr;
pub use percent::percent;
pub use repr::{repr, str, str_repr};
pub use spec::format_spec;

pub use crate::names::{builtin_name, tag_name, type_name, type_of};

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests;
