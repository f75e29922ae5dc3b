use auditbridge_shared::pattern::Dialect;
use auditbridge_shared::rules::{RuleRef, RulesFile};

use crate::common::*;

const BROKEN: &str = "cli/tests/fixtures/rules-broken.json";

#[test]
fn the_example_rules_are_ok_without_any_queue_variables() {
    let output = run(auditbridge().args(["validate-rules", "rules/security.json"]));
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "OK: 5 rules in 1 file\n");
    assert_eq!(stderr(&output), "");
}

#[test]
fn rules_are_counted_over_every_file() {
    let output = run(auditbridge().args([
        "validate-rules",
        "--dialect",
        "aws",
        "rules/security.json",
        "cli/tests/fixtures/rules-small.json",
    ]));
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "OK: 8 rules in 2 files\n");
}

#[test]
fn a_broken_file_lists_every_problem_with_rule_and_path() {
    let output = run(auditbridge().args(["validate-rules", BROKEN]));
    assert_status(&output, 1);

    let text = std::fs::read_to_string(repo_file(BROKEN)).expect("fixture");
    let error = RulesFile::parse(&text, Dialect::Default).expect_err("broken");
    let places: Vec<(RuleRef, &str)> = error
        .problems()
        .iter()
        .map(|problem| (problem.rule().clone(), problem.path()))
        .collect();
    let named = |name: &str| RuleRef::Named(name.to_string());
    for expected in [
        (named("bad-pattern"), "pattern.data.eventName[0].prefix"),
        (RuleRef::Index(1), "name"),
        (named("bad-queue"), "targets[0].queue"),
        (named("typo-in-key"), "pattern"),
    ] {
        assert!(places.contains(&expected), "{expected:?} not in {places:?}");
    }
    let expected: String = error
        .problems()
        .iter()
        .map(|problem| format!("{BROKEN}: {problem}\n"))
        .collect();
    assert_eq!(stdout(&output), expected);
    assert!(stdout(&output).starts_with(&format!(
        "{BROKEN}: rule bad-pattern: pattern.data.eventName[0].prefix: "
    )));
}

#[test]
fn problems_in_one_file_do_not_hide_the_others() {
    let output = run(auditbridge().args([
        "validate-rules",
        BROKEN,
        "rules/security.json",
        "no/such/rules.json",
    ]));
    assert_status(&output, 1);
    let stdout = stdout(&output);
    assert!(stdout.starts_with(&format!("{BROKEN}: ")), "{stdout}");
    let last = stdout.lines().last().expect("a line");
    assert!(
        last.starts_with("cannot read no/such/rules.json: "),
        "{last}"
    );
    assert!(!stdout.contains("OK"), "{stdout}");
}

#[test]
fn the_aws_dialect_rejects_what_only_tencent_accepts() {
    let dir = scratch_dir("validate-aws");
    let rules = dir.join("tencent-only.json");
    std::fs::write(
        &rules,
        r#"{"rules": [{"name": "bare", "pattern": {"source": "cvm.cloud.tencent"},
            "targets": [{"queue": "${Q}"}]}]}"#,
    )
    .expect("write");
    let output = run(auditbridge().arg("validate-rules").arg(&rules));
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "OK: 1 rule in 1 file\n");

    let output = run(auditbridge()
        .args(["validate-rules", "--dialect", "aws"])
        .arg(&rules));
    assert_status(&output, 1);
    assert!(
        stdout(&output).starts_with(&format!("{}: rule bare: pattern.source: ", rules.display())),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_rules_file_may_start_with_a_byte_order_mark() {
    let dir = scratch_dir("validate-bom");
    let rules = dir.join("saved-by-notepad.json");
    let mut text = "\u{feff}".as_bytes().to_vec();
    text.extend(std::fs::read(repo_file("rules/security.json")).expect("rules"));
    std::fs::write(&rules, text).expect("write");
    let plain = run(auditbridge().args(["validate-rules", "rules/security.json"]));
    let output = run(auditbridge().arg("validate-rules").arg(&rules));
    assert_status(&output, 0);
    assert_eq!(stdout(&output), stdout(&plain));
    assert!(stdout(&output).starts_with("OK: "), "{}", stdout(&output));
}

#[test]
fn stdin_can_be_named_only_once() {
    // Refused before stdin is read (so it is left empty here).
    for command in ["validate-rules", "lint"] {
        let output = run(auditbridge().args([command, "-", "-"]));
        assert_status(&output, 2);
        assert_eq!(stdout(&output), "", "{command}");
        assert_eq!(
            stderr(&output),
            "error: `-` (stdin) can be given only once\n",
            "{command}"
        );
    }
}

#[test]
fn a_rules_file_that_is_not_utf8_names_where() {
    let dir = scratch_dir("validate-latin1");
    let rules = dir.join("latin1.json");
    let mut text = b"{\"rules\": [\n  {\"name\": \"caf".to_vec();
    text.push(0xe9); // Latin-1 'é'
    text.extend(b"\", \"pattern\": {\"source\": [\"a\"]}}\n]}\n");
    std::fs::write(&rules, text).expect("write");
    let output = run(auditbridge().arg("validate-rules").arg(&rules));
    assert_status(&output, 1);
    assert_eq!(
        stdout(&output),
        format!(
            "cannot read {}: not UTF-8 text at line 2, column 16\n",
            rules.display()
        )
    );
}
