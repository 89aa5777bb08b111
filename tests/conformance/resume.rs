//! Resumability over the corpus: a script prints exactly the same thing
//! (stdout and its uncaught-error report) whether it runs in one go, one
//! instruction at a time, or with its whole machine state (fiber and
//! globals) written to RON and read back every N instructions.

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use skein_script::bytecode::Program;
use skein_vm::Limits;

use crate::corpus::{self, Script};
use crate::diff::diff;
use crate::machine::{self, Plan, Transcript};

/// A runaway script is cut off after this many slices.
const MAX_SLICES: u64 = 50_000_000;

/// A compiled corpus script with its uninterrupted transcript.
struct Case {
    name: String,
    program: Arc<Program>,
    limits: Limits,
    reference: Transcript,
}

/// Every corpus script that compiles, run once uninterrupted. Scripts that
/// do not load are the CLI test's business (it reports them).
fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let corpus = corpus::load();
        corpus
            .scripts
            .iter()
            .filter(|s| !s.is_compile_error())
            .filter_map(|s: &Script| {
                let program = machine::load(s).ok()?;
                let reference = machine::run(&program, s.limits, &Plan::Uninterrupted, 1).ok()?;
                Some(Case {
                    name: s.name.clone(),
                    program,
                    limits: s.limits,
                    reference,
                })
            })
            .collect()
    })
}

/// Runs every case by `plan` and fails with all the differences at once.
fn all_match(plan: &Plan) {
    let cases = cases();
    assert!(!cases.is_empty(), "no corpus script compiled");
    let mut failures = Vec::new();
    for case in cases {
        match machine::run(&case.program, case.limits, plan, MAX_SLICES) {
            Err(e) => failures.push(format!("=== {}: {e}", case.name)),
            Ok(t) => {
                if let Some(d) = diff(&case.reference.text, &t.text) {
                    failures.push(format!(
                        "=== {} (- uninterrupted, + {plan:?}):\n{d}",
                        case.name
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scripts print differently under {plan:?}:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn fuel_one_at_a_time_prints_the_same() {
    all_match(&Plan::Fuel(vec![1]));
}

#[test]
fn ron_round_trip_every_instruction_prints_the_same() {
    all_match(&Plan::RonEvery { n: 1, check: false });
}

#[test]
fn ron_round_trip_every_7_instructions_prints_the_same() {
    all_match(&Plan::RonEvery { n: 7, check: true });
}

#[test]
fn ron_round_trip_every_100_instructions_prints_the_same() {
    all_match(&Plan::RonEvery {
        n: 100,
        check: true,
    });
}

/// Scripts with calls, handlers, loops, imports and key functions: the
/// places where a slice boundary could fall somewhere delicate.
const PROPTEST_SCRIPTS: &[&str] = &[
    "functions/recursion.sk",
    "exceptions/finally_flow.sk",
    "exceptions/nested_handlers.sk",
    "comprehensions/comprehensions.sk",
    "builtins/sequence.sk",
    "semantics/places.sk",
    "imports/import_basic.sk",
    "errors/village.sk",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_fuel_sizes_print_the_same(
        which in 0..PROPTEST_SCRIPTS.len(),
        sizes in proptest::collection::vec(1u64..500, 1..6),
    ) {
        let name = PROPTEST_SCRIPTS[which];
        let Some(case) = cases().iter().find(|c| c.name == name) else {
            return Err(TestCaseError::reject("script does not compile"));
        };
        let got = match machine::run(&case.program, case.limits, &Plan::Fuel(sizes), MAX_SLICES) {
            Ok(t) => t,
            Err(e) => return Err(TestCaseError::fail(format!("{name}: {e}"))),
        };
        prop_assert!(
            got.text == case.reference.text,
            "{}:\n{}",
            name,
            diff(&case.reference.text, &got.text).unwrap_or_default()
        );
    }
}

/// How many corpus scripts the library runs compile (and which do not), for
/// the report: `cargo test --test conformance library_coverage -- --nocapture`.
#[test]
fn library_coverage() {
    let corpus = corpus::load();
    let mut broken = Vec::new();
    for s in corpus.scripts.iter().filter(|s| !s.is_compile_error()) {
        if let Err(e) = machine::load(s) {
            broken.push(format!("{}: {}", s.name, e.lines().next().unwrap_or("")));
        }
    }
    let mut differ = Vec::new();
    for s in corpus.scripts.iter().filter(|s| !s.is_compile_error()) {
        let Some(case) = cases().iter().find(|c| c.name == s.name) else {
            continue;
        };
        let expected = format!(
            "{}{}",
            s.expected_out,
            s.expected_err.as_deref().unwrap_or("")
        );
        if let Some(d) = diff(&expected, &case.reference.text) {
            println!("=== {}\n{d}", s.name);
            differ.push(s.name.clone());
        }
    }
    println!(
        "{} scripts compile through the library; {} do not:\n{}\n\
         {} print other than their .out + .err: {}",
        cases().len(),
        broken.len(),
        broken.join("\n"),
        differ.len(),
        differ.join(" ")
    );
}

/// Per-script cost of the round trips, to keep the suite fast:
/// `cargo test --test conformance round_trip_costs -- --ignored --nocapture`.
#[test]
#[ignore]
fn round_trip_costs() {
    for case in cases() {
        let start = std::time::Instant::now();
        let fuel1 = machine::run(&case.program, case.limits, &Plan::Fuel(vec![1]), MAX_SLICES);
        let t1 = start.elapsed();
        let start = std::time::Instant::now();
        let ron = machine::run(
            &case.program,
            case.limits,
            &Plan::RonEvery {
                n: 100,
                check: false,
            },
            MAX_SLICES,
        );
        println!(
            "{:40} {:>9} instructions {:>8.3?} fuel-1 {:>8.3?} ron/100",
            case.name,
            fuel1.map(|t| t.slices).unwrap_or(0),
            t1,
            start.elapsed(),
        );
        let _ = ron;
    }
}
