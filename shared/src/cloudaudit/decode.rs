//! Embedded JSON: CloudAudit stores `requestParameters`, `responseElements`, `resources`
//! and `userIdentity.sessionContext` as strings holding JSON, and every record field has
//! been seen with more than one JSON type, `userIdentity` as text included. Decoding them
//! lets rules match inside (`detail.requestParameters.InstanceIds`), and the caller's
//! account and session token are found wherever the record wrote them.
//!
//! Only objects and arrays are decoded: a scalar such as `"0"` or `"true"` stays the
//! string it was, so a field never changes JSON type just because its text happens to
//! parse. Text that does not parse stays a string. Only these five fields are decoded,
//! one level deep (`sessionContext.extraInfo`, itself JSON text, stays a string): the
//! envelope keeps the record's shape otherwise.

use serde_json::{Map, Value};

use super::surrogates::without_lone_surrogates;

/// Paths of the fields that hold JSON as text.
const EMBEDDED_JSON_FIELDS: &[&[&str]] = &[
    // Before its `sessionContext`, which may then be JSON text inside it.
    &["userIdentity"],
    &["requestParameters"],
    &["responseElements"],
    &["resources"],
    &["userIdentity", "sessionContext"],
];

/// Decodes every embedded-JSON field of `record` in place.
pub(crate) fn decode_embedded(record: &mut Map<String, Value>) {
    for path in EMBEDDED_JSON_FIELDS {
        if let Some(field) = value_at_mut(record, path) {
            if let Some(decoded) = field.as_str().and_then(decode_json_text) {
                *field = decoded;
            }
        }
    }
}

/// The JSON object or array held by `text`, if it holds one.
pub(crate) fn decode_json_text(text: &str) -> Option<Value> {
    if !text.trim_start().starts_with(['{', '[']) {
        return None;
    }
    serde_json::from_str::<Value>(&without_lone_surrogates(text))
        .ok()
        .filter(|value| value.is_object() || value.is_array())
}

pub(crate) fn value_at_mut<'a>(
    record: &'a mut Map<String, Value>,
    path: &[&str],
) -> Option<&'a mut Value> {
    let (first, rest) = path.split_first()?;
    let mut current = record.get_mut(*first)?;
    for key in rest {
        current = current.as_object_mut()?.get_mut(*key)?;
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decoded(record: Value) -> Value {
        let Value::Object(mut map) = record else {
            panic!("test records are objects")
        };
        decode_embedded(&mut map);
        Value::Object(map)
    }

    #[test]
    fn json_text_fields_become_values() {
        let out = decoded(json!({
            "requestParameters": "{\"Limit\":100}",
            "responseElements": " [1, 2]",
            "resources": "[\"qcs::cvm:ap-guangzhou:uin\\/1:instance\\/ins-1\"]",
            "userIdentity": {"sessionContext": "{\"uin\": 1}"},
            "other": "{\"kept\": \"as text\"}"
        }));
        assert_eq!(
            out,
            json!({
                "requestParameters": {"Limit": 100},
                "responseElements": [1, 2],
                "resources": ["qcs::cvm:ap-guangzhou:uin/1:instance/ins-1"],
                "userIdentity": {"sessionContext": {"uin": 1}},
                "other": "{\"kept\": \"as text\"}"
            })
        );
    }

    #[test]
    fn scalars_broken_text_and_objects_are_left_alone() {
        let record = json!({
            "requestParameters": "0",
            "responseElements": "{\"truncated\": ",
            "resources": "*",
            "userIdentity": {"sessionContext": ""}
        });
        assert_eq!(decoded(record.clone()), record);
        let legacy = json!({"requestParameters": {"Action": "X"}, "userIdentity": {"sessionContext": {"uin": 1}}});
        assert_eq!(decoded(legacy.clone()), legacy);
        let odd = json!({"userIdentity": "root", "resources": 5});
        assert_eq!(decoded(odd.clone()), odd);
    }
}
