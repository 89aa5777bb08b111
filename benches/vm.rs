//! Criterion benches of the standalone VM: each program of
//! `benches/programs/` is compiled once, then run to its end on a fresh
//! machine per iteration, its output captured and checked. Run with
//! `cargo bench --bench vm`; `BENCHMARKS.md` records results.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use skein_script::bytecode::Program;
use skein_script::loader::{LoadOptions, load_program};
use skein_vm::machine::Machine;
use skein_vm::{Host, Limits, Value};

/// Keeps what the script prints, so each run can be checked.
#[derive(Default)]
struct Capture(String);

impl Host for Capture {
    fn print(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

fn compile(name: &str) -> Arc<Program> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("benches/programs")
        .join(format!("{name}.sk"));
    match load_program(&path, &LoadOptions::default()) {
        Ok(program) => Arc::new(program),
        Err(err) => panic!("{}", err.render()),
    }
}

/// Runs `program` once; panics if it raises or prints something unexpected.
fn run(program: &Arc<Program>, expected: &str) {
    let mut host = Capture::default();
    let mut machine = Machine::new(Arc::clone(program), Limits::default());
    if let Some(err) = machine.run_to_end(&mut host) {
        panic!("uncaught error: {err:?}");
    }
    assert_eq!(host.0, expected);
    black_box(host);
}

/// (program file, what it prints, whether a run is long enough that ten
/// samples are plenty)
const PROGRAMS: &[(&str, &str, bool)] = &[
    ("fib25", "75025\n", false),
    ("fib", "2178309\n", true),
    ("loop", "1395\n", true),
    ("strings", "3788889\n", true),
    ("collections", "150088080\n", true),
    ("methods", "2000000\n", true),
];

fn benches(c: &mut Criterion) {
    eprintln!(
        "size_of::<Value>() = {} bytes",
        std::mem::size_of::<Value>()
    );
    for &(name, expected, slow) in PROGRAMS {
        let program = compile(name);
        let mut group = c.benchmark_group("vm");
        if slow {
            group.sample_size(10);
        }
        group.bench_function(name, |b| b.iter(|| run(&program, expected)));
        group.finish();
    }
}

criterion_group! {
    name = vm;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = benches
}
criterion_main!(vm);
