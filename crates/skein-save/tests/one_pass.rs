//! The one-pass binary decoder against the record path on broken bytes: a
//! real binary save cut short or with a byte changed at the start, the
//! second byte and the middle of each of its sections (header, code, value
//! table, channels, world record, each tasklet, the tail), and at random
//! places. The one-pass decoder must never take bytes the record path
//! refuses, must leave the world fresh when it does not take them, and
//! `load_world_bytes` must give the record path's verdict word for word.
//! When both take changed bytes, the two worlds must save to the same
//! bytes. The tasklets are read by the byte-level reader (which the tests
//! check it does), so every byte of every tasklet record is changed too.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use skein_save::format::SaveFile;
use skein_save::world_load::{
    CodePolicy, load_world, load_world_bytes, try_one_pass, try_one_pass_counted,
};
use skein_save::write::BINARY_MAGIC;
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_world::{Scheduler, Simulation, WorldOptions};

const SCRIPT: &str = "
import stackless
import sim
def waiter(ch, n):
    total = 0
    for i in range(n):
        total += ch.receive()
    print(total)
def napper(xs):
    sim.sleep(5)
    print(len(xs))
c = stackless.channel()
stackless.tasklet(waiter)(c, 3)
stackless.tasklet(waiter)(c, 2)
deep = [1]
for i in range(40):
    deep = [deep, i]
stackless.tasklet(napper)(deep)
stackless.schedule()
";

fn sim() -> Simulation {
    let mut s = Simulation::new(WorldOptions::default());
    skein_save::pickle::install(&mut s.world);
    s
}

fn saved() -> SaveFile {
    let mut s = sim();
    s.load_main_source("w", SCRIPT).expect("compiles");
    s.run(2);
    skein_save::world_save::save_world(&s.world).expect("saves")
}

fn is_fresh(s: &Simulation) -> bool {
    let sched = s.world.resource::<Scheduler>();
    (sched.main, sched.ring.next_id(), sched.tick) == (0, 1, 0)
}

/// Where each section of the binary save starts, by name.
fn sections(save: &SaveFile) -> Vec<(String, usize)> {
    let len = |v: &dyn erased::Len| v.len();
    let b = &save.body;
    let mut at = BINARY_MAGIC.len();
    let mut out = Vec::new();
    let mut mark = |name: &str, size: usize| {
        out.push((name.to_string(), at));
        at += size;
    };
    mark("header", len(&save.header));
    mark("modules", len(&b.modules));
    mark("values", len(&b.values));
    mark("channels", len(&b.channels));
    mark("world", len(&b.world));
    mark("tasklet count", len(&b.tasklets.len()));
    for (i, t) in b.tasklets.iter().enumerate() {
        mark(&format!("tasklets[{i}]"), len(t));
    }
    mark("roots", len(&b.roots));
    mark("ring_order", len(&b.ring_order));
    out
}

/// The size of a record's postcard encoding, for any record type.
mod erased {
    pub trait Len {
        fn len(&self) -> usize;
    }
    impl<T: serde::Serialize> Len for T {
        fn len(&self) -> usize {
            postcard::to_allocvec(self).expect("encodes").len()
        }
    }
}

/// The one-pass decoder and `load_world_bytes` against the record path on
/// `bytes`; `what` names the edit in a failure.
fn same_verdict(bytes: &[u8], what: &str) -> bool {
    let mut s = sim();
    let record = from_bytes(bytes).and_then(|f| load_world(&mut s.world, &f, CodePolicy::Saved));
    let mut one = sim();
    match (try_one_pass(&mut one.world, bytes), &record) {
        (None, Err(_)) => assert!(
            is_fresh(&one),
            "{what}: a refused one pass changed the world"
        ),
        (Some(Ok(())), Ok(())) => assert_eq!(resaved(&one), resaved(&s), "{what}"),
        (taken, _) => panic!("{what}: one pass {taken:?}, record path {record:?}"),
    }
    let mut by_bytes = sim();
    let r = load_world_bytes(&mut by_bytes.world, bytes, CodePolicy::Saved);
    assert_eq!(
        r.as_ref().map_err(ToString::to_string),
        record.as_ref().map_err(ToString::to_string),
        "{what}"
    );
    record.is_ok()
}

/// A loaded world saved again, as binary bytes.
fn resaved(s: &Simulation) -> Vec<u8> {
    let save = skein_save::world_save::save_world(&s.world).expect("saves");
    to_bytes(&save, Encoding::Binary).expect("encodes")
}

#[test]
fn the_byte_level_reader_takes_every_tasklet_of_the_sample() {
    let save = saved();
    let bytes = to_bytes(&save, Encoding::Binary).expect("encodes");
    let mut s = sim();
    let (done, fast) = try_one_pass_counted(&mut s.world, &bytes).expect("taken");
    done.expect("loads");
    assert_eq!(fast, save.body.tasklets.len());
    assert!(fast >= 3, "{fast}");
    assert_eq!(resaved(&s), bytes);
}

