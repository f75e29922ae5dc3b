//! Compiling rules files: environment variables, disabled rules, patterns-only.

use auditbridge_shared::rules::{Dialect, MessageGroupId, RulesFile};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(text: &str) -> RulesFile {
    RulesFile::parse(text, Dialect::Default).unwrap_or_else(|e| panic!("{e}"))
}

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

const ALERTS: &str = "https://sqs.ap-guangzhou.example.com/100015007673/alerts";
const TIMELINE: &str = "https://sqs.ap-guangzhou.example.com/100015007673/timeline.fifo";

#[test]
fn queue_urls_are_resolved_through_the_lookup() {
    let compiled = parse(&fixture("valid.json"))
        .compile(&env(&[
            ("ALERTS_QUEUE_URL", ALERTS),
            ("TIMELINE_QUEUE_URL", TIMELINE),
        ]))
        .expect("compiles");
    let rule = compiled.rule("sg-opened-to-world").expect("compiled");
    let urls: Vec<(&str, &str, bool)> = rule
        .targets()
        .iter()
        .map(|t| (t.id(), t.queue_url(), t.is_fifo()))
        .collect();
    assert_eq!(
        urls,
        [
            ("whole", ALERTS, false),
            ("record", ALERTS, false),
            (
                "params",
                "https://sqs.ap-guangzhou.example.com/100015007673/params",
                false
            ),
            ("page", ALERTS, false),
            ("plain", ALERTS, false),
            ("timeline", TIMELINE, true),
            ("by-account", TIMELINE, true),
            ("one-group", TIMELINE, true),
        ]
    );
    assert_eq!(rule.targets()[0].message_group_id(), None);
    assert_eq!(
        rule.targets()[5].message_group_id(),
        Some(&MessageGroupId::Subject)
    );
}

#[test]
fn disabled_rules_are_not_compiled_and_need_no_variables() {
    let compiled = parse(&fixture("valid.json"))
        .compile(&env(&[
            ("ALERTS_QUEUE_URL", ALERTS),
            ("TIMELINE_QUEUE_URL", TIMELINE),
        ]))
        .expect("the disabled rule's unset variable does not matter");
    let names: Vec<&str> = compiled.rules().iter().map(|r| r.name()).collect();
    assert_eq!(names, ["sg-opened-to-world", "any-vpc-write", "no-targets"]);
    assert_eq!(compiled.ruleset().len(), 3);
    assert!(compiled.rule("switched-off").is_none());
    for (index, rule) in compiled.rules().iter().enumerate() {
        assert_eq!(
            compiled
                .ruleset()
                .name(auditbridge_shared::ruleset::RuleId(index)),
            rule.name()
        );
    }

    let only_disabled = parse(&fixture("disabled-only.json"))
        .compile(&env(&[]))
        .expect("compiles");
    assert!(only_disabled.rules().is_empty());
    assert!(only_disabled.ruleset().is_empty());
}

#[test]
fn unset_variables_name_rule_target_and_variable() {
    let error = parse(&fixture("valid.json"))
        .compile(&env(&[("ALERTS_QUEUE_URL", ALERTS)]))
        .expect_err("TIMELINE_QUEUE_URL is unset");
    assert_eq!(
        error.to_string(),
        [
            r#"rule sg-opened-to-world: targets[5].queue: environment variable TIMELINE_QUEUE_URL is not set (target "timeline")"#,
            r#"rule sg-opened-to-world: targets[6].queue: environment variable TIMELINE_QUEUE_URL is not set (target "by-account")"#,
            r#"rule sg-opened-to-world: targets[7].queue: environment variable TIMELINE_QUEUE_URL is not set (target "one-group")"#,
            r#"rule any-vpc-write: targets[0].queue: environment variable TIMELINE_QUEUE_URL is not set (target "target-0")"#,
        ]
        .join("\n")
    );
}

#[test]
fn resolved_urls_are_checked() {
    let error = parse(&fixture("valid.json"))
        .compile(&env(&[
            ("ALERTS_QUEUE_URL", "alerts"),
            (
                "TIMELINE_QUEUE_URL",
                "https://sqs.ap-guangzhou.example.com/1/timeline",
            ),
        ]))
        .expect_err("bad URLs");
    let lines: Vec<String> = error.problems().iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 6, "{error}");
    assert_eq!(
        lines[0],
        r#"rule sg-opened-to-world: targets[0].queue: queue URL "alerts" must start with https:// (or http:// for a local endpoint) (from "${ALERTS_QUEUE_URL}") (target "whole")"#
    );
    assert_eq!(
        lines[4],
        r#"rule sg-opened-to-world: targets[6].messageGroupId: only FIFO queues take a message group id, and "https://sqs.ap-guangzhou.example.com/1/timeline" is not one (FIFO queue URLs end in .fifo) (target "by-account")"#
    );
}

