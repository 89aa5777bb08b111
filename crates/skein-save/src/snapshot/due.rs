//! The writer thread's own copies of the fibers the tick loop will want
//! first. While a snapshot holds a fiber, its tasklet copies the fiber
//! before it runs, on the tick loop; the writer lets each fiber go once it
//! has encoded it, in id order, which for a write that spans many ticks is
//! too late for most tasklets that wake meanwhile. So, before it encodes,
//! the writer copies the fibers of the tasklets due to run soonest itself
//! (on its own thread) and drops its share of the tick loop's: those
//! tasklets then run without copying anything.

use std::sync::Arc;

use skein_vm::Fiber;
use skein_world::components::Wait;

use super::Snapshot;
use super::held::Entry;

/// How many of the soonest sleepers come before the tasklets parked in a
/// native (a walk, say, whose end the snapshot cannot know): about what
/// wakes in the first ticks after a snapshot of a busy world.
const FIRST_SLEEPERS: usize = 2048;

impl Snapshot {
    /// Gives the snapshot its own copy of the fiber of every tasklet due to
    /// run within `ticks` ticks of it, soonest first: the run ring in order,
    /// the first sleepers, the tasklets parked in a native, those blocked on
    /// a channel that ran since the snapshot before, then the other
    /// sleepers due by then. A fiber the snapshot alone holds (its tasklet
    /// copied it already, or it was let go) is left as it is. Returns how
    /// many it copied. Meant for the writer thread, before encoding: the
    /// bytes written are the same, the copies are only made elsewhere.
    pub fn own_fibers_due(&mut self, ticks: u64) -> usize {
        let horizon = self.tick.saturating_add(ticks);
        let mut order = self.ring.order();
        let sleepers = self.sleepers.iter().copied().take_while(
            |&id| matches!(self.wait_of(id), Some(Wait::Sleep { until, .. }) if *until <= horizon),
        );
        let sleepers: Vec<u64> = sleepers.collect();
        let first = sleepers.len().min(FIRST_SLEEPERS);
        order.extend_from_slice(&sleepers[..first]);
        // Parked in a native, then blocked on a channel but not likely to
        // wait on (see `Held::keeps_fiber`; a fiber kept is not copied: it
        // stays held for the next snapshot).
        let (mut parked, mut blocked) = (Vec::new(), Vec::new());
        for (id, h) in self.entries.iter().enumerate() {
            let Some(h) = h else { continue };
            let Entry::Tasklet { state, .. } = &h.entry else {
                continue;
            };
            let id = id as u64;
            match state.wait {
                Wait::Native(_) => parked.push(id),
                Wait::Channel { .. } if !h.keeps_fiber(self.ring.contains(id)) => blocked.push(id),
                _ => {}
            }
        }
        order.extend(parked);
        order.extend(blocked);
        order.extend_from_slice(&sleepers[first..]);
        let mut copied = 0;
        for id in order {
            let Some(Some(h)) = self.entries.get_mut(id as usize) else {
                continue;
            };
            if let Entry::Tasklet {
                fiber: Some(fiber), ..
            } = &mut h.entry
                && Arc::strong_count(fiber) > 1
            {
                *fiber = Arc::new(Fiber::clone(fiber));
                copied += 1;
            }
        }
        copied
    }

    fn wait_of(&self, id: u64) -> Option<&Wait> {
        match &self.entries.get(id as usize)?.as_ref()?.entry {
            Entry::Tasklet { state, .. } => Some(&state.wait),
            Entry::Channel(_) => None,
        }
    }
}
