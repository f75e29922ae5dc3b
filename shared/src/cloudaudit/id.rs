//! The envelope's `id`: `eventID`, else `requestID` (integers too), else a UUID v5 of the
//! record's canonical bytes, so re-processing the same record always yields the same id
//! and consumers can deduplicate.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::error::RecordId;
use super::lenient;

/// Namespace of the UUID v5 ids: itself `uuid5(NAMESPACE_URL,
/// "urn:auditbridge:cloudaudit-record")` (`139a882f-b711-5faf-a713-eeb6a41b4667`), fixed
/// forever: changing it would change the id of every record lacking `eventID` and
/// `requestID`.
pub const RECORD_ID_NAMESPACE: Uuid = Uuid::from_u128(0x139a882f_b711_5faf_a713_eeb6a41b4667);

/// The record's own id, `eventID` first, when it has one.
pub(crate) fn record_id(record: &Map<String, Value>) -> Option<RecordId> {
    ["eventID", "requestID"].into_iter().find_map(|field| {
        lenient::scalar_text(record.get(field)).map(|value| RecordId {
            field,
            value: value.into_owned(),
        })
    })
}

/// The envelope id for `record` (the record as received, before decoding or redaction).
pub(crate) fn envelope_id(record: &Map<String, Value>) -> String {
    match record_id(record) {
        Some(id) => id.value,
        None => Uuid::new_v5(&RECORD_ID_NAMESPACE, &canonical_bytes(record)).to_string(),
    }
}

/// Compact JSON with object keys sorted at every level. Written by hand rather than with
/// `serde_json::to_vec`, whose key order depends on whether any crate in the build turns
/// on serde_json's `preserve_order` feature.
pub(crate) fn canonical_bytes(record: &Map<String, Value>) -> Vec<u8> {
    let mut out = Vec::new();
    write_object(record, &mut out);
    out
}

fn write_object(object: &Map<String, Value>, out: &mut Vec<u8>) {
    let mut entries: Vec<(&String, &Value)> = object.iter().collect();
    entries.sort_unstable_by(|left, right| left.0.cmp(right.0));
    out.push(b'{');
    for (index, (key, value)) in entries.into_iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.extend_from_slice(Value::String(key.clone()).to_string().as_bytes());
        out.push(b':');
        write_value(value, out);
    }
    out.push(b'}');
}

fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(object) => write_object(object, out),
        Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        scalar => out.extend_from_slice(scalar.to_string().as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn namespace_is_the_documented_derivation() {
        assert_eq!(
            RECORD_ID_NAMESPACE,
            Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:auditbridge:cloudaudit-record")
        );
    }

    #[test]
    fn event_id_then_request_id() {
        assert_eq!(
            envelope_id(&map(json!({"eventID": "e-1", "requestID": "r-1"}))),
            "e-1"
        );
        assert_eq!(
            envelope_id(&map(json!({"eventID": "", "requestID": 662138269}))),
            "662138269"
        );
        assert_eq!(
            record_id(&map(json!({"requestID": "r-2"}))),
            Some(RecordId {
                field: "requestID",
                value: "r-2".into()
            })
        );
    }

    #[test]
    fn canonical_bytes_sort_keys_at_every_level() {
        let record = map(json!({"b": 1, "a": {"d": [true, null, "x\"y"], "c": 2.5}}));
        assert_eq!(
            String::from_utf8(canonical_bytes(&record)).expect("utf-8"),
            r#"{"a":{"c":2.5,"d":[true,null,"x\"y"]},"b":1}"#
        );
    }

    #[test]
    fn generated_ids_are_stable_and_content_sensitive() {
        let one = map(json!({"eventName": "StopInstances", "eventTime": 1}));
        let same: Map<String, Value> =
            serde_json::from_str(r#"{"eventTime": 1, "eventName": "StopInstances"}"#)
                .expect("json");
        let other = map(json!({"eventName": "StopInstances", "eventTime": 2}));
        let id = envelope_id(&one);
        assert_eq!(id, envelope_id(&same));
        assert_ne!(id, envelope_id(&other));
        assert_eq!(
            id,
            Uuid::new_v5(
                &RECORD_ID_NAMESPACE,
                br#"{"eventName":"StopInstances","eventTime":1}"#
            )
            .to_string()
        );
        assert_eq!(
            Uuid::parse_str(&id).map(|uuid| uuid.get_version_num()),
            Ok(5)
        );
    }
}
