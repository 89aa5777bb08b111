//! How a tick's messages travel over NATS: all those for one destination go
//! as few JetStream messages as their size allows (bundles), rather than one
//! each, so a tick that moves many tasklets costs a few publishes and
//! acknowledgements, not one round trip per tasklet.

use std::collections::BTreeMap;
use std::time::Duration;

use async_nats::jetstream::context::PublishAckFuture;

use crate::transport::{Envelope, Payload};

/// A bundle closes once its payloads pass this many bytes: well below the
/// server's default `max_payload` (1 MiB), so a bundle of many small
/// messages always fits; a single message larger than it goes alone.
pub(crate) const BUNDLE_BYTES: usize = 512 * 1024;

/// How long an acknowledgement is waited for once its publish went out.
const ACK_WAIT: Duration = Duration::from_secs(4);

/// `messages` grouped by destination (in shard order), each group in the
/// order sent and cut into bundles of at most [`BUNDLE_BYTES`]. The cut
/// depends only on the messages, so a replayed tick publishes the same
/// bundles under the same keys.
pub(crate) fn bundles(messages: Vec<Envelope>) -> Vec<Vec<Envelope>> {
    let mut by_dest: BTreeMap<u32, Vec<Vec<Envelope>>> = BTreeMap::new();
    let mut sizes: BTreeMap<u32, usize> = BTreeMap::new();
    for m in messages {
        let size = match &m.payload {
            Payload::Migrant(b) | Payload::Remote(b) => b.len(),
        } + 32;
        let groups = by_dest.entry(m.to).or_default();
        let used = sizes.entry(m.to).or_insert(0);
        if groups.is_empty() || (*used > 0 && *used + size > BUNDLE_BYTES) {
            groups.push(Vec::new());
            *used = 0;
        }
        *used += size;
        if let Some(last) = groups.last_mut() {
            last.push(m);
        }
    }
    by_dest.into_values().flatten().collect()
}

/// Waits for every acknowledgement, failing at the first that does not
/// come or says no. Returns the stream sequence the last was stored at
/// (a tick's record, which goes last).
pub(crate) async fn wait_acks(acks: Vec<PublishAckFuture>) -> Result<u64, String> {
    let mut last = 0;
    for ack in acks {
        match tokio::time::timeout(ACK_WAIT, ack).await {
            Ok(Ok(ack)) => last = ack.sequence,
            Ok(Err(e)) => return Err(format!("publish not acknowledged: {e}")),
            Err(_) => return Err(format!("no acknowledgement in {ACK_WAIT:?}")),
        }
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(to: u32, seq: u64, bytes: usize) -> Envelope {
        Envelope {
            from: 0,
            to,
            tick: 7,
            seq,
            payload: Payload::Migrant(vec![seq as u8; bytes]),
        }
    }

    fn keys(b: &[Vec<Envelope>]) -> Vec<Vec<(u32, u64)>> {
        b.iter()
            .map(|g| g.iter().map(|m| (m.to, m.seq)).collect())
            .collect()
    }

    #[test]
    fn groups_by_destination_in_send_order() {
        let got = bundles(vec![
            env(2, 1, 10),
            env(1, 1, 10),
            env(2, 2, 10),
            env(1, 2, 10),
        ]);
        assert_eq!(keys(&got), vec![vec![(1, 1), (1, 2)], vec![(2, 1), (2, 2)]]);
    }

    #[test]
    fn cuts_at_the_size_limit_and_sends_a_big_message_alone() {
        let big = BUNDLE_BYTES + 1;
        let third = BUNDLE_BYTES / 3;
        let msgs = vec![
            env(1, 1, third),
            env(1, 2, third),
            env(1, 3, third),
            env(1, 4, big),
            env(1, 5, 1),
        ];
        let got = bundles(msgs.clone());
        assert_eq!(
            keys(&got),
            vec![
                vec![(1, 1), (1, 2)],
                vec![(1, 3)],
                vec![(1, 4)],
                vec![(1, 5)]
            ]
        );
        // The same messages cut the same way (a replay's keys match).
        assert_eq!(bundles(msgs), got);
    }
}
