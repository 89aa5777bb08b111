//! Round trips of values through records and bytes.

use std::sync::Arc;

use skein_script::bytecode::{FuncRef, Program};
use skein_vm::Limits;
use skein_vm::value::{Dict, IterState, Kind, ModRef, Value};

use super::*;
use crate::error::{FieldPath, LoadError, Problem, SaveError};

/// Ids as they are; no functions or natives.
struct Ids;

impl EncodeRefs for Ids {
    fn tasklet(&mut self, id: u64) -> Result<ValueRec, SaveError> {
        Ok(ValueRec::Tasklet(id))
    }
    fn channel(&mut self, id: u64) -> Result<u64, SaveError> {
        Ok(id)
    }
    fn native(&self, _id: u32) -> Option<(String, String)> {
        None
    }
}

impl Resolve for Ids {
    fn function(&self, module: &str, name: &str) -> Result<FuncRef, Problem> {
        Err(Problem::UnknownFunction {
            module: module.into(),
            name: name.into(),
        })
    }
    fn module(&self, name: &str) -> Result<ModRef, Problem> {
        match skein_script::bytecode::BUILTIN_MODULES
            .iter()
            .position(|m| *m == name)
        {
            Some(i) => Ok(ModRef::Native(i as u16)),
            None => Err(Problem::UnknownModule(name.into())),
        }
    }
    fn native(&self, module: &str, name: &str) -> Result<u32, Problem> {
        Err(Problem::UnknownNative {
            module: module.into(),
            name: name.into(),
        })
    }
    fn tasklet(&self, id: u64) -> Result<u64, Problem> {
        below_100(id, 1000, "tasklet")
    }
    fn main(&self) -> Result<u64, Problem> {
        Ok(1)
    }
    fn channel(&self, id: u64) -> Result<u64, Problem> {
        below_100(id, 2000, "channel")
    }
}

/// Ids under 100 exist (moved up by `offset`); the others dangle.
fn below_100(id: u64, offset: u64, what: &'static str) -> Result<u64, Problem> {
    if id < 100 {
        Ok(id + offset)
    } else {
        Err(Problem::Dangling { what, id })
    }
}

/// Encodes `vs` into records and a table, as one save would.
fn encode_all(vs: &[Value]) -> (Vec<ValueRec>, Vec<ValueRec>) {
    let program = Program::default();
    let mut enc = Encoder::new(&program);
    let recs = vs
        .iter()
        .map(|v| enc.encode(v, &mut Ids).expect("encodes"))
        .collect();
    (recs, enc.into_table())
}

fn decode_all(recs: &[ValueRec], table: &[ValueRec]) -> Vec<Value> {
    let d = Decoder::new(
        table,
        &Ids,
        Limits::default(),
        &FieldPath::root().field("values"),
    )
    .expect("table decodes");
    recs.iter()
        .map(|r| {
            d.decode(r, Place::Operand, &FieldPath::root())
                .expect("decodes")
        })
        .collect()
}

/// Through RON text and postcard bytes too.
fn through_bytes(recs: &(Vec<ValueRec>, Vec<ValueRec>)) -> (Vec<ValueRec>, Vec<ValueRec>) {
    let text = ron::to_string(recs).expect("ron");
    let back: (Vec<ValueRec>, Vec<ValueRec>) = ron::from_str(&text).expect("ron back");
    assert_eq!(&back, recs);
    let bin = postcard::to_stdvec(recs).expect("postcard");
    let back: (Vec<ValueRec>, Vec<ValueRec>) = postcard::from_bytes(&bin).expect("postcard back");
    assert_eq!(&back, recs);
    back
}

fn deep_list(n: usize) -> Value {
    let mut v = Value::Int(7);
    for _ in 0..n {
        v = Value::list(vec![v]);
    }
    v
}

