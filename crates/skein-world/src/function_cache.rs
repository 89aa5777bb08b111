//! The functions of native modules a host has found by name during its
//! life (one tick), for `quick::call_function`: kept apart from the host
//! so the host type and the quick calls do not import each other.

/// Slots of [`FunctionCache`]: a village tick calls about twenty names.
const CACHE_SLOTS: usize = 64;

/// The functions of native modules found by name during one host's life
/// (a tick): a call `npc.hp()` is found again by the address of its name
/// in the code, then checked by module and name, instead of searched for
/// in the world's tables (~230 instructions a call). What a module and a
/// name resolve to stays the same for the tick: the world's functions are
/// fixed and re-registering a native keeps its id.
#[derive(Debug, Default)]
pub struct FunctionCache {
    slots: Vec<Option<(u16, Box<str>, u32)>>,
}

impl FunctionCache {
    fn slot(module: u16, name: &str) -> usize {
        // The name's address is the cheap key; equal names elsewhere only
        // miss, and a slot is always checked by its contents.
        ((name.as_ptr() as usize >> 3) ^ module as usize) % CACHE_SLOTS
    }

    /// The function id `module.name` was found to be this tick.
    #[inline]
    pub fn get(&self, module: u16, name: &str) -> Option<u32> {
        match self.slots.get(Self::slot(module, name)) {
            Some(Some((m, n, fid))) if *m == module && **n == *name => Some(*fid),
            _ => None,
        }
    }

    pub(crate) fn put(&mut self, module: u16, name: &str, fid: u32) {
        if self.slots.is_empty() {
            self.slots.resize(CACHE_SLOTS, None);
        }
        self.slots[Self::slot(module, name)] = Some((module, name.into(), fid));
    }
}
