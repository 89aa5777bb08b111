//! Saved frames checked against the bytecode verifier: a program counter must
//! point at reachable code of its function, and the operand stack saved with
//! it must have exactly the height the verifier computed for that point.
//!
//! A frame that is not the innermost one is suspended in a call: its pc is
//! the instruction after the call, and the call's result is not pushed yet,
//! so its height is one less than the verifier's. The innermost frame is the
//! same while its fiber waits in a host call (or a `for` over a channel);
//! otherwise it is about to run its pc and the heights are equal.

use skein_script::bytecode::{FuncRef, Function, Op, PlaceBase, Program};
use skein_script::verify::{VerifyInfo, verify_function};
use skein_vm::Cont;

use crate::error::{FieldPath, LoadError};
use crate::format::{FrameRec, HandlerRec};

/// The verifier's findings for every function of a program, computed once
/// per load (or once per program, through [`verified_for`]).
pub struct Verified {
    modules: Vec<Vec<VerifyInfo>>,
}

impl Verified {
    /// Verifies every function; a function that fails is a broken program
    /// (a compiler bug or a tampered save), reported with its name.
    pub fn new(program: &Program) -> Result<Verified, LoadError> {
        let mut modules = Vec::with_capacity(program.modules.len());
        for (mi, m) in program.modules.iter().enumerate() {
            let mut infos = Vec::with_capacity(m.functions.len());
            for f in &m.functions {
                let info = verify_function(f, m.globals.len(), m.functions.len()).map_err(|e| {
                    LoadError::invalid(
                        &FieldPath::root().field("modules").index(mi),
                        format!("module {} does not verify: {e}", m.name),
                    )
                })?;
                infos.push(info);
            }
            modules.push(infos);
        }
        Ok(Verified { modules })
    }

    /// Findings computed elsewhere (the saved bytecode's own checks), by
    /// module then function, in the program's order.
    pub(crate) fn from_infos(modules: Vec<Vec<VerifyInfo>>) -> Verified {
        Verified { modules }
    }

    /// The findings for one function.
    pub fn info(&self, module: u16, func: u16) -> Option<&VerifyInfo> {
        self.modules.get(module as usize)?.get(func as usize)
    }
}

/// How a frame sits in its fiber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameRole {
    /// About to execute its pc.
    Running,
    /// Suspended in a call whose result it has not received yet.
    AwaitingResult,
    /// The innermost frame with an error pending: raised before its next
    /// instruction, whether or not the call it was in pushed a result.
    Either,
}

/// Checks one saved frame of `func` against the verifier's findings.
pub fn check_frame(
    func: &Function,
    info: &VerifyInfo,
    rec: &FrameRec,
    role: FrameRole,
    path: &FieldPath,
) -> Result<(), LoadError> {
    let shape = FrameShape {
        locals: rec.locals.len(),
        pc: rec.pc,
        height: rec.stack.len(),
        handlers: &rec.handlers,
    };
    check_shape(func, info, &shape, role, path)
}

/// What [`check_frame`] looks at in a frame, so a loader reading the bytes
/// directly checks what it read without building the record.
pub(crate) struct FrameShape<'a> {
    /// How many locals were saved.
    pub locals: usize,
    pub pc: u32,
    /// How many operands were saved above the locals.
    pub height: usize,
    pub handlers: &'a [HandlerRec],
}

