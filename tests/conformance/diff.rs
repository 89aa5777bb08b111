//! A small line diff for failure reports: enough to see which lines of a
//! script's output differ from what it expects.

/// `-expected` / `+got` lines with a little context, `None` when equal.
pub fn diff(expected: &str, got: &str) -> Option<String> {
    if expected == got {
        return None;
    }
    let a: Vec<&str> = expected.split_inclusive('\n').collect();
    let b: Vec<&str> = got.split_inclusive('\n').collect();
    // Longest common subsequence table; outputs are small, and beyond a
    // limit a plain side-by-side dump is clearer anyway.
    if a.len() * b.len() > 4_000_000 {
        return Some(format!("--- expected\n{expected}\n+++ got\n{got}\n"));
    }
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            lines.push(('+', b[j]));
            j += 1;
        } else {
            lines.push(('-', a[i]));
            i += 1;
        }
    }
    // Keep changed lines and two lines of context around them.
    let near_change = |k: usize| {
        let lo = k.saturating_sub(2);
        let hi = (k + 2).min(lines.len() - 1);
        (lo..=hi).any(|m| lines[m].0 != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (tag, line)) in lines.iter().enumerate() {
        if near_change(k) {
            if skipped {
                out.push_str("  ...\n");
                skipped = false;
            }
            out.push(*tag);
            out.push(' ');
            out.push_str(&show(line));
            out.push('\n');
        } else {
            skipped = true;
        }
    }
    Some(out)
}

/// A line as written, with a missing final newline made visible.
fn show(line: &str) -> String {
    match line.strip_suffix('\n') {
        Some(l) => l.to_string(),
        None => format!("{line}⏎ (no newline at end)"),
    }
}
