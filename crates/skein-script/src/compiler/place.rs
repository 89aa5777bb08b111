//! Places (docs/language.md, "Values and places"): a name, or `X.name`,
//! followed by a chain of `[index]`. Writes, augmented writes, `del` and
//! method calls through a place change it in place; through anything else
//! they change a temporary.

use super::{Compiler, NameRef, R};
use crate::ast::{BinOp, Expr, ExprKind, Span, Target, UnaryOp};
use crate::bytecode::{NO_KW, Op, PlaceBase};

/// Where a place starts.
enum Root<'a> {
    Name(&'a str),
    /// `obj.name`: `obj` is evaluated and pushed below the keys.
    Attr(&'a Expr, &'a str),
    /// Any other expression: a temporary, held in a hidden local.
    Temp(&'a Expr),
}

/// A place split into its root and its index keys, outermost first.
struct Place<'a> {
    root: Root<'a>,
    keys: Vec<&'a Expr>,
    span: Span,
}

/// A place whose parts are on the stack, ready for a place op.
struct Pushed {
    base: PlaceBase,
    depth: u8,
    /// Hidden local holding a temporary root, to clear afterwards.
    temp: Option<u16>,
}

fn split_expr(mut e: &Expr) -> (Root<'_>, Vec<&Expr>) {
    let mut keys = Vec::new();
    while let ExprKind::Index(obj, key) = &e.kind {
        keys.push(&**key);
        e = obj;
    }
    keys.reverse();
    let root = match &e.kind {
        ExprKind::Name(n) => Root::Name(n),
        ExprKind::Attr(obj, name) => Root::Attr(obj, name),
        _ => Root::Temp(e),
    };
    (root, keys)
}

fn split_target(t: &Target) -> Option<Place<'_>> {
    match t {
        Target::Name(n, span) => Some(Place {
            root: Root::Name(n),
            keys: Vec::new(),
            span: *span,
        }),
        Target::Attr { obj, name, span } => Some(Place {
            root: Root::Attr(obj, name),
            keys: Vec::new(),
            span: *span,
        }),
        Target::Index { obj, index, span } => {
            let (root, mut keys) = split_expr(obj);
            keys.push(index);
            Some(Place {
                root,
                keys,
                span: *span,
            })
        }
        Target::Unpack(..) | Target::Slice { .. } => None,
    }
}

/// Whether pushing `p`'s parts can neither run user code nor raise
/// (modulo an unbound name), so they may be pushed before the value
/// without the order being observable: the fast path for `a[i] = v`.
fn place_is_inert(p: &Place<'_>) -> bool {
    let root_inert = match p.root {
        Root::Name(_) => true,
        Root::Attr(obj, _) => is_inert(obj),
        Root::Temp(_) => false,
    };
    root_inert && p.keys.iter().all(|k| is_inert(k))
}

/// A constant or a plain name load.
fn is_inert(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Name(_)) || is_literal(e)
}

/// A constant: what evaluating cannot raise, whatever the bindings.
pub(super) fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::None
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_) => true,
        ExprKind::Unary(UnaryOp::Neg | UnaryOp::Pos, x) => {
            matches!(x.kind, ExprKind::Int(_) | ExprKind::Float(_))
        }
        ExprKind::Unary(UnaryOp::Invert, x) => matches!(x.kind, ExprKind::Int(_)),
        _ => false,
    }
}

impl<'a, 'o> Compiler<'a, 'o> {
    /// Pushes the object (for `Attr` roots) and the keys of `p`.
    fn push_place(&mut self, p: &Place<'a>, for_store: bool) -> R<Pushed> {
        let Ok(depth) = u8::try_from(p.keys.len()) else {
            return Err(self.err(p.span, "too many nested indexes in one place"));
        };
        let mut temp = None;
        let base = match p.root {
            Root::Name(n) => {
                let r = if for_store && p.keys.is_empty() {
                    self.resolve_store(n)
                } else {
                    self.resolve_load(n)
                };
                match r {
                    NameRef::Local(i) => PlaceBase::Local(i),
                    NameRef::Global(i) => PlaceBase::Global(i),
                    NameRef::Builtin(i) => {
                        // Writing into a builtin's value changes a temporary.
                        self.fb.emit(Op::LoadBuiltin(i));
                        let t = self.fb.new_local("$tmp");
                        self.fb.emit(Op::StoreLocal(t));
                        temp = Some(t);
                        PlaceBase::Local(t)
                    }
                }
            }
            Root::Attr(obj, name) => {
                self.expr(obj)?;
                PlaceBase::Attr(self.fb.name(name))
            }
            Root::Temp(e) => {
                self.expr(e)?;
                let t = self.fb.new_local("$tmp");
                self.fb.emit(Op::StoreLocal(t));
                temp = Some(t);
                PlaceBase::Local(t)
            }
        };
        for k in &p.keys {
            self.expr(k)?;
        }
        self.fb.line = p.span.line;
        Ok(Pushed { base, depth, temp })
    }