#[test]
fn a_lookup_may_borrow_local_data() {
    let values: HashMap<&str, &str> = HashMap::from([
        ("ALERTS_QUEUE_URL", ALERTS),
        ("TIMELINE_QUEUE_URL", TIMELINE),
    ]);
    let lookup = |name: &str| values.get(name).map(|value| value.to_string());
    let compiled = parse(&fixture("valid.json"))
        .compile(&lookup)
        .expect("compiles");
    assert_eq!(compiled.rules()[0].targets()[0].queue_url(), ALERTS);
}

#[test]
fn patterns_only_needs_no_environment_and_has_no_targets() {
    let compiled = parse(&fixture("valid.json"))
        .compile_patterns_only()
        .expect("compiles");
    assert_eq!(compiled.rules().len(), 3);
    assert!(compiled
        .rules()
        .iter()
        .all(|rule| rule.targets().is_empty()));
    assert_eq!(
        compiled.rule("no-targets").and_then(|r| r.description()),
        Some("Pattern only: shown by auditbridge match, delivers nothing.")
    );
}

#[test]
fn the_example_rules_compile_with_their_documented_variables() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/security.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let compiled = parse(&text)
        .compile(&env(&[
            ("SECURITY_ALERTS_QUEUE_URL", ALERTS),
            ("AUDIT_TIMELINE_QUEUE_URL", TIMELINE),
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!compiled.rules().is_empty());
    for rule in compiled.rules() {
        for target in rule.targets() {
            assert_eq!(
                target.is_fifo(),
                target.queue_url() == TIMELINE,
                "{}/{}",
                rule.name(),
                target.id()
            );
        }
    }
}

/// The example rules page for what happened, not for attempts: each sample record that
/// matches a rule matches nothing once its call is marked refused (`errorCode` or
/// `apiErrorCode` set), as the README says of every example rule.
#[test]
fn the_example_rules_ignore_refused_calls() {
    use auditbridge_shared::cloudaudit::{NormalizeOptions, Normalized, Normalizer};
    use serde_json::Value;

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |name: &str| {
        std::fs::read_to_string(root.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let compiled = parse(&read("rules/security.json"))
        .compile(&env(&[
            ("SECURITY_ALERTS_QUEUE_URL", ALERTS),
            ("AUDIT_TIMELINE_QUEUE_URL", TIMELINE),
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
    let normalizer = Normalizer::new(NormalizeOptions::default());
    let matched = |record: &Value| -> Vec<String> {
        let mut outcomes = normalizer.normalize_value(record);
        assert_eq!(outcomes.len(), 1, "{record}");
        match outcomes.remove(0).result {
            Ok(Normalized::Envelope(envelope)) => {
                let json = serde_json::to_string(&envelope).expect("serializes");
                compiled.evaluate(&json).expect("an envelope").matched
            }
            other => panic!("not an envelope: {other:?}"),
        }
    };
    let expected: Value =
        serde_json::from_str(&read("samples/expected-matches.json")).expect("JSON");
    let history = read("samples/audit-history.jsonl");
    let mut checked = HashSet::new();
    for pair in expected["matches"].as_array().expect("matches") {
        let line = pair[0].as_u64().expect("line") as usize;
        let rule = pair[1].as_str().expect("rule");
        let record: Value =
            serde_json::from_str(history.lines().nth(line - 1).expect("line")).expect("JSON");
        if record.get("eventName").is_none() {
            continue; // a wrapped form; the raw records cover every rule
        }
        assert_eq!(matched(&record), [rule], "line {line} as recorded");
        for (field, refusal) in [
            ("errorCode", json!(-1)),
            ("apiErrorCode", json!("UnauthorizedOperation")),
            ("apiErrorCode", json!(4102)),
        ] {
            let mut refused = record.clone();
            refused[field] = refusal.clone();
            assert_eq!(
                matched(&refused),
                Vec::<String>::new(),
                "line {line} ({rule}) with {field} {refusal}"
            );
        }
        checked.insert(rule.to_string());
    }
    let every_rule: HashSet<String> = compiled
        .rules()
        .iter()
        .map(|rule| rule.name().to_string())
        .collect();
    assert_eq!(
        checked, every_rule,
        "a raw sample record for every example rule"
    );
}

/// AWS has no limit on conditions per combination, and neither has the rule set.
#[test]
fn a_rule_of_many_conditions_compiles_and_matches() {
    let mut data = serde_json::Map::new();
    let mut event_data = serde_json::Map::new();
    for i in 0..200 {
        data.insert(format!("f{i}"), json!(["x"]));
        event_data.insert(format!("f{i}"), json!("x"));
    }
    let text = json!({"rules": [{"name": "huge", "pattern": {"data": data}}]}).to_string();
    let rules = parse(&text)
        .compile_patterns_only()
        .expect("200 conditions compile");
    let event = json!({"data": event_data});
    assert_eq!(rules.ruleset().matches(&event).len(), 1);
    event_data.remove("f199");
    assert!(rules
        .ruleset()
        .matches(&json!({"data": event_data}))
        .is_empty());
}
