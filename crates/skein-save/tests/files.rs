//! Save files as bytes: every encoding round-trips, the bytes are
//! deterministic, versions are checked first, hostile bytes give errors and
//! never panics, and writes are atomic with a backup.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::path::PathBuf;

use skein_save::code::ContentHash;
use skein_save::ext::ExtValue;
use skein_save::format::*;
use skein_save::values::ValueRec;
use skein_save::{Encoding, Problem, from_bytes, read_file, to_bytes, write_file};

fn sample() -> SaveFile {
    let mut header = Header::new(SaveKind::World, 42, 7);
    header
        .modules
        .insert("village".into(), ContentHash(0x0123_4567_89ab_cdef));
    let frame = FrameRec {
        func: FuncRec("village".into(), "farmer".into()),
        pc: 12,
        line: 6,
        locals: vec![ValueRec::Int(3), ValueRec::Unbound],
        stack: vec![ValueRec::Channel(2)],
        handlers: vec![HandlerRec {
            target: 20,
            height: 0,
            catch_all: false,
        }],
        ret: skein_vm::Cont::Push,
    };
    let mut ext = BTreeMap::new();
    ext.insert(
        "game.Position".to_string(),
        ExtValue::from_ron("(x: 1, y: 2)").expect("ron"),
    );
    let tasklet = |id: u64, wait: Wait, status: Status| TaskletRec {
        id,
        name: (id == 3).then(|| "ada".to_string()),
        status,
        alive: true,
        started: true,
        atomic: false,
        block_trap: false,
        data: ValueRec::Dict(vec![(ValueRec::Str("hp".into()), ValueRec::Int(9))]),
        tempval: ValueRec::Nil,
        pending: None,
        pending_is_payload: false,
        wait,
        suspension: SuspensionRec::Receive,
        func: Some(FuncRec("village".into(), "farmer".into())),
        tick_state: TickStateRec::default(),
        fiber: FiberRec {
            state: FiberStateRec::Waiting,
            frames: vec![frame.clone()],
            pending: None,
        },
        ext: ext.clone(),
    };
    SaveFile {
        header,
        body: Body {
            modules: vec![ModuleRec {
                name: "village".into(),
                path: "village.sk".into(),
                hash: ContentHash(0x0123_4567_89ab_cdef),
                functions: vec![
                    ("<module>".into(), ContentHash(1)),
                    ("farmer".into(), ContentHash(2)),
                ],
                source: "def farmer(c):\n    c.receive()\n".into(),
                code: None,
            }],
            tasklets: vec![
                tasklet(1, Wait::Nothing, Status::Runnable),
                tasklet(
                    3,
                    Wait::Channel {
                        id: 2,
                        dir: Dir::Receive,
                    },
                    Status::Blocked,
                ),
                tasklet(4, Wait::Sleep { remaining: 3 }, Status::Blocked),
                tasklet(
                    5,
                    Wait::Native {
                        request: 1,
                        module: "npc".into(),
                        name: "walk_to".into(),
                        args: vec![ValueRec::Int(3), ValueRec::Int(4)],
                    },
                    Status::Blocked,
                ),
            ],
            channels: vec![ChannelRec {
                id: 2,
                preference: -1,
                schedule_all: false,
                closing: false,
                dir: Dir::Receive,
                waiters: vec![3],
                ext: BTreeMap::new(),
            }],
            world: Some(WorldRec {
                next_id: 6,
                main: 1,
                ring: vec![1],
                sleepers: vec![4],
                last_request: 1,
                completions: vec![],
                rng: RngRec::default(),
                options: OptionsRec {
                    budget: 10_000,
                    frame_limit: 1000,
                    size_limit: 16 << 20,
                    path: vec![".".into()],
                    params: BTreeMap::new(),
                    tick_budget: 0,
                },
                globals: vec![GlobalsRec {
                    module: "village".into(),
                    state: ImportStateRec::Done,
                    values: vec![
                        (
                            "farmer".into(),
                            ValueRec::Function("village".into(), "farmer".into()),
                        ),
                        ("c".into(), ValueRec::Channel(2)),
                    ],
                }],
                host_modules: vec!["npc".into()],
                counters: CountersRec::default(),
                resources: BTreeMap::new(),
            }),
            roots: vec![],
            ring_order: vec![],
            values: vec![ValueRec::Str("shared".repeat(100))],
        },
    }
}

