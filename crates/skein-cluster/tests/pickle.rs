//! `pickle.dumps` in a cluster: a selection reaching a tasklet or channel
//! of another shard, or a channel with remote waiters, raises
//! `RuntimeError` naming the shard; what is all this shard's pickles.

use std::path::Path;
use std::sync::Arc;

use skein_cluster::ClusterError;
use skein_cluster::local::{BuildWorld, run_local};
use skein_world::{Simulation, WorldOptions};

// Not every helper is used here.
#[allow(dead_code)]
mod common;
use common::prefixed;

fn with_pickle(path: std::path::PathBuf) -> BuildWorld {
    Arc::new(move |options: WorldOptions| {
        let mut sim = Simulation::new(options);
        skein_save::pickle::install(&mut sim.world);
        sim.load_main(&path)
            .map_err(|e| ClusterError::Run(skein_world::RunError::Usage(e.to_string())))?;
        Ok(sim)
    })
}

#[test]
fn pickles_reaching_other_shards_are_refused_naming_them() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/pickle_refused.sk");
    let got = prefixed(&run_local(
        with_pickle(script),
        &WorldOptions::default(),
        2,
        Some(100),
    ));
    let want = "\
[0] a channel with a remote waiter refused on shard 0 - cannot save <channel #3> in a selection: tasklets of other shards wait on it: shard 1
[0] a channel with a local waiter pickled on shard 0
[0] the same channel, its waiter gone pickled on shard 0
[1] its home's channel refused on shard 1 - cannot save <channel #3> in a selection: it is on shard 0
[1] a tasklet of its home refused on shard 1 - cannot save <tasklet #7> in a selection: it is on shard 0
[1] a list holding both refused on shard 1 - cannot save <channel #3> in a selection: it is on shard 0
[1] a channel of its own pickled on shard 1
[1] traveller got hello on shard 1
";
    assert_eq!(got, want);
}
