//! Compiler tests: the disassembly of key constructs, name resolution, and
//! the compile errors the compiler (rather than the parser) reports.

use crate::disasm::disasm_function;
use crate::loader::compile_str;

/// Disassembly of function `f` (0 = top level) of a one-module program.
fn dis(src: &str, f: usize) -> String {
    let p = compile_str("t", src).unwrap_or_else(|e| panic!("{e}"));
    disasm_function(&p.modules[0], &p.modules[0].functions[f])
}

/// The ops of function `f`, without pcs and lines, one per line.
fn ops(src: &str, f: usize) -> Vec<String> {
    dis(src, f)
        .lines()
        .skip(1)
        .map(|l| l.get(12..).unwrap_or_default().to_string())
        .collect()
}

/// The compile error's `line:col: message`.
fn error(src: &str) -> String {
    match compile_str("t", src) {
        Ok(_) => panic!("compiled:\n{src}"),
        Err(e) => {
            let e = e.errors()[0].clone();
            format!("{}:{}: {}", e.span.line, e.span.col, e.message)
        }
    }
}

#[test]
fn listing_shape() {
    let d = dis("def f(a, b=1, c=[-2.5, {'k': None}]):\n    return a\n", 1);
    assert_eq!(
        d,
        "== t.f (params: a, b=1, c=[-2.5, {'k': None}]) ==\n\
         \x20   0  L2   ReturnLocal local 0 (a)\n\
         \x20   1  L2   None\n\
         \x20   2  L2   Return\n"
    );
}

#[test]
fn places() {
    let src = "\
import math as m
def g(t, a, i, j, v):
    a[i][j] = v
    m.x = v
    t.data['hp'] = 7
    a[i] += 1
    t.data.append(1)
    npc = {}
    npc['inv'].append('rope')
    f().append(1)
    'a,b'.split(',')
    del a[i]
    f()[0] = 3
def f():
    return [[0]]
";
    assert_eq!(
        ops(src, 1),
        [
            "LoadLocal 2 (i)",
            "LoadLocal 3 (j)",
            "LoadLocal 4 (v)",
            "StorePlace local 1 (a) depth 2",
            "LoadGlobal 0 (m)",
            "LoadLocal 4 (v)",
            "StorePlace attr .x depth 0",
            "LoadLocal 0 (t)",
            "Const 0 ('hp')",
            "SmallInt 7",
            "StorePlace attr .data depth 1",
            "LoadLocal 2 (i)",
            "LoadPlace local 1 (a) depth 1",
            "Bin push := pop + 1",
            "StorePlace local 1 (a) depth 1",
            "LoadLocal 0 (t)",
            "SmallInt 1",
            "CallPlace attr .data depth 0 .append argc 1",
            "Pop",
            "BuildDict 0",
            "StoreLocal 5 (npc)",
            "Const 1 ('inv')",
            "Const 2 ('rope')",
            "CallPlace local 5 (npc) depth 1 .append argc 1",
            "Pop",
            "LoadGlobal 2 (f)",
            "Call argc 0",
            "SmallInt 1",
            "CallMethod .append argc 1",
            "Pop",
            "Const 3 ('a,b')",
            "Const 4 (',')",
            "CallMethod .split argc 1",
            "Pop",
            "LoadLocal 2 (i)",
            "DelPlace local 1 (a) depth 1",
            "LoadGlobal 2 (f)",
            "Call argc 0",
            "StoreLocal 6 ($tmp)",
            "SmallInt 0",
            "SmallInt 3",
            "StorePlace local 6 ($tmp) depth 1",
            "ClearLocal 6 ($tmp)",
            "None",
            "Return",
        ]
    );
}