#[test]
fn every_byte_of_every_tasklet_changed_is_judged_alike() {
    let save = saved();
    let bytes = to_bytes(&save, Encoding::Binary).expect("encodes");
    let s = sections(&save);
    let (mut refused, mut taken) = (0, 0);
    for (k, (name, at)) in s.iter().enumerate() {
        if !name.starts_with("tasklets[") {
            continue;
        }
        let end = s.get(k + 1).map_or(bytes.len(), |n| n.1);
        for i in *at..end {
            for new in [0x00, 0x80, bytes[i] ^ 1] {
                let mut b = bytes.clone();
                b[i] = new;
                let what = format!("byte {i} ({name}) set to {new:#x}");
                if same_verdict(&b, &what) {
                    taken += 1;
                } else {
                    refused += 1;
                }
            }
        }
    }
    // Changed ints and flags load; changed tags, lengths and names do not.
    assert!(
        refused > 100 && taken > 20,
        "{refused} refused, {taken} taken"
    );
}

#[test]
fn a_huge_frame_count_is_refused_without_allocating() {
    // A saved frame limit that lets any count through, then a tasklet whose
    // frame count says four billion: the count must not size anything.
    let mut save = saved();
    if let Some(w) = save.body.world.as_mut() {
        w.options.frame_limit = u32::MAX;
    }
    let bytes = to_bytes(&save, Encoding::Binary).expect("encodes");
    let s = sections(&save);
    let k = s
        .iter()
        .position(|(n, _)| n == "tasklets[0]")
        .expect("a tasklet");
    let end = s[k + 1].1;
    let t = &save.body.tasklets[0];
    let fiber = postcard::to_allocvec(&t.fiber).expect("encodes").len();
    let ext = postcard::to_allocvec(&t.ext).expect("encodes").len();
    // The fiber's state, then its frame count (one byte in this save).
    let count = end - ext - fiber + 1;
    assert_eq!(usize::from(bytes[count]), t.fiber.frames.len());
    let huge = [
        &bytes[..count],
        &[0xff, 0xff, 0xff, 0xff, 0x0f],
        &bytes[count + 1..],
    ]
    .concat();
    assert!(!same_verdict(&huge, "a frame count of 2^32 - 1"));
}

#[test]
fn the_sections_add_up_to_the_file() {
    let save = saved();
    let bytes = to_bytes(&save, Encoding::Binary).expect("encodes");
    let s = sections(&save);
    let last = s.last().expect("sections");
    let tail = postcard::to_allocvec(&save.body.ring_order).expect("encodes");
    assert_eq!(last.1 + tail.len(), bytes.len());
    assert!(s.iter().any(|(n, _)| n == "tasklets[2]"), "{s:?}");
    assert!(same_verdict(&bytes, "the whole save"), "the sample loads");
}

#[test]
fn a_save_cut_short_in_any_section_is_refused_alike() {
    let save = saved();
    let bytes = to_bytes(&save, Encoding::Binary).expect("encodes");
    let s = sections(&save);
    let mut cuts = vec![0, 1, BINARY_MAGIC.len(), bytes.len() - 1];
    for (k, (_, at)) in s.iter().enumerate() {
        let end = s.get(k + 1).map_or(bytes.len(), |n| n.1);
        cuts.extend([*at, at + 1, (at + end) / 2, end - 1]);
    }
    // A one-byte section's cuts reach the whole file.
    cuts.retain(|c| *c < bytes.len());
    for cut in cuts {
        let name = s.iter().rev().find(|(_, at)| *at <= cut);
        let what = format!("cut at {cut} ({name:?})");
        assert!(!same_verdict(&bytes[..cut], &what), "{what} loaded");
    }
    // Bytes after the end.
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(!same_verdict(&longer, "a byte after the end"));
}

#[test]
fn a_changed_byte_in_any_section_is_judged_alike() {
    let save = saved();
    let bytes = to_bytes(&save, Encoding::Binary).expect("encodes");
    let s = sections(&save);
    let mut refused = 0;
    for (k, (name, at)) in s.iter().enumerate() {
        let end = s.get(k + 1).map_or(bytes.len(), |n| n.1);
        for i in [*at, at + 1, (at + end) / 2]
            .into_iter()
            .filter(|i| *i < end)
        {
            for new in [0x00, 0x7f, 0xff, bytes[i] ^ 1] {
                let mut b = bytes.clone();
                b[i] = new;
                let what = format!("byte {i} ({name}) set to {new:#x}");
                refused += usize::from(!same_verdict(&b, &what));
            }
        }
    }
    assert!(refused > 20, "only {refused} edits refused");
}

#[test]
fn random_changes_never_make_the_two_paths_disagree() {
    let bytes = to_bytes(&saved(), Encoding::Binary).expect("encodes");
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for n in 0..300 {
        let mut b = bytes.clone();
        for _ in 0..1 + rng.next_u64() % 3 {
            let i = BINARY_MAGIC.len() + (rng.next_u64() as usize) % (b.len() - BINARY_MAGIC.len());
            b[i] = rng.next_u64() as u8;
        }
        same_verdict(&b, &format!("random edit {n}"));
    }
}
