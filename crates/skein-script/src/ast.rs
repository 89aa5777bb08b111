//! The syntax tree the parser builds and the compiler walks.
//!
//! Every node that can fail at compile or run time carries a [`Span`], so
//! diagnostics and the pc-to-line source map can point at the source.

use serde::{Deserialize, Serialize};

/// A location in one source file: byte offsets plus the 1-based line and
/// column (in characters) of the start, so errors need no second pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub col: u32,
}

/// A whole module: its statements in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleAst {
    pub body: Vec<Stmt>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    Expr(Expr),
    /// `a = b = e`: every target receives the value, left to right.
    Assign {
        targets: Vec<Target>,
        value: Expr,
    },
    AugAssign {
        target: Target,
        op: BinOp,
        value: Expr,
    },
    Del(Vec<Target>),
    /// Only at module top level; the parser rejects nested `def`.
    Def(FuncDef),
    Return(Option<Expr>),
    Pass,
    Break,
    Continue,
    If {
        cond: Expr,
        then: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    While {
        cond: Expr,
        body: Vec<Stmt>,
    },
    For {
        target: Target,
        iter: Expr,
        body: Vec<Stmt>,
    },
    Global(Vec<String>),
    Try {
        body: Vec<Stmt>,
        handlers: Vec<ExceptHandler>,
        orelse: Vec<Stmt>,
        finalbody: Vec<Stmt>,
    },
    /// `raise` (bare, re-raise), `raise E`, `raise E("msg")`.
    Raise(Option<Expr>),
    Assert {
        cond: Expr,
        msg: Option<Expr>,
    },
    /// `import a as b`: one entry per name in the statement.
    Import(Vec<ImportName>),
    /// `from m import a as b, c`; `names` empty means `from m import *`.
    FromImport {
        module: String,
        names: Vec<ImportName>,
        star: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportName {
    pub name: String,
    pub alias: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FuncDef {
    pub name: String,
    pub params: Vec<Param>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    /// A constant expression (literals, lists and dicts of them); the
    /// compiler checks that and folds it.
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExceptHandler {
    /// `None` for a bare `except:`; a list expression for `except (A, B)`.
    pub kind: Option<Expr>,
    pub name: Option<String>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

/// An assignment target. `Name`, `Attr` and `Index` chains whose root is a
/// name are *places* (docs/language.md): the compiler writes through them in place.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Name(String, Span),
    Attr {
        obj: Box<Expr>,
        name: String,
        span: Span,
    },
    Index {
        obj: Box<Expr>,
        index: Box<Expr>,
        span: Span,
    },
    /// `a, b = …` and `(a, b), c = …`.
    Unpack(Vec<Target>, Span),
    /// `a[i:j:k] = …` and `del a[i:j:k]`: the `ExprKind::Slice` expression.
    Slice(Box<Expr>, Span),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// An f-string: literal pieces and formatted expressions, in order.
    FString(Vec<FPart>),
    Name(String),
    List(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    /// `[elt for … if …]`.
    ListComp {
        elt: Box<Expr>,
        gens: Vec<Comprehension>,
    },
    DictComp {
        key: Box<Expr>,
        value: Box<Expr>,
        gens: Vec<Comprehension>,
    },
    Unary(UnaryOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// One comparison; chains are a compile error.
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    IfElse {
        cond: Box<Expr>,
        then: Box<Expr>,
        orelse: Box<Expr>,
    },
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        kwargs: Vec<(String, Expr)>,
    },
    Attr(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Slice {
        obj: Box<Expr>,
        lower: Option<Box<Expr>>,
        upper: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum FPart {
    Lit(String),
    Expr {
        expr: Box<Expr>,
        /// `!r` → Some('r'), `!s` → Some('s').
        conversion: Option<char>,
        /// The format spec; may itself hold nested `{…}` fields.
        spec: Vec<FPart>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comprehension {
    pub target: Target,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnaryOp {
    Neg,
    Pos,
    Invert,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Is,
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
