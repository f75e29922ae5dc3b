//! Start-up: the rules are read and compiled once, and a problem stops the function
//! before it takes any event, with a message naming the rule and the problem.

mod common;

use std::path::PathBuf;
use std::process::Command;

use auditbridge_shared::rules::Dialect;
use common::packaged_config;
use evaluate_fn::{Config, RulesSource};

/// The function binary, started with only `vars` set; its exit status and stderr.
fn start(vars: &[(&str, &str)]) -> (std::process::ExitStatus, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_evaluate"))
        .env_clear()
        .envs(vars.iter().copied())
        .output()
        .expect("the evaluate binary runs");
    (
        output.status,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_function_does_not_start_when_a_queue_variable_is_unset() {
    let (status, stderr) = start(&[(
        "AUDIT_TIMELINE_QUEUE_URL",
        "https://sqs.us-east-1.amazonaws.com/123456789012/timeline.fifo",
    )]);
    assert!(!status.success());
    assert!(
        stderr.contains(
            "rule sg-opened-to-world: targets[0].queue: environment variable SECURITY_ALERTS_QUEUE_URL is not set (target \"page\")"
        ),
        "{stderr}"
    );
}

#[test]
fn the_function_does_not_start_with_an_invalid_rules_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rules.json");
    std::fs::write(
        &path,
        r#"{"rules": [{"name": "bad-prefix", "pattern": {"source": [{"prefix": 5}]},
             "targets": [{"queue": "https://sqs.us-east-1.amazonaws.com/1/q"}]}]}"#,
    )
    .expect("write rules");
    let (status, stderr) = start(&[("RULES_FILE", path.to_str().expect("utf-8 path"))]);
    assert!(!status.success());
    assert!(
        stderr.contains("rule bad-prefix: pattern.source[0].prefix"),
        "{stderr}"
    );
}

#[test]
fn a_missing_variable_fails_loading_with_the_rule_named() {
    let error = packaged_config()
        .load_rules(&|name| {
            (name == "SECURITY_ALERTS_QUEUE_URL")
                .then(|| "https://sqs.us-east-1.amazonaws.com/123456789012/alerts".to_string())
        })
        .expect_err("AUDIT_TIMELINE_QUEUE_URL is unset");
    let text = error.to_string();
    for rule in [
        "sg-opened-to-world",
        "cam-policy-attached-to-user",
        "instance-or-database-deleted",
        "kms-key-disabled-or-deleted",
        "audit-trail-stopped",
    ] {
        assert!(
            text.contains(&format!(
                "rule {rule}: targets[1].queue: environment variable AUDIT_TIMELINE_QUEUE_URL is not set"
            )),
            "{text}"
        );
    }
}

#[test]
fn rules_file_queue_variables_are_resolved_and_disabled_rules_left_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path: PathBuf = dir.path().join("rules.json");
    std::fs::write(
        &path,
        r#"{"rules": [
            {"name": "stops", "pattern": {"data": {"eventName": ["StopInstances"]}},
             "targets": [{"id": "q", "queue": "${QUEUE_HOST}/123456789012/stops"}]},
            {"name": "off", "enabled": false, "pattern": {"source": ["cvm.cloud.tencent"]},
             "targets": [{"queue": "${NEVER_SET}"}]}
        ]}"#,
    )
    .expect("write rules");
    let config = Config {
        rules: RulesSource::File(path),
        dialect: Dialect::Aws,
        max_message_bytes: 1024,
    };
    let rules = config
        .load_rules(&|name| (name == "QUEUE_HOST").then(|| "http://127.0.0.1:5000".to_string()))
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(rules.rules().len(), 1);
    assert_eq!(
        rules.rules()[0].targets()[0].queue_url(),
        "http://127.0.0.1:5000/123456789012/stops"
    );
}
