//! Float formatting against CPython: `repr` of a million generated doubles
//! (checked by a hash CPython computed), and a readable golden of `repr` and
//! `%` formats for a few thousand of them. Regenerate both with
//! `python3 crates/skein-vm/tests/float_repr/regen.py`.

use skein_vm::format::float;

const GOLDEN: &str = include_str!("float_repr/golden.txt");
const CHECKSUM: &str = include_str!("float_repr/checksum.txt");

/// The generator of `regen.py`: SplitMix64 from 0x5eed; even draws are raw
/// bit patterns, odd draws dyadic values with short exact decimal expansions
/// (where ties between two shortest candidates live). Non-finite draws are
/// skipped.
fn doubles(n: usize) -> impl Iterator<Item = f64> {
    let mut st: u64 = 0x5eed;
    (0..n).filter_map(move |i| {
        st = st.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = st;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let r = z ^ (z >> 31);
        let f = if i % 2 == 0 {
            f64::from_bits(r)
        } else {
            let k = (r & 63) as i32 - 20;
            (r >> 11) as f64 * 2f64.powi(-k.max(0)) * 2f64.powi((-k).max(0)) / 2f64.powi(10)
        };
        f.is_finite().then_some(f)
    })
}

fn fnv1a(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, b| (h ^ *b as u64).wrapping_mul(0x100_0000_01B3))
}

fn repr(f: f64) -> String {
    skein_vm::format::float_repr(f)
}

#[test]
fn a_million_reprs_hash_as_cpython_s() {
    let (n, want) = CHECKSUM.trim().split_once(' ').expect("N HASH");
    let n: usize = n.parse().expect("count");
    let mut h = 0xCBF2_9CE4_8422_2325u64;
    for f in doubles(n) {
        h = fnv1a(h, repr(f).as_bytes());
        h = fnv1a(h, b"\n");
    }
    assert_eq!(format!("{h:016x}"), want, "hash of {n} reprs");
}

/// `%`-style formats of the golden, through the same helpers `%` and
/// f-strings use (sign handled by the caller there, so here too).
fn percent(f: f64, fmt: &str) -> String {
    let (prec, ty) = match fmt.strip_prefix("%.") {
        Some(rest) => (rest[..rest.len() - 1].parse().ok(), rest.chars().last()),
        None => (None, fmt.chars().last()),
    };
    let p = prec.unwrap_or(6);
    let body = match ty {
        Some('f') => float::fixed(f, p, false, false),
        Some('e') => float::exponent(f, p, false, false),
        _ => float::general(f, p, false, false, false),
    };
    let sign = if f.is_sign_negative() { "-" } else { "" };
    format!("{sign}{body}")
}

#[test]
fn golden_reprs_and_formats_match_cpython() {
    let mut bad = Vec::new();
    let mut count = 0;
    for line in GOLDEN.lines() {
        let mut parts = line.splitn(3, ' ');
        let (Some(bits), Some(fmt), Some(want)) = (parts.next(), parts.next(), parts.next()) else {
            panic!("bad golden line {line:?}");
        };
        let f = f64::from_bits(u64::from_str_radix(bits, 16).expect("hex bits"));
        let got = if fmt == "r" { repr(f) } else { percent(f, fmt) };
        count += 1;
        if got != want {
            bad.push(format!("{bits} {fmt}: want {want}, got {got}"));
        }
    }
    assert!(count > 5000, "golden too small: {count}");
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

// The literals are exact binary values, halfway between two shortest
// candidates: what clippy calls excess precision is the point.
#[allow(clippy::excessive_precision)]
#[test]
fn ties_go_to_even() {
    assert_eq!(repr(1000000000000000.25), "1000000000000000.2");
    assert_eq!(repr(163002591252857.125), "163002591252857.12");
    assert_eq!(repr(-840847321408031.25), "-840847321408031.2");
}