fn sample() -> Value {
    let mut d = Dict::new();
    d.insert(Value::Bool(true), Value::str("first key kept"))
        .expect("key");
    d.insert(Value::None, Value::Float(-0.0)).expect("key");
    d.insert(Value::str("k"), Value::Tasklet(3)).expect("key");
    Value::list(vec![
        Value::Int(i64::MIN),
        Value::Float(f64::INFINITY),
        Value::str("ü\n\"q\""),
        Value::dict(d),
        Value::Range(Arc::new(skein_vm::value::RangeObj {
            start: 0,
            stop: 10,
            step: -3,
        })),
        Value::Builtin(1),
        Value::Module(ModRef::Native(4)),
        Value::Type(skein_vm::value::TypeTag::Kind(Kind::KeyError)),
        Value::Channel(5),
        skein_vm::errors::value_error("bad"),
        Value::Method(Arc::new((Value::Channel(5), Arc::from("send")))),
    ])
}

#[test]
fn values_round_trip_with_ids_remapped() {
    let v = sample();
    let recs = encode_all(std::slice::from_ref(&v));
    let recs = through_bytes(&recs);
    let back = decode_all(&recs.0, &recs.1);
    // Tasklet 3 → 1003 and channel 5 → 2005 in the loading world.
    let text = format!("{:?}", back[0]);
    assert!(text.contains("Tasklet(1003)"), "{text}");
    assert!(text.contains("Channel(2005)"), "{text}");
    let again = encode_all(&back);
    assert_ne!(again.0, recs.0, "ids were remapped");
}

#[test]
fn iterators_round_trip() {
    let l = Arc::new(skein_vm::value::List::new(vec![
        Value::Int(1),
        Value::Int(2),
    ]));
    let v = Value::Iter(Arc::new(IterState::List { list: l, next: 1 }));
    let s = Value::Iter(Arc::new(IterState::Str {
        s: Arc::new("aé".into()),
        next: 1,
    }));
    let recs = through_bytes(&encode_all(&[v.clone(), s.clone()]));
    assert_eq!(decode_all(&recs.0, &recs.1), vec![v, s]);
}

#[test]
fn a_dict_items_iterator_saves_as_the_list_iterator_items_would_make() {
    let mut d = Dict::new();
    d.insert(Value::str("a"), Value::Int(1)).expect("inserts");
    d.insert(Value::str("b"), Value::list(vec![Value::Int(2)]))
        .expect("inserts");
    let pairs = d
        .map
        .values()
        .map(|(k, v)| Value::list(vec![k.clone(), v.clone()]))
        .collect();
    let it = Value::Iter(Arc::new(IterState::DictItems {
        dict: Arc::new(d),
        next: 1,
    }));
    let recs = through_bytes(&encode_all(&[it]));
    let want = Value::Iter(Arc::new(IterState::List {
        list: Arc::new(skein_vm::value::List::new(pairs)),
        next: 1,
    }));
    assert_eq!(decode_all(&recs.0, &recs.1), vec![want]);
}

#[test]
fn a_list_ten_thousand_deep_saves_and_loads() {
    let v = deep_list(10_000);
    let recs = through_bytes(&encode_all(std::slice::from_ref(&v)));
    assert!(recs.1.len() >= 10_000 / INLINE_HEIGHT as usize);
    let back = decode_all(&recs.0, &recs.1);
    // The derived `==` on values recurses; comparing the re-encoded records
    // (bounded in height) does not.
    assert_eq!(encode_all(&back), recs);
    let mut depth = 0;
    let mut cur = back[0].clone();
    while let Value::List(l) = cur {
        cur = l.items[0].clone();
        depth += 1;
    }
    assert_eq!((depth, cur), (10_000, Value::Int(7)));
}

#[test]
fn a_shared_big_value_is_written_once() {
    let big = Value::list((0..1000).map(Value::Int).collect());
    // Equal by content but built apart: still written once.
    let twin = Value::list((0..1000).map(Value::Int).collect());
    let (recs, table) = encode_all(&[big.clone(), big.clone(), twin, Value::Int(1)]);
    assert_eq!(table.len(), 1);
    assert_eq!(recs[0], ValueRec::Ref(0));
    assert_eq!(recs[1], ValueRec::Ref(0));
    assert_eq!(recs[2], ValueRec::Ref(0));
    let back = decode_all(&recs, &table);
    assert!(back[0] == big);
}

