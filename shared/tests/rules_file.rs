//! Reading rules files: every problem reported at once, with its rule, path and reason.

use auditbridge_shared::rules::{Dialect, Input, MessageGroupId, RuleRef, RulesFile};
use serde_json::json;
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn error_text(text: &str) -> String {
    RulesFile::parse(text, Dialect::Default)
        .expect_err("the file has problems")
        .to_string()
}

fn one_rule(rule: serde_json::Value) -> String {
    error_text(&json!({ "rules": [rule] }).to_string())
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let expected = fixture("invalid.expected.txt");
    assert_eq!(error_text(&fixture("invalid.json")), expected.trim_end());
}

#[test]
fn problems_carry_rule_path_and_reason() {
    let error = RulesFile::parse(&fixture("invalid.json"), Dialect::Default).expect_err("invalid");
    let problem = &error.problems()[6];
    assert_eq!(problem.rule(), &RuleRef::Named("bad-pattern".into()));
    assert_eq!(problem.path(), "pattern.detail.state[0].prefix");
    assert_eq!(problem.reason(), "prefix match pattern must be a string");
    assert_eq!(error.problems()[1].rule(), &RuleRef::Index(2));
    assert_eq!(error.problems().len(), 13);
}

/// The pattern's own paths are kept whole under `pattern`: a top-level `$or` and keys
/// that start with `$` keep their `$`; only the root marker `$` becomes `pattern`.
#[test]
fn pattern_paths_keep_dollar_keys() {
    let path_of = |pattern: serde_json::Value| {
        let text = json!({"rules": [{"name": "r1", "pattern": pattern}]}).to_string();
        let error = RulesFile::parse(&text, Dialect::Default).expect_err("invalid pattern");
        assert_eq!(error.problems().len(), 1, "{error}");
        error.problems()[0].path().to_string()
    };
    assert_eq!(
        path_of(json!({"$or": [{"a": [1]}, {"b": [{"prefix": 5}]}]})),
        "pattern.$or[1].b[0].prefix"
    );
    assert_eq!(
        path_of(json!({"$x": [{"prefix": 5}]})),
        "pattern.$x[0].prefix"
    );
    assert_eq!(
        path_of(json!({"x": {"$or": [{"a": [1]}, {"b": [{"prefix": 5}]}]}})),
        "pattern.x.$or[1].b[0].prefix"
    );
    assert_eq!(path_of(json!({})), "pattern");
}

