use auditbridge_shared::cloudaudit::{NormalizeOptions, Normalized, Normalizer};
use serde_json::Value;

use crate::common::*;

/// What the library makes of `text` with default options: the envelopes, serialized.
fn library_envelopes(text: &str) -> Vec<String> {
    Normalizer::new(NormalizeOptions::default())
        .normalize_text(text)
        .into_iter()
        .filter_map(|outcome| match outcome.result {
            Ok(Normalized::Envelope(envelope)) => {
                Some(serde_json::to_string(&envelope).expect("serializes"))
            }
            _ => None,
        })
        .collect()
}

fn ids(envelopes: &[Value]) -> Vec<&str> {
    envelopes
        .iter()
        .map(|envelope| envelope["id"].as_str().expect("id is a string"))
        .collect()
}

#[test]
fn a_bad_line_is_reported_and_the_others_still_come_out() {
    let file = fixture("records-with-bad-line.jsonl");
    let output = run(auditbridge().arg("normalize").arg(&file));
    assert_status(&output, 1);

    let envelopes = json_lines(&output);
    assert_eq!(
        ids(&envelopes),
        [
            "6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60",
            "008ef803-4549-41fe-a7e6-433122273683"
        ]
    );
    assert_eq!(envelopes[0]["source"], "cvm.cloud.tencent");
    assert_eq!(envelopes[0]["type"], "cvm:CloudEvent:ApiCall");
    assert_eq!(envelopes[0]["time"], 1_714_961_587_000_i64);
    assert_eq!(envelopes[1]["source"], "cloudaudit.cloud.tencent");
    // Byte for byte what the library produces, one compact line each.
    let text = std::fs::read_to_string(&file).expect("fixture");
    let expected: String = library_envelopes(&text)
        .into_iter()
        .map(|line| line + "\n")
        .collect();
    assert_eq!(stdout(&output), expected);

    let stderr = stderr(&output);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    let prefix = format!(
        "{}: line 2 (eventID bad00000-0000-4000-8000-000000000002): field eventTime: ",
        file.display()
    );
    assert!(lines[0].starts_with(&prefix), "{}", lines[0]);
    assert!(lines[0].contains("yesterday"), "{}", lines[0]);
    assert_eq!(lines[1], "normalized 2, skipped 1 (reads), failed 1");
}

