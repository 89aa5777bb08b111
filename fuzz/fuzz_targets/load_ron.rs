//! libFuzzer target `load_ron`: see `fuzz/paths.rs` for what it drives.
#![no_main]

#[path = "../paths.rs"]
mod paths;

libfuzzer_sys::fuzz_target!(|data: &[u8]| paths::load_ron(data));
