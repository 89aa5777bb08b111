//! Raising: unwinding frames to the innermost handler that takes the error,
//! recording a traceback entry for each frame the error passes through, and
//! `except` matching.

use std::sync::Arc;

use skein_script::bytecode::{Function, Op, Program};

use super::exec::Exec;
use super::values::as_error;
use crate::errors;
use crate::fiber::{Fiber, FiberState, Frame, Step};
use crate::globals::ImportState;
use crate::kind::Kind;
use crate::value::TraceEntry;
use crate::value::{TypeTag, Value};

/// The line a frame is at for a traceback: that of the instruction it last
/// began (its `pc` is the next one), or its `def` line before its first.
pub(crate) fn frame_line(program: &Program, frame: &Frame) -> u32 {
    let func = program.function(frame.func);
    match frame.pc.checked_sub(1) {
        Some(pc) => func
            .lines
            .get(pc as usize)
            .copied()
            .unwrap_or(func.def_line),
        None => func.def_line,
    }
}

/// Raises `err` at the innermost frame's current instruction: frames without
/// a handler that takes it are popped; the first that has one resumes at its
/// handler with the error on top of the stack as it was when the `try`
/// began. `Err` gives back the error (with its full traceback) when the
/// outermost frame was popped too.
///
/// `reraise` (a bare `raise`): the innermost frame is already in the
/// error's traceback, as in Python.
pub(crate) fn unwind(
    ex: &mut Exec,
    fiber: &mut Fiber,
    err: Value,
    reraise: bool,
) -> Result<(), Value> {
    let mut err = as_error(err);
    let kind = match &err {
        Value::Error(e) => e.kind,
        _ => Kind::TypeError,
    };
    let mut entries: Vec<TraceEntry> = Vec::new();
    let mut skip_entry = reraise;
    let caught = loop {
        let Some(frame) = ex.frames.last() else {
            break false;
        };
        let fi = (ex.frames.len() - 1) as u32;
        if !skip_entry && Some(frame.func.module) != ex.prelude {
            entries.push(TraceEntry {
                func: frame.func,
                line: frame_line(ex.program, frame),
            });
        }
        skip_entry = false;
        let mut target = None;
        while let Some(h) = fiber.handlers().last() {
            if h.frame < fi {
                break;
            }
            let h = fiber.handlers_mut().pop().expect("checked above");
            if h.frame == fi && (h.catch_all || kind != Kind::TaskletExit) {
                target = Some(h);
                break;
            }
        }
        if let Some(h) = target {
            fiber.stack.truncate(h.stack_len as usize);
            if let Some(f) = ex.frames.last_mut() {
                f.pc = h.target;
            }
            break true;
        }
        let frame = ex.frames.pop().expect("checked above");
        fiber.stack.truncate(frame.base as usize);
        // A module whose top level failed has not run: importing it again
        // runs it again, as Python does.
        if frame.func.func == 0
            && let Some(g) = ex.globals.modules.get_mut(frame.func.module as usize)
        {
            g.state = ImportState::NotRun;
        }
    };
    if !entries.is_empty()
        && let Value::Error(e) = &mut err
    {
        let e = Arc::make_mut(e);
        entries.reverse();
        entries.append(&mut e.traceback);
        e.traceback = entries;
    }
    if caught {
        fiber.stack.push(err);
        Ok(())
    } else {
        fiber.stack.clear();
        if let Some(handlers) = fiber.handlers_if_any() {
            handlers.clear();
        }
        Err(err)
    }
}

/// What a bare `raise` outside any `except` of its own function re-raises:
/// the error the nearest calling frame is handling, as Python does.
///
/// An `except` body keeps its error in a hidden `$exc` local: the compiler
/// stores it right before the body (`StoreLocal`) and clears it at the body's
/// end (`ClearLocal`, the last one of that slot), so a frame is handling that
/// error while its pc lies between the two. The pc decides, not whether the
/// local is bound: a body left by an exception never reaches its
/// `ClearLocal`. Of nested bodies the innermost has the highest slot (locals
/// are numbered in source order). All of it is frame state, so saves keep it.
///
/// Returns the error and whether it is a re-raise: as in Python, the frame
/// of the bare `raise` does not join the traceback of the error it re-raises,
/// but does join that of the `RuntimeError` raised when nothing is handled.
pub(crate) fn handled_error(ex: &Exec, fiber: &Fiber) -> (Value, bool) {
    let callers = &ex.frames[..ex.frames.len().saturating_sub(1)];
    for frame in callers.iter().rev() {
        let func = ex.program.function(frame.func);
        let base = frame.base as usize;
        for (i, name) in func.local_names.iter().enumerate().rev() {
            if name.starts_with("$exc")
                && handling_at(func, frame.pc as usize, i)
                && let Some(v @ Value::Error(_)) = fiber.stack.get(base + i)
            {
                return (v.clone(), true);
            }
        }
    }
    (
        errors::runtime_error("No active exception to reraise"),
        false,
    )
}

/// Whether `pc` (a caller's return point) lies inside the `except` body
/// whose error is in local `slot`.
fn handling_at(func: &Function, pc: usize, slot: usize) -> bool {
    let Ok(slot) = u16::try_from(slot) else {
        return false;
    };
    let start = func.code.iter().position(|op| *op == Op::StoreLocal(slot));
    let end = func.code.iter().rposition(|op| *op == Op::ClearLocal(slot));
    matches!((start, end), (Some(s), Some(e)) if s < pc && pc <= e)
}

/// `except KIND` (or a list of kinds): does `err` match?
pub(crate) fn exc_match(err: &Value, want: &Value) -> Result<bool, Value> {
    let Value::Error(e) = err else {
        return Ok(false);
    };
    let one = |w: &Value| match w {
        Value::Type(TypeTag::Kind(k)) => Ok(e.kind.caught_by(*k)),
        _ => Err(errors::type_error(
            "catching classes that do not inherit from BaseException is not allowed",
        )),
    };
    match want {
        Value::List(l) => {
            let mut any = false;
            for w in &l.items {
                any |= one(w)?;
            }
            Ok(any)
        }
        w => one(w),
    }
}

/// Raises `err` in the innermost frame; `Some` when nobody catches it. An
/// engine fault ([`errors::fault`]) is no script error: it skips every
/// handler and ends the fiber at once.
pub(crate) fn throw(ex: &mut Exec, fiber: &mut Fiber, err: Value, reraise: bool) -> Option<Step> {
    if errors::fault_message(&err).is_some() {
        fiber.state = FiberState::Failed;
        return Some(Step::Raised(err));
    }
    match unwind(ex, fiber, err, reraise) {
        Ok(()) => None,
        Err(err) => {
            fiber.state = FiberState::Failed;
            Some(Step::Raised(err))
        }
    }
}
