//! What the bench examples read about their own process from `/proc`
//! (Linux; zeros elsewhere): CPU time and peak resident memory. Each bench
//! includes this file as a module and uses part of it.
#![allow(dead_code)]

/// utime + stime of this process, in seconds (10 ms steps).
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// This thread's CPU time in nanoseconds, from the scheduler's own
/// accounting (`/proc/thread-self/schedstat`): precise enough to time one
/// tick, where `/proc/self/stat` counts in 10 ms steps.
pub fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The process's peak resident set (`VmHWM`), in KiB.
pub fn peak_rss_kb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
