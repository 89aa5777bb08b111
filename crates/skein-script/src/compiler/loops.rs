//! The head and tail of a `for` loop over an iterable (range loops are
//! `flow::for_range`'s). `for k, v in d.items()` gets a head of its own:
//! `ItemsIter` walks a dict's pairs without building them and `ForPair`
//! pushes each as key and value; a receiver that is not a dict jumps to the
//! general `.items()` call, placed after the loop's back jump, which joins
//! the same head.

use super::{Compiler, R};
use crate::ast::{Expr, ExprKind, Target};
use crate::bytecode::{NO_KW, Op};

/// Where a loop begun by [`Compiler::loop_head`] jumps back to and what
/// its tail must patch.
pub(super) struct LoopHead {
    /// The `ForIter` or `ForPair`, the back jump's target.
    pub top: u32,
    exit: usize,
    /// The `ItemsIter` of an items loop, and the line of its iterable.
    items: Option<(usize, u32)>,
}

/// The receiver of `recv.items()` with no arguments, when the loop
/// unpacks each item into two targets.
fn items_receiver<'a>(iter: &'a Expr, target: &Target) -> Option<&'a Expr> {
    let ExprKind::Call { func, args, kwargs } = &iter.kind else {
        return None;
    };
    let ExprKind::Attr(recv, name) = &func.kind else {
        return None;
    };
    let pair = matches!(target, Target::Unpack(items, _) if items.len() == 2);
    (pair && name == "items" && args.is_empty() && kwargs.is_empty()).then_some(&**recv)
}

impl<'a, 'o> Compiler<'a, 'o> {
    /// Evaluates the iterable and emits the loop's stepping op; the caller
    /// stores the item (`store_top`, whose `Unpack(2)` follows a `ForPair`
    /// as the verifier requires).
    pub(super) fn loop_head(&mut self, iter: &'a Expr, target: &'a Target) -> R<LoopHead> {
        let line = iter.span.line;
        let items = match items_receiver(iter, target) {
            Some(recv) => {
                self.expr(recv)?;
                self.fb.line = line;
                Some((self.fb.emit(Op::ItemsIter(0)), line))
            }
            None => {
                self.expr(iter)?;
                self.fb.line = line;
                self.fb.emit(Op::GetIter);
                None
            }
        };
        let top = self.fb.here();
        let exit = self.fb.emit(if items.is_some() {
            Op::ForPair(0)
        } else {
            Op::ForIter(0)
        });
        Ok(LoopHead { top, exit, items })
    }

    /// The jump back to the head, the general `.items()` path of an items
    /// loop, and the exit.
    pub(super) fn loop_tail(&mut self, head: LoopHead) {
        self.fb.emit(Op::Jump(head.top));
        if let Some((at, line)) = head.items {
            self.fb.patch_here(at);
            self.fb.line = line;
            let name = self.fb.name("items");
            self.fb.emit(Op::CallMethod {
                name,
                argc: 0,
                kw: NO_KW,
            });
            self.fb.emit(Op::GetIter);
            self.fb.emit(Op::Jump(head.top));
        }
        self.fb.patch_here(head.exit);
    }
}

#[cfg(test)]
mod tests {
    use crate::disasm::disasm_function;
    use crate::loader::compile_str;

    #[test]
    fn items_loops_get_a_pair_head_and_a_general_path() {
        let src = "\
def f(d):
    for k, v in d.items():
        print(k)
    return [k for k, v in d.items()]
";
        let p = compile_str("t", src).expect("compiles");
        let m = &p.modules[0];
        let text = disasm_function(m, &m.functions[1]);
        let ops: Vec<&str> = text
            .lines()
            .skip(1)
            .map(|l| l.get(11..).unwrap_or("").trim())
            .collect();
        assert_eq!(
            &ops[..14],
            [
                "LoadLocal 0 (d)",
                "ItemsIter 11",
                "ForPair 14",
                "Unpack 2",
                "StoreLocal 1 (k)",
                "StoreLocal 2 (v)",
                "LoadBuiltin 0 (print)",
                "LoadLocal 1 (k)",
                "Call argc 1",
                "Pop",
                "Jump 2",
                "CallMethod .items argc 0",
                "GetIter",
                "Jump 2",
            ],
            "{text}"
        );
        assert_eq!(text.matches("ForPair").count(), 2, "{text}");
        assert!(!text.contains("ForIter"), "{text}");
    }
}
