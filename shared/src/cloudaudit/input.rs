//! The input forms: finding the raw records inside one parsed JSON value.
//!
//! Accepted anywhere, nested in any combination:
//! - a raw record: an object with at least one of the record's own keys
//!   ([`RECORD_KEYS`]), whatever else it holds; an object with none of them is not a
//!   record (an error);
//! - a DescribeEvents/LookUpEvents `Event`: an object with `CloudAuditEvent`, the raw
//!   record as a JSON string (or, as some exports have it, already an object); the
//!   wrapper's own fields (`Location`, `EventNameCn`, ...) are presentation added by the
//!   API and are not carried into the envelope;
//! - a whole response `{"Response": {"Events": [..]}}`, or just its body
//!   `{"Events": [..]}`; an error response (`Response.Error`) is an error, never "zero
//!   records";
//! - a JSON array of any of these (an empty array or `Events` list is zero records);
//! - a string holding one of these objects as JSON (a doubly encoded export).

use serde_json::{Map, Value};

use super::decode::decode_json_text;
use super::error::{RecordError, RecordId, RecordLocation};
use super::lenient;
use super::surrogates::without_lone_surrogates;

/// Keys only a raw record has; any one of them makes an object a record.
pub const RECORD_KEYS: &[&str] = &[
    "eventName",
    "eventSource",
    "eventType",
    "eventTime",
    "eventID",
    "eventRegion",
    "eventVersion",
    "requestID",
    "actionType",
    "resourceType",
    "userIdentity",
];

/// Keys of a DescribeEvents `Event` wrapper, to recognise one that lost its record.
const WRAPPER_KEYS: &[&str] = &[
    "EventId",
    "EventName",
    "EventTime",
    "EventSource",
    "RequestID",
];

/// Deepest nesting of arrays, responses and encoded strings followed.
const MAX_DEPTH: usize = 64;

/// What the walk hands out: a record (borrowed for the duration of the call) or an error.
pub(crate) type Emit<'e> = dyn FnMut(RecordLocation, Result<&Map<String, Value>, RecordError>) + 'e;

/// Every record (or error) found in `value`, in input order.
pub(crate) fn walk(value: &Value, location: &RecordLocation, emit: &mut Emit<'_>) {
    walk_at_depth(value, location, 0, emit);
}

fn walk_at_depth(value: &Value, location: &RecordLocation, depth: usize, emit: &mut Emit<'_>) {
    if depth > MAX_DEPTH {
        emit(
            location.clone(),
            Err(RecordError::input(
                location,
                format!("nested more than {MAX_DEPTH} levels deep"),
            )),
        );
        return;
    }
    match value {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk_at_depth(item, &location.index(index), depth + 1, emit);
            }
        }
        Value::Object(object) => walk_object(object, location, depth, emit),
        Value::String(text) => match decode_json_text(text).filter(Value::is_object) {
            Some(decoded) => walk_at_depth(&decoded, location, depth + 1, emit),
            None => emit(location.clone(), Err(not_a_record(location, value))),
        },
        _ => emit(location.clone(), Err(not_a_record(location, value))),
    }
}

fn walk_object(
    object: &Map<String, Value>,
    location: &RecordLocation,
    depth: usize,
    emit: &mut Emit<'_>,
) {
    // Record keys first: a record is kept whole whatever else it holds, and an unknown
    // field named `Response` or `CloudAuditEvent` must not turn it into a wrapper.
    if RECORD_KEYS.iter().any(|key| object.contains_key(*key)) {
        emit(location.clone(), Ok(object));
    } else if let Some(response) = object.get("Response") {
        match response {
            Value::Object(body) => walk_response_body(body, location, "Response.", depth, emit),
            other => emit(
                location.clone(),
                Err(RecordError::field(
                    location,
                    None,
                    "Response",
                    format!("expected an object, got {}", lenient::describe(Some(other))),
                )),
            ),
        }
    } else if let Some(embedded) = object.get("CloudAuditEvent") {
        walk_wrapper(object, embedded, location, emit);
    } else if object.contains_key("Events") || object.get("Error").is_some_and(Value::is_object) {
        walk_response_body(object, location, "", depth, emit);
    } else if WRAPPER_KEYS.iter().any(|key| object.contains_key(*key)) {
        emit(
            location.clone(),
            Err(RecordError::field(
                location,
                wrapper_id(object),
                "CloudAuditEvent",
                "missing: a DescribeEvents Event without the raw record",
            )),
        );
    } else {
        emit(
            location.clone(),
            Err(not_a_record(location, &Value::Object(object.clone()))),
        );
    }
}

