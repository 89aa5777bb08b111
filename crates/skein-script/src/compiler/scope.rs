//! Which names a function binds, by Python's rules: a bare name the body
//! assigns, augments, deletes or binds (`for`, `except … as`, imports,
//! unpacking) anywhere is local unless declared `global`. Comprehension loop
//! variables are not bindings: they live in hidden slots of their own.

use crate::ast::{Span, Stmt, StmtKind, Target};

/// What a body binds, each name once, in first-seen order.
#[derive(Default)]
pub(super) struct Bindings {
    pub bound: Vec<String>,
    /// `global` declarations with the span of the statement.
    pub globals: Vec<(String, Span)>,
    /// `def` names (only at module level).
    pub defs: Vec<String>,
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
                    if !b.is_global(n) {
                        b.globals.push((n.clone(), s.span));
                    }
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
        Target::Attr { .. } | Target::Index { .. } => {}
    }
}