#[test]
fn file_level_problems() {
    assert!(error_text("{\"rules\": [")
        .starts_with("rules file: not valid JSON: EOF while parsing a list"));
    assert_eq!(
        error_text("[]"),
        r#"rules file: expected an object {"rules": [...]}, got an array"#
    );
    assert_eq!(
        error_text("{}"),
        r#"rules file: missing "rules": expected {"rules": [...]}"#
    );
    assert_eq!(
        error_text(r#"{"rules": {}, "rule": []}"#),
        "rules file: unknown key \"rule\" (did you mean \"rules\"? the file has only \"rules\")\nrules file: \"rules\" must be an array of rules, got an object"
    );
}

#[test]
fn a_leading_byte_order_mark_is_not_content() {
    let text = r#"{"rules": [{"name": "ab", "pattern": {"source": ["a"]}}]}"#;
    let plain = RulesFile::parse(text, Dialect::Default).expect("valid");
    let marked = RulesFile::parse(&format!("\u{feff}{text}"), Dialect::Default).expect("valid");
    assert_eq!(marked, plain);
    // Only the first character can be a byte-order mark.
    assert!(error_text(&format!(" \u{feff}{text}")).starts_with("rules file: not valid JSON: "));
}

#[test]
fn rule_level_problems() {
    assert_eq!(
        one_rule(json!({"name": 5, "pattern": {"source": ["cvm.cloud.tencent"]}})),
        "rules[0]: name: expected a string, got a number"
    );
    assert_eq!(
        one_rule(json!({"name": "9lives", "pattern": {"source": ["cvm.cloud.tencent"]}})),
        r#"rules[0]: name: rule name "9lives" must start with a letter"#
    );
    assert_eq!(
        one_rule(
            json!({"name": "r1", "description": ["x"], "pattern": {"source": ["cvm.cloud.tencent"]}})
        ),
        "rule r1: description: expected a string, got an array"
    );
    assert_eq!(
        one_rule(json!({"name": "r1", "pattern": "source = cvm"})),
        "rule r1: pattern: Filter is not an object"
    );
    assert_eq!(
        one_rule(
            json!({"name": "r1", "pattern": {"source": ["cvm.cloud.tencent"]}, "targets": {"queue": "https://h/1/q"}})
        ),
        "rule r1: targets: expected an array of targets, got an object"
    );
    assert_eq!(
        one_rule(
            json!({"name": "r1", "pattern": {"source": ["cvm.cloud.tencent"]}, "targets": ["https://h/1/q"]})
        ),
        r#"rule r1: targets[0]: expected a target object ({"queue": ...}), got a string"#
    );
    let eleven: Vec<_> = (0..11)
        .map(|i| json!({"queue": format!("https://h/1/q{i}")}))
        .collect();
    assert_eq!(
        one_rule(
            json!({"name": "r1", "pattern": {"source": ["cvm.cloud.tencent"]}, "targets": eleven})
        ),
        "rule r1: targets: at most 10 targets per rule, found 11"
    );
}

#[test]
fn default_target_ids_take_part_in_the_uniqueness_check() {
    assert_eq!(
        one_rule(
            json!({"name": "r1", "pattern": {"source": ["cvm.cloud.tencent"]}, "targets": [
                {"id": "target-1", "queue": "https://h/1/a"},
                {"queue": "https://h/1/b"}
            ]})
        ),
        r#"rule r1: targets[1].id: duplicate target id "target-1" (also the id of targets[0])"#
    );
}

#[test]
fn the_dialect_decides_what_a_pattern_may_say() {
    let text =
        json!({"rules": [{"name": "r1", "pattern": {"source": "cvm.cloud.tencent"}}]}).to_string();
    assert!(RulesFile::parse(&text, Dialect::Default).is_ok());
    let error = RulesFile::parse(&text, Dialect::Aws).expect_err("AWS wants arrays");
    assert_eq!(error.problems().len(), 1);
    assert_eq!(error.problems()[0].path(), "pattern.source");
}

#[test]
fn a_valid_file_keeps_every_rule_as_written() {
    let file = RulesFile::parse(&fixture("valid.json"), Dialect::Default).expect("valid");
    let names: Vec<&str> = file.rules().iter().map(|rule| rule.name()).collect();
    assert_eq!(
        names,
        [
            "sg-opened-to-world",
            "any-vpc-write",
            "switched-off",
            "no-targets"
        ]
    );
    let enabled: Vec<bool> = file.rules().iter().map(|rule| rule.enabled()).collect();
    assert_eq!(enabled, [true, true, false, true]);
    assert_eq!(
        file.rules()[0].description(),
        Some("A security group now accepts traffic from anywhere.")
    );
    assert_eq!(file.rules()[1].description(), None);
    assert!(file.rules()[3].targets().is_empty());

    let targets = file.rules()[0].targets();
    let ids: Vec<&str> = targets.iter().map(|t| t.id()).collect();
    assert_eq!(
        ids,
        [
            "whole",
            "record",
            "params",
            "page",
            "plain",
            "timeline",
            "by-account",
            "one-group"
        ]
    );
    assert_eq!(targets[0].input(), &Input::Envelope);
    assert_eq!(targets[1].input(), &Input::Data);
    assert!(
        matches!(targets[2].input(), Input::Path(path) if path.as_str() == "$.data.requestParameters")
    );
    assert!(matches!(targets[3].input(), Input::Transformer(t) if t.is_json()));
    assert!(matches!(targets[4].input(), Input::Transformer(t) if !t.is_json()));
    assert_eq!(targets[0].queue().as_str(), "${ALERTS_QUEUE_URL}");
    assert_eq!(targets[5].message_group_id(), None);
    assert!(matches!(
        targets[6].message_group_id(),
        Some(MessageGroupId::Path(_))
    ));
    assert_eq!(
        targets[7].message_group_id(),
        Some(&MessageGroupId::Literal("security".into()))
    );
    assert_eq!(file.rules()[1].targets()[0].id(), "target-0");
}

#[test]
fn the_example_rules_read_in_both_dialects() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/security.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for dialect in [Dialect::Default, Dialect::Aws] {
        let file = RulesFile::parse(&text, dialect).unwrap_or_else(|e| panic!("{dialect:?}: {e}"));
        assert!(!file.rules().is_empty());
        assert!(file.rules().iter().all(|rule| !rule.targets().is_empty()));
    }
}
