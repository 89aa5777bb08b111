//! Runs the built-in village and measures ticks per second (CPU and wall).
//!
//! `cargo run --release -p skein-village --example village_bench -- [npcs] [ticks] [--log]
//! [--save] [--autosave T] [--full-every=F] [--tick-budget=I] [--slow-cpu=MS]` (defaults: 100000 NPCs,
//! 500 ticks; `--log` prints the event log too; `--autosave T` autosaves every T ticks and
//! reports the pauses, `--full-every=F` makes every F-th autosave full and the others
//! deltas and reports their sizes; `--tick-budget=I` bounds each tick's instructions, as
//! the CLI's `--tick-budget` does).

use std::time::Instant;

use skein_vm::Value;
use skein_world::WorldOptions;

#[path = "../../../benches/support/proc_stats.rs"]
mod proc_stats;
use proc_stats::{cpu_seconds, peak_rss_kb, thread_cpu_ns};

fn peak_rss_mb() -> f64 {
    peak_rss_kb() as f64 / 1024.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let log = args.iter().any(|a| a == "--log");
    // `--slow`: name every tick that takes over 100 ms of wall time;
    // `--slow-cpu=MS`: every tick over MS ms of CPU time, with the ring and
    // sleepers it left (to find which ticks a tick budget does not bound)
    let slow = args.iter().any(|a| a == "--slow");
    let slow_cpu: Option<f64> = args
        .iter()
        .find_map(|a| a.strip_prefix("--slow-cpu=")?.parse().ok());
    // `--save`: also time a world save and load at the end
    let save = args.iter().any(|a| a == "--save");
    let tick_budget = args
        .iter()
        .find_map(|a| a.strip_prefix("--tick-budget=")?.parse().ok())
        .unwrap_or(0);
    // `--autosave T`: autosave (binary, to a temporary folder) every T ticks
    // and report the pause distribution.
    let autosave_every: Option<u64> = args
        .iter()
        .position(|a| a == "--autosave")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok());
    let nums: Vec<i64> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            autosave_every.is_none()
                || args
                    .get(i.wrapping_sub(1))
                    .is_none_or(|p| p != "--autosave")
        })
        .filter_map(|(_, a)| a.parse().ok())
        .collect();
    let npcs = nums.first().copied().unwrap_or(100_000);
    let ticks = nums.get(1).copied().unwrap_or(500) as u64;
    let mut options = WorldOptions {
        tick_budget,
        ..WorldOptions::default()
    };
    options.params.insert("npcs".into(), Value::Int(npcs));
    let mut sim = match skein_village::build_village(options) {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let autosave_dir =
        std::env::temp_dir().join(format!("village-autosave-{}", std::process::id()));
    let full_every = args
        .iter()
        .find_map(|a| a.strip_prefix("--full-every=")?.parse().ok())
        .unwrap_or(1);
    if let Some(every) = autosave_every {
        let mut opts =
            skein_save::autosave::AutosaveOptions::new(every, autosave_dir.join("auto.bin"));
        opts.full_every = full_every;
        skein_save::autosave::enable(&mut sim, opts);
    }
    let (c0, w0) = (cpu_seconds(), Instant::now());
    let mut lines = 0usize;
    let mut slowest = (0.0f64, 0u64);
    let mut slowest_cpu = (0u64, 0u64);
    let mut first_day = 0.0;
    for t in 0..ticks {
        let executed = sim.world.resource::<skein_world::Scheduler>().executed;
        let switches = sim.counters().switches;
        let (start, start_cpu) = (Instant::now(), thread_cpu_ns());
        sim.tick();
        let took = start.elapsed().as_secs_f64();
        let took_cpu = thread_cpu_ns().saturating_sub(start_cpu);
        if took_cpu > slowest_cpu.0 {
            slowest_cpu = (took_cpu, t);
        }
        if slow && took > 0.1 {
            eprintln!("tick {t}: {:.0} ms wall", took * 1e3);
        }
        if let Some(ms) = slow_cpu
            && took_cpu as f64 / 1e6 > ms
        {
            let s = sim.world.resource::<skein_world::Scheduler>();
            eprintln!(
                "tick {t}: {:.1} ms cpu, {} instructions, {} switches; ring {} and {} asleep after it",
                took_cpu as f64 / 1e6,
                s.executed - executed,
                sim.counters().switches - switches,
                s.ring.len(),
                s.sleepers.len()
            );
        }
        if took > slowest.0 {
            slowest = (took, t);
        }
        if t == 100 {
            first_day = cpu_seconds() - c0;
        }
        let (out, err) = sim.take_output();
        lines += out.lines().count();
        if log {
            print!("{out}");
        }
        eprint!("{err}");
    }
    let (cpu, wall) = (cpu_seconds() - c0, w0.elapsed().as_secs_f64());
    let c = sim.counters();
    if ticks > 100 {
        let rest = cpu - first_day;
        eprintln!(
            "after the first day (ticks 101..{ticks}): {:.1} ticks/s cpu",
            (ticks - 101) as f64 / rest.max(1e-9)
        );
    }
    eprintln!(
        "slowest tick: {} ({:.1} ms wall); most CPU: tick {} ({:.1} ms cpu); tick budget {}",
        slowest.1,
        slowest.0 * 1e3,
        slowest_cpu.1,
        slowest_cpu.0 as f64 / 1e6,
        tick_budget
    );
    eprintln!(
        "village npcs={npcs}: {ticks} ticks, {:.1} ticks/s cpu ({:.1} wall), {lines} log lines, \
         {} tasklets, {} switches, {} messages, peak RSS {:.0} MB",
        ticks as f64 / cpu.max(1e-9),
        ticks as f64 / wall.max(1e-9),
        c.tasklets,
        c.switches,
        c.messages,
        peak_rss_mb()
    );
    if let Some(stats) = skein_save::autosave::finish(&mut sim.world) {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        let copies = sim.world.resource::<skein_world::Scheduler>().copies;
        eprintln!(
            "autosave every {}: {} written, {} skipped, {} failed; pause max {:.2} ms, p99 {:.2} ms, \
             median {:.2} ms over {} autosaves; {} fiber copies ({:.1} ms); longest write {:.0} ms",
            autosave_every.unwrap_or(0),
            stats.written,
            stats.skipped,
            stats.failed,
            ms(stats.longest_pause()),
            ms(stats.pause_quantile(0.99)),
            ms(stats.pause_quantile(0.5)),
            stats.pauses.len(),
            copies.count,
            copies.nanos as f64 / 1e6,
            ms(stats.longest_write)
        );
        let fulls: Vec<u64> = stats.sizes.iter().filter(|s| !s.1).map(|s| s.0).collect();
        let deltas: Vec<u64> = stats.sizes.iter().filter(|s| s.1).map(|s| s.0).collect();
        if let Some(full) = fulls.iter().copied().max()
            && !deltas.is_empty()
        {
            let d: Vec<f64> = deltas.iter().map(|s| *s as f64 / full as f64).collect();
            eprintln!(
                "incremental (full every {full_every}): {} full (largest {:.2} MB), {} deltas: \
                 mean {:.1}%, max {:.1}% of the largest full save",
                fulls.len(),
                full as f64 / 1e6,
                d.len(),
                100.0 * d.iter().sum::<f64>() / d.len() as f64,
                100.0 * d.iter().copied().fold(0.0, f64::max)
            );
            let whole: Vec<u64> = stats.delta_records.iter().map(|r| r.0).collect();
            let patches: Vec<u64> = stats.delta_records.iter().map(|r| r.1).collect();
            eprintln!(
                "deltas hold whole records {whole:?} and component-only patches {patches:?} \
                 (of {} tasklets and channels)",
                c.tasklets
            );
        }
        let _ = std::fs::remove_dir_all(&autosave_dir);
    }
    if save {
        time_saves(&sim);
    }
    // Dropping 100 000 tasklets' worth of world is not part of the figure.
    std::mem::forget(sim);
}

