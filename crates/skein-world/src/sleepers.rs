//! The tasklets asleep in `sim.sleep`, grouped by the tick they wake in:
//! going to sleep is a push onto that tick's list and waking a tick's
//! sleepers takes the list whole, where one ordered entry per sleeper cost
//! a tree descent each way.

use std::collections::{BTreeMap, VecDeque};

/// Sleeping tasklet ids by (wake tick, order of going to sleep).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sleepers {
    /// Per wake tick, `(seq, id)` in `seq` order.
    by_tick: BTreeMap<u64, VecDeque<(u64, u64)>>,
    len: usize,
}

impl Sleepers {
    /// Puts tasklet `id` to sleep until tick `until`, ordered by `seq`
    /// among that tick's sleepers.
    pub fn insert(&mut self, (until, seq): (u64, u64), id: u64) {
        let list = self.by_tick.entry(until).or_default();
        // Sleepers arrive in `seq` order except when a save is loaded.
        match list.back() {
            Some(&(last, _)) if last > seq => {
                let at = list.partition_point(|&(s, _)| s < seq);
                list.insert(at, (seq, id));
            }
            _ => list.push_back((seq, id)),
        }
        self.len += 1;
    }

    /// Takes the sleeper `(until, seq)` out (it was killed or woken early);
    /// its id, if it was there.
    pub fn remove(&mut self, &(until, seq): &(u64, u64)) -> Option<u64> {
        let list = self.by_tick.get_mut(&until)?;
        let at = list.iter().position(|&(s, _)| s == seq)?;
        let (_, id) = list.remove(at)?;
        if list.is_empty() {
            self.by_tick.remove(&until);
        }
        self.len -= 1;
        Some(id)
    }

    /// The sleepers of the earliest tick if it is `tick` or before, in the
    /// order they went to sleep, taken out.
    pub fn take_due(&mut self, tick: u64) -> Option<VecDeque<(u64, u64)>> {
        let first = self.by_tick.first_entry()?;
        if *first.key() > tick {
            return None;
        }
        let list = first.remove();
        self.len -= list.len();
        Some(list)
    }

    /// No tasklet is asleep.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many tasklets are asleep.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The sleeping ids in wake order.
    pub fn values(&self) -> impl Iterator<Item = &u64> + '_ {
        self.by_tick
            .values()
            .flat_map(|l| l.iter().map(|(_, id)| id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wake_order_is_tick_then_seq_whatever_the_insert_order() {
        let mut s = Sleepers::default();
        s.insert((5, 3), 30);
        s.insert((2, 9), 90);
        s.insert((5, 1), 10);
        s.insert((5, 2), 20);
        assert_eq!(s.values().copied().collect::<Vec<_>>(), [90, 10, 20, 30]);
        assert_eq!(s.len(), 4);
        assert_eq!(s.remove(&(5, 2)), Some(20));
        assert_eq!(s.remove(&(5, 2)), None);
        assert_eq!(s.take_due(1), None);
        assert_eq!(s.take_due(4).map(Vec::from), Some(vec![(9, 90)]));
        assert_eq!(s.take_due(4), None);
        assert_eq!(s.take_due(5).map(Vec::from), Some(vec![(1, 10), (3, 30)]));
        assert!(s.is_empty());
    }
}
