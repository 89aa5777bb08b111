//! Expressions, each leaving exactly one value on the stack. Every op is
//! attributed to the line of the innermost node that produced it, so a
//! traceback points at the failing sub-expression's line.

use std::collections::HashMap;

use super::place::is_literal;
use super::{Compiler, NameRef, R};
use crate::ast::{Comprehension, Expr, ExprKind, FPart, Span, Target, UnaryOp};
use crate::bytecode::{Const, Conversion, NO_KW, Op};

impl<'a, 'o> Compiler<'a, 'o> {
    /// Code that jumps when `cond`'s truthiness is `when` and falls through
    /// otherwise, for `if`, `while` and conditional expressions; returns the
    /// jumps to patch. `and`, `or` and `not` become jumps themselves rather
    /// than values tested again, so `if a < b and not c[i]:` is a
    /// compare-and-jump and a jump, as CPython compiles it. Each operand is
    /// still evaluated once, in order, and tested once.
    pub(super) fn cond_jumps(&mut self, cond: &'a Expr, when: bool) -> R<Vec<usize>> {
        match &cond.kind {
            ExprKind::Not(inner) => self.cond_jumps(inner, !when),
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                // `a and b` is false as soon as `a` is; `a or b` true.
                let short = matches!(cond.kind, ExprKind::Or(..));
                if when == short {
                    let mut jumps = self.cond_jumps(a, when)?;
                    jumps.extend(self.cond_jumps(b, when)?);
                    Ok(jumps)
                } else {
                    let past = self.cond_jumps(a, short)?;
                    let jumps = self.cond_jumps(b, when)?;
                    self.fb.patch_all_here(past);
                    Ok(jumps)
                }
            }
            _ => {
                self.expr(cond)?;
                let j = if when {
                    Op::JumpIfTrue(0)
                } else {
                    Op::JumpIfFalse(0)
                };
                Ok(vec![self.fb.emit(j)])
            }
        }
    }

    pub(super) fn expr(&mut self, e: &'a Expr) -> R<()> {
        let outer_line = self.fb.line;
        self.fb.line = e.span.line;
        self.expr_inner(e)?;
        self.fb.line = outer_line;
        Ok(())
    }

    fn expr_inner(&mut self, e: &'a Expr) -> R<()> {
        let line = e.span.line;
        match &e.kind {
            ExprKind::None => {
                self.fb.emit(Op::None);
            }
            ExprKind::Bool(true) => {
                self.fb.emit(Op::True);
            }
            ExprKind::Bool(false) => {
                self.fb.emit(Op::False);
            }
            ExprKind::Int(i) => self.int(*i),
            ExprKind::Float(f) => self.push_const(Const::Float(*f)),
            ExprKind::Str(s) => self.push_const(Const::Str(s.clone())),
            ExprKind::FString(parts) => self.fstring(parts, e.span)?,
            ExprKind::Name(n) => self.load_name(n),
            // A list of literals is one constant, made once and shared (it
            // is a value: a change to it copies it first).
            ExprKind::List(items)
                if !items.is_empty()
                    && is_literal_list(e)
                    && let Ok(c) = self.const_value(e) =>
            {
                self.push_const(c)
            }
            ExprKind::List(items) => {
                let n = self.count(items.len(), e.span)?;
                for i in items {
                    self.expr(i)?;
                }
                self.fb.emit(Op::BuildList(n));
            }
            ExprKind::Dict(items) => {
                let n = self.count(items.len(), e.span)?;
                for (k, v) in items {
                    self.expr(k)?;
                    self.expr(v)?;
                }
                self.fb.emit(Op::BuildDict(n));
            }
            ExprKind::ListComp { elt, gens } => self.comprehension(gens, elt, None)?,
            ExprKind::DictComp { key, value, gens } => {
                self.comprehension(gens, key, Some(value))?
            }
            ExprKind::Unary(op, inner) => {
                // Fold `-5` and `-2.5` so negative literals are constants
                // (and `-9223372036854775808` needs no overflowing negation).
                match (op, &inner.kind) {
                    (UnaryOp::Neg, ExprKind::Int(i)) if i.checked_neg().is_some() => self.int(-i),
                    (UnaryOp::Neg, ExprKind::Float(f)) => self.push_const(Const::Float(-f)),
                    _ => {
                        self.expr(inner)?;
                        self.fb.emit(Op::Unary(*op));
                    }
                }
            }
            ExprKind::Binary(op, a, b) => {
                self.expr(a)?;
                self.expr(b)?;
                self.fb.emit(Op::Binary(*op));
            }
            ExprKind::Compare(op, a, b) => {
                self.expr(a)?;
                self.expr(b)?;
                self.fb.emit(Op::Compare(*op));
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                self.expr(a)?;
                let j = self.fb.emit(if matches!(e.kind, ExprKind::And(..)) {
                    Op::JumpIfFalseOrPop(0)
                } else {
                    Op::JumpIfTrueOrPop(0)
                });
                self.expr(b)?;
                self.fb.patch_here(j);
            }
            ExprKind::Not(inner) => {
                self.expr(inner)?;
                self.fb.emit(Op::Not);
            }
            ExprKind::IfElse { cond, then, orelse } => {
                let to_else = self.cond_jumps(cond, false)?;
                self.expr(then)?;
                let to_end = self.fb.emit(Op::Jump(0));
                self.fb.patch_all_here(to_else);
                self.expr(orelse)?;
                self.fb.patch_here(to_end);
            }
            ExprKind::Call { func, args, kwargs } => {
                if let ExprKind::Attr(recv, name) = &func.kind {
                    return self.method_call(recv, name, args, kwargs, e.span);
                }
                self.expr(func)?;
                let (argc, kw) = self.call_args(args, kwargs, e.span)?;
                self.fb.line = line;
                self.fb.emit(Op::Call { argc, kw });
            }
            ExprKind::Attr(obj, name) => {
                self.expr(obj)?;
                let i = self.fb.name(name);
                self.fb.emit(Op::LoadAttr(i));
            }
            ExprKind::Index(obj, index) => {
                self.expr(obj)?;
                self.expr(index)?;
                self.fb.emit(Op::Index);
            }
            ExprKind::Slice {
                obj,
                lower,
                upper,
                step,
            } => {
                self.expr(obj)?;
                for part in [lower, upper, step] {
                    match part {
                        Some(p) => self.expr(p)?,
                        None => {
                            self.fb.emit(Op::None);
                        }
                    }
                }
                self.fb.emit(Op::Slice);
            }
        }
        Ok(())
    }

    fn count(&self, n: usize, span: Span) -> R<u16> {
        u16::try_from(n)
            .ok()
            .filter(|n| *n < u16::MAX)
            .ok_or_else(|| self.err(span, "too many items in one display"))
    }

    fn int(&mut self, i: i64) {
        match i32::try_from(i) {
            Ok(small) => self.fb.emit(Op::SmallInt(small)),
            Err(_) => {
                let c = self.fb.constant(Const::Int(i));
                self.fb.emit(Op::Const(c))
            }
        };
    }

    fn push_const(&mut self, c: Const) {
        let i = self.fb.constant(c);
        self.fb.emit(Op::Const(i));
    }

    pub(super) fn load_name(&mut self, n: &str) {
        match self.resolve_load(n) {
            NameRef::Local(i) if self.take == Some(i) => {
                self.take = None;
                self.fb.emit(Op::TakeLocal(i))
            }
            NameRef::Local(i) => self.fb.emit(Op::LoadLocal(i)),
            NameRef::Global(i) => self.fb.emit(Op::LoadGlobal(i)),
            NameRef::Builtin(i) => self.fb.emit(Op::LoadBuiltin(i)),
        };
    }

    /// Pushes positional then keyword argument values; returns `(argc, kw)`.
    pub(super) fn call_args(
        &mut self,
        args: &'a [Expr],
        kwargs: &'a [(String, Expr)],
        span: Span,
    ) -> R<(u8, u16)> {
        let Ok(argc) = u8::try_from(args.len()) else {
            return Err(self.err(span, "too many arguments in one call (at most 255)"));
        };
        if args.len() + kwargs.len() > 255 {
            return Err(self.err(span, "too many arguments in one call (at most 255)"));
        }
        for a in args {
            self.expr(a)?;
        }
        for (i, (name, v)) in kwargs.iter().enumerate() {
            if kwargs[..i].iter().any(|(n, _)| n == name) {
                return Err(self.err(v.span, format!("keyword argument repeated: {name}")));
            }
            self.expr(v)?;
        }
        let kw = if kwargs.is_empty() {
            NO_KW
        } else {
            self.fb
                .kwnames(kwargs.iter().map(|(n, _)| n.clone()).collect())
        };
        Ok((argc, kw))
    }

    /// An f-string: its pieces pushed in order, then one `BuildString`.
    fn fstring(&mut self, parts: &'a [FPart], span: Span) -> R<()> {
        let mut n = 0usize;
        let mut lit = String::new();
        for part in parts {
            match part {
                FPart::Lit(s) => lit.push_str(s),
                FPart::Expr {
                    expr,
                    conversion,
                    spec,
                } => {
                    if !lit.is_empty() {
                        self.push_const(Const::Str(std::mem::take(&mut lit)));
                        n += 1;
                    }
                    let conv = match conversion {
                        None => Conversion::None,
                        Some('s') => Conversion::Str,
                        Some('r') => Conversion::Repr,
                        Some(c) => {
                            return Err(self.err(
                                expr.span,
                                format!("f-string: invalid conversion character '{c}': expected 's' or 'r'"),
                            ));
                        }
                    };
                    self.expr(expr)?;
                    let has_spec = !spec.is_empty();
                    if has_spec {
                        self.fstring(spec, span)?;
                    }
                    self.fb.line = span.line;
                    self.fb.emit(Op::FormatValue {
                        conv,
                        spec: has_spec,
                    });
                    n += 1;
                }
            }
        }
        if !lit.is_empty() || n == 0 {
            self.push_const(Const::Str(lit));
            n += 1;
        }
        if n > 1 {
            let n = self.count(n, span)?;
            self.fb.emit(Op::BuildString(n));
        }
        Ok(())
    }

    /// `[elt for …]` / `{k: v for …}`: an accumulator in a hidden local, loop
    /// variables in hidden locals of their own (they do not leak).
    fn comprehension(
        &mut self,
        gens: &'a [Comprehension],
        elt: &'a Expr,
        value: Option<&'a Expr>,
    ) -> R<()> {
        let acc = self.fb.new_local("$acc");
        self.fb.emit(if value.is_some() {
            Op::BuildDict(0)
        } else {
            Op::BuildList(0)
        });
        self.fb.emit(Op::StoreLocal(acc));
        self.comp_scopes.push(HashMap::new());
        let mut loops = Vec::new();
        for g in gens {
            // The iterable is evaluated before this generator's variables exist.
            let head = self.loop_head(&g.iter, &g.target)?;
            self.declare_comp_vars(&g.target);
            self.store_top(&g.target)?;
            for cond in &g.ifs {
                self.expr(cond)?;
                self.fb.emit(Op::JumpIfFalse(head.top));
            }
            loops.push(head);
        }
        self.expr(elt)?;
        match value {
            Some(v) => {
                self.expr(v)?;
                self.fb.emit(Op::DictInsertLocal(acc));
            }
            None => {
                self.fb.emit(Op::ListAppendLocal(acc));
            }
        }
        for head in loops.into_iter().rev() {
            self.loop_tail(head);
        }
        let vars = self.comp_scopes.pop().unwrap_or_default();
        let mut slots: Vec<u16> = vars.into_values().collect();
        slots.sort_unstable();
        for s in slots {
            self.fb.emit(Op::ClearLocal(s));
        }
        self.fb.emit(Op::LoadLocal(acc));
        self.fb.emit(Op::ClearLocal(acc));
        Ok(())
    }

    fn declare_comp_vars(&mut self, t: &Target) {
        match t {
            Target::Name(n, _) => {
                let exists = self.comp_scopes.last().is_some_and(|s| s.contains_key(n));
                if !exists {
                    let slot = self.fb.new_local(&format!("${n}"));
                    if let Some(s) = self.comp_scopes.last_mut() {
                        s.insert(n.clone(), slot);
                    }
                }
            }
            Target::Unpack(items, _) => items.iter().for_each(|i| self.declare_comp_vars(i)),
            Target::Attr { .. } | Target::Index { .. } | Target::Slice { .. } => {}
        }
    }
}

/// A list literal whose items are literals or such lists, all the way down.
fn is_literal_list(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::List(items) => items.iter().all(|x| is_literal(x) || is_literal_list(x)),
        _ => false,
    }
}
