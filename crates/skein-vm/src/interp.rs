//! The step loop: runs a fiber's instructions until its fuel runs out, a host
//! call suspends it, it finishes or it raises.

use crate::Vm;
use crate::fiber::{Fiber, Step};
use crate::host::Host;

/// Runs `fiber` for at most `*fuel` instructions, decrementing `*fuel`.
pub fn step(vm: &mut Vm, fiber: &mut Fiber, fuel: &mut u64, host: &mut dyn Host) -> Step {
    let _ = (vm, fiber, fuel, host);
    todo!("interp")
}
