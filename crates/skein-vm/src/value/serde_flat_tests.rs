//! Tests of the bounded-depth serde form: shallow values keep the derived
//! shape, deep ones round-trip through RON on a small stack, and hostile
//! node tables are refused with an error.

use std::sync::Arc;

use super::{INLINE_DEPTH, MAX_READ_DEPTH};
use crate::kind::Kind;
use crate::value::{Dict, IterState, List, Value};
use crate::value::{ErrorObj, TraceEntry};

fn to_ron(v: &Value) -> String {
    ron::to_string(v).unwrap_or_else(|e| panic!("cannot write: {e}"))
}

fn from_ron(s: &str) -> Result<Value, String> {
    ron::from_str(s).map_err(|e| e.to_string())
}

/// Writes, reads back and checks that rewriting gives the same text (the
/// derived `==` would recurse on a deep value; the text holds all of it).
fn round_trip(v: &Value) -> String {
    let s = to_ron(v);
    let back = from_ron(&s).unwrap_or_else(|e| panic!("cannot read back: {e}"));
    assert!(to_ron(&back) == s, "read back a different value");
    s
}

fn one_entry_dict(k: &str, v: Value) -> Value {
    let mut d = Dict::new();
    d.insert(Value::str(k), v).expect("str key");
    Value::dict(d)
}

fn nested_lists(depth: usize) -> Value {
    let mut x = Value::list(vec![]);
    for _ in 0..depth {
        x = Value::list(vec![x]);
    }
    x
}

/// Runs `f` on a thread with a 2 MiB stack, as a small game-server worker.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the test thread panicked");
}

#[test]
fn shallow_values_keep_the_derived_shape() {
    let v = Value::list(vec![
        Value::None,
        Value::Int(-3),
        Value::str("a"),
        one_entry_dict("k", Value::list(vec![Value::Bool(true)])),
        Value::Unbound,
    ]);
    assert_eq!(
        round_trip(&v),
        "List((items:[r#None,Int(-3),Str(\"a\"),\
         Dict((map:{Str(\"k\"):(Str(\"k\"),List((items:[Bool(true)],size:1)))},size:3)),\
         Unbound],size:9))"
    );
    let it = Value::Iter(Arc::new(IterState::List {
        list: Arc::new(List::new(vec![Value::Float(0.5)])),
        next: 1,
    }));
    assert_eq!(
        round_trip(&it),
        "Iter(List(list:(items:[Float(0.5)],size:1),next:1))"
    );
}

#[test]
fn nesting_past_the_inline_depth_becomes_a_table() {
    let at = nested_lists(INLINE_DEPTH as usize - 1);
    assert!(!round_trip(&at).contains("Deep"));
    let past = nested_lists(INLINE_DEPTH as usize);
    let s = round_trip(&past);
    assert_eq!(s.matches("List((").count(), INLINE_DEPTH as usize, "{s}");
    assert!(
        s.contains("[Deep(nodes:[List(items:[],size:0)])],size:1))"),
        "{s}"
    );
}

#[test]
fn deep_errors_methods_and_iterators_round_trip() {
    let mut x = Value::Int(7);
    for i in 0..3000 {
        x = match i % 5 {
            0 => Value::Error(Arc::new(ErrorObj {
                kind: Kind::ValueError,
                args: vec![x, Value::str("why")],
                traceback: vec![],
            })),
            1 => Value::Method(Arc::new((x, Arc::from("send")))),
            2 => one_entry_dict("k", x),
            3 => Value::Iter(Arc::new(IterState::List {
                list: Arc::new(List::new(vec![x, Value::None])),
                next: 1,
            })),
            _ => Value::list(vec![Value::Int(i), x]),
        };
    }
    let keys = Value::Iter(Arc::new(IterState::DictKeys {
        dict: Arc::new(match one_entry_dict("d", x) {
            Value::Dict(d) => (*d).clone(),
            _ => unreachable!("built a dict"),
        }),
        next: 0,
    }));
    let top = Value::Error(Arc::new(ErrorObj {
        kind: Kind::KeyError,
        args: vec![nested_lists(30), keys],
        traceback: vec![],
    }));
    on_small_stack(move || {
        round_trip(&top);
    });
}

#[test]
fn a_100_000_deep_list_and_dict_round_trip_on_a_2_mib_stack() {
    on_small_stack(|| {
        let list = nested_lists(100_000);
        round_trip(&list);
        let mut dict = one_entry_dict("leaf", Value::Int(1));
        for _ in 0..100_000 {
            dict = one_entry_dict("k", dict);
        }
        round_trip(&dict);
        // Also as a part of a bigger structure, under RON's own depth limit.
        let both = Value::list(vec![list, dict]);
        let s = ron::to_string(&vec![Some(both.clone())]).expect("writes");
        let back: Vec<Option<Value>> = ron::from_str(&s).expect("reads");
        assert!(ron::to_string(&back).expect("rewrites") == s);
        drop(both);
    });
}

