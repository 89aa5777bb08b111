//! The bytecode verifier: checks that a function's code can be run without
//! the VM ever indexing out of bounds or finding an operand stack that
//! disagrees with itself, and computes the stack height before every pc.
//!
//! The heights matter beyond checking: a saved frame's pc and stack height
//! are checked against them when a world is loaded.

use crate::bytecode::{Arg, BUILTIN_NAMES, Dst, Function, NO_KW, Op, PlaceBase, Program};

/// What verification learned about one function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyInfo {
    /// Operand stack height (above the locals) before each pc; `None` for
    /// unreachable code.
    pub depth: Vec<Option<u16>>,
    /// How many handlers this frame has set up before each pc (`None` for
    /// unreachable code).
    pub handlers: Vec<Option<u16>>,
    /// The largest height reached.
    pub max_depth: u16,
}

/// Why a function failed verification (a compiler bug or a tampered file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{function}: pc {pc}: {message}")]
pub struct VerifyError {
    /// The function, as `module.name`.
    pub function: String,
    /// The instruction index at fault.
    pub pc: usize,
    /// What is wrong.
    pub message: String,
}

/// Verifies every function of every module.
pub fn verify_program(program: &Program) -> Result<(), VerifyError> {
    for m in &program.modules {
        for f in &m.functions {
            verify_function(f, m.globals.len(), m.functions.len()).map_err(|mut e| {
                e.function = format!("{}.{}", m.name, e.function);
                e
            })?;
        }
    }
    Ok(())
}

