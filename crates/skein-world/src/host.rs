//! The world as the VM's [`Host`]: while the scheduler steps a tasklet's
//! fiber, every host call (printing, `stackless`, `random`, `sim`, tasklet
//! and channel attributes and methods, natives) lands here with the rest of
//! the world in hand.
//!
//! A call that blocks, yields or hands off rearranges the ring, records in
//! the caller's [`Suspension`](crate::components::Suspension) what the call
//! will return, and answers
//! `HostResult::Suspend`; the scheduler loop then runs whatever is at the
//! head.

use skein_script::bytecode::BUILTIN_MODULES;
use skein_vm::{Host, HostResult, KwArgs, ModRef, TypeTag, Value, errors};

use crate::host_args::{answer, check_args};
use crate::resources::Output;
use crate::world_host::WorldHost;

impl Host for WorldHost<'_> {
    fn print(&mut self, text: &str) {
        self.world.resource_mut::<Output>().print(text);
    }

    fn module_attr(&mut self, module: ModRef, name: &str) -> Option<Value> {
        let ModRef::Native(i) = module else {
            return None;
        };
        let i = i as usize;
        if let Some(m) = BUILTIN_MODULES.get(i) {
            // The built-in modules' names are static: no allocation on the
            // hot path (`stackless.schedule()` looks the name up each call).
            if let Some(v) = crate::modules::attr(self, m, name) {
                return Some(v);
            }
            return self.world.resource::<crate::Natives>().lookup(m, name);
        }
        let mname = self.program.host_modules.get(i - BUILTIN_MODULES.len())?;
        self.world.resource::<crate::Natives>().lookup(mname, name)
    }

    fn describe(&self, v: &Value) -> String {
        match v {
            Value::Tasklet(id) => self.tasklet_label(*id),
            Value::Channel(id) => format!("<channel #{id}>"),
            _ => String::from("<?>"),
        }
    }

    fn construct(&mut self, tag: TypeTag, args: Vec<Value>, kwargs: KwArgs) -> HostResult {
        match tag {
            TypeTag::Tasklet => answer(crate::tasklets::construct(self, args, kwargs)),
            TypeTag::Channel => match check_args("channel", &args, &kwargs, 0, 0) {
                Ok(()) => HostResult::Return(Value::Channel(self.spawn_channel())),
                Err(e) => HostResult::Raise(e),
            },
            _ => HostResult::Raise(errors::type_error("cannot construct this type")),
        }
    }

    fn call_native(&mut self, id: u32, args: Vec<Value>, kwargs: KwArgs) -> HostResult {
        crate::modules::call(self, id, args, kwargs)
    }

    fn get_attr(&mut self, obj: &Value, name: &str) -> Result<Value, Value> {
        match obj {
            Value::Tasklet(id) => match crate::remote::elsewhere(self, *id) {
                Some(at) => crate::remote_reads::tasklet_attr(self, *id, at, obj, name),
                None if name == "shard" && self.entity(*id).is_some() => {
                    Ok(Value::Int(crate::shard::shard_of(self.world).0 as i64))
                }
                None => crate::tasklets::get_attr(self, *id, obj, name),
            },
            Value::Channel(id) => match crate::remote::elsewhere(self, *id) {
                Some(home) => crate::remote_reads::channel_attr(self, *id, home, obj, name),
                None => crate::channels::get_attr(self, *id, obj, name),
            },
            _ => Err(errors::attribute_error(obj, name)),
        }
    }

    fn with_attr_mut(
        &mut self,
        obj: &Value,
        name: &str,
        f: &mut dyn FnMut(&mut Value) -> Result<(), Value>,
    ) -> Result<(), Value> {
        match obj {
            Value::Tasklet(id) => match crate::remote::elsewhere(self, *id) {
                Some(at) => Err(crate::remote_reads::refused(*id, at, name)),
                None => crate::tasklets::with_attr_mut(self, *id, obj, name, f),
            },
            Value::Channel(id) => match crate::remote::elsewhere(self, *id) {
                Some(home) => crate::remote_reads::channel_attr_mut(*id, home, obj, name),
                None => crate::channels::with_attr_mut(self, *id, obj, name, f),
            },
            _ => Err(errors::attribute_error(obj, name)),
        }
    }

    fn call_method(
        &mut self,
        recv: &Value,
        name: &str,
        args: Vec<Value>,
        kwargs: KwArgs,
    ) -> HostResult {
        match recv {
            Value::Tasklet(id) => match crate::remote::elsewhere(self, *id) {
                Some(at) => HostResult::Raise(crate::remote_reads::refused(*id, at, name)),
                None => crate::tasklets::call_method(self, *id, recv, name, args, kwargs),
            },
            Value::Channel(id) => match crate::remote::elsewhere(self, *id) {
                Some(home) => {
                    crate::remote_reads::channel_method(self, *id, home, recv, name, args, kwargs)
                }
                None => crate::channels::call_method(self, *id, recv, name, args, kwargs),
            },
            _ => HostResult::Raise(errors::attribute_error(recv, name)),
        }
    }

    fn call_quick(
        &mut self,
        recv: &Value,
        id: skein_vm::methods::MethodId,
        args: &mut [Value],
    ) -> Option<HostResult> {
        crate::quick::call(self, recv, id, args)
    }

    fn call_function(&mut self, module: u16, name: &str, args: &mut [Value]) -> Option<HostResult> {
        crate::quick::call_function(self, module, name, args)
    }

    fn channel_next(&mut self, channel: u64) -> HostResult {
        match crate::remote::elsewhere(self, channel) {
            Some(home) => crate::remote_reads::receive(self, channel, home, true),
            None => crate::channels::receive(self, channel, true),
        }
    }
}
