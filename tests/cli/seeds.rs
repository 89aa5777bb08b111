//! The seed's examples (`crates/skein-save/tests/seed/`, the original
//! Stackless pickling page's examples as Skein scripts) print exactly their
//! `.out` through `skein run`.

use crate::harness::{seed_dir, skein};

#[test]
fn seed_examples_print_their_expected_output() {
    let dir = seed_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("crates/skein-save/tests/seed in the repository")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sk"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 5, "{names:?}");
    for name in &names {
        let expected = std::fs::read_to_string(dir.join(name.replace(".sk", ".out")))
            .expect("each example has its .out");
        let run = skein(&dir, &["run", name]).expect(0);
        assert_eq!(run.stdout, expected, "{name}");
        assert!(
            !run.stderr.contains("Uncaught error"),
            "{name}:\n{}",
            run.stderr
        );
    }
}
