//! Statements: simple ones separated by `;`, compound ones with indented or
//! one-line suites, and the Python statements Skein leaves out.

use super::target::Ctx;
use super::{Parser, not_in_language};
use crate::ast::{
    BinOp, ExceptHandler, ExprKind, FuncDef, ImportName, ModuleAst, Param, Span, Stmt, StmtKind,
    Target,
};
use crate::diag::CompileError;
use crate::token::Tok;
use crate::token::starts_expr;

type R<T> = Result<T, CompileError>;

fn aug_op(tok: &Tok) -> Option<BinOp> {
    let Tok::Op(o) = tok else { return None };
    Some(match *o {
        "+=" => BinOp::Add,
        "-=" => BinOp::Sub,
        "*=" => BinOp::Mul,
        "/=" => BinOp::Div,
        "//=" => BinOp::FloorDiv,
        "%=" => BinOp::Mod,
        "**=" => BinOp::Pow,
        "&=" => BinOp::BitAnd,
        "|=" => BinOp::BitOr,
        "^=" => BinOp::BitXor,
        "<<=" => BinOp::Shl,
        ">>=" => BinOp::Shr,
        _ => return None,
    })
}

impl Parser<'_> {
    pub(super) fn module(&mut self) -> R<ModuleAst> {
        let mut body = Vec::new();
        loop {
            match self.tok() {
                Tok::Eof => break,
                Tok::Newline => {
                    self.advance();
                }
                _ => self.statement(&mut body, true)?,
            }
        }
        Ok(ModuleAst { body })
    }

    /// One compound statement, or one line of simple statements, into `out`.
    fn statement(&mut self, out: &mut Vec<Stmt>, top: bool) -> R<()> {
        let span = self.span();
        let is_match =
            matches!(self.tok(), Tok::Name(n) if n == "match") && self.looks_like_match();
        let stmt = match self.tok() {
            Tok::Kw("if") => self.if_stmt("'if' statement")?,
            Tok::Kw("while") => self.while_stmt()?,
            Tok::Kw("for") => self.for_stmt()?,
            Tok::Kw("try") => self.try_stmt()?,
            Tok::Kw("def") if top => self.def_stmt()?,
            Tok::Kw("def") if self.in_func => {
                return Err(self.error("nested def is not in the language", span));
            }
            Tok::Kw("def") => {
                return Err(self.error("`def` is only allowed at the top level of a module", span));
            }
            Tok::Op("@") => return Err(self.error("decorators are not in the language", span)),
            Tok::Dedent => return Err(self.syntax_error()),
            _ if is_match => {
                return Err(self.error("`match` statements are not in the language", span));
            }
            _ => return self.simple_line(out),
        };
        out.push(stmt);
        Ok(())
    }

    /// `match x:` at the end of a line is Python's match statement; any other
    /// use of `match` is a name.
    fn looks_like_match(&mut self) -> bool {
        if !starts_expr(self.tok_at(1)) {
            return false;
        }
        let mut i = 1;
        loop {
            match self.tok_far(i) {
                Tok::Newline | Tok::Eof | Tok::Error(_) => break,
                _ => i += 1,
            }
        }
        matches!(self.tok_far(i - 1), Tok::Op(":"))
    }

    /// Simple statements separated by `;`, up to the end of the line.
    fn simple_line(&mut self, out: &mut Vec<Stmt>) -> R<()> {
        loop {
            out.push(self.simple_stmt()?);
            if !self.eat_op(";") || matches!(self.tok(), Tok::Newline | Tok::Eof) {
                break;
            }
        }
        match self.tok() {
            Tok::Newline => {
                self.advance();
                Ok(())
            }
            Tok::Eof => Ok(()),
            _ => Err(self.syntax_error()),
        }
    }

    fn simple_stmt(&mut self) -> R<Stmt> {
        let start = self.span();
        let kind = match self.tok() {
            Tok::Kw("pass") => {
                self.advance();
                StmtKind::Pass
            }
            Tok::Kw("break") => {
                self.advance();
                if self.loop_depth == 0 {
                    return Err(self.error("'break' outside loop", start));
                }
                StmtKind::Break
            }
            Tok::Kw("continue") => {
                self.advance();
                if self.loop_depth == 0 {
                    return Err(self.error("'continue' not properly in loop", start));
                }
                StmtKind::Continue
            }
            Tok::Kw("return") => {
                self.advance();
                if !self.in_func {
                    return Err(self.error("'return' outside function", start));
                }
                let value = if starts_expr(self.tok()) {
                    Some(self.testlist()?)
                } else {
                    None
                };
                StmtKind::Return(value)
            }
            Tok::Kw("del") => {
                self.advance();
                let e = self.testlist()?;
                let mut targets = Vec::new();
                flatten(self.to_target(e, Ctx::Del)?, &mut targets);
                StmtKind::Del(targets)
            }
            Tok::Kw("global") => {
                self.advance();
                let mut names = vec![self.expect_name()?.0];
                while self.eat_op(",") {
                    names.push(self.expect_name()?.0);
                }
                StmtKind::Global(names)
            }
            Tok::Kw("raise") => {
                self.advance();
                if !starts_expr(self.tok()) {
                    StmtKind::Raise(None)
                } else {
                    let e = self.test()?;
                    if self.is_kw("from") {
                        let span = self.span();
                        return Err(self.error("`raise … from` is not in the language", span));
                    }
                    StmtKind::Raise(Some(e))
                }
            }
            Tok::Kw("assert") => {
                self.advance();
                let cond = self.test()?;
                let msg = if self.eat_op(",") {
                    Some(self.test()?)
                } else {
                    None
                };
                StmtKind::Assert { cond, msg }
            }
            Tok::Kw("import") => self.import()?,
            Tok::Kw("from") => self.import_from()?,
            Tok::Kw(kw) if not_in_language(kw).is_some() => return Err(self.syntax_error()),
            Tok::Kw("class") => return Err(self.syntax_error()),
            _ => self.expr_or_assign()?,
        };
        Ok(Stmt {
            kind,
            span: self.since(start),
        })
    }

    fn expr_or_assign(&mut self) -> R<StmtKind> {
        let first = self.testlist()?;
        if self.is_op("=") {
            let mut exprs = vec![first];
            while self.eat_op("=") {
                exprs.push(self.testlist()?);
            }
            let Some(value) = exprs.pop() else {
                return Err(self.syntax_error());
            };
            let targets = exprs
                .into_iter()
                .map(|e| self.to_target(e, Ctx::Assign))
                .collect::<R<Vec<_>>>()?;
            return Ok(StmtKind::Assign { targets, value });
        }
        if let Some(op) = aug_op(self.tok()) {
            self.advance();
            let target = self.to_target(first, Ctx::Aug)?;
            let value = self.testlist()?;
            return Ok(StmtKind::AugAssign { target, op, value });
        }
        if self.is_op(":") {
            return Err(self.error("variable annotations are not in the language", self.span()));
        }
        if matches!(&first.kind, ExprKind::Name(n) if n == "print") && starts_expr(self.tok()) {
            return Err(self.error(
                "Missing parentheses in call to 'print'. Did you mean print(...)?",
                first.span,
            ));
        }
        Ok(StmtKind::Expr(first))
    }

    /// `:` then an indented block or simple statements on the same line.
    fn suite(&mut self, what: &str, header_line: u32) -> R<Vec<Stmt>> {
        self.expect_op(":")?;
        let mut body = Vec::new();
        if !matches!(self.tok(), Tok::Newline) {
            if matches!(
                self.tok(),
                Tok::Kw("if" | "while" | "for" | "try" | "def") | Tok::Op("@")
            ) {
                return Err(self.syntax_error());
            }
            self.simple_line(&mut body)?;
            return Ok(body);
        }
        self.advance();
        if !matches!(self.tok(), Tok::Indent) {
            if let Tok::Error(e) = self.tok() {
                return Err((**e).clone());
            }
            return Err(self.error(
                format!("expected an indented block after {what} on line {header_line}"),
                self.span(),
            ));
        }
        self.advance();
        while !matches!(self.tok(), Tok::Dedent | Tok::Eof) {
            self.statement(&mut body, false)?;
        }
        self.eat_dedent();
        Ok(body)
    }

    fn eat_dedent(&mut self) {
        if matches!(self.tok(), Tok::Dedent) {
            self.advance();
        }
    }

    fn if_stmt(&mut self, what: &str) -> R<Stmt> {
        let start = self.advance().span;
        let cond = self.test()?;
        let span = self.since(start);
        let then = self.suite(what, start.line)?;
        let orelse = if self.is_kw("elif") {
            vec![self.if_stmt("'elif' statement")?]
        } else if self.is_kw("else") {
            let line = self.advance().span.line;
            self.suite("'else' statement", line)?
        } else {
            Vec::new()
        };
        Ok(Stmt {
            kind: StmtKind::If { cond, then, orelse },
            span,
        })
    }

    fn loop_body(&mut self, what: &str, line: u32) -> R<Vec<Stmt>> {
        self.loop_depth += 1;
        let body = self.suite(what, line);
        self.loop_depth -= 1;
        let body = body?;
        if self.is_kw("else") {
            let msg = if what.contains("while") {
                "`while … else` is not in the language"
            } else {
                "`for … else` is not in the language"
            };
            return Err(self.error(msg, self.span()));
        }
        Ok(body)
    }

    fn while_stmt(&mut self) -> R<Stmt> {
        let start = self.advance().span;
        let cond = self.test()?;
        let span = self.since(start);
        let body = self.loop_body("'while' statement", start.line)?;
        Ok(Stmt {
            kind: StmtKind::While { cond, body },
            span,
        })
    }

    fn for_stmt(&mut self) -> R<Stmt> {
        let start = self.advance().span;
        let target = self.for_target()?;
        if !self.eat_kw("in") {
            return Err(self.syntax_error());
        }
        let iter = self.testlist()?;
        let span = self.since(start);
        let body = self.loop_body("'for' statement", start.line)?;
        Ok(Stmt {
            kind: StmtKind::For { target, iter, body },
            span,
        })
    }

    fn try_stmt(&mut self) -> R<Stmt> {
        let start = self.advance().span;
        let body = self.suite("'try' statement", start.line)?;
        let mut handlers: Vec<ExceptHandler> = Vec::new();
        while self.is_kw("except") {
            let hstart = self.advance().span;
            if let Some(prev) = handlers.last()
                && prev.kind.is_none()
            {
                return Err(self.error("default 'except:' must be last", prev.span));
            }
            if self.is_op("*") {
                return Err(self.error("`except*` is not in the language", self.span()));
            }
            let kind = if self.is_op(":") {
                None
            } else {
                let k = self.test()?;
                if self.is_op(",") {
                    return Err(
                        self.error("multiple exception types must be parenthesized", k.span)
                    );
                }
                Some(k)
            };
            let name = if self.eat_kw("as") {
                Some(self.expect_name()?.0)
            } else {
                None
            };
            let span = self.since(hstart);
            let body = self.suite("'except' statement", hstart.line)?;
            handlers.push(ExceptHandler {
                kind,
                name,
                body,
                span,
            });
        }
        let mut orelse = Vec::new();
        if self.is_kw("else") && !handlers.is_empty() {
            let line = self.advance().span.line;
            orelse = self.suite("'else' statement", line)?;
        }
        let mut finalbody = Vec::new();
        let has_finally = self.is_kw("finally");
        if has_finally {
            let line = self.advance().span.line;
            finalbody = self.suite("'finally' statement", line)?;
        }
        if handlers.is_empty() && !has_finally {
            return Err(self.unexpected_or("expected 'except' or 'finally' block"));
        }
        Ok(Stmt {
            kind: StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            },
            span: start,
        })
    }

    fn def_stmt(&mut self) -> R<Stmt> {
        let start = self.advance().span;
        let (name, _) = self.expect_name()?;
        self.expect_op("(")?;
        let mut params: Vec<Param> = Vec::new();
        while !self.is_op(")") {
            let span = self.span();
            match self.tok() {
                Tok::Op("*") => return Err(self.error("`*args` is not in the language", span)),
                Tok::Op("**") => return Err(self.error("`**kwargs` is not in the language", span)),
                Tok::Op("/") => {
                    return Err(self.error(
                        "positional-only parameters (`/`) are not in the language",
                        span,
                    ));
                }
                _ => {}
            }
            let (pname, pspan) = self.expect_name()?;
            if self.is_op(":") {
                return Err(self.error("annotations are not in the language", self.span()));
            }
            let default = if self.eat_op("=") {
                Some(self.test()?)
            } else {
                None
            };
            if params.iter().any(|p| p.name == pname) {
                return Err(self.error(
                    format!("duplicate argument '{pname}' in function definition"),
                    pspan,
                ));
            }
            if default.is_none() && params.iter().any(|p| p.default.is_some()) {
                return Err(self.error("non-default argument follows default argument", pspan));
            }
            params.push(Param {
                name: pname,
                default,
                span: self.since(pspan),
            });
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_op(")")?;
        if self.is_op("->") {
            return Err(self.error("annotations are not in the language", self.span()));
        }
        let span = self.since(start);
        let saved = (self.in_func, self.loop_depth);
        self.in_func = true;
        self.loop_depth = 0;
        let body = self.suite("function definition", start.line);
        (self.in_func, self.loop_depth) = saved;
        let def = FuncDef {
            name,
            params,
            body: body?,
            span,
        };
        Ok(Stmt {
            kind: StmtKind::Def(def),
            span,
        })
    }

    fn module_name(&mut self) -> R<(String, Span)> {
        if self.is_op(".") || self.is_op("...") {
            return Err(self.error("relative imports are not in the language", self.span()));
        }
        let name = self.expect_name()?;
        if self.is_op(".") {
            return Err(self.error("dotted module names are not in the language", self.span()));
        }
        Ok(name)
    }

    fn import_name(&mut self, module: bool) -> R<ImportName> {
        let (name, span) = if module {
            self.module_name()?
        } else {
            self.expect_name()?
        };
        let alias = if self.eat_kw("as") {
            Some(self.expect_name()?.0)
        } else {
            None
        };
        Ok(ImportName {
            name,
            alias,
            span: self.since(span),
        })
    }

    fn import(&mut self) -> R<StmtKind> {
        self.advance();
        let mut names = vec![self.import_name(true)?];
        while self.eat_op(",") {
            names.push(self.import_name(true)?);
        }
        Ok(StmtKind::Import(names))
    }

    fn import_from(&mut self) -> R<StmtKind> {
        self.advance();
        let (module, _) = self.module_name()?;
        if !self.eat_kw("import") {
            return Err(self.syntax_error());
        }
        if self.eat_op("*") {
            return Ok(StmtKind::FromImport {
                module,
                names: Vec::new(),
                star: true,
            });
        }
        let paren = self.eat_op("(");
        let mut names = vec![self.import_name(false)?];
        while self.eat_op(",") {
            if paren && self.is_op(")") {
                break;
            }
            names.push(self.import_name(false)?);
        }
        if paren {
            self.expect_op(")")?;
        }
        Ok(StmtKind::FromImport {
            module,
            names,
            star: false,
        })
    }
}

/// `del (a, b), c` deletes `a`, `b` and `c`.
fn flatten(t: Target, out: &mut Vec<Target>) {
    match t {
        Target::Unpack(items, _) => items.into_iter().for_each(|t| flatten(t, out)),
        t => out.push(t),
    }
}
