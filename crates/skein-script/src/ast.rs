//! The syntax tree the parser builds and the compiler walks.
//!
//! Every node that can fail at compile or run time carries a [`Span`], so
//! diagnostics and the pc-to-line source map can point at the source.

use serde::{Deserialize, Serialize};

/// A location in one source file: byte offsets plus the 1-based line and
/// column (in characters) of the start, so errors need no second pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Span {
    /// Byte offset of the first character.
    pub start: u32,
    /// Byte offset just past the last character.
    pub end: u32,
    /// 1-based line of the start.
    pub line: u32,
    /// 1-based column of the start, in characters.
    pub col: u32,
}

/// A whole module: its statements in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleAst {
    /// The top-level statements.
    pub body: Vec<Stmt>,
}

/// A statement and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// What the statement is.
    pub kind: StmtKind,
    /// Where it is in the source.
    pub span: Span,
}

/// The statements of Skein script.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// An expression evaluated for its effect (a call, usually).
    Expr(Expr),
    /// `a = b = e`: every target receives the value, left to right.
    Assign {
        /// The targets, left to right.
        targets: Vec<Target>,
        /// The value assigned.
        value: Expr,
    },
    /// `target op= value`.
    AugAssign {
        /// The place updated.
        target: Target,
        /// The operator (`+` for `+=`).
        op: BinOp,
        /// The right-hand side.
        value: Expr,
    },
    /// `del a, b[i]`.
    Del(Vec<Target>),
    /// Only at module top level; the parser rejects nested `def`.
    Def(FuncDef),
    /// `return` or `return e`.
    Return(Option<Expr>),
    /// `pass`.
    Pass,
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `if cond: … elif …: … else: …` (an `elif` is an `If` in `orelse`).
    If {
        /// The condition.
        cond: Expr,
        /// Run when it is true.
        then: Vec<Stmt>,
        /// Run when it is false (empty without `else`).
        orelse: Vec<Stmt>,
    },
    /// `while cond: body`.
    While {
        /// Checked before each pass.
        cond: Expr,
        /// The loop body.
        body: Vec<Stmt>,
    },
    /// `for target in iter: body`.
    For {
        /// What each item is assigned to.
        target: Target,
        /// What is iterated.
        iter: Expr,
        /// The loop body.
        body: Vec<Stmt>,
    },
    /// `global a, b`.
    Global(Vec<String>),
    /// `try: … except …: … else: … finally: …`.
    Try {
        /// The guarded statements.
        body: Vec<Stmt>,
        /// The `except` clauses, in order.
        handlers: Vec<ExceptHandler>,
        /// Run when `body` raised nothing.
        orelse: Vec<Stmt>,
        /// Run on every way out.
        finalbody: Vec<Stmt>,
    },
    /// `raise` (bare, re-raise), `raise E`, `raise E("msg")`.
    Raise(Option<Expr>),
    /// `assert cond` or `assert cond, msg`.
    Assert {
        /// What must hold.
        cond: Expr,
        /// The message of the `AssertionError`.
        msg: Option<Expr>,
    },
    /// `import a as b`: one entry per name in the statement.
    Import(Vec<ImportName>),
    /// `from m import a as b, c`; `names` empty means `from m import *`.
    FromImport {
        /// The module imported from.
        module: String,
        /// The names imported.
        names: Vec<ImportName>,
        /// `from m import *`.
        star: bool,
    },
}

/// One name of an `import` or `from … import` statement.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportName {
    /// The name imported.
    pub name: String,
    /// `as alias`, if given.
    pub alias: Option<String>,
    /// Where the name is.
    pub span: Span,
}

/// A `def`.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncDef {
    /// The function's name.
    pub name: String,
    /// Its parameters, in order.
    pub params: Vec<Param>,
    /// Its body.
    pub body: Vec<Stmt>,
    /// Where the `def` is.
    pub span: Span,
}

/// One parameter of a `def`.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The parameter's name.
    pub name: String,
    /// A constant expression (literals, lists and dicts of them); the
    /// compiler checks that and folds it.
    pub default: Option<Expr>,
    /// Where the parameter is.
    pub span: Span,
}

/// One `except` clause.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptHandler {
    /// `None` for a bare `except:`; a list expression for `except (A, B)`.
    pub kind: Option<Expr>,
    /// `as name`: the local the error is bound to.
    pub name: Option<String>,
    /// The handler's statements.
    pub body: Vec<Stmt>,
    /// Where the clause is.
    pub span: Span,
}

