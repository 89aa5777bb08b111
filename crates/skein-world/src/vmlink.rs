//! The few VM entry points the world uses to make and resume fibers and to
//! render tracebacks, gathered in one place so the scheduler reads in the
//! world's own terms.

use skein_script::bytecode::{FuncRef, Program};
use skein_vm::{Fiber, Host, KwArgs, Value};

/// A fiber about to run `module`'s top level.
pub fn new_main(program: &Program, module: u16) -> Fiber {
    Fiber::new_main(program, module)
}

/// A fiber about to call `func(*args, **kwargs)`; arguments that do not
/// bind leave their `TypeError` pending in the fiber.
pub fn new_call(program: &Program, func: FuncRef, args: Vec<Value>, kwargs: KwArgs) -> Fiber {
    Fiber::new_call(program, func, args, kwargs)
}

/// The host call the fiber is suspended in returns `v`.
pub fn resume_value(fiber: &mut Fiber, v: Value) {
    fiber.resume_value(v);
}

/// The host call the fiber is suspended in raises `err` (or, for a fiber
/// that is not suspended in a call, `err` is raised before its next
/// instruction).
pub fn resume_error(fiber: &mut Fiber, err: Value) {
    fiber.resume_error(err);
}

/// A `for` loop over a channel ends.
pub fn resume_iter_end(fiber: &mut Fiber) {
    fiber.resume_iter_end();
}

/// Python's traceback text for an uncaught error (ends with a newline).
pub fn render_traceback(err: &Value, program: &Program, host: &dyn Host) -> String {
    skein_vm::traceback::render(err, program, host)
}

/// The file (module path) and line the fiber's innermost frame is at.
pub fn current_line(fiber: &Fiber, program: &Program) -> Option<(String, u32)> {
    let (func, line) = fiber.current_line(program)?;
    let module = program.modules.get(func.module as usize)?;
    Some((module.path.clone(), line))
}

/// One frame of a fiber as a person inspects it: the function, the line it
/// is at, and its locals by slot (named by `Function::local_names`).
pub struct FrameInfo<'a> {
    /// The function the frame runs.
    pub func: FuncRef,
    /// The line it is at.
    pub line: u32,
    /// Its locals, by slot.
    pub locals: &'a [Value],
}

/// The fiber's frames, outermost first. The only place outside the VM
/// that reads a frame's layout, so a change of layout is fixed here.
pub fn frames<'a>(fiber: &'a Fiber, program: &Program) -> Vec<FrameInfo<'a>> {
    let mut out = Vec::with_capacity(fiber.frames.len());
    for frame in &fiber.frames {
        let Some(function) = program
            .modules
            .get(frame.func.module as usize)
            .and_then(|m| m.functions.get(frame.func.func as usize))
        else {
            continue;
        };
        // `pc` is the next instruction, so the frame is in the one before
        // (the call, for every frame but the innermost).
        let line = frame
            .pc
            .checked_sub(1)
            .and_then(|pc| function.lines.get(pc as usize).copied())
            .unwrap_or(function.def_line);
        let base = (frame.base as usize).min(fiber.stack.len());
        let end = (base + function.nlocals as usize).min(fiber.stack.len());
        out.push(FrameInfo {
            func: frame.func,
            line,
            locals: &fiber.stack[base..end],
        });
    }
    out
}
