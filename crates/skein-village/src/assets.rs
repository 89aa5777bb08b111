//! The village scripts, built into the crate with `include_str!` so an
//! installed binary runs the village with no files around it, and the
//! resolver that serves them to the loader as if they were on disk.

use skein_script::loader::SourceResolver;

/// The main module's name; its file is `village.sk`.
pub const MAIN: &str = "village";

/// Every village module as (file name, source), the main one first.
pub const SOURCES: &[(&str, &str)] = &[
    (
        "village.sk",
        include_str!("../../../assets/village/village.sk"),
    ),
    ("clock.sk", include_str!("../../../assets/village/clock.sk")),
    (
        "council.sk",
        include_str!("../../../assets/village/council.sk"),
    ),
    (
        "events.sk",
        include_str!("../../../assets/village/events.sk"),
    ),
    ("farm.sk", include_str!("../../../assets/village/farm.sk")),
    (
        "layout.sk",
        include_str!("../../../assets/village/layout.sk"),
    ),
    (
        "market.sk",
        include_str!("../../../assets/village/market.sk"),
    ),
    ("names.sk", include_str!("../../../assets/village/names.sk")),
    ("road.sk", include_str!("../../../assets/village/road.sk")),
    ("watch.sk", include_str!("../../../assets/village/watch.sk")),
];

/// The source of `file` (`"farm.sk"`), if it is a village module.
pub fn source(file: &str) -> Option<&'static str> {
    SOURCES.iter().find(|(f, _)| *f == file).map(|(_, s)| *s)
}

/// Resolves imports against the built-in village scripts: all of them
/// live in one folder, the root, so a module's path is its file name —
/// the same path `skein run assets/village/village.sk` records.
pub struct Embedded;

impl SourceResolver for Embedded {
    fn resolve(&self, name: &str, _from_dir: &str) -> Option<(String, String)> {
        let file = format!("{name}.sk");
        source(&file).map(|s| (file, s.to_string()))
    }
}
