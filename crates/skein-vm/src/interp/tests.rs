//! Source-level tests of the interpreter, against what CPython 3.11 prints.

use std::sync::Arc;

use skein_script::loader::compile_str;

use crate::context::Limits;
use crate::fiber::Step;
use crate::machine::{BufferHost, Machine};

/// Runs `src` as module `main`; stdout plus the uncaught-error report.
pub(super) fn run(src: &str) -> String {
    run_with(src, Limits::default())
}

fn run_with(src: &str, limits: Limits) -> String {
    let program = match compile_str("main", src) {
        Ok(p) => Arc::new(p),
        Err(e) => panic!("compile error: {}", e.render()),
    };
    let mut m = Machine::new(program, limits);
    let mut host = BufferHost::default();
    let err = m.run_to_end(&mut host);
    let mut out = host.out.clone();
    if let Some(e) = err {
        out.push_str(&m.report(&e, &host));
    }
    out
}

#[test]
fn smoke() {
    assert_eq!(run("print(1 + 2)\n"), "3\n");
}

/// `SKEIN_ADHOC=file.sk cargo test -p skein-vm adhoc -- --ignored --nocapture`
/// prints what a script does: for comparing with `python3` by hand.
#[test]
#[ignore]
fn adhoc() {
    if let Ok(path) = std::env::var("SKEIN_ADHOC") {
        for p in path.split(',') {
            let src = std::fs::read_to_string(p).expect("readable script");
            std::fs::write(format!("{p}.got"), run(&src)).expect("writable");
        }
    }
}

/// Runs module `main` of several sources (name, source); output plus report.
fn run_modules(modules: &[(&str, &str)]) -> String {
    let file_names: Vec<(String, &str)> = modules
        .iter()
        .map(|(n, s)| (format!("{n}.sk"), *s))
        .collect();
    let files =
        skein_script::loader::MemoryFiles::new(file_names.iter().map(|(f, s)| (f.as_str(), *s)));
    let (main, src) = modules[0];
    let program = skein_script::loader::load_program_with(
        main,
        &format!("{main}.sk"),
        src,
        &files,
        &skein_script::loader::LoadOptions::default(),
    );
    let program = match program {
        Ok(p) => Arc::new(p),
        Err(e) => panic!("compile error: {}", e.render()),
    };
    let mut m = Machine::new(program, Limits::default());
    let mut host = BufferHost::default();
    let err = m.run_to_end(&mut host);
    let mut out = host.out.clone();
    if let Some(e) = err {
        out.push_str(&m.report(&e, &host));
    }
    out
}

#[test]
fn traceback_of_the_spec() {
    let src = "def inner(x):\n    y = 1\n    return x[3]\ndef outer():\n    return inner([1, 2])\nouter()\n";
    assert_eq!(
        run_modules(&[("village", src)]),
        "Uncaught error in <tasklet #1>:\n\
         Traceback (most recent call last):\n  \
           File \"village.sk\", line 6, in <module>\n    \
             outer()\n  \
           File \"village.sk\", line 5, in outer\n    \
             return inner([1, 2])\n  \
           File \"village.sk\", line 3, in inner\n    \
             return x[3]\n\
         IndexError: list index out of range\n"
    );
}

#[test]
fn imports_run_once_and_cycles_fail() {
    let main = "import a\nimport a\nprint(a.x, a.f(2))\nfrom a import x as y, f\nprint(y, f(3))\nimport math\nprint(math.floor(2.5))\n";
    let a = "print('a runs')\nx = 10\ndef f(n):\n    return n * x\n";
    assert_eq!(
        run_modules(&[("main", main), ("a", a)]),
        "a runs\n10 20\n10 30\n2\n"
    );
    let main = "import a\n";
    let a = "import b\n";
    let b = "import a\n";
    assert_eq!(
        run_modules(&[("main", main), ("a", a), ("b", b)]),
        "Uncaught error in <tasklet #1>:\n\
         Traceback (most recent call last):\n  \
           File \"main.sk\", line 1, in <module>\n    \
             import a\n  \
           File \"a.sk\", line 1, in <module>\n    \
             import b\n  \
           File \"b.sk\", line 1, in <module>\n    \
             import a\n\
         ImportError: cannot import a: its top level has not finished (main -> a -> b -> a)\n"
    );
}

