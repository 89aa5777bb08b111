//! Python's format-spec mini-language (`format(x, ">8.2f")`, f-strings,
//! `str.format`) for ints, floats, strs, bools and `None`.

use super::float;
use crate::context::Cx;
use crate::errors::{type_error, value_error};
use crate::value::Value;

/// A parsed spec: `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`.
#[derive(Debug, Default)]
struct Spec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    z: bool,
    alt: bool,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    ty: Option<char>,
}

fn parse(spec: &str, type_name: &str) -> Result<Spec, Value> {
    let chars: Vec<char> = spec.chars().collect();
    let mut s = Spec::default();
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '>' | '=' | '^');
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = Some(chars[0]);
        s.align = Some(chars[1]);
        i = 2;
    } else if chars.first().is_some_and(|c| is_align(*c)) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if let Some(&c @ ('+' | '-' | ' ')) = chars.get(i) {
        s.sign = Some(c);
        i += 1;
    }
    if chars.get(i) == Some(&'z') {
        s.z = true;
        i += 1;
    }
    if chars.get(i) == Some(&'#') {
        s.alt = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        s.zero = true;
        i += 1;
    }
    let digits = |i: &mut usize| -> Option<usize> {
        let start = *i;
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        (*i > start).then(|| {
            chars[start..*i]
                .iter()
                .collect::<String>()
                .parse()
                .unwrap_or(usize::MAX)
        })
    };
    let too_big = || value_error("Too many decimal digits in format string");
    if let Some(w) = digits(&mut i) {
        if w > 1 << 30 {
            return Err(too_big());
        }
        s.width = w;
    }
    if let Some(&c @ (',' | '_')) = chars.get(i) {
        s.grouping = Some(c);
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        match digits(&mut i) {
            Some(p) if p > 1 << 30 => return Err(too_big()),
            Some(p) => s.precision = Some(p),
            None => return Err(value_error("Format specifier missing precision")),
        }
    }
    if i < chars.len() {
        s.ty = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() {
        return Err(value_error(format!(
            "Invalid format specifier '{spec}' for object of type '{type_name}'"
        )));
    }
    if s.zero && s.align.is_none() {
        s.fill = s.fill.or(Some('0'));
        s.align = Some('=');
    }
    Ok(s)
}

/// `format(v, spec)` with Python's format-spec mini-language.
pub fn format_spec(v: &Value, spec: &str, cx: &mut Cx) -> Result<String, Value> {
    // A width or precision past the size limit would make a value too large
    // anyway: refuse it before building the text.
    if spec.len() > 6 {
        let p = parse(spec, super::type_name(v))?;
        let big = (p.width as u64).max(p.precision.unwrap_or(0) as u64);
        crate::errors::check_size(big, cx.limits.size_limit)?;
    }
    match v {
        Value::Int(i) => format_int(*i, &parse(spec, "int")?, "int"),
        Value::Bool(b) if !spec.is_empty() => format_int(*b as i64, &parse(spec, "bool")?, "bool"),
        Value::Float(f) => format_float(*f, &parse(spec, "float")?),
        Value::Str(s) => format_str(s, &parse(spec, "str")?),
        other if spec.is_empty() => Ok(super::str(other, cx)),
        other => Err(type_error(format!(
            "unsupported format string passed to {}.__format__",
            super::type_name(other)
        ))),
    }
}

fn unknown_code(c: char, type_name: &str) -> Value {
    value_error(format!(
        "Unknown format code '{c}' for object of type '{type_name}'"
    ))
}

/// Pads `body` (sign/prefix `head` plus digits `digits`) to the width.
fn pad(head: &str, digits: &str, spec: &Spec, default_align: char) -> String {
    let len = head.chars().count() + digits.chars().count();
    if len >= spec.width {
        return format!("{head}{digits}");
    }
    let fill = spec.fill.unwrap_or(' ');
    let n = spec.width - len;
    let fills = |k: usize| std::iter::repeat_n(fill, k).collect::<String>();
    match spec.align.unwrap_or(default_align) {
        '<' => format!("{head}{digits}{}", fills(n)),
        '^' => format!("{}{head}{digits}{}", fills(n / 2), fills(n - n / 2)),
        '=' => format!("{head}{}{digits}", fills(n)),
        _ => format!("{}{head}{digits}", fills(n)),
    }
}

/// Inserts `sep` every `every` digits from the right of `digits`.
fn group(digits: &str, sep: char, every: usize) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / every);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(every) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Groups `digits` (ASCII), zero-padding first when the fill is `0` with `=`
/// alignment, so the separators run through the padding as in Python.
fn group_padded(digits: &str, head_len: usize, spec: &Spec, every: usize) -> String {
    let Some(sep) = spec.grouping else {
        return digits.to_string();
    };
    let mut d = digits.to_string();
    let mut out = group(&d, sep, every);
    if spec.fill == Some('0') && spec.align == Some('=') {
        while head_len + out.len() < spec.width {
            d.insert(0, '0');
            out = group(&d, sep, every);
        }
    }
    out
}

