//! Which names a function binds, by Python's rules: a bare name the body
//! assigns, augments, deletes or binds (`for`, `except … as`, imports,
//! unpacking) anywhere is local unless declared `global`. Comprehension loop
//! variables are not bindings: they live in hidden slots of their own.

use std::collections::HashSet;

use crate::ast::{Expr, ExprKind, FPart, Span, Stmt, StmtKind, Target};

/// What a body binds, each name once, in first-seen order.
#[derive(Default)]
pub(super) struct Bindings {
    pub bound: Vec<String>,
    /// `global` declarations with the span of the statement.
    pub globals: Vec<(String, Span)>,
    /// `def` names (only at module level).
    pub defs: Vec<String>,
    /// Names read so far in the walk, to reject a later `global` of them.
    used: HashSet<String>,
    /// The first misplaced `global` declaration, as Python words it.
    pub error: Option<(Span, String)>,
}

impl Bindings {
    fn bind(&mut self, name: &str) {
        if !self.bound.iter().any(|b| b == name) {
            self.bound.push(name.to_string());
        }
    }

    pub fn is_global(&self, name: &str) -> bool {
        self.globals.iter().any(|(g, _)| g == name)
    }
}

/// Collects the bindings of `body`, not descending into `def`s. `star` gives
/// the names a `from m import *` binds (unknown modules bind nothing here;
/// the compiler reports them).
pub(super) fn bindings(body: &[Stmt], star: &dyn Fn(&str) -> Vec<String>) -> Bindings {
    let mut b = Bindings::default();
    walk(body, &mut b, star);
    b
}

fn walk(body: &[Stmt], b: &mut Bindings, star: &dyn Fn(&str) -> Vec<String>) {
    for s in body {
        stmt_uses(s, &mut b.used);
        match &s.kind {
            StmtKind::Assign { targets, .. } => targets.iter().for_each(|t| target(t, b)),
            StmtKind::AugAssign { target: t, .. } => target(t, b),
            StmtKind::Del(ts) => ts.iter().for_each(|t| target(t, b)),
            StmtKind::Def(fd) => {
                b.bind(&fd.name);
                b.defs.push(fd.name.clone());
            }
            StmtKind::If { then, orelse, .. } => {
                walk(then, b, star);
                walk(orelse, b, star);
            }
            StmtKind::While { body, .. } => walk(body, b, star),
            StmtKind::For {
                target: t, body, ..
            } => {
                target(t, b);
                walk(body, b, star);
            }
            StmtKind::Global(names) => {
                for n in names {
                    if b.is_global(n) {
                        continue;
                    }
                    let misplaced = if b.used.contains(n) {
                        Some("used prior to")
                    } else if b.bound.contains(n) {
                        Some("assigned to before")
                    } else {
                        None
                    };
                    if let (Some(what), None) = (misplaced, &b.error) {
                        b.error =
                            Some((s.span, format!("name '{n}' is {what} global declaration")));
                    }
                    b.globals.push((n.clone(), s.span));
                }
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                walk(body, b, star);
                for h in handlers {
                    if let Some(n) = &h.name {
                        b.bind(n);
                    }
                    walk(&h.body, b, star);
                }
                walk(orelse, b, star);
                walk(finalbody, b, star);
            }
            StmtKind::Import(names) => {
                for n in names {
                    b.bind(n.alias.as_ref().unwrap_or(&n.name));
                }
            }
            StmtKind::FromImport {
                module,
                names,
                star: is_star,
            } => {
                if *is_star {
                    for n in star(module) {
                        b.bind(&n);
                    }
                }
                for n in names {
                    b.bind(n.alias.as_ref().unwrap_or(&n.name));
                }
            }
            StmtKind::Expr(_)
            | StmtKind::Return(_)
            | StmtKind::Pass
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Raise(_)
            | StmtKind::Assert { .. } => {}
        }
    }
}

fn target(t: &Target, b: &mut Bindings) {
    match t {
        Target::Name(n, _) => b.bind(n),
        Target::Unpack(ts, _) => ts.iter().for_each(|t| target(t, b)),
        // Writing through `a[i]` or `m.x` uses the place; it binds nothing.
        Target::Attr { .. } | Target::Index { .. } | Target::Slice { .. } => {}
    }
}

