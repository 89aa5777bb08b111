//! Hostile bytecode in world saves: the code a save carries is run without
//! compiling anything, so every saved function is verified and every index
//! checked on load. Each corruption is refused whole, naming the field, and
//! leaves the fresh world untouched.

use skein_save::format::SaveFile;
use skein_save::{Encoding, LoadError, from_bytes, to_bytes};
use skein_script::bytecode::{Const, Function, Op};

#[path = "common/refusals.rs"]
mod refusals;

use refusals::load;

const SCRIPT: &str = "
import stackless
def waiter(ch, n):
    total = 0
    for i in range(n):
        total += ch.receive()
    print(total)
c = stackless.channel()
stackless.tasklet(waiter)(c, 3)
stackless.schedule()
";

fn saved() -> SaveFile {
    refusals::saved_at_tick_2(SCRIPT)
}

/// The module record of `w` and the index of its function `waiter`.
fn waiter_at(save: &SaveFile) -> (usize, usize) {
    let m = (save.body.modules.iter().position(|m| m.name == "w")).expect("module w");
    let code = save.body.modules[m]
        .code
        .as_ref()
        .expect("a world save has bytecode");
    let f = (code.functions.iter().position(|f| f.name == "waiter")).expect("waiter");
    (m, f)
}

/// `edit` applied to `waiter`'s saved function, then loaded: the error.
fn refused(edit: impl FnOnce(&mut Function)) -> LoadError {
    let mut s = saved();
    let (m, f) = waiter_at(&s);
    let code = s.body.modules[m].code.as_mut().expect("code");
    edit(&mut code.functions[f]);
    load(&s).expect_err("refused")
}

fn path_of(save: &SaveFile, rest: &str) -> String {
    let (m, f) = waiter_at(save);
    format!("modules[{m}].code.functions[{f}].{rest}")
}

#[test]
fn the_sample_loads() {
    load(&saved()).expect("loads");
}

#[test]
fn a_jump_out_of_range() {
    let e = refused(|f| f.code[0] = Op::Jump(10_000));
    assert_eq!(e.path, path_of(&saved(), "code[0]"), "{e}");
    assert!(
        e.to_string().contains("jump to 10000 is past the end"),
        "{e}"
    );
}

#[test]
fn a_constant_index_out_of_range() {
    let e = refused(|f| f.code[0] = Op::Const(999));
    assert_eq!(e.path, path_of(&saved(), "code[0]"), "{e}");
    assert!(e.to_string().contains("const 999 out of range"), "{e}");
}

#[test]
fn a_name_local_and_function_index_out_of_range() {
    let e = refused(|f| f.code[0] = Op::LoadAttr(999));
    assert!(e.to_string().contains("name 999 out of range"), "{e}");
    let e = refused(|f| f.code[0] = Op::LoadLocal(999));
    assert!(e.to_string().contains("local 999 out of range"), "{e}");
    let e = refused(|f| f.code[0] = Op::MakeFunction(999));
    assert!(e.to_string().contains("function 999 out of range"), "{e}");
}

#[test]
fn a_stack_depth_lie() {
    // An op that claims operands the stack does not have at that point.
    let e = refused(|f| f.code[0] = Op::BuildList(50));
    assert_eq!(e.path, path_of(&saved(), "code[0]"), "{e}");
    assert!(e.to_string().contains("needs 50 operands"), "{e}");
    // Two paths meeting with different heights.
    let e = refused(|f| {
        let n = f.code.len();
        f.code.insert(0, Op::JumpIfTrue(3));
        f.code.insert(0, Op::True);
        f.code.insert(2, Op::None);
        for op in &mut f.code[3..] {
            if let Some(t) = op.target_mut() {
                *t += 3;
            }
        }
        f.lines.splice(0..0, [2, 2, 2]);
        assert_eq!(f.code.len(), n + 3);
    });
    assert!(e.to_string().contains("disagrees"), "{e}");
}

#[test]
fn a_broken_line_table() {
    let e = refused(|f| {
        f.lines.pop();
    });
    assert!(e.to_string().contains("lines for"), "{e}");
    let e = refused(|f| f.lines[0] = 1_000_000);
    assert_eq!(e.path, path_of(&saved(), "lines[0]"), "{e}");
}

