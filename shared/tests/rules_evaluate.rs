//! Evaluating events: matched rules and the message planned for every target.

use auditbridge_shared::outbound::{is_fifo_queue, is_valid_fifo_id};
use auditbridge_shared::rules::{idempotency_key, CompiledRules, Delivery, Dialect, RulesFile};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

const ALERTS: &str = "https://sqs.ap-guangzhou.example.com/100015007673/alerts";
const TIMELINE: &str = "https://sqs.ap-guangzhou.example.com/100015007673/timeline.fifo";
const PARAMS: &str = "https://sqs.ap-guangzhou.example.com/100015007673/params";

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn compiled() -> CompiledRules {
    RulesFile::parse(&fixture("valid.json"), Dialect::Default)
        .and_then(|file| {
            file.compile(&|name: &str| match name {
                "ALERTS_QUEUE_URL" => Some(ALERTS.to_string()),
                "TIMELINE_QUEUE_URL" => Some(TIMELINE.to_string()),
                _ => None,
            })
        })
        .unwrap_or_else(|e| panic!("{e}"))
}

fn envelope() -> Value {
    serde_json::from_str(&fixture("sg-open-envelope.json")).expect("fixture is JSON")
}

fn deliveries(event: &Value) -> Vec<Delivery> {
    compiled()
        .evaluate(&event.to_string())
        .expect("an envelope")
        .deliveries
}

fn delivery<'d>(deliveries: &'d [Delivery], rule: &str, target: &str) -> &'d Delivery {
    deliveries
        .iter()
        .find(|d| d.rule == rule && d.target_id == target)
        .unwrap_or_else(|| panic!("no delivery for {rule}/{target}"))
}

fn body_json(delivery: &Delivery) -> Value {
    serde_json::from_str(&delivery.message.body).unwrap_or_else(|e| {
        panic!(
            "{}: body is not JSON ({e}): {}",
            delivery.target_id, delivery.message.body
        )
    })
}

#[test]
fn one_delivery_per_matched_rule_and_target_in_order() {
    let evaluation = compiled()
        .evaluate(&fixture("sg-open-envelope.json"))
        .expect("an envelope");
    assert_eq!(evaluation.matched, ["sg-opened-to-world", "any-vpc-write"]);
    let planned: Vec<(&str, &str, &str)> = evaluation
        .deliveries
        .iter()
        .map(|d| (d.rule.as_str(), d.target_id.as_str(), d.queue_url.as_str()))
        .collect();
    assert_eq!(
        planned,
        [
            ("sg-opened-to-world", "whole", ALERTS),
            ("sg-opened-to-world", "record", ALERTS),
            ("sg-opened-to-world", "params", PARAMS),
            ("sg-opened-to-world", "page", ALERTS),
            ("sg-opened-to-world", "plain", ALERTS),
            ("sg-opened-to-world", "timeline", TIMELINE),
            ("sg-opened-to-world", "by-account", TIMELINE),
            ("sg-opened-to-world", "one-group", TIMELINE),
            ("any-vpc-write", "target-0", TIMELINE),
        ]
    );
}

#[test]
fn bodies_follow_each_input_choice() {
    let event = envelope();
    let all = deliveries(&event);
    assert_eq!(
        body_json(delivery(&all, "sg-opened-to-world", "whole")),
        event
    );
    assert_eq!(
        body_json(delivery(&all, "sg-opened-to-world", "record")),
        event["data"]
    );
    assert_eq!(
        body_json(delivery(&all, "sg-opened-to-world", "params")),
        event["data"]["requestParameters"]
    );
    assert_eq!(
        body_json(delivery(&all, "sg-opened-to-world", "page")),
        json!({
            "text": "ops \"night\" shift\n東京 called CreateSecurityGroupPolicies on sg-abc123",
            "who": "ops \"night\" shift\n東京",
            "rule": "sg-opened-to-world",
            "missing": null
        })
    );
    assert_eq!(
        delivery(&all, "sg-opened-to-world", "plain").message.body,
        "ops \"night\" shift\n東京 opened a security group (sg-opened-to-world)"
    );
}

