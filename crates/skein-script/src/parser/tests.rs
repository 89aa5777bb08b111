//! Parser tests, written against a compact S-expression form of the tree.

use super::parse_module;
use crate::ast::{Expr, ExprKind, FPart, Stmt, StmtKind, Target, UnaryOp};

fn sx_expr(e: &Expr) -> String {
    let list = |items: &[Expr]| items.iter().map(sx_expr).collect::<Vec<_>>().join(" ");
    match &e.kind {
        ExprKind::None => "None".into(),
        ExprKind::Bool(b) => if *b { "True" } else { "False" }.into(),
        ExprKind::Int(i) => i.to_string(),
        ExprKind::Float(f) => format!("{f:?}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::FString(parts) => format!("(f {})", sx_fparts(parts)),
        ExprKind::Name(n) => n.clone(),
        ExprKind::List(items) => format!("[{}]", list(items)),
        ExprKind::Dict(pairs) => {
            let pairs: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("({} {})", sx_expr(k), sx_expr(v)))
                .collect();
            format!("(dict {})", pairs.join(" "))
        }
        ExprKind::ListComp { elt, gens } => {
            format!("(listcomp {}{})", sx_expr(elt), sx_gens(gens))
        }
        ExprKind::DictComp { key, value, gens } => {
            format!(
                "(dictcomp {} {}{})",
                sx_expr(key),
                sx_expr(value),
                sx_gens(gens)
            )
        }
        ExprKind::Unary(op, x) => {
            let op = match op {
                UnaryOp::Neg => "neg",
                UnaryOp::Pos => "pos",
                UnaryOp::Invert => "inv",
            };
            format!("({op} {})", sx_expr(x))
        }
        ExprKind::Binary(op, a, b) => {
            let op = if op.symbol() == "** or pow()" {
                "**"
            } else {
                op.symbol()
            };
            format!("({op} {} {})", sx_expr(a), sx_expr(b))
        }
        ExprKind::Compare(op, a, b) => format!("({} {} {})", op.symbol(), sx_expr(a), sx_expr(b)),
        ExprKind::And(a, b) => format!("(and {} {})", sx_expr(a), sx_expr(b)),
        ExprKind::Or(a, b) => format!("(or {} {})", sx_expr(a), sx_expr(b)),
        ExprKind::Not(a) => format!("(not {})", sx_expr(a)),
        ExprKind::IfElse { cond, then, orelse } => {
            format!(
                "(if {} {} {})",
                sx_expr(cond),
                sx_expr(then),
                sx_expr(orelse)
            )
        }
        ExprKind::Call { func, args, kwargs } => {
            let mut s = format!("(call {}", sx_expr(func));
            for a in args {
                s += &format!(" {}", sx_expr(a));
            }
            for (k, v) in kwargs {
                s += &format!(" {k}={}", sx_expr(v));
            }
            s + ")"
        }
        ExprKind::Attr(a, n) => format!("(. {} {n})", sx_expr(a)),
        ExprKind::Index(a, i) => format!("(idx {} {})", sx_expr(a), sx_expr(i)),
        ExprKind::Slice {
            obj,
            lower,
            upper,
            step,
        } => sx_slice(obj, [lower, upper, step]),
    }
}

fn sx_slice(obj: &Expr, bounds: [&Option<Box<Expr>>; 3]) -> String {
    let [lower, upper, step] = bounds.map(|e| e.as_deref().map_or("_".to_string(), sx_expr));
    format!("(slice {} {lower} {upper} {step})", sx_expr(obj))
}

fn sx_fparts(parts: &[FPart]) -> String {
    let parts: Vec<String> = parts
        .iter()
        .map(|p| match p {
            FPart::Lit(s) => format!("{s:?}"),
            FPart::Expr {
                expr,
                conversion,
                spec,
            } => {
                let mut s = format!("{{{}", sx_expr(expr));
                if let Some(c) = conversion {
                    s += &format!("!{c}");
                }
                if !spec.is_empty() {
                    s += &format!(":{}", sx_fparts(spec));
                }
                s + "}"
            }
        })
        .collect();
    parts.join(" ")
}

fn sx_gens(gens: &[crate::ast::Comprehension]) -> String {
    let mut s = String::new();
    for g in gens {
        s += &format!(" (for {} {}", sx_target(&g.target), sx_expr(&g.iter));
        for c in &g.ifs {
            s += &format!(" if {}", sx_expr(c));
        }
        s += ")";
    }
    s
}

