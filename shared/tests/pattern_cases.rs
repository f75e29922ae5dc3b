//! This project's own pattern cases (`data/default-dialect-cases.json`): Tencent's
//! operators, the differences between the dialects, and every error reason the parser
//! can give, each with its exact path. Every case is decided by the reference evaluator
//! and by the compiled rule set, which must agree. Every failing case is reported.

use auditbridge_shared::pattern::{Dialect, Pattern};
use serde::Deserialize;
use serde_json::Value;

#[path = "support/compiled.rs"]
mod compiled;

const CASES: &str = include_str!("data/default-dialect-cases.json");

/// Every reason the parser can produce; `{}` stands for a part taken from the pattern.
/// Each must be the expected reason of at least one case.
const REASONS: &[&str] = &[
    "Invalid JSON: {}",
    "Filter is not an object",
    "Too many combinations: the $or branches expand to more than 1000 conjunctions",
    "Empty objects are not allowed",
    "{} is Ruler reserved fieldName which cannot be used inside $or.",
    "\"{}\" must be an object or an array",
    "It must be an Array followed with $or.",
    "Only JSON object is allowed in array of $or relationship.",
    "There must have at least 2 Objects in $or relationship.",
    "Empty arrays are not allowed",
    "Match value must be String, number, true, false, or null",
    "Match expression name not found",
    "Unrecognized match type {}",
    "Only one key allowed in match expression",
    "prefix match pattern must be a string",
    "suffix match pattern must be a string",
    "equals-ignore-case match pattern must be a string",
    "wildcard match pattern must be a string",
    "cidr match pattern must be a string",
    "exists match pattern must be either true or false.",
    "Prefix expression name not found",
    "Suffix expression name not found",
    "Unsupported prefix pattern: {}",
    "Unsupported suffix pattern: {}",
    "Anything-But expression name not found",
    "Unsupported anything-but pattern: {}",
    "Value of anything-but must be an array or single string/number value.",
    "Inside anything but list, start|null|boolean is not supported.",
    "Inside anything but list, either all values are number or string, mixed type is not supported",
    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
    "prefix/suffix match pattern must be a string",
    "Null prefix/suffix not allowed",
    "Value of numeric must be an array.",
    "Invalid member in numeric match: {}",
    "Unrecognized numeric range operator: {}",
    "Value of equals must be numeric",
    "Value of {} must be numeric",
    "Too many elements in numeric expression",
    "Too many terms in numeric range expression",
    "Bad value in numeric range: {}",
    "Bad numeric range operator: {}",
    "Bottom must be less than top",
    "Value must be between -5.0E9 and 5.0E9, inclusive",
    "Malformed CIDR, one '/' required",
    "Malformed CIDR, mask bits must be an integer",
    "Malformed CIDR, mask bits must not be negative",
    "Nonstandard IP address: {}",
    "Invalid IP address: {}",
    "IPv4 mask bits must be < 32",
    "IPv4 mask bits must be <= 32",
    "IPv6 mask bits must be < 128",
    "IPv6 mask bits must be <= 128",
    "Consecutive wildcard characters at pos {}",
    "Invalid escape character at pos {}",
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character",
    "contain match pattern must be a string or a non-empty array of strings",
    "array match pattern must be a JSON object or a string holding one",
    "array match pattern is not valid JSON: {}",
];

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    dialects: Vec<String>,
    expect: String,
    pattern: Option<Value>,
    pattern_text: Option<String>,
    event: Option<Value>,
    error_path: Option<String>,
    error_reason: Option<String>,
}

fn dialect(name: &str) -> Dialect {
    match name {
        "default" => Dialect::Default,
        "aws" => Dialect::Aws,
        other => panic!("unknown dialect {other:?}"),
    }
}

impl Case {
    fn expected(&self) -> String {
        match self.expect.as_str() {
            "error" => format!(
                "error at {}: {}",
                self.error_path.as_deref().unwrap_or("<missing error_path>"),
                self.error_reason
                    .as_deref()
                    .unwrap_or("<missing error_reason>")
            ),
            verdict => verdict.to_string(),
        }
    }

    fn verdict(&self, dialect: Dialect) -> String {
        let parsed = match (&self.pattern_text, &self.pattern) {
            (Some(text), _) => Pattern::parse(text, dialect),
            (None, Some(value)) => Pattern::from_value(value, dialect),
            (None, None) => return "case has no pattern".into(),
        };
        match parsed {
            Err(e) => format!("error at {}: {}", e.path(), e.reason()),
            Ok(pattern) => match &self.event {
                None => "parsed, but the case has no event".into(),
                Some(event) => {
                    let reference = pattern.matches(event);
                    match compiled::verdict(&pattern, event) {
                        Ok(compiled) if compiled != reference => {
                            format!("reference evaluator says {reference}, the rule set {compiled}")
                        }
                        Err(problem) => problem,
                        Ok(_) if reference => "match".into(),
                        Ok(_) => "no_match".into(),
                    }
                }
            },
        }
    }
}

fn cases() -> Vec<Case> {
    let file: File = serde_json::from_str(CASES).expect("case file parses");
    file.cases
}

#[test]
fn pattern_every_case_holds_in_each_of_its_dialects() {
    let cases = cases();
    let mut runs = 0;
    let mut failures = Vec::new();
    for case in &cases {
        assert!(
            !case.dialects.is_empty(),
            "case {} names no dialect",
            case.name
        );
        for name in &case.dialects {
            runs += 1;
            let (want, got) = (case.expected(), case.verdict(dialect(name)));
            if want != got {
                failures.push(format!(
                    "{} [{name}]: expected {want}, got {got}",
                    case.name
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {runs} runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn pattern_case_names_are_unique() {
    let cases = cases();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate case names");
}

fn fits(template: &str, reason: &str) -> bool {
    match template.split_once("{}") {
        None => template == reason,
        Some((head, tail)) => {
            reason.len() > head.len() + tail.len()
                && reason.starts_with(head)
                && reason.ends_with(tail)
        }
    }
}

#[test]
fn pattern_every_reason_is_exercised_by_a_case() {
    let cases = cases();
    let reasons: Vec<&str> = cases
        .iter()
        .filter_map(|c| c.error_reason.as_deref())
        .collect();
    let missing: Vec<&&str> = REASONS
        .iter()
        .filter(|template| !reasons.iter().any(|r| fits(template, r)))
        .collect();
    assert!(missing.is_empty(), "reasons without a case: {missing:?}");
    let unknown: Vec<&&str> = reasons
        .iter()
        .filter(|r| !REASONS.iter().any(|t| fits(t, r)))
        .collect();
    assert!(
        unknown.is_empty(),
        "case reasons not in REASONS: {unknown:?}"
    );
}

#[test]
fn pattern_both_dialects_and_all_verdicts_are_covered() {
    let cases = cases();
    for (d, verdict) in [
        ("default", "match"),
        ("default", "no_match"),
        ("default", "error"),
        ("aws", "match"),
        ("aws", "no_match"),
        ("aws", "error"),
    ] {
        assert!(
            cases
                .iter()
                .any(|c| c.expect == verdict && c.dialects.iter().any(|x| x == d)),
            "no {verdict} case in the {d} dialect"
        );
    }
}
