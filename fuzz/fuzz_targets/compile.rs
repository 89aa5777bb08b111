//! libFuzzer target `compile`: see `fuzz/paths.rs` for what it drives.
#![no_main]

#[path = "../paths.rs"]
mod paths;

libfuzzer_sys::fuzz_target!(|data: &[u8]| paths::compile(data));