#[test]
fn locals_and_parameters_that_disagree() {
    let e = refused(|f| f.nlocals += 1);
    assert!(e.to_string().contains("local_names"), "{e}");
    let e = refused(|f| f.defaults = vec![Const::None; 5]);
    assert!(e.to_string().contains("defaults"), "{e}");
}

#[test]
fn a_hidden_builtin_outside_the_prelude() {
    let i = skein_script::bytecode::builtin_index("__sort_by_keys").expect("builtin") as u16;
    let e = refused(|f| f.code[0] = Op::LoadBuiltin(i));
    assert!(e.to_string().contains("hidden builtin"), "{e}");
}

#[test]
fn missing_code_or_bad_module_tables() {
    let mut s = saved();
    let (m, _) = waiter_at(&s);
    s.body.modules[m].code = None;
    let e = load(&s).expect_err("refused");
    assert_eq!(e.path, format!("modules[{m}].code"), "{e}");
    let mut s = saved();
    s.body.modules[m].code.as_mut().expect("code").retired = vec![77];
    let e = load(&s).expect_err("refused");
    assert_eq!(e.path, format!("modules[{m}].code.retired[0]"), "{e}");
    let mut s = saved();
    s.body.modules[m].code.as_mut().expect("code").old = vec![(0, vec![1])];
    let e = load(&s).expect_err("refused");
    assert!(e.to_string().contains("no record w#0"), "{e}");
    let mut s = saved();
    s.body.modules[m]
        .code
        .as_mut()
        .expect("code")
        .functions
        .clear();
    let e = load(&s).expect_err("refused");
    assert_eq!(e.path, format!("modules[{m}].code.functions"), "{e}");
}

#[test]
fn a_bad_opcode_is_refused_in_both_encodings() {
    let s = saved();
    let text = String::from_utf8(to_bytes(&s, Encoding::Pretty).expect("bytes")).expect("utf8");
    let bad = text.replacen("ForIter(", "ForEver(", 1);
    assert_ne!(bad, text);
    let e = from_bytes(bad.as_bytes()).expect_err("refused");
    assert!(e.to_string().contains("ForEver"), "{e}");
    assert!(e.at.is_some(), "a RON error has its line: {e}");

    // In binary, an instruction is its variant index: find waiter's code
    // in the file and give its first instruction an index no op has.
    let (m, f) = waiter_at(&s);
    let code = &s.body.modules[m].code.as_ref().expect("code").functions[f].code;
    let ops = postcard::to_allocvec(code).expect("ops");
    let bytes = to_bytes(&s, Encoding::Binary).expect("bytes");
    let at = (bytes.windows(ops.len()).position(|w| w == ops)).expect("code in the file");
    let mut bad = bytes.clone();
    let len_bytes = postcard::to_allocvec(&(code.len() as u64))
        .expect("len")
        .len();
    bad[at + len_bytes] = 0x7f;
    let e = from_bytes(&bad).expect_err("refused");
    assert!(e.to_string().contains("bad binary save"), "{e}");
}

#[test]
fn a_deeply_nested_constant_in_binary_is_an_error_not_a_crash() {
    let mut s = saved();
    let (m, f) = waiter_at(&s);
    let mut c = Const::Int(1);
    for _ in 0..1000 {
        c = Const::List(vec![c]);
    }
    s.body.modules[m].code.as_mut().expect("code").functions[f]
        .consts
        .push(c);
    let bytes = to_bytes(&s, Encoding::Binary).expect("bytes");
    let e = from_bytes(&bytes).expect_err("refused");
    assert!(e.to_string().contains("bad binary save"), "{e}");
    // The limit, not the data, refused it: a literal as deep as the
    // compiler makes one still reads.
    let nest = |n: usize| (0..n).fold(Const::Int(1), |c, _| Const::List(vec![c]));
    let ok = postcard::to_allocvec(&nest(200)).expect("bytes");
    assert_eq!(postcard::from_bytes::<Const>(&ok).ok(), Some(nest(200)));
    let deep = postcard::to_allocvec(&nest(1000)).expect("bytes");
    assert!(postcard::from_bytes::<Const>(&deep).is_err());
}

#[test]
fn saved_bytecode_runs_without_its_source_compiling() {
    // The save's source is for tracebacks and `inspect`: a world resumes on
    // its bytecode even when the source would not compile any more.
    let mut s = saved();
    let (m, _) = waiter_at(&s);
    s.body.modules[m].source.push_str("\nthis is not skein\n");
    load(&s).expect("resumes on the saved bytecode");
}
