//! Input forms, locations and per-record errors.

use auditbridge_shared::cloudaudit::{
    ActionType, NormalizeOptions, Normalized, Normalizer, RecordOutcome,
};
use serde_json::{json, Value};

#[path = "support/fixtures.rs"]
mod fixtures;
use fixtures::{fixture_text, fixture_value};

/// `(location, summary)` per outcome: `envelope <id>`, `skipped <Read|Write> <name>` or
/// the error message.
fn summarize(outcomes: &[RecordOutcome]) -> Vec<(String, String)> {
    outcomes
        .iter()
        .map(|outcome| {
            let summary = match &outcome.result {
                Ok(Normalized::Envelope(envelope)) => format!("envelope {}", envelope.id),
                Ok(Normalized::Skipped {
                    action_type,
                    event_name,
                }) => {
                    format!(
                        "skipped {action_type} {}",
                        event_name.as_deref().unwrap_or("-")
                    )
                }
                Err(error) => format!("error {error}"),
            };
            (outcome.location.to_string(), summary)
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(location, summary)| ((*location).to_owned(), (*summary).to_owned()))
        .collect()
}

/// A compact record built from the cvm StopInstances fixture with `changes` applied
/// (`null` removes a field).
fn stop_instances_with(changes: Value) -> Value {
    let mut record = fixture_value("cvm-stopinstances-api-write.json");
    let (Some(target), Some(changes)) = (record.as_object_mut(), changes.as_object()) else {
        panic!("objects expected");
    };
    for (key, value) in changes {
        if value.is_null() {
            target.remove(key);
        } else {
            target.insert(key.clone(), value.clone());
        }
    }
    record
}

fn only_error(outcomes: &[RecordOutcome]) -> String {
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    match &outcomes[0].result {
        Err(error) => error.to_string(),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn json_lines_mixing_every_form_and_bad_lines() {
    let outcomes = Normalizer::default().normalize_text(&fixture_text("mixed-forms.jsonl"));
    assert_eq!(
        summarize(&outcomes),
        pairs(&[
            ("line 1", "envelope 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60"),
            ("line 3", "envelope 008ef803-4549-41fe-a7e6-433122273683"),
            ("line 4", "error line 4: not JSON: EOF while parsing an object (end of line 4)"),
            ("line 5, Response.Events[0]", "envelope 008ef803-4549-41fe-a7e6-433122273683"),
            ("line 5, Response.Events[1]", "skipped Read LookUpEvents"),
            (
                "line 6",
                "error line 6: not a CloudAudit record (expected an object with eventName, eventSource, eventType, ..., a DescribeEvents Event or a response), got 42",
            ),
            ("line 7, record 1", "envelope 5e9ec3fae7d93fd346cc28d397d4f1db1"),
            ("line 7, record 2", "skipped Read DescribeInstances"),
            (
                "line 8",
                "error line 8 (eventID 0b9f4c2e-0000-4e0a-b5c3-2f1e0d9c8b7a): field eventType: expected ApiCall, ConsoleCall or MiniProgramCall, got \"Unknown\"",
            ),
            (
                "line 9",
                "error line 9: not a CloudAudit record (expected an object with eventName, eventSource, eventType, ..., a DescribeEvents Event or a response), got an object with keys \"foo\"",
            ),
        ])
    );
    let line_1 = &outcomes[0].location;
    assert_eq!(
        (line_1.line(), line_1.record(), line_1.path()),
        (Some(1), None, String::new())
    );
    let nested = &outcomes[3].location;
    assert_eq!(
        (nested.line(), nested.record(), nested.path()),
        (Some(5), None, "Response.Events[0]".to_owned())
    );
    let in_array = &outcomes[7].location;
    assert_eq!((in_array.line(), in_array.record()), (Some(7), Some(2)));
}

#[test]
fn a_whole_response_pretty_printed() {
    let outcomes =
        Normalizer::default().normalize_text(&fixture_text("describeevents-response.json"));
    assert_eq!(
        summarize(&outcomes),
        pairs(&[
            (
                "line 1, Response.Events[0]",
                "envelope 008ef803-4549-41fe-a7e6-433122273683"
            ),
            ("line 1, Response.Events[1]", "skipped Read LookUpEvents"),
        ])
    );
}

#[test]
fn an_error_response_is_an_error_not_zero_records() {
    let text = fixture_text("describeevents-error-response.json");
    assert_eq!(
        only_error(&Normalizer::default().normalize_text(&text)),
        "line 1: field Response.Error: the API returned an error instead of events: AuthFailure.SignatureFailure: The provided credentials could not be validated. Please check your signature is correct. (RequestId 3f4e5d6c-7b8a-4998-8a7b-6c5d4e3f2a1b)"
    );
    let bare_body =
        json!({"Error": {"Code": "LimitExceeded", "Message": "slow down"}, "RequestId": "r1"});
    assert_eq!(
        only_error(&Normalizer::default().normalize_value(&bare_body)),
        "record 1: field Error: the API returned an error instead of events: LimitExceeded: slow down (RequestId r1)"
    );
    assert_eq!(
        only_error(
            &Normalizer::default().normalize_value(&json!({"Response": {"RequestId": "r2"}}))
        ),
        "record 1: field Response.Events: expected an array of events, got nothing (field absent)"
    );
    assert_eq!(
        only_error(&Normalizer::default().normalize_value(&json!({"Response": "oops"}))),
        "record 1: field Response: expected an object, got \"oops\""
    );
}

#[test]
fn an_empty_response_or_array_has_no_records() {
    let normalizer = Normalizer::default();
    assert!(normalizer
        .normalize_value(&json!({"Response": {"Events": [], "ListOver": true}}))
        .is_empty());
    assert!(normalizer
        .normalize_value(&json!({"Events": []}))
        .is_empty());
    assert!(normalizer.normalize_value(&json!([])).is_empty());
    assert!(normalizer.normalize_text("[]\n").is_empty());
    assert!(normalizer.normalize_text("").is_empty());
    assert!(normalizer.normalize_text("\n  \r\n\t\n").is_empty());
}

#[test]
fn an_array_of_every_form_through_normalize_value() {
    let value = json!([
        fixture_value("cvm-stopinstances-api-write.json"),
        fixture_value("describeevents-event-wrapper.json"),
        fixture_value("describeevents-response.json"),
        {"Events": [fixture_value("cam-attachuserpolicy-miniprogram-write.json")]},
        serde_json::to_string(&fixture_value("legacy-2017-cdb-modify-write.json")).expect("serializes"),
        [fixture_value("vpc-createsecuritygrouppolicies-console-write.json")],
        "just text",
    ]);
    assert_eq!(
        summarize(&Normalizer::default().normalize_value(&value)),
        pairs(&[
            ("record 1", "envelope 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60"),
            ("record 2", "envelope 008ef803-4549-41fe-a7e6-433122273683"),
            ("record 3, Response.Events[0]", "envelope 008ef803-4549-41fe-a7e6-433122273683"),
            ("record 3, Response.Events[1]", "skipped Read LookUpEvents"),
            ("record 4, Events[0]", "envelope c3d2e1f0-aaaa-4bbb-8ccc-000000000042"),
            ("record 5", "envelope 5e9ec3fae7d93fd346cc28d397d4f1db1"),
            ("record 6, [0]", "envelope 0b9f4c2e-8d71-4e0a-b5c3-2f1e0d9c8b7a"),
            (
                "record 7",
                "error record 7: not a CloudAudit record (expected an object with eventName, eventSource, eventType, ..., a DescribeEvents Event or a response), got \"just text\"",
            ),
        ])
    );
}

#[test]
fn a_single_record_value_is_record_1() {
    let outcomes =
        Normalizer::default().normalize_value(&fixture_value("cvm-stopinstances-api-write.json"));
    assert_eq!(
        summarize(&outcomes),
        pairs(&[("record 1", "envelope 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60")])
    );
}

#[test]
fn wrapper_with_the_record_already_an_object() {
    let mut wrapper = fixture_value("describeevents-event-wrapper.json");
    let embedded = wrapper["CloudAuditEvent"]
        .as_str()
        .expect("a string in the sample")
        .to_owned();
    wrapper["CloudAuditEvent"] = serde_json::from_str(&embedded).expect("the sample holds JSON");
    let from_object = Normalizer::default().normalize_value(&wrapper);
    let from_string =
        Normalizer::default().normalize_value(&fixture_value("describeevents-event-wrapper.json"));
    assert_eq!(
        summarize(&from_object),
        pairs(&[("record 1", "envelope 008ef803-4549-41fe-a7e6-433122273683")])
    );
    assert_eq!(from_object, from_string);
}

#[test]
fn broken_wrappers_name_the_event() {
    let normalizer = Normalizer::default();
    let truncated = json!({"EventId": "ev-1", "EventName": "StopInstances", "CloudAuditEvent": "{\"eventName\":"});
    let message = only_error(&normalizer.normalize_value(&truncated));
    assert!(
        message.starts_with(
            "record 1 (EventId ev-1): field CloudAuditEvent: not JSON (EOF while parsing"
        ),
        "{message}"
    );
    let missing = json!({"EventId": "ev-2", "EventName": "StopInstances"});
    assert_eq!(
        only_error(&normalizer.normalize_value(&missing)),
        "record 1 (EventId ev-2): field CloudAuditEvent: missing: a DescribeEvents Event without the raw record"
    );
    let not_a_record = json!({"RequestID": "rq-3", "CloudAuditEvent": "{\"foo\": 1}"});
    assert_eq!(
        only_error(&normalizer.normalize_value(&not_a_record)),
        "record 1 (RequestID rq-3): field CloudAuditEvent: holds an object that is not a CloudAudit record"
    );
    assert_eq!(
        only_error(&normalizer.normalize_value(&json!({"CloudAuditEvent": 5}))),
        "record 1: field CloudAuditEvent: expected the raw record as a JSON string, got 5"
    );
    assert_eq!(
        only_error(&normalizer.normalize_value(&json!({"CloudAuditEvent": "[1]"}))),
        "record 1: field CloudAuditEvent: expected the raw record as a JSON object, got an array"
    );
}

#[test]
fn underivable_fields_are_errors_naming_record_and_field() {
    let normalizer = Normalizer::default();
    let cases = [
        (
            json!({"eventTime": "yesterday"}),
            "record 1 (eventID 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60): field eventTime: expected Unix seconds or \"YYYY-MM-DD HH:MM:SS\" (UTC+8), got \"yesterday\"",
        ),
        (
            json!({"eventTime": null}),
            "record 1 (eventID 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60): field eventTime: expected Unix seconds or \"YYYY-MM-DD HH:MM:SS\" (UTC+8), got nothing (field absent)",
        ),
        (
            json!({"eventTime": 1714961587000_u64}),
            "record 1 (eventID 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60): field eventTime: expected Unix seconds or \"YYYY-MM-DD HH:MM:SS\" (UTC+8), got 1714961587000",
        ),
        (
            json!({"eventType": null}),
            "record 1 (eventID 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60): field eventType: expected ApiCall, ConsoleCall or MiniProgramCall, got nothing (field absent)",
        ),
        (
            json!({"resourceType": "", "eventSource": ""}),
            "record 1 (eventID 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60): field resourceType: no product: resourceType is \"\" and eventSource is \"\"",
        ),
        (
            json!({"resourceType": "c v m"}),
            "record 1 (eventID 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60): field resourceType: expected a product abbreviation like \"cvm\", got \"c v m\"",
        ),
        (
            json!({"resourceType": null, "eventSource": "10.0.0.1:8080"}),
            "record 1 (eventID 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60): field eventSource: expected a product abbreviation like \"cvm\", got \"10.0.0.1:8080\"",
        ),
        (
            json!({"actionType": "Admin"}),
            "record 1 (eventID 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60): field actionType: expected Write or Read, got \"Admin\"",
        ),
        (
            json!({"actionType": null, "eventName": null}),
            "record 1 (eventID 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60): field eventName: no actionType, and no eventName to classify the call by: got nothing (field absent)",
        ),
        (
            json!({"eventID": null, "requestID": 5, "eventTime": "soon"}),
            "record 1 (requestID 5): field eventTime: expected Unix seconds or \"YYYY-MM-DD HH:MM:SS\" (UTC+8), got \"soon\"",
        ),
    ];
    for (changes, expected) in cases {
        assert_eq!(
            only_error(&normalizer.normalize_value(&stop_instances_with(changes.clone()))),
            expected,
            "{changes}"
        );
    }
}

#[test]
fn skipped_records_are_not_validated_further() {
    // A read with a broken time is simply not wanted by the default options.
    let read = stop_instances_with(json!({"actionType": "Read", "eventTime": "whenever"}));
    assert_eq!(
        Normalizer::default().normalize_value(&read)[0].result,
        Ok(Normalized::Skipped {
            action_type: ActionType::Read,
            event_name: Some("StopInstances".to_owned())
        })
    );
}

#[test]
fn lenient_field_types() {
    let normalizer = Normalizer::new(NormalizeOptions {
        action_types: vec![ActionType::Write],
        redact_tokens: true,
    });
    let odd = stop_instances_with(json!({
        "eventID": null,
        "requestID": 662138269,
        "eventTime": "1714961587",
        "eventVersion": "1.0",
        "errorCode": 0,
        "apiErrorCode": "",
        "eventRegion": "hk",
        "resourceType": "CVM",
        "eventType": "consolecall",
        "actionType": "WRITE",
        "resources": ["qcs:id/5:cvm:ap-hongkong:uin/1:instance/ins-a", "*", "qcs::cvm:ap-hongkong:uin/1:instance/ins-b"],
        "tags": {"Key": "env", "Value": "dev"},
    }));
    let outcomes = normalizer.normalize_value(&odd);
    let Ok(Normalized::Envelope(envelope)) = &outcomes[0].result else {
        panic!("{outcomes:?}")
    };
    assert_eq!(envelope.id, "662138269");
    assert_eq!(envelope.time, 1_714_961_587_000);
    assert_eq!(envelope.region, "ap-hongkong");
    assert_eq!(envelope.source, "cvm.cloud.tencent");
    assert_eq!(envelope.event_type, "cvm:CloudEvent:ConsoleCall");
    assert_eq!(
        envelope.subject,
        "qcs::cvm:ap-hongkong:uin/1:instance/ins-a"
    );
    assert_eq!(
        envelope.resource,
        vec![
            "qcs::cvm:ap-hongkong:uin/1:instance/ins-a",
            "qcs::cvm:ap-hongkong:uin/1:instance/ins-b"
        ]
    );
    assert_eq!(Value::Object(envelope.tags.clone()), json!({"env": "dev"}));
    // Field values keep their original types in data.
    assert_eq!(envelope.data["errorCode"], json!(0));
    assert_eq!(envelope.data["apiErrorCode"], json!(""));
    assert_eq!(envelope.data["eventType"], json!("consolecall"));
    assert_eq!(envelope.data["requestID"], json!(662138269));
}

#[test]
fn a_record_with_unknown_fields_named_like_wrappers_stays_a_record() {
    // Unknown fields are kept, never rejected: `Response` or `CloudAuditEvent` on a record
    // (an exporter's annotation, say) must not make it a response or an Event wrapper.
    for (key, value) in [
        ("Response", json!({"RequestId": "r-1"})),
        ("CloudAuditEvent", json!("")),
        ("Events", json!([])),
    ] {
        let record = stop_instances_with(json!({ key: value.clone() }));
        let outcomes = Normalizer::default().normalize_value(&record);
        let Ok(Normalized::Envelope(envelope)) = &outcomes[0].result else {
            panic!("{key}: {outcomes:?}")
        };
        assert_eq!(outcomes.len(), 1, "{key}");
        assert_eq!(envelope.id, "6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60", "{key}");
        assert_eq!(envelope.data[key], value, "{key}");
    }
}

#[test]
fn session_context_in_every_shape() {
    let normalizer = Normalizer::default();
    for (context, expected) in [
        (json!(""), json!("")),
        (
            json!({"token": "t", "uin": 1}),
            json!({"token": "***", "uin": 1}),
        ),
        (
            json!("{\"Token\": \"t\", \"uin\": 1}"),
            json!({"Token": "***", "uin": 1}),
        ),
        (json!("{\"token\": \"cut-off"), json!("{\"token\": \"***")),
        (json!("not json at all"), json!("not json at all")),
    ] {
        let mut record = fixture_value("cvm-stopinstances-api-write.json");
        record["userIdentity"]["sessionContext"] = context.clone();
        let outcomes = normalizer.normalize_value(&record);
        let Ok(Normalized::Envelope(envelope)) = &outcomes[0].result else {
            panic!("{outcomes:?}")
        };
        assert_eq!(
            envelope.data["userIdentity"]["sessionContext"], expected,
            "{context}"
        );
    }
}

#[test]
fn user_identity_as_json_text_is_decoded_for_subject_and_redaction() {
    let mut record = fixture_value("cvm-stopinstances-api-write.json");
    let identity = record["userIdentity"].clone();
    let account = identity["accountId"].clone();
    let mut with_token = identity.clone();
    with_token["sessionContext"] = json!("{\"token\": \"session-secret\", \"uin\": 1}");
    record["userIdentity"] = json!(with_token.to_string());
    let outcomes = Normalizer::default().normalize_value(&record);
    let Ok(Normalized::Envelope(envelope)) = &outcomes[0].result else {
        panic!("{outcomes:?}")
    };
    let mut expected = identity;
    expected["sessionContext"] = json!({"token": "***", "uin": 1});
    assert_eq!(envelope.data["userIdentity"], expected);
    let account = account
        .as_str()
        .expect("the sample writes the account as a string");
    assert!(
        envelope.subject.contains(&format!(":uin/{account}")),
        "{}",
        envelope.subject
    );
    // Text that is not a JSON object stays as it was.
    record["userIdentity"] = json!("");
    let outcomes = Normalizer::default().normalize_value(&record);
    let Ok(Normalized::Envelope(envelope)) = &outcomes[0].result else {
        panic!("{outcomes:?}")
    };
    assert_eq!(envelope.data["userIdentity"], json!(""));
}

#[test]
fn resources_in_every_shape() {
    let normalizer = Normalizer::default();
    let account_subject = "qcs::cvm:ap-guangzhou:uin/100020000000";
    let from_name = "qcs::cvm:ap-guangzhou:uin/100020000000:instance/ins-7xk2p9qd";
    for (resources, resource_name, subject, resource) in [
        (json!("*"), json!("*"), account_subject, json!([])),
        (json!(""), json!(""), account_subject, json!([])),
        (
            json!("[\"*\"]"),
            json!("instance/ins-7xk2p9qd|instance/ins-3mfw8a1c"),
            from_name,
            json!([]),
        ),
        (json!(["*"]), json!(null), account_subject, json!([])),
        (
            json!("[\"qcs:id\\/9:cvm:ap-guangzhou:uin\\/100020000000:instance\\/ins-x\"]"),
            json!("instance/ins-other"),
            "qcs::cvm:ap-guangzhou:uin/100020000000:instance/ins-x",
            json!(["qcs::cvm:ap-guangzhou:uin/100020000000:instance/ins-x"]),
        ),
    ] {
        let record =
            stop_instances_with(json!({"resources": resources, "resourceName": resource_name}));
        let outcomes = normalizer.normalize_value(&record);
        let Ok(Normalized::Envelope(envelope)) = &outcomes[0].result else {
            panic!("{outcomes:?}")
        };
        assert_eq!(envelope.subject, subject, "{resources}");
        assert_eq!(json!(envelope.resource), resource, "{resources}");
    }
}

#[test]
fn a_bad_line_does_not_lose_the_good_lines_after_it() {
    let good = serde_json::to_string(&fixture_value("cvm-stopinstances-api-write.json"))
        .expect("serializes");
    let text = format!("{good}\n{{\"eventName\": \"Trunc\n{good}\n\n{good}\n");
    let outcomes = summarize(&Normalizer::default().normalize_text(&text));
    let envelope = "envelope 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60";
    assert_eq!(outcomes.len(), 4, "{outcomes:?}");
    assert_eq!(outcomes[0], ("line 1".to_owned(), envelope.to_owned()));
    assert_eq!(outcomes[1].0, "line 2");
    assert!(
        outcomes[1]
            .1
            .starts_with("error line 2: not JSON: control character"),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[2], ("line 3".to_owned(), envelope.to_owned()));
    assert_eq!(outcomes[3], ("line 5".to_owned(), envelope.to_owned()));
}

#[test]
fn several_pretty_documents_in_one_text() {
    let one = fixture_text("cvm-stopinstances-api-write.json");
    let two = fixture_text("cam-attachuserpolicy-miniprogram-write.json");
    let lines_in_one = one.trim_end().lines().count();
    let text = format!("{}\n{}", one.trim_end(), two);
    let outcomes = Normalizer::default().normalize_text(&text);
    assert_eq!(
        summarize(&outcomes),
        pairs(&[
            ("line 1", "envelope 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60"),
            (
                &format!("line {}", lines_in_one + 1),
                "envelope c3d2e1f0-aaaa-4bbb-8ccc-000000000042"
            ),
        ])
    );
}

#[test]
fn a_lone_surrogate_escape_reads_as_a_replacement_character_in_every_form() {
    // `"\ud800"` is JSON that serde_json refuses; a caller-controlled field holding it
    // must not fail the record (and hold back the alert it carries).
    let record = stop_instances_with(json!({"userAgent": "SDK \u{fffd}"}))
        .to_string()
        .replace("\u{fffd}", r"\ud800");
    assert!(record.contains(r"SDK \ud800"), "{record}");
    let wrapper = json!({
        "EventId": "w-1",
        "CloudAuditEvent": record,
    })
    .to_string();
    let embedded = stop_instances_with(json!({"requestParameters": "{\"Name\": \"PLACEHOLDER\"}"}))
        .to_string()
        .replace("PLACEHOLDER", r"\\udc00x");
    for (form, text) in [
        ("raw", &record),
        ("wrapper", &wrapper),
        ("embedded", &embedded),
    ] {
        let outcomes = Normalizer::new(NormalizeOptions::default()).normalize_text(text);
        let [outcome] = outcomes.as_slice() else {
            panic!("{form}: one outcome: {outcomes:?}");
        };
        let Ok(Normalized::Envelope(envelope)) = &outcome.result else {
            panic!("{form}: an envelope: {:?}", outcome.result);
        };
        match form {
            "embedded" => assert_eq!(
                envelope.data["requestParameters"],
                json!({"Name": "\u{fffd}x"})
            ),
            _ => assert_eq!(envelope.data["userAgent"], "SDK \u{fffd}", "{form}"),
        }
    }
}
