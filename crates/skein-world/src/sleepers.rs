//! The tasklets asleep in `sim.sleep`, grouped by the tick they wake in.
//! The next [`WHEEL`] ticks are slots of a wheel indexed by tick, so going
//! to sleep for a short while is a push onto a slot's list and waking a
//! tick's sleepers takes that list whole; longer sleeps wait in an ordered
//! map until their tick comes within the wheel's reach.

use std::collections::BTreeMap;

/// How many ticks ahead the wheel reaches. Sleeps in a game loop are
/// mostly short (a few ticks to a few seconds at 20–30 Hz); a longer one
/// pays one map descent to go in and one to move onto the wheel.
pub const WHEEL: u64 = 64;

/// One tick's sleepers: `(seq, id)` in `seq` order. A `seq` numbers the
/// sleepers of one tick only (each gets one past the tick's last), so it
/// fits in a `u32` however long the world runs, and a tasklet's
/// [`Wait::Sleep`](crate::Wait::Sleep) stays 16 bytes.
type List = Vec<(u32, u64)>;

/// Sleeping tasklet ids by (wake tick, order of going to sleep).
#[derive(Debug, Clone, Default)]
pub struct Sleepers {
    /// The earliest tick the wheel holds: ticks `base..base + WHEEL` are in
    /// `wheel[tick % WHEEL]`. Empty until the first sleeper, so a default
    /// scheduler (taken out of the world every tick) allocates nothing.
    wheel: Vec<List>,
    base: u64,
    /// How many sleepers are on the wheel.
    on_wheel: usize,
    /// Ticks outside the wheel: at or past `base + WHEEL`, or before `base`
    /// (only a save loaded with sleepers already due puts them there).
    later: BTreeMap<u64, List>,
    len: usize,
    /// Emptied lists handed back by the tick loop, reused as slots so a
    /// steady sleep/wake cycle allocates nothing.
    spare: Vec<List>,
}

impl Sleepers {
    /// Puts tasklet `id` to sleep until tick `until`, after every sleeper
    /// of that tick so far; the order number it gets there. `None` (and
    /// nothing done) when the tick's numbers ran out: 2^32 - 1 sleepers
    /// into one tick, or that many wakes of the tick's last sleeper while
    /// others stayed, which the caller reports as an error.
    pub fn insert_next(&mut self, until: u64, id: u64) -> Option<u32> {
        let last = if self.on_wheel(until) {
            self.wheel
                .get((until % WHEEL) as usize)
                .and_then(|l| l.last())
        } else {
            self.later.get(&until).and_then(|l| l.last())
        };
        let seq = match last {
            Some(&(s, _)) => s.checked_add(1)?,
            None => 1,
        };
        self.insert((until, seq), id);
        Some(seq)
    }

    /// Puts tasklet `id` to sleep until tick `until`, ordered by `seq`
    /// among that tick's sleepers (a loaded save's order).
    pub fn insert(&mut self, (until, seq): (u64, u32), id: u64) {
        let list = if self.on_wheel(until) {
            self.on_wheel += 1;
            self.slot(until)
        } else {
            self.later.entry(until).or_default()
        };
        // Sleepers arrive in `seq` order except when a save is loaded.
        match list.last() {
            Some(&(last, _)) if last > seq => {
                let at = list.partition_point(|&(s, _)| s < seq);
                list.insert(at, (seq, id));
            }
            _ => list.push((seq, id)),
        }
        self.len += 1;
    }

    fn on_wheel(&self, tick: u64) -> bool {
        tick >= self.base && tick - self.base < WHEEL
    }

    /// The wheel's list for `tick` (on the wheel), the wheel made on first
    /// use.
    fn slot(&mut self, tick: u64) -> &mut List {
        if self.wheel.is_empty() {
            self.wheel.resize_with(WHEEL as usize, Vec::new);
        }
        &mut self.wheel[(tick % WHEEL) as usize]
    }

    /// Takes the sleeper `(until, seq)` out (it was killed or woken early);
    /// its id, if it was there.
    pub fn remove(&mut self, &(until, seq): &(u64, u32)) -> Option<u64> {
        let wheel = self.on_wheel(until);
        let list = if wheel {
            self.wheel.get_mut((until % WHEEL) as usize)?
        } else {
            self.later.get_mut(&until)?
        };
        let at = list.partition_point(|&(s, _)| s < seq);
        if list.get(at).is_none_or(|&(s, _)| s != seq) {
            return None;
        }
        let (_, id) = list.remove(at);
        if wheel {
            self.on_wheel -= 1;
        } else if list.is_empty() {
            self.later.remove(&until);
        }
        self.len -= 1;
        Some(id)
    }