#[test]
fn every_encoding_round_trips_and_is_deterministic() {
    let save = sample();
    for enc in [Encoding::Pretty, Encoding::Compact, Encoding::Binary] {
        let bytes = to_bytes(&save, enc).expect("encodes");
        assert_eq!(to_bytes(&save, enc).expect("encodes"), bytes, "{enc:?}");
        let back = from_bytes(&bytes).unwrap_or_else(|e| panic!("{enc:?}: {e}"));
        assert_eq!(back, save, "{enc:?}");
        assert_eq!(to_bytes(&back, enc).expect("encodes"), bytes, "{enc:?}");
    }
}

#[test]
fn pretty_ron_reads_like_a_save() {
    let text =
        String::from_utf8(to_bytes(&sample(), Encoding::Pretty).expect("encodes")).expect("utf8");
    assert!(
        text.starts_with("(\n  header: (\n    format: \"skein-save\",\n    version: 2,"),
        "{text}"
    );
    assert!(text.contains("func: (\"village\", \"farmer\")"), "{text}");
    assert!(text.contains("line: 6"), "{text}");
    assert!(text.contains("game.Position"), "{text}");
    assert!(text.contains("\"0123456789abcdef\""), "{text}");
}

/// The text of a save with its version replaced.
fn with_version(v: u32) -> String {
    let text =
        String::from_utf8(to_bytes(&sample(), Encoding::Pretty).expect("encodes")).expect("utf8");
    text.replacen("version: 2,", &format!("version: {v},"), 1)
}

#[test]
fn a_future_version_is_refused_by_name_before_the_body() {
    // A body this build cannot parse does not matter: the header says why.
    let text = with_version(3).replace("tasklets:", "creatures:");
    let e = from_bytes(text.as_bytes()).expect_err("future");
    assert_eq!(
        *e.problem,
        Problem::FutureVersion {
            found: 3,
            newest: 2
        }
    );
    assert!(
        e.to_string()
            .contains("save format version 3 is newer than this skein (reads up to 2)"),
        "{e}"
    );
    let e = from_bytes(with_version(0).as_bytes()).expect_err("too old");
    assert!(
        matches!(*e.problem, Problem::TooOld { found: 0, .. }),
        "{e}"
    );
    let text = with_version(2).replacen("\"skein-save\"", "\"other\"", 1);
    let e = from_bytes(text.as_bytes()).expect_err("not a save");
    assert!(matches!(*e.problem, Problem::NotASave(_)), "{e}");
}

#[test]
fn a_version_1_save_is_refused_naming_both_versions() {
    // Version 1 carried source only; this build resumes saved bytecode, so
    // it cannot read one, and says which version it needs.
    let text = with_version(1).replace("code: None,", "");
    let e = from_bytes(text.as_bytes()).expect_err("version 1");
    assert_eq!(
        *e.problem,
        Problem::TooOld {
            found: 1,
            oldest: 2,
            newest: 2
        }
    );
    assert_eq!(
        e.to_string(),
        "line 4, column 16: save format version 1 is too old for this skein, which needs \
         version 2 (reads 2 to 2)"
    );
}

#[test]
fn a_future_version_in_binary_is_refused_too() {
    let mut save = sample();
    save.header.version = 9;
    let bytes = to_bytes(&save, Encoding::Binary).expect("encodes");
    let e = from_bytes(&bytes).expect_err("future");
    assert_eq!(
        *e.problem,
        Problem::FutureVersion {
            found: 9,
            newest: 2
        }
    );
}

#[test]
fn syntax_errors_give_line_and_column() {
    let text =
        String::from_utf8(to_bytes(&sample(), Encoding::Pretty).expect("encodes")).expect("utf8");
    let text = text.replacen("pc: 12", "pc: twelve", 1);
    let e = from_bytes(text.as_bytes()).expect_err("syntax");
    let (line, _col) = e.at.expect("position");
    let bad_line = text
        .lines()
        .position(|l| l.contains("twelve"))
        .expect("line")
        + 1;
    assert_eq!(line, bad_line, "{e}");
    assert_eq!(
        e.clone().in_file("w.ron").to_string().split(':').next(),
        Some("w.ron")
    );
}

