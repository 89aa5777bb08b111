//! Exit codes and messages for what users get wrong (docs/cli.md).

use crate::harness::{TICKING, skein, temp_dir, write};

#[test]
fn missing_files_are_exit_2_and_named() {
    let dir = temp_dir("missing");
    for args in [
        &["run", "nowhere.sk"][..],
        &["resume", "nowhere.ron"],
        &["inspect", "nowhere.ron"],
        &["extract", "nowhere.ron", "--tasklet", "a", "-o", "p.ron"],
        &["check", "nowhere.sk"],
    ] {
        let run = skein(&dir, args).expect(2);
        assert!(run.stderr.contains("nowhere"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn bad_flags_are_exit_2() {
    let dir = temp_dir("flags");
    write(&dir, "ticking.sk", TICKING);
    for args in [
        &["run", "ticking.sk", "--bogus"][..],
        &["run", "ticking.sk", "--ticks", "-3"],
        &["run", "ticking.sk", "--save-every", "2"],
        &["run", "ticking.sk", "--param", "x"],
        &["resume", "w.ron", "--code", "newest"],
        &["frobnicate"],
    ] {
        let run = skein(&dir, args).expect(2);
        assert!(run.stderr.contains("error"), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn corrupt_saves_are_exit_2_with_a_position() {
    let dir = temp_dir("corrupt");
    write(&dir, "ticking.sk", TICKING);
    skein(
        &dir,
        &["run", "ticking.sk", "--ticks", "2", "--save", "w.ron"],
    )
    .expect(0);
    let good = std::fs::read_to_string(dir.join("w.ron")).expect("saved");
    let cut = &good[..good.len() / 2];
    write(&dir, "cut.ron", cut);
    write(
        &dir,
        "junk.ron",
        "(header: (format: \"skein-save\", version: 2, oops\n",
    );
    for file in ["cut.ron", "junk.ron"] {
        for cmd in ["resume", "inspect"] {
            let run = skein(&dir, &[cmd, file]).expect(2);
            assert!(run.stderr.contains(&format!("{file}:")), "{}", run.stderr);
            assert_eq!(run.stdout, "");
        }
    }
    write(&dir, "empty.bin", "\0skein-save\0\u{1}");
    skein(&dir, &["resume", "empty.bin"]).expect(2);
}

#[test]
fn a_selection_given_to_resume_is_exit_2_with_how_to_load_it() {
    let dir = temp_dir("resume_selection");
    write(&dir, "ticking.sk", TICKING);
    skein(
        &dir,
        &["run", "ticking.sk", "--ticks", "2", "--save", "w.ron"],
    )
    .expect(0);
    skein(
        &dir,
        &["extract", "w.ron", "--tasklet", "waiter", "-o", "p.ron"],
    )
    .expect(0);
    let run = skein(&dir, &["resume", "p.ron"]).expect(2);
    assert!(run.stderr.contains("--load p.ron"), "{}", run.stderr);
}

#[test]
fn compile_errors_are_exit_2_with_file_line_and_column() {
    let dir = temp_dir("compile_error");
    write(&dir, "bad.sk", "x = 1\ny = (2 +\n");
    let run = skein(&dir, &["run", "bad.sk"]).expect(2);
    assert!(run.stderr.contains("bad.sk:"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn strict_makes_an_uncaught_error_exit_1() {
    let dir = temp_dir("strict");
    write(&dir, "oops.sk", "print('before')\n1 / 0\n");
    let lax = skein(&dir, &["run", "oops.sk"]).expect(0);
    assert_eq!(lax.stdout, "before\n");
    let expected = "Uncaught error in <tasklet #1>:\nTraceback (most recent call last):\n  \
                    File \"oops.sk\", line 2, in <module>\n    1 / 0\nZeroDivisionError: division by zero\n";
    assert!(lax.stderr.starts_with(expected), "{}", lax.stderr);
    skein(&dir, &["run", "oops.sk", "--strict"]).expect(1);
}

#[test]
fn a_save_that_cannot_be_written_is_exit_3() {
    let dir = temp_dir("unwritable");
    write(&dir, "ticking.sk", TICKING);
    write(&dir, "afile", "");
    let run = skein(
        &dir,
        &["run", "ticking.sk", "--ticks", "2", "--save", "afile/w.ron"],
    )
    .expect(3);
    assert!(run.stderr.contains("afile"), "{}", run.stderr);
}

#[test]
fn the_closing_line_counts_the_run() {
    let dir = temp_dir("closing");
    write(&dir, "ticking.sk", TICKING);
    let run = skein(&dir, &["run", "ticking.sk"]).expect(0);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("skein: 16 ticks, 1 tasklet alive, ")
            && last.contains(" switches, 6 channel messages, ")
            && last.contains("s wall, ")
            && last.ends_with("s CPU"),
        "{last}"
    );
    assert!(
        run.stderr.contains(
            "deadlock: <tasklet waiter> blocked receiving on <channel #8> at ticking.sk:"
        ),
        "{}",
        run.stderr
    );
}

/// Ctrl-C finishes the tick, saves, and exits with 130.
#[cfg(unix)]
#[test]
fn ctrl_c_saves_and_exits_130() {
    use std::io::Read;
    use std::process::{Command, Stdio};

    let dir = temp_dir("ctrl_c");
    write(
        &dir,
        "forever.sk",
        "import stackless\nimport sim\nprint('started')\nwhile True:\n    stackless.schedule()\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_skein"))
        .args(["run", "forever.sk", "--save", "f.ron"])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the skein binary starts");
    // Wait until it runs (the handler is installed before tick 0).
    let mut first = [0u8; 8];
    let mut stdout = child.stdout.take().expect("piped");
    stdout.read_exact(&mut first).expect("the script prints");
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().expect("it ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(dir.join("f.ron").exists(), "{stderr}");
}
