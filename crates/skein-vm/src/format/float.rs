//! Floats as Python prints them: the shortest round-trip `repr`, and the
//! fixed, exponent and general notations of `format` and `%`, all built on
//! Rust's correctly rounded decimal conversion.

/// Decimal digits of `|f|` and the exponent of the first one
/// (`|f| = d.ddd × 10^exp`): shortest round-trip when `prec` is `None`,
/// else rounded to `prec + 1` significant digits. `f` must be finite.
pub fn sci_digits(f: f64, prec: Option<usize>) -> (String, i32) {
    match prec {
        None => shortest_digits(f.abs()),
        Some(p) => split_sci(&format!("{:.*e}", p, f.abs())),
    }
}

/// The shortest digits that read back as `f`, the nearest to `f` among
/// those, an exact tie going to the even digit, as CPython's `repr` does.
///
/// Rust's shortest `{:e}` finds the right length but breaks a tie upward
/// (`1000000000000000.25` gives `…0.3`; Python says `…0.2`). Its fixed-precision
/// form rounds the exact binary value half to even, so the length it found is
/// asked for again that way; the result is kept when it reads back as `f`
/// (it can miss only just above a power of two, where the gap below `f` is
/// half the gap above and Rust's pick is then the nearest that reads back).
fn shortest_digits(f: f64) -> (String, i32) {
    let (short, exp) = split_sci(&format!("{f:e}"));
    if short.len() < 2 {
        return (short, exp);
    }
    let exact = format!("{:.*e}", short.len() - 1, f);
    if exact.parse::<f64>() == Ok(f) {
        let (digits, e2) = split_sci(&exact);
        if digits.len() == short.len() {
            return (digits, e2);
        }
    }
    (short, exp)
}

/// `d.ddde±x` → (`dddd`, x).
fn split_sci(s: &str) -> (String, i32) {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    (digits, exp.parse().unwrap_or(0))
}

/// Python's exponent suffix: `e+16`, `e-07`.
pub fn exp_suffix(exp: i32, upper: bool) -> String {
    let e = if upper { 'E' } else { 'e' };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{e}{sign}{:02}", exp.unsigned_abs())
}

fn non_finite(f: f64, upper: bool) -> Option<String> {
    let s = if f.is_nan() {
        "nan"
    } else if f.is_infinite() {
        "inf"
    } else {
        return None;
    };
    Some(if upper {
        s.to_uppercase()
    } else {
        s.to_string()
    })
}

/// `repr(f)` without its sign handling split out: Python's `'r'` format,
/// fixed notation for exponents in `-4..16`, else `1e+16` style.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if let Some(s) = non_finite(f, false) {
        return format!("{sign}{s}");
    }
    let (digits, exp) = sci_digits(f, None);
    let body = if (-4..16).contains(&exp) {
        place_point(&digits, exp, true)
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        format!("{first}{frac}{}", exp_suffix(exp, false))
    };
    format!("{sign}{body}")
}

/// Writes `digits` (first digit at 10^exp) in fixed notation; with
/// `point_zero`, an integral result gets `.0` as in `repr`.
fn place_point(digits: &str, exp: i32, point_zero: bool) -> String {
    let n = digits.len() as i32;
    let mut out = String::new();
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
    } else if exp + 1 >= n {
        out.push_str(digits);
        for _ in 0..(exp + 1 - n) {
            out.push('0');
        }
        if point_zero {
            out.push_str(".0");
        }
    } else {
        let (a, b) = digits.split_at((exp + 1) as usize);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    }
    out
}

/// `%.{prec}f` of `|f|` (sign handled by the caller).
pub fn fixed(f: f64, prec: usize, alt: bool, upper: bool) -> String {
    if let Some(s) = non_finite(f, upper) {
        return s;
    }
    let mut s = format!("{:.*}", prec, f.abs());
    if alt && prec == 0 {
        s.push('.');
    }
    s
}

/// `%.{prec}e` of `|f|`.
pub fn exponent(f: f64, prec: usize, alt: bool, upper: bool) -> String {
    if let Some(s) = non_finite(f, upper) {
        return s;
    }
    let (digits, exp) = sci_digits(f, Some(prec));
    let (first, rest) = digits.split_at(1);
    let point = if !rest.is_empty() || alt { "." } else { "" };
    format!("{first}{point}{rest}{}", exp_suffix(exp, upper))
}

/// `%.{prec}g` of `|f|`. `repr_like` is the spec type `''` with a precision:
/// fixed results keep at least one digit after the point and the switch to
/// exponent notation comes one exponent earlier.
pub fn general(f: f64, prec: usize, alt: bool, upper: bool, repr_like: bool) -> String {
    if let Some(s) = non_finite(f, upper) {
        return s;
    }
    let p = prec.max(1);
    let (mut digits, exp) = sci_digits(f, Some(p - 1));
    let limit = if repr_like { p as i32 - 1 } else { p as i32 };
    if !alt {
        while digits.len() > 1 && digits.ends_with('0') {
            digits.pop();
        }
    }
    if (-4..limit).contains(&exp) {
        let mut s = place_point(&digits, exp, repr_like);
        if alt && !s.contains('.') {
            s.push('.');
        }
        s
    } else {
        let (first, rest) = digits.split_at(1);
        let point = if !rest.is_empty() || alt { "." } else { "" };
        format!("{first}{point}{rest}{}", exp_suffix(exp, upper))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_matches_python() {
        let cases: &[(f64, &str)] = &[
            (0.1, "0.1"),
            (1.0, "1.0"),
            (2.5e-7, "2.5e-07"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (0.1 + 0.2, "0.30000000000000004"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (123.456, "123.456"),
            (-1.5, "-1.5"),
            (9999999999999998.0, "9999999999999998.0"),
            (1.5e300, "1.5e+300"),
            (0.000123, "0.000123"),
            (100.0, "100.0"),
        ];
        for (f, want) in cases {
            assert_eq!(float_repr(*f), *want, "{f:e}");
        }
    }
}
