//! `sin`, `cos` and `atan2` rounded correctly (in all but astronomically
//! rare cases), like `dd.rs`: reduction by π/2 in triple precision, Taylor
//! series in double-double, and for `atan2` one Newton step on the software
//! libm's angle. Past the ranges where that is exact enough, the software
//! libm's own results are used.

use super::dd::{Dd, add, div_f, mul, two_prod, two_sum};

/// π/2 as the sum of three doubles.
const PIO2: [f64; 3] = [
    std::f64::consts::FRAC_PI_2,
    6.123_233_995_736_766e-17,
    -1.497_384_904_859_169_8e-33,
];

/// `x mod π/2` as a double-double, and the quadrant `x` was in.
fn reduce(x: f64) -> (Dd, i64) {
    let n = libm::round(x / PIO2[0]);
    let p1 = two_prod(n, PIO2[0]);
    let p2 = two_prod(n, PIO2[1]);
    let r = add(two_sum(x, -p1.0), Dd(-p1.1, 0.0));
    let r = add(r, Dd(-p2.0, -p2.1));
    let r = add(r, Dd(-n * PIO2[2], 0.0));
    (r, (n as i64).rem_euclid(4))
}

/// Taylor series of sin (`odd`) or cos of a reduced `r` (|r| <= π/4).
fn series(r: Dd, odd: bool) -> Dd {
    let r2 = mul(r, r);
    let mut term = if odd { r } else { Dd(1.0, 0.0) };
    let mut sum = term;
    let mut k = if odd { 1.0 } else { 0.0 };
    for _ in 0..16 {
        term = div_f(div_f(mul(term, r2), k + 1.0), k + 2.0);
        term = Dd(-term.0, -term.1);
        sum = add(sum, term);
        k += 2.0;
    }
    sum
}

/// (sin x, cos x) in double-double for a moderate `x`.
pub(super) fn sincos_dd(x: f64) -> (Dd, Dd) {
    let (r, q) = reduce(x);
    let (s, c) = (series(r, true), series(r, false));
    let neg = |d: Dd| Dd(-d.0, -d.1);
    match q {
        0 => (s, c),
        1 => (c, neg(s)),
        2 => (neg(s), neg(c)),
        _ => (neg(c), s),
    }
}

/// Largest argument reduced here; beyond it the software libm's careful
/// reduction is used as is.
pub(super) const MAX_ARG: f64 = 1e6;

pub fn sin(x: f64) -> f64 {
    if !(1e-150..=MAX_ARG).contains(&libm::fabs(x)) {
        return libm::sin(x);
    }
    let s = sincos_dd(x).0;
    s.0 + s.1
}

pub fn cos(x: f64) -> f64 {
    if !(0.0..=MAX_ARG).contains(&libm::fabs(x)) {
        return libm::cos(x);
    }
    let c = sincos_dd(x).1;
    c.0 + c.1
}

pub fn atan2(y: f64, x: f64) -> f64 {
    let t0 = libm::atan2(y, x);
    let ok = |v: f64| v.is_finite() && (v == 0.0 || (1e-150..1e150).contains(&libm::fabs(v)));
    if !(ok(x) && ok(y)) || x == 0.0 || y == 0.0 {
        return t0;
    }
    // Newton on f(t) = y cos t - x sin t, whose root is the angle.
    let (s, c) = sincos_dd(t0);
    let num = add(mul(Dd(y, 0.0), c), mul(Dd(-x, 0.0), s));
    let den = add(mul(Dd(x, 0.0), c), mul(Dd(y, 0.0), s));
    let corr = (num.0 + num.1) / (den.0 + den.1);
    let t = two_sum(t0, corr);
    t.0 + t.1
}

#[cfg(test)]
mod tests {
    /// `repr(f(args))` from CPython 3.11 on glibc: 400 random arguments of
    /// each of `sin`, `cos` and `atan2` and some classic ones.
    #[test]
    fn match_cpython() {
        crate::format::testing::assert_table(include_str!("../testdata/trig.tsv"), |f| {
            let a: f64 = f[1].parse().unwrap_or(f64::NAN);
            let b: f64 = f[2].parse().unwrap_or(f64::NAN);
            let got = match f[0] {
                "sin" => super::sin(a),
                "cos" => super::cos(a),
                _ => super::atan2(a, b),
            };
            let got = crate::format::float_repr(got);
            (got != f[3]).then(|| format!("{}({a}, {b}) = {got}, python {}", f[0], f[3]))
        });
    }
}
