//! The run ring of docs/stackless.md: a circular doubly linked list of
//! tasklet ids whose head is the current tasklet (or, between ticks, the
//! first to run next tick), plus the table from stable ids to entities.
//!
//! Links live in a `Vec` indexed by id rather than in components, so moving
//! the head, inserting at the tail or unlinking from the middle are O(1) and
//! touch no ECS storage: "runnable" is this data, never a component.

use bevy_ecs::entity::Entity;

/// Id 0 is never handed out, so it can mean "no link".
const NIL: u64 = 0;

/// 16 bytes: the links are `u32`, since an id indexes this table and a
/// table of 2^32 slots could not be allocated anyway (`insert_tail` refuses
/// a larger id); with `u64` links a slot was 24 bytes, for every tasklet and
/// channel.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    entity: Option<Entity>,
    prev: u32,
    next: u32,
}

/// Id 0 is never handed out, so it can mean "no link".
const NIL32: u32 = 0;

/// Ids, their entities, and the ring of runnable tasklets.
#[derive(Debug)]
pub struct Ring {
    slots: Vec<Slot>,
    head: u64,
    len: usize,
    /// The next id to hand out, and the step between ids: a shard k of N
    /// hands out k+1, k+1+N, … so ids stay unique across a cluster (a plain
    /// world is shard 0 of 1). Slots of other shards' ids stay empty until a
    /// tasklet of theirs arrives.
    next: u64,
    stride: u64,
}

impl Clone for Ring {
    fn clone(&self) -> Self {
        Ring {
            slots: self.slots.clone(),
            head: self.head,
            len: self.len,
            next: self.next,
            stride: self.stride,
        }
    }

    /// Reuses the table's memory: an autosave copies the ring into its last
    /// snapshot's every time.
    fn clone_from(&mut self, source: &Self) {
        self.slots.clone_from(&source.slots);
        self.head = source.head;
        self.len = source.len;
        self.next = source.next;
        self.stride = source.stride;
    }
}

impl Default for Ring {
    fn default() -> Self {
        Ring {
            slots: vec![Slot::default()],
            head: NIL,
            len: 0,
            next: 1,
            stride: 1,
        }
    }
}

impl Ring {
    /// The next id the counter would hand out.
    pub fn next_id(&self) -> u64 {
        self.next
    }

    /// The step between the ids this world hands out (a cluster's shard
    /// count; 1 in a plain world).
    pub fn stride(&self) -> u64 {
        self.stride
    }

    /// Makes this world hand out `first`, `first + stride`, …: shard k of N
    /// is `first = k + 1`, `stride = N`. Only for a world that has handed
    /// out nothing yet (or one being loaded, before `reserve_to`).
    pub fn set_layout(&mut self, first: u64, stride: u64) {
        self.next = first.max(1);
        self.stride = stride.max(1);
    }

    /// Hands out the next id for `entity` (tasklets and channels share the counter).
    pub fn allocate(&mut self, entity: Entity) -> u64 {
        let id = self.next;
        self.grow_to(id + 1);
        self.slots[id as usize].entity = Some(entity);
        self.next += self.stride;
        id
    }

    fn grow_to(&mut self, len: u64) {
        while (self.slots.len() as u64) < len {
            self.slots.push(Slot::default());
        }
    }

    /// Reserves ids up to `next` (exclusive) without entities, so a loaded
    /// world keeps handing out fresh ids.
    pub fn reserve_to(&mut self, next: u64) {
        self.grow_to(next);
        self.next = self.next.max(next);
    }

    /// Binds an existing id to an entity (loading a save, or a tasklet
    /// arriving from another shard, whose id this world never hands out).
    pub fn set_entity(&mut self, id: u64, entity: Option<Entity>) {
        self.grow_to(id + 1);
        if let Some(s) = self.slots.get_mut(id as usize) {
            s.entity = entity;
        }
    }

    /// The entity of a tasklet or channel id.
    pub fn entity(&self, id: u64) -> Option<Entity> {
        self.slots.get(id as usize).and_then(|s| s.entity)
    }

    /// The head: the current tasklet while one runs, else the first to run.
    pub fn head(&self) -> Option<u64> {
        (self.head != NIL).then_some(self.head)
    }

    /// `getruncount()`.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no tasklet is in the ring.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether tasklet `id` is in the ring.
    pub fn contains(&self, id: u64) -> bool {
        self.slots.get(id as usize).is_some_and(|s| s.next != NIL32)
    }

    /// The tasklet after `id` in the ring.
    pub fn next_of(&self, id: u64) -> Option<u64> {
        let n = self.slots.get(id as usize)?.next;
        (n != NIL32).then_some(u64::from(n))
    }

    /// Makes `id` (which must be in the ring) the head; the order is unchanged.
    pub fn set_head(&mut self, id: u64) {
        if self.contains(id) {
            self.head = id;
        }
    }

    /// The head moves on to the next tasklet; the old head is now last.
    pub fn advance(&mut self) {
        if self.head != NIL {
            self.head = u64::from(self.slots[self.head as usize].next);
        }
    }

