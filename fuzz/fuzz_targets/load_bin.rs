//! libFuzzer target `load_bin`: see `fuzz/paths.rs` for what it drives.
#![no_main]

// Each target uses one of the shared paths.
#[allow(dead_code)]
#[path = "../paths.rs"]
mod paths;

libfuzzer_sys::fuzz_target!(|data: &[u8]| paths::load_bin(data));
