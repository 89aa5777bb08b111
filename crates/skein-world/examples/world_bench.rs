//! Measures the world's scheduling costs (issue 3's speed targets) with
//! process CPU time: round robin, channel ping-pong, spawning, a game tick,
//! skynet, and peak RSS of blocked tasklets.
//!
//! `cargo run --release -p skein-world --example world_bench -- [case] [n] [ticks]`
//! (ticks: `gametick` only, 100 by default)

use std::time::Instant;

use skein_world::{Simulation, WorldOptions};

#[path = "../../../benches/support/proc_stats.rs"]
mod proc_stats;
use proc_stats::{cpu_seconds, peak_rss_kb};

fn world(src: &str, budget: u64) -> Simulation {
    let mut sim = Simulation::new(WorldOptions {
        budget,
        ..WorldOptions::default()
    });
    if let Err(e) = sim.load_main_source("bench", src) {
        eprintln!("{e}");
        std::process::exit(2);
    }
    sim
}

/// Runs until idle; returns (CPU seconds, wall seconds, ticks).
fn time(sim: &mut Simulation) -> (f64, f64, u64) {
    let (c0, w0) = (cpu_seconds(), Instant::now());
    let ticks = sim.run_until_idle(u64::MAX);
    let out = sim.take_output();
    if !out.1.is_empty() {
        eprint!("{}", out.1);
    }
    (cpu_seconds() - c0, w0.elapsed().as_secs_f64(), ticks)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let case = args.get(1).map_or("all", |s| s.as_str());
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let cases = [
        "round", "pingpong", "spawn", "gametick", "skynet", "blocked", "sizes",
    ];
    for c in cases {
        if case != "all" && case != c {
            continue;
        }
        match c {
            "round" => {
                let rounds = 20;
                let src = format!(
                    "import stackless\ndef f(r):\n    for i in range(r):\n        stackless.schedule()\n\
for i in range({n}):\n    stackless.tasklet(f)({rounds})\n"
                );
                let mut sim = world(&src, 0);
                sim.tick(); // spawning and the first round
                let (cpu, wall, _) = time(&mut sim);
                let switches = n * (rounds - 1);
                println!(
                    "round robin {n} tasklets: {:.1} ns/switch cpu ({:.1} wall)",
                    cpu * 1e9 / switches as f64,
                    wall * 1e9 / switches as f64
                );
            }
            "pingpong" => {
                let src = format!(
                    "import stackless\nch = stackless.channel()\n\
def ping(n):\n    for i in range(n):\n        ch.send(i)\n\
def pong(n):\n    for i in range(n):\n        ch.receive()\n\
stackless.tasklet(ping)({n})\nstackless.tasklet(pong)({n})\n"
                );
                let mut sim = world(&src, 0);
                let (cpu, wall, _) = time(&mut sim);
                println!(
                    "ping-pong {n} messages: {:.1} ns/message cpu ({:.1} wall)",
                    cpu * 1e9 / n as f64,
                    wall * 1e9 / n as f64
                );
            }
            "spawn" => {
                let src = format!(
                    "import stackless\ndef f():\n    pass\nfor i in range({n}):\n    stackless.tasklet(f)()\n"
                );
                let mut sim = world(&src, 0);
                let (c0, w0) = (cpu_seconds(), Instant::now());
                sim.tick();
                let (cpu, wall) = (cpu_seconds() - c0, w0.elapsed().as_secs_f64());
                println!(
                    "spawn+run+end {n} tasklets: {:.1} ns/tasklet cpu ({:.1} wall)",
                    cpu * 1e9 / n as f64,
                    wall * 1e9 / n as f64
                );
            }
            "gametick" => {
                let src = format!(
                    "import stackless\nimport sim\n\
def npc(k):\n    sim.sleep(k % 10 + 1)\n    x = 0\n    while True:\n        for i in range(8):\n            x = x + i * 2\n        sim.sleep(10)\n\
for i in range({n}):\n    stackless.tasklet(npc)(i)\n"
                );
                let mut sim = world(&src, 10_000);
                sim.run(12);
                // A third argument changes the measured ticks, so that two
                // runs' instruction counts differ by ticks alone.
                let ticks: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100);
                let (c0, w0) = (cpu_seconds(), Instant::now());
                sim.run(ticks);
                let (cpu, wall) = (cpu_seconds() - c0, w0.elapsed().as_secs_f64());
                println!(
                    "game tick, {n} tasklets, 10% wake: {:.3} ms/tick cpu ({:.3} wall)",
                    cpu * 1e3 / ticks as f64,
                    wall * 1e3 / ticks as f64
                );
            }
            "skynet" => {
                let src = format!(
                    "import stackless\n\
def skynet(out, num, size):\n    if size == 1:\n        out.send(num)\n        return\n    ch = stackless.channel()\n    sub = size // 10\n    for i in range(10):\n        stackless.tasklet(skynet)(ch, num + i * sub, sub)\n    total = 0\n    for i in range(10):\n        total += ch.receive()\n    out.send(total)\n\
def main():\n    ch = stackless.channel()\n    stackless.tasklet(skynet)(ch, 0, {n})\n    print(ch.receive())\n\
main()\n"
                );
                let mut sim = world(&src, 0);
                let (cpu, wall, _) = time(&mut sim);
                println!("skynet {n}: {:.3} s cpu ({:.3} wall)", cpu, wall);
            }
            "blocked" => {
                let src = format!(
                    "import stackless\nch = stackless.channel()\n\
def w():\n    ch.receive()\n\
for i in range({n}):\n    stackless.tasklet(w)()\n"
                );
                let before = peak_rss_kb();
                let mut sim = world(&src, 0);
                sim.tick();
                let after = peak_rss_kb();
                println!(
                    "{n} tasklets blocked on a channel: peak RSS {} KB, {:.0} bytes/tasklet",
                    after,
                    (after.saturating_sub(before)) as f64 * 1024.0 / n as f64
                );
            }
            "sizes" => {
                use skein_world::{ChannelState, Suspension, TaskletFiber, TaskletState, Wait};
                use std::mem::size_of;
                println!(
                    "bytes: TaskletState {}, Wait {}, Suspension {}, TaskletFiber {}, ChannelState {}, Fiber {}, Frame {}",
                    size_of::<TaskletState>(),
                    size_of::<Wait>(),
                    size_of::<Suspension>(),
                    size_of::<TaskletFiber>(),
                    size_of::<ChannelState>(),
                    size_of::<skein_vm::Fiber>(),
                    size_of::<skein_vm::Frame>()
                );
            }
            _ => {}
        }
    }
}