fn sx_target(t: &Target) -> String {
    match t {
        Target::Name(n, _) => n.clone(),
        Target::Attr { obj, name, .. } => format!("(. {} {name})", sx_expr(obj)),
        Target::Index { obj, index, .. } => format!("(idx {} {})", sx_expr(obj), sx_expr(index)),
        Target::Unpack(items, _) => {
            let items: Vec<String> = items.iter().map(sx_target).collect();
            format!("[{}]", items.join(" "))
        }
        Target::Slice {
            obj,
            lower,
            upper,
            step,
            ..
        } => sx_slice(obj, [lower, upper, step]),
    }
}

fn sx_body(body: &[Stmt]) -> String {
    body.iter().map(sx_stmt).collect::<Vec<_>>().join(" ")
}

fn sx_stmt(s: &Stmt) -> String {
    match &s.kind {
        StmtKind::Expr(e) => sx_expr(e),
        StmtKind::Assign { targets, value } => {
            let ts: Vec<String> = targets.iter().map(sx_target).collect();
            format!("(= {} {})", ts.join(" "), sx_expr(value))
        }
        StmtKind::AugAssign { target, op, value } => {
            let op = if op.symbol() == "** or pow()" {
                "**"
            } else {
                op.symbol()
            };
            format!("({op}= {} {})", sx_target(target), sx_expr(value))
        }
        StmtKind::Del(ts) => {
            let ts: Vec<String> = ts.iter().map(sx_target).collect();
            format!("(del {})", ts.join(" "))
        }
        StmtKind::Def(f) => {
            let ps: Vec<String> = f
                .params
                .iter()
                .map(|p| match &p.default {
                    Some(d) => format!("{}={}", p.name, sx_expr(d)),
                    None => p.name.clone(),
                })
                .collect();
            format!("(def {} ({}) {})", f.name, ps.join(" "), sx_body(&f.body))
        }
        StmtKind::Return(None) => "(return)".into(),
        StmtKind::Return(Some(e)) => format!("(return {})", sx_expr(e)),
        StmtKind::Pass => "pass".into(),
        StmtKind::Break => "break".into(),
        StmtKind::Continue => "continue".into(),
        StmtKind::If { cond, then, orelse } => format!(
            "(if {} ({}) ({}))",
            sx_expr(cond),
            sx_body(then),
            sx_body(orelse)
        ),
        StmtKind::While { cond, body } => format!("(while {} {})", sx_expr(cond), sx_body(body)),
        StmtKind::For { target, iter, body } => format!(
            "(for {} {} {})",
            sx_target(target),
            sx_expr(iter),
            sx_body(body)
        ),
        StmtKind::Global(names) => format!("(global {})", names.join(" ")),
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            let mut s = format!("(try ({})", sx_body(body));
            for h in handlers {
                let kind = h.kind.as_ref().map_or("_".into(), sx_expr);
                let name = h.name.clone().unwrap_or("_".into());
                s += &format!(" (except {kind} {name} {})", sx_body(&h.body));
            }
            if !orelse.is_empty() {
                s += &format!(" (else {})", sx_body(orelse));
            }
            if !finalbody.is_empty() {
                s += &format!(" (finally {})", sx_body(finalbody));
            }
            s + ")"
        }
        StmtKind::Raise(None) => "(raise)".into(),
        StmtKind::Raise(Some(e)) => format!("(raise {})", sx_expr(e)),
        StmtKind::Assert { cond, msg } => match msg {
            Some(m) => format!("(assert {} {})", sx_expr(cond), sx_expr(m)),
            None => format!("(assert {})", sx_expr(cond)),
        },
        StmtKind::Import(names) => {
            let ns: Vec<String> = names.iter().map(sx_import).collect();
            format!("(import {})", ns.join(" "))
        }
        StmtKind::FromImport {
            module,
            names,
            star,
        } => {
            if *star {
                return format!("(from {module} *)");
            }
            let ns: Vec<String> = names.iter().map(sx_import).collect();
            format!("(from {module} {})", ns.join(" "))
        }
    }
}

fn sx_import(n: &crate::ast::ImportName) -> String {
    match &n.alias {
        Some(a) => format!("{}:{a}", n.name),
        None => n.name.clone(),
    }
}

/// The module's statements, one per line, in compact form.
fn p(src: &str) -> String {
    match parse_module(src, "t.sk") {
        Ok(m) => m.body.iter().map(sx_stmt).collect::<Vec<_>>().join("\n"),
        Err(e) => panic!("unexpected error for {src:?}: {e}"),
    }
}

/// The first error as `LINE:COL: MESSAGE`.
fn err(src: &str) -> String {
    match parse_module(src, "t.sk") {
        Ok(m) => panic!("expected an error for {src:?}, got {:?}", m.body),
        Err(e) => format!("{}:{}: {}", e.span.line, e.span.col, e.message),
    }
}

