//! The Skein VM: values, fibers whose entire state is serde data, and
//! [`step`], which runs a fiber for a given amount of fuel. No ECS here: the
//! world crate drives fibers through the [`Host`] trait.

#![warn(missing_docs)]

pub mod args;
pub mod builtins;
pub mod context;
pub mod errors;
pub mod fiber;
pub mod format;
pub mod globals;
pub mod host;
pub mod interp;
pub mod kind;
pub mod machine;
pub mod mathmod;
pub mod method_id;
pub mod methods;
pub mod names;
pub mod num;
pub mod ops;
pub mod traceback;
pub mod value;

pub use context::{Cx, Limits, Vm};
pub use fiber::{Cont, Fiber, FiberState, Frame, Frames, Handler, Step};
pub use globals::{Globals, ImportState, ModuleGlobals};
pub use host::{Host, HostResult, KwArgs};
pub use interp::step;
pub use kind::Kind;
pub use machine::{BufferHost, Machine, MachineState};
pub use value::{ErrorObj, ModRef, TraceEntry, TypeTag, Value};
