//! Properties over arbitrary input: normalization never panics, every non-blank input
//! yields at least one outcome, every record exactly one, and envelopes are well formed.

use auditbridge_shared::cloudaudit::{
    ActionType, NormalizeOptions, Normalized, Normalizer, RecordOutcome, RECORD_KEYS,
};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Keys that steer the normalizer besides [`RECORD_KEYS`] (the ones that make an
/// object a record), mixed with random ones so generated objects hit every branch.
const OTHER_INTERESTING_KEYS: &[&str] = &[
    "sessionContext",
    "accountId",
    "requestParameters",
    "responseElements",
    "resources",
    "resourceName",
    "tags",
    "token",
    "Token",
    "key",
    "value",
    "Response",
    "Events",
    "Error",
    "Code",
    "Message",
    "CloudAuditEvent",
    "EventId",
];

fn interesting_keys() -> Vec<&'static str> {
    RECORD_KEYS
        .iter()
        .chain(OTHER_INTERESTING_KEYS)
        .copied()
        .collect()
}

const INTERESTING_STRINGS: &[&str] = &[
    "",
    " ",
    "*",
    "[\"*\"]",
    "[]",
    "{}",
    "0",
    "gz",
    "hk",
    "ap-guangzhou",
    "ApiCall",
    "consolecall",
    "MiniProgramCall",
    "Write",
    "read",
    "Admin",
    "DescribeInstances",
    "StopInstances",
    "COS",
    "cvm",
    "c v m",
    "cdb.api.qcloud.com/v2/index.php",
    "cam.ap-guangzhou.api.tencentyun.com",
    "2017-11-02 19:08:14",
    "0000-00-00 00:00:00",
    "1680513809",
    "1680513809.5",
    "1680513809000",
    "yesterday",
    "qcs:id/1196468:cvm:ap-guangzhou:uin/1:instance/ins-1",
    "qcs::cam::uin/1:uin/*",
    "[\"qcs:id\\/0:cvm:ap-guangzhou:uin\\/1:instance\\/ins-1\"]",
    "{\"token\": \"secret\", \"uin\": 1}",
    "{\"Token\": \"cut",
    "\\\"token\\\":\\\"x\\\"",
    "\"token\"",
    "[{\"key\":\"env\",\"value\":\"prod\"}]",
    "instance/a|instance/b",
    "{\"eventName\":\"StopInstances\",\"eventType\":\"ApiCall\",\"eventTime\":1}",
    "{\"Response\":{\"Events\":[]}}",
    "\u{feff}",
    "\n",
    "\r\n",
    "é中文🙂",
];

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(interesting_keys()).prop_map(str::to_owned),
        1 => ".{0,8}",
    ]
}

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(INTERESTING_STRINGS).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (0u64..2_000_000_000).prop_map(Value::from),
        any::<f64>().prop_map(
            |float| serde_json::Number::from_f64(float).map_or(Value::Null, Value::Number)
        ),
        arb_string().prop_map(Value::String),
    ]
}

/// Arbitrary nested JSON.
fn arb_json() -> impl Strategy<Value = Value> {
    arb_leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(arb_key(), inner, 0..8)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A record-shaped object: a key only records have, every other field of random type.
fn arb_record() -> impl Strategy<Value = Value> {
    let fields = btree_map(
        proptest::sample::select(
            RECORD_KEYS
                .iter()
                .chain(["resources", "resourceName", "tags", "requestParameters"].iter())
                .copied()
                .collect::<Vec<_>>(),
        ),
        arb_json(),
        0..12,
    );
    (fields, arb_string()).prop_map(|(fields, name)| {
        let mut record: Map<String, Value> = fields
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect();
        record.insert("eventName".to_owned(), Value::String(name));
        Value::Object(record)
    })
}

/// A record close to real ones: each field plausible most of the time, of a random type
/// otherwise, so envelopes are actually produced and checked.
fn arb_plausible_record() -> impl Strategy<Value = Value> {
    fn field(plausible: &'static [&'static str]) -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            6 => proptest::sample::select(plausible).prop_map(|text| Some(Value::String(text.to_owned()))),
            1 => Just(None),
            2 => arb_json().prop_map(Some),
        ]
    }
    (
        field(&[
            "StopInstances",
            "DescribeInstances",
            "ModifyDBInstanceName",
            "LookUpEvents",
        ]),
        field(&["ApiCall", "ConsoleCall", "MiniProgramCall", "apicall"]),
        prop_oneof![
            3 => (1_400_000_000u64..1_800_000_000).prop_map(|seconds| Some(Value::from(seconds))),
            1 => field(&["2017-11-02 19:08:14", "1680513809", "yesterday"]),
        ],
        field(&["cvm", "COS", "", "kms"]),
        field(&[
            "cvm.tencentcloudapi.com",
            "cdb.api.qcloud.com/v2/index.php",
            "scf.ap-chengdu.tencentcloudapi.com",
        ]),
        field(&["Write", "Read", "write", ""]),
        field(&["ap-guangzhou", "gz", "", "xx"]),
        field(&[
            "[\"*\"]",
            "*",
            "",
            "[\"qcs:id\\/0:cvm:ap-guangzhou:uin\\/1:instance\\/ins-1\"]",
        ]),
        field(&["{\"token\": \"t\", \"uin\": 1}", "", "{\"Token\": \"cut"]),
        arb_json(),
    )
        .prop_map(
            |(
                name,
                event_type,
                time,
                resource_type,
                source,
                action,
                region,
                resources,
                context,
                tags,
            )| {
                let mut record = Map::new();
                for (key, value) in [
                    ("eventName", name),
                    ("eventType", event_type),
                    ("eventTime", time),
                    ("resourceType", resource_type),
                    ("eventSource", source),
                    ("actionType", action),
                    ("eventRegion", region),
                    ("resources", resources),
                    ("tags", Some(tags)),
                ] {
                    if let Some(value) = value {
                        record.insert(key.to_owned(), value);
                    }
                }
                let mut identity = Map::new();
                identity.insert("accountId".to_owned(), Value::from(100020000000_u64));
                if let Some(context) = context {
                    identity.insert("sessionContext".to_owned(), context);
                }
                record.insert("userIdentity".to_owned(), Value::Object(identity));
                Value::Object(record)
            },
        )
}

