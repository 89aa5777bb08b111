//! The math functions' table: their names, in the order of their builtin
//! indexes, which saved values use.

/// First builtin index of the math functions: `Value::Builtin(MATH_BASE + i)`
/// is `MATH_FUNCTIONS[i]`, far past `BUILTIN_NAMES` so the two never meet.
pub const MATH_BASE: u16 = 0x100;

/// The math functions, in the order of their builtin indexes (saved values
/// name them by index: append only).
pub const MATH_FUNCTIONS: &[&str] = &[
    "sqrt",
    "floor",
    "ceil",
    "hypot",
    "sin",
    "cos",
    "atan2",
    "exp",
    "log",
    // Added in the second round (`extra.rs`).
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "log2",
    "log10",
    "pow",
    "fabs",
    "trunc",
    "fmod",
    "copysign",
    "gcd",
    "lcm",
    "factorial",
    "comb",
    "perm",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "degrees",
    "radians",
    "dist",
    "prod",
    "fsum",
];

/// The name of math function value `index`, if it is one.
pub fn function_name(index: u16) -> Option<&'static str> {
    index
        .checked_sub(MATH_BASE)
        .and_then(|i| MATH_FUNCTIONS.get(i as usize).copied())
}
