//! Loops, `try`, and the jumps out of them. `finally` is compiled by
//! duplication, as CPython does: its body is emitted inline on the normal
//! path, on the exceptional path (a `SetupFinally` handler that re-raises),
//! and before every `return`, `break` or `continue` that leaves it.

use super::{Block, Compiler, NameRef, R};
use crate::ast::{ExceptHandler, Expr, ExprKind, Span, Stmt, Target};
use crate::bytecode::Op;

impl<'a, 'o> Compiler<'a, 'o> {
    pub(super) fn while_stmt(&mut self, cond: &'a Expr, body: &'a [Stmt]) -> R<()> {
        let top = self.fb.here();
        let exits = self.cond_jumps(cond, false)?;
        self.blocks.push(Block::Loop {
            top: Some(top),
            continues: Vec::new(),
            breaks: Vec::new(),
            is_for: false,
        });
        self.block(body)?;
        self.fb.emit(Op::Jump(top));
        self.fb.patch_all_here(exits);
        self.end_loop();
        Ok(())
    }

    pub(super) fn for_stmt(
        &mut self,
        target: &'a Target,
        iter: &'a Expr,
        body: &'a [Stmt],
    ) -> R<()> {
        if let Some(args) = self.range_args(iter) {
            return self.for_range(target, iter, args, body);
        }
        let head = self.loop_head(iter, target)?;
        self.store_top(target)?;
        self.blocks.push(Block::Loop {
            top: Some(head.top),
            continues: Vec::new(),
            breaks: Vec::new(),
            is_for: true,
        });
        self.block(body)?;
        self.loop_tail(head);
        self.end_loop();
        Ok(())
    }

