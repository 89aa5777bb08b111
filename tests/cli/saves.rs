//! `--save`, `resume`, `--save-every` and `--load`: a world saved between
//! ticks and resumed prints what the uninterrupted run prints.

use std::path::Path;

use crate::harness::{BUSY, Run, TICKING, skein, temp_dir, write};

/// `run` straight through, and `run --ticks k --save` + `resume` for each
/// `k`, print the same stdout, error reports and deadlock lines.
fn resumes_like_the_whole_run(dir: &Path, script: &str, extra: &[&str], ks: &[u64]) {
    let mut whole_args = vec!["run", script];
    whole_args.extend_from_slice(extra);
    let whole = skein(dir, &whole_args).expect(0);
    assert!(!whole.stdout.is_empty());
    for k in ks {
        let save = format!("at{k}.ron");
        let ticks = k.to_string();
        let mut first_args = whole_args.clone();
        first_args.extend_from_slice(&["--ticks", &ticks, "--save", &save]);
        let first = skein(dir, &first_args).expect(0);
        let rest = skein(dir, &["resume", &save]).expect(0);
        assert_eq!(
            first.stdout.clone() + &rest.stdout,
            whole.stdout,
            "{script} split at tick {k}"
        );
        assert_eq!(
            first.report() + &rest.report(),
            whole.report(),
            "{script} split at tick {k}"
        );
    }
}

#[test]
fn save_then_resume_equals_an_uninterrupted_run() {
    let dir = temp_dir("save_resume");
    write(&dir, "ticking.sk", TICKING);
    write(&dir, "busy.sk", BUSY);
    resumes_like_the_whole_run(&dir, "ticking.sk", &["--seed", "7"], &[1, 2, 5, 11]);
    resumes_like_the_whole_run(&dir, "busy.sk", &["--budget", "700"], &[1, 3, 20]);
    // Ticks cut short by `--tick-budget` resume where the ring stopped.
    let cut = ["--budget", "700", "--tick-budget", "900"];
    resumes_like_the_whole_run(&dir, "busy.sk", &cut, &[1, 3, 20]);
}

/// `--tick-budget` runs the same lines over more ticks, and a resume that
/// changes it says the run is no longer an exact continuation.
#[test]
fn a_tick_budget_stretches_the_run_over_more_ticks() {
    let dir = temp_dir("tick_budget");
    write(&dir, "busy.sk", BUSY);
    let ticks = |run: &Run| {
        let line = run.stderr.lines().find(|l| l.starts_with("skein: "));
        let words = line.map(|l| l.split_whitespace().nth(1).unwrap_or(""));
        words
            .and_then(|w| w.parse::<u64>().ok())
            .expect("a closing line")
    };
    let free = skein(&dir, &["run", "busy.sk", "--budget", "700"]).expect(0);
    let args = ["run", "busy.sk", "--budget", "700", "--tick-budget", "900"];
    let cut = skein(&dir, &args).expect(0);
    assert!(
        ticks(&cut) > ticks(&free),
        "{}\n{}",
        free.stderr,
        cut.stderr
    );
    let mut saved = args.to_vec();
    saved.extend_from_slice(&["--ticks", "2", "--save", "w.ron"]);
    skein(&dir, &saved).expect(0);
    let changed = skein(&dir, &["resume", "w.ron", "--tick-budget", "0"]).expect(0);
    assert!(
        changed.stderr.contains("--tick-budget 0 (saved: 900)"),
        "{}",
        changed.stderr
    );
}

#[test]
fn the_seed_and_options_come_from_the_save() {
    let dir = temp_dir("resume_options");
    write(&dir, "ticking.sk", TICKING);
    let whole = skein(&dir, &["run", "ticking.sk", "--seed", "99"]).expect(0);
    skein(
        &dir,
        &[
            "run",
            "ticking.sk",
            "--seed",
            "99",
            "--ticks",
            "3",
            "--save",
            "w.ron",
        ],
    )
    .expect(0);
    let rest = skein(&dir, &["resume", "w.ron", "--seed", "1"]).expect(0);
    assert!(
        rest.stderr.contains("--seed 1 is ignored"),
        "{}",
        rest.stderr
    );
    assert!(whole.stdout.ends_with(&rest.stdout));

    let changed = skein(&dir, &["resume", "w.ron", "--budget", "50"]).expect(0);
    assert!(
        changed.stderr.contains("no longer an exact continuation"),
        "{}",
        changed.stderr
    );
}

