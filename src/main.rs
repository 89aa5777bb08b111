//! The `skein` binary.
fn main() {}
