//! Operators on values with Python's semantics and messages: arithmetic,
//! comparison, truthiness, indexing, slicing, unpacking, iteration, and
//! writing through a place's key path copy-on-write.
//!
//! Comparison walks lists and dicts with an explicit stack (see [`cmp3`]),
//! so `==` and `<` on a 100 000-deep list never recurse on the host stack.

mod arith;
mod compare;
mod index;
mod inplace;
mod iter;
mod operand;

pub use arith::{binary, float_pow, unary};
pub use compare::{Ord3, cmp3, compare, contains, less_than, values_equal};
pub use index::{
    del_index, index, norm_index, range_item, range_len, slice, slice_indices, store_index,
    with_place,
};
pub use inplace::{add_assign_in_place, append_to_temp, same_container};
pub use iter::{
    check_len, get_iter, items_iter, items_of, iter_items, iter_next, len_of, not_iterable,
    pair_step, unpack, unpack_onto, update_pair,
};

pub use crate::context::charge;
use crate::value::Value;

/// Python truthiness.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::None | Value::Unbound => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::List(l) => !l.items.is_empty(),
        Value::Dict(d) => !d.map.is_empty(),
        Value::Range(r) => range_len(r) > 0,
        _ => true,
    }
}

#[cfg(test)]
mod tests;
