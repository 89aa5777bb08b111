//! After the peephole pass: an item read through a computed key of a
//! parameter's container, `LoadLocal a; <key>; Index`, becomes
//! `<key>; IndexLocalPop(a)`, so the container is neither cloned onto the
//! stack (a reference count up and down) nor loaded by a dispatch of its own.
//!
//! Reading `a` after its key instead of before is unobservable only when
//! `a` is always bound there and the key writes no local: `a` must be a
//! parameter (bound on entry) or a local stored before the function's
//! first jump or jump target (so every path runs that store first), one
//! the function never unbinds (`del`, `except … as a`, a move into a
//! call), and the key a run of instructions that only read locals and
//! push, on the read's line, with no jump into it.

use crate::bytecode::{Dst, Function, Op};

/// Rewrites `f.code` (and its line map) in place, renumbering jumps.
pub(super) fn index_params(f: &mut Function) {
    let n = f.code.len();
    let mut is_target = vec![false; n + 1];
    for op in &f.code {
        if let Some(t) = op.target()
            && let Some(slot) = is_target.get_mut(t as usize)
        {
            *slot = true;
        }
    }
    let bound = bound_on_entry(f, &is_target);
    let mut dropped = vec![false; n];
    let mut i = 0;
    while i < n {
        if let Op::LoadLocal(a) = f.code[i]
            && bound.get(usize::from(a)).is_some_and(|&b| b <= i)
            && let Some(end) = key_end(f, i, &is_target)
            && !unbinds(f, a)
        {
            dropped[i] = true;
            f.code[end] = Op::IndexLocalPop(a);
            i = end + 1;
        } else {
            i += 1;
        }
    }
    if !dropped.contains(&true) {
        return;
    }
    let mut map = vec![0u32; n + 1];
    let mut code = Vec::with_capacity(n);
    let mut lines = Vec::with_capacity(n);
    for (k, (&op, &line)) in f.code.iter().zip(&f.lines).enumerate() {
        map[k] = code.len() as u32;
        if !dropped[k] {
            code.push(op);
            lines.push(line);
        }
    }
    map[n] = code.len() as u32;
    for op in &mut code {
        if let Some(t) = op.target_mut() {
            *t = map.get(*t as usize).copied().unwrap_or(*t);
        }
    }
    f.code = code;
    f.lines = lines;
}

/// For each local, the first pc from which it is bound on every path (0
/// for a parameter; one past a store into it — `StoreLocal`, `Move` or a
/// `Bin` into a local, each of which binds or raises — in the straight run
/// that opens the function, before any jump, handler or jump target), or
/// `usize::MAX`.
fn bound_on_entry(f: &Function, is_target: &[bool]) -> Vec<usize> {
    let mut bound = vec![usize::MAX; usize::from(f.nlocals).max(f.params.len())];
    for b in bound.iter_mut().take(f.params.len()) {
        *b = 0;
    }
    for (k, op) in f.code.iter().enumerate() {
        if is_target.get(k).copied().unwrap_or(true) || op.target().is_some() {
            break;
        }
        let stored = match *op {
            Op::StoreLocal(a) | Op::Move { dst: a, .. } => Some(a),
            Op::Bin {
                dst: Dst::Local(a), ..
            } => Some(a),
            _ => None,
        };
        if let Some(a) = stored
            && let Some(b) = bound.get_mut(usize::from(a))
        {
            *b = (*b).min(k + 1);
        }
    }
    bound
}

/// Whether anything in `f` can leave local `a` unbound.
fn unbinds(f: &Function, a: u16) -> bool {
    f.code
        .iter()
        .any(|op| matches!(op, Op::DelLocal(x) | Op::ClearLocal(x) | Op::TakeLocal(x) if *x == a))
}

/// The `Index` that ends the key begun after the `LoadLocal` at `i`, when
/// the key's instructions only read and push, never reach below the
/// container on the stack, and sit on its line with no jump into them.
fn key_end(f: &Function, i: usize, is_target: &[bool]) -> Option<usize> {
    let line = f.lines[i];
    // Values pushed above the container.
    let mut above = 0usize;
    let run = f.code.iter().zip(&f.lines).zip(is_target).enumerate();
    for (k, ((&op, &op_line), &target)) in run.skip(i + 1) {
        if target || op_line != line {
            return None;
        }
        let (pops, pushes) = match op {
            Op::Index if above == 1 => return (k > i + 1).then_some(k),
            Op::Index | Op::Binary(_) | Op::Compare(_) => (2, 1),
            Op::LoadLocal(_)
            | Op::SmallInt(_)
            | Op::Const(_)
            | Op::PushLL { .. }
            | Op::PushLI { .. }
            | Op::IndexLocal { .. }
            | Op::IndexGlobal { .. } => (0, 1),
            Op::Unary(_) | Op::IndexLocalPop(_) => (1, 1),
            Op::Bin {
                dst: Dst::Push,
                a,
                b,
                ..
            } => (a.pops() + b.pops(), 1),
            _ => return None,
        };
        above = above.checked_sub(pops)? + pushes;
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::disasm::disasm_function;
    use crate::loader::compile_str;

    fn listing(src: &str, func: usize) -> String {
        let p = compile_str("t", src).expect("compiles");
        let m = &p.modules[0];
        disasm_function(m, &m.functions[func])
    }

    #[test]
    fn computed_keys_of_parameters_read_in_place() {
        let src = "\
def f(a, i):
    return a[i + 1] + a[i - i + 1]
";
        assert_eq!(
            listing(src, 1),
            "\
== t.f (params: a, i) ==
    0  L2   PushLI push := local 1 (i) + 1
    1  L2   IndexLocalPop push := local 0 (a)[pop]
    2  L2   PushLL push := local 1 (i) - local 1 (i)
    3  L2   Bin push := pop + 1
    4  L2   IndexLocalPop push := local 0 (a)[pop]
    5  L2   Binary +
    6  L2   Return
    7  L2   None
    8  L2   Return
"
        );
    }

    #[test]
    fn locals_stored_before_any_jump_read_in_place() {
        // `b` is stored before the loop's first jump: bound on every path
        // to the read. `c` is stored inside the loop: not.
        let src = "\
def f(i):
    b = [1, 2]
    for k in range(i):
        c = [k, k]
        x = b[k - 1] + c[k - 1]
    return x
";
        let text = listing(src, 1);
        assert!(
            text.contains("IndexLocalPop push := local 1 (b)[pop]"),
            "{text}"
        );
        assert_eq!(text.matches("IndexLocalPop").count(), 1, "{text}");
    }

    #[test]
    fn locals_that_may_be_unbound_and_keys_that_write_keep_the_load() {
        // `b` is stored on one path only; `e` after a handler is set up
        // (the handler can run before the store); `a` is unbound by `del`;
        // a call's key could be anything: each read loads its container
        // first.
        let src = "\
def f(a, i):
    if i:
        b = [1, 2]
    try:
        e = [i]
    except ValueError:
        print(e[i + 0])
    x = b[i + 1]
    y = a[i + 1]
    z = i[len(i)]
    del a
    return x
";
        let text = listing(src, 1);
        assert!(!text.contains("IndexLocalPop"), "{text}");
    }

    #[test]
    fn global_items_read_in_place() {
        let src = "\
T = [1, 2]
def f(i):
    return T[i] + T[0]
";
        let text = listing(src, 1);
        assert!(
            text.contains("IndexGlobal push := global 0 (T)[local 0 (i)]"),
            "{text}"
        );
        assert!(
            text.contains("IndexGlobal push := global 0 (T)[0]"),
            "{text}"
        );
    }
}