/// A record in one of the input forms.
fn arb_input() -> impl Strategy<Value = Value> {
    prop_oneof![
        arb_record(),
        arb_plausible_record(),
        arb_plausible_record().prop_map(
            |record| serde_json::json!({"CloudAuditEvent": record.to_string(), "EventId": "e"})
        ),
        arb_record().prop_map(
            |record| serde_json::json!({"CloudAuditEvent": record.to_string(), "EventId": "e"})
        ),
        arb_record().prop_map(|record| serde_json::json!({"CloudAuditEvent": record})),
        vec(arb_record(), 0..4)
            .prop_map(|events| serde_json::json!({"Response": {"Events": events}})),
        vec(arb_record(), 0..4).prop_map(Value::Array),
        arb_json(),
    ]
}

/// Inputs that may legitimately hold no records: empty arrays and empty `Events` lists
/// (possibly nested), nothing else.
fn may_be_empty(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().all(may_be_empty),
        Value::Object(object) => {
            if let Some(response) = object.get("Response") {
                response.as_object().is_some_and(body_may_be_empty)
            } else if object.contains_key("CloudAuditEvent")
                || RECORD_KEYS.iter().any(|key| object.contains_key(*key))
            {
                false
            } else if object.contains_key("Events")
                || object.get("Error").is_some_and(Value::is_object)
            {
                body_may_be_empty(object)
            } else {
                false
            }
        }
        Value::String(text) => {
            text.trim_start().starts_with('{')
                && serde_json::from_str::<Value>(text)
                    .is_ok_and(|decoded| decoded.is_object() && may_be_empty(&decoded))
        }
        _ => false,
    }
}

fn body_may_be_empty(body: &Map<String, Value>) -> bool {
    !body.contains_key("Error")
        && body
            .get("Events")
            .and_then(Value::as_array)
            .is_some_and(|events| events.iter().all(may_be_empty))
}

/// Whether `text` may yield no outcome at all: every document in it holds no records.
fn text_may_be_empty(text: &str) -> bool {
    let mut rest = text;
    loop {
        // Byte-order marks are whitespace between documents, as in the library (files
        // joined with `cat` keep each one's mark), not only at the start of the text.
        rest = rest.trim_start_matches([' ', '\t', '\n', '\r', '\u{feff}']);
        if rest.is_empty() {
            return true;
        }
        let mut documents = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match documents.next() {
            Some(Ok(value)) if may_be_empty(&value) => rest = &rest[documents.byte_offset()..],
            _ => return false,
        }
    }
}

fn normalizers() -> [Normalizer; 2] {
    [
        Normalizer::default(),
        Normalizer::new(NormalizeOptions {
            action_types: vec![ActionType::Read, ActionType::Write],
            redact_tokens: false,
        }),
    ]
}

