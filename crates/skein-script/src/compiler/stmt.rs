//! Statements: assignments, `del`, `def`, `if`, imports, `raise`, `assert`;
//! loops and `try` are in `flow`.

use super::builder::FnBuilder;
use super::{Block, Compiler, FnScope, NameRef, R, scope};
use crate::ast::{Expr, ExprKind, FuncDef, ImportName, Span, Stmt, StmtKind, Target, UnaryOp};
use crate::bytecode::{Const, NO_KW, Op, builtin_index};

impl<'a, 'o> Compiler<'a, 'o> {
    pub(super) fn block(&mut self, body: &'a [Stmt]) -> R<()> {
        body.iter().try_for_each(|s| self.stmt(s))
    }

    fn stmt(&mut self, s: &'a Stmt) -> R<()> {
        self.fb.line = s.span.line;
        match &s.kind {
            StmtKind::Expr(e) => {
                self.expr(e)?;
                self.fb.emit(Op::Pop);
            }
            StmtKind::Assign { targets, value } => self.assign(targets, value)?,
            StmtKind::AugAssign { target, op, value } => self.aug_assign(target, *op, value)?,
            StmtKind::Del(targets) => targets.iter().try_for_each(|t| self.del(t))?,
            StmtKind::Def(fd) => self.def(fd, s.span)?,
            StmtKind::Return(value) => self.return_stmt(value.as_ref(), s.span)?,
            StmtKind::Pass => {}
            StmtKind::Break => self.break_stmt(s.span)?,
            StmtKind::Continue => self.continue_stmt(s.span)?,
            StmtKind::If { cond, then, orelse } => {
                let to_else = self.cond_jumps(cond, false)?;
                self.block(then)?;
                if orelse.is_empty() {
                    self.fb.patch_all_here(to_else);
                } else {
                    let to_end = self.fb.emit(Op::Jump(0));
                    self.fb.patch_all_here(to_else);
                    self.block(orelse)?;
                    self.fb.patch_here(to_end);
                }
            }
            StmtKind::While { cond, body } => self.while_stmt(cond, body)?,
            StmtKind::For { target, iter, body } => self.for_stmt(target, iter, body)?,
            // Declarations were read by the scope pass.
            StmtKind::Global(_) => {}
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => self.try_stmt(body, handlers, orelse, finalbody, s.span)?,
            StmtKind::Raise(e) => self.raise(e.as_ref(), s.span)?,
            StmtKind::Assert { cond, msg } => {
                self.expr(cond)?;
                let ok = self.fb.emit(Op::JumpIfTrue(0));
                self.fb.line = s.span.line;
                let kind = builtin_index("AssertionError").unwrap_or(0);
                self.fb.emit(Op::LoadBuiltin(kind));
                if let Some(m) = msg {
                    self.expr(m)?;
                    self.fb.line = s.span.line;
                    self.fb.emit(Op::Call { argc: 1, kw: NO_KW });
                }
                self.fb.emit(Op::Raise);
                self.fb.patch_here(ok);
            }
            StmtKind::Import(names) => {
                for n in names {
                    self.check_module(&n.name, n.span)?;
                    self.fb.line = n.span.line;
                    let i = self.fb.name(&n.name);
                    self.fb.emit(Op::Import(i));
                    self.store_name(n.alias.as_ref().unwrap_or(&n.name));
                }
            }
            StmtKind::FromImport {
                module,
                names,
                star,
            } => self.import_from(module, names, *star, s.span)?,
        }
        Ok(())
    }

    fn check_module(&self, name: &str, span: Span) -> R<()> {
        if self.opts.env.module_exists(name) {
            Ok(())
        } else {
            Err(self.err(span, format!("no module named '{name}'")))
        }
    }