#[test]
fn assignment_evaluates_the_value_before_a_busy_target() {
    // CPython order: the value, then the target's object, then its keys.
    // Constant and name keys keep the direct form (nothing to observe).
    let src = "\
def g(a, i, o):
    a[i][-1] = v()
    a[k()] = v()
    a[i][k()] = b[j()] = v()
    a[k()], o.x = v()
    h().x = v()
";
    assert_eq!(
        ops(src, 1),
        [
            "LoadLocal 1 (i)",
            "SmallInt -1",
            "LoadGlobal 1 (v)",
            "Call argc 0",
            "StorePlace local 0 (a) depth 2",
            "LoadGlobal 1 (v)",
            "Call argc 0",
            "LoadGlobal 2 (k)",
            "Call argc 0",
            "Rot2",
            "StorePlace local 0 (a) depth 1",
            "LoadGlobal 1 (v)",
            "Call argc 0",
            "Dup",
            "StoreLocal 3 ($value)",
            "LoadLocal 1 (i)",
            "LoadGlobal 2 (k)",
            "Call argc 0",
            "LoadLocal 3 ($value)",
            "StorePlace local 0 (a) depth 2",
            "ClearLocal 3 ($value)",
            "LoadGlobal 4 (j)",
            "Call argc 0",
            "Rot2",
            "StorePlace global 3 (b) depth 1",
            "LoadGlobal 1 (v)",
            "Call argc 0",
            "Unpack 2",
            "LoadGlobal 2 (k)",
            "Call argc 0",
            "Rot2",
            "StorePlace local 0 (a) depth 1",
            "StoreLocal 4 ($value)",
            "LoadLocal 2 (o)",
            "LoadLocal 4 ($value)",
            "StorePlace attr .x depth 0",
            "ClearLocal 4 ($value)",
            "LoadGlobal 1 (v)",
            "Call argc 0",
            "StoreLocal 5 ($value)",
            "LoadGlobal 5 (h)",
            "Call argc 0",
            "LoadLocal 5 ($value)",
            "StorePlace attr .x depth 0",
            "ClearLocal 5 ($value)",
            "None",
            "Return",
        ]
    );
}

#[test]
fn unpacking_and_chained_assignment() {
    let src = "def g(v):\n    x, [y, z] = v\n    q = w = v\n";
    assert_eq!(
        ops(src, 1),
        [
            "LoadLocal 0 (v)",
            "Unpack 2",
            "StoreLocal 1 (x)",
            "Unpack 2",
            "StoreLocal 2 (y)",
            "StoreLocal 3 (z)",
            "LoadLocal 0 (v)",
            "Dup",
            "StoreLocal 4 (q)",
            "StoreLocal 5 (w)",
            "None",
            "Return",
        ]
    );
}

#[test]
fn try_finally_with_return_inlines_the_finally_body() {
    let src = "def f(x):\n    try:\n        return x\n    finally:\n        print('fin')\n";
    assert_eq!(
        dis(src, 1),
        "\
== t.f (params: x) ==
    0  L2   SetupFinally 16
    1  L3   Move local 1 ($return) := local 0 (x)
    2  L3   PopHandler
    3  L5   LoadBuiltin 0 (print)
    4  L5   Const 0 ('fin')
    5  L5   Call argc 1
    6  L5   Pop
    7  L3   LoadLocal 1 ($return)
    8  L3   ClearLocal 1 ($return)
    9  L3   Return
   10  L2   PopHandler
   11  L5   LoadBuiltin 0 (print)
   12  L5   Const 0 ('fin')
   13  L5   Call argc 1
   14  L5   Pop
   15  L5   Jump 24
   16  L5   StoreLocal 2 ($error)
   17  L5   LoadBuiltin 0 (print)
   18  L5   Const 0 ('fin')
   19  L5   Call argc 1
   20  L5   Pop
   21  L5   LoadLocal 2 ($error)
   22  L5   ClearLocal 2 ($error)
   23  L5   Reraise
   24  L5   None
   25  L5   Return
"
    );
}

#[test]
fn except_clauses_and_bare_raise() {
    let src = "\
def g():
    try:
        g()
    except ValueError as e:
        raise
    except:
        pass
";
    assert_eq!(
        dis(src, 1),
        "\
== t.g (params: ) ==
    0  L2   SetupFinally 6
    1  L3   LoadGlobal 0 (g)
    2  L3   Call argc 0
    3  L3   Pop
    4  L3   PopHandler
    5  L3   Jump 20
    6  L4   LoadBuiltin 26 (ValueError)
    7  L4   ExcMatch
    8  L4   JumpIfFalse 17
    9  L4   Dup
   10  L4   StoreLocal 1 ($exc)
   11  L4   StoreLocal 0 (e)
   12  L5   LoadLocal 1 ($exc)
   13  L5   Reraise
   14  L5   ClearLocal 1 ($exc)
   15  L5   ClearLocal 0 (e)
   16  L5   Jump 20
   17  L6   StoreLocal 2 ($exc)
   18  L7   ClearLocal 2 ($exc)
   19  L7   Jump 20
   20  L7   None
   21  L7   Return
"
    );
}

