//! The event envelope: EventBridge's CloudEvents 1.0 form for CloudAudit events.
//!
//! Everything downstream of normalization (rules, targets, people reading alerts)
//! sees only this shape, so it is deliberately plain data. Fields are declared in the
//! order they are serialized, which is the order Tencent documents.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// CloudEvents spec version carried by every envelope.
pub const SPEC_VERSION: &str = "1.0";
/// Content type of `data`: the CloudAudit record as JSON.
pub const DATA_CONTENT_TYPE: &str = "application/json;charset=utf-8";

/// One CloudAudit API call as an EventBridge event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub specversion: String,
    /// Stable id: the record's `eventID`, else `requestID`, else a UUID v5 of the record.
    pub id: String,
    /// `${product}.cloud.tencent`.
    pub source: String,
    /// `${product}:CloudEvent:${eventType}`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The first affected resource as a QCS name, or the account when there is none.
    pub subject: String,
    /// Milliseconds since the Unix epoch, UTC.
    pub time: i64,
    pub region: String,
    /// Every concrete QCS resource name the call touched.
    #[serde(default)]
    pub resource: Vec<String>,
    pub datacontenttype: String,
    /// Resource tags as `{key: value}`.
    #[serde(default)]
    pub tags: Map<String, Value>,
    /// The complete CloudAudit record, embedded JSON strings decoded.
    pub data: Value,
    /// Attributes this version does not know; kept so nothing is lost in transit.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serializes_in_documented_order_and_round_trips() {
        let envelope = Envelope {
            specversion: SPEC_VERSION.into(),
            id: "e1".into(),
            source: "cvm.cloud.tencent".into(),
            event_type: "cvm:CloudEvent:ApiCall".into(),
            subject: "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1".into(),
            time: 1_629_961_140_000,
            region: "ap-guangzhou".into(),
            resource: vec!["qcs::cvm:ap-guangzhou:uin/1:instance/ins-1".into()],
            datacontenttype: DATA_CONTENT_TYPE.into(),
            tags: Map::new(),
            data: json!({"eventName": "StopInstances"}),
            extensions: Map::new(),
        };
        let text = serde_json::to_string(&envelope).expect("serializes");
        assert!(text.starts_with(r#"{"specversion":"1.0","id":"e1","source":"cvm.cloud.tencent","type":"cvm:CloudEvent:ApiCall","subject""#), "{text}");
        let back: Envelope = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, envelope);
    }

    #[test]
    fn unknown_attributes_survive_a_round_trip() {
        let text = r#"{"specversion":"1.0","id":"x","source":"cam.cloud.tencent","type":"cam:CloudEvent:ApiCall","subject":"s","time":1,"region":"ap-beijing","datacontenttype":"application/json;charset=utf-8","data":{},"traceparent":"00-abc"}"#;
        let envelope: Envelope = serde_json::from_str(text).expect("parses");
        assert_eq!(
            envelope.extensions.get("traceparent"),
            Some(&json!("00-abc"))
        );
        assert!(serde_json::to_string(&envelope)
            .expect("serializes")
            .contains(r#""traceparent":"00-abc""#));
    }
}
