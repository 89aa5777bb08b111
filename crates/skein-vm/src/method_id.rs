//! Method and host-call names as ids, resolved once per call site: the
//! list, dict and str methods `methods::call_quick` runs, and the few host
//! calls a scheduler-heavy script makes per switch (`ch.send(x)`,
//! `ch.receive()`, `stackless.schedule()`, `sim.sleep(n)`, `sim.tick()`),
//! which the VM hands to [`Host::call_quick`](crate::Host::call_quick) by id.
//! A leaf module, so the host boundary and the methods can both name them.

/// A method name as the quick path knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodId {
    /// `list.append`
    Append,
    /// `list.pop` and `dict.pop`
    Pop,
    /// `list.clear` and `dict.clear`
    Clear,
    /// `dict.get`
    Get,
    /// `str.startswith`
    StartsWith,
    /// `str.endswith`
    EndsWith,
    /// `channel.send` (host)
    Send,
    /// `channel.receive` (host)
    Receive,
    /// `stackless.schedule` (host module)
    Schedule,
    /// `sim.sleep` (host module)
    Sleep,
    /// `sim.tick` (host module)
    Tick,
    /// Any other name: always the general path.
    Other,
}

impl MethodId {
    /// The id of a method name (done once per name of a function).
    pub fn of(name: &str) -> MethodId {
        match name {
            "append" => MethodId::Append,
            "pop" => MethodId::Pop,
            "clear" => MethodId::Clear,
            "get" => MethodId::Get,
            "startswith" => MethodId::StartsWith,
            "endswith" => MethodId::EndsWith,
            "send" => MethodId::Send,
            "receive" => MethodId::Receive,
            "schedule" => MethodId::Schedule,
            "sleep" => MethodId::Sleep,
            "tick" => MethodId::Tick,
            _ => MethodId::Other,
        }
    }

    /// Whether the id names a host call (a channel method or a function of
    /// a host module), which only the host can answer.
    pub fn is_host(self) -> bool {
        matches!(
            self,
            MethodId::Send
                | MethodId::Receive
                | MethodId::Schedule
                | MethodId::Sleep
                | MethodId::Tick
        )
    }
}