/// An assignment target. `Name`, `Attr` and `Index` chains whose root is a
/// name are *places* (docs/language.md): the compiler writes through them in place.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A local or global variable.
    Name(String, Span),
    /// `obj.name`.
    Attr {
        /// The object.
        obj: Box<Expr>,
        /// The attribute.
        name: String,
        /// Where the target is.
        span: Span,
    },
    /// `obj[index]`.
    Index {
        /// The container.
        obj: Box<Expr>,
        /// The key or index.
        index: Box<Expr>,
        /// Where the target is.
        span: Span,
    },
    /// `a, b = …` and `(a, b), c = …`.
    Unpack(Vec<Target>, Span),
    /// `a[i:j:k] = …` and `del a[i:j:k]`.
    Slice {
        /// What is sliced.
        obj: Box<Expr>,
        /// The start, if given.
        lower: Option<Box<Expr>>,
        /// The end, if given.
        upper: Option<Box<Expr>>,
        /// The step, if given.
        step: Option<Box<Expr>>,
        /// Where the target is.
        span: Span,
    },
}

/// An expression and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it is in the source.
    pub span: Span,
}

/// The expressions of Skein script.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An int literal.
    Int(i64),
    /// A float literal.
    Float(f64),
    /// A string literal, escapes decoded.
    Str(String),
    /// An f-string: literal pieces and formatted expressions, in order.
    FString(Vec<FPart>),
    /// A variable.
    Name(String),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{k: v}`.
    Dict(Vec<(Expr, Expr)>),
    /// `[elt for … if …]`.
    ListComp {
        /// The item made for each pass.
        elt: Box<Expr>,
        /// The `for … if …` clauses, outermost first.
        gens: Vec<Comprehension>,
    },
    /// `{k: v for … if …}`.
    DictComp {
        /// The key made for each pass.
        key: Box<Expr>,
        /// The value made for each pass.
        value: Box<Expr>,
        /// The `for … if …` clauses, outermost first.
        gens: Vec<Comprehension>,
    },
    /// `-e`, `+e`, `~e`.
    Unary(UnaryOp, Box<Expr>),
    /// `a op b`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// One comparison; chains are a compile error.
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `not e`.
    Not(Box<Expr>),
    /// `then if cond else orelse`.
    IfElse {
        /// The condition.
        cond: Box<Expr>,
        /// The value when it is true.
        then: Box<Expr>,
        /// The value when it is false.
        orelse: Box<Expr>,
    },
    /// `func(args, name=value)`.
    Call {
        /// What is called.
        func: Box<Expr>,
        /// Positional arguments.
        args: Vec<Expr>,
        /// Keyword arguments, in order.
        kwargs: Vec<(String, Expr)>,
    },
    /// `obj.name`.
    Attr(Box<Expr>, String),
    /// `obj[index]`.
    Index(Box<Expr>, Box<Expr>),
    /// `obj[lower:upper:step]`.
    Slice {
        /// What is sliced.
        obj: Box<Expr>,
        /// The start, if given.
        lower: Option<Box<Expr>>,
        /// The end, if given.
        upper: Option<Box<Expr>>,
        /// The step, if given.
        step: Option<Box<Expr>>,
    },
}

/// A piece of an f-string.
#[derive(Debug, Clone, PartialEq)]
pub enum FPart {
    /// Literal text, `{{` and `}}` already undoubled.
    Lit(String),
    /// A `{expr!c:spec}` field.
    Expr {
        /// The expression formatted.
        expr: Box<Expr>,
        /// `!r` → Some('r'), `!s` → Some('s').
        conversion: Option<char>,
        /// The format spec; may itself hold nested `{…}` fields.
        spec: Vec<FPart>,
    },
}

/// One `for target in iter if …` clause of a comprehension.
#[derive(Debug, Clone, PartialEq)]
pub struct Comprehension {
    /// What each item is assigned to.
    pub target: Target,
    /// What is iterated.
    pub iter: Expr,
    /// The `if` filters, all of which must hold.
    pub ifs: Vec<Expr>,
}

/// The binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
    /// `**`
    Pow,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
}

/// The unary operators (`not` is [`ExprKind::Not`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnaryOp {
    /// `-e`
    Neg,
    /// `+e`
    Pos,
    /// `~e`
    Invert,
}

/// The comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `is`
    Is,
    /// `is not`
    IsNot,
}

impl BinOp {
    /// The operator as Python spells it, for `unsupported operand type(s) for +`.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "** or pow()",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
        }
    }
}

impl CmpOp {
    /// The operator as Python spells it.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
        }
    }
}
