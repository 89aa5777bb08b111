//! Compiler tests: disassembly of key constructs, scope rules and errors.

use crate::disasm::disasm_function;
use crate::loader::compile_str;

/// Disassembly of function `f` (0 = top level) of a one-module program.
fn dis(src: &str, f: usize) -> String {
    let p = compile_str("t", src).unwrap_or_else(|e| panic!("{e}"));
    disasm_function(&p.modules[0], &p.modules[0].functions[f])
}

#[test]
fn def_stores_a_function_value() {
    let d = dis("def f(a, b=1):\n    return a + b\nf(1)\n", 0);
    assert!(d.contains("MakeFunction 1 (f)"), "{d}");
    assert!(d.contains("StoreGlobal 0 (f)"), "{d}");
}