/// Verifies one function of a module with `module_globals` global slots and
/// `nfuncs` functions.
pub fn verify_function(
    f: &Function,
    module_globals: usize,
    nfuncs: usize,
) -> Result<VerifyInfo, VerifyError> {
    let fail = |pc: usize, message: String| VerifyError {
        function: f.name.clone(),
        pc,
        message,
    };
    let n = f.code.len();
    if f.lines.len() != n {
        return Err(fail(0, format!("{} lines for {} ops", f.lines.len(), n)));
    }
    if f.local_names.len() != f.nlocals as usize {
        return Err(fail(0, "local_names does not match nlocals".into()));
    }
    if f.params.len() > f.nlocals as usize || f.defaults.len() > f.params.len() {
        return Err(fail(
            0,
            "more parameters than locals, or defaults than parameters".into(),
        ));
    }
    if n == 0 {
        return Err(fail(0, "empty code".into()));
    }
    // Per pc: operand stack height and this frame's handler count.
    let mut state: Vec<Option<(u16, u16)>> = vec![None; n];
    let mut max_depth = 0u16;
    let mut work = vec![0usize];
    state[0] = Some((0, 0));
    while let Some(pc) = work.pop() {
        let (d, h) = state[pc].unwrap_or_default();
        let op = f.code[pc];
        check_indexes(f, &op, module_globals, nfuncs).map_err(|m| fail(pc, m))?;
        let (pops, pushes) = effect(f, &op);
        if (d as usize) < pops {
            return Err(fail(
                pc,
                format!("{op:?} needs {pops} operands, stack has {d}"),
            ));
        }
        let after = d as usize - pops + pushes;
        let mut flow = |target: usize, height: usize, handlers: u16| -> Result<(), VerifyError> {
            if target >= n {
                return Err(fail(
                    pc,
                    format!("jump to {target} is past the end ({n} ops)"),
                ));
            }
            let Ok(height) = u16::try_from(height) else {
                return Err(fail(pc, "stack too deep".into()));
            };
            max_depth = max_depth.max(height);
            match state[target] {
                None => {
                    state[target] = Some((height, handlers));
                    work.push(target);
                    Ok(())
                }
                Some(s) if s == (height, handlers) => Ok(()),
                Some((h0, n0)) => Err(fail(
                    target,
                    format!(
                        "stack height {height} with {handlers} handlers from pc {pc} \
                         disagrees with {h0} with {n0}"
                    ),
                )),
            }
        };
        let next = pc + 1;
        match op {
            Op::Return | Op::ReturnArg(_) | Op::ReturnLocal(_) | Op::Raise | Op::Reraise => {}
            Op::Jump(t) => flow(t as usize, after, h)?,
            Op::JumpCmp { target: t, .. }
            | Op::JumpLL { target: t, .. }
            | Op::JumpLI { target: t, .. }
            | Op::ForPrep { exit: t, .. }
            | Op::ForLoop { body: t, .. } => {
                flow(t as usize, after, h)?;
                flow(next, after, h)?;
            }
            Op::JumpIfFalse(t) | Op::JumpIfTrue(t) => {
                flow(t as usize, after, h)?;
                flow(next, after, h)?;
            }
            // Jumping keeps the condition; falling through pops it.
            Op::JumpIfFalseOrPop(t) | Op::JumpIfTrueOrPop(t) => {
                flow(t as usize, d as usize, h)?;
                flow(next, after, h)?;
            }
            // Exhausted: the iterator is popped and nothing is pushed.
            Op::ForIter(t) => {
                flow(t as usize, d as usize - 1, h)?;
                flow(next, after, h)?;
            }
            // As `ForIter`, and a pushed pair lands past its `Unpack(2)`.
            Op::ForPair(t) => {
                if f.code.get(next) != Some(&Op::Unpack(2)) {
                    return Err(fail(pc, "ForPair not followed by Unpack(2)".into()));
                }
                flow(t as usize, d as usize - 1, h)?;
                flow(next, after, h)?;
                flow(next + 1, after + 1, h)?;
            }
            // Not a dict: the receiver stays for the general path.
            Op::ItemsIter(t) => {
                flow(t as usize, d as usize, h)?;
                flow(next, after, h)?;
            }
            // The handler runs with the handler itself popped and the error
            // pushed on the stack as it was at the setup.
            Op::SetupExcept(t) | Op::SetupFinally(t) => {
                let Some(inner) = h.checked_add(1) else {
                    return Err(fail(pc, "too many handlers".into()));
                };
                flow(t as usize, d as usize + 1, h)?;
                flow(next, after, inner)?;
            }
            Op::PopHandler if h == 0 => {
                return Err(fail(pc, "PopHandler with no handler set up".into()));
            }
            _ => {
                if next >= n {
                    return Err(fail(pc, "code runs past its end without returning".into()));
                }
                let h = if op == Op::PopHandler { h - 1 } else { h };
                flow(next, after, h)?;
            }
        }
    }
    let depth = state.iter().map(|s| s.map(|(d, _)| d)).collect();
    let handlers = state.iter().map(|s| s.map(|(_, h)| h)).collect();
    Ok(VerifyInfo {
        depth,
        handlers,
        max_depth,
    })
}

fn place_parts(base: PlaceBase, depth: u8) -> usize {
    depth as usize + usize::from(matches!(base, PlaceBase::Attr(_)))
}

fn kw_count(f: &Function, kw: u16) -> usize {
    if kw == NO_KW {
        0
    } else {
        f.kwnames.get(kw as usize).map_or(0, Vec::len)
    }
}

