//! Skein script's front half: source text to verified bytecode. Lexing,
//! parsing, compiling, verifying, finding imported modules, and the
//! diagnostics a user sees when any of it fails.

#![warn(missing_docs)]

pub mod ast;
pub mod bytecode;
pub mod compiler;
pub mod diag;
pub mod disasm;
pub mod verify;

pub use diag::CompileError;
pub mod lexer;
pub mod loader;
pub mod parser;
pub mod token;