/// Saves the world in compact RON and in the binary encoding, and loads
/// each back into a fresh world, timing every step (wall clock).
fn time_saves(sim: &skein_world::Simulation) {
    use skein_save::world_load::{CodePolicy, load_world_bytes};
    use skein_save::{Encoding, to_bytes, world_save::save_world};
    // The saves written straight from a snapshot (the same bytes as the
    // records'), first: the loads below leave their worlds in memory.
    // Binary:
    let t = Instant::now();
    let direct = skein_save::snapshot::Snapshot::take(&sim.world).and_then(|mut s| s.to_binary());
    let saved = t.elapsed().as_secs_f64();
    match direct {
        Ok(b) => eprintln!(
            "Binary save, direct: {:.2} MB in {saved:.2} s",
            b.len() as f64 / 1e6
        ),
        Err(e) => eprintln!("direct save failed: {e}"),
    }
    // The compact RON save written straight from a snapshot (same bytes).
    let t = Instant::now();
    let direct =
        skein_save::snapshot::Snapshot::take(&sim.world).and_then(|mut s| s.to_compact_ron());
    let saved = t.elapsed().as_secs_f64();
    match direct {
        Ok(b) => eprintln!(
            "Compact save, direct: {:.2} MB in {saved:.2} s",
            b.len() as f64 / 1e6
        ),
        Err(e) => eprintln!("direct compact save failed: {e}"),
    }
    for encoding in [Encoding::Compact, Encoding::Binary] {
        let t = Instant::now();
        let bytes = save_world(&sim.world).and_then(|s| to_bytes(&s, encoding));
        let saved = t.elapsed().as_secs_f64();
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => {
                eprintln!("save failed: {e}");
                return;
            }
        };
        let t = Instant::now();
        let mut fresh = skein_village::new_simulation(WorldOptions::default());
        // Binary: decoded in one pass; RON: parsed into records first.
        let loaded = load_world_bytes(&mut fresh.world, &bytes, CodePolicy::Saved);
        let load = t.elapsed().as_secs_f64();
        if let Err(e) = loaded {
            eprintln!("load failed: {e}");
            return;
        }
        eprintln!(
            "{encoding:?} save: {:.2} MB in {saved:.2} s; load in {load:.2} s",
            bytes.len() as f64 / 1e6
        );
        std::mem::forget(fresh);
    }
}