#[test]
fn truncated_files_are_errors_never_panics() {
    let save = sample();
    for enc in [Encoding::Pretty, Encoding::Compact, Encoding::Binary] {
        let bytes = to_bytes(&save, enc).expect("encodes");
        // Every cut (every 7th in pretty RON, which is mostly indentation),
        // but the last byte (a newline in RON).
        let (end, step) = match enc {
            Encoding::Binary => (bytes.len(), 1),
            Encoding::Compact => (bytes.len() - 1, 1),
            Encoding::Pretty => (bytes.len() - 1, 7),
        };
        for cut in (0..end).step_by(step) {
            assert!(from_bytes(&bytes[..cut]).is_err(), "{enc:?} cut at {cut}");
        }
    }
}

#[test]
fn random_byte_edits_never_panic() {
    let save = sample();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for enc in [Encoding::Compact, Encoding::Binary, Encoding::Pretty] {
        let bytes = to_bytes(&save, enc).expect("encodes");
        for _ in 0..3000 {
            let mut b = bytes.clone();
            for _ in 0..1 + rng.next_u64() % 4 {
                let i = (rng.next_u64() as usize) % b.len();
                b[i] = rng.next_u64() as u8;
            }
            let _ = from_bytes(&b);
        }
    }
}

#[test]
fn huge_length_prefixes_do_not_allocate() {
    // A binary save whose first list claims 2^62 elements.
    let mut b = skein_save::write::BINARY_MAGIC.to_vec();
    let good = to_bytes(&sample(), Encoding::Binary).expect("encodes");
    let header_end = {
        // Re-encode just the header to find where the body starts.
        let h = postcard::to_stdvec(&sample().header).expect("header");
        skein_save::write::BINARY_MAGIC.len() + h.len()
    };
    b.extend_from_slice(&good[skein_save::write::BINARY_MAGIC.len()..header_end]);
    b.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f]);
    let e = from_bytes(&b).expect_err("huge");
    assert!(matches!(*e.problem, Problem::Binary(_)), "{e}");
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("skein-save-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn writes_are_atomic_and_keep_a_backup() {
    let dir = scratch("atomic");
    let path = dir.join("w.ron");
    let mut save = sample();
    write_file(&path, &save, Encoding::Pretty).expect("first write");
    assert!(!dir.join("w.ron.bak").exists());
    let first = std::fs::read(&path).expect("read");
    save.header.tick = 43;
    write_file(&path, &save, Encoding::Pretty).expect("second write");
    assert_eq!(std::fs::read(dir.join("w.ron.bak")).expect("bak"), first);
    assert_eq!(read_file(&path).expect("loads").header.tick, 43);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_write_leaves_the_old_file_whole() {
    let dir = scratch("fail");
    let path = dir.join("w.ron");
    write_file(&path, &sample(), Encoding::Compact).expect("first write");
    let first = std::fs::read(&path).expect("read");
    // Writing into a folder that does not exist fails and touches nothing.
    let bad = dir.join("missing").join("w.ron");
    assert!(write_file(&bad, &sample(), Encoding::Compact).is_err());
    assert_eq!(std::fs::read(&path).expect("read"), first);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn binary_is_chosen_by_extension_and_read_back() {
    let dir = scratch("bin");
    let path = dir.join("w.bin");
    let enc = Encoding::choose(&path, false, false);
    assert_eq!(enc, Encoding::Binary);
    write_file(&path, &sample(), enc).expect("write");
    assert_eq!(read_file(&path).expect("read"), sample());
    let e = read_file(&dir.join("none.ron")).expect_err("missing");
    assert!(e.to_string().contains("none.ron"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "prints a sample save for people to look at"]
fn show_sample() {
    let text =
        String::from_utf8(to_bytes(&sample(), Encoding::Pretty).expect("encodes")).expect("utf8");
    println!("{text}");
    let text =
        String::from_utf8(to_bytes(&sample(), Encoding::Compact).expect("encodes")).expect("utf8");
    println!("{text}");
}