    fn import_from(
        &mut self,
        module: &str,
        names: &'a [ImportName],
        star: bool,
        span: Span,
    ) -> R<()> {
        self.check_module(module, span)?;
        let m = self.fb.name(module);
        self.fb.emit(Op::Import(m));
        let imported: Vec<(String, String, Span)> = if star {
            if self.fn_scope.is_some() {
                return Err(self.err(span, "import * only allowed at module level"));
            }
            let Some(exports) = self.opts.env.star_exports(module) else {
                return Err(self.err(
                    span,
                    format!(
                        "'from {module} import *' is only allowed for built-in and host modules"
                    ),
                ));
            };
            exports.into_iter().map(|n| (n.clone(), n, span)).collect()
        } else {
            names
                .iter()
                .map(|n| {
                    (
                        n.name.clone(),
                        n.alias.clone().unwrap_or(n.name.clone()),
                        n.span,
                    )
                })
                .collect()
        };
        for (name, bind, sp) in imported {
            self.fb.line = sp.line;
            let i = self.fb.name(&name);
            self.fb.emit(Op::ImportFrom(i));
            self.store_name(&bind);
        }
        self.fb.line = span.line;
        self.fb.emit(Op::Pop);
        Ok(())
    }

    fn raise(&mut self, e: Option<&'a Expr>, span: Span) -> R<()> {
        match e {
            Some(e) => {
                self.expr(e)?;
                self.fb.line = span.line;
                self.fb.emit(Op::Raise);
            }
            None => match self.active_exception() {
                Some(hidden) => {
                    self.fb.emit(Op::LoadLocal(hidden));
                    self.fb.emit(Op::Reraise);
                }
                None => {
                    // Outside an `except` of its own, a bare `raise`
                    // re-raises what a calling frame is handling.
                    self.fb.line = span.line;
                    self.fb.emit(Op::None);
                    self.fb.emit(Op::Reraise);
                }
            },
        }
        Ok(())
    }

    /// Stores the value on top of the stack in `name`.
    pub(super) fn store_name(&mut self, name: &str) {
        match self.resolve_store(name) {
            NameRef::Local(i) => self.fb.emit(Op::StoreLocal(i)),
            NameRef::Global(i) | NameRef::Builtin(i) => self.fb.emit(Op::StoreGlobal(i)),
        };
    }

    /// Unbinds `name` as Python does at the end of `except E as name:`.
    pub(super) fn clear_name(&mut self, name: &str) {
        match self.resolve_store(name) {
            NameRef::Local(i) => self.fb.emit(Op::ClearLocal(i)),
            NameRef::Global(i) | NameRef::Builtin(i) => {
                self.fb.emit(Op::None);
                self.fb.emit(Op::StoreGlobal(i));
                self.fb.emit(Op::DelGlobal(i))
            }
        };
    }

    fn assign(&mut self, targets: &'a [Target], value: &'a Expr) -> R<()> {
        if let [t @ Target::Name(n, _)] = targets
            && self.fn_scope.is_some()
            && self.blocks.iter().all(|b| matches!(b, Block::Loop { .. }))
            && scope::moves_into_call(n, value)
            && let NameRef::Local(slot) = self.resolve_store(n)
        {
            // No handler of this function can see the local while the call
            // runs (an error leaves the function), and nothing else in the
            // call reads it: its value moves into the call.
            self.take = Some(slot);
            let r = self.assign_one(t, value);
            self.take = None;
            return r;
        }
        if let [t] = targets
            && !matches!(t, Target::Unpack(..))
        {
            return self.assign_one(t, value);
        }
        self.expr(value)?;
        for (i, t) in targets.iter().enumerate() {
            if i + 1 < targets.len() {
                self.fb.emit(Op::Dup);
            }
            self.store_top(t)?;
        }
        Ok(())
    }

    fn def(&mut self, fd: &'a FuncDef, span: Span) -> R<()> {
        if self.fn_scope.is_some() {
            return Err(self.err(span, "nested 'def' is not supported"));
        }
        if let Some((_, line)) = self.defs.get(&fd.name) {
            return Err(self.err(
                span,
                format!("function '{}' is already defined on line {line}", fd.name),
            ));
        }
        let index = self.functions.len();
        let Ok(index16) = u16::try_from(index) else {
            return Err(self.err(span, "too many functions in one module"));
        };
        self.defs.insert(fd.name.clone(), (index16, span.line));
        self.functions.push(None);

        let f = self.function_body(fd)?;
        self.functions[index] = Some(f);
        self.fb.line = span.line;
        self.fb.emit(Op::MakeFunction(index16));
        self.store_name(&fd.name);
        Ok(())
    }

