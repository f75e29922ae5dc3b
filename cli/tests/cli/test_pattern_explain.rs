//! `auditbridge test-pattern --explain [--json]`.

use crate::common::*;

fn explain(event: &str, extra: &[&str]) -> std::process::Output {
    run(auditbridge()
        .args(["test-pattern", "--explain"])
        .arg("--pattern")
        .arg(fixture("pattern-sg-open.json"))
        .arg("--event")
        .arg(fixture(event))
        .args(extra))
}

#[test]
fn explain_says_why_split_array_elements_do_not_match() {
    let output = explain("event-sg-split.json", &[]);
    assert_status(&output, 0);
    assert_eq!(
        stdout(&output),
        r#"no match
  ok    data.requestParameters.SecurityGroupPolicySet.Ingress.Action ["ACCEPT"]: "ACCEPT" matches "ACCEPT" (at data.requestParameters.SecurityGroupPolicySet.Ingress[0].Action)
  ok    data.requestParameters.SecurityGroupPolicySet.Ingress.CidrBlock ["0.0.0.0/0"]: "0.0.0.0/0" matches "0.0.0.0/0" (at data.requestParameters.SecurityGroupPolicySet.Ingress[1].CidrBlock)
  ok    source ["vpc.cloud.tencent"]: "vpc.cloud.tencent" matches "vpc.cloud.tencent"
  every condition is met, but never all in the same element of the arrays they share (fields under one array element must match in that same element)
"#
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn explain_a_match_starts_with_match() {
    let output = explain("event-sg-open.json", &[]);
    assert_status(&output, 0);
    assert!(
        stdout(&output).starts_with("match\n  ok    "),
        "{}",
        stdout(&output)
    );
    assert!(!stdout(&output).contains("FAIL"));
}

#[test]
fn explain_json_is_one_json_document_with_the_verdict() {
    let output = explain("event-sg-split.json", &["--json"]);
    assert_status(&output, 0);
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1);
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json["matched"], false);
    assert_eq!(json["alternatives"][0]["arrayConflict"], true);
    assert_eq!(
        json["alternatives"][0]["conditions"][1]["values"],
        serde_json::json!([
            {"at": "data.requestParameters.SecurityGroupPolicySet.Ingress[0].CidrBlock", "value": "10.0.0.0/8", "satisfies": [], "reason": "not equal to \"0.0.0.0/0\""},
            {"at": "data.requestParameters.SecurityGroupPolicySet.Ingress[1].CidrBlock", "value": "0.0.0.0/0", "satisfies": [0], "reason": "matches \"0.0.0.0/0\""}
        ])
    );
    let output = explain("event-sg-open.json", &["--json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(json["matched"], true);
}

#[test]
fn explain_json_needs_explain_and_the_plain_result_is_unchanged() {
    let output = run(auditbridge()
        .args(["test-pattern", "--json", "--pattern"])
        .arg(fixture("pattern-sg-open.json"))
        .arg("--event")
        .arg(fixture("event-sg-split.json")));
    assert_status(&output, 2);
    assert_eq!(stdout(&output), "");
    let output = run(auditbridge()
        .args(["test-pattern", "--pattern"])
        .arg(fixture("pattern-sg-open.json"))
        .arg("--event")
        .arg(fixture("event-sg-split.json")));
    assert_eq!(stdout(&output), "{\"Result\":false}\n");
}

#[test]
fn explain_keeps_the_exit_status_of_an_invalid_pattern() {
    let output = run(auditbridge()
        .args(["test-pattern", "--explain", "--pattern"])
        .arg(fixture("pattern-bad-prefix.json"))
        .arg("--event")
        .arg(fixture("event-sg-open.json")));
    assert_status(&output, 2);
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).starts_with("invalid event pattern: data.eventName[0].prefix: "));
}