#[test]
fn stdin_is_read_when_no_file_is_given_and_dash_means_stdin() {
    let text = std::fs::read(fixture("records-with-bad-line.jsonl")).expect("fixture");
    for args in [&[][..], &["-"][..]] {
        let output = run_with_stdin(auditbridge().arg("normalize").args(args), &text);
        assert_status(&output, 1);
        assert_eq!(json_lines(&output).len(), 2);
        assert!(
            stderr(&output).starts_with("<stdin>: line 2 (eventID bad00000"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn a_clean_input_exits_zero_and_reads_can_be_included() {
    let file = fixture("describeevents-response.json");
    let output = run(auditbridge().arg("normalize").arg(&file));
    assert_status(&output, 0);
    assert_eq!(
        ids(&json_lines(&output)),
        ["008ef803-4549-41fe-a7e6-433122273683"]
    );
    assert_eq!(
        stderr(&output),
        "normalized 1, skipped 1 (reads), failed 0\n"
    );

    let output = run(auditbridge()
        .args(["normalize", "--action-types", "write,read"])
        .arg(&file));
    assert_status(&output, 0);
    assert_eq!(
        ids(&json_lines(&output)),
        [
            "008ef803-4549-41fe-a7e6-433122273683",
            "c8c04477-eb9e-4703-84ae-f8758c6084ff"
        ]
    );
    assert_eq!(
        stderr(&output),
        "normalized 2, skipped 0 (reads), failed 0\n"
    );
}

#[test]
fn tokens_are_redacted_unless_asked_not_to() {
    let file = fixture("describeevents-response.json");
    let token =
        "xxx--Jqr7dXvw3EBEXWNcJljzbZeJeoIrQx9gafWtHV1Lg9zu7hSpY91LAF414n21D41bpodncbz8u12C-xxx";
    let redacted = run(auditbridge().arg("normalize").arg(&file));
    assert_status(&redacted, 0);
    let envelope = &json_lines(&redacted)[0];
    assert_eq!(
        envelope["data"]["userIdentity"]["sessionContext"]["token"],
        "***"
    );

    let kept = run(auditbridge().args(["normalize", "--no-redact"]).arg(&file));
    assert_status(&kept, 0);
    let envelope = &json_lines(&kept)[0];
    assert_eq!(
        envelope["data"]["userIdentity"]["sessionContext"]["token"],
        token
    );
}

#[test]
fn several_files_are_read_in_order() {
    let output = run(auditbridge()
        .arg("normalize")
        .arg(fixture("describeevents-response.json"))
        .arg(fixture("records-with-bad-line.jsonl")));
    assert_status(&output, 1);
    assert_eq!(
        ids(&json_lines(&output)),
        [
            "008ef803-4549-41fe-a7e6-433122273683",
            "6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60",
            "008ef803-4549-41fe-a7e6-433122273683"
        ]
    );
    assert!(stderr(&output).ends_with("normalized 3, skipped 2 (reads), failed 1\n"));
}

#[test]
fn a_missing_file_stops_before_any_output() {
    let output = run(auditbridge()
        .arg("normalize")
        .arg(fixture("describeevents-response.json"))
        .arg("no/such/file.jsonl"));
    assert_status(&output, 2);
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).starts_with("error: cannot open no/such/file.jsonl: "),
        "{}",
        stderr(&output)
    );
}

/// `auditbridge normalize FILE` with no stdin and both outputs piped, for tests that
/// close one of them early.
fn spawn_normalize(file: &std::path::Path) -> std::process::Child {
    use std::process::Stdio;
    auditbridge()
        .arg("normalize")
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

#[test]
fn a_directory_among_the_inputs_stops_before_any_output() {
    // It opens like a file; read, it would fail after the inputs before it came out.
    let output = run(auditbridge().args(["normalize", "samples/audit-history.jsonl", "samples"]));
    assert_status(&output, 2);
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "error: cannot open samples: it is a directory\n"
    );
}

#[test]
fn a_stderr_nobody_reads_does_not_stop_the_command() {
    // `normalize export 2>&1 >envelopes.jsonl | head -1`: once the reader of stderr
    // is gone, the rest of the errors are dropped, and every envelope still comes out.
    use std::io::Read;

    let dir = scratch_dir("stderr-closed");
    let file = dir.join("bad-then-good.jsonl");
    let mut text = "not a record\n".repeat(20_000);
    text.push_str(
        &std::fs::read_to_string(repo_file("samples/audit-history.jsonl")).expect("samples"),
    );
    std::fs::write(&file, text).expect("write");

    let mut child = spawn_normalize(&file);
    // Closed before the first of 20,000 error lines (more than a pipe holds) is read.
    drop(child.stderr.take());
    let mut envelopes = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut envelopes)
        .expect("read stdout");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(1), "{status}");
    let sample = run(auditbridge().args(["normalize", "samples/audit-history.jsonl"]));
    assert_eq!(envelopes, stdout(&sample));
    assert_eq!(envelopes.lines().count(), 12);
}

