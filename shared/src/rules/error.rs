//! Errors of the rules file (all problems at once) and of one event at evaluation time.

use std::fmt;

/// Which rule a [`RuleProblem`] belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleRef {
    /// The file as a whole (not JSON, wrong top-level shape).
    File,
    /// A rule with a valid, unique name.
    Named(String),
    /// A rule whose name is missing, invalid or duplicated: its position in `rules`.
    Index(usize),
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleRef::File => f.write_str("rules file"),
            RuleRef::Named(name) => write!(f, "rule {name}"),
            RuleRef::Index(index) => write!(f, "rules[{index}]"),
        }
    }
}

/// One thing wrong with a rules file: which rule, where inside it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    rule: RuleRef,
    path: String,
    reason: String,
}

impl RuleProblem {
    pub(crate) fn new(rule: RuleRef, path: impl Into<String>, reason: impl Into<String>) -> Self {
        RuleProblem {
            rule,
            path: path.into(),
            reason: reason.into(),
        }
    }

    pub fn rule(&self) -> &RuleRef {
        &self.rule
    }

    /// Where inside the rule, like `pattern.detail.state[0]` or `targets[1].queue`; empty
    /// when the problem is the rule (or the file) as a whole.
    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.rule, self.reason)
        } else {
            write!(f, "{}: {}: {}", self.rule, self.path, self.reason)
        }
    }
}

/// Everything wrong with a rules file, so one edit-and-retry round fixes them all.
/// Never empty. Displays one problem per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    problems: Vec<RuleProblem>,
}

impl RulesError {
    /// `None` when there is nothing to report.
    pub(crate) fn from_problems(problems: Vec<RuleProblem>) -> Option<Self> {
        (!problems.is_empty()).then_some(RulesError { problems })
    }

    pub(crate) fn single(problem: RuleProblem) -> Self {
        RulesError {
            problems: vec![problem],
        }
    }

    pub fn problems(&self) -> &[RuleProblem] {
        &self.problems
    }
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RulesError {}

/// A problem found inside one part of a rule (a target, a template), before it is known
/// which rule it belongs to; the rules file reader adds the rule and the path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldProblem {
    /// Relative to the part being checked; empty for the part itself.
    pub path: String,
    pub reason: String,
}

impl FieldProblem {
    pub fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        FieldProblem {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// This problem seen from one level up: `prefix` joined before the path.
    pub fn under(self, prefix: &str) -> Self {
        FieldProblem {
            path: join_path(prefix, &self.path),
            reason: self.reason,
        }
    }
}

/// Joins two parts of a problem path: `targets[1]` + `queue` = `targets[1].queue`,
/// `pattern` + `[0]` = `pattern[0]`.
pub(crate) fn join_path(prefix: &str, rest: &str) -> String {
    match (prefix.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) if rest.starts_with('[') => format!("{prefix}{rest}"),
        (false, false) => format!("{prefix}.{rest}"),
    }
}

/// `unknown key "patern" (did you mean "pattern"? a rule has name, ...)`: the reason
/// for a key that is not one of `known`; `what` completes "(... has ...)".
pub(crate) fn unknown_key(key: &str, known: &[&str], what: &str) -> String {
    let closest = known
        .iter()
        .map(|candidate| (edit_distance(key, candidate), *candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min();
    match closest {
        Some((_, candidate)) => {
            format!("unknown key {key:?} (did you mean {candidate:?}? {what})")
        }
        None => format!("unknown key {key:?} ({what})"),
    }
}

/// Levenshtein distance, case-insensitive (`Pattern` is close to `pattern`).
fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(&a.to_lowercase(), &b.to_lowercase())
}

/// Why an event could not be evaluated. The text is not a valid envelope, so no rule
/// can be trusted to have seen it; the caller reports the source message as failed.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    /// Not JSON, or a field missing or of the wrong type.
    #[error("not an event envelope: {}{reason}", field_prefix(.field))]
    Invalid {
        /// The field at fault (`time`, `resource[2]`), empty when the text is not JSON at all.
        field: String,
        reason: String,
    },
    /// The matcher refused the text (it already passed the envelope check, so this means
    /// the two disagree about what JSON is).
    #[error("the rule set could not read the event: {0}")]
    Match(#[source] crate::ruleset::EventError),
}

fn field_prefix(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!("field {field}: ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_display_rule_path_and_reason() {
        let problem =
            RuleProblem::new(RuleRef::Named("sg-open".into()), "pattern.detail[0]", "bad");
        assert_eq!(problem.to_string(), "rule sg-open: pattern.detail[0]: bad");
        let problem = RuleProblem::new(RuleRef::Index(3), "name", "missing");
        assert_eq!(problem.to_string(), "rules[3]: name: missing");
        let problem = RuleProblem::new(RuleRef::File, "", "not valid JSON");
        assert_eq!(problem.to_string(), "rules file: not valid JSON");
    }

    #[test]
    fn an_error_lists_one_problem_per_line() {
        let error = RulesError::from_problems(vec![
            RuleProblem::new(RuleRef::Index(0), "name", "a"),
            RuleProblem::new(RuleRef::Index(1), "", "b"),
        ])
        .expect("not empty");
        assert_eq!(error.to_string(), "rules[0]: name: a\nrules[1]: b");
        assert!(RulesError::from_problems(Vec::new()).is_none());
    }

    #[test]
    fn unknown_keys_suggest_the_closest_known_one() {
        let known = ["name", "pattern", "targets"];
        assert_eq!(
            unknown_key("patern", &known, "a rule has name, pattern, targets"),
            r#"unknown key "patern" (did you mean "pattern"? a rule has name, pattern, targets)"#
        );
        assert_eq!(
            unknown_key("Targets", &known, "x"),
            r#"unknown key "Targets" (did you mean "targets"? x)"#
        );
        assert_eq!(
            unknown_key("severity", &known, "x"),
            r#"unknown key "severity" (x)"#
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
    }

    #[test]
    fn paths_join_with_dots_except_before_brackets() {
        assert_eq!(join_path("targets[1]", "queue"), "targets[1].queue");
        assert_eq!(join_path("pattern", "[0]"), "pattern[0]");
        assert_eq!(join_path("", "queue"), "queue");
        assert_eq!(join_path("input", ""), "input");
    }
}
