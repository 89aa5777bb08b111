//! A readable listing of compiled bytecode, for `skein disasm`, debugging the
//! compiler and its tests: per function a header, then one line per op with
//! its pc, source line and operands resolved to names and constants.

use std::fmt::Write;

use crate::bytecode::{
    Arg, BUILTIN_NAMES, BinOp, CmpOp, Const, Conversion, Dst, Function, Module, NO_KW, Op,
    PlaceBase, Program,
};

/// The whole program, module by module.
pub fn disasm(program: &Program) -> String {
    let mut out = String::new();
    for m in &program.modules {
        out.push_str(&disasm_module(m));
    }
    out
}

/// One module's functions, top level first.
pub fn disasm_module(m: &Module) -> String {
    let mut out = String::new();
    for f in &m.functions {
        out.push_str(&disasm_function(m, f));
        out.push('\n');
    }
    out
}

/// One function: `== module.name (params: a, b=1) ==` and its ops.
pub fn disasm_function(m: &Module, f: &Function) -> String {
    let first_default = f.params.len() - f.defaults.len().min(f.params.len());
    let params: Vec<String> = f
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| match i.checked_sub(first_default) {
            Some(d) => format!("{p}={}", const_text(&f.defaults[d])),
            None => p.clone(),
        })
        .collect();
    let mut out = format!(
        "== {}.{} (params: {}) ==\n",
        m.name,
        f.name,
        params.join(", ")
    );
    for (pc, op) in f.code.iter().enumerate() {
        let line = f.lines.get(pc).copied().unwrap_or(0);
        let _ = writeln!(out, "{pc:>5}  L{line:<3} {}", op_text(m, f, op));
    }
    out
}

fn get(v: &[String], i: u16) -> &str {
    v.get(i as usize).map_or("?", String::as_str)
}

fn base_text(m: &Module, f: &Function, b: PlaceBase) -> String {
    match b {
        PlaceBase::Local(i) => format!("local {i} ({})", get(&f.local_names, i)),
        PlaceBase::Global(i) => format!("global {i} ({})", get(&m.globals, i)),
        PlaceBase::Attr(i) => format!("attr .{}", get(&f.names, i)),
    }
}

fn kw_text(f: &Function, kw: u16) -> String {
    if kw == NO_KW {
        String::new()
    } else {
        let names = f.kwnames.get(kw as usize).cloned().unwrap_or_default();
        format!(" kw=[{}]", names.join(", "))
    }
}