#[test]
fn the_whole_envelope_body_keeps_the_documented_field_order_and_extensions() {
    let all = deliveries(&envelope());
    let body = &delivery(&all, "sg-opened-to-world", "whole").message.body;
    assert!(body.starts_with(r#"{"specversion":"1.0","id":"5e9e3bc4-2c4b-4a5c-9b0e-1f2a3b4c5d6e","source":"vpc.cloud.tencent","type""#), "{body}");
    assert!(
        body.contains(r#""traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01""#),
        "{body}"
    );
}

#[test]
fn a_path_that_leads_nowhere_sends_null() {
    let mut event = envelope();
    event["data"]
        .as_object_mut()
        .expect("object")
        .remove("requestParameters");
    event["source"] = json!("vpc.cloud.tencent");
    // Without requestParameters the security-group rule no longer matches; check the
    // path input through a rule of its own.
    let text = json!({"rules": [{"name": "params", "pattern": {"source": ["vpc.cloud.tencent"]},
        "targets": [{"queue": "https://h/1/q", "input": {"path": "$.data.requestParameters"}}]}]})
    .to_string();
    let rules = RulesFile::parse(&text, Dialect::Default)
        .and_then(|f| f.compile(&|_: &str| None))
        .expect("compiles");
    let evaluation = rules.evaluate(&event.to_string()).expect("an envelope");
    assert_eq!(evaluation.deliveries.len(), 1);
    assert_eq!(evaluation.deliveries[0].message.body, "null");
}

#[test]
fn attributes_name_rule_target_event_and_key() {
    let event = envelope();
    let all = deliveries(&event);
    let page = delivery(&all, "sg-opened-to-world", "page");
    let expected: BTreeMap<String, String> = [
        ("rule", "sg-opened-to-world"),
        ("target", "page"),
        ("event-id", "5e9e3bc4-2c4b-4a5c-9b0e-1f2a3b4c5d6e"),
        ("source", "vpc.cloud.tencent"),
        ("type", "vpc:CloudEvent:ApiCall"),
        (
            "idempotency-key",
            &idempotency_key(
                "5e9e3bc4-2c4b-4a5c-9b0e-1f2a3b4c5d6e",
                "sg-opened-to-world",
                "page",
            ),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(page.message.attributes, expected);
}

#[test]
fn standard_queues_get_no_group_or_dedup_id() {
    for d in deliveries(&envelope())
        .iter()
        .filter(|d| !is_fifo_queue(&d.queue_url))
    {
        assert_eq!(d.message.group_id, None, "{}", d.target_id);
        assert_eq!(d.message.dedup_id, None, "{}", d.target_id);
    }
}

#[test]
fn fifo_queues_group_by_subject_by_path_or_by_literal() {
    let event = envelope();
    let all = deliveries(&event);
    let group = |rule: &str, target: &str| delivery(&all, rule, target).message.group_id.clone();
    let subject = event["subject"].as_str().expect("subject").to_string();
    assert_eq!(
        group("sg-opened-to-world", "timeline"),
        Some(subject.clone())
    );
    assert_eq!(group("any-vpc-write", "target-0"), Some(subject));
    assert_eq!(
        group("sg-opened-to-world", "by-account"),
        Some("100015007673".to_string())
    );
    assert_eq!(
        group("sg-opened-to-world", "one-group"),
        Some("security".to_string())
    );
    for d in all.iter().filter(|d| is_fifo_queue(&d.queue_url)) {
        assert_eq!(
            d.message.dedup_id.as_deref(),
            d.message
                .attributes
                .get("idempotency-key")
                .map(String::as_str)
        );
    }
}

#[test]
fn group_ids_from_data_are_made_acceptable_to_sqs() {
    let mut event = envelope();
    event["data"]["userIdentity"]["accountId"] = json!(100015007673_u64);
    let numeric = deliveries(&event);
    assert_eq!(
        delivery(&numeric, "sg-opened-to-world", "by-account")
            .message
            .group_id
            .as_deref(),
        Some("100015007673")
    );

    event["data"]["userIdentity"]["accountId"] = json!("team 東京");
    event["subject"] = json!("x".repeat(300));
    let odd = deliveries(&event);
    let by_account = delivery(&odd, "sg-opened-to-world", "by-account")
        .message
        .group_id
        .clone()
        .expect("FIFO");
    let by_subject = delivery(&odd, "sg-opened-to-world", "timeline")
        .message
        .group_id
        .clone()
        .expect("FIFO");
    assert!(
        is_valid_fifo_id(&by_account) && by_account.starts_with("team#"),
        "{by_account}"
    );
    assert!(
        is_valid_fifo_id(&by_subject) && by_subject.len() == 128,
        "{by_subject}"
    );
    assert_eq!(deliveries(&event), odd, "stable");

    event["data"]["userIdentity"]
        .as_object_mut()
        .expect("object")
        .remove("accountId");
    let missing = deliveries(&event);
    assert_eq!(
        delivery(&missing, "sg-opened-to-world", "by-account")
            .message
            .group_id,
        delivery(&missing, "sg-opened-to-world", "timeline")
            .message
            .group_id,
        "a path that leads nowhere groups by subject"
    );
}

#[test]
fn idempotency_keys_are_stable_and_distinct() {
    let event = envelope();
    let first = deliveries(&event);
    assert_eq!(
        deliveries(&event),
        first,
        "a re-delivered event plans the same messages"
    );
    let keys: HashSet<&str> = first
        .iter()
        .map(|d| d.message.attributes["idempotency-key"].as_str())
        .collect();
    assert_eq!(keys.len(), first.len(), "one key per (rule, target)");

    let mut other = event.clone();
    other["id"] = json!("another-event");
    let second = deliveries(&other);
    for (a, b) in first.iter().zip(&second) {
        assert_ne!(
            a.message.attributes["idempotency-key"],
            b.message.attributes["idempotency-key"]
        );
    }

    // The key is part of the contract with consumers: it must never change.
    assert_eq!(
        idempotency_key(
            "5e9e3bc4-2c4b-4a5c-9b0e-1f2a3b4c5d6e",
            "sg-opened-to-world",
            "whole"
        ),
        "8e956ab1-90fc-5e1a-9ce7-ade7493990ed"
    );
    let triples = [
        ("e", "rule-a", "t"),
        ("e", "rule-at", ""),
        ("e2", "rule-a", "t"),
        ("e", "rule-b", "t"),
        ("e", "rule-a", "u"),
    ];
    let distinct: HashSet<String> = triples
        .iter()
        .map(|(e, r, t)| idempotency_key(e, r, t))
        .collect();
    assert_eq!(distinct.len(), triples.len());
}

#[test]
fn events_that_match_nothing_plan_nothing() {
    let mut event = envelope();
    event["source"] = json!("cvm.cloud.tencent");
    let evaluation = compiled()
        .evaluate(&event.to_string())
        .expect("an envelope");
    assert!(evaluation.matched.is_empty());
    assert!(evaluation.deliveries.is_empty());
}

#[test]
fn rules_without_targets_match_but_deliver_nothing() {
    let mut event = envelope();
    event["source"] = json!("cam.cloud.tencent");
    let evaluation = compiled()
        .evaluate(&event.to_string())
        .expect("an envelope");
    assert_eq!(evaluation.matched, ["no-targets"]);
    assert!(evaluation.deliveries.is_empty());

    let patterns_only = RulesFile::parse(&fixture("valid.json"), Dialect::Default)
        .and_then(RulesFile::compile_patterns_only)
        .expect("compiles");
    let evaluation = patterns_only
        .evaluate(&fixture("sg-open-envelope.json"))
        .expect("an envelope");
    assert_eq!(evaluation.matched, ["sg-opened-to-world", "any-vpc-write"]);
    assert!(evaluation.deliveries.is_empty());
}

#[test]
fn disabled_rules_never_match() {
    let evaluation = compiled()
        .evaluate(&fixture("sg-open-envelope.json"))
        .expect("an envelope");
    assert!(!evaluation.matched.iter().any(|name| name == "switched-off"));
}

#[test]
fn text_that_is_not_an_envelope_is_an_error_even_when_nothing_would_match() {
    let rules = compiled();
    let mut event = envelope();
    event["source"] = json!("cvm.cloud.tencent");
    event["time"] = json!("2021-08-26 15:39:00");
    let error = rules
        .evaluate(&event.to_string())
        .expect_err("time is not a number");
    assert!(
        error.to_string().starts_with("not an event envelope: field time: invalid type: string \"2021-08-26 15:39:00\", expected i64"),
        "{error}"
    );
    let mut event = envelope();
    event.as_object_mut().expect("object").remove("subject");
    assert!(rules
        .evaluate(&event.to_string())
        .expect_err("no subject")
        .to_string()
        .starts_with("not an event envelope: missing field `subject`"));
    assert!(rules.evaluate("{\"raw\": true").is_err());
    assert!(rules.evaluate(r#"{"eventName": "StopInstances"}"#).is_err());
}

#[test]
fn characters_sqs_refuses_do_not_reach_the_queue() {
    let mut event = envelope();
    event["data"]["userIdentity"]["userName"] = json!("bad\u{1}\u{FFFF}name");
    let all = deliveries(&event);
    for d in &all {
        assert!(
            d.message.body.chars().all(|c| !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{FFFE}' | '\u{FFFF}')),
            "{}: {:?}",
            d.target_id,
            d.message.body
        );
    }
    assert_eq!(
        body_json(delivery(&all, "sg-opened-to-world", "whole")),
        event,
        "JSON bodies keep their meaning"
    );
    assert_eq!(
        delivery(&all, "sg-opened-to-world", "plain").message.body,
        "bad\u{FFFD}\u{FFFD}name opened a security group (sg-opened-to-world)"
    );
}
