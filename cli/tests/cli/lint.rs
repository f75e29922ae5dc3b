//! `auditbridge lint` and `validate-rules --lint`. The texts of the findings are the
//! library's (asserted one by one in `shared/tests/lint_findings.rs`); these tests check
//! what the command adds: file names, the summary, exit statuses and flags.

use crate::common::*;

fn lint(args: &[&str]) -> std::process::Output {
    run(auditbridge().arg("lint").args(args))
}

const FLAWED: &str = "cli/tests/fixtures/rules-flawed.json";

#[test]
fn lint_the_example_rules_are_clean() {
    let output = lint(&["rules/security.json"]);
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "OK: 5 rules in 1 file, no findings\n");
    assert_eq!(stderr(&output), "");
}

#[test]
fn lint_prints_each_finding_with_its_file_then_a_count() {
    let output = lint(&[FLAWED]);
    assert_status(&output, 0);
    assert_eq!(
        stdout(&output),
        r#"cli/tests/fixtures/rules-flawed.json: warning: rule sg-open: pattern.data.eventname: no CloudAudit envelope has this field; did you mean data.eventName?
cli/tests/fixtures/rules-flawed.json: warning: rule sg-open: pattern.source[0]: "vpc.tencentcloudapi.com" never matches: CloudAudit sources are "<product>.cloud.tencent"; did you mean "vpc.cloud.tencent"?
cli/tests/fixtures/rules-flawed.json: warning: rule big-errors: pattern.data.errorMessage[0]: {"numeric":[">",0]} never matches: CloudAudit writes data.errorMessage as a string; compare it as a string (an exact value, prefix or wildcard)
cli/tests/fixtures/rules-flawed.json: warning: rule who-looked: pattern.data.eventName[0]: {"prefix":"List"} names a read-only API (List...), and only write calls are delivered; if this rule must see reads, deliver them: ACTION_TYPES=Write,Read on the normalize function (auditbridge: --action-types write,read)
cli/tests/fixtures/rules-flawed.json: warning: rule everything: pattern: matches every CloudAudit event: source [{"prefix":""}] holds for all of them; add a condition that selects the events this rule is for, such as source and data.eventName
cli/tests/fixtures/rules-flawed.json: warning: rule who-looked-again: pattern.data.eventName[0]: {"prefix":"List"} names a read-only API (List...), and only write calls are delivered; if this rule must see reads, deliver them: ACTION_TYPES=Write,Read on the normalize function (auditbridge: --action-types write,read)
cli/tests/fixtures/rules-flawed.json: warning: rule who-looked-again: pattern: same pattern as rule who-looked, so both match exactly the same events; merge the targets of who-looked-again into who-looked and delete who-looked-again
0 errors, 7 warnings
"#
    );
}

#[test]
fn lint_warnings_fail_only_with_deny_warnings() {
    let output = lint(&["--deny-warnings", FLAWED]);
    assert_status(&output, 1);
    assert!(stdout(&output).ends_with("\n0 errors, 7 warnings\n"));
    let output = lint(&["--deny-warnings", "rules/security.json"]);
    assert_status(&output, 0);
}

#[test]
fn lint_invalid_and_unreadable_files_are_errors() {
    let output = lint(&[
        "shared/tests/fixtures/lint/invalid.json",
        "rules/security.json",
        "no-such-rules.json",
    ]);
    assert_status(&output, 1);
    assert_eq!(
        stdout(&output),
        r#"shared/tests/fixtures/lint/invalid.json: error: rule bad-prefix: pattern.source[0].prefix: prefix match pattern must be a string
shared/tests/fixtures/lint/invalid.json: error: rules[1]: name: duplicate rule name "bad-prefix" (first used by rules[0])
no-such-rules.json: error: cannot read no-such-rules.json: No such file or directory (os error 2)
3 errors, 0 warnings
"#
    );
}

#[test]
fn lint_reads_are_fine_when_they_are_delivered() {
    let reads = "shared/tests/fixtures/lint/reads.json";
    let output = lint(&[reads]);
    assert!(
        stdout(&output).ends_with("\n0 errors, 5 warnings\n"),
        "{}",
        stdout(&output)
    );
    let output = lint(&["--action-types", "write,read", reads]);
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "OK: 2 rules in 1 file, no findings\n");
}

#[test]
fn lint_follows_the_dialect() {
    let dir = scratch_dir("lint_follows_the_dialect");
    let path = dir.join("bare.json");
    std::fs::write(
        &path,
        r#"{"rules": [{"name": "bare", "pattern": {"source": "cvm.cloud.tencent"}}]}"#,
    )
    .expect("write");
    let output = run(auditbridge().arg("lint").arg(&path));
    assert_status(&output, 0);
    let output = run(auditbridge().args(["lint", "--dialect", "aws"]).arg(&path));
    assert_status(&output, 1);
    assert!(stdout(&output)
        .contains(r#": error: rule bare: pattern.source: "source" must be an object or an array"#));
}

#[test]
fn validate_rules_lint_adds_warnings_without_failing() {
    let output = run(auditbridge().args(["validate-rules", "--lint", FLAWED]));
    assert_status(&output, 0);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 8, "{text}");
    assert_eq!(
        lines[0],
        "cli/tests/fixtures/rules-flawed.json: warning: rule sg-open: pattern.data.eventname: no CloudAudit envelope has this field; did you mean data.eventName?"
    );
    assert_eq!(lines[7], "OK: 5 rules in 1 file");
    // Without --lint, validate-rules is unchanged.
    let output = run(auditbridge().args(["validate-rules", FLAWED]));
    assert_eq!(stdout(&output), "OK: 5 rules in 1 file\n");
}

#[test]
fn validate_rules_lint_reads_a_file_from_stdin_once() {
    // Linting used to read the file a second time, which finds stdin empty.
    let flawed = std::fs::read(repo_file(FLAWED)).expect("fixture");
    let output = run_with_stdin(
        auditbridge().args(["validate-rules", "--lint", "-"]),
        &flawed,
    );
    assert_status(&output, 0);
    let from_file = run(auditbridge().args(["validate-rules", "--lint", FLAWED]));
    assert_eq!(
        stdout(&output),
        stdout(&from_file).replace(FLAWED, "<stdin>"),
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn validate_rules_takes_action_types_only_with_lint() {
    let reads = "shared/tests/fixtures/lint/reads.json";
    let output = run(auditbridge().args(["validate-rules", "--action-types", "write,read", reads]));
    assert_status(&output, 2);
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "error: --action-types is for linting: add --lint\n"
    );
    // With --lint it decides which reads are findings, as in `lint`.
    let output = run(auditbridge().args([
        "validate-rules",
        "--lint",
        "--action-types",
        "write,read",
        reads,
    ]));
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "OK: 2 rules in 1 file\n");
    let output = run(auditbridge().args(["validate-rules", "--lint", reads]));
    assert_eq!(stdout(&output).lines().count(), 6, "{}", stdout(&output));
}