/// A program touching every kind of state a fiber keeps between two
/// instructions: frames, loop iterators, handlers, prelude frames, places.
const BUSY: &str = r#"
def neg(v):
    return -v
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
def risky(n):
    try:
        if n % 3 == 0:
            raise ValueError("three " + str(n))
        return n
    except ValueError as e:
        print("caught", e)
        return -1
    finally:
        print("finally", n)
grid = {"rows": [[3, 1], [2, 9]]}
for row in grid["rows"]:
    row.append(0)
grid["rows"][1].sort(key=neg)
grid["rows"][0].append(fib(10))
print(grid, sorted([5, 2, 8], key=neg), max([1, 7, 3], key=neg))
total = 0
for i in range(7):
    total += risky(i)
print(total, [x * 2 for x in "ab"], {k: len(k) for k in ["xy", "z"]})
"#;

#[test]
fn fuel_one_at_a_time_with_a_save_each_step_gives_the_same_output() {
    let expected = run(BUSY);
    assert!(expected.contains("caught three 3"), "{expected}");
    let program = Arc::new(compile_str("main", BUSY).expect("compiles"));
    let mut m = Machine::new(program, Limits::default());
    let mut host = BufferHost::default();
    let mut steps = 0;
    loop {
        let text = ron::to_string(&m.state()).expect("serializes");
        let state: crate::machine::MachineState = ron::from_str(&text).expect("deserializes");
        assert_eq!(state, m.state());
        m.set_state(state);
        steps += 1;
        match m.run(1, &mut host) {
            Step::OutOfFuel => {}
            Step::Done(_) => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(steps > 500, "{steps}");
    assert_eq!(host.out, expected);
}

#[test]
fn odd_fuel_sizes_give_the_same_output() {
    let expected = run(BUSY);
    for fuel in [2, 3, 7, 64] {
        let program = Arc::new(compile_str("main", BUSY).expect("compiles"));
        let mut m = Machine::new(program, Limits::default());
        let mut host = BufferHost::default();
        while let Step::OutOfFuel = m.run(fuel, &mut host) {}
        assert_eq!(host.out, expected, "fuel {fuel}");
    }
}

/// `cargo test --release -p skein-vm fib_speed -- --ignored --nocapture`
#[test]
#[ignore]
fn fib_speed() {
    let n: u32 = std::env::var("FIB_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32);
    let src = format!(
        "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\nprint(fib({n}))\n"
    );
    let start = std::time::Instant::now();
    let out = run(&src);
    if n == 32 {
        assert_eq!(out, "2178309\n");
    }
    println!("fib({n}): {:?}", start.elapsed());
}

#[test]
#[ignore]
fn show_code() {
    let src = std::env::var("SKEIN_SRC")
        .unwrap_or_default()
        .replace("\\n", "\n");
    let p = compile_str("main", &src).expect("compiles");
    println!("{}", skein_script::disasm::disasm_module(&p.modules[0]));
}

/// A host with one blocking native (`sim.wait()`) and one channel whose
/// `for` loop yields the scripted answers in turn.
#[derive(Default)]
struct WaitHost {
    out: String,
    answers: Vec<crate::host::HostResult>,
}

impl crate::host::Host for WaitHost {
    fn print(&mut self, text: &str) {
        self.out.push_str(text);
    }
    fn module_attr(&mut self, _m: crate::value::ModRef, name: &str) -> Option<crate::value::Value> {
        match name {
            "wait" => Some(crate::value::Value::Native(1)),
            "channel" => Some(crate::value::Value::Type(crate::value::TypeTag::Channel)),
            _ => None,
        }
    }
    fn call_native(
        &mut self,
        _id: u32,
        _args: Vec<crate::value::Value>,
        _kwargs: crate::host::KwArgs,
    ) -> crate::host::HostResult {
        crate::host::HostResult::Suspend
    }
    fn construct(
        &mut self,
        _tag: crate::value::TypeTag,
        _args: Vec<crate::value::Value>,
        _kwargs: crate::host::KwArgs,
    ) -> crate::host::HostResult {
        crate::host::HostResult::Return(crate::value::Value::Channel(9))
    }
    fn channel_next(&mut self, _channel: u64) -> crate::host::HostResult {
        if self.answers.is_empty() {
            crate::host::HostResult::Suspend
        } else {
            self.answers.remove(0)
        }
    }
}

#[test]
fn host_calls_suspend_and_resume_with_values_errors_and_loop_ends() {
    use crate::host::HostResult;
    use crate::value::Value;
    let src = "import sim\nimport stackless\nx = sim.wait()\nprint('got', x)\ntry:\n    sim.wait()\nexcept ValueError as e:\n    print('raised', e)\nch = stackless.channel()\nfor v in ch:\n    print('item', v)\nprint('end')\n";
    let program = Arc::new(compile_str("main", src).expect("compiles"));
    let mut m = Machine::new(program, Limits::default());
    let mut host = WaitHost {
        answers: vec![HostResult::Return(Value::Int(1))],
        ..WaitHost::default()
    };
    assert!(matches!(m.run(1000, &mut host), Step::Suspended));
    assert_eq!(m.fiber.state, crate::fiber::FiberState::Waiting);
    m.fiber.resume_value(Value::Int(5));
    assert!(matches!(m.run(1000, &mut host), Step::Suspended));
    m.fiber.resume_error(crate::errors::value_error("no"));
    // The loop gets 1 at once, then waits; resumed with 2, waits again; ends.
    assert!(matches!(m.run(1000, &mut host), Step::Suspended));
    m.fiber.resume_value(Value::Int(2));
    assert!(matches!(m.run(1000, &mut host), Step::Suspended));
    m.fiber.resume_iter_end();
    assert!(matches!(m.run(1000, &mut host), Step::Done(_)));
    assert_eq!(host.out, "got 5\nraised no\nitem 1\nitem 2\nend\n");
}

#[test]
fn a_tasklet_with_bad_arguments_fails_at_its_def_line() {
    let src = "x = 1\n\ndef work(a, b):\n    print(a, b)\n";
    let program = compile_str("main", src).expect("compiles");
    let f = skein_script::bytecode::FuncRef { module: 0, func: 1 };
    assert_eq!(program.function(f).name, "work");
    let mut globals = crate::globals::Globals::new(&program);
    let mut fiber =
        crate::fiber::Fiber::new_call(&program, f, vec![crate::value::Value::Int(1)], Vec::new());
    let mut vm = crate::context::Vm::new(&program, &mut globals, Limits::default());
    let mut host = BufferHost::default();
    let mut fuel = 100;
    let Step::Raised(err) = crate::interp::step(&mut vm, &mut fiber, &mut fuel, &mut host) else {
        panic!("expected an error");
    };
    assert_eq!(
        crate::traceback::render(&err, &program, &host),
        "Traceback (most recent call last):\n  File \"main.sk\", line 3, in work\n    def work(a, b):\nTypeError: work() missing 1 required positional argument: 'b'\n"
    );
    assert_eq!(fiber.state, crate::fiber::FiberState::Failed);
}

#[test]
fn a_kill_runs_finally_blocks_but_not_except_exception() {
    let src = "def work():\n    try:\n        try:\n            while True:\n                pass\n        except Exception:\n            print('wrong')\n    finally:\n        print('cleanup')\n";
    let program = compile_str("main", src).expect("compiles");
    let f = skein_script::bytecode::FuncRef { module: 0, func: 1 };
    let mut globals = crate::globals::Globals::new(&program);
    let mut fiber = crate::fiber::Fiber::new_call(&program, f, Vec::new(), Vec::new());
    let mut vm = crate::context::Vm::new(&program, &mut globals, Limits::default());
    let mut host = BufferHost::default();
    let mut fuel = 50;
    assert!(matches!(
        crate::interp::step(&mut vm, &mut fiber, &mut fuel, &mut host),
        Step::OutOfFuel
    ));
    fiber.resume_error(crate::value::Value::Type(crate::value::TypeTag::Kind(
        crate::kind::Kind::TaskletExit,
    )));
    let mut fuel = 50;
    let Step::Raised(crate::value::Value::Error(e)) =
        crate::interp::step(&mut vm, &mut fiber, &mut fuel, &mut host)
    else {
        panic!("expected TaskletExit");
    };
    assert_eq!(e.kind, crate::kind::Kind::TaskletExit);
    assert_eq!(host.out, "cleanup\n");
}

#[test]
fn module_globals_are_places_from_other_modules() {
    let main = "import store\nstore.items.append('rope')\nstore.counts['a'] += 2\nstore.add('b')\nstore.total = 5\nprint(store.items, store.counts, store.total)\ndel store.counts['a']\nprint(store.counts)\ntry:\n    store.nothing\nexcept AttributeError as e:\n    print(e)\ntry:\n    f = store.items.append\nexcept TypeError as e:\n    print(e)\nprint(store.items.copy(), store.name.upper(), store.name)\n";
    let store =
        "items = []\ncounts = {'a': 1}\ntotal = 0\nname = 'shop'\ndef add(k):\n    counts[k] = 1\n";
    assert_eq!(
        run_modules(&[("main", main), ("store", store)]),
        "['rope'] {'a': 3, 'b': 1} 5\n{'b': 1}\nmodule 'store' has no attribute 'nothing'\n\
         list methods are not values: call .append(...) directly\n['rope'] SHOP shop\n"
    );
}

#[test]
fn importing_the_running_main_module_is_a_cycle() {
    let helper = "import village\n";
    let out = run_modules(&[("village", "import helper\n"), ("helper", helper)]);
    assert!(
        out.ends_with(
            "ImportError: cannot import village: its top level has not finished (village -> helper -> village)\n"
        ),
        "{out}"
    );
}

#[test]
fn errors_and_their_messages() {
    let src = "def f():\n    return 1\ntry:\n    f.x\nexcept AttributeError as e:\n    print(e)\ntry:\n    (5).foo()\nexcept AttributeError as e:\n    print(e)\ntry:\n    e = ValueError('a', 2)\n    print(e.args)\n    raise e\nexcept ValueError as err:\n    print(err)\ntry:\n    import nowhere\nexcept ImportError as e:\n    print(e)\ntry:\n    from math import nothing\nexcept ImportError as e:\n    print(e)\ntry:\n    raise TaskletExit\nexcept Exception:\n    print('wrong')\nexcept TaskletExit:\n    print('exit')\ntry:\n    del undefined_thing\nexcept NameError as e:\n    print(e)\n";
    // `import nowhere` is a compile error (the loader finds modules first),
    // so that line is left out of what Python printed.
    let src = src.replace(
        "try:\n    import nowhere\nexcept ImportError as e:\n    print(e)\n",
        "",
    );
    assert_eq!(
        run(&src),
        "'function' object has no attribute 'x'\n'int' object has no attribute 'foo'\n\
         ['a', 2]\n('a', 2)\ncannot import name 'nothing' from 'math' (unknown location)\n\
         exit\nname 'undefined_thing' is not defined\n"
    );
}

/// `cargo test --release -p skein-vm loop_speed -- --ignored --nocapture`
#[test]
#[ignore]
fn loop_speed() {
    let src = "def count():\n    i = 0\n    while i < 10000000:\n        i += 1\n    return i\nprint(count())\n";
    let start = std::time::Instant::now();
    assert_eq!(run(src), "10000000\n");
    println!("10M-iteration while loop: {:?}", start.elapsed());
}

/// The int arguments a range loop reads in place and the ones it hands
/// to the builtin (bools, other types, a zero step) give what `range()`
/// gives, errors included.
#[test]
fn range_loops_take_what_range_takes() {
    let src = "out = []\nfor i in range(True, 3):\n    out.append(i)\nfor i in range(2, -7, -3):\n    out.append(i)\ndef loop(a, b, c):\n    try:\n        if c is None:\n            for i in range(a):\n                out.append('never')\n        else:\n            for i in range(a, b, c):\n                out.append('never')\n    except Exception as e:\n        out.append(str(e))\nloop(1, 5, 0)\nloop(1.5, 0, None)\nloop('a', 2, 1)\nprint(out)\n";
    assert_eq!(
        run(src),
        "[1, 2, 2, -1, -4, 'range() arg 3 must not be zero', \"'float' object cannot be interpreted as an integer\", \"'str' object cannot be interpreted as an integer\"]\n"
    );
}

#[test]
fn range_loops_stop_at_the_ends_of_int() {
    let src = "out = []\nfor i in range(5, 0, -2):\n    out.append(i)\nfor i in range(0):\n    out.append('never')\nfor i in range(9223372036854775805, 9223372036854775807):\n    out.append(i)\nfor i in range(-9223372036854775806, -9223372036854775808, -1):\n    out.append(i)\nprint(out)\n";
    assert_eq!(
        run(src),
        "[5, 3, 1, 9223372036854775805, 9223372036854775806, -9223372036854775806, -9223372036854775807]\n"
    );
}