    fn function_body(&mut self, fd: &'a FuncDef) -> R<crate::bytecode::Function> {
        let star = |m: &str| self.opts.env.star_exports(m).unwrap_or_default();
        let bindings = scope::bindings(&fd.body, &star);
        if let Some((span, message)) = &bindings.error {
            return Err(self.err(*span, message.clone()));
        }
        let mut fb = FnBuilder::new(&fd.name, fd.span.line);
        let mut seen_default = false;
        for p in &fd.params {
            if fb.locals.contains_key(&p.name) {
                return Err(self.err(
                    p.span,
                    format!("duplicate argument '{}' in function definition", p.name),
                ));
            }
            if bindings.is_global(&p.name) {
                let sp = bindings
                    .globals
                    .iter()
                    .find(|(g, _)| *g == p.name)
                    .map_or(p.span, |(_, s)| *s);
                return Err(self.err(sp, format!("name '{}' is parameter and global", p.name)));
            }
            fb.named_local(&p.name);
            fb.f.params.push(p.name.clone());
            match &p.default {
                Some(d) => {
                    seen_default = true;
                    let c = self.const_value(d)?;
                    fb.f.defaults.push(c);
                }
                None if seen_default => {
                    return Err(self.err(p.span, "non-default argument follows default argument"));
                }
                None => {}
            }
        }
        for n in &bindings.bound {
            if !bindings.is_global(n) {
                fb.named_local(n);
            }
        }
        let saved_fb = std::mem::replace(&mut self.fb, fb);
        let saved_scope = self.fn_scope.replace(FnScope { bindings });
        let saved_blocks = std::mem::take(&mut self.blocks);
        let result = self.block(&fd.body);
        let f = result.and_then(|()| self.finish_function(fd.span));
        self.fb = saved_fb;
        self.fn_scope = saved_scope;
        self.blocks = saved_blocks;
        f
    }

    /// Folds a default value: literals, negative numbers, lists and dicts of them.
    pub(super) fn const_value(&self, e: &Expr) -> R<Const> {
        Ok(match &e.kind {
            ExprKind::None => Const::None,
            ExprKind::Bool(b) => Const::Bool(*b),
            ExprKind::Int(i) => Const::Int(*i),
            ExprKind::Float(f) => Const::Float(*f),
            ExprKind::Str(s) => Const::Str(s.clone()),
            ExprKind::Unary(op @ (UnaryOp::Neg | UnaryOp::Pos), inner) => {
                match (op, self.const_value(inner)?) {
                    (UnaryOp::Pos, c @ (Const::Int(_) | Const::Float(_))) => c,
                    (_, Const::Int(i)) => match i.checked_neg() {
                        Some(n) => Const::Int(n),
                        None => return Err(self.err(e.span, "integer literal is too large")),
                    },
                    (_, Const::Float(f)) => Const::Float(-f),
                    _ => return Err(self.not_const(e.span)),
                }
            }
            ExprKind::List(items) => Const::List(
                items
                    .iter()
                    .map(|i| self.const_value(i))
                    .collect::<R<_>>()?,
            ),
            ExprKind::Dict(items) => Const::Dict(
                items
                    .iter()
                    .map(|(k, v)| Ok((self.const_value(k)?, self.const_value(v)?)))
                    .collect::<R<_>>()?,
            ),
            _ => return Err(self.not_const(e.span)),
        })
    }

    fn not_const(&self, span: Span) -> crate::diag::CompileError {
        self.err(
            span,
            "a default value must be a constant expression (literals, and lists and dicts of them)",
        )
    }
}
