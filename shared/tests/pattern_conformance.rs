//! AWS conformance: all 156 LocalStack cases (verdicts from AWS `TestEventPattern`) in the
//! aws dialect, and the default dialect's agreement with them.
//!
//! Every case is decided by the reference evaluator and by the compiled rule set, which
//! must agree. Every failing case is reported, not just the first.

use auditbridge_shared::pattern::{Dialect, Pattern};
use serde::Deserialize;
use serde_json::Value;

#[path = "support/compiled.rs"]
mod compiled;

const CASES: &str = include_str!("data/eventbridge-cases.json");
const AWS_PREFIX: &str = "Event pattern is not valid. Reason: ";

/// Where our reason deliberately differs from AWS's, because AWS's is misleading:
/// (case name, AWS's reason, ours).
const DEVIATIONS: &[(&str, &str, &str)] = &[(
    "content_ip_address_type_EXC",
    "prefix match pattern must be a string",
    "cidr match pattern must be a string",
)];

/// Cases the default dialect judges differently, on purpose: Tencent's bare scalars, and
/// the empty list it reads as no alternatives (matching nothing, not even `[]`).
const DEFAULT_DIALECT_DIFFERENCES: &[(&str, &str)] = &[
    ("int_nolist_EXC", "match"),
    ("string_nolist_EXC", "match"),
    ("arrays_empty_EXC", "no_match"),
];

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    expect: String,
    pattern: Option<Value>,
    pattern_text: Option<String>,
    event: Option<Value>,
    event_text: Option<String>,
    aws_error: Option<String>,
}

impl Case {
    fn parse(
        &self,
        dialect: Dialect,
    ) -> Result<Pattern, auditbridge_shared::pattern::PatternError> {
        match (&self.pattern_text, &self.pattern) {
            (Some(text), _) => Pattern::parse(text, dialect),
            (None, Some(value)) => Pattern::from_value(value, dialect),
            (None, None) => panic!("case {} has no pattern", self.name),
        }
    }

    fn event(&self) -> Value {
        match (&self.event_text, &self.event) {
            (Some(text), _) => serde_json::from_str(text)
                .unwrap_or_else(|e| panic!("case {}: bad event_text: {e}", self.name)),
            (None, Some(value)) => value.clone(),
            (None, None) => panic!("case {} has no event", self.name),
        }
    }

    /// The verdict in `dialect`, as "match", "no_match" or "error: <reason>".
    fn verdict(&self, dialect: Dialect) -> String {
        let pattern = match self.parse(dialect) {
            Ok(pattern) => pattern,
            Err(e) => return format!("error: {}", e.reason()),
        };
        let event = self.event();
        let reference = pattern.matches(&event);
        match compiled::verdict(&pattern, &event) {
            Ok(compiled) if compiled != reference => {
                format!("reference evaluator says {reference}, the rule set {compiled}")
            }
            Err(problem) => problem,
            Ok(_) if reference => "match".into(),
            Ok(_) => "no_match".into(),
        }
    }

    /// The verdict AWS gave, with our reason substituted where we deviate on purpose.
    fn expected(&self) -> String {
        if self.expect != "error" {
            return self.expect.clone();
        }
        let aws = self
            .aws_error
            .as_deref()
            .unwrap_or_else(|| panic!("error case {} has no aws_error", self.name));
        let reason = aws
            .strip_prefix(AWS_PREFIX)
            .unwrap_or_else(|| panic!("case {}: unexpected aws_error form {aws:?}", self.name));
        match DEVIATIONS.iter().find(|(name, _, _)| *name == self.name) {
            Some((_, theirs, ours)) => {
                assert_eq!(
                    reason, *theirs,
                    "deviation list out of date for {}",
                    self.name
                );
                format!("error: {ours}")
            }
            None => format!("error: {reason}"),
        }
    }
}

fn cases() -> Vec<Case> {
    let file: File = serde_json::from_str(CASES).expect("conformance file parses");
    file.cases
}

#[test]
fn pattern_all_cases_are_present() {
    let cases = cases();
    assert_eq!(cases.len(), 156);
    for kind in ["match", "no_match", "error"] {
        assert!(cases.iter().any(|c| c.expect == kind), "no {kind} case");
    }
}

#[test]
fn pattern_aws_dialect_agrees_with_aws_on_every_case() {
    let cases = cases();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let (want, got) = (case.expected(), case.verdict(Dialect::Aws));
            (want != got).then(|| format!("{}: expected {want}, got {got}", case.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree with AWS:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn pattern_default_dialect_agrees_except_for_tencent_extensions() {
    let cases = cases();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let want = DEFAULT_DIALECT_DIFFERENCES
                .iter()
                .find(|(name, _)| *name == case.name)
                .map_or_else(|| case.expected(), |(_, verdict)| (*verdict).to_string());
            let got = case.verdict(Dialect::Default);
            (want != got).then(|| format!("{}: expected {want}, got {got}", case.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree in the default dialect:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn pattern_every_deviation_names_an_error_case() {
    let cases = cases();
    for (name, _, _) in DEVIATIONS {
        let case = cases.iter().find(|c| c.name == *name);
        assert!(
            case.is_some_and(|c| c.expect == "error"),
            "deviation {name} is not an error case"
        );
    }
}