fn sign_str(neg: bool, sign: Option<char>) -> &'static str {
    match (neg, sign) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    }
}

fn format_int(i: i64, spec: &Spec, type_name: &str) -> Result<String, Value> {
    let ty = spec.ty.unwrap_or('d');
    if matches!(ty, 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') {
        return format_float(i as f64, spec);
    }
    if spec.precision.is_some() {
        return Err(value_error(
            "Precision not allowed in integer format specifier",
        ));
    }
    if spec.z {
        return Err(value_error(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    let mag = i.unsigned_abs();
    let (digits, prefix, every) = match ty {
        'd' | 'n' => (mag.to_string(), "", 3),
        'b' => (format!("{mag:b}"), "0b", 4),
        'o' => (format!("{mag:o}"), "0o", 4),
        'x' => (format!("{mag:x}"), "0x", 4),
        'X' => (format!("{mag:X}"), "0X", 4),
        'c' => {
            if spec.sign.is_some() {
                return Err(value_error(
                    "Sign not allowed with integer format specifier 'c'",
                ));
            }
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| crate::errors::overflow("%c arg not in range(0x110000)"))?;
            return Ok(pad("", &c.to_string(), spec, '<'));
        }
        c => return Err(unknown_code(c, type_name)),
    };
    if spec.grouping == Some(',') && ty != 'd' && ty != 'n' {
        return Err(value_error(format!("Cannot specify ',' with '{ty}'.")));
    }
    let head = format!(
        "{}{}",
        sign_str(i < 0, spec.sign),
        if spec.alt { prefix } else { "" }
    );
    let body = group_padded(&digits, head.len(), spec, every);
    Ok(pad(&head, &body, spec, '>'))
}

fn format_float(f: f64, spec: &Spec) -> Result<String, Value> {
    let ty = spec.ty;
    let upper = matches!(ty, Some('E' | 'F' | 'G'));
    let mut x = f;
    let mut body = match ty {
        None => match spec.precision {
            None => float::float_repr(f.abs()),
            Some(p) => float::general(f, p, spec.alt, false, true),
        },
        Some('f' | 'F') => float::fixed(f, spec.precision.unwrap_or(6), spec.alt, upper),
        Some('e' | 'E') => float::exponent(f, spec.precision.unwrap_or(6), spec.alt, upper),
        Some('g' | 'G' | 'n') => {
            float::general(f, spec.precision.unwrap_or(6), spec.alt, upper, false)
        }
        Some('%') => {
            x = f * 100.0;
            let mut s = float::fixed(x, spec.precision.unwrap_or(6), spec.alt, false);
            s.push('%');
            s
        }
        Some(c) => return Err(unknown_code(c, "float")),
    };
    if f.is_nan() {
        body = body.trim_start_matches('-').to_string();
    }
    // `#` on a repr keeps a decimal point even in exponent form (`1.e+16`).
    if ty.is_none() && spec.precision.is_none() && spec.alt && f.is_finite() && !body.contains('.')
    {
        let at = body.find('e').unwrap_or(body.len());
        body.insert(at, '.');
    }
    let mut neg = x.is_sign_negative() && !x.is_nan();
    if spec.z && neg && body.chars().all(|c| !c.is_ascii_digit() || c == '0') {
        neg = false;
    }
    let head = sign_str(neg, spec.sign);
    // Group the integer part only.
    let split = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    let (int_part, rest) = body.split_at(split);
    let body = if int_part.is_empty() {
        body.clone()
    } else {
        format!(
            "{}{rest}",
            group_padded(int_part, head.len() + rest.len(), spec, 3)
        )
    };
    Ok(pad(head, &body, spec, '>'))
}

fn format_str(s: &str, spec: &Spec) -> Result<String, Value> {
    match spec.ty {
        None | Some('s') => {}
        Some(c) => return Err(unknown_code(c, "str")),
    }
    match spec.sign {
        Some(' ') => return Err(value_error("Space not allowed in string format specifier")),
        Some(_) => return Err(value_error("Sign not allowed in string format specifier")),
        None => {}
    }
    if spec.alt {
        return Err(value_error(
            "Alternate form (#) not allowed in string format specifier",
        ));
    }
    if spec.align == Some('=') && !spec.zero {
        return Err(value_error(
            "'=' alignment not allowed in string format specifier",
        ));
    }
    if let Some(g) = spec.grouping {
        return Err(value_error(format!("Cannot specify '{g}' with 's'.")));
    }
    let text: String = match spec.precision {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    };
    let mut spec2 = Spec {
        fill: spec.fill,
        align: spec.align,
        width: spec.width,
        ..Spec::default()
    };
    // `0` alone on a str pads with zeros on the right (Python 3.10+).
    if spec.zero && spec2.align == Some('=') {
        spec2.align = Some('<');
    }
    Ok(pad("", &text, &spec2, '<'))
}
