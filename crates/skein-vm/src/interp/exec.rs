//! What the loop's helpers share: [`Exec`] (the code, globals, limits,
//! host and lent frames of one `step`), the `cx!` macro that lends its parts out as a
//! [`Cx`](crate::context::Cx), and [`NullHost`] for code that runs while the
//! real host is lent out.

use skein_script::bytecode::Program;

use crate::context::Limits;
use crate::fiber::Frame;
use crate::globals::Globals;
use crate::host::Host;

/// Everything the loop's helpers share besides the fiber and the fuel.
pub(crate) struct Exec<'a> {
    pub program: &'a Program,
    pub globals: &'a mut Globals,
    pub limits: Limits,
    pub host: &'a mut dyn Host,
    /// Index of the `__prelude__` module, whose frames tracebacks hide.
    pub prelude: Option<u16>,
    /// The running fiber's frames, outermost first, lent to the step
    /// (`Fiber::lend_frames`). The loop reads them directly on its hot
    /// paths (an accessor there cost fib 4% more instructions).
    pub frames: Vec<Frame>,
}

/// A [`Cx`] borrowing the parts of an [`Exec`] it needs, leaving its globals free.
macro_rules! cx {
    ($ex:expr, $fuel:expr) => {
        $crate::context::Cx {
            program: $ex.program,
            host: &mut *$ex.host,
            limits: $ex.limits,
            fuel: &mut *$fuel,
        }
    };
}
pub(crate) use cx;

/// A host for values code that runs while the real host is lent out
/// (`Host::with_attr_mut`): it prints nothing and describes by id.
pub struct NullHost;

impl Host for NullHost {
    fn print(&mut self, _text: &str) {}
}
