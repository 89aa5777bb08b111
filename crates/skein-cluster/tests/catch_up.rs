//! Tick records travel live, over a plain NATS subscription; only those a
//! replay could not rebuild are stored too. A shard that was not there to
//! receive them gets every record it needs, the same as the ones sent
//! live: one that joins after another published its (stored) first
//! record reads it from the records' stream, and one started again from an
//! older point (as from an older autosave) after the others went on
//! rebuilds the quiet records it missed, never stored, from the newest
//! record the others send again when it says hello. Against a private
//! `nats-server -js` (see `tests/nats.rs`).

use std::time::Duration;

use skein_cluster::nats::{NatsOptions, NatsTransport, OldestRecord};
use skein_cluster::run_info::RunInfo;
use skein_cluster::server::NatsServer;
use skein_cluster::{TickRecord, Transport};
use skein_world::remote_publish::Published;

#[allow(dead_code)]
mod common;
use common::on_stream;

fn options(url: &str, shard: u32, resume: Option<String>) -> NatsOptions {
    NatsOptions {
        url: url.to_string(),
        cluster: "catchup".to_string(),
        shard,
        shards: 2,
        timeout: Duration::from_secs(10),
        resume,
    }
}

fn info() -> RunInfo {
    RunInfo {
        code: Vec::new(),
        seed: 0,
        budget: 0,
        tick_budget: 0,
        frame_limit: 0,
        size_limit: 0,
        params: Vec::new(),
        shards: 2,
        ticks: None,
    }
}

/// Shard `shard`'s record of `tick` (no autosaves: nothing is let go of).
fn record(shard: u32, tick: u64) -> TickRecord {
    TickRecord {
        shard,
        tick,
        sent: vec![0, 0],
        idle: false,
        main_paused: false,
        published: Published::default(),
        saved: None,
    }
}

fn publish(t: &mut NatsTransport, shard: u32, tick: u64) {
    t.publish(Vec::new(), record(shard, tick)).expect("publish");
    t.settle_published().expect("acknowledged");
}

fn collect(t: &mut NatsTransport, tick: u64) {
    let (records, messages) = t.collect(tick).expect("collect");
    assert_eq!(
        records,
        vec![record(0, tick), record(1, tick)],
        "tick {tick}"
    );
    assert!(messages.is_empty());
}

#[test]
fn records_missed_live_are_read_from_the_stream_or_rebuilt() {
    let store = std::env::temp_dir().join(format!("skein-nats-{}-catchup", std::process::id()));
    let server =
        NatsServer::start(&store, true).unwrap_or_else(|e| panic!("cannot start nats-server: {e}"));
    let url = server.url();
    let mut zero = NatsTransport::connect(options(&url, 0, None), info()).expect("shard 0");
    let run = zero.run_id().to_string();
    // Shard 0's record of tick 0 is stored before shard 1 subscribes.
    publish(&mut zero, 0, 0);
    let mut one = NatsTransport::connect(options(&url, 1, None), info()).expect("shard 1");
    publish(&mut one, 1, 0);
    collect(&mut one, 0);
    collect(&mut zero, 0);
    // Then both live.
    for tick in 1..3 {
        publish(&mut zero, 0, tick);
        publish(&mut one, 1, tick);
        collect(&mut one, tick);
        collect(&mut zero, tick);
    }
    // Shard 1 goes away; shard 0 publishes tick 3 and waits, on a thread
    // of its own (it answers hellos while it waits).
    drop(one);
    publish(&mut zero, 0, 3);
    let waiting = std::thread::spawn(move || {
        collect(&mut zero, 3);
        zero
    });
    // Shard 1 again, from tick 1 (an older autosave): it replays ticks 1
    // to 3. Shard 0's records of ticks 1 and 2 were quiet, never stored:
    // its record of tick 3, sent again when shard 1 says hello, vouches
    // for them, and they are rebuilt as they were.
    let mut again =
        NatsTransport::connect(options(&url, 1, Some(run.clone())), info()).expect("shard 1 again");
    assert_eq!(again.run_id(), run);
    for tick in 1..4 {
        publish(&mut again, 1, tick);
        collect(&mut again, tick);
    }
    let mut zero = waiting.join().expect("shard 0 collects tick 3");
    // And live again after that.
    publish(&mut zero, 0, 4);
    publish(&mut again, 1, 4);
    collect(&mut again, 4);
    collect(&mut zero, 4);
    // Stored: each shard's first record, and the first of shard 1's second
    // process; the quiet ones went out live only. Nothing was let go of
    // (no autosaves).
    let stream = format!("skein-catchup-{run}-ticks");
    assert_eq!(stored_ticks(&url, &stream), vec![(0, 0), (1, 0), (1, 1)]);
    let firsts = again.records_first().expect("the records' state");
    let oldest = OldestRecord {
        tick: 0,
        stored_before: None,
    };
    assert_eq!(firsts, vec![Some(oldest), Some(oldest)]);
}

/// The (shard, tick) of each record in the records' stream, in order.
fn stored_ticks(url: &str, stream: &str) -> Vec<(u32, u64)> {
    on_stream(url, stream, async |s| {
        let mut got = Vec::new();
        let mut seq = 1;
        while let Ok(m) = s.get_raw_message(seq).await {
            // A stored record: the record, then its `stored_before`.
            let rec: (TickRecord, Option<u64>) =
                postcard::from_bytes(&m.payload).expect("a record");
            got.push((rec.0.shard, rec.0.tick));
            seq += 1;
        }
        got
    })
}
