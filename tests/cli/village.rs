//! The bundled village: `skein` with no arguments in an empty folder, and
//! `check` of every village asset from its folder.

use std::path::Path;

use crate::harness::{skein, temp_dir};

#[test]
fn no_arguments_runs_and_saves_the_village() {
    let dir = temp_dir("village");
    let run = skein(&dir, &[]).expect(0);
    assert!(run.stdout.lines().count() > 50, "{}", run.stdout);
    assert!(run.stdout.starts_with("tick 0 | "), "{}", run.stdout);
    let save = dir.join("saves/village.ron");
    assert!(save.exists(), "{}", run.stderr);
    assert!(run.stderr.contains("skein: 1200 ticks, "), "{}", run.stderr);
    assert!(run.stderr.contains("saves/village.ron"), "{}", run.stderr);
    assert!(run.stderr.contains("skein resume"), "{}", run.stderr);
    assert!(run.stderr.contains("skein inspect"), "{}", run.stderr);

    let shown = skein(&dir, &["inspect", "saves/village.ron"])
        .expect(0)
        .stdout;
    assert!(shown.contains("tick 1200"), "{shown}");
    // NPCs show their saved components beside where their script stopped.
    assert!(shown.contains(" sleeping:\n"), "{shown}");
    assert!(shown.contains("position (x:"), "{shown}");
    let more = skein(&dir, &["resume", "saves/village.ron", "--ticks", "100"]).expect(0);
    assert!(
        more.stderr.contains("skein: 100 ticks, "),
        "{}",
        more.stderr
    );

    // `skein village` with options: the same scenario, quietly.
    let quiet = skein(&dir, &["village", "-q", "--ticks", "20", "--save", "v.ron"]).expect(0);
    assert_eq!(quiet.stdout, "");
    assert!(dir.join("v.ron").exists());
    let npc = skein(
        &dir,
        &["extract", "v.ron", "--tasklet", "ada", "-o", "ada.ron"],
    )
    .expect(0);
    assert!(npc.stderr.contains("selected"), "{}", npc.stderr);
}

#[test]
fn every_village_asset_checks() {
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/village");
    let mut n = 0;
    for entry in std::fs::read_dir(&assets).expect("assets/village") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "sk") {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let run = skein(&assets, &["check", name]).expect(0);
            assert_eq!(run.stdout, "", "{name}");
            n += 1;
        }
    }
    assert!(n >= 5, "only {n} village scripts");
}