#[test]
fn precedence() {
    assert_eq!(p("a + b * c - d"), "(- (+ a (* b c)) d)");
    assert_eq!(p("a or b and not c"), "(or a (and b (not c)))");
    assert_eq!(
        p("a | b ^ c & d << 1 + 2"),
        "(| a (^ b (& c (<< d (+ 1 2)))))"
    );
    assert_eq!(p("x if c else y if d else z"), "(if c x (if d y z))");
    assert_eq!(p("not a == b"), "(not (== a b))");
    assert_eq!(p("a // b % c / d"), "(/ (% (// a b) c) d)");
    assert_eq!(p("a < b | c"), "(< a (| b c))");
    assert_eq!(p("a not in b"), "(not in a b)");
    assert_eq!(p("a is not None"), "(is not a None)");
    assert_eq!(p("a is b"), "(is a b)");
    assert_eq!(p("a in b or c"), "(or (in a b) c)");
}

#[test]
fn power_and_unary() {
    assert_eq!(p("2 ** 3 ** 2"), "(** 2 (** 3 2))");
    assert_eq!(p("2 ** -1"), "(** 2 -1)");
    assert_eq!(p("-2 ** 2"), "(neg (** 2 2))");
    assert_eq!(p("-x"), "(neg x)");
    assert_eq!(p("~x + +y"), "(+ (inv x) (pos y))");
    assert_eq!(p("-5"), "-5");
    assert_eq!(p("--5"), "5");
    assert_eq!(p("-9223372036854775808"), "-9223372036854775808");
    assert_eq!(
        p("x = -9223372036854775808 + 1"),
        "(= x (+ -9223372036854775808 1))"
    );
    assert_eq!(p("a.b ** 2"), "(** (. a b) 2)");
}

#[test]
fn postfix() {
    assert_eq!(p("f(1, x, k=2, j=3)"), "(call f 1 x k=2 j=3)");
    assert_eq!(p("f()"), "(call f)");
    assert_eq!(p("f(a,)"), "(call f a)");
    assert_eq!(p("a.b.c(d)[e]"), "(idx (call (. (. a b) c) d) e)");
    assert_eq!(p("a[1:2]"), "(slice a 1 2 _)");
    assert_eq!(p("a[::2]"), "(slice a _ _ 2)");
    assert_eq!(p("a[:]"), "(slice a _ _ _)");
    assert_eq!(p("a[1:]"), "(slice a 1 _ _)");
    assert_eq!(p("a[:-1]"), "(slice a _ -1 _)");
    assert_eq!(p("a[::]"), "(slice a _ _ _)");
    assert_eq!(p("a[i:j:k]"), "(slice a i j k)");
    assert_eq!(p("a[1, 2]"), "(idx a [1 2])");
    assert_eq!(p("t.match"), "(. t match)");
}

#[test]
fn displays() {
    assert_eq!(p("[1, 2,]"), "[1 2]");
    assert_eq!(p("[]"), "[]");
    assert_eq!(p("()"), "[]");
    assert_eq!(p("(1, 2)"), "[1 2]");
    assert_eq!(p("(x,)"), "[x]");
    assert_eq!(p("(x)"), "x");
    assert_eq!(p("{}"), "(dict )");
    assert_eq!(p("{'a': 1, b: [2],}"), "(dict (\"a\" 1) (b [2]))");
    assert_eq!(
        p("[e for t in it if c for u in it2]"),
        "(listcomp e (for t it if c) (for u it2))"
    );
    assert_eq!(
        p("{k: v for k, v in d.items() if k if v}"),
        "(dictcomp k v (for [k v] (call (. d items)) if k if v))"
    );
    assert_eq!(
        p("[x for (a, b), c in z]"),
        "(listcomp x (for [[a b] c] z))"
    );
    assert_eq!(
        p("[\n  1,\n    2\n]"),
        "[1 2]",
        "newlines and indentation inside brackets are ignored"
    );
}

#[test]
fn literals() {
    assert_eq!(
        p("42; 1_000; 0x1F; 0o17; 0b101; 0; 00"),
        "42\n1000\n31\n15\n5\n0\n0"
    );
    assert_eq!(p("0X_ff; 0B1_0"), "255\n2");
    assert_eq!(
        p("1.5; 2e3; .5; 1.; 1_0.2_5; 1E-2; 3e+1"),
        "1.5\n2000.0\n0.5\n1.0\n10.25\n0.01\n30.0"
    );
    assert_eq!(p("True; False; None"), "True\nFalse\nNone");
    assert_eq!(p("9223372036854775807"), "9223372036854775807");
    assert_eq!(p("0x7fffffffffffffff"), "9223372036854775807");
}