#[test]
fn text_that_is_not_json_names_its_line() {
    let good = std::fs::read_to_string(fixture("records-with-bad-line.jsonl")).expect("fixture");
    let first = good.lines().next().expect("a line");
    let input = format!("{first}\nnot json at all\n\n{first}\n");
    let output = run_with_stdin(auditbridge().arg("normalize"), input.as_bytes());
    assert_status(&output, 1);
    assert_eq!(json_lines(&output).len(), 2);
    let stderr = stderr(&output);
    assert!(stderr.starts_with("<stdin>: line 2: "), "{stderr}");
    assert!(
        stderr.ends_with("normalized 2, skipped 0 (reads), failed 1\n"),
        "{stderr}"
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    use std::io::{BufRead, BufReader, Write};

    let record = std::fs::read_to_string(fixture("records-with-bad-line.jsonl"))
        .expect("fixture")
        .lines()
        .next()
        .expect("a line")
        .to_string();
    let dir = scratch_dir("broken-pipe");
    let file = dir.join("many.jsonl");
    let mut writer = std::io::BufWriter::new(std::fs::File::create(&file).expect("create"));
    for _ in 0..5000 {
        writeln!(writer, "{record}").expect("write");
    }
    writer.flush().expect("flush");
    drop(writer);

    let mut child = spawn_normalize(&file);
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("read a line");
    // The pipe's reading end is closed here, long before 5000 envelopes were written.
    let output = child.wait_with_output().expect("wait");
    assert!(first.starts_with("{\"specversion\":\"1.0\""), "{first}");
    assert_status(&output, 0);
    assert_eq!(stderr(&output), "");
}

#[test]
fn a_line_that_is_not_text_is_reported_alone() {
    let good = std::fs::read_to_string(fixture("records-with-bad-line.jsonl")).expect("fixture");
    let first = good.lines().next().expect("a line");
    for (bad_line, input) in [
        (
            2,
            [first.as_bytes(), b"\n\xff\xfe{}\n", first.as_bytes(), b"\n"].concat(),
        ),
        (
            1,
            [
                b"\xff\xfe{}\n",
                first.as_bytes(),
                b"\n",
                first.as_bytes(),
                b"\n",
            ]
            .concat(),
        ),
    ] {
        let output = run_with_stdin(auditbridge().arg("normalize"), &input);
        assert_status(&output, 1);
        assert_eq!(json_lines(&output).len(), 2);
        let stderr = stderr(&output);
        assert!(
            stderr.starts_with(&format!("<stdin>: line {bad_line}: not UTF-8 text: ")),
            "{stderr}"
        );
        assert!(
            stderr.ends_with("normalized 2, skipped 0 (reads), failed 1\n"),
            "{stderr}"
        );
    }
}

/// A CloudAudit fixture of the library's tests, as a value.
fn cloudaudit_record(name: &str) -> Value {
    let path = repo_file(&format!("shared/tests/fixtures/cloudaudit/{name}"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON")
}

/// Five different records (CVM, VPC, CAM, TKE, SCF) of the library's fixtures.
fn five_records() -> [Value; 5] {
    [
        "cvm-stopinstances-api-write.json",
        "vpc-createsecuritygrouppolicies-console-write.json",
        "cam-attachuserpolicy-miniprogram-write.json",
        "tke-deletecluster-console-write.json",
        "scf-deletefunction-no-ids-write.json",
    ]
    .map(cloudaudit_record)
}

/// A value as one JSON line.
fn compact(value: &Value) -> String {
    serde_json::to_string(value).expect("serializes")
}

/// A value pretty-printed over several lines.
fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("serializes")
}

#[test]
fn pretty_documents_after_json_lines_come_out_and_a_cut_line_costs_only_itself() {
    let [a, b, c, d, e] = five_records();
    let cut = compact(&c);
    let cut = &cut[..cut.len() / 2];
    let pretty_array = pretty(&Value::Array(vec![d.clone(), e.clone()]));
    let input = [
        compact(&a),
        pretty(&b),
        cut.to_string(),
        compact(&c),
        pretty_array,
        compact(&a),
    ]
    .join("\n");
    let cut_line = 2 + pretty(&b).lines().count();
    let output = run_with_stdin(auditbridge().arg("normalize"), input.as_bytes());
    assert_status(&output, 1);
    let expected: Vec<String> = [&a, &b, &c, &d, &e, &a]
        .iter()
        .flat_map(|record| library_envelopes(&compact(record)))
        .collect();
    let printed: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert_eq!(printed, expected);
    let stderr = stderr(&output);
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        vec![
            format!(
                "<stdin>: line {cut_line}: not JSON: EOF while parsing a string (column {})",
                cut.len()
            )
            .as_str(),
            "normalized 6, skipped 0 (reads), failed 1",
        ],
        "{stderr}"
    );
}

#[test]
fn bytes_that_are_not_utf8_cost_only_the_document_holding_them() {
    let a = cloudaudit_record("cvm-stopinstances-api-write.json");
    let b = cloudaudit_record("vpc-createsecuritygrouppolicies-console-write.json");
    let pretty = serde_json::to_string_pretty(&a).expect("serializes");
    // A Latin-1 byte inside a string of the pretty-printed record, on its third line.
    let mut lines: Vec<Vec<u8>> = pretty
        .lines()
        .map(|line| line.as_bytes().to_vec())
        .collect();
    let at = lines[2].len() - 2;
    lines[2].insert(at, 0xe9);
    let mut broken = lines.join(&b'\n');
    broken.push(b'\n');
    broken.extend_from_slice(
        serde_json::to_string_pretty(&b)
            .expect("serializes")
            .as_bytes(),
    );
    let dir = scratch_dir("not-utf8-document");
    let file = dir.join("latin1.json");
    std::fs::write(&file, &broken).expect("write");
    let output = run(auditbridge().arg("normalize").arg(&file).arg(repo_file(
        "shared/tests/fixtures/cloudaudit/tke-deletecluster-console-write.json",
    )));
    assert_status(&output, 1);
    let found = json_lines(&output);
    assert_eq!(found.len(), 2, "{}", stdout(&output));
    assert_eq!(found[0]["data"]["eventName"], b["eventName"]);
    assert_eq!(found[1]["source"], "tke.cloud.tencent");
    let stderr = stderr(&output);
    assert!(
        stderr.starts_with(&format!(
            "{}: line 1: the document starting here is not UTF-8 text at line 3: ",
            file.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("normalized 2, skipped 0 (reads), failed 1\n"),
        "{stderr}"
    );
}

#[test]
fn a_document_whose_opening_line_is_not_utf8_is_one_failure() {
    // The bad byte sits on the line that opens a pretty-printed response: the records
    // inside it must not come out one by one, nor be reported line by line.
    let a = cloudaudit_record("cvm-stopinstances-api-write.json");
    let b = cloudaudit_record("tke-deletecluster-console-write.json");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(compact(&b).as_bytes());
    bytes.extend_from_slice(b"\n{\"Note\": \"caf\xe9\", \"Events\": [\n");
    bytes.extend_from_slice(format!("{},\n{}\n]}}\n", pretty(&a), pretty(&b)).as_bytes());
    bytes.extend_from_slice(format!("{}\n", compact(&a)).as_bytes());
    let output = run_with_stdin(auditbridge().arg("normalize"), &bytes);
    assert_status(&output, 1);
    let found = json_lines(&output);
    assert_eq!(found.len(), 2, "{}", stdout(&output));
    assert_eq!(found[0]["data"]["eventName"], b["eventName"]);
    assert_eq!(found[1]["data"]["eventName"], a["eventName"]);
    let stderr = stderr(&output);
    assert!(
        stderr.starts_with(
            "<stdin>: line 2: the document starting here is not UTF-8 text at line 2: "
        ),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("normalized 2, skipped 0 (reads), failed 1\n"),
        "{stderr}"
    );
}

#[test]
fn files_joined_with_their_byte_order_marks_read_whole() {
    let a = cloudaudit_record("cvm-stopinstances-api-write.json");
    let b = cloudaudit_record("tke-deletecluster-console-write.json");
    let compact = serde_json::to_string(&a).expect("serializes");
    let pretty = serde_json::to_string_pretty(&b).expect("serializes");
    for input in [
        format!("\u{feff}{compact}\n\u{feff}{pretty}\n"),
        format!("\u{feff}{pretty}\n\u{feff}{compact}\n"),
    ] {
        let output = run_with_stdin(auditbridge().arg("normalize"), input.as_bytes());
        assert_status(&output, 0);
        assert_eq!(json_lines(&output).len(), 2, "{}", stderr(&output));
    }
}

#[test]
fn a_broken_pretty_record_is_one_failure_and_a_cut_off_array_keeps_its_whole_records() {
    let [a, b, c, d, e] = five_records();
    // A comma lost at the end of a top-level field in the middle of b (hand editing).
    let b_lines: Vec<String> = pretty(&b).lines().map(str::to_owned).collect();
    let lost = (b_lines.len() / 2..b_lines.len())
        .find(|&i| {
            let (line, next) = (&b_lines[i], &b_lines[i + 1]);
            line.starts_with("  \"") && line.ends_with(',') && next.starts_with("  \"")
        })
        .expect("a top-level field followed by another");
    let mut broken = b_lines.clone();
    broken[lost].pop();
    // An export interrupted in the middle of its third record.
    let array = pretty(&Value::Array(vec![d.clone(), e.clone(), a.clone()]));
    let cut_array = &array[..array.len() - pretty(&a).len() / 2];
    let input = [
        compact(&a),
        broken.join("\n"),
        pretty(&c),
        cut_array.to_string(),
    ]
    .join("\n");
    let array_line = 2 + b_lines.len() + pretty(&c).lines().count();
    let output = run_with_stdin(auditbridge().arg("normalize"), input.as_bytes());
    assert_status(&output, 1);
    let expected: Vec<String> = [&a, &c, &d, &e]
        .iter()
        .flat_map(|record| library_envelopes(&compact(record)))
        .collect();
    let printed: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert_eq!(printed, expected);
    let stderr = stderr(&output);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert_eq!(
        lines[0],
        format!(
            "<stdin>: line 2: not JSON: expected `,` or `}}` (line {}, column 3)",
            2 + lost + 1
        )
    );
    assert!(
        lines[1].starts_with(&format!(
            "<stdin>: line {array_line}, record 3: not JSON: EOF while parsing"
        )),
        "{stderr}"
    );
    assert_eq!(lines[2], "normalized 4, skipped 0 (reads), failed 2");
}

#[test]
fn a_broken_record_among_compact_array_lines_costs_only_itself() {
    let [a, b, c] = [
        "cvm-stopinstances-api-write.json",
        "vpc-createsecuritygrouppolicies-console-write.json",
        "cam-attachuserpolicy-miniprogram-write.json",
    ]
    .map(cloudaudit_record);
    let broken = compact(&b).replacen("\",\"", "\" \"", 1);
    for indent in ["", "  "] {
        let input = format!(
            "[\n{indent}{},\n{indent}{broken},\n{indent}{}\n]\n",
            compact(&a),
            compact(&c)
        );
        let output = run_with_stdin(auditbridge().arg("normalize"), input.as_bytes());
        assert_status(&output, 1);
        let expected: Vec<String> = [&a, &c]
            .iter()
            .flat_map(|record| library_envelopes(&compact(record)))
            .collect();
        let printed: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
        assert_eq!(printed, expected, "indent {indent:?}");
        let stderr = stderr(&output);
        // Lines that could be JSON lines end a broken array: at the margin, the broken
        // line itself (which fails alone, the array being one failure for not closing);
        // indented, the line after it (the broken element fails). The closing bracket is
        // one more failure.
        let failures = if indent.is_empty() { 3 } else { 2 };
        assert!(
            stderr.ends_with(&format!("failed {failures}\n")),
            "indent {indent:?}: {stderr}"
        );
        assert!(stderr.contains("line 3"), "{stderr}");
    }
}

#[test]
fn a_cut_off_first_line_costs_only_itself() {
    let a = cloudaudit_record("cvm-stopinstances-api-write.json");
    let compact = serde_json::to_string(&a).expect("serializes");
    let cut = &compact[..compact.len() / 3];
    let input = format!("{cut}\n{compact}\n{compact}\n");
    let output = run_with_stdin(auditbridge().arg("normalize"), input.as_bytes());
    assert_status(&output, 1);
    assert_eq!(json_lines(&output).len(), 2);
    let stderr = stderr(&output);
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(
        stderr.starts_with("<stdin>: line 1: not JSON: "),
        "{stderr}"
    );
}

#[test]
fn stdin_given_twice_is_refused() {
    let output = run_with_stdin(auditbridge().args(["normalize", "-", "-"]), b"");
    assert_status(&output, 2);
    assert!(
        stderr(&output).contains("`-` (stdin) can be given only once"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_live_feed_comes_out_record_by_record() {
    // `tail -f export | auditbridge normalize`: each envelope comes out while the input
    // is still open, not when a buffer fills or the input ends.
    let samples =
        std::fs::read_to_string(repo_file("samples/audit-history.jsonl")).expect("samples");
    let lines: Vec<&str> = samples.lines().collect();
    let mut live = Live::spawn(auditbridge().arg("normalize"));
    for line in &lines[..2] {
        live.feed(&format!("{line}\n"));
        let envelope: Value = serde_json::from_str(&live.next_line()).expect("an envelope");
        let record: Value = serde_json::from_str(line).expect("a record");
        assert_eq!(envelope["data"]["eventID"], record["eventID"]);
    }
    live.feed(&format!("{}\n", lines[2]));
    let (status, rest) = live.finish();
    assert_eq!(status.code(), Some(0));
    assert_eq!(rest.len(), 1);
}
