//! The verifier's findings on hand-written code, good and broken.

use super::*;

fn func(code: Vec<Op>, nlocals: u16) -> Function {
    Function {
        name: "f".into(),
        params: Vec::new(),
        defaults: Vec::new(),
        nlocals,
        local_names: (0..nlocals).map(|i| format!("l{i}")).collect(),
        lines: vec![1; code.len()],
        code,
        consts: Vec::new(),
        names: Vec::new(),
        kwnames: Vec::new(),
        def_line: 1,
        derived: Default::default(),
    }
}

fn message(code: Vec<Op>) -> String {
    match verify_function(&func(code, 1), 0, 1) {
        Ok(_) => "ok".into(),
        Err(e) => format!("pc {}: {}", e.pc, e.message),
    }
}

#[test]
fn computes_depths_through_jumps_and_handlers() {
    // try: x = 1 / except: pass — then return None.
    let code = vec![
        Op::SetupExcept(5),     // 0: d0
        Op::SmallInt(1),        // 1: d0
        Op::StoreLocal(0),      // 2: d1
        Op::PopHandler,         // 3: d0
        Op::Jump(6),            // 4: d0
        Op::Pop,                // 5: d1 (the error)
        Op::None,               // 6: d0
        Op::JumpIfTrueOrPop(9), // 7: d1
        Op::None,               // 8: d0
        Op::Return,             // 9: d1
        Op::Nop,                // 10: unreachable
    ];
    let info = verify_function(&func(code, 1), 0, 1).expect("verifies");
    let d: Vec<Option<u16>> = vec![0, 0, 1, 0, 0, 1, 0, 1, 0, 1]
        .into_iter()
        .map(Some)
        .chain([None])
        .collect();
    assert_eq!(info.depth, d);
    assert_eq!(info.handlers[1..4], [Some(1), Some(1), Some(1)]);
    assert_eq!(info.handlers[5], Some(0));
    assert_eq!(info.max_depth, 1);
}

#[test]
fn checks_register_instructions() {
    use crate::bytecode::{Arg, BinOp, CmpOp, Dst};
    let bin = |dst, a, b| Op::Bin {
        op: BinOp::Add,
        dst,
        a,
        b,
    };
    assert_eq!(
        message(vec![
            bin(Dst::Local(1), Arg::Int(1), Arg::Int(2)),
            Op::None,
            Op::Return
        ]),
        "pc 0: local 1 out of range (1 locals)"
    );
    assert_eq!(
        message(vec![bin(Dst::Push, Arg::Const(0), Arg::Int(2)), Op::Return]),
        "pc 0: const 0 out of range"
    );
    assert_eq!(
        message(vec![
            Op::None,
            bin(Dst::Push, Arg::Pop, Arg::Pop),
            Op::Return
        ]),
        "pc 1: Bin { op: Add, dst: Push, a: Pop, b: Pop } needs 2 operands, stack has 1"
    );
    let cmp = Op::JumpCmp {
        op: CmpOp::Lt,
        a: Arg::Local(0),
        b: Arg::Int(2),
        when: false,
        target: 9,
    };
    assert_eq!(
        message(vec![cmp, Op::None, Op::Return]),
        "pc 0: jump to 9 is past the end (3 ops)"
    );
    let prep = |argc, state| Op::ForPrep {
        var: 0,
        state,
        argc,
        exit: 2,
    };
    assert_eq!(
        message(vec![Op::SmallInt(3), prep(0, 0), Op::None, Op::Return]),
        "pc 1: ForPrep takes 1 to 3 arguments"
    );
    assert_eq!(
        message(vec![Op::SmallInt(3), prep(1, 0), Op::None, Op::Return]),
        "pc 1: local 2 out of range (1 locals)"
    );
    let looped = Op::ForLoop {
        var: 0,
        state: u16::MAX,
        body: 0,
    };
    assert_eq!(
        message(vec![looped, Op::None, Op::Return]),
        "pc 0: local 65535 out of range (1 locals)"
    );
    // A well-formed range loop: `for i in range(3): pass` over 4 locals.
    let code = vec![
        Op::SmallInt(3),
        Op::ForPrep {
            var: 0,
            state: 1,
            argc: 1,
            exit: 3,
        },
        Op::ForLoop {
            var: 0,
            state: 1,
            body: 2,
        },
        Op::ReturnArg(Arg::Local(0)),
    ];
    let info = verify_function(&func(code, 4), 0, 1).expect("verifies");
    assert_eq!(info.depth, vec![Some(0), Some(1), Some(0), Some(0)]);
}

#[test]
fn rejects_bad_code() {
    assert_eq!(
        message(vec![Op::Jump(7)]),
        "pc 0: jump to 7 is past the end (1 ops)"
    );
    assert_eq!(
        message(vec![Op::None, Op::Pop]),
        "pc 1: code runs past its end without returning"
    );
    assert_eq!(
        message(vec![Op::Pop, Op::None, Op::Return]),
        "pc 0: Pop needs 1 operands, stack has 0"
    );
    assert_eq!(
        message(vec![Op::LoadLocal(3), Op::Return]),
        "pc 0: local 3 out of range (1 locals)"
    );
    assert_eq!(
        message(vec![Op::MakeFunction(1), Op::Return]),
        "pc 0: function 1 out of range"
    );
    assert_eq!(
        message(vec![Op::PopHandler, Op::None, Op::Return]),
        "pc 0: PopHandler with no handler set up"
    );
    // Two paths reach pc 3 with different heights.
    assert_eq!(
        message(vec![
            Op::True,
            Op::JumpIfFalse(3),
            Op::None,
            Op::None,
            Op::Return
        ]),
        "pc 3: stack height 1 with 0 handlers from pc 2 disagrees with 0 with 0"
    );
}