    /// Inserts `id` at the tail (just before the head). No-op if already in.
    pub fn insert_tail(&mut self, id: u64) {
        if self.contains(id) || id == NIL || id as usize >= self.slots.len() {
            return;
        }
        let Ok(link) = u32::try_from(id) else {
            return;
        };
        if self.head == NIL {
            let s = &mut self.slots[id as usize];
            s.prev = link;
            s.next = link;
            self.head = id;
        } else {
            let head = self.head;
            self.link_before(id, head);
        }
        self.len += 1;
    }

    /// Inserts `id` just after `after` (which must be in the ring).
    pub fn insert_after(&mut self, id: u64, after: u64) {
        if self.contains(id) || !self.contains(after) {
            self.insert_tail(id);
            return;
        }
        let next = u64::from(self.slots[after as usize].next);
        self.link_before(id, next);
        self.len += 1;
    }

    /// Links `id` in before `before`; both are below 2^32 (they index the table).
    fn link_before(&mut self, id: u64, before: u64) {
        let (link, before32) = (id as u32, before as u32);
        let prev = self.slots[before as usize].prev;
        self.slots[id as usize].prev = prev;
        self.slots[id as usize].next = before32;
        self.slots[prev as usize].next = link;
        self.slots[before as usize].prev = link;
    }

    /// Unlinks `id`; if it was the head, the head moves on to its successor.
    pub fn remove(&mut self, id: u64) {
        if !self.contains(id) {
            return;
        }
        let Slot { prev, next, .. } = self.slots[id as usize];
        if u64::from(next) == id {
            self.head = NIL;
        } else {
            self.slots[prev as usize].next = next;
            self.slots[next as usize].prev = prev;
            if self.head == id {
                self.head = u64::from(next);
            }
        }
        let s = &mut self.slots[id as usize];
        s.prev = NIL32;
        s.next = NIL32;
        self.len -= 1;
    }

    /// The ring from the head round, for `inspect` and saves.
    pub fn order(&self) -> Vec<u64> {
        let mut out = Vec::with_capacity(self.len);
        let mut at = self.head;
        for _ in 0..self.len {
            out.push(at);
            at = u64::from(self.slots[at as usize].next);
        }
        out
    }

    /// Every allocated id with an entity, in id order.
    pub fn ids(&self) -> impl Iterator<Item = (u64, Entity)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.entity.map(|e| (i as u64, e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(n: u64) -> Ring {
        let mut r = Ring::default();
        for i in 0..n {
            let id = r.allocate(Entity::from_raw_u32(i as u32 + 1).unwrap());
            r.insert_tail(id);
        }
        r
    }

    #[test]
    fn insert_goes_to_the_tail() {
        let r = ring(4);
        assert_eq!(r.order(), vec![1, 2, 3, 4]);
        assert_eq!(r.len(), 4);
    }

    #[test]
    fn run_of_a_middle_tasklet_rotates() {
        // [main, t1, t2, t3]: t2.run() runs t2, t3, main, t1.
        let mut r = ring(4);
        r.set_head(3);
        assert_eq!(r.order(), vec![3, 4, 1, 2]);
    }

    #[test]
    fn schedule_moves_the_caller_last() {
        let mut r = ring(3);
        r.advance();
        assert_eq!(r.order(), vec![2, 3, 1]);
    }

    #[test]
    fn remove_head_and_middle() {
        let mut r = ring(4);
        r.remove(1);
        assert_eq!(r.order(), vec![2, 3, 4]);
        r.remove(3);
        assert_eq!(r.order(), vec![2, 4]);
        assert!(!r.contains(3));
        r.remove(2);
        r.remove(4);
        assert!(r.is_empty());
        assert_eq!(r.head(), None);
        r.insert_tail(3);
        assert_eq!(r.order(), vec![3]);
    }

    #[test]
    fn a_shard_hands_out_its_own_stripe_and_binds_others() {
        // Shard 1 of 3: 2, 5, 8, …; a tasklet of shard 0 (#4) arriving
        // takes its own slot and does not move the counter.
        let mut r = Ring::default();
        r.set_layout(2, 3);
        let e = |i: u32| Entity::from_raw_u32(i).unwrap();
        assert_eq!(r.allocate(e(1)), 2);
        r.set_entity(4, Some(e(2)));
        assert_eq!(r.allocate(e(3)), 5);
        assert_eq!(r.next_id(), 8);
        r.insert_tail(4);
        r.insert_tail(2);
        assert_eq!(r.order(), vec![4, 2]);
        let ids: Vec<u64> = r.ids().map(|(i, _)| i).collect();
        assert_eq!(ids, vec![2, 4, 5]);
        r.set_entity(4, None);
        assert_eq!(r.entity(4), None);
    }

    #[test]
    fn insert_after_the_head_runs_next() {
        let mut r = ring(3);
        r.remove(3);
        r.insert_after(3, 1);
        assert_eq!(r.order(), vec![1, 3, 2]);
        r.set_head(3);
        assert_eq!(r.order(), vec![3, 2, 1]);
    }
}
