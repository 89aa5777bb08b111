//! `Host::call_quick`: the calls it covers reach it by id with their
//! arguments, the ones it declines arrive by name, and both give the script
//! the same results.

use std::sync::Arc;

use skein_script::loader::compile_str;

use crate::machine::Machine;
use crate::methods::MethodId;
use crate::{HostResult, KwArgs, Limits, ModRef, Step, TypeTag, Value};

/// A host with a channel whose `send` echoes its argument doubled and whose
/// `receive` gives 7, and `sim.tick()`: by id when `quick`, else by name.
/// It logs how each call arrived.
struct EchoHost {
    quick: bool,
    out: String,
    log: Vec<String>,
}

impl EchoHost {
    fn answer(&mut self, name: &str, args: &[Value]) -> HostResult {
        match (name, args) {
            ("send", [Value::Int(i)]) => HostResult::Return(Value::Int(i * 2)),
            ("receive", []) => HostResult::Return(Value::Int(7)),
            ("tick", []) => HostResult::Return(Value::Int(42)),
            _ => HostResult::Raise(crate::errors::type_error(format!("bad call of {name}"))),
        }
    }
}

impl crate::Host for EchoHost {
    fn print(&mut self, text: &str) {
        self.out.push_str(text);
    }
    fn module_attr(&mut self, _m: ModRef, name: &str) -> Option<Value> {
        match name {
            "channel" => Some(Value::Type(TypeTag::Channel)),
            "tick" => Some(Value::Native(3)),
            _ => None,
        }
    }
    fn construct(&mut self, _tag: TypeTag, _args: Vec<Value>, _kw: KwArgs) -> HostResult {
        HostResult::Return(Value::Channel(9))
    }
    fn call_native(&mut self, _id: u32, args: Vec<Value>, _kw: KwArgs) -> HostResult {
        self.log.push("by name: tick".into());
        self.answer("tick", &args)
    }
    fn call_method(
        &mut self,
        _recv: &Value,
        name: &str,
        args: Vec<Value>,
        kw: KwArgs,
    ) -> HostResult {
        self.log
            .push(format!("by name: {name} {}+{}", args.len(), kw.len()));
        if !kw.is_empty() {
            return HostResult::Raise(crate::errors::type_error(format!("bad call of {name}")));
        }
        self.answer(name, &args)
    }
    fn call_quick(&mut self, recv: &Value, id: MethodId, args: &mut [Value]) -> Option<HostResult> {
        if !self.quick {
            return None;
        }
        let name = match (recv, id) {
            (Value::Channel(9), MethodId::Send) => "send",
            (Value::Channel(9), MethodId::Receive) => "receive",
            (Value::Module(ModRef::Native(_)), MethodId::Tick) => "tick",
            _ => return None,
        };
        self.log.push(format!("by id: {name} {}", args.len()));
        Some(self.answer(name, args))
    }
}

fn run(quick: bool) -> (String, Vec<String>) {
    // `send` from a local and a global, a keyword (never quick), a module
    // function, and a method name that has no id.
    let src = "import stackless\nimport sim\nch = stackless.channel()\n\
def f(c):\n    return c.send(4) + c.receive()\n\
print(f(ch), ch.send(5), sim.tick())\n\
try:\n    ch.send(1, x=2)\nexcept TypeError as e:\n    print(e)\n\
try:\n    ch.close()\nexcept TypeError as e:\n    print(e)\n";
    let program = Arc::new(compile_str("main", src).expect("compiles"));
    let mut m = Machine::new(program, Limits::default());
    let mut host = EchoHost {
        quick,
        out: String::new(),
        log: Vec::new(),
    };
    assert!(matches!(m.run(10_000, &mut host), Step::Done(_)));
    (host.out, host.log)
}

#[test]
fn quick_host_calls_arrive_by_id_and_give_what_calls_by_name_give() {
    let (by_id, log_id) = run(true);
    let (by_name, log_name) = run(false);
    assert_eq!(by_id, "15 10 42\nbad call of send\nbad call of close\n");
    assert_eq!(by_id, by_name);
    assert_eq!(
        log_id,
        [
            "by id: send 1",
            "by id: receive 0",
            "by id: send 1",
            "by id: tick 0",
            "by name: send 1+1",
            "by name: close 0+0",
        ]
    );
    assert_eq!(
        log_name,
        [
            "by name: send 1+0",
            "by name: receive 0+0",
            "by name: send 1+0",
            "by name: tick",
            "by name: send 1+1",
            "by name: close 0+0",
        ]
    );
}
