//! The register instructions under every fuel size: the same fuel used and
//! the same results whether run in one go or one instruction at a time.

use std::sync::Arc;

use skein_script::loader::compile_str;

use crate::fiber::Step;
use crate::machine::{BufferHost, Machine};
use crate::value::Value;

/// Every register-instruction shape, plus the ones whose int path gives way: an overflow,
/// a float local, `is`, a store into an unbound slot, `return n` inside
/// a `try`. No builtin is
/// called (they charge fuel by the elements they touch, clamped at zero,
/// so small fuel sizes would count differently for reasons of their own).
const SHAPES: &str = r#"
def f(n):
    i = 0
    s = 0
    while i < n:
        s = s + i
        t = i * 3
        if t >= 9:
            s += 1
        i += 1
    return s + t
def g(n):
    if n < 2:
        return n
    return g(n - 1) + g(n - 2)
def h(n):
    try:
        return n
    finally:
        n = 0
x = 2.5
y = x - 1
k = 9223372036854775806
a = k + 1
try:
    b = k + 2
except OverflowError:
    b = "overflow"
r = [f(10), y, x is None, x < 3, k > 2, g(10), h(7)]
"#;

/// A range loop, floor division and modulo of both signs, bit operations
/// and a division by zero. `range` charges fuel for its arguments, so
/// only the results are compared across fuel sizes.
const RANGE: &str = r#"
def m(a, b):
    t = 0
    for i in range(-7, 8):
        t = (t * 31 + i // 3 + i % 4 - (i & 5 | 2 ^ i)) % 1000003
        q = (a + i) // -2
        t = t + q % -3
    try:
        z = a // (b - b)
    except ZeroDivisionError:
        z = -1
    return t + z
r = m(5, 9)
"#;

/// Fuel used and the final globals when stepping by `fuel` at a time.
fn run_by(fuel: u64) -> (u64, Vec<Value>) {
    run_src_by(SHAPES, fuel)
}

pub(super) fn run_src_by(src: &str, fuel: u64) -> (u64, Vec<Value>) {
    let program = Arc::new(compile_str("main", src).expect("compiles"));
    let mut m = Machine::new(program, crate::context::Limits::default());
    let mut host = BufferHost::default();
    let mut used = 0;
    loop {
        let mut left = fuel;
        let mut vm = crate::context::Vm::new(&m.program, &mut m.globals, m.limits);
        let step = crate::interp::step(&mut vm, &mut m.fiber, &mut left, &mut host);
        used += fuel - left;
        match step {
            Step::OutOfFuel => {}
            Step::Done(_) => return (used, m.globals.modules[0].values.clone()),
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn register_instructions_charge_one_fuel_each_and_match_single_steps() {
    let (used1, globals1) = run_by(1);
    let text = format!("{globals1:?}");
    assert!(text.contains("Int(9223372036854775807)"), "{text}");
    assert!(text.contains(r#"Str("overflow")"#), "{text}");
    assert!(
        text.contains("Int(79), Float(1.5), Bool(false), Bool(true), Bool(true), Int(55), Int(7)"),
        "{text}"
    );
    for fuel in [2, 3, 4, 5, 1_000_000] {
        assert_eq!(run_by(fuel), (used1, globals1.clone()), "fuel {fuel}");
    }
}

#[test]
fn range_loops_and_division_match_python() {
    for fuel in [1, 2, 3, 4, 5, 1_000_000] {
        let (_, globals) = run_src_by(RANGE, fuel);
        // python3: m(5, 9) == 647023
        assert_eq!(globals.last(), Some(&Value::Int(647023)), "fuel {fuel}");
    }
}

/// Every shaped instruction (`BinLL`, `BinLI`, `BinPI`, `BinPK`, `PushLL`,
/// `JumpLL`, `JumpLI`, `ReturnLocal`) on ints, on floats and bools (which
/// leave the int case for the general one) and on an unbound local.
const SHAPED: &str = r#"
def f(a, b):
    c = a + b
    d = a * 2
    e = (a + b) * 3
    g = (a * b) % 1000003
    n = 0
    if a < b:
        n = n + 1
    if a < 2:
        n = n + 10
    return [c, d, e, g, n, a - b]
def u(flag):
    if flag:
        x = 1
    return x
r = [f(1.5, 2.25), f(-7, 3), f(True, 4)]
try:
    u(False)
except UnboundLocalError as err:
    r.append(str(err))
r.append(u(True))
s = repr(r)
"#;

#[test]
fn shaped_instructions_match_python_on_every_operand_kind() {
    // python3 on the same source, `print(r)`.
    let want = "[[3.75, 3.0, 11.25, 3.375, 11, -0.75], [-4, -14, -12, 999982, 11, -10], \
                [5, 2, 15, 4, 11, -3], \"cannot access local variable 'x' where it is not \
                associated with a value\", 1]";
    for fuel in [1, 2, 3, 7, 1_000_000] {
        let (_, globals) = run_src_by(SHAPED, fuel);
        assert_eq!(globals.last(), Some(&Value::str(want)), "fuel {fuel}");
    }
}