/// `body` is the `Response` object (`prefix` `"Response."`) or a bare response body.
fn walk_response_body(
    body: &Map<String, Value>,
    location: &RecordLocation,
    prefix: &str,
    depth: usize,
    emit: &mut Emit<'_>,
) {
    if let Some(error) = body.get("Error") {
        let code = lenient::scalar_text(error.get("Code")).unwrap_or_default();
        let message = lenient::scalar_text(error.get("Message")).unwrap_or_default();
        let request = lenient::scalar_text(body.get("RequestId"))
            .map(|id| format!(" (RequestId {id})"))
            .unwrap_or_default();
        let reason =
            format!("the API returned an error instead of events: {code}: {message}{request}");
        emit(
            location.clone(),
            Err(RecordError::field(
                location,
                None,
                format!("{prefix}Error"),
                reason,
            )),
        );
        return;
    }
    let events_location = if prefix.is_empty() {
        location.key("Events")
    } else {
        location.key("Response").key("Events")
    };
    match body.get("Events") {
        Some(Value::Array(events)) => {
            for (index, event) in events.iter().enumerate() {
                walk_at_depth(event, &events_location.index(index), depth + 1, emit);
            }
        }
        found => emit(
            location.clone(),
            Err(RecordError::field(
                location,
                None,
                format!("{prefix}Events"),
                format!(
                    "expected an array of events, got {}",
                    lenient::describe(found)
                ),
            )),
        ),
    }
}

fn walk_wrapper(
    wrapper: &Map<String, Value>,
    embedded: &Value,
    location: &RecordLocation,
    emit: &mut Emit<'_>,
) {
    let fail = |reason: String| {
        RecordError::field(location, wrapper_id(wrapper), "CloudAuditEvent", reason)
    };
    let parsed;
    let record = match embedded {
        Value::Object(record) => record,
        Value::String(text) => {
            match serde_json::from_str::<Value>(&without_lone_surrogates(text)) {
                Ok(Value::Object(record)) => {
                    parsed = record;
                    &parsed
                }
                Ok(other) => {
                    emit(
                        location.clone(),
                        Err(fail(format!(
                            "expected the raw record as a JSON object, got {}",
                            lenient::describe(Some(&other))
                        ))),
                    );
                    return;
                }
                Err(error) => {
                    emit(
                        location.clone(),
                        Err(fail(format!(
                            "not JSON ({error}): {}",
                            lenient::describe(Some(embedded))
                        ))),
                    );
                    return;
                }
            }
        }
        other => {
            emit(
                location.clone(),
                Err(fail(format!(
                    "expected the raw record as a JSON string, got {}",
                    lenient::describe(Some(other))
                ))),
            );
            return;
        }
    };
    if RECORD_KEYS.iter().any(|key| record.contains_key(*key)) {
        emit(location.clone(), Ok(record));
    } else {
        emit(
            location.clone(),
            Err(fail(
                "holds an object that is not a CloudAudit record".to_owned(),
            )),
        );
    }
}

fn wrapper_id(wrapper: &Map<String, Value>) -> Option<RecordId> {
    ["EventId", "RequestID"].into_iter().find_map(|field| {
        lenient::scalar_text(wrapper.get(field)).map(|value| RecordId {
            field,
            value: value.into_owned(),
        })
    })
}

fn not_a_record(location: &RecordLocation, value: &Value) -> RecordError {
    let found = match value {
        Value::Object(object) if object.is_empty() => "an empty object".to_owned(),
        Value::Object(object) => {
            let keys: Vec<String> = object
                .keys()
                .take(5)
                .map(|key| format!("{key:?}"))
                .collect();
            let more = if object.len() > 5 { ", ..." } else { "" };
            format!("an object with keys {}{more}", keys.join(", "))
        }
        other => lenient::describe(Some(other)),
    };
    RecordError::input(
        location,
        format!("not a CloudAudit record (expected an object with eventName, eventSource, eventType, ..., a DescribeEvents Event or a response), got {found}"),
    )
}