    /// The sleepers of the earliest tick if it is `tick` or before, in the
    /// order they went to sleep, taken out. Hand the list back with
    /// [`Sleepers::recycle`] once done with it.
    pub fn take_due(&mut self, tick: u64) -> Option<List> {
        // The wheel's start must stay countable past `tick`.
        let tick = tick.min(u64::MAX - 1);
        if let Some(first) = self.later.first_entry()
            && *first.key() < self.base
            && *first.key() <= tick
        {
            let list = first.remove();
            self.len -= list.len();
            return Some(list);
        }
        while self.base <= tick {
            if self.on_wheel == 0 {
                // Nothing within reach: the wheel moves on to the next tick
                // that has sleepers, or past `tick`.
                let next = self.later.range(self.base..).next().map(|(&k, _)| k);
                match next {
                    Some(k) if k <= tick => self.move_to(k),
                    _ => {
                        self.move_to(tick + 1);
                        return None;
                    }
                }
                continue;
            }
            let at = (self.base % WHEEL) as usize;
            let fresh = self.spare.pop().unwrap_or_default();
            let list = std::mem::replace(&mut self.wheel[at], fresh);
            self.move_to(self.base + 1);
            if list.is_empty() {
                self.spare.push(list);
                continue;
            }
            self.on_wheel -= list.len();
            self.len -= list.len();
            return Some(list);
        }
        None
    }

    /// Hands back a list [`Sleepers::take_due`] gave out, for reuse.
    pub fn recycle(&mut self, mut list: List) {
        if self.spare.len() < 4 {
            list.clear();
            self.spare.push(list);
        }
    }

    /// Moves the wheel's start to `base` (all slots before it are empty),
    /// bringing the ticks that come within reach onto it.
    fn move_to(&mut self, base: u64) {
        self.base = base;
        let end = base.saturating_add(WHEEL);
        while let Some((&k, _)) = self.later.range(base..end).next() {
            let list = self.later.remove(&k).unwrap_or_default();
            self.on_wheel += list.len();
            *self.slot(k) = list;
        }
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
        let end = self.base.saturating_add(WHEEL);
        fn ids(l: &List) -> impl Iterator<Item = &u64> + '_ {
            l.iter().map(|(_, id)| id)
        }
        let before = self.later.range(..self.base).flat_map(move |(_, l)| ids(l));
        let wheel = (self.base..end)
            .filter_map(|t| self.wheel.get((t % WHEEL) as usize))
            .flat_map(ids);
        let after = self.later.range(end..).flat_map(move |(_, l)| ids(l));
        before.chain(wheel).chain(after)
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
        assert_eq!(s.take_due(4), Some(vec![(9, 90)]));
        assert_eq!(s.take_due(4), None);
        assert_eq!(s.take_due(5), Some(vec![(1, 10), (3, 30)]));
        assert!(s.is_empty());
    }

    #[test]
    fn each_tick_numbers_its_own_sleepers_and_a_full_tick_refuses() {
        let mut s = Sleepers::default();
        let far = WHEEL * 2;
        assert_eq!(s.insert_next(3, 30), Some(1));
        assert_eq!(s.insert_next(far, 40), Some(1));
        assert_eq!(s.insert_next(3, 31), Some(2));
        assert_eq!(s.insert_next(far, 41), Some(2));
        // Waking the last sleeper early frees its number; one in the middle
        // does not.
        assert_eq!(s.remove(&(3, 2)), Some(31));
        assert_eq!(s.insert_next(3, 32), Some(2));
        assert_eq!(s.remove(&(far, 1)), Some(40));
        assert_eq!(s.insert_next(far, 42), Some(3));
        // A tick whose last number is the largest takes no one more.
        s.insert((5, u32::MAX), 50);
        assert_eq!(s.insert_next(5, 51), None);
        assert_eq!(s.len(), 5);
        assert_eq!(
            s.values().copied().collect::<Vec<_>>(),
            [30, 32, 50, 41, 42]
        );
    }

    #[test]
    fn long_sleeps_come_onto_the_wheel_in_order() {
        let mut s = Sleepers::default();
        let far = WHEEL * 3 + 7;
        s.insert((far, 1), 1);
        s.insert((far + 1, 2), 2);
        s.insert((3, 3), 3);
        s.insert((far, 4), 4);
        assert_eq!(s.values().copied().collect::<Vec<_>>(), [3, 1, 4, 2]);
        assert_eq!(s.take_due(2), None);
        assert_eq!(s.take_due(3), Some(vec![(3, 3)]));
        // Coming within reach tick by tick, and a sleeper joining a tick
        // that moved onto the wheel.
        for t in 4..far - 10 {
            assert_eq!(s.take_due(t), None);
        }
        s.insert((far, 5), 5);
        assert_eq!(s.values().copied().collect::<Vec<_>>(), [1, 4, 5, 2]);
        assert_eq!(s.remove(&(far, 4)), Some(4));
        assert_eq!(s.take_due(far + 5), Some(vec![(1, 1), (5, 5)]));
        assert_eq!(s.take_due(far + 5), Some(vec![(2, 2)]));
        assert_eq!(s.take_due(far + 5), None);
        assert!(s.is_empty());
    }

    #[test]
    fn a_jump_in_ticks_and_sleepers_already_due_after_a_load() {
        let mut s = Sleepers::default();
        s.insert((1000, 2), 7);
        assert_eq!(s.take_due(500), None);
        // A load puts a sleeper whose tick has passed.
        s.insert((400, 1), 9);
        s.insert((600, 3), 8);
        assert_eq!(s.values().copied().collect::<Vec<_>>(), [9, 8, 7]);
        assert_eq!(s.take_due(700), Some(vec![(1, 9)]));
        assert_eq!(s.take_due(700), Some(vec![(3, 8)]));
        assert_eq!(s.take_due(999), None);
        assert_eq!(s.len(), 1);
        assert_eq!(s.take_due(u64::MAX - 1), Some(vec![(2, 7)]));
        assert!(s.is_empty());
    }
}
