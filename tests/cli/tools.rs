//! `inspect` (text and JSON) and `extract`.

use crate::harness::{TICKING, skein, temp_dir, write};

#[test]
fn inspect_shows_tasklets_channels_tick_and_modules() {
    let dir = temp_dir("inspect");
    write(&dir, "ticking.sk", TICKING);
    skein(
        &dir,
        &["run", "ticking.sk", "--ticks", "3", "--save", "w.ron"],
    )
    .expect(0);
    let text = skein(&dir, &["inspect", "w.ron"]).expect(0).stdout;
    for want in [
        "world save",
        "tick 3",
        "ticking (ticking.sk)",
        "worker1",
        "sleeping until tick",
        "ticking.sk:8 in worker",
        "waiter",
        "blocked receiving on channel #",
        "tasklets: 7 (1 runnable, 2 blocked on a channel, 3 sleeping, 1 dead)",
        " sleeping:\n  #2 worker0: sleeping until tick",
    ] {
        assert!(text.contains(want), "no {want:?} in:\n{text}");
    }

    let json = skein(&dir, &["inspect", "w.ron", "--json"])
        .expect(0)
        .stdout;
    let v: serde_json::Value = serde_json::from_str(&json).expect("inspect --json is JSON");
    assert_eq!(v["tick"], 3, "{json}");
    let tasklets = v["tasklets"].as_array().expect("a list of tasklets");
    let waiter = tasklets
        .iter()
        .find(|t| t["name"] == "waiter")
        .expect("the waiter is listed");
    assert_eq!(waiter["group"], "blocked", "{waiter}");
    assert_eq!(waiter["at"], "ticking.sk:29 in waiter", "{waiter}");
    assert_eq!(v["channels"][0]["balance"], -1, "{json}");
}

#[test]
fn extract_writes_a_selection_and_says_why() {
    let dir = temp_dir("extract");
    write(&dir, "ticking.sk", TICKING);
    skein(
        &dir,
        &["run", "ticking.sk", "--ticks", "3", "--save", "w.ron"],
    )
    .expect(0);
    let ex = skein(
        &dir,
        &["extract", "w.ron", "--tasklet-id", "7", "-o", "part.ron"],
    )
    .expect(0);
    // pong (#7), and the channel it is blocked on, which its frame holds.
    assert!(ex.stderr.contains("selected"), "{}", ex.stderr);
    assert!(ex.stderr.contains("channel #"), "{}", ex.stderr);
    assert!(ex.stderr.contains("reached from"), "{}", ex.stderr);
    let text = skein(&dir, &["inspect", "part.ron"]).expect(0).stdout;
    assert!(text.starts_with("selection save"), "{text}");
    assert!(text.contains("in pong"), "{text}");
    assert!(!text.contains("worker"), "{text}");
    assert!(text.contains("waiters [#1]"), "{text}");

    let none = skein(
        &dir,
        &["extract", "w.ron", "--tasklet", "nobody", "-o", "p2.ron"],
    )
    .expect(2);
    assert!(none.stderr.contains("nobody"), "{}", none.stderr);
    assert!(!dir.join("p2.ron").exists());
    skein(
        &dir,
        &["extract", "w.ron", "--channel", "999", "-o", "p3.ron"],
    )
    .expect(2);
    skein(
        &dir,
        &["extract", "w.ron", "--tasklet", "waiter", "-o", "p4.bin"],
    )
    .expect(0);
    let bin = std::fs::read(dir.join("p4.bin")).expect("written");
    assert!(bin.starts_with(b"\0skein-save\0"));
}
