//! `skein inspect SAVE --tasklet NAME|#ID`: a tasklet's whole stack with
//! its locals, compared with golden files in `tests/cli/stacks/`
//! (`SKEIN_BLESS=1` rewrites them); and `--trace FILE`, a Chrome trace with
//! a span per tick and per tasklet slice.

use std::path::Path;

use crate::harness::{skein, temp_dir};

fn golden(name: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/stacks")
        .join(name);
    if std::env::var_os("SKEIN_BLESS").is_some() {
        std::fs::write(&path, got).expect("golden file written");
        return;
    }
    let want = std::fs::read_to_string(&path).expect("golden file (SKEIN_BLESS=1 writes it)");
    assert_eq!(got, want, "{name} differs (SKEIN_BLESS=1 to accept)");
}

/// The stacks script run for `ticks` ticks (all of them with `None`) and saved.
fn saved(name: &str, ticks: Option<&str>) -> std::path::PathBuf {
    let dir = temp_dir(name);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/stacks/stacks.sk");
    std::fs::copy(script, dir.join("stacks.sk")).expect("the script copied");
    let mut args = vec!["run", "stacks.sk", "-q", "--save", "s.ron"];
    if let Some(n) = ticks {
        args.extend(["--ticks", n]);
    }
    skein(&dir, &args).expect(0);
    dir
}

#[test]
fn a_tasklet_stack_reads_like_a_traceback_with_locals() {
    let dir = saved("stacks_deadlocked", None);
    let ada = skein(&dir, &["inspect", "s.ron", "--tasklet", "ada"]).expect(0);
    golden("ada.txt", &ada.stdout);
    let by_id = skein(&dir, &["inspect", "s.ron", "--tasklet", "#3"]).expect(0);
    assert_eq!(by_id.stdout, ada.stdout);
    let full = skein(&dir, &["inspect", "s.ron", "--tasklet", "bo", "--full"]).expect(0);
    golden("bo_full.txt", &full.stdout);
    let main = skein(&dir, &["inspect", "s.ron", "--tasklet", "#1"]).expect(0);
    golden("main.txt", &main.stdout);
}

#[test]
fn a_sleeping_tasklet_shows_its_loop_state() {
    let dir = saved("stacks_sleeping", Some("3"));
    let ada = skein(&dir, &["inspect", "s.ron", "--tasklet", "ada"]).expect(0);
    golden("ada_sleeping.txt", &ada.stdout);
}

#[test]
fn no_such_tasklet_or_a_selection_is_exit_2() {
    let dir = saved("stacks_errors", Some("1"));
    let none = skein(&dir, &["inspect", "s.ron", "--tasklet", "nobody"]).expect(2);
    assert_eq!(none.stderr, "error: s.ron: no tasklet is nobody\n");
    skein(
        &dir,
        &["extract", "s.ron", "--tasklet", "ada", "-o", "part.ron"],
    )
    .expect(0);
    let part = skein(&dir, &["inspect", "part.ron", "--tasklet", "ada"]).expect(2);
    assert!(part.stderr.contains("selection"), "{}", part.stderr);
    let json = skein(&dir, &["inspect", "s.ron", "--tasklet", "ada", "--json"]).expect(2);
    assert!(json.stderr.contains("--json"), "{}", json.stderr);
}

