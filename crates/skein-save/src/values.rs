//! Script values as saves write them: [`ValueRec`].
//!
//! A value is written inline up to a modest height; a part that is too tall,
//! or big enough to be worth sharing, goes to the body's flat value table and
//! is written once, as `Ref(i)`, however many places hold it. Which parts go
//! there is decided by content alone (height and size, then a canonical
//! encoding to find equal parts), never by memory address, so the bytes of a
//! save never depend on the history of the world. Table entry `i` refers only
//! to entries below `i`, so the table is read front to back with no cycles.
//!
//! Tasklets and channels are written as record ids, functions and natives by
//! module and name, builtins and modules by name, errors as kind, arguments
//! and traceback.

mod bytes;
mod decode;
mod encode;
mod rec;

pub(crate) use bytes::Strs;
pub use decode::{Decoder, Place, Resolve};
pub use encode::{EncodeRefs, Encoder};
pub use rec::{
    ErrorRec, INLINE_HEIGHT, IterRec, MAX_INLINE_DEPTH, SHARE_SIZE, TraceRec, ValueRec, shape,
};

#[cfg(test)]
mod tests;