/// One op with its operands resolved.
pub fn op_text(m: &Module, f: &Function, op: &Op) -> String {
    match *op {
        Op::Const(i) => format!(
            "Const {i} ({})",
            f.consts.get(i as usize).map_or("?".into(), const_text)
        ),
        Op::LoadLocal(i)
        | Op::TakeLocal(i)
        | Op::StoreLocal(i)
        | Op::DelLocal(i)
        | Op::ClearLocal(i) => {
            format!("{} ({})", short(op), get(&f.local_names, i))
        }
        Op::ListAppendLocal(i) | Op::DictInsertLocal(i) => {
            format!("{} ({})", short(op), get(&f.local_names, i))
        }
        Op::LoadGlobal(i) | Op::StoreGlobal(i) | Op::DelGlobal(i) => {
            format!("{} ({})", short(op), get(&m.globals, i))
        }
        Op::LoadBuiltin(i) => format!(
            "LoadBuiltin {i} ({})",
            BUILTIN_NAMES.get(i as usize).copied().unwrap_or("?")
        ),
        Op::LoadAttr(i) | Op::Import(i) | Op::ImportFrom(i) => {
            format!("{} ({})", short(op), get(&f.names, i))
        }
        Op::MakeFunction(i) => format!(
            "MakeFunction {i} ({})",
            m.functions.get(i as usize).map_or("?", |f| f.name.as_str())
        ),
        Op::LoadPlace { base, depth } => {
            format!("LoadPlace {} depth {depth}", base_text(m, f, base))
        }
        Op::StorePlace { base, depth } => {
            format!("StorePlace {} depth {depth}", base_text(m, f, base))
        }
        Op::DelPlace { base, depth } => format!("DelPlace {} depth {depth}", base_text(m, f, base)),
        Op::CallPlace {
            base,
            depth,
            name,
            argc,
            kw,
        } => format!(
            "CallPlace {} depth {depth} .{} argc {argc}{}",
            base_text(m, f, base),
            get(&f.names, name),
            kw_text(f, kw)
        ),
        Op::CallMethod { name, argc, kw } => format!(
            "CallMethod .{} argc {argc}{}",
            get(&f.names, name),
            kw_text(f, kw)
        ),
        Op::Call { argc, kw } => format!("Call argc {argc}{}", kw_text(f, kw)),
        Op::FormatValue { conv, spec } => {
            let conv = match conv {
                Conversion::None => "",
                Conversion::Str => " !s",
                Conversion::Repr => " !r",
            };
            format!("FormatValue{conv}{}", if spec { " spec" } else { "" })
        }
        Op::Binary(b) => format!("Binary {}", b.symbol()),
        Op::Compare(c) => format!("Compare {}", c.symbol()),
        Op::Bin { op, dst, a, b } => bin_text(f, "Bin", op, dst, a, b),
        Op::JumpCmp {
            op,
            a,
            b,
            when,
            target,
        } => jump_text(f, "JumpCmp", op, a, b, when, target),
        Op::Move { dst, src } => format!(
            "Move {} := {}",
            dst_text(f, Dst::Local(dst)),
            arg_text(f, src)
        ),
        Op::ReturnArg(a) => format!("ReturnArg {}", arg_text(f, a)),
        Op::ReturnLocal(i) => format!("ReturnLocal {}", arg_text(f, Arg::Local(i))),
        Op::IndexLocal { a, key } => format!(
            "IndexLocal push := {}[{}]",
            arg_text(f, Arg::Local(a)),
            arg_text(f, key)
        ),
        Op::IndexGlobal { g, key } => format!(
            "IndexGlobal push := global {g} ({})[{}]",
            get(&m.globals, g),
            arg_text(f, key)
        ),
        Op::IndexLocalPop(a) => {
            format!("IndexLocalPop push := {}[pop]", arg_text(f, Arg::Local(a)))
        }
        Op::BinLL { op, dst, a, b } => bin_text(
            f,
            "BinLL",
            op,
            Dst::Local(dst),
            Arg::Local(a),
            Arg::Local(b),
        ),
        Op::BinLI { op, dst, a, b } => {
            bin_text(f, "BinLI", op, Dst::Local(dst), Arg::Local(a), Arg::Int(b))
        }
        Op::BinPK { op, dst, b } => {
            bin_text(f, "BinPK", op, Dst::Local(dst), Arg::Pop, Arg::Const(b))
        }
        Op::BinPI { op, dst, b } => {
            bin_text(f, "BinPI", op, Dst::Local(dst), Arg::Pop, Arg::Int(b))
        }
        Op::PushLL { op, a, b } => {
            bin_text(f, "PushLL", op, Dst::Push, Arg::Local(a), Arg::Local(b))
        }
        Op::PushLI { op, a, b } => bin_text(f, "PushLI", op, Dst::Push, Arg::Local(a), Arg::Int(b)),
        Op::JumpLL {
            op,
            a,
            b,
            when,
            target,
        } => jump_text(f, "JumpLL", op, Arg::Local(a), Arg::Local(b), when, target),
        Op::JumpLI {
            op,
            a,
            b,
            when,
            target,
        } => jump_text(f, "JumpLI", op, Arg::Local(a), Arg::Int(b), when, target),
        Op::ForPrep {
            var,
            state,
            argc,
            exit,
        } => format!(
            "ForPrep {} state {state} argc {argc} exit {exit}",
            get(&f.local_names, var)
        ),
        Op::ForLoop { var, state, body } => format!(
            "ForLoop {} state {state} body {body}",
            get(&f.local_names, var)
        ),
        _ => short(op),
    }
}

fn bin_text(f: &Function, name: &str, op: BinOp, dst: Dst, a: Arg, b: Arg) -> String {
    format!(
        "{name} {} := {} {} {}",
        dst_text(f, dst),
        arg_text(f, a),
        op.symbol(),
        arg_text(f, b)
    )
}

fn jump_text(
    f: &Function,
    name: &str,
    op: CmpOp,
    a: Arg,
    b: Arg,
    when: bool,
    target: u32,
) -> String {
    format!(
        "{name} if ({} {} {}) is {} to {target}",
        arg_text(f, a),
        op.symbol(),
        arg_text(f, b),
        if when { "true" } else { "false" }
    )
}

fn arg_text(f: &Function, a: Arg) -> String {
    match a {
        Arg::Local(i) => format!("local {i} ({})", get(&f.local_names, i)),
        Arg::Int(k) => k.to_string(),
        Arg::Const(c) => f.consts.get(c as usize).map_or("?".into(), const_text),
        Arg::Pop => "pop".into(),
    }
}

fn dst_text(f: &Function, d: Dst) -> String {
    match d {
        Dst::Local(i) => format!("local {i} ({})", get(&f.local_names, i)),
        Dst::Push => "push".into(),
    }
}

/// The op's name and plain numeric operands, as `Debug` writes them
/// (`Jump(12)` → `Jump 12`).
fn short(op: &Op) -> String {
    let s = format!("{op:?}");
    match s.split_once('(') {
        Some((name, rest)) => format!("{name} {}", rest.trim_end_matches(')')),
        None => s,
    }
}

/// A constant as Python's `repr` would print it.
pub fn const_text(c: &Const) -> String {
    match c {
        Const::None => "None".into(),
        Const::Bool(true) => "True".into(),
        Const::Bool(false) => "False".into(),
        Const::Int(i) => i.to_string(),
        Const::Float(x) => format!("{x:?}"),
        Const::Str(s) => py_repr(s),
        Const::List(items) => {
            let items: Vec<String> = items.iter().map(const_text).collect();
            format!("[{}]", items.join(", "))
        }
        Const::Dict(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|(k, v)| format!("{}: {}", const_text(k), const_text(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

/// A string as Python's `repr` quotes it (close enough for a listing:
/// control characters are escaped the Rust way).
fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}