#[test]
fn a_trace_has_a_span_per_tick_and_per_slice() {
    let dir = saved("trace", Some("1"));
    let run = skein(
        &dir,
        &["run", "stacks.sk", "--ticks", "5", "--trace", "trace.json"],
    )
    .expect(0);
    assert!(run.stderr.contains("skein: 5 ticks"), "{}", run.stderr);
    let text = std::fs::read_to_string(dir.join("trace.json")).expect("the trace");
    let events: Vec<serde_json::Value> = serde_json::from_str(&text).expect("valid JSON");
    let spans = |name: &str, ph: &str| -> Vec<&serde_json::Value> {
        events
            .iter()
            .filter(|e| e["name"] == name && e["ph"] == ph)
            .collect()
    };
    // A slice is titled with its tasklet, and its arguments name it too.
    let slices_of = |name: &str| -> Vec<&serde_json::Value> {
        let ends = spans(name, "E");
        for s in &ends {
            assert_eq!(s["args"]["name"], name, "{s}");
        }
        ends
    };
    let ticks = spans("tick", "E");
    assert_eq!(ticks.len(), 5, "{text}");
    assert_eq!(spans("tick", "B").len(), 5);
    for (i, t) in ticks.iter().enumerate() {
        assert_eq!(t["args"]["tick"], i.to_string());
        for field in ["instructions", "switches", "messages"] {
            assert!(t["args"][field].is_string(), "{field} in {t}");
        }
    }
    // Tick 0: main, ada and bo; then ada and bo wake on ticks 2 and 4.
    assert_eq!(slices_of("<tasklet #1>").len(), 1, "{text}");
    assert_eq!(slices_of("<tasklet bo>").len(), 2, "{text}");
    let ada = slices_of("<tasklet ada>");
    assert_eq!(ada.len(), 3, "{text}");
    for s in &ada {
        assert_eq!(s["args"]["tasklet"], "3");
        assert_eq!(s["args"]["switches"], "1");
        let n: u64 = s["args"]["instructions"]
            .as_str()
            .and_then(|n| n.parse().ok())
            .expect("a count");
        assert!(n > 0);
    }
    // A tasklet that yields every tick: one slice per tick, none for the
    // head that has already yielded when the tick ends.
    let spin = "import stackless\nwhile True:\n    stackless.schedule()\n";
    std::fs::write(dir.join("spin.sk"), spin).expect("written");
    skein(
        &dir,
        &["run", "spin.sk", "--ticks", "4", "--trace", "spin.json"],
    )
    .expect(0);
    let text = std::fs::read_to_string(dir.join("spin.json")).expect("the trace");
    let events: Vec<serde_json::Value> = serde_json::from_str(&text).expect("valid JSON");
    let main_slices = events
        .iter()
        .filter(|e| e["ph"] == "E" && e["args"]["tasklet"] == "1")
        .count();
    assert_eq!(main_slices, 4, "{text}");
    // Everything written is Skein's.
    assert!(events.iter().all(|e| e["cat"] == "skein" || e["ph"] == "M"));

    // Autosaves are on the timeline: the snapshot at the tick boundary and
    // the write on its own thread, each with its tick.
    skein(
        &dir,
        &[
            "run",
            "spin.sk",
            "--ticks",
            "6",
            "--autosave-every",
            "2",
            "--autosave",
            "auto.ron",
            "--trace",
            "auto.json",
        ],
    )
    .expect(0);
    let text = std::fs::read_to_string(dir.join("auto.json")).expect("the trace");
    let events: Vec<serde_json::Value> = serde_json::from_str(&text).expect("valid JSON");
    let ticks_of = |name: &str| -> Vec<String> {
        let mut t: Vec<String> = events
            .iter()
            .filter(|e| e["name"] == name && e["ph"] == "E")
            .map(|e| e["args"]["tick"].as_str().unwrap_or("?").to_string())
            .collect();
        t.sort();
        t
    };
    // One due while the last write still runs is skipped (how many depends
    // on the machine), so: each span is of a due tick, and every snapshot
    // taken was written.
    let snapshots = ticks_of("autosave snapshot");
    assert!(!snapshots.is_empty(), "{text}");
    assert!(
        snapshots
            .iter()
            .all(|t| ["2", "4", "6"].contains(&t.as_str())),
        "{text}"
    );
    assert_eq!(ticks_of("autosave write"), snapshots, "{text}");
    let write = events
        .iter()
        .find(|e| e["name"] == "autosave write" && e["ph"] == "E")
        .expect("a write span");
    let bytes: u64 = write["args"]["bytes"]
        .as_str()
        .and_then(|n| n.parse().ok())
        .expect("bytes");
    assert!(bytes > 0, "{write}");
}

#[test]
fn an_unwritable_trace_is_exit_3() {
    let dir = saved("trace_unwritable", Some("1"));
    std::fs::create_dir_all(dir.join("folder")).expect("a folder");
    let run = skein(&dir, &["run", "stacks.sk", "--trace", "folder"]).expect(3);
    assert!(
        run.stderr.contains("cannot write the trace"),
        "{}",
        run.stderr
    );
}
