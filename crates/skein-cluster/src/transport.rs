//! What a shard needs from the network, whatever carries it: at the end of
//! each tick it publishes the messages it sent and its tick record, then
//! waits at the barrier for every shard's record of that tick and for its
//! own inbox of that tick. Messages carry a key (sending shard, sending
//! tick, sequence) so a receiver can drop any it has already applied.

use serde::{Deserialize, Serialize};
use skein_world::remote_publish::Published;

/// One shard's account of one tick, published after the tick ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TickRecord {
    /// The shard it is from.
    pub shard: u32,
    /// The tick it describes.
    pub tick: u64,
    /// Messages it sent each shard during the tick, by destination.
    pub sent: Vec<u64>,
    /// Nothing runnable, asleep, waiting on a native, and nothing sent.
    pub idle: bool,
    /// Its main is alive and paused, waiting for the cluster to go idle.
    pub main_paused: bool,
    /// What others may read of its channels and tasklets during the next
    /// tick, and the moves of its tasklets.
    pub published: Published,
    /// The tick boundary of its newest autosave on disk, if it keeps any:
    /// no shard will replay a tick before the oldest of these, so the
    /// run's streams may let go of what came before.
    pub saved: Option<u64>,
}

/// What one message carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payload {
    /// A tasklet moving to the receiver: a one-tasklet selection record in
    /// the binary save encoding.
    Migrant(Vec<u8>),
    /// A remote channel operation, answer or cancel ([`crate::wire`]).
    Remote(Vec<u8>),
}

/// One message between shards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The sending shard.
    pub from: u32,
    /// The receiving shard.
    pub to: u32,
    /// The tick in which it was sent; the receiver applies it at the start
    /// of the next.
    pub tick: u64,
    /// Counts the messages from `from` to `to` over the run, from 1: a
    /// receiver drops any not above the highest it has taken from `from`.
    pub seq: u64,
    /// What it carries.
    pub payload: Payload,
}

/// What went wrong with the transport.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The network failed, or a peer broke the protocol (exit code 3).
    #[error("{0}")]
    Failed(String),
    /// This shard and the run it joins disagree on what they run, or an
    /// option is unusable (exit code 2).
    #[error("{0}")]
    Mismatch(String),
}

/// The network as one shard sees it.
pub trait Transport {
    /// Publishes this shard's messages of `record.tick`, then the record.
    /// It may return before they are acknowledged; [`Transport::collect`]
    /// of that tick returns only once they are.
    fn publish(
        &mut self,
        messages: Vec<Envelope>,
        record: TickRecord,
    ) -> Result<(), TransportError>;

    /// Waits (sleeping, never spinning) until every shard's record of `tick`
    /// is in and this shard's messages of that tick have come (as many from
    /// each sender as its record says). Returns the records in shard order
    /// and the messages by sending shard, then sequence, each key once.
    fn collect(&mut self, tick: u64) -> Result<(Vec<TickRecord>, Vec<Envelope>), TransportError>;

    /// Waits until everything [`Transport::publish`] sent is acknowledged
    /// (a no-op for a transport that returns only then). A shard calls it
    /// before [`Transport::collect`] so that a failure at the barrier is
    /// known to come after its tick is stored: only then may it autosave
    /// waiting there.
    fn settle_published(&mut self) -> Result<(), TransportError> {
        Ok(())
    }

    /// This shard is stopping on an error: a transport that can tell the
    /// shards waiting for it does so (the in-memory one); over a network
    /// they wait, as they would for a crashed shard.
    fn abandon(&mut self, _reason: &str) {}

    /// The highest sequence taken from each sender (what a shard's save
    /// records), if this transport drops replays by it.
    fn high_water(&self) -> Option<&HighWater> {
        None
    }

    /// Takes up the marks a shard's save recorded, so messages it had
    /// already taken before the save are dropped if they come again.
    fn resume_high_water(&mut self, _taken: &[u64]) {}

    /// Where this shard's inbox stands now, between ticks, for an autosave
    /// about to be taken: the first position it does not hold (everything
    /// before was taken into the world). `None` if the transport keeps no
    /// inbox for replays.
    fn inbox_mark(&mut self) -> Result<Option<u64>, TransportError> {
        Ok(None)
    }

    /// This shard's newest autosave, of tick boundary `boundary`, is on
    /// disk and holds everything before `inbox_from` (its
    /// [`inbox_mark`](Transport::inbox_mark)): a transport that keeps
    /// messages for replays may let go of what it covers.
    fn saved(&mut self, _boundary: u64, _inbox_from: Option<u64>) {}
}

/// Highest sequence taken from each sender: a message at or below it has
/// been taken before (a replayed publish) and is dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HighWater(pub Vec<u64>);

impl HighWater {
    /// Raises each mark to at least `taken`'s (a save's marks).
    pub fn raise(&mut self, taken: &[u64]) {
        for (h, t) in self.0.iter_mut().zip(taken) {
            *h = (*h).max(*t);
        }
    }

    /// Nothing taken yet from any of `shards` senders.
    pub fn new(shards: usize) -> Self {
        HighWater(vec![0; shards])
    }

    /// Sorts `messages` by sender then sequence and keeps each key once,
    /// raising the marks to what was kept.
    pub fn admit(&mut self, mut messages: Vec<Envelope>) -> Vec<Envelope> {
        messages.sort_by_key(|m| (m.from, m.seq));
        messages.retain(|m| {
            let Some(high) = self.0.get_mut(m.from as usize) else {
                return false;
            };
            if m.seq <= *high {
                return false;
            }
            *high = m.seq;
            true
        });
        messages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(from: u32, seq: u64) -> Envelope {
        Envelope {
            from,
            to: 0,
            tick: 0,
            seq,
            payload: Payload::Migrant(vec![seq as u8]),
        }
    }

    #[test]
    fn high_water_orders_and_drops_repeats() {
        let mut hw = HighWater::new(3);
        let got = hw.admit(vec![env(2, 1), env(0, 2), env(0, 1), env(2, 1)]);
        let keys: Vec<(u32, u64)> = got.iter().map(|m| (m.from, m.seq)).collect();
        assert_eq!(keys, vec![(0, 1), (0, 2), (2, 1)]);
        let again = hw.admit(vec![env(0, 2), env(0, 3), env(7, 1)]);
        let keys: Vec<(u32, u64)> = again.iter().map(|m| (m.from, m.seq)).collect();
        assert_eq!(keys, vec![(0, 3)]);
        assert_eq!(hw.0, vec![3, 0, 1]);
    }
}