#[test]
fn strings() {
    assert_eq!(p(r#"'a' "b""#), r#""ab""#);
    assert_eq!(p(r#"'it''s'"#), r#""its""#);
    assert_eq!(p(r#""\n\t\r\0\\\'\"""#), r#""\n\t\r\0\\'\"""#);
    assert_eq!(p(r#""\x41\u00e9\U0001F600\u{1F600}""#), "\"Aé😀😀\"");
    assert_eq!(p("'''a\nb'''"), r#""a\nb""#);
    assert_eq!(p(r#""""x "y" z""""#), r#""x \"y\" z""#);
    assert_eq!(
        p("'a\\\nb'"),
        r#""ab""#,
        "backslash-newline continues a string"
    );
    assert_eq!(p("'é' + \"ü\""), "(+ \"é\" \"ü\")");
    assert_eq!(p("(\n 'a'\n 'b')"), r#""ab""#);
}

#[test]
fn fstrings() {
    assert_eq!(
        p(r#"f"hp={hp:>3} of {max_hp}""#),
        r#"(f "hp=" {hp:">3"} " of " {max_hp})"#
    );
    assert_eq!(
        p(r#"f'{x!r} {y!s:^{w}.{p}f}'"#),
        r#"(f {x!r} " " {y!s:"^" {w} "." {p} "f"})"#
    );
    assert_eq!(p(r#"f'{{}} {{x}}'"#), r#""{} {x}""#);
    assert_eq!(p(r#"F"a" 'b' f"{c}""#), r#"(f "ab" {c})"#);
    assert_eq!(p(r#"f"{a + b * 2}""#), r#"(f {(+ a (* b 2))})"#);
    assert_eq!(p(r#"f"{d['k']}""#), r#"(f {(idx d "k")})"#);
    assert_eq!(p(r#"f"{a != b}""#), r#"(f {(!= a b)})"#);
    assert_eq!(
        p(r#"f"{a == b} {a <= b}""#),
        r#"(f {(== a b)} " " {(<= a b)})"#
    );
    assert_eq!(p(r#"f"{{{x}}}""#), r#"(f "{" {x} "}")"#);
    assert_eq!(p(r#"f"{t:%H:%M}""#), r#"(f {t:"%H:%M"})"#);
    assert_eq!(p(r#"f"{x:}""#), r#"(f {x})"#);
    assert_eq!(
        p(r#"f"{ {'a': 1}['a'] }""#),
        r#"(f {(idx (dict ("a" 1)) "a")})"#
    );
    assert_eq!(p(r#"f"\n{x}\t""#), r#"(f "\n" {x} "\t")"#);
    assert_eq!(p(r#"f"{f'{x}'}""#), r#"(f {(f {x})})"#);
    assert_eq!(p(r#"f"{a, b}""#), r#"(f {[a b]})"#);
    assert_eq!(p("f'''{\nx\n}'''"), r#"(f {x})"#);
}

#[test]
fn fstring_spans_point_into_the_source() {
    let m = parse_module("s = f'''ab{\n  cd}'''\n", "t.sk").unwrap();
    let StmtKind::Assign { value, .. } = &m.body[0].kind else {
        panic!()
    };
    let ExprKind::FString(parts) = &value.kind else {
        panic!()
    };
    let FPart::Expr { expr, .. } = &parts[1] else {
        panic!()
    };
    assert_eq!((expr.span.line, expr.span.col), (2, 3));
    assert_eq!((expr.span.start, expr.span.end), (14, 16));
    assert_eq!(err("x = f'é{a +}'"), "1:12: invalid syntax");
    assert_eq!(
        err("x = 1\ny = f'{1 < 2 < 3}'"),
        "2:12: chained comparisons are not in the language"
    );
}

#[test]
fn fstring_errors() {
    assert_eq!(err("f'{}'"), "1:3: f-string: empty expression not allowed");
    assert_eq!(err("f'a}'"), "1:4: f-string: single '}' is not allowed");
    assert_eq!(err("f'{x'"), "1:3: f-string: expecting '}'");
    assert_eq!(
        err("f'{x!a}'"),
        "1:5: f-string: invalid conversion character: expected 's' or 'r'"
    );
    assert_eq!(
        err("f'{x:{y:{z}}}'"),
        "1:9: f-string: expressions nested too deeply"
    );
    assert_eq!(
        err("f'{x#}'"),
        "1:5: f-string expression part cannot include '#'"
    );
    assert_eq!(err("f'{x)}'"), "1:5: f-string: unmatched ')'");
    assert_eq!(err("f'\\q{x}'"), "1:3: invalid escape sequence '\\q'");
}

#[test]
fn statements() {
    assert_eq!(p("a = b = 1"), "(= a b 1)");
    assert_eq!(p("a, b = b, a"), "(= [a b] [b a])");
    assert_eq!(p("(a, b), c = x"), "(= [[a b] c] x)");
    assert_eq!(p("[a, b] = x"), "(= [a b] x)");
    assert_eq!(p("a, = x"), "(= [a] x)");
    assert_eq!(p("x = 1, 2"), "(= x [1 2])");
    assert_eq!(p("t.hp = 3; d[k] = 4"), "(= (. t hp) 3)\n(= (idx d k) 4)");
    assert_eq!(
        p("x += 1; y **= 2; z >>= 3; w //= 4"),
        "(+= x 1)\n(**= y 2)\n(>>= z 3)\n(//= w 4)"
    );
    assert_eq!(p("a.b -= 1; a[0] |= 2"), "(-= (. a b) 1)\n(|= (idx a 0) 2)");
    assert_eq!(p("del a, b[0], c.d"), "(del a (idx b 0) (. c d))");
    assert_eq!(p("del (a, b)"), "(del a b)");
    assert_eq!(p("pass;"), "pass");
}

#[test]
fn compound_statements() {
    assert_eq!(
        p("if a:\n    x\nelif b:\n    y\nelse:\n    z\n"),
        "(if a (x) ((if b (y) (z))))"
    );
    assert_eq!(p("if done: pass; x = 1\n"), "(if done (pass (= x 1)) ())");
    assert_eq!(
        p("while x:\n  x -= 1\n  if x: break\n"),
        "(while x (-= x 1) (if x (break) ()))"
    );
    assert_eq!(
        p("for i, x in enumerate(xs): continue"),
        "(for [i x] (call enumerate xs) continue)"
    );
    assert_eq!(p("for x in 1, 2: pass"), "(for x [1 2] pass)");
    assert_eq!(p("for t.a in b: pass"), "(for (. t a) b pass)");
    assert_eq!(
        p("def f(a, b=2, c=[1, {'k': None}]):\n    global g, h\n    return a, b\n"),
        "(def f (a b=2 c=[1 (dict (\"k\" None))]) (global g h) (return [a b]))"
    );
    assert_eq!(p("def f(): return"), "(def f () (return))");
    assert_eq!(p("def f(a,): pass"), "(def f (a) pass)");
    assert_eq!(
        p(
            "try:\n x\nexcept ValueError:\n y\nexcept (A, B) as e:\n z\nexcept Exception as e:\n w\nexcept:\n raise\nelse:\n v\nfinally:\n u\n"
        ),
        "(try (x) (except ValueError _ y) (except [A B] e z) (except Exception e w) (except _ _ (raise)) (else v) (finally u))"
    );
    assert_eq!(p("try: x\nfinally: y"), "(try (x) (finally y))");
    assert_eq!(
        p("raise E\nraise E('m')"),
        "(raise E)\n(raise (call E \"m\"))"
    );
    assert_eq!(p("assert c\nassert c, 'm'"), "(assert c)\n(assert c \"m\")");
    assert_eq!(
        p("while a:\n    while b:\n        pass\nx\n"),
        "(while a (while b pass))\nx",
        "two dedents at once"
    );
}

#[test]
fn imports() {
    assert_eq!(p("import a as b, c"), "(import a:b c)");
    assert_eq!(p("from m import a as b, c"), "(from m a:b c)");
    assert_eq!(p("from m import (a,\n  b,)"), "(from m a b)");
    assert_eq!(p("from stackless import *"), "(from stackless *)");
}

#[test]
fn layout() {
    assert_eq!(
        p("# comment\n\n   \nx = 1  # trailing\n    # indented comment\ny = 2"),
        "(= x 1)\n(= y 2)"
    );
    assert_eq!(
        p("x = 1 + \\\n    2\n"),
        "(= x (+ 1 2))",
        "backslash continuation"
    );
    assert_eq!(p("x = 1\r\ny = 2\r\n"), "(= x 1)\n(= y 2)");
    assert_eq!(
        p("\u{feff}x = 1\n"),
        "(= x 1)",
        "a byte-order mark is skipped"
    );
    assert_eq!(p(""), "");
    assert_eq!(p("\n\n# only comments"), "");
    assert_eq!(p("if a:\n    pass\n\n\n    x\n"), "(if a (pass x) ())");
}

#[test]
fn match_is_a_name_except_as_a_statement() {
    assert_eq!(
        p("match = 1\nmatch(x)\nmatch[0] = 2\nmatch.y"),
        "(= match 1)\n(call match x)\n(= (idx match 0) 2)\n(. match y)"
    );
    assert_eq!(p("if match: pass"), "(if match (pass) ())");
    assert_eq!(
        err("match x:\n    case 1: pass\n"),
        "1:1: `match` statements are not in the language"
    );
    assert_eq!(
        err("match (a, b):\n    case _: pass\n"),
        "1:1: `match` statements are not in the language"
    );
}

#[test]
fn not_in_the_language() {
    let cases = [
        (
            "class A:\n    pass\n",
            "1:1: classes are not in the language",
        ),
        ("f = lambda x: x\n", "1:5: `lambda` is not in the language"),
        (
            "def f():\n    def g():\n        pass\n",
            "2:5: nested def is not in the language",
        ),
        (
            "def f():\n    yield 1\n",
            "2:5: `yield` is not in the language (generators are not in the language)",
        ),
        (
            "def f():\n    x = yield\n",
            "2:9: `yield` is not in the language (generators are not in the language)",
        ),
        (
            "f(x for x in y)",
            "1:3: generator expressions are not in the language",
        ),
        (
            "g = (x for x in y)",
            "1:5: generator expressions are not in the language",
        ),
        ("s = {1, 2}", "1:5: sets are not in the language"),
        ("s = {1}", "1:5: sets are not in the language"),
        (
            "s = {x for x in y}",
            "1:5: set comprehensions are not in the language",
        ),
        (
            "with open(f) as g:\n    pass\n",
            "1:1: `with` is not in the language",
        ),
        ("def f(*args): pass", "1:7: `*args` is not in the language"),
        (
            "def f(a, **kw): pass",
            "1:10: `**kwargs` is not in the language",
        ),
        ("f(*a)", "1:3: `*args` is not in the language"),
        ("f(a, **k)", "1:6: `**kwargs` is not in the language"),
        (
            "a, *b = c",
            "1:4: star-unpacking (`*x`) is not in the language",
        ),
        (
            "x = [*a, 1]",
            "1:6: star-unpacking (`*x`) is not in the language",
        ),
        (
            "for *a, b in c: pass",
            "1:5: star-unpacking (`*x`) is not in the language",
        ),
        ("d = {**a}", "1:6: `**` unpacking is not in the language"),
        (
            "@dec\ndef f(): pass",
            "1:1: decorators are not in the language",
        ),
        (
            "if (n := 10) > 5: pass",
            "1:7: the walrus operator `:=` is not in the language",
        ),
        (
            "raise E from e",
            "1:9: `raise … from` is not in the language",
        ),
        (
            "a[::2] += x",
            "1:1: augmented assignment to a slice is not in the language",
        ),
        (
            "while x:\n    pass\nelse:\n    pass\n",
            "3:1: `while … else` is not in the language",
        ),
        (
            "for x in y:\n    pass\nelse:\n    pass\n",
            "3:1: `for … else` is not in the language",
        ),
        (
            "if a < b < c:\n    pass\n",
            "1:8: chained comparisons are not in the language",
        ),
        (
            "x = a == b != c",
            "1:10: chained comparisons are not in the language",
        ),
        (
            "x = a in b not in c",
            "1:10: chained comparisons are not in the language",
        ),
        ("async def f(): pass", "1:1: `async` is not in the language"),
        (
            "def f():\n    await g()\n",
            "2:5: `await` is not in the language",
        ),
        (
            "def f():\n    nonlocal x\n",
            "2:5: `nonlocal` is not in the language",
        ),
        ("x = a @ b", "1:7: the `@` operator is not in the language"),
        (
            "def f(x: int): pass",
            "1:8: annotations are not in the language",
        ),
        (
            "def f() -> int: pass",
            "1:9: annotations are not in the language",
        ),
        (
            "x: int = 3",
            "1:2: variable annotations are not in the language",
        ),
        (
            "import a.b",
            "1:9: dotted module names are not in the language",
        ),
        (
            "from . import a",
            "1:6: relative imports are not in the language",
        ),
        (
            "try:\n    x\nexcept* E:\n    y\n",
            "3:7: `except*` is not in the language",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(err(src), want, "source: {src:?}");
    }
}

#[test]
fn other_errors() {
    let cases = [
        (
            "if x:\npass\n",
            "2:1: expected an indented block after 'if' statement on line 1",
        ),
        (
            "def f():\n\n",
            "3:1: expected an indented block after function definition on line 1",
        ),
        ("  x = 1\n", "1:3: unexpected indent"),
        (
            "if x:\n    a\n  b\n",
            "3:3: unindent does not match any outer indentation level",
        ),
        (
            "if x:\n\ta\n",
            "2:1: tabs are not allowed in indentation (use spaces)",
        ),
        ("x = (1,\n2", "1:5: '(' was never closed"),
        ("x = 1)", "1:6: unmatched ')'"),
        (
            "x = (1]",
            "1:7: closing parenthesis ']' does not match opening parenthesis '('",
        ),
        (
            "x = 9223372036854775808",
            "1:5: integer literal is too large",
        ),
        (
            "x = 99999999999999999999999",
            "1:5: integer literal is too large",
        ),
        ("x = 0x", "1:5: invalid hexadecimal literal"),
        ("x = 0b102", "1:9: invalid digit '2' in binary literal"),
        ("x = 0o78", "1:8: invalid digit '8' in octal literal"),
        ("x = 0b", "1:5: invalid binary literal"),
        ("x = 1_", "1:5: invalid decimal literal"),
        ("x = 1__0", "1:5: invalid decimal literal"),
        ("x = 12abc", "1:5: invalid decimal literal"),
        (
            "x = 007",
            "1:5: leading zeros in decimal integer literals are not permitted; \
             use an 0o prefix for octal integers",
        ),
        (
            "x = 'abc",
            "1:5: unterminated string literal (detected at line 1)",
        ),
        (
            "x = '''abc\n\n",
            "1:5: unterminated triple-quoted string literal (detected at line 2)",
        ),
        ("x = 'a\\qb'", "1:7: invalid escape sequence '\\q'"),
        ("x = '\\x4'", "1:6: truncated \\xXX escape"),
        ("x = '\\u12'", "1:6: truncated \\uXXXX escape"),
        (
            "x = '\\U0011FFFF'",
            "1:6: invalid Unicode code point in escape",
        ),
        ("x = '\\u{}'", "1:6: invalid \\u{...} escape"),
        ("x = $", "1:5: invalid character '$' (U+0024)"),
        ("x = 1 +", "1:8: invalid syntax"),
        (
            "print x",
            "1:1: Missing parentheses in call to 'print'. Did you mean print(...)?",
        ),
        (
            "f(a=1, 2)",
            "1:8: positional argument follows keyword argument",
        ),
        ("f(a=1, a=2)", "1:8: keyword argument repeated: a"),
        (
            "def f(a=1, b): pass",
            "1:12: non-default argument follows default argument",
        ),
        (
            "def f(a, a): pass",
            "1:10: duplicate argument 'a' in function definition",
        ),
        (
            "def f(): pass\ndef g():\n    if x:\n        def h(): pass\n",
            "4:9: nested def is not in the language",
        ),
        (
            "if x:\n    def h(): pass\n",
            "2:5: `def` is only allowed at the top level of a module",
        ),
        ("return 1", "1:1: 'return' outside function"),
        ("break", "1:1: 'break' outside loop"),
        (
            "def f():\n    continue\n",
            "2:5: 'continue' not properly in loop",
        ),
        (
            "try:\n    x\ny = 1\n",
            "3:1: expected 'except' or 'finally' block",
        ),
        (
            "try:\n    x\nexcept:\n    y\nexcept E:\n    z\n",
            "3:1: default 'except:' must be last",
        ),
        (
            "try:\n    x\nexcept A, B:\n    z\n",
            "3:8: multiple exception types must be parenthesized",
        ),
        ("f() = 1", "1:1: cannot assign to function call"),
        ("1 = x", "1:1: cannot assign to literal"),
        (
            "a + b += 1",
            "1:1: 'expression' is an illegal expression for augmented assignment",
        ),
        (
            "a, b += 1",
            "1:1: 'list' is an illegal expression for augmented assignment",
        ),
        ("del f()", "1:5: cannot delete function call"),
        ("for f() in x: pass", "1:5: cannot assign to function call"),
        ("x = a if b", "1:5: expected 'else' after 'if' expression"),
        (
            "x = '''a\nb",
            "1:5: unterminated triple-quoted string literal (detected at line 2)",
        ),
        (
            "x = '\\012'",
            "1:6: octal escapes are not in the language (only `\\0`)",
        ),
        (
            "f(a\n  b)\n",
            "2:3: invalid syntax. Perhaps you forgot a comma?",
        ),
        (
            "x = [1 2]",
            "1:8: invalid syntax. Perhaps you forgot a comma?",
        ),
        ("xs = [1, 2\nprint(xs)\n", "1:6: '[' was never closed"),
        (
            "x = 1 2\ny = 'abc\n",
            "2:5: unterminated string literal (detected at line 2)",
        ),
        (
            "x = b'a'",
            "1:5: string prefix `b` is not in the language (only `f`)",
        ),
        (
            "x = Rb'a'",
            "1:5: string prefix `Rb` is not in the language (only `f`)",
        ),
        (
            "x = f'{a=}'",
            "1:9: f-string `=` (self-documenting expressions) is not in the language",
        ),
        (
            "x = f'{a = !r}'",
            "1:10: f-string `=` (self-documenting expressions) is not in the language",
        ),
        ("if x\n    pass\n", "1:5: expected ':'"),
        ("x = 1 2", "1:7: invalid syntax"),
        ("if x: if y: pass", "1:7: invalid syntax"),
        (
            "x = 1 \\ y",
            "1:7: unexpected character after line continuation character",
        ),
        ("x = ...", "1:5: `...` is not in the language"),
        (
            "x = r'a'",
            "1:5: string prefix `r` is not in the language (only `f`)",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(err(src), want, "source: {src:?}");
    }
}

#[test]
fn a_lexical_error_after_a_syntax_error_does_not_hide_it() {
    assert_eq!(
        err("x = lambda: 1\ny = 'abc\n"),
        "1:5: `lambda` is not in the language"
    );
    assert_eq!(err("x = 1\ny = $\n"), "2:5: invalid character '$' (U+0024)");
}

#[test]
fn columns_count_characters() {
    assert_eq!(
        err("s = 'héé' < 'ü' < 'x'"),
        "1:13: chained comparisons are not in the language"
    );
    assert_eq!(
        err("# é\nclass X: pass"),
        "2:1: classes are not in the language"
    );
}

#[test]
fn spans_of_statements_and_defs() {
    let m = parse_module("x = 1\ndef f(a):\n    return a\n", "t.sk").unwrap();
    let s = &m.body[1];
    assert_eq!((s.span.line, s.span.col), (2, 1));
    let StmtKind::Def(f) = &s.kind else { panic!() };
    assert_eq!((f.params[0].span.line, f.params[0].span.col), (2, 7));
    let r = f.body[0].span;
    assert_eq!((r.line, r.col, r.start, r.end), (3, 5, 20, 28));
}

#[test]
fn nesting_is_bounded() {
    let deep = |n: usize| format!("x = {}1{}\n", "(".repeat(n), ")".repeat(n));
    assert_eq!(p(&deep(150)), "(= x 1)");
    assert!(err(&deep(201)).ends_with("too deeply nested"));
    assert!(err(&deep(100_000)).ends_with("too deeply nested"));
    let unary = format!("x = {}1\n", "-".repeat(100_000));
    assert!(err(&unary).ends_with("too deeply nested"));
    let nots = format!("x = {}1\n", "not ".repeat(100_000));
    assert!(err(&nots).ends_with("too deeply nested"));
    let pow = format!("x = 2{}\n", " ** 2".repeat(100_000));
    assert!(err(&pow).ends_with("too deeply nested"));
    let chain = format!("x = 1{}\n", " + 1".repeat(100_000));
    assert!(err(&chain).ends_with("too deeply nested"));
    let attrs = format!("x = a{}\n", ".b".repeat(100_000));
    assert!(err(&attrs).ends_with("too deeply nested"));
    let ternary = format!("x = {}1\n", "1 if c else ".repeat(100_000));
    assert!(err(&ternary).ends_with("too deeply nested"));
    let fstr = format!("x = {}1{}\n", "f'{".repeat(300), "}'".repeat(300));
    assert!(parse_module(&fstr, "t.sk").is_err());
    let mut blocks = String::new();
    for i in 0..150 {
        blocks += &format!("{}if x:\n", " ".repeat(i));
    }
    blocks += &format!("{}pass\n", " ".repeat(150));
    assert!(err(&blocks).ends_with("too many levels of indentation"));
}

const SAMPLE: &str = r#"import stackless
from sim import (move, say,)

LIMIT = -9223372036854775808
names = ["ada", 'bob', """long
text"""]

def walk(npc, steps=3, path=[1, 2]):
    global LIMIT
    total = 0
    for i, (x, y) in enumerate(path):
        if x < 0 or y >= 10: continue
        elif not x:
            break
        total += x ** -1 if x else 0
    while total > 0:
        total -= 1; say(f"{npc.name!r:>{steps}} at {total:.2f} {{ok}}")
    try:
        d = {k: v for k, v in pairs if k}
        del d["a"], path[0]
    except (KeyError, ValueError) as e:
        raise ValueError("bad: %s" % e)
    finally:
        pass
    return [p[1:] for p in path], total
"#;

#[test]
fn sample_script_parses() {
    assert!(parse_module(SAMPLE, "t.sk").is_ok());
}

/// Every prefix of a script, cut at each character, parses or fails
/// cleanly: no panic, whatever the input.
#[test]
fn truncations_never_panic() {
    let sources = [
        SAMPLE,
        "x = f'{a!r:{b}}' 'c' f\"{d['e']:>3}\"\nif a < b:\n    pass\n",
        "s = '\\u{1F600}\\x41\\\n'\nt = '''\n'''\nu = f'''{\n x\n}'''",
    ];
    for src in sources {
        for (i, _) in src.char_indices() {
            let _ = parse_module(&src[..i], "t.sk");
            for insert in [")", "'", "{", "\\", "\n", " "] {
                let mutated = format!("{}{insert}{}", &src[..i], &src[i..]);
                let _ = parse_module(&mutated, "t.sk");
            }
        }
    }
}
