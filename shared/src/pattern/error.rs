//! The error every rejected pattern produces.

/// Why a pattern was rejected, and where.
///
/// `path` names the offending JSON location in the pattern, in the form
/// `detail.state[0].anything-but` (keys joined by dots, array elements as `[i]`, operator
/// names as keys); `$` is the pattern as a whole. `reason` is AWS's
/// `InvalidEventPatternException` reason text (the part after "Event pattern is not
/// valid. Reason: ") wherever AWS has one that is not misleading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct PatternError {
    path: String,
    reason: String,
}

impl PatternError {
    pub(crate) fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// Where in the pattern: `detail.state[0].prefix`, or `$` for the whole pattern.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, e.g. `prefix match pattern must be a string`.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}