/// A few levels of structure around values, like a machine state's.
type Wrapper = Vec<Vec<Option<(u8, Vec<Value>)>>>;

#[test]
fn the_worst_inline_nesting_stays_under_rons_depth_limit() {
    // Dicts and list iterators cost RON the most levels each; put the value
    // on an operand stack of a machine-state-like wrapper, with a table
    // holding a dict at the bottom.
    let mut x = one_entry_dict("k", Value::Int(1));
    for _ in 0..200 {
        x = one_entry_dict("k", x);
    }
    let x = Value::Iter(Arc::new(IterState::DictKeys {
        dict: Arc::new(match x {
            Value::Dict(d) => (*d).clone(),
            _ => unreachable!("built a dict"),
        }),
        next: 0,
    }));
    let wrapped = vec![vec![Some((0u8, vec![x]))]];
    let s = ron::to_string(&wrapped).expect("writes");
    let back: Wrapper = ron::from_str(&s).expect("reads");
    assert!(back == wrapped);
}

fn refused(table: &str) -> String {
    match from_ron(&format!("Deep(nodes:[{table}])")) {
        Ok(v) => panic!("accepted {table}: {v:?}"),
        Err(e) => e,
    }
}

#[test]
fn hostile_tables_are_refused() {
    let cases = [
        ("", "the node table is empty"),
        ("List(items:[0],size:1)", "node 0 refers to node 0"),
        (
            "List(items:[1],size:1),List(items:[0],size:1)",
            "node 1 refers to node 0",
        ),
        ("List(items:[5],size:1)", "node 0 refers to node 5"),
        (
            "List(items:[4294967295],size:1)",
            "node 0 refers to node 4294967295",
        ),
        (
            "List(items:[1,1],size:2),Leaf(Int(1))",
            "node 1 is the child of more than one node",
        ),
        (
            "List(items:[1],size:1),Leaf(None),Leaf(None)",
            "node 2 is the child of no node",
        ),
        (
            "Leaf(List((items:[],size:0)))",
            "leaf node 0 holds other values",
        ),
        (
            "IterList(list:1,next:0),Leaf(Int(3))",
            "node 0 iterates a node that is no list",
        ),
        (
            "IterDictKeys(dict:1,next:0),List(items:[],size:0)",
            "node 0 iterates a node that is no dict",
        ),
        (
            "Dict(entries:[(Int(1),1,2)],size:1),Leaf(Int(1))",
            "node 0 refers to node 2",
        ),
    ];
    for (table, want) in cases {
        let got = refused(table);
        assert!(got.contains(want), "{table}: {got}");
    }
    // Tables inside leaves nest no deeper than inline values may.
    let mut s = "Int(0)".to_string();
    for _ in 0..200 {
        s = format!("Deep(nodes:[Leaf({s})])");
    }
    let opts = ron::Options::default().without_recursion_limit();
    let got = opts.from_str::<Value>(&s).expect_err("nested tables");
    assert!(got.to_string().contains("nested deeper than"), "{got}");
}

#[test]
fn inline_nesting_is_bounded_whatever_the_format() {
    let deep = |n: usize| "List((items:[".repeat(n) + "None" + &"],size:1))".repeat(n);
    let opts = ron::Options::default().without_recursion_limit();
    let ok = MAX_READ_DEPTH as usize - 1;
    assert!(opts.from_str::<Value>(&deep(ok)).is_ok());
    on_small_stack(move || {
        let got = opts
            .from_str::<Value>(&deep(100_000))
            .expect_err("too deep");
        assert!(got.to_string().contains("nested deeper than"), "{got}");
    });
}

#[test]
fn a_traceback_survives_the_table() {
    let mut x = Value::Error(Arc::new(ErrorObj {
        kind: Kind::IndexError,
        args: vec![nested_lists(3)],
        traceback: vec![TraceEntry {
            func: skein_script::bytecode::FuncRef { module: 0, func: 1 },
            line: 9,
        }],
    }));
    for _ in 0..30 {
        x = Value::list(vec![x]);
    }
    let s = round_trip(&x);
    assert!(
        s.contains("Deep(nodes:[List(items:[1],size:21),List(items:[2]"),
        "{s}"
    );
    assert!(
        s.contains("traceback:[(func:(module:0,func:1),line:9)]"),
        "{s}"
    );
}