/// [`check_frame`] on a frame's shape.
pub(crate) fn check_shape(
    func: &Function,
    info: &VerifyInfo,
    rec: &FrameShape,
    role: FrameRole,
    path: &FieldPath,
) -> Result<(), LoadError> {
    let name = &func.name;
    if rec.locals != func.nlocals as usize {
        return Err(LoadError::invalid(
            &path.field("locals"),
            format!(
                "{} locals saved, but {name} has {}",
                rec.locals, func.nlocals
            ),
        ));
    }
    let pc = rec.pc as usize;
    let n = func.code.len();
    if pc >= n {
        return Err(LoadError::invalid(
            &path.field("pc"),
            format!("pc {pc} is outside {name} ({n} instructions)"),
        ));
    }
    let Some(Some(depth)) = info.depth.get(pc).copied() else {
        return Err(LoadError::invalid(
            &path.field("pc"),
            format!("pc {pc} is unreachable code of {name}"),
        ));
    };
    let depth = depth as usize;
    let height = rec.height;
    let follows_call = pc
        .checked_sub(1)
        .and_then(|p| func.code.get(p))
        .is_some_and(awaits_result);
    let expected = match role {
        FrameRole::Running => depth,
        FrameRole::Either if height == depth || !follows_call => depth,
        FrameRole::AwaitingResult | FrameRole::Either => {
            if !follows_call {
                return Err(LoadError::invalid(
                    &path.field("pc"),
                    format!("pc {pc} of {name} does not follow a call"),
                ));
            }
            depth.saturating_sub(1)
        }
    };
    if height != expected {
        return Err(LoadError::invalid(
            &path.field("stack"),
            format!(
                "operand stack of {height} at pc {pc} of {name}, where the code has {expected}"
            ),
        ));
    }
    for (i, h) in rec.handlers.iter().enumerate() {
        let p_0 = path.field("handlers");
        let p = p_0.index(i);
        let target_depth = info.depth.get(h.target as usize).copied().flatten();
        if target_depth.map(usize::from) != Some(h.height as usize + 1) {
            return Err(LoadError::invalid(
                &p,
                format!(
                    "handler at {} with height {} does not fit the code of {name}",
                    h.target, h.height
                ),
            ));
        }
        if h.height as usize > height {
            return Err(LoadError::invalid(
                &p.field("height"),
                format!(
                    "handler height {} above the operand stack ({height})",
                    h.height
                ),
            ));
        }
    }
    Ok(())
}

/// The ops after which a frame can wait for a value: calls, imports, and a
/// `for` over a channel waiting for its next item.
fn awaits_result(op: &Op) -> bool {
    matches!(
        op,
        Op::Call { .. }
            | Op::CallMethod { .. }
            | Op::CallPlace { .. }
            | Op::Import(_)
            | Op::ForIter(_)
    )
}

/// The findings for a world's current code, kept in the world so repeated
/// selection loads (`pickle.loads` in a loop) verify the program once.
#[derive(bevy_ecs::resource::Resource)]
struct VerifiedCache {
    program: std::sync::Arc<Program>,
    verified: std::sync::Arc<Verified>,
}

/// The verifier's findings for `program`, the world's code.
pub(crate) fn verified_for(
    world: &mut bevy_ecs::world::World,
    program: &std::sync::Arc<Program>,
) -> Result<std::sync::Arc<Verified>, LoadError> {
    if let Some(c) = world.get_resource::<VerifiedCache>()
        && std::sync::Arc::ptr_eq(&c.program, program)
    {
        return Ok(c.verified.clone());
    }
    let verified = std::sync::Arc::new(Verified::new(program)?);
    world.insert_resource(VerifiedCache {
        program: program.clone(),
        verified: verified.clone(),
    });
    Ok(verified)
}

/// Checks a saved frame's return continuation against the code: a module's
/// top level (and only it) returns as an import, and a result stored back
/// into a place names a place whose parts wait on the caller's stack.
pub fn check_cont(
    program: &Program,
    func: FuncRef,
    ret: Cont,
    caller: Option<(&FrameRec, FuncRef)>,
    path: &FieldPath,
) -> Result<(), LoadError> {
    let caller = caller.map(|(rec, f)| (rec.stack.len(), f));
    check_ret(program, func, ret, caller, path)
}

/// [`check_cont`] with the caller's operand height instead of its record.
pub(crate) fn check_ret(
    program: &Program,
    func: FuncRef,
    ret: Cont,
    caller: Option<(usize, FuncRef)>,
    path: &FieldPath,
) -> Result<(), LoadError> {
    let bad = |m: &str| Err(LoadError::invalid(path, m.to_string()));
    // A retired copy of a top level (hot reload) is one too.
    let top_level = func.func == 0
        || (program.module_of(func).retired.contains(&func.func)
            && program.function(func).name == "<module>");
    if top_level != (ret == Cont::Import) {
        return bad("only a module's top level returns as an import");
    }
    let Cont::StorePlace { base, depth } = ret else {
        return Ok(());
    };
    let Some((height, cf)) = caller else {
        return bad("a result stored into a place needs a caller");
    };
    let cfunc = program.function(cf);
    let (fits, parts) = match base {
        PlaceBase::Local(i) => (i < cfunc.nlocals, 0),
        PlaceBase::Global(i) => ((i as usize) < program.module_of(cf).globals.len(), 0),
        PlaceBase::Attr(i) => ((i as usize) < cfunc.names.len(), 1),
    };
    if !fits || height < parts + depth as usize {
        return bad("the place a result is stored into is not on the caller's stack");
    }
    Ok(())
}
