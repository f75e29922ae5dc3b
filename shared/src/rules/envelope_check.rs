//! Is this text an event envelope? Checked cheaply for every event, before matching.
//!
//! Most events match no rule, so the check must not build the envelope: it borrows the
//! strings and skips `data` and `tags` without building them. Only when a rule matches
//! is the full [`Envelope`] read. On failure the text is read again with
//! `serde_path_to_error`, to name the field at fault (the fast path does not pay for it).

use super::error::EnvelopeError;
use crate::envelope::Envelope;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::borrow::Cow;

/// Exactly the fields and types of [`Envelope`], without building any of them.
#[derive(serde::Deserialize)]
#[allow(dead_code)] // read only to check presence and types
struct EnvelopeShape<'a> {
    #[serde(borrow)]
    specversion: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    event_type: Cow<'a, str>,
    #[serde(borrow)]
    subject: Cow<'a, str>,
    time: i64,
    #[serde(borrow)]
    region: Cow<'a, str>,
    #[serde(borrow, default)]
    resource: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    datacontenttype: Cow<'a, str>,
    #[serde(default)]
    tags: AnyObject,
    data: IgnoredAny,
}

/// Any JSON object, skipped.
#[derive(Default)]
struct AnyObject;

impl<'de> Deserialize<'de> for AnyObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = AnyObject;
            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyObject, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(AnyObject)
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// `Ok` when `text` is an envelope: every field present with its type, and a non-empty
/// `id` (idempotency keys are made from it).
pub(crate) fn check(text: &str) -> Result<(), EnvelopeError> {
    match serde_json::from_str::<EnvelopeShape<'_>>(text) {
        Ok(shape) if shape.id.is_empty() => Err(EnvelopeError::Invalid {
            field: "id".into(),
            reason: "must not be empty".into(),
        }),
        Ok(_) => Ok(()),
        Err(error) => Err(explain::<EnvelopeShape<'_>>(text, error)),
    }
}

/// The whole envelope.
pub(crate) fn parse(text: &str) -> Result<Envelope, EnvelopeError> {
    serde_json::from_str(text).map_err(|error| explain::<Envelope>(text, error))
}

/// The error of reading `text` as `T`, with the path of the field at fault.
fn explain<'de, T: Deserialize<'de>>(text: &'de str, error: serde_json::Error) -> EnvelopeError {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(tracked) => {
            let path = tracked.path().to_string();
            EnvelopeError::Invalid {
                field: if path == "." { String::new() } else { path },
                reason: tracked.into_inner().to_string(),
            }
        }
        // Only the trailing-characters check runs after deserialization.
        Ok(_) => EnvelopeError::Invalid {
            field: String::new(),
            reason: error.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn envelope() -> Value {
        json!({
            "specversion": "1.0", "id": "e1", "source": "cvm.cloud.tencent",
            "type": "cvm:CloudEvent:ApiCall", "subject": "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1",
            "time": 1_629_961_140_000_i64, "region": "ap-guangzhou", "resource": ["r1"],
            "datacontenttype": "application/json;charset=utf-8", "tags": {"k": "v"},
            "data": {"eventName": "StopInstances"}, "traceparent": "00-abc"
        })
    }

    fn error_of(value: &Value) -> String {
        let text = value.to_string();
        let error = check(&text).expect_err("not an envelope");
        // The full parse must agree with the cheap check.
        assert!(
            parse(&text).is_err()
                || matches!(&error, EnvelopeError::Invalid { field, .. } if field == "id")
        );
        error.to_string()
    }

    #[test]
    fn a_valid_envelope_passes_both_checks() {
        let text = envelope().to_string();
        assert!(check(&text).is_ok());
        let parsed = parse(&text).expect("parses");
        assert_eq!(parsed.id, "e1");
        let mut minimal = envelope();
        let object = minimal.as_object_mut().expect("object");
        object.remove("tags");
        object.remove("resource");
        object.insert("data".into(), Value::Null);
        assert!(check(&minimal.to_string()).is_ok());
        assert!(parse(&minimal.to_string()).is_ok());
    }

    #[test]
    fn strings_with_escapes_are_accepted() {
        let mut value = envelope();
        value["subject"] = json!("qcs::cvm:\"quoted\"\n");
        assert!(check(&value.to_string()).is_ok());
    }

    #[test]
    fn errors_name_the_field() {
        let mut value = envelope();
        value["time"] = json!("yesterday");
        assert!(
            error_of(&value).starts_with("not an event envelope: field time: invalid type: string \"yesterday\", expected i64 at line 1 column "),
            "{}",
            error_of(&value)
        );
        let mut value = envelope();
        value["resource"] = json!(["a", 1]);
        assert!(error_of(&value).starts_with("not an event envelope: field resource[1]: invalid type: integer `1`, expected a string"));
        let mut value = envelope();
        value["tags"] = json!([]);
        assert!(error_of(&value)
            .starts_with("not an event envelope: field tags: invalid type: sequence, expected"));
        let mut value = envelope();
        value.as_object_mut().expect("object").remove("source");
        assert!(error_of(&value).starts_with("not an event envelope: missing field `source`"));
        let mut value = envelope();
        value.as_object_mut().expect("object").remove("data");
        assert!(error_of(&value).starts_with("not an event envelope: missing field `data`"));
        let mut value = envelope();
        value["id"] = json!("");
        assert_eq!(
            error_of(&value),
            "not an event envelope: field id: must not be empty"
        );
    }

    #[test]
    fn text_that_is_not_an_object_is_refused() {
        for text in ["", "not json", "[1]", "{\"id\": ", "null"] {
            let error = check(text).expect_err("refused");
            assert!(
                error.to_string().starts_with("not an event envelope: "),
                "{error}"
            );
        }
        let text = format!("{} trailing", envelope());
        assert_eq!(
            check(&text).expect_err("refused").to_string(),
            format!(
                "not an event envelope: trailing characters at line 1 column {}",
                envelope().to_string().len() + 2
            )
        );
    }
}
