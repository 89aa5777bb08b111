//! A shard that loses the NATS server mid-tick: it publishes through one
//! door that keeps, where an autosave could hold it, what it hands the
//! transport until all of it is acknowledged; when publishing or the
//! barrier fails for good, it writes one more autosave — while publishing
//! (with those messages and the record) or waiting at the barrier — that
//! a restart goes on from, before the error goes up.

use skein_world::shard::{Publishing, ShardLink};

use super::ShardRunner;
use crate::error::ClusterError;
use crate::transport::{Envelope, TickRecord, Transport};

impl<T: Transport> ShardRunner<T> {
    /// Publishes tick `tick`'s messages and record and waits for their
    /// acknowledgements, so that a barrier that fails finds this tick
    /// stored and may autosave waiting there. If either fails, the world
    /// — its migrants already taken out, its outbox drained into
    /// `messages` — is autosaved with them, marked as publishing `tick`.
    pub(super) fn publish(
        &mut self,
        tick: u64,
        messages: Vec<Envelope>,
        record: TickRecord,
    ) -> Result<(), ClusterError> {
        // A copy only where an autosave could hold it: the transport takes
        // the originals.
        let kept = self
            .autosave
            .is_some()
            .then(|| (messages.clone(), record.clone()));
        self.fault_at("pause-publish", tick);
        let mut sent = self.transport.publish(messages, record);
        if sent.is_ok() {
            self.fault_at("publish", tick);
            sent = self.transport.settle_published();
        }
        let Err(e) = sent else {
            return Ok(());
        };
        if let Some((messages, record)) = kept {
            match crate::publishing::pack(tick, &messages, &record) {
                Ok(p) => self.save_unfinished(tick, Some(p)),
                Err(why) => tracing::warn!(tick, "no autosave while publishing: {why}"),
            }
        }
        Err(e.into())
    }

    /// The barrier of `tick` failed (its messages acknowledged): the
    /// world is autosaved waiting there.
    pub(super) fn save_awaiting(&mut self, tick: u64) {
        self.save_unfinished(tick, None);
    }

    /// One more autosave where one can be written: the world after tick
    /// `tick` ran, before its barrier — while publishing it (`publishing`)
    /// or waiting at the barrier — which a shard resumed from it goes on
    /// from. It is not let go of anything (the server is gone); a failure
    /// leaves the newest autosave as it was.
    fn save_unfinished(&mut self, tick: u64, publishing: Option<Publishing>) {
        let Some(autosave) = self.autosave.as_mut() else {
            return;
        };
        let Ok(inbox_from) = self.transport.inbox_mark() else {
            return;
        };
        let what = match &publishing {
            Some(p) => format!("while publishing ({} messages)", p.messages.len()),
            None => "waiting at the barrier".to_string(),
        };
        {
            let mut link = self.sim.world.resource_mut::<ShardLink>();
            link.awaiting = publishing.is_none().then_some(tick);
            link.publishing = publishing;
            link.inbox_from = inbox_from;
            link.ended = false;
        }
        let wrote = autosave
            .start(&self.sim, inbox_from, true)
            .and_then(|_| autosave.landed(true));
        match wrote {
            Ok(Some(_)) => tracing::info!(tick, "autosaved {what}"),
            Ok(None) => {}
            Err(e) => tracing::warn!(tick, "no autosave {what}: {e}"),
        }
        let mut link = self.sim.world.resource_mut::<ShardLink>();
        link.awaiting = None;
        link.publishing = None;
    }
}