/// Invariants every envelope satisfies, whatever the input.
fn check_envelopes(outcomes: &[RecordOutcome]) -> Result<(), TestCaseError> {
    for outcome in outcomes {
        if let Ok(Normalized::Envelope(envelope)) = &outcome.result {
            let product = envelope.source.strip_suffix(".cloud.tencent");
            prop_assert!(
                product.is_some_and(|product| !product.is_empty()),
                "{}",
                envelope.source
            );
            let product = product.unwrap_or_default();
            let parts: Vec<&str> = envelope.event_type.split(':').collect();
            prop_assert_eq!(parts.len(), 3);
            prop_assert_eq!(parts[0], product);
            prop_assert_eq!(parts[1], "CloudEvent");
            prop_assert!(["ApiCall", "ConsoleCall", "MiniProgramCall"].contains(&parts[2]));
            prop_assert!(envelope.time >= 0);
            prop_assert!(!envelope.id.is_empty());
            prop_assert!(envelope.subject.starts_with("qcs:"), "{}", envelope.subject);
            prop_assert!(envelope
                .resource
                .iter()
                .all(|name| name.starts_with("qcs:") && !name.ends_with('*')));
            prop_assert!(envelope.data.is_object());
            prop_assert!(serde_json::to_string(envelope.as_ref()).is_ok());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_value_yields_outcomes_unless_it_holds_no_records(value in arb_input()) {
        for normalizer in normalizers() {
            let outcomes = normalizer.normalize_value(&value);
            prop_assert!(!outcomes.is_empty() || may_be_empty(&value), "no outcome for {}", value);
            check_envelopes(&outcomes)?;
        }
    }

    #[test]
    fn plausible_records_become_envelopes_skips_or_field_errors(record in arb_plausible_record()) {
        for normalizer in normalizers() {
            let outcomes = normalizer.normalize_value(&record);
            prop_assert_eq!(outcomes.len(), 1);
            if let Err(error) = &outcomes[0].result {
                let field = error.field_name().unwrap_or_default();
                prop_assert!(
                    ["eventName", "eventType", "eventTime", "resourceType", "eventSource", "actionType"].contains(&field),
                    "{}", error
                );
                prop_assert!(error.to_string().starts_with("record 1"));
            }
            if let Ok(Normalized::Envelope(envelope)) = &outcomes[0].result {
                // Nothing dropped: data has every field of the record.
                let data_keys: Vec<&String> = envelope.data.as_object().map(|data| data.keys().collect()).unwrap_or_default();
                let record_keys: Vec<&String> = record.as_object().map(|fields| fields.keys().collect()).unwrap_or_default();
                prop_assert_eq!(data_keys, record_keys);
            }
            check_envelopes(&outcomes)?;
        }
    }

    #[test]
    fn every_record_in_an_array_yields_exactly_one_outcome(records in vec(arb_record(), 0..6)) {
        let outcomes = Normalizer::default().normalize_value(&Value::Array(records.clone()));
        prop_assert_eq!(outcomes.len(), records.len());
        for (index, outcome) in outcomes.iter().enumerate() {
            prop_assert_eq!(outcome.location.record(), Some(index + 1));
        }
        // The same records as JSON lines: one outcome per line, located by line.
        let text: String = records.iter().map(|record| format!("{record}\n")).collect();
        let outcomes = Normalizer::default().normalize_text(&text);
        prop_assert_eq!(outcomes.len(), records.len());
        for (index, outcome) in outcomes.iter().enumerate() {
            prop_assert_eq!(outcome.location.line(), Some(index + 1));
        }
    }

    #[test]
    fn any_text_yields_outcomes_unless_blank(text in any::<String>()) {
        for normalizer in normalizers() {
            let outcomes = normalizer.normalize_text(&text);
            prop_assert!(!outcomes.is_empty() || text_may_be_empty(&text), "no outcome for {:?}", text);
            let line_count = text.split('\n').count();
            prop_assert!(outcomes.iter().all(|outcome| outcome.location.line().is_some_and(|line| line >= 1 && line <= line_count)));
        }
    }

    #[test]
    fn broken_json_texts_never_panic(
        documents in vec(arb_input(), 1..4),
        pretty in any::<bool>(),
        cut in any::<prop::sample::Index>(),
        junk in arb_string(),
        junk_at in any::<prop::sample::Index>(),
    ) {
        let rendered: Vec<String> = documents
            .iter()
            .map(|document| if pretty { serde_json::to_string_pretty(document).unwrap_or_default() } else { document.to_string() })
            .collect();
        let whole = rendered.join("\n");
        let mut lines: Vec<&str> = whole.split('\n').collect();
        let insert_at = junk_at.index(lines.len() + 1);
        lines.insert(insert_at, &junk);
        let with_junk = lines.join("\n");
        let boundaries: Vec<usize> = with_junk.char_indices().map(|(offset, _)| offset).chain([with_junk.len()]).collect();
        let truncated = &with_junk[..boundaries[cut.index(boundaries.len())]];
        for text in [whole.as_str(), with_junk.as_str(), truncated] {
            let outcomes = Normalizer::default().normalize_text(text);
            prop_assert!(!outcomes.is_empty() || text_may_be_empty(text), "no outcome for {:?}", text);
            check_envelopes(&outcomes)?;
        }
    }
}

/// Guards the generator: the envelope checks above only mean something if plausible
/// records do become envelopes (and sometimes skips and errors).
#[test]
fn plausible_records_exercise_every_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = arb_plausible_record();
    let (mut envelopes, mut skipped, mut errors) = (0, 0, 0);
    for _ in 0..300 {
        let record = strategy.new_tree(&mut runner).expect("generates").current();
        for outcome in Normalizer::default().normalize_value(&record) {
            match outcome.result {
                Ok(Normalized::Envelope(_)) => envelopes += 1,
                Ok(Normalized::Skipped { .. }) => skipped += 1,
                Err(_) => errors += 1,
            }
        }
    }
    assert!(
        envelopes >= 30 && skipped >= 10 && errors >= 10,
        "envelopes {envelopes}, skipped {skipped}, errors {errors}"
    );
}
