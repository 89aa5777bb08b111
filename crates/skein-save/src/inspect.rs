//! What `skein inspect` prints: a save as a person reads it at a glance —
//! the tick and modules, tasklets grouped by status with where each
//! stopped and the host components it carries (an NPC's position, health,
//! inventory), channels with balance and waiters — or the same as JSON.

use std::fmt::Write;

use crate::format::{ChannelRec, Dir, SaveFile, SaveKind, Status, TaskletRec, Wait};
use serde::Serialize;

/// The groups, in the order they are shown.
const GROUPS: [Group; 7] = [
    Group::Runnable,
    Group::Blocked,
    Group::Sleeping,
    Group::Waiting,
    Group::Paused,
    Group::NotStarted,
    Group::Dead,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Group {
    Runnable,
    /// On a channel.
    Blocked,
    Sleeping,
    /// In a blocking native.
    Waiting,
    Paused,
    NotStarted,
    Dead,
}

impl Group {
    fn of(t: &TaskletRec) -> Group {
        match (&t.status, &t.wait) {
            (_, Wait::Channel { .. }) => Group::Blocked,
            (_, Wait::Sleep { .. }) => Group::Sleeping,
            (_, Wait::Native { .. }) => Group::Waiting,
            (Status::Runnable, _) => Group::Runnable,
            (Status::Paused, _) => Group::Paused,
            (Status::Bound, _) => Group::NotStarted,
            (Status::Dead | Status::Blocked, _) => Group::Dead,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Group::Runnable => "runnable",
            Group::Blocked => "blocked on a channel",
            Group::Sleeping => "sleeping",
            Group::Waiting => "waiting in a native",
            Group::Paused => "paused",
            Group::NotStarted => "not started",
            Group::Dead => "dead",
        }
    }
}

/// One tasklet as shown.
#[derive(Serialize)]
struct Row {
    id: u64,
    name: Option<String>,
    main: bool,
    group: Group,
    status: String,
    /// `FILE:LINE in FUNCTION` of the innermost frame.
    at: Option<String>,
    error_pending: bool,
    /// Host components by their short name (`position`), as RON text.
    components: Vec<(String, String)>,
}

impl Row {
    fn new(save: &SaveFile, t: &TaskletRec, main: u64) -> Row {
        Row {
            id: t.id,
            name: t.name.clone(),
            main: t.id == main,
            group: Group::of(t),
            status: status_text(t, save.header.tick),
            at: place(save, t),
            error_pending: t.pending.is_some(),
            components: t
                .ext
                .iter()
                .map(|(tag, v)| (short_tag(tag), v.as_ron().to_string()))
                .collect(),
        }
    }

    fn line(&self) -> String {
        let mut s = match (&self.name, self.main) {
            (Some(n), _) => format!("#{} {n}: {}", self.id, self.status),
            (None, true) => format!("#{} main: {}", self.id, self.status),
            (None, false) => format!("#{}: {}", self.id, self.status),
        };
        if let Some(at) = &self.at {
            let _ = write!(s, " at {at}");
        }
        if self.error_pending {
            s.push_str(" (error pending)");
        }
        if !self.components.is_empty() {
            let parts: Vec<String> = self
                .components
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            let _ = write!(s, "; {}", parts.join(", "));
        }
        s
    }
}

/// One channel as shown.
#[derive(Serialize)]
struct ChannelRow {
    id: u64,
    balance: i64,
    preference: i8,
    closing: bool,
    waiters: Vec<u64>,
}

impl ChannelRow {
    fn new(c: &ChannelRec) -> ChannelRow {
        let n = i64::try_from(c.waiters.len()).unwrap_or(i64::MAX);
        ChannelRow {
            id: c.id,
            balance: if c.dir == Dir::Send { n } else { -n },
            preference: c.preference,
            closing: c.closing,
            waiters: c.waiters.clone(),
        }
    }
}

#[derive(Serialize)]
struct ModuleRow {
    name: String,
    path: String,
    hash: String,
}

/// The whole save as shown; also the JSON document, field for field.
#[derive(Serialize)]
struct Summary {
    kind: &'static str,
    format: String,
    version: u32,
    producer: String,
    tick: u64,
    seed: u64,
    modules: Vec<ModuleRow>,
    tasklets: Vec<Row>,
    channels: Vec<ChannelRow>,
    /// A cluster shard's place, transit and remote waiters.
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<crate::shard_inspect::ShardSection>,
}

impl Summary {
    fn new(save: &SaveFile) -> Summary {
        let h = &save.header;
        let main = save.body.world.as_ref().map_or(0, |w| w.main);
        Summary {
            kind: match h.kind {
                SaveKind::World => "world",
                SaveKind::Selection => "selection",
            },
            format: h.format.clone(),
            version: h.version,
            producer: h.producer.clone(),
            tick: h.tick,
            seed: h.seed,
            modules: save
                .body
                .modules
                .iter()
                .map(|m| ModuleRow {
                    name: m.name.clone(),
                    path: m.path.clone(),
                    hash: m.hash.to_string(),
                })
                .collect(),
            tasklets: save
                .body
                .tasklets
                .iter()
                .map(|t| Row::new(save, t, main))
                .collect(),
            channels: save.body.channels.iter().map(ChannelRow::new).collect(),
            shard: crate::shard_inspect::section(save),
        }
    }
}

/// The table a person reads.
pub fn text(save: &SaveFile) -> String {
    let s = Summary::new(save);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} save, format {} version {}, written by {}",
        s.kind, s.format, s.version, s.producer
    );
    let _ = writeln!(out, "tick {}, seed {}", s.tick, s.seed);
    let _ = writeln!(out, "modules:");
    for m in &s.modules {
        let _ = writeln!(out, "  {} ({}) {}", m.name, m.path, m.hash);
    }
    let counts: Vec<String> = GROUPS
        .iter()
        .filter_map(|g| {
            let n = s.tasklets.iter().filter(|r| r.group == *g).count();
            (n > 0).then(|| format!("{n} {}", g.title()))
        })
        .collect();
    let _ = writeln!(
        out,
        "tasklets: {}{}",
        s.tasklets.len(),
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        }
    );
    for g in GROUPS {
        let rows: Vec<&Row> = s.tasklets.iter().filter(|r| r.group == g).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, " {}:", g.title());
        for r in rows {
            let _ = writeln!(out, "  {}", r.line());
        }
    }
    let _ = writeln!(out, "channels: {}", s.channels.len());
    for c in &s.channels {
        let waiters: Vec<String> = c.waiters.iter().map(|w| format!("#{w}")).collect();
        let _ = writeln!(
            out,
            "  #{}: balance {}, preference {}, waiters [{}]{}",
            c.id,
            c.balance,
            c.preference,
            waiters.join(", "),
            if c.closing { ", closing" } else { "" }
        );
    }
    if let Some(shard) = crate::shard_inspect::describe(save) {
        out.push_str(&shard);
    }
    out
}

/// The same as one line of JSON.
pub fn json(save: &SaveFile) -> String {
    match serde_json::to_string(&Summary::new(save)) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Plain strings and numbers always serialize; kept total anyway.
        Err(e) => format!("{{\"error\":{:?}}}\n", e.to_string()),
    }
}

/// `blocked receiving on channel #4`, `sleeping until tick 12`, …
fn status_text(t: &TaskletRec, tick: u64) -> String {
    match Group::of(t) {
        Group::Blocked | Group::Sleeping | Group::Waiting => match &t.wait {
            Wait::Channel { id, dir } => {
                let d = if *dir == Dir::Send {
                    "sending"
                } else {
                    "receiving"
                };
                format!("blocked {d} on channel #{id}")
            }
            Wait::Sleep { remaining } => {
                format!("sleeping until tick {}", tick.saturating_add(*remaining))
            }
            Wait::Native { module, name, .. } => format!("waiting in {module}.{name}"),
            Wait::Nothing => String::new(),
        },
        g => g.title().to_string(),
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

/// `village.Position` → `position`.
fn short_tag(tag: &str) -> String {
    tag.rsplit('.').next().unwrap_or(tag).to_lowercase()
}
