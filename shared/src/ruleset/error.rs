//! Errors of building a rule set and of reading an event.
//!
//! Both are structs with accessors rather than public enums, so new causes can be added
//! without breaking callers (the regex crate's lesson).

use std::fmt;

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
    /// One `$or` combination of the pattern has more conditions than the matcher tracks
    /// (array consistency is checked with one bit per condition).
    TooManyConditions { count: usize, limit: usize },
}

impl fmt::Display for RuleSetErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleSetErrorKind::DuplicateName { first } => {
                write!(f, "duplicate rule name (first used by rule #{})", first.0)
            }
            RuleSetErrorKind::TooManyConditions { count, limit } => write!(
                f,
                "pattern has {count} field conditions in one combination; at most {limit} are supported"
            ),
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
#[derive(Debug, thiserror::Error)]
#[error("event is not valid JSON: {source}")]
pub struct EventError {
    #[source]
    source: serde_json::Error,
}

impl EventError {
    pub(crate) fn new(source: serde_json::Error) -> Self {
        Self { source }
    }

    /// 1-based line of the error in the event text.
    pub fn line(&self) -> usize {
        self.source.line()
    }

    /// 1-based column of the error in the event text.
    pub fn column(&self) -> usize {
        self.source.column()
    }
}
