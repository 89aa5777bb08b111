//! Structure-aware mutations of real saves, beyond what
//! `crates/skein-save/tests/hostile.rs` already covers: each is refused with
//! the path to the bad field, never a panic, and a selection load that fails
//! leaves the running world byte-for-byte as it was.

use skein_save::format::{Dir, SaveFile, Status, Wait};
use skein_save::selection::{load_selection, save_selection};
use skein_save::values::ValueRec;
use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Encoding, LoadError, from_bytes, to_bytes};
use skein_vm::Value;
use skein_world::{Simulation, WorldOptions};

use crate::{paths, rss_bytes, sim_with};

/// Two receivers on `c`, a finished tasklet kept alive by a global, a
/// sleeper, and a four-frame tasklet waiting on `d`.
const SCRIPT: &str = "
import stackless
import sim
def done():
    pass
def waiter(ch):
    print('got', ch.receive())
def deep(n, ch):
    if n == 0:
        return ch.receive()
    return deep(n - 1, ch) + 1
def napper():
    sim.sleep(50)
    print('woke')
c = stackless.channel()
d = stackless.channel()
finished = stackless.tasklet(done)()
w1 = stackless.tasklet(waiter)(c)
w2 = stackless.tasklet(waiter)(c)
dd = stackless.tasklet(deep)(3, d)
nap = stackless.tasklet(napper)()
stackless.schedule()
";

fn sim() -> Simulation {
    sim_with(WorldOptions::default())
}

fn running() -> Simulation {
    let mut s = sim();
    s.load_main_source("m", SCRIPT).expect("compiles");
    s.run(2);
    let _ = s.take_output();
    s
}

fn world_save() -> SaveFile {
    save_world(&running().world).expect("saves")
}

/// A selection of every tasklet but main, with the channels they reach.
fn selection() -> SaveFile {
    let s = running();
    let roots: Vec<Value> = (2..64)
        .filter(|&id| s.tasklet(id).is_some())
        .map(Value::Tasklet)
        .collect();
    save_selection(&s.world, &roots, 0).expect("selects").0
}

/// Loads a world save into a fresh world, checking a refusal left it fresh.
fn load_world_checked(save: &SaveFile) -> Result<(), LoadError> {
    let mut s = sim();
    let before = paths::world_bytes(&s);
    let r = load_world(&mut s.world, save, CodePolicy::Saved);
    if r.is_err() {
        assert!(
            paths::world_bytes(&s) == before,
            "a failed load changed the world"
        );
    }
    r
}

/// Loads a selection into a running world of the same script, checking a
/// refusal left it byte-identical.
fn load_selection_checked(save: &SaveFile) -> Result<(), LoadError> {
    let mut s = running();
    let before = paths::world_bytes(&s);
    assert!(!before.is_empty());
    let r = load_selection(&mut s.world, save, true).map(|_| ());
    if r.is_err() {
        assert!(
            paths::world_bytes(&s) == before,
            "a failed selection load changed the world"
        );
    }
    r
}

fn index_where(save: &SaveFile, f: impl Fn(&skein_save::format::TaskletRec) -> bool) -> usize {
    save.body
        .tasklets
        .iter()
        .position(f)
        .expect("such a tasklet")
}

fn on_channel(save: &SaveFile, ch: usize) -> Vec<usize> {
    let id = save.body.channels[ch].id;
    (0..save.body.tasklets.len())
        .filter(|&i| matches!(save.body.tasklets[i].wait, Wait::Channel { id: c, .. } if c == id))
        .collect()
}

/// The channel record with two waiters (`c`).
fn two_waiter_channel(save: &SaveFile) -> usize {
    (0..save.body.channels.len())
        .find(|&c| save.body.channels[c].waiters.len() == 2)
        .expect("c")
}

fn deep_index(save: &SaveFile) -> usize {
    index_where(save, |t| t.fiber.frames.len() >= 4)
}

/// Every mutation, named, as (name, edit). Each edit is applied to both a
/// world save and a selection.
type Edit = fn(&mut SaveFile) -> String;

