//! `SkeinPlugin::trace`: the plugin writes a Chrome trace with a span per
//! tick and per tasklet slice. A test binary of its own: tracing caches per
//! span site whether any subscriber wants it, and apps ticking on other
//! test threads without the trace's subscriber would race with that cache.

use std::path::Path;

use bevy_app::App;
use skein_save::app::SkeinSavePlugin;
use skein_world::Output;
use skein_world::app::SkeinPlugin;

const SCRIPT: &str = r#"import sim
import stackless

def worker(n, ch):
    for i in range(3):
        sim.sleep(n + 1)
    ch.send(n)

ch = stackless.channel()
for n in range(3):
    stackless.tasklet(worker)(n, ch)
total = 0
for _ in range(3):
    total += ch.receive()
print("total", total)
"#;

#[test]
fn the_plugin_writes_a_trace_of_ticks_and_slices() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("app_trace");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    std::fs::write(dir.join("work.sk"), SCRIPT).expect("the script written");
    let path = dir.join("trace.json");
    let mut app = App::new();
    let skein = SkeinPlugin::new()
        .main_file(dir.join("work.sk"))
        .capture_output()
        .exit_when_idle()
        .trace(&path);
    let autosave = SkeinSavePlugin::new().autosave(2, dir.join("auto.ron"));
    app.add_plugins((skein, autosave));
    app.finish();
    app.cleanup();
    let mut updates = 0;
    while app.should_exit().is_none() {
        assert!(updates < 1000, "the world never went idle");
        app.update();
        updates += 1;
    }
    assert_eq!(
        app.world_mut().resource_mut::<Output>().take().0,
        "total 3\n"
    );
    // The last write finishes before the trace is completed.
    skein_save::autosave::finish(app.world_mut());
    drop(app); // Completes the file.

    let text = std::fs::read_to_string(&path).expect("the trace");
    let events: Vec<serde_json::Value> = serde_json::from_str(&text).expect("valid JSON");
    let ends = |f: &dyn Fn(&serde_json::Value) -> bool| {
        events.iter().filter(|e| e["ph"] == "E" && f(e)).count() as u64
    };
    assert_eq!(ends(&|e| e["name"] == "tick"), updates, "{text}");
    // Main (#1) and the three workers (#3 to #5; the channel is #2) each
    // ran at least one slice, with its instructions counted.
    for id in [1, 3, 4, 5] {
        let id = id.to_string();
        let counted = |e: &serde_json::Value| {
            e["args"]["tasklet"] == id.as_str()
                && e["args"]["instructions"]
                    .as_str()
                    .and_then(|n| n.parse::<u64>().ok())
                    .is_some_and(|n| n > 0)
        };
        assert!(ends(&counted) >= 1, "{text}");
    }
    // Every second tick's autosave: its snapshot, and its write (on the
    // writer's thread, also on this timeline).
    // (One due while the previous write still runs is skipped, so how
    // many depends on the machine's speed.)
    let snapshots = ends(&|e| e["name"] == "autosave snapshot");
    let even = |e: &serde_json::Value| {
        e["args"]["tick"]
            .as_str()
            .and_then(|t| t.parse::<u64>().ok())
            .is_some_and(|t| t % 2 == 0)
    };
    assert!(snapshots >= 1, "{text}");
    assert_eq!(
        ends(&|e| e["name"] == "autosave snapshot" && even(e)),
        snapshots
    );
    assert_eq!(
        ends(&|e| e["name"] == "autosave write"),
        snapshots,
        "{text}"
    );
    assert!(dir.join("auto.ron").exists());
}