/// `(pops, pushes)` of an op on the fallthrough path, as its doc states.
fn effect(f: &Function, op: &Op) -> (usize, usize) {
    match *op {
        Op::Nop | Op::DelLocal(_) | Op::ClearLocal(_) | Op::DelGlobal(_) | Op::PopHandler => (0, 0),
        Op::Const(_)
        | Op::SmallInt(_)
        | Op::None
        | Op::True
        | Op::False
        | Op::LoadLocal(_)
        | Op::TakeLocal(_)
        | Op::LoadGlobal(_)
        | Op::LoadBuiltin(_)
        | Op::Import(_)
        | Op::MakeFunction(_) => (0, 1),
        Op::Pop | Op::StoreLocal(_) | Op::StoreGlobal(_) | Op::ListAppendLocal(_) => (1, 0),
        Op::Dup => (1, 2),
        Op::Dup2 => (2, 4),
        Op::Rot2 | Op::ExcMatch => (2, 2),
        Op::Rot3 => (3, 3),
        Op::LoadAttr(_) | Op::Unary(_) | Op::Not | Op::GetIter => (1, 1),
        Op::LoadPlace { base, depth } => {
            let p = place_parts(base, depth);
            (p, p + 1)
        }
        Op::StorePlace { base, depth } => (place_parts(base, depth) + 1, 0),
        Op::DelPlace { base, depth } => (place_parts(base, depth), 0),
        Op::CallPlace {
            base,
            depth,
            argc,
            kw,
            ..
        } => (
            place_parts(base, depth) + argc as usize + kw_count(f, kw),
            1,
        ),
        Op::Index | Op::Binary(_) | Op::Compare(_) => (2, 1),
        Op::Slice => (4, 1),
        Op::Jump(_) => (0, 0),
        Op::JumpIfFalse(_) | Op::JumpIfTrue(_) => (1, 0),
        // The fallthrough path; the jump path is handled by the caller.
        Op::JumpIfFalseOrPop(_) | Op::JumpIfTrueOrPop(_) => (1, 0),
        Op::BuildList(n) | Op::BuildString(n) => (n as usize, 1),
        Op::BuildDict(n) => (2 * n as usize, 1),
        Op::DictInsertLocal(_) => (2, 0),
        Op::FormatValue { spec, .. } => (1 + usize::from(spec), 1),
        Op::Unpack(n) => (1, n as usize),
        Op::ForIter(_) | Op::ForPair(_) => (1, 2),
        Op::ItemsIter(_) => (1, 1),
        Op::Call { argc, kw } => (1 + argc as usize + kw_count(f, kw), 1),
        Op::CallMethod { argc, kw, .. } => (1 + argc as usize + kw_count(f, kw), 1),
        Op::Return | Op::Raise | Op::Reraise => (1, 0),
        Op::Bin { dst, a, b, .. } => (a.pops() + b.pops(), usize::from(dst == Dst::Push)),
        Op::JumpCmp { a, b, .. } => (a.pops() + b.pops(), 0),
        Op::Move { src, .. } | Op::ReturnArg(src) => (src.pops(), 0),
        Op::ForPrep { argc, .. } => (argc as usize, 0),
        Op::ForLoop { .. } => (0, 0),
        Op::BinLL { .. } | Op::BinLI { .. } | Op::JumpLL { .. } | Op::JumpLI { .. } => (0, 0),
        Op::ReturnLocal(_) => (0, 0),
        Op::BinPK { .. } | Op::BinPI { .. } => (1, 0),
        Op::PushLL { .. } | Op::PushLI { .. } => (0, 1),
        Op::IndexLocal { .. } | Op::IndexGlobal { .. } => (0, 1),
        Op::IndexLocalPop(_) => (1, 1),
        Op::SetupExcept(_) | Op::SetupFinally(_) => (0, 0),
        Op::ImportFrom(_) => (1, 2),
    }
}

