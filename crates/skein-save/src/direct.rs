//! What the two direct writers (binary in `binary.rs`, compact RON in
//! `write/ron_snapshot.rs`) share: the walk over a snapshot's tasklets and
//! channels in id order, and putting a file's head in front of its
//! tasklets once they are written.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use skein_vm::fiber::Fiber;
use skein_world::ChannelState;
use skein_world::components::TaskletState;

use crate::error::SaveError;
use crate::ext::ExtValue;
use crate::names::WorldRefs;
use crate::snapshot::{Entry, Snapshot, encode_fiber, kept_fiber};

/// One tasklet of a snapshot, as a direct writer meets it.
pub(crate) struct Tasklet<'a> {
    pub(crate) id: u64,
    pub(crate) state: &'a TaskletState,
    pub(crate) fiber: &'a Fiber,
    pub(crate) tick: u64,
    pub(crate) in_ring: bool,
    /// Its registered components (none for most tasklets).
    pub(crate) ext: ExtMap<'a>,
}

/// An entry's registered components in tag order, written as the map of
/// tag to value its record holds, without building that map (its keys are
/// a `String` each) for every entry.
#[derive(Clone, Copy)]
pub(crate) struct ExtMap<'a>(pub(crate) &'a [(&'a str, ExtValue)]);

impl ExtMap<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The map a record holds.
    pub(crate) fn to_map(self) -> BTreeMap<String, ExtValue> {
        (self.0.iter())
            .map(|(tag, v)| (tag.to_string(), v.clone()))
            .collect()
    }
}

impl Serialize for ExtMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(tag, v)| (tag, v)))
    }
}

impl Snapshot {
    /// Hands each tasklet to `tasklet` and each channel to `channel`, in id
    /// order, as a save lists them. Each fiber is let go once handed over
    /// (or kept), as in [`to_save`](Snapshot::to_save).
    pub(crate) fn visit_direct(
        &mut self,
        mut tasklet: impl FnMut(Tasklet<'_>, &mut WorldRefs<'_>) -> Result<(), SaveError>,
        mut channel: impl FnMut(u64, &ChannelState, ExtMap<'_>) -> Result<(), SaveError>,
    ) -> Result<(), SaveError> {
        let natives = &self.natives;
        let mut refs = WorldRefs { natives };
        let (tick, ring, registry) = (self.tick, &self.ring, &self.registry);
        let host = &self.host;
        let fiberless = &mut self.fiberless;
        let same = |id: u64| Some(id);
        let ids = crate::registry::IdMap::new(&same);
        let mut ext_buf = Vec::new();
        for (id, h) in self.entries.iter_mut().enumerate() {
            let Some(h) = h.as_mut() else { continue };
            let id = id as u64;
            let in_ring = ring.contains(id);
            let keep = h.keeps_fiber(in_ring);
            // The registry lists its components in tag order.
            ext_buf.clear();
            for (column, c) in host.iter().zip(&registry.components) {
                if let Some(v) = column.encode(id, &ids) {
                    ext_buf.push((c.tag.as_str(), v.map_err(SaveError::Encode)?));
                }
            }
            let ext = ExtMap(&ext_buf);
            match &mut h.entry {
                Entry::Tasklet { state, fiber } => {
                    let let_go;
                    let fiber = if keep {
                        kept_fiber(fiber)?
                    } else {
                        let_go = encode_fiber(fiber, false, id, fiberless)?;
                        &let_go
                    };
                    let t = Tasklet {
                        id,
                        state,
                        fiber,
                        tick,
                        in_ring,
                        ext,
                    };
                    tasklet(t, &mut refs)?;
                }
                Entry::Channel(c) => channel(id, c, ext)?,
            }
        }
        Ok(())
    }
}

/// `head` then `body`, in `body`'s buffer: a world's tasklets are most of
/// its bytes, and moving them within their own buffer spares a second
/// buffer of their size (its page faults as well as the copy).
pub(crate) fn put_in_front(head: Vec<u8>, mut body: Vec<u8>) -> Vec<u8> {
    let (n, len) = (head.len(), body.len());
    body.resize(len + n, 0);
    body.copy_within(0..len, n);
    body[..n].copy_from_slice(&head);
    body
}
