//! `--tick-rate HZ`: ticks paced to the wall clock on `run`, `resume` and
//! `village`, with the same output as an unpaced run. Only lower bounds on
//! wall time are asserted: a loaded machine may always be slower.

use std::time::{Duration, Instant};

use crate::harness::{TICKING, skein, temp_dir, write};

#[test]
fn a_paced_run_takes_its_slots_and_prints_the_same() {
    let dir = temp_dir("pacing_run");
    write(&dir, "ticking.sk", TICKING);
    let flat = skein(&dir, &["run", "ticking.sk", "--ticks", "6"]).expect(0);
    let start = Instant::now();
    let paced = skein(
        &dir,
        &["run", "ticking.sk", "--ticks", "6", "--tick-rate", "50"],
    )
    .expect(0);
    // Six ticks at 50 Hz: five waits of 20 ms between them.
    assert!(start.elapsed() >= Duration::from_millis(100));
    assert_eq!(paced.stdout, flat.stdout);
    assert_eq!(paced.report(), flat.report());
}

#[test]
fn resume_and_village_take_a_tick_rate_too() {
    let dir = temp_dir("pacing_resume");
    write(&dir, "ticking.sk", TICKING);
    skein(
        &dir,
        &["run", "ticking.sk", "--ticks", "2", "--save", "t.ron"],
    )
    .expect(0);
    let start = Instant::now();
    skein(
        &dir,
        &["resume", "t.ron", "--ticks", "4", "--tick-rate", "40"],
    )
    .expect(0);
    assert!(start.elapsed() >= Duration::from_millis(75));

    let start = Instant::now();
    let village = skein(
        &dir,
        &[
            "village",
            "-q",
            "--ticks",
            "5",
            "--tick-rate",
            "50",
            "--save",
            "v.ron",
        ],
    )
    .expect(0);
    assert!(start.elapsed() >= Duration::from_millis(80));
    assert!(
        village.stderr.contains("skein: 5 ticks, "),
        "{}",
        village.stderr
    );
}

#[test]
fn an_overrun_is_reported_under_verbose() {
    let dir = temp_dir("pacing_overrun");
    // Each tick does far more than a microsecond of work.
    write(
        &dir,
        "busy.sk",
        "total = 0\nfor i in range(20000):\n    total += i\nprint(total)\n",
    );
    let run = skein(
        &dir,
        &[
            "-v",
            "run",
            "busy.sk",
            "--budget",
            "5000",
            "--tick-rate",
            "1000000",
        ],
    )
    .expect(0);
    assert_eq!(run.stdout, "199990000\n");
    assert!(run.stderr.contains("overran its slot"), "{}", run.stderr);
}

#[test]
fn a_bad_rate_is_a_usage_error() {
    let dir = temp_dir("pacing_bad");
    write(&dir, "ticking.sk", TICKING);
    let run = skein(&dir, &["run", "ticking.sk", "--tick-rate", "0"]).expect(2);
    assert!(run.stderr.contains("--tick-rate"), "{}", run.stderr);
}
