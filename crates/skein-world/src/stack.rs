//! A look inside a tasklet: its whole stack the way a Python traceback with
//! its locals shows it — each frame's `file:line in function`, the source
//! line, and every local by name with its value. `skein inspect SAVE
//! --tasklet NAME|#ID` prints it for a save; [`tasklet_stack`] gives it for a
//! live world, between ticks.

use std::fmt::Write;

use bevy_ecs::world::World;
use skein_script::bytecode::{FuncRef, Function, Op, Program};
use skein_vm::context::with_cx;
use skein_vm::{Fiber, Host, Value};

use crate::components::{TaskletFiber, TaskletState, Wait};
use crate::resources::{Code, Scheduler};

/// Values whose repr is longer than this many characters are cut short
/// (with `...`) unless the full view is asked for.
pub const ELIDE_AT: usize = 80;

/// One tasklet's stack, outermost frame first.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskletStack {
    /// The tasklet's id.
    pub id: u64,
    /// `<tasklet ada>` or `<tasklet #3>`.
    pub label: String,
    /// `runnable`, `sleeping until tick 12`, `blocked receiving on channel #4`…
    pub status: String,
    /// Its frames, outermost first.
    pub frames: Vec<StackFrame>,
}

/// One frame: where it is and its locals (as `repr` prints them).
#[derive(Debug, Clone, PartialEq)]
pub struct StackFrame {
    /// The module's file.
    pub file: String,
    /// The line the frame is at.
    pub line: u32,
    /// The function's name, `<module>` for a top level.
    pub function: String,
    /// The source line, trimmed (`None` when the line is not in the source).
    pub source: Option<String>,
    /// Bound locals by name, in slot order; compiler temporaries left out.
    pub locals: Vec<(String, String)>,
}

/// Tasklets matching `selector`: `#ID` (or a bare number) is that id;
/// anything else is every tasklet with that name, in id order.
pub fn find_tasklets(world: &World, selector: &str) -> Vec<u64> {
    let sched = world.resource::<Scheduler>();
    let by_id = selector
        .strip_prefix('#')
        .unwrap_or(selector)
        .parse::<u64>()
        .ok();
    sched
        .ring
        .ids()
        .filter_map(|(id, e)| Some((id, world.get::<TaskletState>(e)?)))
        .filter(|(id, t)| match by_id {
            Some(want) => *id == want,
            None => t.name() == Some(selector),
        })
        .map(|(id, _)| id)
        .collect()
}

/// The stack of tasklet `id`, between ticks (`None`: no such tasklet).
pub fn tasklet_stack(world: &World, id: u64) -> Option<TaskletStack> {
    let sched = world.resource::<Scheduler>();
    let entity = sched.ring.entity(id)?;
    let state = world.get::<TaskletState>(entity)?;
    let program = world.resource::<Code>().0.clone();
    let names = Names(world);
    let label = names.describe(&Value::Tasklet(id));
    let status = status(state, sched, id);
    let frames = match world.get::<TaskletFiber>(entity) {
        Some(fiber) => frames(&fiber.0, &program)
            .into_iter()
            .filter(|f| Some(f.func.module) != program.module_index("__prelude__"))
            .map(|f| frame(&program, &f, &names))
            .collect(),
        None => Vec::new(),
    };
    Some(TaskletStack {
        id,
        label,
        status,
        frames,
    })
}

impl TaskletStack {
    /// The traceback text; values longer than [`ELIDE_AT`] characters are
    /// cut unless `full`.
    pub fn render(&self, full: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} (#{}): {}", self.label, self.id, self.status);
        if self.frames.is_empty() {
            out.push_str("  (no frames)\n");
            return out;
        }
        out.push_str("Stack (most recent call last):\n");
        for f in &self.frames {
            let _ = writeln!(
                out,
                "  File \"{}\", line {}, in {}",
                f.file, f.line, f.function
            );
            if let Some(src) = &f.source {
                let _ = writeln!(out, "    {src}");
            }
            for (name, value) in &f.locals {
                let _ = writeln!(out, "      {name} = {}", elide(value, full));
            }
        }
        out
    }
}

fn elide(text: &str, full: bool) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(ELIDE_AT) {
        Some((cut, _)) if !full => format!("{}...", &text[..cut]).into(),
        _ => text.into(),
    }
}

