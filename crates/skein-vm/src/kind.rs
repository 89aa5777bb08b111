//! Error kinds: the enum, every kind in order ([`Kind::ALL`]), and the
//! names they print with, which are `skein_script::bytecode::ERROR_KINDS`
//! (the compiler's list of builtin names holds them once for everyone).

use serde::{Deserialize, Serialize};
use skein_script::bytecode::ERROR_KINDS;

/// Error kinds (docs/language.md, "Errors"), with Python's hierarchy where it
/// matters for `except`: `UnboundLocalError` is a `NameError`,
/// `RecursionError` a `RuntimeError`, and `Exception` catches all but
/// `TaskletExit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kind {
    /// Python's `Exception`.
    Exception,
    /// Python's `ValueError`.
    ValueError,
    /// Python's `TypeError`.
    TypeError,
    /// Python's `NameError`.
    NameError,
    /// Python's `UnboundLocalError`.
    UnboundLocalError,
    /// Python's `AttributeError`.
    AttributeError,
    /// Python's `IndexError`.
    IndexError,
    /// Python's `KeyError`.
    KeyError,
    /// Python's `ZeroDivisionError`.
    ZeroDivisionError,
    /// Python's `OverflowError`.
    OverflowError,
    /// Python's `AssertionError`.
    AssertionError,
    /// Python's `RuntimeError`.
    RuntimeError,
    /// Python's `RecursionError`.
    RecursionError,
    /// Python's `MemoryError`.
    MemoryError,
    /// Python's `ImportError`.
    ImportError,
    /// Python's `TaskletExit`.
    TaskletExit,
}

impl Kind {
    /// Every kind, in the order of `ERROR_KINDS` (and of the enum).
    pub const ALL: [Kind; 16] = [
        Kind::Exception,
        Kind::ValueError,
        Kind::TypeError,
        Kind::NameError,
        Kind::UnboundLocalError,
        Kind::AttributeError,
        Kind::IndexError,
        Kind::KeyError,
        Kind::ZeroDivisionError,
        Kind::OverflowError,
        Kind::AssertionError,
        Kind::RuntimeError,
        Kind::RecursionError,
        Kind::MemoryError,
        Kind::ImportError,
        Kind::TaskletExit,
    ];

    /// The name a kind prints with (`ValueError`).
    pub fn name(self) -> &'static str {
        ERROR_KINDS[self as usize]
    }

    /// The kind named `name`, if it is one.
    pub fn from_name(name: &str) -> Option<Kind> {
        let i = ERROR_KINDS.iter().position(|n| *n == name)?;
        Some(Kind::ALL[i])
    }

    /// Whether an error of this kind is caught by `except handler` (Python's
    /// hierarchy: `Exception` catches all but `TaskletExit`).
    pub fn caught_by(self, handler: Kind) -> bool {
        self == handler
            || (handler == Kind::Exception && self != Kind::TaskletExit)
            || (handler == Kind::NameError && self == Kind::UnboundLocalError)
            || (handler == Kind::RuntimeError && self == Kind::RecursionError)
    }
}

// One name per kind, no more and no fewer.
const _: () = assert!(Kind::ALL.len() == ERROR_KINDS.len());

#[cfg(test)]
mod tests {
    use super::*;

    /// The enum, `ALL` and the name list agree: each kind sits at its own
    /// index and prints with its variant's name.
    #[test]
    fn every_kind_is_named_by_its_variant() {
        for (i, k) in Kind::ALL.iter().enumerate() {
            assert_eq!(*k as usize, i);
            assert_eq!(k.name(), format!("{k:?}"));
            assert_eq!(Kind::from_name(k.name()), Some(*k));
        }
        assert_eq!(Kind::from_name("print"), None);
    }
}
