//! Rules linting: what no event bus tells a rule author, because this project knows the
//! shape of every envelope it produces ([`schema`]).
//!
//! [`lint`] reports, for each rule, as warnings:
//! - paths no CloudAudit envelope carries, with a did-you-mean ([`FindingKind::UnknownField`]);
//! - matchers that can never meet the type CloudAudit writes there ([`FindingKind::TypeMismatch`]);
//! - `source`/`type` values no envelope has ([`FindingKind::ImpossibleValue`]);
//! - read-only API names (or `actionType` `Read`) while only writes are delivered
//!   ([`FindingKind::ReadsNotDelivered`]);
//! - empty lists (`"a": []`, default dialect), which no value matches
//!   ([`FindingKind::EmptyList`]);
//! - patterns every envelope matches ([`FindingKind::MatchesEverything`]);
//! - rules with the same pattern as an earlier enabled rule: with the same targets
//!   ([`FindingKind::Duplicate`]) or different ones ([`FindingKind::Shadowed`]).
//!
//! [`lint_text`] also reads the file: a file the rules module rejects yields one
//! [`Severity::Error`] per problem and no warnings (its rules are not known reliably
//! until it reads). Only certain findings are reported: a check that cannot be sure stays
//! silent (see `checks.rs`).
//!
//! Every message is written out in `checks.rs`, and `tests/lint_findings.rs` asserts
//! each one's exact text.

mod checks;
pub mod schema;
mod sites;
pub mod suggest;

use std::fmt;

use crate::cloudaudit::ActionType;
use crate::pattern::{Dialect, FieldValue};
use crate::rules::{RuleProblem, RuleRef, RulesFile};
use schema::Lookup;

/// Errors make `auditbridge lint` exit 1; warnings only with `--deny-warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Which check produced a finding (for tools and tests; people read the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingKind {
    /// The rules module rejected the file or a rule (an error).
    InvalidRule,
    UnknownField,
    TypeMismatch,
    ImpossibleValue,
    ReadsNotDelivered,
    EmptyList,
    MatchesEverything,
    Duplicate,
    Shadowed,
}

/// One thing a rule author should know.
///
/// Displays as `warning: rule sg-open: pattern.data.eventname: no CloudAudit envelope
/// has this field; did you mean data.eventName?`: severity, rule, path in the rule
/// (omitted when empty), message, and the suggestion after `; ` when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub kind: FindingKind,
    pub rule: RuleRef,
    /// Where in the rule: `pattern.data.eventName[0]`, `pattern`; empty for the rule as
    /// a whole.
    pub path: String,
    pub message: String,
    pub suggestion: Option<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.severity, self.rule)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, "; {suggestion}")?;
        }
        Ok(())
    }
}

/// What the deployment delivers, which decides whether naming reads is a mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintOptions {
    /// The normalize function's `ACTION_TYPES`; default `[Write]`.
    pub action_types: Vec<ActionType>,
}

impl Default for LintOptions {
    fn default() -> Self {
        Self {
            action_types: vec![ActionType::Write],
        }
    }
}

/// The warnings for a valid rules file, with default options (only writes delivered).
pub fn lint(rules: &RulesFile) -> Vec<Finding> {
    lint_with(rules, &LintOptions::default())
}

/// The warnings for a valid rules file: rule by rule in file order, each rule's pattern
/// in the order written, then duplicates.
pub fn lint_with(rules: &RulesFile, options: &LintOptions) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in rules.rules() {
        let reference = RuleRef::Named(rule.name().to_owned());
        for site in sites::sites(rule.pattern()) {
            findings.extend(checks::empty_list(&reference, &site));
            let path = site.path();
            match schema::lookup(&path) {
                Lookup::Unknown { index, .. } if index < site.prefix.len() => {} // reported at its parent
                unknown @ Lookup::Unknown { .. } => {
                    findings.extend(checks::unknown_field(&reference, &site, unknown))
                }
                Lookup::Open => {}
                Lookup::Field(field) => {
                    if let FieldValue::Leaf(matchers) = site.value {
                        let leaf = checks::Leaf {
                            rule: &reference,
                            at: site.at(),
                            path: &path,
                            field,
                            matchers,
                        };
                        findings.extend(checks::type_mismatches(&leaf));
                        findings.extend(checks::impossible_values(&leaf));
                        findings.extend(checks::reads_not_delivered(&leaf, options));
                    }
                }
            }
        }
        findings.extend(checks::matches_everything(&reference, rule.pattern()));
    }
    findings.extend(checks::duplicates(rules.rules()));
    findings
}

/// Reads and lints a rules file: the rules module's problems as errors when it is
/// invalid, else the warnings of [`lint_with`].
pub fn lint_text(text: &str, dialect: Dialect, options: &LintOptions) -> Vec<Finding> {
    match RulesFile::parse(text, dialect) {
        Ok(rules) => lint_with(&rules, options),
        Err(error) => error.problems().iter().map(Finding::from_problem).collect(),
    }
}

impl Finding {
    /// A problem of the rules module, as an error.
    pub fn from_problem(problem: &RuleProblem) -> Finding {
        Finding {
            severity: Severity::Error,
            kind: FindingKind::InvalidRule,
            rule: problem.rule().clone(),
            path: problem.path().to_owned(),
            message: problem.reason().to_owned(),
            suggestion: None,
        }
    }
}