const EDITS: &[(&str, Edit)] = &[
    ("swap two tasklets' ids", |s| {
        let c = two_waiter_channel(s);
        let a = on_channel(s, c)[0];
        let b = index_where(s, |t| t.status == Status::Dead);
        let (ia, ib) = (s.body.tasklets[a].id, s.body.tasklets[b].id);
        s.body.tasklets[a].id = ib;
        s.body.tasklets[b].id = ia;
        "tasklets".into()
    }),
    ("a channel waiter that is a finished tasklet", |s| {
        let c = two_waiter_channel(s);
        let dead = index_where(s, |t| t.status == Status::Dead);
        s.body.channels[c].waiters[1] = s.body.tasklets[dead].id;
        format!("channels[{c}].waiters[1]")
    }),
    ("a channel's waiters facing both ways", |s| {
        let c = two_waiter_channel(s);
        let w = on_channel(s, c)[1];
        if let Wait::Channel { dir, .. } = &mut s.body.tasklets[w].wait {
            *dir = Dir::Send;
        }
        "channels[".into()
    }),
    ("a tasklet in two channels' queues", |s| {
        let c = two_waiter_channel(s);
        let w = s.body.channels[c].waiters[0];
        let other = (c + 1) % s.body.channels.len();
        s.body.channels[other].waiters.push(w);
        format!("channels[{other}].waiters")
    }),
    ("a pc one past the end", |s| {
        let t = deep_index(s);
        s.body.tasklets[t].fiber.frames[1].pc = 100_000;
        format!("tasklets[{t}].fiber.frames[1].pc")
    }),
    ("a pc of u32::MAX", |s| {
        let t = deep_index(s);
        s.body.tasklets[t].fiber.frames[2].pc = u32::MAX;
        format!("tasklets[{t}].fiber.frames[2].pc")
    }),
    ("an outer frame's pc moved back one instruction", |s| {
        let t = deep_index(s);
        s.body.tasklets[t].fiber.frames[1].pc -= 1;
        format!("tasklets[{t}].fiber.frames[1].")
    }),
    ("an outer frame's pc moved on one instruction", |s| {
        let t = deep_index(s);
        s.body.tasklets[t].fiber.frames[1].pc += 1;
        format!("tasklets[{t}].fiber.frames[1].")
    }),
    ("an operand stack far deeper than the code allows", |s| {
        let t = deep_index(s);
        let f = &mut s.body.tasklets[t].fiber.frames[2];
        f.stack
            .extend(std::iter::repeat_n(ValueRec::Int(7), 100_000));
        format!("tasklets[{t}].fiber.frames[2].stack")
    }),
    ("an outer frame of a function that does not exist", |s| {
        let t = deep_index(s);
        s.body.tasklets[t].fiber.frames[1].func.1 = "no_such_function".into();
        format!("tasklets[{t}].fiber.frames[1].func")
    }),
    ("a frame in a module that does not exist", |s| {
        let t = deep_index(s);
        s.body.tasklets[t].fiber.frames[0].func.0 = "no_such_module".into();
        format!("tasklets[{t}].fiber.frames[0].func")
    }),
    ("a sleeper also in a channel queue", |s| {
        let t = index_where(s, |t| matches!(t.wait, Wait::Sleep { .. }));
        let id = s.body.tasklets[t].id;
        let c = two_waiter_channel(s);
        s.body.channels[c].waiters.push(id);
        format!("channels[{c}].waiters")
    }),
];

/// Applies each edit to a copy of `good` and loads it with `load`; returns
/// what went wrong: an edited save that loaded, or a refusal naming
/// another field than the one the edit broke.
fn wrong_refusals(good: &SaveFile, load: fn(&SaveFile) -> Result<(), LoadError>) -> Vec<String> {
    load(good).expect("the unmutated save loads");
    let mut wrong = Vec::new();
    for (name, edit) in EDITS {
        let mut s = good.clone();
        let want = edit(&mut s);
        match load(&s) {
            Ok(()) => wrong.push(format!("{name}: loaded")),
            Err(e) if !e.path.starts_with(&want) => {
                wrong.push(format!("{name}: path {:?}, wanted {want:?}: {e}", e.path))
            }
            Err(_) => {}
        }
    }
    wrong
}

#[test]
fn mutated_world_saves_are_refused_with_the_field() {
    let wrong = wrong_refusals(&world_save(), load_world_checked);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn mutated_selections_are_refused_and_leave_the_running_world_as_it_was() {
    let good = selection();
    // Some edits break a finished tasklet's record: the selection holds one
    // (`finished`, still reachable from a global).
    assert!(good.body.tasklets.iter().any(|t| t.status == Status::Dead));
    let wrong = wrong_refusals(&good, load_selection_checked);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A length prefix of 2^32 - 1 and of 2^63 inserted at every position of a
/// binary save: each parse ends in an error or a refusal, quickly, and memory
/// stays bounded.
#[test]
fn huge_length_prefixes_anywhere_in_a_binary_save() {
    let bytes = to_bytes(&world_save(), Encoding::Binary).expect("encodes");
    let magic = skein_save::write::BINARY_MAGIC.len();
    let prefixes: [&[u8]; 2] = [
        &[0xff, 0xff, 0xff, 0xff, 0x0f],
        &[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
    ];
    let rss = rss_bytes();
    let mut parsed = 0;
    for at in magic..bytes.len() {
        for p in prefixes {
            // Replace the byte at `at` (usually a length or a tag) by the
            // prefix, so the lengths after it are read as they were.
            let mut b = bytes[..at].to_vec();
            b.extend_from_slice(p);
            b.extend_from_slice(&bytes[at + 1..]);
            if let Ok(save) = from_bytes(&b) {
                parsed += 1;
                let _ = load_world_checked(&save);
            }
        }
    }
    let grown = rss_bytes().saturating_sub(rss);
    eprintln!(
        "{} edits, {parsed} parsed, RSS grew {grown} bytes",
        2 * (bytes.len() - magic)
    );
    assert!(grown < 512 << 20, "RSS grew {grown} bytes");
}

/// A selection file truncated at every length, and every byte flipped: the
/// running world never changes on a refusal.
#[test]
fn truncated_and_flipped_selections_leave_the_running_world_alone() {
    let text = to_bytes(&selection(), Encoding::Compact).expect("encodes");
    let step = (text.len() / 200).max(1);
    for n in (0..text.len()).step_by(step) {
        if let Ok(save) = from_bytes(&text[..n]) {
            let _ = load_selection_checked(&save);
        }
    }
    let bin = to_bytes(&selection(), Encoding::Binary).expect("encodes");
    for i in skein_save::write::BINARY_MAGIC.len()..bin.len() {
        let mut b = bin.clone();
        b[i] ^= 0x41;
        if let Ok(save) = from_bytes(&b) {
            let _ = load_selection_checked(&save);
        }
    }
}
