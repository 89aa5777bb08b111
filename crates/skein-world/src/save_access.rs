//! What the save crate (`skein-save`) reads and restores of the world's
//! private state: the native queue's request counter, its outstanding
//! requests and its completions. Everything else a save needs is public.

use skein_vm::Value;

use crate::natives::{NativeCall, NativeQueue};

/// A completed native request not yet appended to the ring:
/// (tasklet, request, result).
pub type Completion = (u64, u64, Result<Value, Value>);

impl NativeQueue {
    /// The last request number handed out.
    pub fn last_request(&self) -> u64 {
        self.next_request
    }

    /// Completions not yet appended to the ring, in completion order.
    pub fn completions(&self) -> &[Completion] {
        &self.completed
    }

    /// The outstanding request of a tasklet waiting in a blocking native.
    pub fn waiting_request(&self, tasklet: u64) -> Option<u64> {
        self.waiting.get(&tasklet).copied()
    }

    /// Restores a saved queue's counter and completions (loading a world).
    pub fn restore(&mut self, last_request: u64, completed: Vec<Completion>) {
        self.next_request = self.next_request.max(last_request);
        self.completed.extend(completed);
    }

    /// A fresh request number (loading a selection into a running world).
    pub fn fresh_request(&mut self) -> u64 {
        self.new_request()
    }

    /// Parks a loaded tasklet's call: it waits again, and the host sees the
    /// request again among [`NativeQueue::requests`].
    pub fn park_loaded(&mut self, call: NativeCall) {
        self.park(call);
    }
}

/// The world's own native functions (`stackless.schedule`, `random.randint`,
/// `sim.sleep`, …) as (module, name, id), so a save can name them.
pub fn world_natives() -> &'static [(&'static str, &'static str, u32)] {
    crate::modules::WORLD_NATIVES
}