#[test]
fn handler_kinds() {
    // Typed clauses only: `SetupExcept`, and an unmatched error is re-raised.
    let typed = ops(
        "try:\n    pass\nexcept [ValueError, KeyError]:\n    pass\n",
        0,
    );
    assert_eq!(typed[0], "SetupExcept 3");
    assert!(typed.contains(&"BuildList 2".to_string()));
    assert!(typed.contains(&"Reraise".to_string()));
    // Naming `TaskletExit` needs the catch-all handler.
    let te = ops("try:\n    pass\nexcept TaskletExit:\n    pass\n", 0);
    assert_eq!(te[0], "SetupFinally 3");
    // A bare `raise` outside `except` re-raises what a caller handles.
    assert_eq!(ops("raise\n", 0)[..2], ["None", "Reraise"]);
}

#[test]
fn break_and_continue_leave_handlers_and_loops() {
    let src = "\
def f(xs):
    for x in xs:
        try:
            if x:
                continue
            break
        finally:
            print(x)
";
    let o = ops(src, 1);
    // continue: pop the handler, run the finally body, jump to ForIter.
    let cont = o.iter().position(|l| l == "PopHandler").unwrap_or(0);
    assert_eq!(
        o[cont..cont + 6],
        [
            "PopHandler",
            "LoadBuiltin 0 (print)",
            "LoadLocal 1 (x)",
            "Call argc 1",
            "Pop",
            "Jump 2"
        ]
    );
    // break: the same, then pop the iterator before jumping out.
    assert_eq!(
        o[cont + 6..cont + 12],
        [
            "PopHandler",
            "LoadBuiltin 0 (print)",
            "LoadLocal 1 (x)",
            "Call argc 1",
            "Pop",
            "Pop"
        ]
    );
    assert!(o[cont + 12].starts_with("Jump "));
}

#[test]
fn comprehension_variables_do_not_leak() {
    let src = "x = 5\nys = [x * 2 for x in range(x) if x]\n";
    assert_eq!(
        ops(src, 0),
        [
            "SmallInt 5",
            "StoreGlobal 0 (x)",
            "BuildList 0",
            "StoreLocal 0 ($acc)",
            "LoadBuiltin 2 (range)",
            "LoadGlobal 0 (x)",
            "Call argc 1",
            "GetIter",
            "ForIter 15",
            "StoreLocal 1 ($x)",
            "LoadLocal 1 ($x)",
            "JumpIfFalse 8",
            "PushLI push := local 1 ($x) * 2",
            "ListAppendLocal 0 ($acc)",
            "Jump 8",
            "ClearLocal 1 ($x)",
            "LoadLocal 0 ($acc)",
            "ClearLocal 0 ($acc)",
            "StoreGlobal 1 (ys)",
            "None",
            "Return",
        ]
    );
    let d = ops("def f(ps):\n    return {k: v for k, v in ps}\n", 1);
    assert!(d.contains(&"DictInsertLocal 1 ($acc)".to_string()), "{d:?}");
    assert!(d.contains(&"Unpack 2".to_string()), "{d:?}");
}

#[test]
fn imports() {
    let src = "\
import math as m
from random import randint as r, choice
from sim import *
def f():
    import pickle
    return pickle
";
    let top = ops(src, 0);
    assert_eq!(
        top[..12],
        [
            "Import 0 (math)",
            "StoreGlobal 0 (m)",
            "Import 1 (random)",
            "ImportFrom 2 (randint)",
            "StoreGlobal 1 (r)",
            "ImportFrom 3 (choice)",
            "StoreGlobal 2 (choice)",
            "Pop",
            "Import 4 (sim)",
            "ImportFrom 5 (tick)",
            "StoreGlobal 3 (tick)",
            "ImportFrom 6 (sleep)",
        ]
    );
    assert_eq!(
        ops(src, 1)[..3],
        [
            "Import 0 (pickle)",
            "StoreLocal 0 (pickle)",
            "ReturnLocal local 0 (pickle)"
        ]
    );
    assert_eq!(error("import nowhere\n"), "1:8: no module named 'nowhere'");
    assert_eq!(
        error("from nowhere import x\n"),
        "1:1: no module named 'nowhere'"
    );
    assert_eq!(
        error("def f():\n    from math import *\n"),
        "2:5: import * only allowed at module level"
    );
}