    /// Stores the value on top of the stack into the place `pushed` built.
    fn store_place(&mut self, pushed: &Pushed) {
        self.fb.emit(Op::StorePlace {
            base: pushed.base,
            depth: pushed.depth,
        });
    }

    fn finish_place(&mut self, pushed: &Pushed) {
        if let Some(t) = pushed.temp {
            self.fb.emit(Op::ClearLocal(t));
        }
    }

    /// `target = value` for one non-unpacking target: the place's parts,
    /// then the value, then one store.
    pub(super) fn assign_one(&mut self, t: &'a Target, value: &'a Expr) -> R<()> {
        if let Target::Slice { .. } = t {
            self.expr(value)?;
            return self.store_top(t);
        }
        if let Target::Name(n, span) = t {
            self.expr(value)?;
            self.fb.line = span.line;
            self.store_name(n);
            return Ok(());
        }
        let Some(p) = split_target(t) else {
            return self.store_top(t);
        };
        // A literal value can neither raise nor run code, so evaluating it
        // after the place's parts is as unobservable as the other way round.
        if !place_is_inert(&p) && !is_literal(value) {
            // CPython evaluates the value before the target's object and
            // subscripts; `store_top` parks it in a hidden local meanwhile.
            self.expr(value)?;
            return self.store_top(t);
        }
        let pushed = self.push_place(&p, true)?;
        self.expr(value)?;
        self.fb.line = p.span.line;
        self.store_place(&pushed);
        self.finish_place(&pushed);
        Ok(())
    }

    /// Stores the value on top of the stack into `t` (unpacking, `for`
    /// targets, chained assignment).
    pub(super) fn store_top(&mut self, t: &'a Target) -> R<()> {
        match t {
            Target::Name(n, span) => {
                self.fb.line = span.line;
                self.store_name(n);
            }
            Target::Unpack(items, span) => {
                let Ok(n) = u16::try_from(items.len()) else {
                    return Err(self.err(*span, "too many targets to unpack"));
                };
                self.fb.line = span.line;
                self.fb.emit(Op::Unpack(n));
                for item in items {
                    self.store_top(item)?;
                }
            }
            Target::Slice {
                obj,
                lower,
                upper,
                step,
                span,
            } => {
                let v = self.fb.new_local("$value");
                self.fb.emit(Op::StoreLocal(v));
                self.slice_call(obj, [lower, upper, step], Some(v), *span)?;
                self.fb.emit(Op::ClearLocal(v));
            }
            _ => {
                let Some(p) = split_target(t) else {
                    return Ok(());
                };
                if let ([_], Root::Name(_)) = (p.keys.as_slice(), &p.root) {
                    // One key above the value: a swap puts the value on top.
                    let pushed = self.push_place(&p, true)?;
                    self.fb.emit(Op::Rot2);
                    self.store_place(&pushed);
                    self.finish_place(&pushed);
                    return Ok(());
                }
                // The value must end up above the place's parts.
                let v = self.fb.new_local("$value");
                self.fb.emit(Op::StoreLocal(v));
                let pushed = self.push_place(&p, true)?;
                self.fb.emit(Op::LoadLocal(v));
                self.store_place(&pushed);
                self.fb.emit(Op::ClearLocal(v));
                self.finish_place(&pushed);
            }
        }
        Ok(())
    }

    pub(super) fn aug_assign(&mut self, t: &'a Target, op: BinOp, value: &'a Expr) -> R<()> {
        if let Target::Name(n, span) = t {
            self.fb.line = span.line;
            self.load_name(n);
            self.expr(value)?;
            self.fb.line = span.line;
            self.fb.emit(Op::Binary(op));
            self.store_name(n);
            return Ok(());
        }
        let Some(p) = split_target(t) else {
            let span = match t {
                Target::Unpack(_, s) => *s,
                _ => Span::default(),
            };
            return Err(self.err(span, "illegal expression for augmented assignment"));
        };
        let pushed = self.push_place(&p, false)?;
        self.fb.emit(Op::LoadPlace {
            base: pushed.base,
            depth: pushed.depth,
        });
        self.expr(value)?;
        self.fb.line = p.span.line;
        self.fb.emit(Op::Binary(op));
        self.store_place(&pushed);
        self.finish_place(&pushed);
        Ok(())
    }

