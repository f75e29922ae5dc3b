use crate::common::*;

const RULES: &str = "cli/tests/fixtures/rules-small.json";
const EVENTS: &str = "cli/tests/fixtures/events.jsonl";

#[test]
fn each_matching_event_lists_its_rules_in_file_order() {
    let output = run(auditbridge().args(["match", "--rules", RULES, EVENTS]));
    assert_status(&output, 0);
    assert_eq!(
        stdout(&output),
        concat!(
            "{\"id\":\"e1\",\"rules\":[\"zz-cvm-stopped\",\"aa-cam-or-cvm\"]}\n",
            "{\"id\":\"e2\",\"rules\":[\"aa-cam-or-cvm\"]}\n",
            "{\"id\":null,\"rules\":[\"zz-cvm-stopped\",\"aa-cam-or-cvm\"]}\n",
        )
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn count_maps_every_rule_in_file_order_zeros_included() {
    let output = run(auditbridge().args(["match", "--count", "--rules", RULES, EVENTS]));
    assert_status(&output, 0);
    assert_eq!(
        stdout(&output),
        "{\"zz-cvm-stopped\":2,\"aa-cam-or-cvm\":3,\"mm-never\":0}\n"
    );
}

#[test]
fn a_line_that_is_not_json_is_reported_and_matching_goes_on() {
    let events = std::fs::read_to_string(repo_file(EVENTS)).expect("fixture");
    let mut lines: Vec<&str> = events.lines().collect();
    lines.insert(2, "{\"id\": \"broken\", \"source\": ");
    let input = lines.join("\n") + "\n";
    let output = run_with_stdin(
        auditbridge().args(["match", "--count", "--rules", RULES]),
        input.as_bytes(),
    );
    assert_status(&output, 1);
    assert_eq!(
        stdout(&output),
        "{\"zz-cvm-stopped\":2,\"aa-cam-or-cvm\":3,\"mm-never\":0}\n"
    );
    let stderr = stderr(&output);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("<stdin>: line 3: "), "{stderr}");
}

#[test]
fn normalized_samples_match_the_example_rules_without_queue_variables() {
    let normalized = run(auditbridge().args(["normalize", "samples/audit-history.jsonl"]));
    assert_status(&normalized, 0);
    let output = run_with_stdin(
        auditbridge().args(["match", "--count", "--rules", "rules/security.json"]),
        &normalized.stdout,
    );
    assert_status(&output, 0);
    assert_eq!(
        stdout(&output),
        concat!(
            "{\"sg-opened-to-world\":1,\"cam-policy-attached-to-user\":1,",
            "\"instance-or-database-deleted\":2,\"kms-key-disabled-or-deleted\":1,",
            "\"audit-trail-stopped\":2}\n"
        )
    );
}

#[test]
fn an_invalid_rules_file_is_refused_with_its_problems() {
    let output = run(auditbridge().args([
        "match",
        "--rules",
        "cli/tests/fixtures/rules-broken.json",
        EVENTS,
    ]));
    assert_status(&output, 2);
    assert_eq!(stdout(&output), "");
    // The same problem list `validate-rules` prints.
    let validated =
        run(auditbridge().args(["validate-rules", "cli/tests/fixtures/rules-broken.json"]));
    assert_status(&validated, 1);
    assert_eq!(stderr(&output), stdout(&validated));
    assert!(
        stderr(&output).starts_with("cli/tests/fixtures/rules-broken.json: rule bad-pattern: pattern.data.eventName[0].prefix: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_line_that_is_json_but_not_an_object_is_reported_not_matched_as_nothing() {
    // An array of envelopes pasted on one line holds events; matching it as one value
    // would print nothing and exit 0, as if none of them had matched.
    let events = std::fs::read_to_string(repo_file(EVENTS)).expect("fixture");
    let first = events.lines().next().expect("an event");
    let input = format!("[{first}]\n\"text\"\n{first}\n42\nnull\n");
    let output = run_with_stdin(
        auditbridge().args(["match", "--rules", RULES]),
        input.as_bytes(),
    );
    assert_status(&output, 1);
    assert_eq!(
        stdout(&output),
        "{\"id\":\"e1\",\"rules\":[\"zz-cvm-stopped\",\"aa-cam-or-cvm\"]}\n"
    );
    assert_eq!(
        stderr(&output),
        concat!(
            "<stdin>: line 1: event is not a JSON object but an array\n",
            "<stdin>: line 2: event is not a JSON object but a string\n",
            "<stdin>: line 4: event is not a JSON object but a number\n",
            "<stdin>: line 5: event is not a JSON object but null\n",
        )
    );
}

#[test]
fn byte_order_marks_at_line_starts_are_not_content() {
    // A file saved with a mark, then two such files joined with `cat`: every event is
    // still matched, and nothing is reported.
    let events = std::fs::read_to_string(repo_file(EVENTS)).expect("fixture");
    let input = format!("\u{feff}{events}\u{feff}{events}");
    let output = run_with_stdin(
        auditbridge().args(["match", "--count", "--rules", RULES]),
        input.as_bytes(),
    );
    assert_status(&output, 0);
    assert_eq!(
        stdout(&output),
        "{\"zz-cvm-stopped\":4,\"aa-cam-or-cvm\":6,\"mm-never\":0}\n"
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn rules_from_stdin_need_the_events_from_elsewhere() {
    // Otherwise the events would be read from the stdin the rules emptied: no matches,
    // and no sign of why.
    // Refused before stdin is read, so it is left empty here: a test writing to it could
    // find the command gone.
    for args in [
        &["match", "--rules", "-"][..],
        &["match", "--rules", "-", "-"],
        &["run", "--rules", "-"],
        &["run", "--rules", "-", EVENTS, "-"],
    ] {
        let output = run(auditbridge().args(args));
        assert_status(&output, 2);
        assert_eq!(stdout(&output), "", "{args:?}");
        assert!(
            stderr(&output).starts_with("error: `-` (stdin) can be given only once"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let rules = std::fs::read(repo_file(RULES)).expect("fixture");
    let output = run_with_stdin(
        auditbridge().args(["match", "--count", "--rules", "-", EVENTS]),
        &rules,
    );
    assert_status(&output, 0);
    assert_eq!(
        stdout(&output),
        "{\"zz-cvm-stopped\":2,\"aa-cam-or-cvm\":3,\"mm-never\":0}\n"
    );
}

#[test]
fn a_live_feed_is_matched_event_by_event() {
    let events = std::fs::read_to_string(repo_file(EVENTS)).expect("fixture");
    let lines: Vec<&str> = events.lines().collect();
    let mut live = Live::spawn(auditbridge().args(["match", "--rules", RULES]));
    live.feed(&format!("{}\n", lines[0]));
    assert_eq!(
        live.next_line(),
        "{\"id\":\"e1\",\"rules\":[\"zz-cvm-stopped\",\"aa-cam-or-cvm\"]}"
    );
    live.feed(&format!("{}\n", lines[1]));
    assert_eq!(
        live.next_line(),
        "{\"id\":\"e2\",\"rules\":[\"aa-cam-or-cvm\"]}"
    );
    let (status, rest) = live.finish();
    assert_eq!(status.code(), Some(0));
    assert_eq!(rest, Vec::<String>::new());
}
