//! Expressions, by precedence from the conditional expression down to atoms,
//! and the displays (lists, dicts, comprehensions) and postfix forms.

use super::Parser;
use crate::ast::{BinOp, CmpOp, Comprehension, Expr, ExprKind, FPart, Span, UnaryOp};
use crate::diag::CompileError;
use crate::token::{Tok, starts_expr};

type R<T> = Result<T, CompileError>;

fn mk(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span }
}

fn binop(tok: &Tok) -> Option<(BinOp, u8)> {
    let Tok::Op(o) = tok else { return None };
    Some(match *o {
        "|" => (BinOp::BitOr, 1),
        "^" => (BinOp::BitXor, 2),
        "&" => (BinOp::BitAnd, 3),
        "<<" => (BinOp::Shl, 4),
        ">>" => (BinOp::Shr, 4),
        "+" => (BinOp::Add, 5),
        "-" => (BinOp::Sub, 5),
        "*" => (BinOp::Mul, 6),
        "/" => (BinOp::Div, 6),
        "//" => (BinOp::FloorDiv, 6),
        "%" => (BinOp::Mod, 6),
        _ => return None,
    })
}

impl Parser<'_> {
    /// A comma list of expressions; with a comma it is a list (no tuples).
    pub(super) fn testlist(&mut self) -> R<Expr> {
        let first = self.test()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let start = first.span;
        let mut items = vec![first];
        while self.eat_op(",") {
            if !starts_expr(self.tok()) {
                break;
            }
            items.push(self.test()?);
        }
        Ok(mk(ExprKind::List(items), self.since(start)))
    }

    /// One full expression: `x if c else y` and everything below it.
    pub(super) fn test(&mut self) -> R<Expr> {
        self.enter()?;
        let r = self.test_inner();
        self.leave();
        r
    }

    fn test_inner(&mut self) -> R<Expr> {
        let e = self.or_test()?;
        if !self.is_kw("if") {
            return Ok(e);
        }
        self.advance();
        let cond = self.or_test()?;
        if !self.eat_kw("else") {
            let msg = "expected 'else' after 'if' expression";
            return Err(match self.tok() {
                Tok::Error(_) => self.syntax_error(),
                _ => self.error(msg, e.span),
            });
        }
        let orelse = self.test()?;
        let span = self.since(e.span);
        Ok(mk(
            ExprKind::IfElse {
                cond: Box::new(cond),
                then: Box::new(e),
                orelse: Box::new(orelse),
            },
            span,
        ))
    }

    pub(super) fn or_test(&mut self) -> R<Expr> {
        let mut e = self.and_test()?;
        let base = self.depth;
        while self.eat_kw("or") {
            self.enter()?;
            let rhs = self.and_test()?;
            let span = self.since(e.span);
            e = mk(ExprKind::Or(Box::new(e), Box::new(rhs)), span);
        }
        self.depth = base;
        Ok(e)
    }

    fn and_test(&mut self) -> R<Expr> {
        let mut e = self.not_test()?;
        let base = self.depth;
        while self.eat_kw("and") {
            self.enter()?;
            let rhs = self.not_test()?;
            let span = self.since(e.span);
            e = mk(ExprKind::And(Box::new(e), Box::new(rhs)), span);
        }
        self.depth = base;
        Ok(e)
    }

    fn not_test(&mut self) -> R<Expr> {
        if !self.is_kw("not") {
            return self.comparison();
        }
        let start = self.advance().span;
        self.enter()?;
        let r = self.not_test();
        self.leave();
        let operand = r?;
        Ok(mk(ExprKind::Not(Box::new(operand)), self.since(start)))
    }

    fn cmp_op(&self) -> Option<(CmpOp, usize)> {
        Some(match self.tok() {
            Tok::Op("==") => (CmpOp::Eq, 1),
            Tok::Op("!=") => (CmpOp::Ne, 1),
            Tok::Op("<") => (CmpOp::Lt, 1),
            Tok::Op("<=") => (CmpOp::Le, 1),
            Tok::Op(">") => (CmpOp::Gt, 1),
            Tok::Op(">=") => (CmpOp::Ge, 1),
            Tok::Kw("in") => (CmpOp::In, 1),
            Tok::Kw("is") if self.tok_at(1) == &Tok::Kw("not") => (CmpOp::IsNot, 2),
            Tok::Kw("is") => (CmpOp::Is, 1),
            Tok::Kw("not") if self.tok_at(1) == &Tok::Kw("in") => (CmpOp::NotIn, 2),
            _ => return None,
        })
    }

    fn comparison(&mut self) -> R<Expr> {
        let lhs = self.binary(1)?;
        let Some((op, n)) = self.cmp_op() else {
            return Ok(lhs);
        };
        for _ in 0..n {
            self.advance();
        }
        let rhs = self.binary(1)?;
        if self.cmp_op().is_some() {
            return Err(self.error("chained comparisons are not in the language", rhs.span));
        }
        let span = self.since(lhs.span);
        Ok(mk(
            ExprKind::Compare(op, Box::new(lhs), Box::new(rhs)),
            span,
        ))
    }

    /// Binary operators from `|` to `* / // %`, by precedence climbing.
    pub(super) fn binary(&mut self, min_prec: u8) -> R<Expr> {
        let mut lhs = self.unary()?;
        let base = self.depth;
        loop {
            if self.is_op("@") {
                return Err(self.error("the `@` operator is not in the language", self.span()));
            }
            let Some((op, prec)) = binop(self.tok()) else {
                break;
            };
            if prec < min_prec {
                break;
            }
            self.advance();
            self.enter()?;
            let rhs = self.binary(prec + 1)?;
            let span = self.since(lhs.span);
            lhs = mk(ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span);
        }
        self.depth = base;
        Ok(lhs)
    }

    fn unary(&mut self) -> R<Expr> {
        let op = match self.tok() {
            Tok::Op("-") => UnaryOp::Neg,
            Tok::Op("+") => UnaryOp::Pos,
            Tok::Op("~") => UnaryOp::Invert,
            _ => return self.power(),
        };
        let start = self.span();
        // i64::MIN has no positive literal: `-9223372036854775808` is one token pair.
        if op == UnaryOp::Neg
            && self.tok_at(1) == &Tok::Int(1 << 63)
            && !matches!(self.tok_at(2), Tok::Op("**" | "." | "(" | "["))
        {
            self.advance();
            self.advance();
            return Ok(mk(ExprKind::Int(i64::MIN), self.since(start)));
        }
        self.advance();
        self.enter()?;
        let r = self.unary();
        self.leave();
        let operand = r?;
        let span = self.since(start);
        if let (UnaryOp::Neg, ExprKind::Int(v)) = (op, &operand.kind)
            && let Some(n) = v.checked_neg()
        {
            return Ok(mk(ExprKind::Int(n), span));
        }
        Ok(mk(ExprKind::Unary(op, Box::new(operand)), span))
    }

    fn power(&mut self) -> R<Expr> {
        let base = self.postfix()?;
        if !self.eat_op("**") {
            return Ok(base);
        }
        self.enter()?;
        let r = self.unary();
        self.leave();
        let exp = r?;
        let span = self.since(base.span);
        Ok(mk(
            ExprKind::Binary(BinOp::Pow, Box::new(base), Box::new(exp)),
            span,
        ))
    }

    fn postfix(&mut self) -> R<Expr> {
        let mut e = self.atom()?;
        let base = self.depth;
        loop {
            if self.is_op("(") {
                self.enter()?;
                e = self.call(e)?;
            } else if self.is_op("[") {
                self.enter()?;
                e = self.subscript(e)?;
            } else if self.is_op(".") {
                self.enter()?;
                self.advance();
                let (name, _) = self.expect_name()?;
                let span = self.since(e.span);
                e = mk(ExprKind::Attr(Box::new(e), name), span);
            } else {
                break;
            }
        }
        self.depth = base;
        Ok(e)
    }

    fn call(&mut self, func: Expr) -> R<Expr> {
        self.advance();
        let mut args = Vec::new();
        let mut kwargs: Vec<(String, Expr)> = Vec::new();
        while !self.is_op(")") {
            if self.is_op("*") {
                return Err(self.error("`*args` is not in the language", self.span()));
            }
            if self.is_op("**") {
                return Err(self.error("`**kwargs` is not in the language", self.span()));
            }
            if let (Tok::Name(name), Tok::Op("=")) = (self.tok(), self.tok_at(1)) {
                let name = name.clone();
                let span = self.advance().span;
                self.advance();
                let value = self.test()?;
                if kwargs.iter().any(|(k, _)| *k == name) {
                    return Err(self.error(format!("keyword argument repeated: {name}"), span));
                }
                kwargs.push((name, value));
            } else {
                let arg = self.test()?;
                if self.is_kw("for") {
                    return Err(
                        self.error("generator expressions are not in the language", arg.span)
                    );
                }
                if !kwargs.is_empty() {
                    return Err(
                        self.error("positional argument follows keyword argument", arg.span)
                    );
                }
                args.push(arg);
            }
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_op(")")?;
        let span = self.since(func.span);
        Ok(mk(
            ExprKind::Call {
                func: Box::new(func),
                args,
                kwargs,
            },
            span,
        ))
    }

    fn subscript(&mut self, obj: Expr) -> R<Expr> {
        self.advance();
        let lower = if self.is_op(":") {
            None
        } else {
            Some(self.test()?)
        };
        if let (Some(first), false) = (&lower, self.is_op(":")) {
            let mut index = first.clone();
            if self.is_op(",") {
                let start = first.span;
                let mut items = vec![index];
                while self.eat_op(",") && !self.is_op("]") {
                    items.push(self.test()?);
                }
                index = mk(ExprKind::List(items), self.since(start));
            }
            self.expect_op("]")?;
            let span = self.since(obj.span);
            return Ok(mk(ExprKind::Index(Box::new(obj), Box::new(index)), span));
        }
        self.advance();
        let upper = if self.is_op(":") || self.is_op("]") {
            None
        } else {
            Some(Box::new(self.test()?))
        };
        let mut step = None;
        if self.eat_op(":") && !self.is_op("]") {
            step = Some(Box::new(self.test()?));
        }
        self.expect_op("]")?;
        let span = self.since(obj.span);
        Ok(mk(
            ExprKind::Slice {
                obj: Box::new(obj),
                lower: lower.map(Box::new),
                upper,
                step,
            },
            span,
        ))
    }

    fn atom(&mut self) -> R<Expr> {
        let span = self.span();
        let kind = match self.tok() {
            Tok::Name(n) => ExprKind::Name(n.clone()),
            Tok::Int(v) => match i64::try_from(*v) {
                Ok(v) => ExprKind::Int(v),
                Err(_) => return Err(self.error("integer literal is too large", span)),
            },
            Tok::Float(f) => ExprKind::Float(*f),
            Tok::Kw("True") => ExprKind::Bool(true),
            Tok::Kw("False") => ExprKind::Bool(false),
            Tok::Kw("None") => ExprKind::None,
            Tok::Str(_) | Tok::FStr { .. } => return self.strings(),
            Tok::Op("(") => return self.paren(),
            Tok::Op("[") => return self.list_display(),
            Tok::Op("{") => return self.dict_display(),
            Tok::Op("*") => {
                return Err(self.error("star-unpacking (`*x`) is not in the language", span));
            }
            Tok::Op("**") => return Err(self.error("`**` unpacking is not in the language", span)),
            Tok::Op("...") => return Err(self.error("`...` is not in the language", span)),
            _ => return Err(self.syntax_error()),
        };
        self.advance();
        Ok(mk(kind, span))
    }

    fn paren(&mut self) -> R<Expr> {
        let start = self.advance().span;
        if self.eat_op(")") {
            return Ok(mk(ExprKind::List(Vec::new()), self.since(start)));
        }
        let first = self.test()?;
        if self.is_kw("for") {
            return Err(self.error("generator expressions are not in the language", start));
        }
        if !self.is_op(",") {
            self.expect_op(")")?;
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") && !self.is_op(")") {
            items.push(self.test()?);
        }
        self.expect_op(")")?;
        Ok(mk(ExprKind::List(items), self.since(start)))
    }

    fn list_display(&mut self) -> R<Expr> {
        let start = self.advance().span;
        let mut items = Vec::new();
        if !self.is_op("]") {
            let first = self.test()?;
            if self.is_kw("for") {
                let gens = self.comprehension()?;
                self.expect_op("]")?;
                let kind = ExprKind::ListComp {
                    elt: Box::new(first),
                    gens,
                };
                return Ok(mk(kind, self.since(start)));
            }
            items.push(first);
            while self.eat_op(",") && !self.is_op("]") {
                items.push(self.test()?);
            }
        }
        self.expect_op("]")?;
        Ok(mk(ExprKind::List(items), self.since(start)))
    }

    fn dict_display(&mut self) -> R<Expr> {
        let start = self.advance().span;
        let mut pairs = Vec::new();
        if !self.is_op("}") {
            if self.is_op("**") {
                return Err(self.error("`**` unpacking is not in the language", self.span()));
            }
            let key = self.test()?;
            if !self.is_op(":") {
                let msg = if self.is_kw("for") {
                    "set comprehensions are not in the language"
                } else if self.is_op(",") || self.is_op("}") {
                    "sets are not in the language"
                } else {
                    return Err(self.unexpected_or("expected ':'"));
                };
                return Err(self.error(msg, start));
            }
            self.advance();
            let value = self.test()?;
            if self.is_kw("for") {
                let gens = self.comprehension()?;
                self.expect_op("}")?;
                let kind = ExprKind::DictComp {
                    key: Box::new(key),
                    value: Box::new(value),
                    gens,
                };
                return Ok(mk(kind, self.since(start)));
            }
            pairs.push((key, value));
            while self.eat_op(",") && !self.is_op("}") {
                if self.is_op("**") {
                    return Err(self.error("`**` unpacking is not in the language", self.span()));
                }
                let key = self.test()?;
                self.expect_op(":")?;
                pairs.push((key, self.test()?));
            }
        }
        self.expect_op("}")?;
        Ok(mk(ExprKind::Dict(pairs), self.since(start)))
    }

    /// `for T in IT if C …` clauses, at least one.
    fn comprehension(&mut self) -> R<Vec<Comprehension>> {
        let mut gens = Vec::new();
        while self.eat_kw("for") {
            let target = self.for_target()?;
            if !self.eat_kw("in") {
                return Err(self.syntax_error());
            }
            let iter = self.or_test()?;
            let mut ifs = Vec::new();
            while self.eat_kw("if") {
                ifs.push(self.or_test()?);
            }
            gens.push(Comprehension { target, iter, ifs });
        }
        if self.is_kw("async") {
            return Err(self.syntax_error());
        }
        Ok(gens)
    }

    /// Adjacent string literals, concatenated; f-strings make an f-string.
    fn strings(&mut self) -> R<Expr> {
        let start = self.span();
        let mut parts: Vec<FPart> = Vec::new();
        loop {
            let new = match self.tok() {
                Tok::Str(_) => match self.advance().tok {
                    Tok::Str(s) => vec![FPart::Lit(s)],
                    _ => Vec::new(),
                },
                &Tok::FStr {
                    start,
                    end,
                    line,
                    col,
                } => {
                    self.advance();
                    self.fstring(start as usize, end as usize, line, col)?
                }
                _ => break,
            };
            for part in new {
                if let (Some(FPart::Lit(prev)), FPart::Lit(s)) = (parts.last_mut(), &part) {
                    prev.push_str(s);
                    continue;
                }
                parts.push(part);
            }
        }
        let span = self.since(start);
        if parts.iter().all(|p| matches!(p, FPart::Lit(_))) {
            let mut s = String::new();
            for p in parts {
                if let FPart::Lit(l) = p {
                    s.push_str(&l);
                }
            }
            return Ok(mk(ExprKind::Str(s), span));
        }
        Ok(mk(ExprKind::FString(parts), span))
    }
}