/// Adds the names the statement's own expressions read (not those of
/// nested blocks, which the walk reaches in order).
fn stmt_uses(s: &Stmt, used: &mut HashSet<String>) {
    let mut e = |x: &Expr| expr_uses(x, used);
    match &s.kind {
        StmtKind::Expr(x) | StmtKind::Return(Some(x)) | StmtKind::Raise(Some(x)) => e(x),
        StmtKind::Assign { targets, value } => {
            e(value);
            targets.iter().for_each(|t| target_uses(t, used, false));
        }
        StmtKind::AugAssign { target, value, .. } => {
            expr_uses(value, used);
            target_uses(target, used, true);
        }
        StmtKind::Del(ts) => ts.iter().for_each(|t| target_uses(t, used, false)),
        StmtKind::If { cond, .. } | StmtKind::While { cond, .. } => e(cond),
        StmtKind::For { target, iter, .. } => {
            e(iter);
            target_uses(target, used, false);
        }
        StmtKind::Assert { cond, msg } => {
            e(cond);
            if let Some(m) = msg {
                expr_uses(m, used);
            }
        }
        StmtKind::Try { handlers, .. } => {
            for h in handlers {
                if let Some(k) = &h.kind {
                    expr_uses(k, used);
                }
            }
        }
        _ => {}
    }
}

fn target_uses(t: &Target, used: &mut HashSet<String>, augmented: bool) {
    match t {
        Target::Name(n, _) if augmented => {
            used.insert(n.clone());
        }
        Target::Name(..) => {}
        Target::Attr { obj, .. } => expr_uses(obj, used),
        Target::Index { obj, index, .. } => {
            expr_uses(obj, used);
            expr_uses(index, used);
        }
        Target::Slice {
            obj,
            lower,
            upper,
            step,
            ..
        } => slice_uses(obj, [lower, upper, step], used),
        Target::Unpack(ts, _) => ts.iter().for_each(|t| target_uses(t, used, augmented)),
    }
}

/// Whether `name = value` can move `name`'s value into the call `value`:
/// `value` is a call with `name` itself as one argument, and nothing else
/// in the call (the function, its receiver, the other arguments) reads
/// `name`. The caller checks that `name` is a local and that no handler of
/// the function could see it while the call runs.
pub(super) fn moves_into_call(name: &str, value: &Expr) -> bool {
    let ExprKind::Call { func, args, kwargs } = &value.kind else {
        return false;
    };
    let is_name = |e: &Expr| matches!(&e.kind, ExprKind::Name(n) if n == name);
    let mut direct = 0;
    let mut used = HashSet::new();
    expr_uses(func, &mut used);
    for e in args.iter().chain(kwargs.iter().map(|(_, v)| v)) {
        if is_name(e) {
            direct += 1;
        } else {
            expr_uses(e, &mut used);
        }
    }
    direct == 1 && !used.contains(name)
}

/// The names a slice's object and bounds read.
fn slice_uses(obj: &Expr, bounds: [&Option<Box<Expr>>; 3], used: &mut HashSet<String>) {
    expr_uses(obj, used);
    for p in bounds.into_iter().flatten() {
        expr_uses(p, used);
    }
}

/// Every name an expression reads. Recursion is bounded by the parser's
/// nesting limit.
fn expr_uses(e: &Expr, used: &mut HashSet<String>) {
    match &e.kind {
        ExprKind::Name(n) => {
            used.insert(n.clone());
        }
        ExprKind::None
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_) => {}
        ExprKind::FString(parts) => fstring_uses(parts, used),
        ExprKind::List(items) => items.iter().for_each(|i| expr_uses(i, used)),
        ExprKind::Dict(items) => items.iter().for_each(|(k, v)| {
            expr_uses(k, used);
            expr_uses(v, used);
        }),
        ExprKind::ListComp { elt, gens } => {
            expr_uses(elt, used);
            for g in gens {
                expr_uses(&g.iter, used);
                g.ifs.iter().for_each(|i| expr_uses(i, used));
            }
        }
        ExprKind::DictComp { key, value, gens } => {
            expr_uses(key, used);
            expr_uses(value, used);
            for g in gens {
                expr_uses(&g.iter, used);
                g.ifs.iter().for_each(|i| expr_uses(i, used));
            }
        }
        ExprKind::Unary(_, x) | ExprKind::Not(x) | ExprKind::Attr(x, _) => expr_uses(x, used),
        ExprKind::Binary(_, a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Index(a, b) => {
            expr_uses(a, used);
            expr_uses(b, used);
        }
        ExprKind::IfElse { cond, then, orelse } => {
            expr_uses(cond, used);
            expr_uses(then, used);
            expr_uses(orelse, used);
        }
        ExprKind::Call { func, args, kwargs } => {
            expr_uses(func, used);
            args.iter().for_each(|a| expr_uses(a, used));
            kwargs.iter().for_each(|(_, v)| expr_uses(v, used));
        }
        ExprKind::Slice {
            obj,
            lower,
            upper,
            step,
        } => slice_uses(obj, [lower, upper, step], used),
    }
}

fn fstring_uses(parts: &[FPart], used: &mut HashSet<String>) {
    for p in parts {
        if let FPart::Expr { expr, spec, .. } = p {
            expr_uses(expr, used);
            fstring_uses(spec, used);
        }
    }
}
