//! `auditbridge run --report [--progress]`: a backtest over an exported history.

use crate::common::*;

const INPUTS: &[&str] = &[
    "shared/tests/fixtures/cloudaudit/mixed-forms.jsonl",
    "shared/tests/fixtures/cloudaudit/vpc-createsecuritygrouppolicies-console-write.json",
    "shared/tests/fixtures/cloudaudit/cam-attachuserpolicy-miniprogram-write.json",
];

fn run_report(extra: &[&str]) -> std::process::Output {
    run(auditbridge()
        .args(["run", "--report", "--rules", "rules/security.json"])
        .args(extra)
        .args(INPUTS))
}

/// The report closes stderr, after the run's own summary.
const REPORT: &str = "report: 6 events evaluated against 5 rules
rule sg-opened-to-world: 1 event, e.g. 0b9f4c2e-8d71-4e0a-b5c3-2f1e0d9c8b7a
rule cam-policy-attached-to-user: 1 event, e.g. c3d2e1f0-aaaa-4bbb-8ccc-000000000042
rule instance-or-database-deleted: 0 events
rule kms-key-disabled-or-deleted: 0 events
rule audit-trail-stopped: 0 events
rules that matched nothing: instance-or-database-deleted, kms-key-disabled-or-deleted, audit-trail-stopped
";

#[test]
fn report_lists_matches_examples_and_silent_rules() {
    let output = run_report(&[]);
    // mixed-forms.jsonl holds records that fail on purpose.
    assert_status(&output, 1);
    let err = stderr(&output);
    assert!(err.ends_with(REPORT), "{err}");
    assert!(
        err.contains("rule sg-opened-to-world: matched 1 events, 2 deliveries, 0 failed\n"),
        "{err}"
    );
    // Not a terminal, not asked for: no progress lines.
    assert!(!err.contains("progress:"), "{err}");
    // Deliveries are still printed on stdout.
    assert_eq!(stdout(&output).lines().count(), 4);
}

#[test]
fn report_keeps_at_most_three_example_ids() {
    let dir = scratch_dir("report_keeps_at_most_three_example_ids");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo_file(INPUTS[2])).expect("fixture"))
            .expect("JSON");
    let mut lines = String::new();
    for i in 0..5 {
        let mut copy = record.clone();
        copy["eventID"] = serde_json::json!(format!("id-{i}"));
        lines.push_str(&copy.to_string());
        lines.push('\n');
    }
    let path = dir.join("five.jsonl");
    std::fs::write(&path, lines).expect("write");
    let output = run(auditbridge()
        .args(["run", "--report", "--rules", "rules/security.json"])
        .arg(&path));
    assert_status(&output, 0);
    assert!(
        stderr(&output)
            .contains("\nrule cam-policy-attached-to-user: 5 events, e.g. id-0, id-1, id-2\n"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn report_examples_name_each_event_once() {
    // Overlapping exports repeat records.
    let record = std::fs::read_to_string(repo_file(INPUTS[2])).expect("fixture");
    let record: serde_json::Value = serde_json::from_str(&record).expect("JSON");
    let line = record.to_string() + "\n";
    let output = run_with_stdin(
        auditbridge().args(["run", "--report", "--rules", "rules/security.json"]),
        line.repeat(3).as_bytes(),
    );
    assert_status(&output, 0);
    let id = record["eventID"].as_str().expect("an eventID");
    assert!(
        stderr(&output).contains(&format!(
            "\nrule cam-policy-attached-to-user: 3 events, e.g. {id}\n"
        )),
        "{}",
        stderr(&output)
    );
}

#[test]
fn progress_comes_every_two_seconds_on_a_slow_feed() {
    // Two records, the second more than the 2-second interval after the first: far
    // fewer than the records between two progress lines, yet one is due.
    use std::io::Write;
    use std::process::Stdio;

    let record = std::fs::read_to_string(repo_file(INPUTS[2])).expect("fixture");
    let line = serde_json::from_str::<serde_json::Value>(&record)
        .expect("JSON")
        .to_string()
        + "\n";
    let mut child = auditbridge()
        .args(["run", "--progress", "--rules", "rules/security.json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut feed = child.stdin.take().expect("stdin");
    feed.write_all(line.as_bytes()).expect("write");
    feed.flush().expect("flush");
    std::thread::sleep(std::time::Duration::from_millis(2_300));
    feed.write_all(line.as_bytes()).expect("write");
    drop(feed);
    let output = child.wait_with_output().expect("wait");
    assert_status(&output, 0);
    let err = stderr(&output);
    assert!(
        err.lines().any(|l| l.starts_with("progress: 2 records ")),
        "{err}"
    );
}

#[test]
fn progress_lines_come_every_n_records_when_asked_for() {
    let output = run_report(&["--progress", "--progress-every", "5"]);
    let err = stderr(&output);
    let progress: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect();
    assert_eq!(
        progress,
        vec![
            "progress: 5 records (normalized 3, skipped 1 (reads), failed 1); events matching a rule: 0",
            "progress: 10 records (normalized 4, skipped 2 (reads), failed 4); events matching a rule: 0",
        ],
        "{err}"
    );
    assert!(err.ends_with(REPORT));
}

#[test]
fn without_report_the_run_summary_is_unchanged() {
    let output = run(auditbridge()
        .args(["run", "--rules", "rules/security.json"])
        .args(INPUTS));
    let err = stderr(&output);
    assert!(!err.contains("report:"), "{err}");
    assert!(err.ends_with("rule audit-trail-stopped: matched 0 events, 0 deliveries, 0 failed\n"));
}
