//! `skein inspect`: a summary of a save a person can read, or JSON for
//! tools: every tasklet with its status and where it is, every channel with
//! its balance and waiters, the tick and the modules.

use std::fmt::Write;

use crate::format::{Dir, SaveFile, SaveKind, Status, TaskletRec, Wait};

/// One tasklet's status as `inspect` words it.
fn status_text(t: &TaskletRec, tick: u64) -> String {
    match (&t.status, &t.wait) {
        (_, Wait::Channel { id, dir }) => {
            let d = if *dir == Dir::Send {
                "sending"
            } else {
                "receiving"
            };
            format!("blocked {d} on channel #{id}")
        }
        (_, Wait::Sleep { remaining }) => {
            format!("sleeping until tick {}", tick.saturating_add(*remaining))
        }
        (_, Wait::Native { module, name, .. }) => format!("waiting in {module}.{name}"),
        (Status::Runnable, _) => "runnable".into(),
        (Status::Paused, _) => "paused".into(),
        (Status::Bound, _) => "not started".into(),
        (Status::Dead, _) | (Status::Blocked, _) => "dead".into(),
    }
}

/// `FILE:LINE in FUNCTION` of a tasklet's innermost frame.
fn place(save: &SaveFile, t: &TaskletRec) -> Option<String> {
    let f = t.fiber.frames.last()?;
    let path = save
        .body
        .modules
        .iter()
        .find(|m| m.name == f.func.module())
        .map_or(f.func.module(), |m| m.path.as_str());
    Some(format!("{path}:{} in {}", f.line, f.func.function()))
}

fn label(t: &TaskletRec, main: u64) -> String {
    match (&t.name, t.id == main) {
        (Some(n), _) => format!("#{} {n}", t.id),
        (None, true) => format!("#{} main", t.id),
        (None, false) => format!("#{}", t.id),
    }
}

/// The summary a person reads.
pub fn summary(save: &SaveFile) -> String {
    let h = &save.header;
    let main = save.body.world.as_ref().map_or(0, |w| w.main);
    let mut out = String::new();
    let kind = match h.kind {
        SaveKind::World => "world",
        SaveKind::Selection => "selection",
    };
    let _ = writeln!(
        out,
        "{kind} save, format {} version {}, written by {}",
        h.format, h.version, h.producer
    );
    let _ = writeln!(out, "tick {}, seed {}", h.tick, h.seed);
    let _ = writeln!(out, "modules:");
    for m in &save.body.modules {
        let _ = writeln!(out, "  {} ({}) {}", m.name, m.path, m.hash);
    }
    let _ = writeln!(out, "tasklets:");
    for t in &save.body.tasklets {
        let _ = write!(out, "  {}: {}", label(t, main), status_text(t, h.tick));
        if let Some(p) = place(save, t) {
            let _ = write!(out, " at {p}");
        }
        if t.pending.is_some() {
            let _ = write!(out, " (error pending)");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "channels:");
    for c in &save.body.channels {
        let n = c.waiters.len() as i64;
        let balance = if c.dir == Dir::Send { n } else { -n };
        let waiters: Vec<String> = c.waiters.iter().map(|w| format!("#{w}")).collect();
        let _ = writeln!(
            out,
            "  #{}: balance {balance}, preference {}, waiters [{}]{}",
            c.id,
            c.preference,
            waiters.join(", "),
            if c.closing { ", closing" } else { "" }
        );
    }
    out
}

/// A JSON string literal.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The same summary as one JSON object.
pub fn json(save: &SaveFile) -> String {
    let h = &save.header;
    let main = save.body.world.as_ref().map_or(0, |w| w.main);
    let kind = match h.kind {
        SaveKind::World => "world",
        SaveKind::Selection => "selection",
    };
    let modules: Vec<String> = save
        .body
        .modules
        .iter()
        .map(|m| {
            format!(
                "{{\"name\":{},\"path\":{},\"hash\":{}}}",
                json_str(&m.name),
                json_str(&m.path),
                json_str(&m.hash.to_string())
            )
        })
        .collect();
    let tasklets: Vec<String> = save
        .body
        .tasklets
        .iter()
        .map(|t| {
            format!(
                "{{\"id\":{},\"name\":{},\"main\":{},\"status\":{},\"at\":{}}}",
                t.id,
                t.name.as_deref().map_or("null".into(), json_str),
                t.id == main,
                json_str(&status_text(t, h.tick)),
                place(save, t).map_or("null".into(), |p| json_str(&p)),
            )
        })
        .collect();
    let channels: Vec<String> = save
        .body
        .channels
        .iter()
        .map(|c| {
            let n = c.waiters.len() as i64;
            let balance = if c.dir == Dir::Send { n } else { -n };
            let waiters: Vec<String> = c.waiters.iter().map(u64::to_string).collect();
            format!(
                "{{\"id\":{},\"balance\":{balance},\"preference\":{},\"closing\":{},\"waiters\":[{}]}}",
                c.id,
                c.preference,
                c.closing,
                waiters.join(",")
            )
        })
        .collect();
    format!(
        "{{\"kind\":{},\"format\":{},\"version\":{},\"producer\":{},\"tick\":{},\"seed\":{},\"modules\":[{}],\"tasklets\":[{}],\"channels\":[{}]}}\n",
        json_str(kind),
        json_str(&h.format),
        h.version,
        json_str(&h.producer),
        h.tick,
        h.seed,
        modules.join(","),
        tasklets.join(","),
        channels.join(",")
    )
}
