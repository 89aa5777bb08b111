//! Tick records travel live, over a plain NATS subscription, and a shard
//! that was not there to receive them reads them from the records' stream:
//! a shard that joins after another published its record, and one started
//! again from an older point (as from an older autosave) after the others
//! went on, get every record they need, the same as the ones sent live.
//! Against a private `nats-server -js` (see `tests/nats.rs`).

use std::time::Duration;

use skein_cluster::nats::{NatsOptions, NatsTransport};
use skein_cluster::run_info::RunInfo;
use skein_cluster::server::NatsServer;
use skein_cluster::{TickRecord, Transport};
use skein_world::remote_publish::Published;

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
fn records_missed_live_are_read_from_the_stream() {
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
    // Shard 1 goes away; shard 0 publishes tick 3 and waits.
    drop(one);
    publish(&mut zero, 0, 3);
    // Shard 1 again, from tick 1 (an older autosave): it replays ticks 1
    // to 3, reading shard 0's records of them from the stream, and
    // republishes its own (the server keeps one copy of each).
    let mut again =
        NatsTransport::connect(options(&url, 1, Some(run.clone())), info()).expect("shard 1 again");
    assert_eq!(again.run_id(), run);
    for tick in 1..4 {
        publish(&mut again, 1, tick);
        collect(&mut again, tick);
    }
    collect(&mut zero, 3);
    // And live again after that.
    publish(&mut zero, 0, 4);
    publish(&mut again, 1, 4);
    collect(&mut again, 4);
    collect(&mut zero, 4);
    // Nothing was let go of (no autosaves): each shard's oldest record in
    // the stream is of tick 0.
    let firsts = again.records_first().expect("the records' state");
    assert_eq!(firsts, vec![Some(0), Some(0)]);
}
