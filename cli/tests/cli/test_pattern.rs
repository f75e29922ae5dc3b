use auditbridge_shared::pattern::{Dialect, Pattern};

use crate::common::*;

/// `test-pattern` with the pattern file at `pattern` and the event on stdin.
fn test_pattern_stdin(pattern: &std::path::Path, event: &[u8]) -> std::process::Output {
    run_with_stdin(
        auditbridge()
            .arg("test-pattern")
            .arg("--pattern")
            .arg(pattern)
            .args(["--event", "-"]),
        event,
    )
}

fn test_pattern(pattern: &str, event: &str, extra: &[&str]) -> std::process::Output {
    run(auditbridge()
        .arg("test-pattern")
        .arg("--pattern")
        .arg(fixture(pattern))
        .arg("--event")
        .arg(fixture(event))
        .args(extra))
}

#[test]
fn a_matching_event_prints_result_true() {
    let output = test_pattern("pattern-sg-open.json", "event-sg-open.json", &[]);
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "{\"Result\":true}\n");
    assert_eq!(stderr(&output), "");
}

#[test]
fn fields_under_one_array_element_must_match_in_that_element() {
    let output = test_pattern("pattern-sg-open.json", "event-sg-split.json", &[]);
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "{\"Result\":false}\n");
}

#[test]
fn an_invalid_pattern_names_the_path_and_exits_2() {
    let output = test_pattern("pattern-bad-prefix.json", "event-sg-open.json", &[]);
    assert_status(&output, 2);
    assert_eq!(stdout(&output), "");
    let text = std::fs::read_to_string(fixture("pattern-bad-prefix.json")).expect("fixture");
    let error = Pattern::parse(&text, Dialect::Default).expect_err("invalid");
    assert_eq!(error.path(), "data.eventName[0].prefix");
    assert_eq!(
        stderr(&output),
        format!(
            "invalid event pattern: data.eventName[0].prefix: {}\n",
            error.reason()
        )
    );
}

#[test]
fn the_aws_dialect_rejects_bare_scalars_the_default_accepts() {
    let output = test_pattern("pattern-bare-scalar.json", "event-sg-open.json", &[]);
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "{\"Result\":true}\n");

    let output = test_pattern(
        "pattern-bare-scalar.json",
        "event-sg-open.json",
        &["--dialect", "aws"],
    );
    assert_status(&output, 2);
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).starts_with("invalid event pattern: source: "),
        "{}",
        stderr(&output)
    );
}

/// `[]` is no alternative at all: the default dialect matches nothing with it, the aws
/// dialect refuses it as AWS does.
#[test]
fn an_empty_list_matches_nothing_in_the_default_dialect_and_is_refused_by_aws() {
    let output = test_pattern("pattern-empty-list.json", "event-sg-open.json", &[]);
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "{\"Result\":false}\n");

    let output = test_pattern(
        "pattern-empty-list.json",
        "event-sg-open.json",
        &["--dialect", "aws"],
    );
    assert_status(&output, 2);
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "invalid event pattern: source: Empty arrays are not allowed\n"
    );
}

/// AWS sets no limit on the fields of a pattern, and neither does `test-pattern`: 100
/// conditions under one array must hold in one element.
#[test]
fn a_pattern_of_100_fields_is_judged() {
    let dir = scratch_dir("a_pattern_of_100_fields_is_judged");
    let wanted: serde_json::Map<String, serde_json::Value> = (0..100)
        .map(|i| (format!("k{i}"), serde_json::json!(["v"])))
        .collect();
    let pattern = dir.join("pattern.json");
    std::fs::write(&pattern, serde_json::json!({ "items": wanted }).to_string())
        .expect("write pattern");
    let element = |range: std::ops::Range<usize>| -> serde_json::Value {
        range
            .map(|i| (format!("k{i}"), serde_json::json!("v")))
            .collect()
    };
    let together = serde_json::json!({"items": [element(0..100)]}).to_string();
    let output = test_pattern_stdin(&pattern, together.as_bytes());
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "{\"Result\":true}\n");
    let split = serde_json::json!({"items": [element(0..50), element(50..100)]}).to_string();
    let output = test_pattern_stdin(&pattern, split.as_bytes());
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "{\"Result\":false}\n");
    assert_eq!(stderr(&output), "");
}

#[test]
fn an_event_that_is_not_json_names_the_file_and_exits_2() {
    let output = test_pattern("pattern-sg-open.json", "event-not-json.json", &[]);
    assert_status(&output, 2);
    assert_eq!(stdout(&output), "");
    let stderr = stderr(&output);
    let prefix = format!(
        "{}: event is not valid JSON: ",
        fixture("event-not-json.json").display()
    );
    assert!(stderr.starts_with(&prefix), "{stderr}");
    assert!(stderr.contains("line 2 column"), "{stderr}");
}

#[test]
fn an_event_that_is_json_but_not_an_object_is_refused_with_exit_2() {
    // An array holding a matching event: an answer of false would be wrong, and true
    // would say something `match` and the evaluate function never do.
    let event = std::fs::read_to_string(fixture("event-sg-open.json")).expect("fixture");
    let output = test_pattern_stdin(
        &fixture("pattern-sg-open.json"),
        format!("[{event}]").as_bytes(),
    );
    assert_status(&output, 2);
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "<stdin>: event is not a JSON object but an array\n"
    );
}