#[test]
fn name_resolution() {
    let src = "\
len = 3
def f(a):
    print(a, len, counts, __sort_by_keys)
    counts.append(1)
    y = a
    return y
def g():
    global z
    z = 1
    x = x + 1
";
    let f = ops(src, 1);
    assert_eq!(
        f[..6],
        [
            "LoadBuiltin 0 (print)",
            "LoadLocal 0 (a)",
            "LoadGlobal 0 (len)",
            "LoadGlobal 3 (counts)",
            "LoadGlobal 4 (__sort_by_keys)",
            "Call argc 4",
        ]
    );
    assert!(f.contains(&"CallPlace global 3 (counts) depth 0 .append argc 1".to_string()));
    let g = ops(src, 2);
    assert_eq!(
        g[..3],
        [
            "SmallInt 1",
            "StoreGlobal 5 (z)",
            "BinLI local 0 (x) := local 0 (x) + 1"
        ]
    );
}

#[test]
fn source_lines_follow_the_innermost_expression() {
    let src = "def f(xs):\n    return g(\n        xs[3],\n    )\n";
    let d = dis(src, 1);
    assert!(d.contains("L3   Index"), "{d}");
    assert!(d.contains("L2   Call argc 1"), "{d}");
}

#[test]
fn literals_and_constants() {
    // `y` keeps the list from being one constant, so each literal shows.
    let src = "x = [2147483647, 2147483648, -9223372036854775808, 'a', 'a', 1.0, -0.0, 0.0, y]\n";
    assert_eq!(
        ops(src, 0)[..8],
        [
            "SmallInt 2147483647",
            "Const 0 (2147483648)",
            "Const 1 (-9223372036854775808)",
            "Const 2 ('a')",
            "Const 2 ('a')",
            "Const 3 (1.0)",
            "Const 4 (-0.0)",
            "Const 5 (0.0)",
        ]
    );
    // A list of literals (nested too) is one shared constant.
    assert_eq!(
        ops("x = [[1, -2], ['a', None], 0.5]\n", 0)[..2],
        ["Const 0 ([[1, -2], ['a', None], 0.5])", "StoreGlobal 0 (x)"]
    );
    let fs = ops("def f(hp, n):\n    return f'hp={hp:>{n}} {n!r}'\n", 1);
    assert_eq!(
        fs,
        [
            "Const 0 ('hp=')",
            "LoadLocal 0 (hp)",
            "Const 1 ('>')",
            "LoadLocal 1 (n)",
            "FormatValue",
            "BuildString 2",
            "FormatValue spec",
            "Const 2 (' ')",
            "LoadLocal 1 (n)",
            "FormatValue !r",
            "BuildString 4",
            "Return",
            "None",
            "Return",
        ]
    );
}

#[test]
fn assert_statement() {
    assert_eq!(
        ops("assert x, 'm'\n", 0),
        [
            "LoadGlobal 0 (x)",
            "JumpIfTrue 6",
            "LoadBuiltin 35 (AssertionError)",
            "Const 0 ('m')",
            "Call argc 1",
            "Raise",
            "None",
            "Return",
        ]
    );
}

#[test]
fn compile_errors() {
    assert_eq!(
        error("def f():\n    pass\ndef f():\n    pass\n"),
        "3:1: function 'f' is already defined on line 1"
    );
    assert_eq!(
        error("n = 1\ndef f(x=n):\n    pass\n"),
        "2:9: a default value must be a constant expression (literals, and lists and dicts of them)"
    );
    assert_eq!(
        error("def f(x):\n    global x\n"),
        "2:5: name 'x' is parameter and global"
    );
    assert_eq!(
        error("def f():\n    x = 1\n    global x\n"),
        "3:5: name 'x' is assigned to before global declaration"
    );
    assert_eq!(
        error("def f():\n    print(x)\n    global x\n"),
        "3:5: name 'x' is used prior to global declaration"
    );
    assert_eq!(
        error("x += 1\nglobal x\n"),
        "2:1: name 'x' is used prior to global declaration"
    );
    assert_eq!(
        error("from t import *\n"),
        "1:1: 'from t import *' is only allowed for built-in and host modules"
    );
}

