//! Errors of building a rule set and of reading an event.
//!
//! Both are structs with accessors rather than public enums, so new causes can be added
//! without breaking callers (the regex crate's lesson).

use std::borrow::Cow;
use std::fmt;

use super::scan::{line_column, ScanError};
use super::RuleId;

/// Why [`super::RuleSetBuilder::add`] refused a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule {name:?}: {kind}")]
pub struct RuleSetError {
    name: String,
    kind: RuleSetErrorKind,
}

/// The cause of a [`RuleSetError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuleSetErrorKind {
    /// Another rule already has this name.
    DuplicateName { first: RuleId },
}

impl fmt::Display for RuleSetErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleSetErrorKind::DuplicateName { first } => {
                write!(f, "duplicate rule name (first used by rule #{})", first.0)
            }
        }
    }
}

impl RuleSetError {
    pub(crate) fn new(name: &str, kind: RuleSetErrorKind) -> Self {
        Self {
            name: name.to_owned(),
            kind,
        }
    }

    /// The name of the rule that was refused.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Why it was refused.
    pub fn kind(&self) -> &RuleSetErrorKind {
        &self.kind
    }
}

/// The event text given to [`super::RuleSet::matches_json`] is not one JSON value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event is not valid JSON: {reason} at line {line} column {column}")]
pub struct EventError {
    reason: Cow<'static, str>,
    offset: usize,
    line: usize,
    column: usize,
}

impl EventError {
    pub(crate) fn new(text: &str, error: ScanError) -> Self {
        let (line, column) = line_column(text, error.offset);
        Self {
            reason: error.reason,
            offset: error.offset,
            line,
            column,
        }
    }

    /// 1-based line of the error in the event text.
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column (in bytes) of the error in the event text.
    pub fn column(&self) -> usize {
        self.column
    }

    /// Byte offset of the error in the event text (its length for an early end).
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What is wrong there, e.g. `expected value` (the wording of `serde_json`).
    pub fn reason(&self) -> &str {
        &self.reason
    }
}
