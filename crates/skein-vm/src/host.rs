//! The boundary between the VM and whatever runs it: the world crate in a
//! game, a plain buffer in tests. The VM asks the host for everything that is
//! not pure computation on values: output, tasklets, channels, natives and
//! the built-in modules other than `math`.

use crate::value::{ModRef, Value};

/// Keyword arguments as passed: names in call order with their values.
pub type KwArgs = Vec<(std::sync::Arc<str>, Value)>;

/// What a host call did.
#[derive(Debug, Clone)]
pub enum HostResult {
    /// The call finished with this value; the fiber goes on.
    Return(Value),
    /// The call raised this error (a `Value::Error`, or a kind) in the fiber.
    Raise(Value),
    /// The fiber must stop here (it blocked, yielded or switched away). The
    /// host later resumes it with `Fiber::resume_value`, `Fiber::resume_error`
    /// or, for a `for` over a channel, `Fiber::resume_iter_end`.
    Suspend,
    /// Only from `channel_next`: the channel is closing and no sender waits,
    /// so the `for` loop ends now.
    IterEnd,
}

/// Services the VM needs from its host. Every method has a default so a
/// minimal host (tests, `skein run` of a script without tasklets) only
/// implements `print`.
pub trait Host {
    /// Writes script output (`print`) exactly as given.
    fn print(&mut self, text: &str);

    /// `module.attr` on a native module (`stackless`, `random`, `sim`,
    /// `pickle`, host modules). `None` is an `AttributeError`.
    fn module_attr(&mut self, module: ModRef, name: &str) -> Option<Value> {
        let _ = (module, name);
        None
    }

    /// How a tasklet or channel prints: `<tasklet ada>`, `<tasklet #3>`,
    /// `<channel #2>`. The host knows names; the default knows only ids.
    fn describe(&self, v: &Value) -> String {
        match v {
            Value::Tasklet(id) => format!("<tasklet #{id}>"),
            Value::Channel(id) => format!("<channel #{id}>"),
            _ => String::from("<?>"),
        }
    }

    /// Calls a host type: `stackless.tasklet(f)` (`TypeTag::Tasklet`) or
    /// `stackless.channel()` (`TypeTag::Channel`).
    fn construct(
        &mut self,
        tag: crate::value::TypeTag,
        args: Vec<Value>,
        kwargs: KwArgs,
    ) -> HostResult {
        let _ = (tag, args, kwargs);
        HostResult::Raise(crate::errors::runtime_error(
            "no host to make tasklets or channels",
        ))
    }

    /// Calls a native function value (`Value::Native`) or a module function
    /// that `module_attr` returned.
    fn call_native(&mut self, id: u32, args: Vec<Value>, kwargs: KwArgs) -> HostResult {
        let _ = (id, args, kwargs);
        HostResult::Raise(crate::errors::runtime_error(
            "no host to call a native function",
        ))
    }

    /// Reads an attribute of a tasklet or channel (`t.name`, `ch.balance`,
    /// or a bound method as a value).
    fn get_attr(&mut self, obj: &Value, name: &str) -> Result<Value, Value> {
        let _ = name;
        Err(crate::errors::attribute_error(obj, name))
    }

    /// Runs `f` on a tasklet's or channel's writable attribute in place
    /// (`t.data["hp"] = 7`), then lets the host check what `f` left there.
    fn with_attr_mut(
        &mut self,
        obj: &Value,
        name: &str,
        f: &mut dyn FnMut(&mut Value) -> Result<(), Value>,
    ) -> Result<(), Value> {
        let _ = f;
        Err(crate::errors::attribute_error(obj, name))
    }

    /// Calls a method of a tasklet or channel (`ch.send(v)`, `t.insert()`).
    /// Calling a tasklet value itself, `t(args)`, arrives here as `setup`;
    /// calling a `Value::Method` arrives here with its receiver and name.
    fn call_method(
        &mut self,
        recv: &Value,
        name: &str,
        args: Vec<Value>,
        kwargs: KwArgs,
    ) -> HostResult {
        let _ = (args, kwargs);
        HostResult::Raise(crate::errors::attribute_error(recv, name))
    }

    /// A call the VM resolved to an id once per call site: a method of a
    /// tasklet or channel (`ch.send(x)`), or a function of a native module
    /// (`stackless.schedule()`, `recv` is then the module), with no keywords
    /// and its positional arguments as a slice the host may take values
    /// out of. `None`, with nothing done and the arguments untouched, when
    /// the host does not cover this receiver, id and argument count: the VM
    /// then makes the same call by name. Both ways must behave the same.
    fn call_quick(
        &mut self,
        recv: &Value,
        id: crate::method_id::MethodId,
        args: &mut [Value],
    ) -> Option<HostResult> {
        let _ = (recv, id, args);
        None
    }

    /// A call `m.name(args…)` of native module `m` (a `ModRef::Native`
    /// index) that names no id of [`Host::call_quick`], with no keywords
    /// and its positional arguments as a slice the host may take values
    /// out of: a host's own natives (`npc.hp()`) without the function value
    /// looked up and an argument vector made. `None`, with nothing done
    /// and the arguments untouched, when `m.name` is not a function the
    /// host calls this way: the VM then makes the same call by name. Both
    /// ways must behave the same.
    fn call_function(&mut self, module: u16, name: &str, args: &mut [Value]) -> Option<HostResult> {
        let _ = (module, name, args);
        None
    }

    /// The next item of a `for` loop over a channel: `Return(v)`, or
    /// `Suspend` to block (the host resumes with a value or with the end).
    fn channel_next(&mut self, channel: u64) -> HostResult {
        let _ = channel;
        HostResult::Raise(crate::errors::runtime_error(
            "no host to receive from a channel",
        ))
    }
}