#[test]
fn checks_shaped_instructions() {
    use crate::bytecode::{BinOp, CmpOp};
    let add = BinOp::Add;
    assert_eq!(
        message(vec![
            Op::BinLL {
                op: add,
                dst: 0,
                a: 0,
                b: 3
            },
            Op::None,
            Op::Return
        ]),
        "pc 0: local 3 out of range (1 locals)"
    );
    assert_eq!(
        message(vec![
            Op::BinPI {
                op: add,
                dst: 0,
                b: 1
            },
            Op::None,
            Op::Return
        ]),
        "pc 0: BinPI { op: Add, dst: 0, b: 1 } needs 1 operands, stack has 0"
    );
    assert_eq!(
        message(vec![
            Op::SmallInt(1),
            Op::BinPK {
                op: add,
                dst: 0,
                b: 0
            },
            Op::None,
            Op::Return
        ]),
        "pc 1: const 0 out of range"
    );
    assert_eq!(
        message(vec![
            Op::JumpLI {
                op: CmpOp::Lt,
                a: 0,
                b: 2,
                when: true,
                target: 5
            },
            Op::ReturnLocal(0)
        ]),
        "pc 0: jump to 5 is past the end (2 ops)"
    );
    // Pushes one value; returns a local without popping.
    let code = vec![
        Op::PushLI {
            op: add,
            a: 0,
            b: 1,
        },
        Op::Pop,
        Op::ReturnLocal(0),
    ];
    let info = verify_function(&func(code, 1), 0, 1).expect("verifies");
    assert_eq!(info.depth, vec![Some(0), Some(1), Some(0)]);
}

#[test]
fn checks_index_local() {
    use crate::bytecode::Arg;
    let item = |a, key| vec![Op::IndexLocal { a, key }, Op::Return];
    assert_eq!(message(item(0, Arg::Int(-1))), "ok");
    assert_eq!(message(item(0, Arg::Local(0))), "ok");
    assert_eq!(
        message(item(1, Arg::Int(0))),
        "pc 0: local 1 out of range (1 locals)"
    );
    assert_eq!(
        message(item(0, Arg::Local(2))),
        "pc 0: local 2 out of range (1 locals)"
    );
    assert_eq!(
        message(item(0, Arg::Const(0))),
        "pc 0: const 0 out of range"
    );
    assert_eq!(
        message(item(0, Arg::Pop)),
        "pc 0: IndexLocal's key is never popped"
    );
    // It pushes one value and pops none.
    assert_eq!(
        message(vec![
            Op::IndexLocal {
                a: 0,
                key: Arg::Int(0)
            },
            Op::Pop,
            Op::Pop
        ]),
        "pc 2: Pop needs 1 operands, stack has 0"
    );
}

#[test]
fn checks_index_global_and_index_local_pop() {
    use crate::bytecode::Arg;
    let global = |g, key| match verify_function(
        &func(vec![Op::IndexGlobal { g, key }, Op::Return], 1),
        1,
        1,
    ) {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("pc {}: {}", e.pc, e.message),
    };
    assert_eq!(global(0, Arg::Local(0)), "ok");
    assert_eq!(
        global(1, Arg::Int(0)),
        "pc 0: global 1 out of range (1 globals)"
    );
    assert_eq!(
        global(0, Arg::Local(1)),
        "pc 0: local 1 out of range (1 locals)"
    );
    assert_eq!(
        global(0, Arg::Pop),
        "pc 0: IndexGlobal's key is never popped"
    );
    // IndexLocalPop pops its key and pushes the item.
    let pop_key = |a| vec![Op::SmallInt(0), Op::IndexLocalPop(a), Op::Return];
    assert_eq!(message(pop_key(0)), "ok");
    assert_eq!(message(pop_key(1)), "pc 1: local 1 out of range (1 locals)");
    assert_eq!(
        message(vec![Op::IndexLocalPop(0), Op::Return]),
        "pc 0: IndexLocalPop(0) needs 1 operands, stack has 0"
    );
}

#[test]
fn items_loops_check_both_heads_and_the_skipped_unpack() {
    // for a, b in l0.items(): … — the dict head, and the general path at 7
    // that joins it.
    let items_loop = |after: Op| {
        vec![
            Op::LoadLocal(0),  // 0: d0
            Op::ItemsIter(7),  // 1: d1 (both ways)
            Op::ForPair(9),    // 2: d1; exit d0, item d2, pair d3 at 4
            after,             // 3: d2
            Op::StoreLocal(0), // 4: d3
            Op::StoreLocal(1), // 5: d2
            Op::Jump(2),       // 6: d1
            Op::GetIter,       // 7: d1
            Op::Jump(2),       // 8: d1
            Op::None,          // 9: d0
            Op::Return,
        ]
    };
    let code = items_loop(Op::Unpack(2));
    let info = verify_function(&func(code, 2), 0, 1).expect("verifies");
    let depth: Vec<_> = info.depth.iter().map(|d| d.unwrap_or(99)).collect();
    assert_eq!(depth, vec![0, 1, 1, 2, 3, 2, 1, 1, 1, 0, 1]);
    let message = |code| match verify_function(&func(code, 2), 0, 1) {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("pc {}: {}", e.pc, e.message),
    };
    assert_eq!(
        message(items_loop(Op::Unpack(3))),
        "pc 2: ForPair not followed by Unpack(2)"
    );
    assert_eq!(
        message(vec![Op::LoadLocal(0), Op::GetIter, Op::ForPair(0)]),
        "pc 2: ForPair not followed by Unpack(2)"
    );
    assert_eq!(
        message(vec![Op::ItemsIter(0), Op::Return]),
        "pc 0: ItemsIter(0) needs 1 operands, stack has 0"
    );
}
