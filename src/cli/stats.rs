//! The closing line on stderr: what the run did and what it cost.

use std::time::{Duration, Instant};

use skein_world::{RunCounters, Simulation, TaskletState};

/// Wall and CPU clocks started together, and the world's counters then
/// (a resumed world's counters include the runs before the save).
pub struct Clock {
    wall: Instant,
    cpu: Option<Duration>,
    counters: RunCounters,
}

impl Clock {
    pub fn start(sim: &Simulation) -> Clock {
        Clock {
            wall: Instant::now(),
            cpu: cpu_time(),
            counters: sim.counters(),
        }
    }
}

/// The closing line: ticks run, tasklets alive, switches and channel
/// messages of this run, and the time this process took.
pub fn closing_line(sim: &mut Simulation, ticks: u64, clock: &Clock) -> String {
    let alive = sim
        .world
        .query::<&TaskletState>()
        .iter(&sim.world)
        .filter(|t| t.alive)
        .count();
    let now = sim.counters();
    let c = RunCounters {
        switches: now.switches.saturating_sub(clock.counters.switches),
        messages: now.messages.saturating_sub(clock.counters.messages),
        ..now
    };
    let wall = clock.wall.elapsed().as_secs_f64();
    let cpu = match (clock.cpu, cpu_time()) {
        (Some(a), Some(b)) => format!("{:.3}s CPU", b.saturating_sub(a).as_secs_f64()),
        _ => "CPU time unknown".to_string(),
    };
    format!(
        "skein: {ticks} {}, {alive} {} alive, {} {}, {} channel {}, {wall:.3}s wall, {cpu}",
        plural(ticks, "tick", "ticks"),
        plural(alive as u64, "tasklet", "tasklets"),
        c.switches,
        plural(c.switches, "switch", "switches"),
        c.messages,
        plural(c.messages, "message", "messages"),
    )
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// User plus system CPU time of this process, which std does not expose.
#[cfg(unix)]
#[allow(unsafe_code)]
fn cpu_time() -> Option<Duration> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage only writes the struct it is given, which is
    // zero-initialised, properly aligned and owned here.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: getrusage returned 0, so it filled the struct (and a zeroed
    // rusage is a valid value anyway).
    let usage = unsafe { usage.assume_init() };
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    Some(tv(usage.ru_utime) + tv(usage.ru_stime))
}

#[cfg(not(unix))]
fn cpu_time() -> Option<Duration> {
    None
}
