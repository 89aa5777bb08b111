//! Assignment, `for` and `del` targets: parsed as expressions, then checked
//! and turned into [`Target`]s (so `(a, b), c = …` needs no second grammar).

use super::Parser;
use crate::ast::{Expr, ExprKind, Target};
use crate::diag::CompileError;

type R<T> = Result<T, CompileError>;

/// Where a target appears; it decides the wording of errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ctx {
    Assign,
    Aug,
    Del,
}

/// What Python calls an expression that cannot be a target.
fn describe(kind: &ExprKind) -> &'static str {
    match kind {
        ExprKind::Call { .. } => "function call",
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) => "literal",
        ExprKind::Bool(true) => "True",
        ExprKind::Bool(false) => "False",
        ExprKind::None => "None",
        ExprKind::FString(_) => "f-string expression",
        ExprKind::Compare(..) => "comparison",
        ExprKind::IfElse { .. } => "conditional expression",
        ExprKind::Dict(_) => "dict literal",
        ExprKind::ListComp { .. } => "list comprehension",
        ExprKind::DictComp { .. } => "dict comprehension",
        ExprKind::List(_) => "list",
        _ => "expression",
    }
}

impl Parser<'_> {
    pub(super) fn to_target(&self, e: Expr, ctx: Ctx) -> R<Target> {
        let span = e.span;
        match e.kind {
            ExprKind::Name(n) => Ok(Target::Name(n, span)),
            ExprKind::Attr(obj, name) => Ok(Target::Attr { obj, name, span }),
            ExprKind::Index(obj, index) => Ok(Target::Index { obj, index, span }),
            ExprKind::Slice {
                obj,
                lower,
                upper,
                step,
            } if ctx != Ctx::Aug => Ok(Target::Slice {
                obj,
                lower,
                upper,
                step,
                span,
            }),
            ExprKind::Slice { .. } => Err(self.error(
                "augmented assignment to a slice is not in the language",
                span,
            )),
            ExprKind::List(items) if ctx != Ctx::Aug => {
                let targets = items
                    .into_iter()
                    .map(|item| self.to_target(item, ctx))
                    .collect::<R<Vec<_>>>()?;
                Ok(Target::Unpack(targets, span))
            }
            kind => {
                let what = describe(&kind);
                let msg = match ctx {
                    Ctx::Assign => format!("cannot assign to {what}"),
                    Ctx::Del => format!("cannot delete {what}"),
                    Ctx::Aug => {
                        format!("'{what}' is an illegal expression for augmented assignment")
                    }
                };
                Err(self.error(msg, span))
            }
        }
    }

    /// The targets of `for … in`: a comma list parsed above comparisons, so
    /// that `in` ends it.
    pub(super) fn for_target(&mut self) -> R<Target> {
        let first = self.binary(1)?;
        let e = if self.is_op(",") {
            let start = first.span;
            let mut items = vec![first];
            while self.eat_op(",") && !self.is_kw("in") {
                items.push(self.binary(1)?);
            }
            Expr {
                kind: ExprKind::List(items),
                span: self.since(start),
            }
        } else {
            first
        };
        self.to_target(e, Ctx::Assign)
    }
}