fn frame(program: &Program, f: &FrameInfo, names: &Names) -> StackFrame {
    let module = program.modules.get(f.func.module as usize);
    let function = module.and_then(|m| m.functions.get(f.func.func as usize));
    let name = match function {
        _ if f.func.func == 0 => "<module>".to_string(),
        Some(func) => func.name.clone(),
        None => "?".to_string(),
    };
    let source = module
        .and_then(|m| {
            m.source_of(f.func.func)
                .lines()
                .nth((f.line as usize).checked_sub(1)?)
        })
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let mut locals = Vec::new();
    if f.func.func != 0
        && let Some(func) = function
    {
        for (slot, (value, local)) in f.locals.iter().zip(&func.local_names).enumerate() {
            if local.starts_with('$') {
                continue;
            }
            if matches!(value, Value::Unbound) {
                if moved_into_call(func, f.pc, slot) {
                    locals.push((local.clone(), "<moved into the call>".to_string()));
                }
                continue;
            }
            locals.push((local.clone(), repr(value, program, names)));
        }
    }
    StackFrame {
        file: module.map_or_else(|| "?".to_string(), |m| m.path.clone()),
        line: f.line,
        function: name,
        source,
        locals,
    }
}

/// Whether local `slot`, unbound in a frame stopped before instruction
/// `pc`, was moved into the call the frame is in (`d = f(d)`): a
/// `TakeLocal` of it earlier on the call's line, not stored again since.
fn moved_into_call(func: &Function, pc: u32, slot: usize) -> bool {
    let Some(call) = (pc as usize).checked_sub(1) else {
        return false;
    };
    let line = func.lines.get(call);
    (0..call)
        .rev()
        .take_while(|&i| func.lines.get(i) == line)
        .map_while(|i| match func.code.get(i) {
            Some(Op::StoreLocal(s)) if *s as usize == slot => None,
            op => Some(op),
        })
        .any(|op| matches!(op, Some(Op::TakeLocal(s)) if *s as usize == slot))
}

fn repr(v: &Value, program: &Program, names: &Names) -> String {
    with_cx(program, &mut Names(names.0), |cx| {
        skein_vm::format::repr(v, cx)
    })
}

fn status(t: &TaskletState, sched: &Scheduler, id: u64) -> String {
    match &t.wait {
        _ if !t.alive => "dead".into(),
        Wait::Channel { channel, sending } => {
            let dir = if *sending { "sending" } else { "receiving" };
            format!("blocked {dir} on channel #{channel}")
        }
        Wait::Sleep { until, .. } => format!("sleeping until tick {until}"),
        Wait::Native(r) => format!("waiting in {}.{}", r.module, r.name),
        Wait::None if sched.ring.contains(id) => "runnable".into(),
        Wait::None if !t.started => "not started".into(),
        Wait::None => "paused".into(),
    }
}

/// A host that only names tasklets and channels, for printing values.
struct Names<'a>(&'a World);

impl Host for Names<'_> {
    fn print(&mut self, _text: &str) {}

    fn describe(&self, v: &Value) -> String {
        match v {
            Value::Tasklet(id) => {
                let name = self
                    .0
                    .resource::<Scheduler>()
                    .ring
                    .entity(*id)
                    .and_then(|e| self.0.get::<TaskletState>(e))
                    .and_then(|t| t.name().map(str::to_string));
                match name {
                    Some(n) => format!("<tasklet {n}>"),
                    None => format!("<tasklet #{id}>"),
                }
            }
            Value::Channel(id) => format!("<channel #{id}>"),
            _ => String::from("<?>"),
        }
    }
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
    /// The index of its next instruction.
    pub pc: u32,
    /// Its locals, by slot.
    pub locals: &'a [Value],
}

/// The fiber's frames, outermost first. The only place outside the VM
/// that reads a frame's layout, so a change of layout is fixed here.
pub fn frames<'a>(fiber: &'a Fiber, program: &Program) -> Vec<FrameInfo<'a>> {
    let mut out = Vec::with_capacity(fiber.frame_count());
    for frame in fiber.frames() {
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
            pc: frame.pc,
            locals: &fiber.stack[base..end],
        });
    }
    out
}