#[test]
fn resaving_without_running_is_byte_identical() {
    let dir = temp_dir("resave");
    write(&dir, "ticking.sk", TICKING);
    for (name, flag) in [
        ("w.ron", None),
        ("c.ron", Some("--compact")),
        ("b.bin", None),
    ] {
        let mut args = vec!["run", "ticking.sk", "--ticks", "4", "--save", name];
        args.extend(flag);
        skein(&dir, &args).expect(0);
        let again = format!("again-{name}");
        let mut args = vec!["resume", name, "--ticks", "0", "--save", &again];
        args.extend(flag);
        let resaved = skein(&dir, &args).expect(0);
        assert_eq!(resaved.stdout, "", "nothing runs");
        let a = std::fs::read(dir.join(name)).expect("saved");
        let b = std::fs::read(dir.join(&again)).expect("re-saved");
        assert!(a == b, "{name}: the re-save differs");
    }
    let bin = std::fs::read(dir.join("b.bin")).expect("saved");
    assert!(bin.starts_with(b"\0skein-save\0"), "a .bin path is binary");
    let compact = std::fs::read_to_string(dir.join("c.ron")).expect("saved");
    assert_eq!(compact.lines().count(), 1, "compact RON is one line");
}

#[test]
fn save_every_keeps_the_previous_save_as_bak() {
    let dir = temp_dir("save_every");
    write(&dir, "ticking.sk", TICKING);
    let args = [
        "run",
        "ticking.sk",
        "--ticks",
        "7",
        "--save",
        "w.ron",
        "--save-every",
        "3",
    ];
    skein(&dir, &args).expect(0);
    let tick_of = |file: &str| -> String {
        let shown = skein(&dir, &["inspect", file]).expect(0).stdout;
        shown
            .lines()
            .find(|l| l.starts_with("tick "))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        tick_of("w.ron").starts_with("tick 7,"),
        "{}",
        tick_of("w.ron")
    );
    assert!(
        tick_of("w.ron.bak").starts_with("tick 6,"),
        "{}",
        tick_of("w.ron.bak")
    );
}

/// A tasklet extracted from one run and loaded into another at the end of
/// its tick 0 runs there beside the script's own.
#[test]
fn load_puts_a_selection_into_a_new_run() {
    let dir = temp_dir("load");
    write(&dir, "ticking.sk", TICKING);
    skein(
        &dir,
        &["run", "ticking.sk", "--ticks", "2", "--save", "w.ron"],
    )
    .expect(0);
    let ex = skein(
        &dir,
        &["extract", "w.ron", "--tasklet", "worker2", "-o", "part.ron"],
    )
    .expect(0);
    assert!(ex.stderr.contains("selected"), "{}", ex.stderr);

    let plain = skein(&dir, &["run", "ticking.sk"]).expect(0);
    let count = |r: &Run| r.stdout.matches("worker 2 step").count();
    let loaded = skein(
        &dir,
        &["run", "ticking.sk", "--load", "part.ron", "--schedule"],
    )
    .expect(0);
    // worker2 had done 1 step of 5 when it was saved: 4 more from the copy.
    assert_eq!(count(&loaded), count(&plain) + 4, "{}", loaded.stdout);

    let nothing = skein(
        &dir,
        &[
            "run",
            "ticking.sk",
            "--ticks",
            "0",
            "--load",
            "part.ron",
            "--save",
            "z.ron",
        ],
    )
    .expect(0);
    assert_eq!(nothing.stdout, "");
    let shown = skein(&dir, &["inspect", "z.ron"]).expect(0).stdout;
    assert!(
        !shown.contains("worker"),
        "--ticks 0 loads nothing:\n{shown}"
    );

    let world = skein(&dir, &["run", "ticking.sk", "--load", "w.ron"]).expect(2);
    assert_eq!(world.stdout, "", "nothing runs");
    assert!(world.stderr.contains("skein resume"), "{}", world.stderr);
}

/// `--code current` resumes on the scripts as they are now where no frame
/// runs changed code, and refuses (exit 2, naming the function) otherwise.
#[test]
fn resume_on_the_current_code() {
    let dir = temp_dir("code_current");
    write(&dir, "ticking.sk", TICKING);
    skein(
        &dir,
        &["run", "ticking.sk", "--ticks", "2", "--save", "w.ron"],
    )
    .expect(0);
    let saved = skein(&dir, &["resume", "w.ron"]).expect(0);
    // Main's top level has finished: changing it changes no saved frame.
    write(
        &dir,
        "ticking.sk",
        &TICKING.replace("w.name = \"waiter\"", "w.name = \"w\""),
    );
    let current = skein(&dir, &["resume", "w.ron", "--code", "current"]).expect(0);
    assert_eq!(current.stdout, saved.stdout);
    write(
        &dir,
        "ticking.sk",
        &TICKING.replace("\"pong got\"", "\"PONG\""),
    );
    let changed = skein(&dir, &["resume", "w.ron", "--code", "current"]).expect(2);
    assert!(changed.stderr.contains("pong"), "{}", changed.stderr);
    assert_eq!(changed.stdout, "");
}
