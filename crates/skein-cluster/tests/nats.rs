//! The NATS transport against a private `nats-server -js` on a free
//! loopback port with a temporary store (`scripts/nats-server.sh` installs
//! one; these tests fail, saying so, when none can start): relays round a
//! ring of shards print exactly what they print over the in-memory
//! transport (the same golden files), as do a market and a traveller using
//! channels of other shards; shards that disagree on the run are
//! refused, and an unreachable server is an error naming its URL.

use std::path::Path;
use std::time::Duration;

use skein_cluster::TransportError;
use skein_cluster::local::run_threads;
use skein_cluster::nats::{NatsOptions, NatsTransport};
use skein_cluster::run_info::RunInfo;
use skein_cluster::server::NatsServer;
use skein_world::{Simulation, WorldOptions};

#[allow(dead_code)]
mod common;
use common::{builder, prefixed, root};

fn server(name: &str) -> NatsServer {
    let store = std::env::temp_dir().join(format!("skein-nats-{}-{name}", std::process::id()));
    NatsServer::start(&store, true).unwrap_or_else(|e| panic!("cannot start nats-server: {e}"))
}

fn options(url: &str, cluster: &str, shard: u32, shards: u32) -> NatsOptions {
    NatsOptions {
        url: url.to_string(),
        cluster: cluster.to_string(),
        shard,
        shards,
        timeout: Duration::from_secs(10),
        resume: None,
    }
}

#[test]
fn relays_markets_and_travellers_over_nats_match_the_in_memory_cluster() {
    let server = server("relay");
    let url = server.url();
    let runs = [
        ("relay", 3),
        ("relay", 3),
        ("relay", 2),
        ("market", 3),
        ("traveller", 2),
    ];
    for (run, (name, n)) in runs.into_iter().enumerate() {
        let script = root().join(format!("assets/cluster/{name}.sk"));
        let url = url.clone();
        let cluster = format!("{name}{run}");
        let shards = run_threads(
            builder(script.clone()),
            &WorldOptions::default(),
            n,
            Some(1000),
            move |k, sim: &Simulation| {
                let info = RunInfo::of(&sim.world, n, Some(1000));
                let t = NatsTransport::connect(options(&url, &cluster, k, n), info)?;
                Ok(t)
            },
        );
        let got = prefixed(&shards);
        let golden =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{name}-{n}.txt"));
        let want = std::fs::read_to_string(golden).expect("golden file");
        assert_eq!(got, want, "{name}, N = {n}, run {run}");
    }
}

#[test]
fn shards_that_disagree_on_the_run_are_refused() {
    let server = server("mismatch");
    let url = server.url();
    let script = root().join("assets/cluster/relay.sk");
    let make = |seed: u64| {
        let sim = builder(script.clone())(WorldOptions {
            seed,
            shards: 2,
            ..WorldOptions::default()
        })
        .expect("builds");
        RunInfo::of(&sim.world, 2, None)
    };
    let first = NatsTransport::connect(options(&url, "odd", 0, 2), make(1))
        .expect("shard 0 starts the run");
    let err = match NatsTransport::connect(options(&url, "odd", 1, 2), make(2)) {
        Ok(_) => panic!("a shard with another seed joined"),
        Err(e) => e,
    };
    assert!(matches!(err, TransportError::Mismatch(_)), "{err}");
    let text = err.to_string();
    assert!(text.contains("--seed is 1 on shard 0 but 2 here"), "{text}");
    assert!(text.contains(first.run_id()), "{text}");
}

#[test]
fn an_unreachable_server_is_named() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("nats://127.0.0.1:{port}");
    let mut opts = options(&url, "nowhere", 0, 1);
    opts.timeout = Duration::from_secs(1);
    let info = RunInfo {
        code: Vec::new(),
        seed: 0,
        budget: 0,
        tick_budget: 0,
        frame_limit: 0,
        size_limit: 0,
        params: Vec::new(),
        shards: 1,
        ticks: None,
    };
    let err = match NatsTransport::connect(opts, info) {
        Ok(_) => panic!("connected to nothing"),
        Err(e) => e,
    };
    assert!(matches!(err, TransportError::Failed(_)), "{err}");
    assert!(err.to_string().contains(&url), "{err}");
}

#[test]
fn thousands_of_migrants_in_one_tick_all_arrive() {
    // More publishes in one tick than async-nats lets wait for their acks.
    let server = server("many");
    let url = server.url();
    let script = root().join("benches/cluster/migrate.sk");
    let mut opts = WorldOptions {
        budget: 0,
        ..WorldOptions::default()
    };
    opts.params.insert("n".into(), skein_vm::Value::Int(3000));
    let shards = run_threads(
        builder(script),
        &opts,
        2,
        None,
        move |k, sim: &Simulation| {
            let info = RunInfo::of(&sim.world, 2, None);
            Ok(NatsTransport::connect(options(&url, "many", k, 2), info)?)
        },
    );
    assert_eq!(prefixed(&shards), "[1] arrived 3000 by tick 3\n");
}
