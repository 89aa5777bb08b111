//! A transport between threads of one process: a hub behind a mutex, and a
//! condition variable to sleep on at the barrier. For tests and in-process
//! clusters; it holds nothing across a crash.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::transport::{Envelope, HighWater, TickRecord, Transport, TransportError};

#[derive(Default)]
struct Hub {
    /// Records by tick, one slot per shard, and how many shards have
    /// collected that tick (the entry goes when all have).
    records: HashMap<u64, (Vec<Option<TickRecord>>, usize)>,
    /// Each shard's undelivered messages.
    inboxes: Vec<Vec<Envelope>>,
    /// Set when a shard gave up: everyone waiting stops with this reason.
    failed: Option<String>,
}

struct Shared {
    hub: Mutex<Hub>,
    changed: Condvar,
    shards: usize,
}

/// One shard's end of an in-memory cluster.
pub struct MemoryTransport {
    shared: Arc<Shared>,
    shard: u32,
    high: HighWater,
}

/// The transports of a cluster of `shards` shards, in shard order.
pub fn memory_cluster(shards: u32) -> Vec<MemoryTransport> {
    let n = shards.max(1) as usize;
    let shared = Arc::new(Shared {
        hub: Mutex::new(Hub {
            inboxes: vec![Vec::new(); n],
            ..Hub::default()
        }),
        changed: Condvar::new(),
        shards: n,
    });
    (0..n as u32)
        .map(|shard| MemoryTransport {
            shared: shared.clone(),
            shard,
            high: HighWater::new(n),
        })
        .collect()
}

impl MemoryTransport {
    fn lock(&self) -> Result<MutexGuard<'_, Hub>, TransportError> {
        self.shared
            .hub
            .lock()
            .map_err(|_| TransportError::Failed("a shard thread panicked".into()))
    }

    /// Tells every shard waiting at the barrier that this one has stopped.
    pub fn fail(&self, reason: &str) {
        if let Ok(mut hub) = self.shared.hub.lock() {
            hub.failed
                .get_or_insert_with(|| format!("shard {} stopped: {reason}", self.shard));
        }
        self.shared.changed.notify_all();
    }
}

impl Transport for MemoryTransport {
    fn publish(
        &mut self,
        messages: Vec<Envelope>,
        record: TickRecord,
    ) -> Result<(), TransportError> {
        let n = self.shared.shards;
        let mut hub = self.lock()?;
        for m in messages {
            let to = m.to as usize;
            if to >= n {
                return Err(TransportError::Failed(format!("no shard {to}")));
            }
            hub.inboxes[to].push(m);
        }
        let slot = hub
            .records
            .entry(record.tick)
            .or_insert_with(|| (vec![None; n], 0));
        slot.0[self.shard as usize] = Some(record);
        drop(hub);
        self.shared.changed.notify_all();
        Ok(())
    }

    fn abandon(&mut self, reason: &str) {
        self.fail(reason);
    }

    fn high_water(&self) -> Option<&HighWater> {
        Some(&self.high)
    }

    fn resume_high_water(&mut self, taken: &[u64]) {
        self.high.raise(taken);
    }

    fn collect(&mut self, tick: u64) -> Result<(Vec<TickRecord>, Vec<Envelope>), TransportError> {
        let me = self.shard as usize;
        let mut hub = self.lock()?;
        loop {
            if let Some(reason) = &hub.failed {
                return Err(TransportError::Failed(reason.clone()));
            }
            let ready = hub
                .records
                .get(&tick)
                .and_then(|(slots, _)| slots.iter().cloned().collect::<Option<Vec<TickRecord>>>());
            if let Some(records) = ready {
                let expected: u64 = records.iter().map(|r| r.sent[me]).sum();
                let here = hub.inboxes[me].iter().filter(|m| m.tick == tick).count() as u64;
                if here >= expected {
                    let (mine, rest) = std::mem::take(&mut hub.inboxes[me])
                        .into_iter()
                        .partition(|m| m.tick == tick);
                    hub.inboxes[me] = rest;
                    if let Some(entry) = hub.records.get_mut(&tick) {
                        entry.1 += 1;
                        if entry.1 == self.shared.shards {
                            hub.records.remove(&tick);
                        }
                    }
                    drop(hub);
                    return Ok((records, self.high.admit(mine)));
                }
            }
            hub = self
                .shared
                .changed
                .wait(hub)
                .map_err(|_| TransportError::Failed("a shard thread panicked".into()))?;
        }
    }
}
