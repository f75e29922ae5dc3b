use serde_json::Value;

use crate::common::*;

const RULES: &str = "rules/security.json";
const SAMPLES: &str = "samples/audit-history.jsonl";

/// Every sample match, each rule delivering to its `page` and `timeline` targets.
fn expected_deliveries() -> Vec<(String, String, &'static str)> {
    sample_matches()
        .into_iter()
        .flat_map(|(line, rule)| {
            [
                (sample_event(line), rule.clone(), "page"),
                (sample_event(line), rule, "timeline"),
            ]
        })
        .collect()
}

fn deliveries(lines: &[Value]) -> Vec<(String, String, &str)> {
    lines
        .iter()
        .map(|line| {
            (
                line["event"].as_str().expect("event").to_string(),
                line["rule"].as_str().expect("rule").to_string(),
                line["target"].as_str().expect("target"),
            )
        })
        .collect()
}

const SAMPLE_SUMMARY: &str = "normalized 12, skipped 1 (reads), failed 0
rule sg-opened-to-world: matched 1 events, 2 deliveries, 0 failed
rule cam-policy-attached-to-user: matched 1 events, 2 deliveries, 0 failed
rule instance-or-database-deleted: matched 2 events, 4 deliveries, 0 failed
rule kms-key-disabled-or-deleted: matched 1 events, 2 deliveries, 0 failed
rule audit-trail-stopped: matched 2 events, 4 deliveries, 0 failed
";

#[test]
fn the_quick_start_prints_exactly_the_expected_deliveries_with_no_environment() {
    let output = run(auditbridge().args(["run", "--rules", RULES, SAMPLES]));
    assert_status(&output, 0);
    let lines = json_lines(&output);
    assert_eq!(deliveries(&lines), expected_deliveries());
    assert_eq!(stderr(&output), SAMPLE_SUMMARY);

    for line in &lines {
        let queue = if line["target"] == "page" {
            "${SECURITY_ALERTS_QUEUE_URL}"
        } else {
            "${AUDIT_TIMELINE_QUEUE_URL}"
        };
        assert_eq!(line["queue"], queue, "{line}");
        // Whether an unknown queue is FIFO is unknown: no group is claimed.
        assert!(line.get("messageGroupId").is_none(), "{line}");
    }
    // Timeline messages carry the whole envelope; page messages the rule's alert.
    let timeline = &lines[1];
    assert_eq!(timeline["body"]["id"], sample_event(1));
    assert_eq!(timeline["body"]["source"], "vpc.cloud.tencent");
    let page = &lines[0];
    assert_eq!(page["body"]["severity"], "high");
    assert!(
        page["body"]["summary"]
            .as_str()
            .expect("summary")
            .contains("sg-5k1q8z3w"),
        "{page}"
    );
    let kms_page = &lines[8];
    assert_eq!(kms_page["rule"], "kms-key-disabled-or-deleted");
    assert_eq!(kms_page["body"]["eventName"], "ScheduleKeyDeletion");
}

#[test]
fn set_variables_are_resolved_and_fifo_targets_show_their_group() {
    let alerts = "https://sqs.ap-guangzhou.amazonaws.com/123456789012/alerts";
    let timeline = "https://sqs.ap-guangzhou.amazonaws.com/123456789012/timeline.fifo";
    let output = run(auditbridge()
        .args(["run", "--rules", RULES, SAMPLES])
        .env("SECURITY_ALERTS_QUEUE_URL", alerts)
        .env("AUDIT_TIMELINE_QUEUE_URL", timeline));
    assert_status(&output, 0);
    let lines = json_lines(&output);
    assert_eq!(deliveries(&lines), expected_deliveries());
    for line in &lines {
        if line["target"] == "page" {
            assert_eq!(line["queue"], alerts);
            assert!(line.get("messageGroupId").is_none(), "{line}");
        } else {
            assert_eq!(line["queue"], timeline);
            // One group per resource: the envelope's subject.
            assert_eq!(line["messageGroupId"], line["body"]["subject"], "{line}");
        }
    }
}

#[test]
fn only_the_unset_variables_are_kept_as_written() {
    let alerts = "https://sqs.ap-guangzhou.amazonaws.com/123456789012/alerts";
    let output = run(auditbridge()
        .args(["run", "--rules", RULES, SAMPLES])
        .env("SECURITY_ALERTS_QUEUE_URL", alerts));
    assert_status(&output, 0);
    for line in json_lines(&output) {
        let expected = if line["target"] == "page" {
            alerts
        } else {
            "${AUDIT_TIMELINE_QUEUE_URL}"
        };
        assert_eq!(line["queue"], expected, "{line}");
    }
}