#[test]
fn events_serde_json_refuses_but_json_allows_are_answered_as_match_answers_them() {
    // A number beyond f64, a lone surrogate escape and deep nesting are valid JSON
    // (AWS answers them); `match` reads them, so `test-pattern` must too.
    let dir = scratch_dir("test-pattern-odd-json");
    let pattern = dir.join("pattern.json");
    std::fs::write(&pattern, r#"{"source":["vpc.cloud.tencent"]}"#).expect("write");
    let rules = dir.join("rules.json");
    std::fs::write(
        &rules,
        r#"{"rules":[{"name":"vpc","pattern":{"source":["vpc.cloud.tencent"]}}]}"#,
    )
    .expect("write");
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    for extra in ["1e400", "\"\\ud800\"", deep.as_str()] {
        let event = format!("{{\"source\":\"vpc.cloud.tencent\",\"extra\":{extra}}}");
        let output = test_pattern_stdin(&pattern, event.as_bytes());
        assert_status(&output, 0);
        assert_eq!(stdout(&output), "{\"Result\":true}\n", "{extra}");
        let matched = run_with_stdin(
            auditbridge()
                .args(["match", "--count", "--rules"])
                .arg(&rules),
            event.as_bytes(),
        );
        assert_status(&matched, 0);
        assert_eq!(stdout(&matched), "{\"vpc\":1}\n", "{extra}");
    }
}

#[test]
fn pattern_and_event_files_may_start_with_a_byte_order_mark() {
    // As some Windows editors save them; the mark is not part of the JSON.
    let dir = scratch_dir("test-pattern-bom");
    let pattern = dir.join("pattern.json");
    let mut text = "\u{feff}".as_bytes().to_vec();
    text.extend(std::fs::read(fixture("pattern-sg-open.json")).expect("fixture"));
    std::fs::write(&pattern, text).expect("write");
    let mut event = "\u{feff}".as_bytes().to_vec();
    event.extend(std::fs::read(fixture("event-sg-open.json")).expect("fixture"));
    let output = test_pattern_stdin(&pattern, &event);
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "{\"Result\":true}\n");
    assert_eq!(stderr(&output), "");
    // Only one mark, at the start, is the file's: anything else is still content.
    let mut doubled = "\u{feff}".as_bytes().to_vec();
    doubled.extend(&event);
    let output = test_pattern_stdin(&pattern, &doubled);
    assert_status(&output, 2);
    assert!(
        stderr(&output).starts_with("<stdin>: event is not valid JSON: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn pattern_and_event_cannot_both_come_from_stdin() {
    // Refused before stdin is read (so it is left empty here).
    let output = run(auditbridge().args(["test-pattern", "--pattern", "-", "--event", "-"]));
    assert_status(&output, 2);
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "error: `-` (stdin) can be given only once\n"
    );
}

#[test]
fn the_event_can_come_from_stdin() {
    let event = std::fs::read(fixture("event-sg-open.json")).expect("fixture");
    let output = test_pattern_stdin(&fixture("pattern-sg-open.json"), &event);
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "{\"Result\":true}\n");
}

/// AWS's own verdicts (the conformance corpus, judged in the aws dialect): the command
/// must give every one of them. Every failing case is listed, not just the first.
#[test]
fn agrees_with_aws_on_the_conformance_cases() {
    let corpus: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("eventbridge-cases.json")).expect("corpus"),
    )
    .expect("corpus is JSON");
    let dir = scratch_dir("conformance");
    let mut failures = Vec::new();
    let cases = corpus["cases"].as_array().expect("cases");
    for (index, case) in cases.iter().enumerate() {
        let name = case["name"].as_str().expect("name");
        let pattern = dir.join(format!("{index}-pattern.json"));
        let event = dir.join(format!("{index}-event.json"));
        // Cases whose exact text matters (repeated keys) give it as `*_text`.
        let text = |key: &str| match case.get(format!("{key}_text")) {
            Some(text) => text.as_str().expect("text").to_string(),
            None => case[key].to_string(),
        };
        std::fs::write(&pattern, text("pattern")).expect("write");
        std::fs::write(&event, text("event")).expect("write");
        let output = run(auditbridge()
            .args(["test-pattern", "--dialect", "aws", "--pattern"])
            .arg(&pattern)
            .arg("--event")
            .arg(&event));
        // A verdict comes with a silent stderr: the command logs an error if the rule set
        // and the reference evaluator disagree.
        let quiet = output.stderr.is_empty();
        let got = match (output.status.code(), stdout(&output).as_str()) {
            (Some(0), "{\"Result\":true}\n") if quiet => "match",
            (Some(0), "{\"Result\":false}\n") if quiet => "no_match",
            (Some(2), "") if stderr(&output).starts_with("invalid event pattern: ") => "error",
            _ => "unexpected output",
        };
        let expected = case["expect"].as_str().expect("expect");
        if got != expected {
            failures.push(format!(
                "{name}: expected {expected}, got {got}: {}",
                stderr(&output)
            ));
        }
    }
    assert!(cases.len() > 100, "corpus has {} cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