#[test]
fn same_value_same_bytes() {
    let a = Value::list(vec![deep_list(100), sample(), deep_list(40)]);
    let b = a.clone();
    let ra = postcard::to_stdvec(&encode_all(&[a])).expect("bytes");
    let rb = postcard::to_stdvec(&encode_all(&[b])).expect("bytes");
    assert_eq!(ra, rb);
}

#[test]
fn dangling_ids_and_refs_are_errors_with_paths() {
    let table = vec![];
    let d = Decoder::new(&table, &Ids, Limits::default(), &FieldPath::root()).expect("empty");
    let root = FieldPath::root();
    let ts = root.field("tasklets");
    let t3 = ts.index(3);
    let path = t3.field("tempval");
    let e = d
        .decode(
            &ValueRec::List(vec![ValueRec::Int(1), ValueRec::Tasklet(500)]),
            Place::Plain,
            &path,
        )
        .expect_err("dangling");
    assert_eq!(
        e.to_string(),
        "tasklets[3].tempval[1]: no tasklet with id 500 in this save"
    );
    let e = d
        .decode(&ValueRec::Ref(0), Place::Plain, &path)
        .expect_err("bad ref");
    assert!(matches!(*e.problem, Problem::BadRef { index: 0, limit: 0 }));
}

/// Why a save's value table (at field `values`) is refused.
fn refusal_of_table(table: &[ValueRec]) -> LoadError {
    Decoder::new(
        table,
        &Ids,
        Limits::default(),
        &FieldPath::root().field("values"),
    )
    .err()
    .expect("the table is refused")
}

#[test]
fn table_entries_refer_only_backwards() {
    let table = vec![ValueRec::List(vec![ValueRec::Ref(0)])];
    let e = refusal_of_table(&table);
    assert_eq!(e.path, "values[0][0]");
}

#[test]
fn wrong_places_and_shapes_are_refused() {
    let d = Decoder::new(&[], &Ids, Limits::default(), &FieldPath::root()).expect("empty");
    let p = FieldPath::root();
    assert!(d.decode(&ValueRec::Unbound, Place::Plain, &p).is_err());
    assert!(d.decode(&ValueRec::Unbound, Place::Slot, &p).is_ok());
    let it = ValueRec::Iter(Box::new(IterRec::Range {
        next: 0,
        stop: 1,
        step: 0,
    }));
    assert!(d.decode(&it, Place::Operand, &p).is_err());
    let dup = ValueRec::Dict(vec![
        (ValueRec::Int(1), ValueRec::Nil),
        (ValueRec::Bool(true), ValueRec::Nil),
    ]);
    assert!(d.decode(&dup, Place::Plain, &p).is_err());
    let float_key = ValueRec::Dict(vec![(ValueRec::Float(1.0), ValueRec::Nil)]);
    assert!(d.decode(&float_key, Place::Plain, &p).is_err());
    let s = ValueRec::Iter(Box::new(IterRec::Str {
        s: ValueRec::Str("é".into()),
        next: 1,
    }));
    assert!(d.decode(&s, Place::Operand, &p).is_err());
    assert!(
        d.decode(&ValueRec::Builtin("ValueError".into()), Place::Plain, &p)
            .is_err()
    );
}

#[test]
fn size_limit_holds_through_sharing() {
    // Each entry doubles the previous one: 2^40 items from a few bytes.
    let mut table = vec![ValueRec::List(vec![ValueRec::Int(0); 2])];
    for i in 0..40 {
        table.push(ValueRec::List(vec![ValueRec::Ref(i), ValueRec::Ref(i)]));
    }
    let e = refusal_of_table(&table);
    assert!(matches!(*e.problem, Problem::TooLarge { .. }), "{e}");
}

#[test]
fn deep_inline_nesting_in_a_file_is_refused_without_overflow() {
    let mut text = String::new();
    for _ in 0..100_000 {
        text.push_str("List([");
    }
    assert!(ron::from_str::<ValueRec>(&text).is_err());
    // Postcard has no recursion limit of its own: the depth guard is it.
    let mut bin = Vec::new();
    let list_tag = 5u8; // ValueRec::List's variant index
    for _ in 0..100_000 {
        bin.push(list_tag);
        bin.push(1);
    }
    assert!(postcard::from_bytes::<ValueRec>(&bin).is_err());
}
