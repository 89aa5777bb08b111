//! A value crossing to another shard on a remote channel operation
//! (docs/cluster.md, "Values that cross"): copied as a value, with every
//! tasklet and channel inside it written as its cluster-wide id, so nothing
//! it refers to is copied.

use std::collections::BTreeSet;

use bevy_ecs::world::World;
use serde::{Deserialize, Serialize};
use skein_vm::Value;
use skein_world::{Code, Natives, Scheduler};

use crate::error::{FieldPath, LoadError, Problem, SaveError};
use crate::names::NativeNames;
use crate::resolve::{MapResolve, limits_of};
use crate::values::{Decoder, EncodeRefs, Encoder, Place, ValueRec};

/// Writes ids as they are, noting the channels and tasklets met (their
/// shards publish what others may read of them once they are known
/// elsewhere).
pub(crate) struct CrossRefs<'a> {
    pub natives: &'a NativeNames,
    pub channels: BTreeSet<u64>,
    pub tasklets: BTreeSet<u64>,
}

impl EncodeRefs for CrossRefs<'_> {
    fn tasklet(&mut self, id: u64) -> Result<ValueRec, SaveError> {
        self.tasklets.insert(id);
        Ok(ValueRec::Tasklet(id))
    }
    fn channel(&mut self, id: u64) -> Result<u64, SaveError> {
        self.channels.insert(id);
        Ok(id)
    }
    fn native(&self, id: u32) -> Option<(String, String)> {
        self.natives.name(id)
    }
}

#[derive(Serialize, Deserialize)]
struct Crossing {
    root: ValueRec,
    table: Vec<ValueRec>,
}

/// Encodes `v` for another shard of `world`'s cluster, and marks the local
/// channels inside it as known elsewhere.
pub fn encode_value(world: &mut World, v: &Value) -> Result<Vec<u8>, SaveError> {
    let program = world.resource::<Code>().0.clone();
    let natives = NativeNames::of(world.resource::<Natives>());
    let mut enc = Encoder::new(&program);
    let mut refs = CrossRefs {
        natives: &natives,
        channels: BTreeSet::new(),
        tasklets: BTreeSet::new(),
    };
    let root = enc.encode(v, &mut refs)?;
    skein_world::remote_publish::export_channels(world, refs.channels);
    skein_world::remote_publish::watch_tasklets(world, refs.tasklets);
    let c = Crossing {
        root,
        table: enc.into_table(),
    };
    postcard::to_allocvec(&c).map_err(|e| SaveError::Encode(e.to_string()))
}

/// Decodes a value another shard of `world`'s cluster encoded with
/// [`encode_value`], checking it as a save's values are checked.
pub fn decode_value(world: &World, bytes: &[u8]) -> Result<Value, LoadError> {
    let c: Crossing = postcard::from_bytes(bytes)
        .map_err(|e| LoadError::whole(Problem::Invalid(format!("bad crossing value: {e}"))))?;
    let program = world.resource::<Code>().0.clone();
    let natives = NativeNames::of(world.resource::<Natives>());
    let main = world.resource::<Scheduler>().main;
    let resolve = MapResolve::same_ids(&program, &natives, main);
    let limits = limits_of(world);
    let root = FieldPath::root();
    let dec = Decoder::new(&c.table, &resolve, limits, &root.field("table"))?;
    dec.decode(&c.root, Place::Plain, &root.field("root"))
}
