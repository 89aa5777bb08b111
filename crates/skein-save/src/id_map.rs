//! How tasklet and channel ids map between a world and a save, for the
//! hooks of registered host data (re-exported as `registry::IdMap`).

/// How tasklet and channel ids map, for hooks: on save, world ids to the
/// ids written (the same in a world save, record numbers in a selection,
/// `None` for what the selection does not hold); on load, the ids written
/// to the new world's (the same for a world, fresh ones for a selection).
pub struct IdMap<'a> {
    map: &'a dyn Fn(u64) -> Option<u64>,
}

impl<'a> IdMap<'a> {
    /// Ids mapped by `map` (`None`: the id is not in the new world).
    pub fn new(map: &'a dyn Fn(u64) -> Option<u64>) -> IdMap<'a> {
        IdMap { map }
    }

    /// The new id of a saved tasklet or channel id (`None`: not in the save).
    pub fn get(&self, id: u64) -> Option<u64> {
        (self.map)(id)
    }
}