    pub(super) fn del(&mut self, t: &'a Target) -> R<()> {
        match t {
            Target::Name(n, span) => {
                self.fb.line = span.line;
                match self.resolve_store(n) {
                    NameRef::Local(i) => self.fb.emit(Op::DelLocal(i)),
                    NameRef::Global(i) | NameRef::Builtin(i) => self.fb.emit(Op::DelGlobal(i)),
                };
            }
            Target::Unpack(items, _) => items.iter().try_for_each(|i| self.del(i))?,
            Target::Slice {
                obj,
                lower,
                upper,
                step,
                span,
            } => self.slice_call(obj, [lower, upper, step], None, *span)?,
            Target::Attr { span, .. } => {
                return Err(self.err(*span, "cannot delete an attribute"));
            }
            Target::Index { .. } => {
                let Some(p) = split_target(t) else {
                    return Ok(());
                };
                let pushed = self.push_place(&p, false)?;
                self.fb.emit(Op::DelPlace {
                    base: pushed.base,
                    depth: pushed.depth,
                });
                self.finish_place(&pushed);
            }
        }
        Ok(())
    }

    /// `a[i:j:k] = v` (the value in hidden local `value`) or `del a[i:j:k]`
    /// (`value` is `None`): a call of the hidden list method `__setslice__`
    /// or `__delslice__` on the place `a`, in place as every mutating
    /// method is. Python's order: the value, then `a`, then the bounds.
    fn slice_call(
        &mut self,
        obj: &'a Expr,
        bounds: [&'a Option<Box<Expr>>; 3],
        value: Option<u16>,
        span: Span,
    ) -> R<()> {
        let (root, keys) = split_expr(obj);
        let is_place = match root {
            Root::Name(n) => !matches!(self.resolve_load(n), NameRef::Builtin(_)),
            Root::Attr(..) => true,
            Root::Temp(_) => false,
        };
        let pushed = if is_place {
            let p = Place {
                root,
                keys,
                span: obj.span,
            };
            Some(self.push_place(&p, false)?)
        } else {
            self.expr(obj)?;
            None
        };
        for part in bounds {
            match part {
                Some(x) => self.expr(x)?,
                None => {
                    self.fb.emit(Op::None);
                }
            }
        }
        let (method, argc) = match value {
            Some(v) => {
                self.fb.emit(Op::LoadLocal(v));
                ("__setslice__", 4)
            }
            None => ("__delslice__", 3),
        };
        let name = self.fb.name(method);
        self.fb.line = span.line;
        match &pushed {
            Some(pushed) => {
                self.fb.emit(Op::CallPlace {
                    base: pushed.base,
                    depth: pushed.depth,
                    name,
                    argc,
                    kw: NO_KW,
                });
            }
            None => {
                self.fb.emit(Op::CallMethod {
                    name,
                    argc,
                    kw: NO_KW,
                });
            }
        }
        self.fb.emit(Op::Pop);
        if let Some(pushed) = &pushed {
            self.finish_place(pushed);
        }
        Ok(())
    }

    /// A method call `recv.name(args)`: `CallPlace` when the receiver is a
    /// place, `CallMethod` on a temporary otherwise.
    pub(super) fn method_call(
        &mut self,
        recv: &'a Expr,
        name: &str,
        args: &'a [Expr],
        kwargs: &'a [(String, Expr)],
        span: Span,
    ) -> R<()> {
        let (root, keys) = split_expr(recv);
        let is_place = match root {
            Root::Name(n) => !matches!(self.resolve_load(n), NameRef::Builtin(_)),
            Root::Attr(..) => true,
            Root::Temp(_) => false,
        };
        if !is_place {
            self.expr(recv)?;
            let (argc, kw) = self.call_args(args, kwargs, span)?;
            let name = self.fb.name(name);
            self.fb.line = span.line;
            self.fb.emit(Op::CallMethod { name, argc, kw });
            return Ok(());
        }
        let p = Place {
            root,
            keys,
            span: recv.span,
        };
        let pushed = self.push_place(&p, false)?;
        let (argc, kw) = self.call_args(args, kwargs, span)?;
        let name = self.fb.name(name);
        self.fb.line = span.line;
        self.fb.emit(Op::CallPlace {
            base: pushed.base,
            depth: pushed.depth,
            name,
            argc,
            kw,
        });
        Ok(())
    }
}