#[test]
fn kwargs_and_defaults() {
    let src = "def f(a, b=-1, c={'k': [1, 2]}):\n    return f(1, c=2, b=3)\n";
    let p = compile_str("t", src).unwrap_or_else(|e| panic!("{e}"));
    let f = &p.modules[0].functions[1];
    assert_eq!(f.kwnames, [["c".to_string(), "b".to_string()]]);
    assert_eq!(
        f.defaults,
        [
            crate::bytecode::Const::Int(-1),
            crate::bytecode::Const::Dict(vec![(
                crate::bytecode::Const::Str("k".into()),
                crate::bytecode::Const::List(vec![
                    crate::bytecode::Const::Int(1),
                    crate::bytecode::Const::Int(2)
                ])
            )])
        ]
    );
    assert!(dis(src, 1).contains("Call argc 1 kw=[c, b]"));
}

/// The deepest source of each shape that the parser accepts.
fn deepest(make: impl Fn(usize) -> String) -> String {
    let parses = |d: usize| crate::parser::parse_module(&make(d), "t.sk").is_ok();
    let (mut ok, mut bad) = (1, 1000);
    assert!(parses(ok) && !parses(bad));
    while bad - ok > 1 {
        let mid = (ok + bad) / 2;
        if parses(mid) {
            ok = mid;
        } else {
            bad = mid;
        }
    }
    make(ok)
}

#[test]
fn deepest_nesting_compiles_on_a_test_thread() {
    let shapes: [&dyn Fn(usize) -> String; 6] = [
        &|d| format!("x = {}1{}\n", "[".repeat(d), "]".repeat(d)),
        &|d| format!("x = {}1{}\n", "f(".repeat(d), ")".repeat(d)),
        &|d| format!("x = {}1\n", "not ".repeat(d)),
        &|d| format!("x = {}1\n", "- ".repeat(d)),
        &|d| format!("x = {}1{}\n", "a[".repeat(d), "]".repeat(d)),
        &|d| {
            let mut s = String::new();
            for i in 0..d {
                s.push_str(&" ".repeat(i));
                s.push_str("if x:\n");
            }
            s.push_str(&" ".repeat(d));
            s.push_str("x = [y for y in [[1]] if f(y)]\n");
            s
        },
    ];
    for shape in shapes {
        let src = deepest(shape);
        assert!(src.len() > 100);
        if let Err(e) = compile_str("t", &src) {
            panic!("{e}");
        }
    }
}

/// Whether function `g` of `src` moves local `d` into a call (a
/// `TakeLocal` of it) rather than reading it.
fn moves_d(src: &str) -> bool {
    ops(src, 2)
        .iter()
        .any(|op| op.starts_with("TakeLocal") && op.contains("(d)"))
}

#[test]
fn a_local_assigned_from_a_call_it_is_passed_to_moves_into_the_call() {
    let with = |body: &str| {
        moves_d(&format!(
            "def f(x, y=0):\n    return x\ndef g(d, k):\n{body}    return 0\n"
        ))
    };
    assert!(with("    d = f(d)\n"));
    assert!(with("    d = f(k, y=d)\n"));
    assert!(with("    for i in range(3):\n        d = f(d, i)\n"));
    assert!(with("    d = k.get(d)\n"));
    // Another read of `d` in the call, or `d` as receiver or nested.
    assert!(!with("    d = f(d, d)\n"));
    assert!(!with("    d = f(d, len(d))\n"));
    assert!(!with("    d = f([d])\n"));
    assert!(!with("    d = d.get(d)\n"));
    // Not a call, or assigned to something else.
    assert!(!with("    d = d + 1\n"));
    assert!(!with("    e = f(d)\n"));
    assert!(!with("    d, e = f(d)\n"));
    assert!(!with("    d = e = f(d)\n"));
    // A handler of the function could see `d` if the call raised.
    assert!(!with(
        "    try:\n        d = f(d)\n    except Exception:\n        pass\n"
    ));
    assert!(!with(
        "    try:\n        try:\n            pass\n        finally:\n            d = f(d)\n    except Exception:\n        pass\n"
    ));
    // A `finally` body with no `try` around it: an error leaves the function.
    assert!(with(
        "    try:\n        pass\n    finally:\n        d = f(d)\n"
    ));
    assert!(!with(
        "    try:\n        pass\n    except Exception:\n        d = f(d)\n"
    ));
    // Globals never move.
    let global = ops(
        "d = {}\ndef f(x):\n    return x\ndef g():\n    global d\n    d = f(d)\n",
        2,
    );
    assert!(
        global.iter().any(|op| op.starts_with("LoadGlobal")),
        "{global:?}"
    );
    assert!(
        !global.iter().any(|op| op.starts_with("TakeLocal")),
        "{global:?}"
    );
}