fn check_indexes(
    f: &Function,
    op: &Op,
    module_globals: usize,
    nfuncs: usize,
) -> Result<(), String> {
    let local = |i: u16| {
        if i < f.nlocals {
            Ok(())
        } else {
            Err(format!("local {i} out of range ({} locals)", f.nlocals))
        }
    };
    let global = |i: u16| {
        if (i as usize) < module_globals {
            Ok(())
        } else {
            Err(format!(
                "global {i} out of range ({module_globals} globals)"
            ))
        }
    };
    let name = |i: u16| {
        if (i as usize) < f.names.len() {
            Ok(())
        } else {
            Err(format!("name {i} out of range ({} names)", f.names.len()))
        }
    };
    let kw = |k: u16| {
        if k == NO_KW || (k as usize) < f.kwnames.len() {
            Ok(())
        } else {
            Err(format!("keyword list {k} out of range"))
        }
    };
    let arg = |a: Arg| match a {
        Arg::Local(i) => local(i),
        Arg::Const(c) if (c as usize) >= f.consts.len() => Err(format!("const {c} out of range")),
        Arg::Const(_) | Arg::Int(_) | Arg::Pop => Ok(()),
    };
    // A range loop's three state slots and its variable.
    let range = |var: u16, state: u16| {
        local(var)?;
        match state.checked_add(2) {
            Some(last) => local(last),
            None => Err(format!("local {state} out of range ({} locals)", f.nlocals)),
        }
    };
    let base = |b: PlaceBase| match b {
        PlaceBase::Local(i) => local(i),
        PlaceBase::Global(i) => global(i),
        PlaceBase::Attr(i) => name(i),
    };
    match *op {
        Op::Const(i) if (i as usize) >= f.consts.len() => Err(format!("const {i} out of range")),
        Op::LoadLocal(i)
        | Op::TakeLocal(i)
        | Op::StoreLocal(i)
        | Op::DelLocal(i)
        | Op::ClearLocal(i)
        | Op::ListAppendLocal(i)
        | Op::DictInsertLocal(i) => local(i),
        Op::LoadGlobal(i) | Op::StoreGlobal(i) | Op::DelGlobal(i) => global(i),
        Op::LoadBuiltin(i) if (i as usize) >= BUILTIN_NAMES.len() => {
            Err(format!("builtin {i} out of range"))
        }
        Op::LoadAttr(i) | Op::Import(i) | Op::ImportFrom(i) => name(i),
        Op::LoadPlace { base: b, .. } | Op::StorePlace { base: b, .. } => base(b),
        Op::DelPlace { base: b, depth } => {
            if depth == 0 {
                return Err("DelPlace needs depth >= 1".into());
            }
            base(b)
        }
        Op::CallPlace {
            base: b,
            name: nm,
            kw: k,
            ..
        } => base(b).and(name(nm)).and(kw(k)),
        Op::CallMethod {
            name: nm, kw: k, ..
        } => name(nm).and(kw(k)),
        Op::Call { kw: k, .. } => kw(k),
        Op::MakeFunction(i) if (i as usize) >= nfuncs => Err(format!("function {i} out of range")),
        Op::Bin { dst, a, b, .. } => {
            arg(a)?;
            arg(b)?;
            match dst {
                Dst::Local(i) => local(i),
                Dst::Push => Ok(()),
            }
        }
        Op::JumpCmp { a, b, .. } => arg(a).and(arg(b)),
        Op::Move { dst, src } => local(dst).and(arg(src)),
        Op::ReturnArg(a) => arg(a),
        Op::BinLL { dst, a, b, .. } => local(dst).and(local(a)).and(local(b)),
        Op::BinLI { dst, a, .. } => local(dst).and(local(a)),
        Op::BinPK { dst, b, .. } => local(dst).and(arg(Arg::Const(b))),
        Op::BinPI { dst, .. } | Op::ReturnLocal(dst) => local(dst),
        Op::PushLL { a, b, .. } | Op::JumpLL { a, b, .. } => local(a).and(local(b)),
        Op::PushLI { a, .. } | Op::JumpLI { a, .. } => local(a),
        Op::IndexLocal { key: Arg::Pop, .. } => Err("IndexLocal's key is never popped".into()),
        Op::IndexLocal { a, key } => local(a).and(arg(key)),
        Op::IndexGlobal { key: Arg::Pop, .. } => Err("IndexGlobal's key is never popped".into()),
        Op::IndexGlobal { g, key } => global(g).and(arg(key)),
        Op::IndexLocalPop(a) => local(a),
        Op::ForPrep { argc: 0 | 4.., .. } => Err("ForPrep takes 1 to 3 arguments".into()),
        Op::ForPrep { var, state, .. } | Op::ForLoop { var, state, .. } => range(var, state),
        _ => Ok(()),
    }
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
