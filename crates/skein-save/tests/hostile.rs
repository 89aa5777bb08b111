//! Hostile world saves: every kind of bad record is an error naming the
//! field, never a panic, and random edits of a real save never panic the
//! loader either.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use skein_save::format::{SaveFile, Wait};
use skein_save::values::ValueRec;
use skein_save::{Encoding, Problem, from_bytes, to_bytes};

#[path = "common/refusals.rs"]
mod refusals;

use refusals::load;

const SCRIPT: &str = "
import stackless
import sim
def waiter(ch, n):
    total = 0
    for i in range(n):
        try:
            total += ch.receive()
        except ValueError:
            pass
    print(total)
def napper():
    sim.sleep(5)
c = stackless.channel()
stackless.tasklet(waiter)(c, 3)
stackless.tasklet(waiter)(c, 2)
stackless.tasklet(napper)()
deep = [1]
for i in range(40):
    deep = [deep, i]
stackless.schedule()
";

fn saved() -> SaveFile {
    refusals::saved_at_tick_2(SCRIPT)
}

fn waiter_index(save: &SaveFile) -> usize {
    save.body
        .tasklets
        .iter()
        .position(|t| matches!(t.wait, Wait::Channel { .. }))
        .expect("a waiter")
}

#[test]
fn the_sample_loads() {
    load(&saved()).expect("loads");
}

#[test]
fn a_pc_out_of_range() {
    let mut s = saved();
    let i = waiter_index(&s);
    s.body.tasklets[i].fiber.frames[0].pc = 10_000;
    let e = load(&s).expect_err("refused");
    assert_eq!(e.path, format!("tasklets[{i}].fiber.frames[0].pc"), "{e}");
}

#[test]
fn an_operand_stack_that_does_not_fit() {
    let mut s = saved();
    let i = waiter_index(&s);
    s.body.tasklets[i].fiber.frames[0]
        .stack
        .push(ValueRec::Int(1));
    let e = load(&s).expect_err("refused");
    assert_eq!(
        e.path,
        format!("tasklets[{i}].fiber.frames[0].stack"),
        "{e}"
    );
    let mut s = saved();
    s.body.tasklets[i].fiber.frames[0].locals.pop();
    let e = load(&s).expect_err("refused");
    assert_eq!(
        e.path,
        format!("tasklets[{i}].fiber.frames[0].locals"),
        "{e}"
    );
}

#[test]
fn dangling_and_duplicate_ids() {
    let mut s = saved();
    let ring = &mut s.body.world.as_mut().expect("world").ring;
    let n = ring.len();
    ring.push(999);
    let e = load(&s).expect_err("refused");
    assert_eq!(e.path, format!("world.ring[{n}]"), "{e}");
    let mut s = saved();
    let i = waiter_index(&s);
    s.body.tasklets[i].fiber.frames[0].locals[0] = ValueRec::Channel(77);
    let e = load(&s).expect_err("refused");
    assert!(
        matches!(
            *e.problem,
            Problem::Dangling {
                what: "channel",
                id: 77
            }
        ),
        "{e}"
    );
    assert_eq!(e.path, format!("tasklets[{i}].fiber.frames[0].locals[0]"));
    let mut s = saved();
    let t = s.body.tasklets[1].clone();
    s.body.tasklets.insert(1, t);
    let e = load(&s).expect_err("refused");
    assert!(matches!(*e.problem, Problem::Duplicate { .. }), "{e}");
}

#[test]
fn a_tasklet_in_two_queues_or_facing_the_wrong_way() {
    let mut s = saved();
    let i = waiter_index(&s);
    let id = s.body.tasklets[i].id;
    s.body.world.as_mut().expect("world").ring.push(id);
    assert!(load(&s).is_err());
    let mut s = saved();
    if let Wait::Channel { dir, .. } = &mut s.body.tasklets[i].wait {
        *dir = skein_save::format::Dir::Send;
    }
    let e = load(&s).expect_err("refused");
    assert!(e.path.starts_with("channels[0].waiters"), "{e}");
}

#[test]
fn a_value_of_the_wrong_type() {
    let mut s = saved();
    s.body.tasklets[0].data = ValueRec::List(vec![]);
    let e = load(&s).expect_err("refused");
    assert_eq!(e.path, "tasklets[0].data", "{e}");
    assert!(matches!(*e.problem, Problem::WrongType { .. }), "{e}");
    let mut s = saved();
    s.body.tasklets[0].tempval = ValueRec::Unbound;
    let e = load(&s).expect_err("refused");
    assert_eq!(e.path, "tasklets[0].tempval", "{e}");
}

#[test]
fn unknown_code_and_natives() {
    let mut s = saved();
    let i = waiter_index(&s);
    s.body.tasklets[i].fiber.frames[0].func.1 = "nope".into();
    let e = load(&s).expect_err("refused");
    assert!(matches!(*e.problem, Problem::UnknownFunction { .. }), "{e}");
    let mut s = saved();
    s.body.tasklets[0].tempval = ValueRec::Native("npc".into(), "walk".into());
    let e = load(&s).expect_err("refused");
    assert_eq!(
        e.problem.to_string(),
        "native function npc.walk is not registered in this world"
    );
}

#[test]
fn a_huge_next_id_is_refused_before_allocating() {
    let mut s = saved();
    s.body.world.as_mut().expect("world").next_id = u64::MAX / 2;
    let e = load(&s).expect_err("refused");
    assert_eq!(e.path, "world.next_id", "{e}");
}

#[test]
fn a_ten_thousand_deep_inline_value_is_an_error() {
    let text =
        String::from_utf8(to_bytes(&saved(), Encoding::Compact).expect("bytes")).expect("utf8");
    let deep = format!("{}Int(1){}", "List([".repeat(10_000), "])".repeat(10_000));
    let bad = text.replacen("locals:[", &format!("locals:[{deep},"), 1);
    assert_ne!(bad, text);
    assert!(from_bytes(bad.as_bytes()).is_err());
}

#[test]
fn random_edits_of_a_real_save_never_panic_the_loader() {
    let text =
        String::from_utf8(to_bytes(&saved(), Encoding::Compact).expect("bytes")).expect("utf8");
    let bytes = text.as_bytes();
    let digits: Vec<usize> = (0..bytes.len())
        .filter(|i| bytes[*i].is_ascii_digit())
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut parsed = 0;
    for _ in 0..400 {
        let mut b = bytes.to_vec();
        for _ in 0..1 + rng.next_u64() % 3 {
            // Mostly digit edits, so most files still parse and reach the
            // checks; sometimes any byte.
            let i = if rng.next_u64().is_multiple_of(4) {
                (rng.next_u64() as usize) % b.len()
            } else {
                digits[(rng.next_u64() as usize) % digits.len()]
            };
            b[i] = if b[i].is_ascii_digit() {
                b'0' + (rng.next_u64() % 10) as u8
            } else {
                rng.next_u64() as u8
            };
        }
        if let Ok(save) = from_bytes(&b) {
            parsed += 1;
            let _ = load(&save);
        }
    }
    assert!(parsed > 100, "only {parsed} edits parsed");
}