    /// The arguments of `range(…)` when `iter` calls the builtin `range`
    /// with one to three positional arguments.
    fn range_args(&mut self, iter: &'a Expr) -> Option<&'a [Expr]> {
        let ExprKind::Call { func, args, kwargs } = &iter.kind else {
            return None;
        };
        let ExprKind::Name(n) = &func.kind else {
            return None;
        };
        let builtin = n == "range" && matches!(self.resolve_load(n), NameRef::Builtin(_));
        (builtin && kwargs.is_empty() && (1..=3).contains(&args.len())).then_some(args.as_slice())
    }

    /// `for target in range(…)`: the range lives in three hidden locals and
    /// one `ForLoop` after the body steps it, as Lua's numeric `for` does.
    fn for_range(
        &mut self,
        target: &'a Target,
        iter: &'a Expr,
        args: &'a [Expr],
        body: &'a [Stmt],
    ) -> R<()> {
        for a in args {
            self.expr(a)?;
        }
        let line = iter.span.line;
        self.fb.line = line;
        let state = self.fb.new_local("$range_next");
        self.fb.new_local("$range_stop");
        self.fb.new_local("$range_step");
        let named = match target {
            Target::Name(n, _) => match self.resolve_store(n) {
                NameRef::Local(i) => Some(i),
                _ => None,
            },
            _ => None,
        };
        let var = match named {
            Some(i) => i,
            None => self.fb.new_local("$range_item"),
        };
        let argc = args.len() as u8;
        let prep = self.fb.emit(Op::ForPrep {
            var,
            state,
            argc,
            exit: 0,
        });
        let body_top = self.fb.here();
        if named.is_none() {
            self.fb.emit(Op::LoadLocal(var));
            self.store_top(target)?;
        }
        self.blocks.push(Block::Loop {
            top: None,
            continues: Vec::new(),
            breaks: Vec::new(),
            is_for: false,
        });
        self.block(body)?;
        let Some(Block::Loop {
            continues, breaks, ..
        }) = self.blocks.pop()
        else {
            unreachable!("the range loop's block is innermost");
        };
        self.fb.patch_all_here(continues);
        self.fb.line = line;
        self.fb.emit(Op::ForLoop {
            var,
            state,
            body: body_top,
        });
        self.fb.patch_here(prep);
        self.fb.patch_all_here(breaks);
        Ok(())
    }

    fn end_loop(&mut self) {
        if let Some(Block::Loop { breaks, .. }) = self.blocks.pop() {
            self.fb.patch_all_here(breaks);
        }
    }

    fn innermost_loop(&self) -> Option<usize> {
        self.blocks
            .iter()
            .rposition(|b| matches!(b, Block::Loop { .. }))
    }

    /// Emits what leaving blocks `from..` requires, innermost first: pops of
    /// handlers, inlined `finally` bodies, cleared `except` locals, and (when
    /// `pop_iters`) pops of `for` iterators.
    fn unwind(&mut self, from: usize, pop_iters: bool) -> R<()> {
        let line = self.fb.line;
        for i in (from..self.blocks.len()).rev() {
            match &self.blocks[i] {
                Block::Loop { is_for, .. } => {
                    if *is_for && pop_iters {
                        self.fb.emit(Op::Pop);
                    }
                }
                Block::Handler => {
                    self.fb.emit(Op::PopHandler);
                }
                Block::Except { hidden, name } => {
                    let (hidden, name) = (*hidden, *name);
                    self.fb.emit(Op::ClearLocal(hidden));
                    if let Some(n) = name {
                        self.clear_name(n);
                    }
                }
                Block::Finally(body) => {
                    let body = *body;
                    self.fb.emit(Op::PopHandler);
                    // The body runs outside its own region: a `break` in it
                    // sees only the blocks around the `try`.
                    let inner = self.blocks.split_off(i);
                    let r = self.block(body);
                    self.blocks.extend(inner);
                    r?;
                    self.fb.line = line;
                }
            }
        }
        Ok(())
    }

    pub(super) fn break_stmt(&mut self, span: Span) -> R<()> {
        let Some(l) = self.innermost_loop() else {
            return Err(self.err(span, "'break' outside loop"));
        };
        self.unwind(l + 1, true)?;
        if let Block::Loop { is_for: true, .. } = self.blocks[l] {
            self.fb.emit(Op::Pop);
        }
        let j = self.fb.emit(Op::Jump(0));
        if let Block::Loop { breaks, .. } = &mut self.blocks[l] {
            breaks.push(j);
        }
        Ok(())
    }

    pub(super) fn continue_stmt(&mut self, span: Span) -> R<()> {
        let Some(l) = self.innermost_loop() else {
            return Err(self.err(span, "'continue' not properly in loop"));
        };
        self.unwind(l + 1, true)?;
        let j = self.fb.emit(Op::Jump(0));
        if let Block::Loop { top, continues, .. } = &mut self.blocks[l] {
            match top {
                Some(t) => {
                    let t = *t;
                    self.fb.patch(j, t);
                }
                None => continues.push(j),
            }
        }
        Ok(())
    }

    pub(super) fn return_stmt(&mut self, value: Option<&'a Expr>, span: Span) -> R<()> {
        if self.fn_scope.is_none() {
            return Err(self.err(span, "'return' outside function"));
        }
        match value {
            Some(v) => self.expr(v)?,
            None => {
                self.fb.emit(Op::None);
            }
        }
        self.fb.line = span.line;
        let has_finally = self.blocks.iter().any(|b| matches!(b, Block::Finally(_)));
        if has_finally {
            // Inlined `finally` bodies run at the stack height of their `try`
            // (they may `break`), so the value waits in a hidden local.
            let v = self.fb.new_local("$return");
            self.fb.emit(Op::StoreLocal(v));
            self.unwind(0, true)?;
            self.fb.emit(Op::LoadLocal(v));
            self.fb.emit(Op::ClearLocal(v));
        } else {
            self.unwind(0, false)?;
        }
        self.fb.emit(Op::Return);
        Ok(())
    }

    /// The hidden local holding the error of the innermost enclosing
    /// `except` body, for a bare `raise`.
    pub(super) fn active_exception(&self) -> Option<u16> {
        self.blocks.iter().rev().find_map(|b| match b {
            Block::Except { hidden, .. } => Some(*hidden),
            _ => None,
        })
    }

    pub(super) fn try_stmt(
        &mut self,
        body: &'a [Stmt],
        handlers: &'a [ExceptHandler],
        orelse: &'a [Stmt],
        finalbody: &'a [Stmt],
        span: Span,
    ) -> R<()> {
        let fin_setup = if finalbody.is_empty() {
            None
        } else {
            let s = self.fb.emit(Op::SetupFinally(0));
            self.blocks.push(Block::Finally(finalbody));
            Some(s)
        };
        if handlers.is_empty() {
            self.block(body)?;
            self.block(orelse)?;
        } else {
            self.try_except(body, handlers, orelse)?;
        }
        if let Some(setup) = fin_setup {
            self.blocks.pop();
            self.fb.line = span.line;
            self.fb.emit(Op::PopHandler);
            self.block(finalbody)?;
            let to_end = self.fb.emit(Op::Jump(0));
            // The exceptional path: [err] → hidden local, body, re-raise.
            self.fb.patch_here(setup);
            let err = self.fb.new_local("$error");
            self.fb.line = finalbody.first().map_or(span.line, |s| s.span.line);
            self.fb.emit(Op::StoreLocal(err));
            self.block(finalbody)?;
            self.fb.emit(Op::LoadLocal(err));
            self.fb.emit(Op::ClearLocal(err));
            self.fb.emit(Op::Reraise);
            self.fb.patch_here(to_end);
        }
        Ok(())
    }

    fn try_except(
        &mut self,
        body: &'a [Stmt],
        handlers: &'a [ExceptHandler],
        orelse: &'a [Stmt],
    ) -> R<()> {
        for (i, h) in handlers.iter().enumerate() {
            if h.kind.is_none() && i + 1 < handlers.len() {
                return Err(self.err(h.span, "default 'except:' must be last"));
            }
        }
        // `TaskletExit` passes `SetupExcept` handlers by; a clause that names
        // it (or a bare `except:`) needs the catch-all handler.
        let catch_all = handlers
            .iter()
            .any(|h| h.kind.as_ref().is_none_or(names_tasklet_exit));
        let setup = self.fb.emit(if catch_all {
            Op::SetupFinally(0)
        } else {
            Op::SetupExcept(0)
        });
        self.blocks.push(Block::Handler);
        self.block(body)?;
        self.blocks.pop();
        self.fb.emit(Op::PopHandler);
        self.block(orelse)?;
        let mut to_end = vec![self.fb.emit(Op::Jump(0))];

        self.fb.patch_here(setup);
        // Stack here: [err].
        let try_line = self.fb.f.lines.get(setup).copied().unwrap_or_default();
        let mut matched_all = false;
        for h in handlers {
            self.fb.line = h.span.line;
            let next = match &h.kind {
                Some(kind) => {
                    self.expr(kind)?;
                    self.fb.line = h.span.line;
                    self.fb.emit(Op::ExcMatch);
                    Some(self.fb.emit(Op::JumpIfFalse(0)))
                }
                None => {
                    matched_all = true;
                    None
                }
            };
            let hidden = self.fb.new_local("$exc");
            if let Some(n) = &h.name {
                self.fb.emit(Op::Dup);
                self.fb.emit(Op::StoreLocal(hidden));
                self.store_name(n);
            } else {
                self.fb.emit(Op::StoreLocal(hidden));
            }
            self.blocks.push(Block::Except {
                hidden,
                name: h.name.as_deref(),
            });
            self.block(&h.body)?;
            self.blocks.pop();
            self.fb.emit(Op::ClearLocal(hidden));
            if let Some(n) = &h.name {
                self.clear_name(n);
            }
            to_end.push(self.fb.emit(Op::Jump(0)));
            if let Some(next) = next {
                self.fb.patch_here(next);
            }
        }
        if !matched_all {
            self.fb.line = try_line;
            self.fb.emit(Op::Reraise);
        }
        self.fb.patch_all_here(to_end);
        Ok(())
    }
}

/// Does an `except` kind expression name `TaskletExit` (alone or in a list)?
fn names_tasklet_exit(kind: &Expr) -> bool {
    match &kind.kind {
        ExprKind::Name(n) => n == "TaskletExit",
        ExprKind::List(items) => items.iter().any(names_tasklet_exit),
        _ => false,
    }
}