#[test]
fn records_from_stdin_in_any_form_are_run() {
    let history = std::fs::read_to_string(repo_file(SAMPLES)).expect("samples");
    // The first record, pretty-printed inside a JSON array: not JSON lines.
    let first: Value = serde_json::from_str(history.lines().next().expect("a line")).expect("JSON");
    let array = serde_json::to_string_pretty(&Value::Array(vec![first])).expect("serializes");
    let output = run_with_stdin(
        auditbridge().args(["run", "--rules", RULES]),
        array.as_bytes(),
    );
    assert_status(&output, 0);
    assert_eq!(
        deliveries(&json_lines(&output)),
        expected_deliveries()[..2].to_vec()
    );
}

#[test]
fn a_record_that_fails_to_normalize_makes_the_run_fail() {
    let output = run(auditbridge().args([
        "run",
        "--rules",
        RULES,
        "cli/tests/fixtures/records-with-bad-line.jsonl",
    ]));
    assert_status(&output, 1);
    assert_eq!(stdout(&output), "");
    let stderr = stderr(&output);
    assert!(
        stderr.starts_with(
            "cli/tests/fixtures/records-with-bad-line.jsonl: line 2 (eventID bad00000-0000-4000-8000-000000000002): field eventTime: "
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("\nnormalized 2, skipped 1 (reads), failed 1\n"),
        "{stderr}"
    );
}

#[test]
fn sending_needs_every_queue_variable_before_anything_is_sent() {
    let output = run(auditbridge()
        .args(["run", "--sqs", "--rules", RULES, SAMPLES])
        .env(
            "SECURITY_ALERTS_QUEUE_URL",
            "https://sqs.ap-guangzhou.amazonaws.com/1/alerts",
        ));
    assert_status(&output, 2);
    assert_eq!(stdout(&output), "");
    let stderr = stderr(&output);
    // Every rule's timeline target, and nothing about the alerts queue.
    assert_eq!(stderr.lines().count(), 5, "{stderr}");
    for line in stderr.lines() {
        assert!(line.starts_with("rules/security.json: rule "), "{line}");
        assert!(line.contains("targets[1].queue: "), "{line}");
        assert!(
            line.contains("AUDIT_TIMELINE_QUEUE_URL is not set"),
            "{line}"
        );
    }
}

#[test]
fn rules_without_targets_are_run_with_a_warning() {
    // The evaluate function refuses such a file; a backtest of it says so up front.
    let dir = scratch_dir("run-targetless");
    let rules = dir.join("rules.json");
    std::fs::write(
        &rules,
        r#"{"rules": [
            {"name": "vpc-any", "pattern": {"source": ["vpc.cloud.tencent"]}},
            {"name": "cvm-off", "enabled": false, "pattern": {"source": ["cvm.cloud.tencent"]}},
            {"name": "cam-any", "pattern": {"source": ["cam.cloud.tencent"]},
             "targets": [{"queue": "${CAM_QUEUE_URL}"}]}
        ]}"#,
    )
    .expect("write");
    let run_rules = || {
        run(auditbridge()
            .arg("run")
            .arg("--rules")
            .arg(&rules)
            .arg(SAMPLES))
    };
    let output = run_rules();
    assert_status(&output, 0);
    let err = stderr(&output);
    assert!(
        err.starts_with(&format!(
            "{}: warning: enabled rules without targets are counted but deliver nowhere, and the evaluate function refuses to start with them: vpc-any\n",
            rules.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("\nrule vpc-any: matched 2 events, 0 deliveries, 0 failed\n"),
        "{err}"
    );
    let quiet = run(auditbridge().args(["run", "--rules", RULES, SAMPLES]));
    assert!(!stderr(&quiet).contains("warning"), "{}", stderr(&quiet));

    std::fs::write(&rules, r#"{"rules": []}"#).expect("write");
    let output = run_rules();
    assert_status(&output, 0);
    assert!(
        stderr(&output).starts_with(&format!(
            "{}: warning: no enabled rules, and the evaluate function refuses to start without one\n",
            rules.display()
        )),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_live_feed_prints_each_delivery_as_its_record_arrives() {
    // `tail -f export | auditbridge run ...`: the record's deliveries come out while the
    // input is still open.
    let (line, rule) = sample_matches().into_iter().next().expect("a sample match");
    let samples = std::fs::read_to_string(repo_file(SAMPLES)).expect("samples");
    let record = samples
        .lines()
        .nth(line as usize - 1)
        .expect("the matching record");
    let mut live = Live::spawn(auditbridge().args(["run", "--rules", RULES]));
    live.feed(&format!("{record}\n"));
    for target in ["page", "timeline"] {
        let delivery: Value = serde_json::from_str(&live.next_line()).expect("a delivery");
        assert_eq!(
            delivery["event"].as_str(),
            Some(sample_event(line).as_str())
        );
        assert_eq!(delivery["rule"].as_str(), Some(rule.as_str()));
        assert_eq!(delivery["target"].as_str(), Some(target));
    }
    let (status, rest) = live.finish();
    assert_eq!(status.code(), Some(0));
    assert_eq!(rest, Vec::<String>::new());
}

/// The record of the first sample match, with a `padding` field of `bytes` bytes, which
/// the envelope carries in its `data`.
fn padded_sample_record(bytes: usize) -> (String, String, Value) {
    let (line, rule) = sample_matches().into_iter().next().expect("a sample match");
    let samples = std::fs::read_to_string(repo_file(SAMPLES)).expect("samples");
    let mut record: Value =
        serde_json::from_str(samples.lines().nth(line as usize - 1).expect("a record"))
            .expect("JSON");
    record["padding"] = Value::String("x".repeat(bytes));
    (sample_event(line), rule, record)
}

#[test]
fn a_record_whose_envelope_normalize_would_refuse_fails_in_the_backtest_too() {
    // 300 KB of padding: the envelope is over SQS's 256 KiB, so the normalize function
    // fails the record and nothing is delivered, not even the rule's small `page` body.
    let (event, _, record) = padded_sample_record(300_000);
    let output = run_with_stdin(
        auditbridge().args(["run", "--rules", RULES]),
        format!("{record}\n").as_bytes(),
    );
    assert_status(&output, 1);
    assert_eq!(json_lines(&output), Vec::<Value>::new());
    let err = stderr(&output);
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("<stdin>: event {event}: envelope size ")),
        "{err}"
    );
    assert!(
        first.ends_with(
            " bytes (body plus attributes) exceeds the message limit of 262144 bytes less the 209 bytes a target delivering the whole envelope adds"
        ),
        "{err}"
    );
    assert!(
        err.contains("\nnormalized 1, skipped 0 (reads), failed 1\n"),
        "{err}"
    );
}

#[test]
fn a_message_sqs_would_refuse_is_a_failed_delivery_when_printed_too() {
    // The envelope fits, but the `twice` target's template puts the record in its body
    // twice, past SQS's 256 KiB; the `name` target's body is small and goes out.
    let (event, _, record) = padded_sample_record(150_000);
    let dir = scratch_dir("run-refused-delivery");
    let rules = dir.join("rules.json");
    let queue = "https://sqs.us-east-1.amazonaws.com/123456789012/q";
    let file = serde_json::json!({"rules": [{
        "name": "doubled",
        "pattern": {"data": {"padding": [{"prefix": "x"}]}},
        "targets": [
            {"id": "name", "queue": queue, "input": {"path": "$.data.eventName"}},
            {"id": "twice", "queue": queue, "input": {
                "paths": {"d": "$.data"},
                "template": "{\"a\": <d>, \"b\": <d>}"
            }}
        ]
    }]});
    std::fs::write(&rules, file.to_string()).expect("write rules");
    let output = run_with_stdin(
        auditbridge().arg("run").arg("--rules").arg(&rules),
        format!("{record}\n").as_bytes(),
    );
    assert_status(&output, 1);
    let printed = json_lines(&output);
    assert_eq!(
        deliveries(&printed),
        vec![(event.clone(), "doubled".to_string(), "name")]
    );
    let err = stderr(&output);
    let failed = format!(
        "delivery failed: event {event}, rule doubled, target twice ({queue}): message not sent to {queue}: "
    );
    assert!(err.starts_with(&failed), "{err}");
    assert!(
        err.lines()
            .next()
            .is_some_and(|first| first
                .ends_with(" bytes exceed the 262144-byte limit (body plus attributes)")),
        "{err}"
    );
    assert!(
        err.contains("\nrule doubled: matched 1 events, 2 deliveries, 1 failed\n"),
        "{err}"
    );
}
