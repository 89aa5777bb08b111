//! `skein shard`: one shard of a cluster — a world made with the shard's
//! number and count, joined to the run through NATS, ticked in lockstep
//! with the others until the cluster ends or `--ticks` is reached.

use std::io::Write;
use std::time::Duration;

use skein_cluster::nats::{NatsOptions, NatsTransport};
use skein_cluster::run_info::RunInfo;
use skein_cluster::{ClusterError, ShardOptions, ShardRunner, TickOutput, TransportError};
use skein_world::RunOptions;
use skein_world::run::world_options;
use skein_world::shard::ShardLink;

use super::args::{ShardArgs, ShardRunArgs};
use super::config::budget;
use super::failure::{Failure, Outcome};
use super::frames::FrameWriter;
use super::output::report;
use super::pace::Pacer;
use super::{ExitStatus, durability, engine};

/// The world options every shard of the run shares, for shard `k`.
pub fn run_options(args: &ShardRunArgs, k: u32) -> RunOptions {
    RunOptions {
        ticks: args.ticks,
        seed: args.seed,
        budget: Some(budget(args.limits.budget).unwrap_or(0)),
        tick_budget: Some(args.limits.tick_budget.unwrap_or(0)),
        frame_limit: args.limits.frame_limit,
        size_limit: args.limits.size_limit,
        search_path: args.paths.clone(),
        params: args.params.clone(),
        quiet: args.quiet,
        shard: u64::from(k),
        shards: u64::from(args.shards),
    }
}

/// What a shard's failure means for its exit: a script or option problem,
/// or a run whose shards disagree, is bad input (2); the network, a peer
/// or the output failing is 3.
fn failure(shard: u32, e: ClusterError) -> Failure {
    let message = format!("shard {shard}: {e}");
    match e {
        ClusterError::Run(skein_world::RunError::Io(_)) => Failure::cannot_write(message),
        ClusterError::Run(_)
        | ClusterError::Resume(_)
        | ClusterError::Transport(TransportError::Mismatch(_)) => Failure::bad_input(message),
        _ => Failure::cannot_write(message),
    }
}

/// Runs one shard.
pub fn shard(args: &ShardArgs) -> Outcome {
    let run = &args.run;
    if args.shard >= run.shards {
        return Err(Failure::bad_input(format!(
            "--shard {} is not below --shards {}",
            args.shard, run.shards
        )));
    }
    let Ok(timeout) = Duration::try_from_secs_f64(run.nats_timeout) else {
        return Err(Failure::bad_input(
            "--nats-timeout must be a non-negative number of seconds",
        ));
    };
    let options = world_options(&run_options(run, args.shard)).map_err(Failure::bad_input)?;
    let mut sim = engine::new_simulation(options, run.quiet);
    let loaded = match &args.file {
        Some(file) => sim.load_main(file).map(|_| ()),
        None => skein_village::start_village(&mut sim.world).map(|_| ()),
    };
    loaded.map_err(|e| match e {
        skein_world::WorldError::Load(e) => Failure::diagnostic(e.render()),
        other => Failure::bad_input(other),
    })?;
    // What the run must agree on is of the script, whether or not this
    // shard resumes from its autosave.
    let info = RunInfo::of(&sim.world, run.shards, run.ticks);
    let autosave = durability::autosave_path(&args.dir, &run.cluster, args.shard);
    let fault =
        skein_cluster::fault::Fault::from_env(&args.dir, args.shard).map_err(Failure::bad_input)?;
    let resumed = durability::resume(&autosave, args.shard, run.shards, run.quiet)?;
    let marker = durability::run_marker(&args.dir, &run.cluster, args.shard);
    let resume = match &resumed {
        Some(r) => Some(r.run.clone()),
        // Joined before but killed before its first autosave: the run
        // again from tick 0.
        None => durability::read_marker(&marker)?,
    };
    // Shard 0 names its run before creating it, so a restart after it
    // created the run (and before its first autosave) rejoins it.
    let resume = match resume {
        None if args.shard == 0 && args.autosave_every > 0 => {
            let id = skein_cluster::nats::new_run_id();
            durability::write_marker(&marker, &id)?;
            Some(id)
        }
        r => r,
    };
    let nats = NatsOptions {
        url: args.nats.clone(),
        cluster: run.cluster.clone(),
        shard: args.shard,
        shards: run.shards,
        timeout,
        resume,
    };
    let mut transport = NatsTransport::connect(nats, info)
        .map_err(|e| failure(args.shard, ClusterError::from(e)))?;
    if let Some(r) = resumed {
        let first = transport
            .inbox_first()
            .map_err(|e| failure(args.shard, ClusterError::from(e)))?;
        durability::check_inbox(&r, first, args.shard)?;
        let firsts = transport
            .records_first()
            .map_err(|e| failure(args.shard, ClusterError::from(e)))?;
        durability::check_records(&r, &firsts, args.shard)?;
        sim = r.sim;
    }
    tracing::debug!(
        run = transport.run_id(),
        shard = args.shard,
        "joined the run"
    );
    let opts = ShardOptions {
        shard: args.shard,
        shards: run.shards,
        ticks: run.ticks,
    };
    let started = std::time::Instant::now();
    sim.world.resource_mut::<ShardLink>().run = transport.run_id().to_string();
    if args.autosave_every > 0 {
        durability::write_marker(&marker, transport.run_id())?;
    }
    let mut runner = ShardRunner::new(sim, transport, opts);
    runner.with_fault(fault.clone());
    if args.autosave_every > 0 {
        std::fs::create_dir_all(&args.dir)
            .map_err(|e| Failure::cannot_write(format!("{}: {e}", args.dir.display())))?;
        runner.with_autosave(durability::autosaver(
            autosave,
            args.autosave_every,
            run.keep,
            run.autosave_failures,
            fault,
        ));
    }
    let mut pacer = Pacer::new(run.tick_rate);
    // `skein cluster` reads frames: where each tick's output ends is never
    // guessed from the text.
    let mut frames = args.framed.then(FrameWriter::new);
    let result = runner.run(&mut |t: TickOutput| {
        if let Some(f) = frames.as_mut() {
            f.frame(t.tick, t.stdout, t.stderr)?;
        } else {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(t.stdout.as_bytes())?;
            std::io::stderr().write_all(t.stderr.as_bytes())?;
            stdout.flush()?;
        }
        if let Some(p) = pacer.as_mut() {
            p.wait(t.tick, || false);
        }
        Ok(())
    });
    let summary = result.map_err(|e| failure(args.shard, e))?;
    if args.shard == 0 && summary.ended {
        runner
            .transport()
            .end_run()
            .map_err(|e| Failure::cannot_write(format!("shard 0: {e}")))?;
    }
    let closing = format!(
        "skein shard {}: {} ticks, {} tasklets, {} moved in, {} moved out, {} remote operations sent, {} applied, {:.3}s wall",
        args.shard,
        summary.ticks,
        summary.tasklets,
        summary.moves_in,
        summary.moves_out,
        summary.remote_ops_out,
        summary.remote_ops_in,
        started.elapsed().as_secs_f64()
    );
    if let Some(mut f) = frames {
        // As the last frame, so `skein cluster` writes the shards' closing
        // lines after all their output and in shard order.
        f.frame(u64::MAX, "", &format!("{closing}\n"))
            .and_then(|()| f.finish())
            .map_err(|e| Failure::cannot_write(format!("shard {}: {e}", args.shard)))?;
    } else {
        report(&closing);
    }
    Ok(ExitStatus::Success)
}
