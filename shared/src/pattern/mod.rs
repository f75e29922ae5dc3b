//! Event patterns: parsing and validation in two dialects, and the reference evaluator.
//!
//! `Pattern::parse` is the only way in; every later stage works on the validated
//! [`ast`] types.

pub mod ast;

pub use ast::*;
