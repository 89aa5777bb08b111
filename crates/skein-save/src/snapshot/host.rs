//! The registered host components of a snapshot: one typed column per
//! component, holding a copy for each tasklet or channel id together with
//! the entity it was copied from. A column is one allocation for every
//! entry, where a box per component per entry made a 100k-NPC world's
//! snapshot mostly `malloc`; and a copy unchanged since the snapshot
//! retaken from stays where it is, so an unchanged component costs a look
//! at its change tick.

use std::any::Any;

use bevy_ecs::change_detection::{DetectChanges, Ref};
use bevy_ecs::entity::Entity;
use serde::Serialize;

use super::held::{HOST, Held, Since, host_bit};
use crate::ext::ExtValue;
use crate::id_map::IdMap;

/// One registered component's copies, by entry id, whatever its type.
pub(crate) trait HostColumn: Send + Sync {
    /// Entry `id`'s copy, adjusted by the save hook and encoded (`None`:
    /// it has none).
    fn encode(&self, id: u64, ids: &IdMap) -> Option<Result<ExtValue, String>>;
    /// Drops the copies of ids whose bit in `seen` is clear, handing each
    /// id and the entity it was copied from to `gone`.
    fn drop_unseen(&mut self, seen: &[u64], gone: &mut dyn FnMut(u64, Entity));
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// The column of a registered component no snapshot has taken yet.
pub(crate) struct NoColumn;

impl HostColumn for NoColumn {
    fn encode(&self, _: u64, _: &IdMap) -> Option<Result<ExtValue, String>> {
        None
    }

    fn drop_unseen(&mut self, _: &[u64], _: &mut dyn FnMut(u64, Entity)) {}

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The copies of component `C`.
pub(crate) struct Column<C> {
    copies: Vec<Option<(Entity, C)>>,
    /// A bit per id with a copy, so that finding the copies to drop reads
    /// a word per 64 ids rather than every copy.
    has: Vec<u64>,
    on_save: Option<fn(&mut C, &IdMap)>,
}

/// Component `c` as a save holds it: adjusted by the save hook, if there is
/// one, on a copy.
pub(crate) fn encode_with<C: Clone + Serialize>(
    c: &C,
    on_save: Option<fn(&mut C, &IdMap)>,
    ids: &IdMap,
) -> Result<ExtValue, String> {
    let encoded = match on_save {
        None => ExtValue::from_rust(c),
        Some(hook) => {
            let mut c = c.clone();
            hook(&mut c, ids);
            ExtValue::from_rust(&c)
        }
    };
    encoded.map_err(|e| e.to_string())
}

impl<C: Clone + Serialize + Send + Sync + 'static> Column<C> {
    /// The column in `slot`, made anew (empty) if it holds another type,
    /// with room for ids below `ids` (they come in storage order, so growing
    /// on demand would move the whole column many times).
    pub(crate) fn of(
        slot: &mut Box<dyn HostColumn>,
        on_save: Option<fn(&mut C, &IdMap)>,
        ids: usize,
    ) -> &mut Self {
        if !slot.as_any_mut().is::<Self>() {
            *slot = Box::new(Column::<C> {
                copies: Vec::new(),
                has: Vec::new(),
                on_save,
            });
        }
        let column = (slot.as_any_mut().downcast_mut::<Self>())
            .expect("the slot was just given a column of this type");
        column.on_save = on_save;
        if column.copies.len() < ids {
            column.copies.resize_with(ids, || None);
            column.has.resize(ids.div_ceil(64), 0);
        }
        column
    }

    /// Takes entity `e`'s component `c` as entry `id`'s copy, unless `sink`
    /// says the copy it has of that entity is still current. (`of` made
    /// room for every id the snapshot has; `sink` wants no other.)
    #[inline]
    pub(crate) fn take(&mut self, sink: &mut Sink, id: u64, e: Entity, c: Ref<C>) {
        let i = id as usize;
        let Some(slot) = self.copies.get_mut(i) else {
            return;
        };
        let earlier = match slot {
            Some((held, copy)) if *held == e => Some(copy),
            _ => None,
        };
        if !sink.wants(id, e, c.last_changed(), earlier.is_some()) {
            return;
        }
        match earlier {
            Some(copy) => copy.clone_from(&c),
            None => {
                *slot = Some((e, C::clone(&c)));
                self.has[i / 64] |= 1 << (i % 64);
            }
        }
        sink.updated(id);
    }
}

impl<C: Clone + Serialize + Send + Sync + 'static> HostColumn for Column<C> {
    fn encode(&self, id: u64, ids: &IdMap) -> Option<Result<ExtValue, String>> {
        let (_, copy) = self.copies.get(id as usize)?.as_ref()?;
        Some(encode_with(copy, self.on_save, ids))
    }

    fn drop_unseen(&mut self, seen: &[u64], gone: &mut dyn FnMut(u64, Entity)) {
        for (w, word) in self.has.iter_mut().enumerate() {
            let mut unseen = *word & !seen.get(w).copied().unwrap_or(0);
            *word &= !unseen;
            while unseen != 0 {
                let i = w * 64 + unseen.trailing_zeros() as usize;
                unseen &= unseen - 1;
                if let Some((e, _)) = self.copies[i].take() {
                    gone(i as u64, e);
                }
            }
        }
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// What a column's pass over one component's storage reports to, and asks
/// of, the snapshot's entries.
pub(crate) struct Sink<'a> {
    pub(super) entries: &'a mut [Option<Held>],
    /// A bit per id found with the component in this pass.
    pub(super) seen: Vec<u64>,
    pub(super) component: usize,
    pub(super) since: Option<Since>,
    pub(super) dirty_ids: &'a mut Vec<u64>,
}

impl Sink<'_> {
    /// One past the highest entry id.
    pub(crate) fn ids(&self) -> usize {
        self.entries.len()
    }

    /// Whether the component of `e` (tasklet or channel `id`), last changed
    /// at `changed`, is to be copied: `e` must be the entity the entry was
    /// taken from, and the copy `had` of it must be older than the change.
    #[inline]
    fn wants(
        &mut self,
        id: u64,
        e: Entity,
        changed: bevy_ecs::change_detection::Tick,
        had: bool,
    ) -> bool {
        let i = id as usize;
        let Some(h) = self.entries.get(i).and_then(Option::as_ref) else {
            return false;
        };
        if h.entity != e {
            return false;
        }
        self.seen[i / 64] |= 1 << (i % 64);
        !had || self
            .since
            .is_none_or(|s| changed.is_newer_than(s.taken, s.now))
    }

    /// Marks entry `id`'s component as copied afresh, for a delta.
    #[inline]
    fn updated(&mut self, id: u64) {
        // A full snapshot is written whole: marks would only be cleared.
        if self.since.is_none() {
            return;
        }
        if let Some(Some(h)) = self.entries.get_mut(id as usize) {
            h.changed |= HOST;
            h.host_fresh |= host_bit(self.component);
            self.dirty_ids.push(id);
        }
    }

    /// Marks entry `id` as having lost the component its entity `e` had.
    pub(super) fn gone(&mut self, id: u64, e: Entity) {
        if let Some(Some(h)) = self.entries.get_mut(id as usize)
            && h.entity == e
        {
            h.host_gone |= host_bit(self.component);
            h.changed |= HOST;
            self.dirty_ids.push(id);
        }
    }
}
