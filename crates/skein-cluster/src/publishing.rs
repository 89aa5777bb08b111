//! A tick's messages and record kept in the world while they are not all
//! acknowledged, so that a shard that loses the NATS server while
//! publishing can autosave and, resumed from that save, publish them again
//! under the same keys (receivers drop what they already hold).

use skein_world::shard::{Outgoing, Publishing};

use crate::transport::{Envelope, Payload, TickRecord};

/// What the save holds of `messages` and `record`, all of tick `tick`.
pub fn pack(tick: u64, messages: &[Envelope], record: &TickRecord) -> Result<Publishing, String> {
    let record = ron::to_string(record).map_err(|e| format!("the tick record: {e}"))?;
    let messages = messages
        .iter()
        .map(|m| {
            let (migrant, bytes) = match &m.payload {
                Payload::Migrant(b) => (true, b.clone()),
                Payload::Remote(b) => (false, b.clone()),
            };
            Outgoing {
                to: u64::from(m.to),
                seq: m.seq,
                migrant,
                bytes,
            }
        })
        .collect();
    Ok(Publishing {
        tick,
        messages,
        record,
    })
}

/// The messages and record of a save made while publishing, for shard
/// `shard`, checked against each other: they are published again under
/// their own keys, so a save that does not hold together is refused rather
/// than sent.
pub fn unpack(p: &Publishing, shard: u32) -> Result<(Vec<Envelope>, TickRecord), String> {
    let record: TickRecord =
        ron::from_str(&p.record).map_err(|e| format!("its tick record does not read: {e}"))?;
    if record.tick != p.tick || record.shard != shard {
        return Err(format!(
            "its tick record is shard {}'s of tick {}, not shard {shard}'s of tick {}",
            record.shard, record.tick, p.tick
        ));
    }
    let mut counted = vec![0u64; record.sent.len()];
    let mut messages = Vec::with_capacity(p.messages.len());
    for m in &p.messages {
        let Some(c) = counted.get_mut(m.to as usize) else {
            return Err(format!("a message for shard {}, not in the cluster", m.to));
        };
        *c += 1;
        messages.push(Envelope {
            from: shard,
            to: m.to as u32,
            tick: p.tick,
            seq: m.seq,
            payload: if m.migrant {
                Payload::Migrant(m.bytes.clone())
            } else {
                Payload::Remote(m.bytes.clone())
            },
        });
    }
    if counted != record.sent {
        return Err(format!(
            "it holds {counted:?} messages by shard, its tick record says {:?}",
            record.sent
        ));
    }
    Ok((messages, record))
}

#[cfg(test)]
mod tests {
    use super::*;
    use skein_world::remote_publish::Published;

    fn record(sent: Vec<u64>) -> TickRecord {
        TickRecord {
            shard: 1,
            tick: 7,
            sent,
            idle: false,
            main_paused: true,
            published: Published::default(),
            saved: Some(5),
        }
    }

    fn env(to: u32, seq: u64, payload: Payload) -> Envelope {
        Envelope {
            from: 1,
            to,
            tick: 7,
            seq,
            payload,
        }
    }

    #[test]
    fn what_is_packed_unpacks_the_same() {
        let messages = vec![
            env(0, 3, Payload::Remote(vec![1, 2])),
            env(2, 9, Payload::Migrant(vec![0, 255, 7])),
            env(0, 4, Payload::Migrant(vec![])),
        ];
        let rec = record(vec![2, 0, 1]);
        let p = pack(7, &messages, &rec).expect("packs");
        assert_eq!(p.messages.len(), 3);
        assert_eq!(unpack(&p, 1).expect("unpacks"), (messages, rec));
    }

    #[test]
    fn a_publishing_that_does_not_hold_together_is_refused() {
        let messages = vec![env(0, 3, Payload::Remote(vec![1]))];
        let p = pack(7, &messages, &record(vec![1, 0, 0])).expect("packs");
        let err = unpack(&p, 2).expect_err("another shard's");
        assert!(err.contains("shard 1's of tick 7"), "{err}");
        let mut short = p.clone();
        short.messages.clear();
        let err = unpack(&short, 1).expect_err("a message missing");
        assert!(
            err.contains("[0, 0, 0]") && err.contains("[1, 0, 0]"),
            "{err}"
        );
        let mut bad = p.clone();
        bad.record = "(shard: 1".into();
        assert!(
            unpack(&bad, 1)
                .expect_err("unreadable")
                .contains("does not read")
        );
        let mut stray = p;
        stray.messages[0].to = 5;
        assert!(
            unpack(&stray, 1)
                .expect_err("no such shard")
                .contains("shard 5")
        );
    }
}
