//! An envelope as a message for the events queue, and whether it leaves room for the
//! deliveries made of it.
//!
//! Attributes `id`, `source` and `type` let consumers (and SQS subscription filters)
//! route without parsing the body. On a FIFO queue the envelope id is the deduplication
//! id, so a record delivered twice within SQS's five-minute window is dropped, and the
//! subject is the group id, so events about one resource stay in order.
//!
//! Here rather than in the normalize function so that `auditbridge run` builds, checks and
//! evaluates exactly the message normalize would send.

use uuid::Uuid;

use super::{is_valid_fifo_id, sqs_safe_json, sqs_safe_text, OutboundMessage};
use crate::envelope::Envelope;
use crate::rules::WHOLE_ENVELOPE_EXTRA_BYTES;

/// Namespace of the UUID v5 that stands in for an id SQS would refuse as a FIFO id.
pub const FIFO_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6a1e_0c55_8f3b_4d8e_9b27_41c0_5a7d_e2f3);

/// The envelope serialized as the message body, with its attributes and, for a FIFO
/// queue, its group and deduplication ids.
///
/// Made of text SQS accepts, whatever the record held: U+FFFE and U+FFFF (a caller can
/// put them in a `userAgent` with a `\uffff` escape) are escaped in the body, and control
/// characters in an attribute (an odd `eventID`) become U+FFFD there, the body keeping
/// the value. SQS would refuse the message otherwise, every time: the event would end in
/// the dead-letter queue instead of paging anyone.
pub fn envelope_message(
    envelope: &Envelope,
    fifo: bool,
) -> Result<OutboundMessage, serde_json::Error> {
    let body = sqs_safe_json(serde_json::to_string(envelope)?);
    let attributes = [
        ("id", &envelope.id),
        ("source", &envelope.source),
        ("type", &envelope.event_type),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), sqs_safe_text(value).into_owned()))
    .collect();
    Ok(OutboundMessage {
        body,
        attributes,
        group_id: fifo.then(|| fifo_id(&envelope.subject)),
        dedup_id: fifo.then(|| fifo_id(&envelope.id)),
    })
}

/// An envelope message too large to be forwarded: a target that delivers the envelope
/// whole adds [`WHOLE_ENVELOPE_EXTRA_BYTES`] of attributes, and that delivery would then
/// fail in the evaluate function on every receive, re-sending its batch-mates each time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "envelope size {size} bytes (body plus attributes) exceeds the message limit of {max_bytes} bytes less the {WHOLE_ENVELOPE_EXTRA_BYTES} bytes a target delivering the whole envelope adds"
)]
pub struct EnvelopeTooLarge {
    /// [`OutboundMessage::size`] of the envelope message.
    pub size: usize,
    /// The message limit it was checked against.
    pub max_bytes: usize,
}

/// Whether every delivery made of `message` fits in `max_bytes`, as far as the envelope
/// decides it (a transformed body is checked when it is built).
pub fn check_envelope_size(
    message: &OutboundMessage,
    max_bytes: usize,
) -> Result<(), EnvelopeTooLarge> {
    let size = message.size();
    if size.saturating_add(WHOLE_ENVELOPE_EXTRA_BYTES) > max_bytes {
        Err(EnvelopeTooLarge { size, max_bytes })
    } else {
        Ok(())
    }
}

/// `value` itself when SQS accepts it as a FIFO group or deduplication id (1 to 128
/// ASCII alphanumeric or punctuation characters), else the UUID v5 of `value` in
/// [`FIFO_ID_NAMESPACE`]: stable, so the same record still deduplicates and the same
/// subject still lands in the same group.
pub fn fifo_id(value: &str) -> String {
    if is_valid_fifo_id(value) {
        value.to_string()
    } else {
        Uuid::new_v5(&FIFO_ID_NAMESPACE, value.as_bytes()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{DATA_CONTENT_TYPE, SPEC_VERSION};
    use crate::outbound::is_sqs_text;
    use serde_json::{json, Map};

    fn envelope(id: &str, subject: &str) -> Envelope {
        Envelope {
            specversion: SPEC_VERSION.into(),
            id: id.into(),
            source: "cvm.cloud.tencent".into(),
            event_type: "cvm:CloudEvent:ApiCall".into(),
            subject: subject.into(),
            time: 1_714_961_587_000,
            region: "ap-guangzhou".into(),
            resource: vec![subject.into()],
            datacontenttype: DATA_CONTENT_TYPE.into(),
            tags: Map::new(),
            data: json!({"eventName": "StopInstances"}),
            extensions: Map::new(),
        }
    }

    #[test]
    fn standard_queue_messages_carry_body_and_attributes_only() {
        let envelope = envelope("e-1", "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1");
        let message = envelope_message(&envelope, false).expect("serializes");
        let body: Envelope = serde_json::from_str(&message.body).expect("body is the envelope");
        assert_eq!(body, envelope);
        let attributes: Vec<(&str, &str)> = message
            .attributes
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            attributes,
            vec![
                ("id", "e-1"),
                ("source", "cvm.cloud.tencent"),
                ("type", "cvm:CloudEvent:ApiCall")
            ]
        );
        assert_eq!((message.group_id, message.dedup_id), (None, None));
    }

    #[test]
    fn characters_sqs_refuses_are_escaped_and_the_body_means_the_same() {
        let mut envelope = envelope("e-\u{1}-1", "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1");
        envelope.data =
            json!({"userAgent": "Mozilla/5.0 \u{ffff}\u{fffe}", "eventID": "e-\u{1}-1"});
        let message = envelope_message(&envelope, true).expect("serializes");
        assert!(is_sqs_text(&message.body), "{}", message.body);
        assert!(
            message.attributes.values().all(|value| is_sqs_text(value)),
            "{:?}",
            message.attributes
        );
        assert!(
            message.body.contains(r"Mozilla/5.0 \uffff\ufffe"),
            "{}",
            message.body
        );
        let body: Envelope = serde_json::from_str(&message.body).expect("body is the envelope");
        assert_eq!(body, envelope);
        assert_eq!(message.attributes["id"], "e-\u{fffd}-1");
        assert!(message.dedup_id.as_deref().is_some_and(is_valid_fifo_id));
    }

    #[test]
    fn a_whole_envelope_target_adds_at_most_the_headroom_normalize_keeps() {
        use crate::pattern::Dialect;
        use crate::rules::RulesFile;

        // The longest rule name and target id there can be, delivering the envelope whole.
        let rules = serde_json::json!({"rules": [{
            "name": format!("r{}", "x".repeat(59)),
            "pattern": {"source": ["cvm.cloud.tencent"]},
            "targets": [{"id": "t".repeat(64), "queue": "https://sqs.example.com/1/q.fifo"}],
        }]});
        let compiled = RulesFile::parse(&rules.to_string(), Dialect::Default)
            .and_then(|file| file.compile(&|_: &str| None))
            .expect("valid rules");
        for fifo in [false, true] {
            let message = envelope_message(
                &envelope("e-1", "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1"),
                fifo,
            )
            .expect("serializes");
            let evaluation = compiled.evaluate(&message.body).expect("an envelope");
            let [delivery] = evaluation.deliveries.as_slice() else {
                panic!("one delivery: {evaluation:?}");
            };
            assert_eq!(delivery.message.body, message.body);
            assert_eq!(
                delivery.message.size(),
                message.size() + WHOLE_ENVELOPE_EXTRA_BYTES
            );
        }
    }

    #[test]
    fn an_envelope_fits_when_its_whole_delivery_would() {
        let message = envelope_message(
            &envelope("e-1", "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1"),
            false,
        )
        .expect("serializes");
        let fits = message.size() + WHOLE_ENVELOPE_EXTRA_BYTES;
        assert_eq!(check_envelope_size(&message, fits), Ok(()));
        let error = check_envelope_size(&message, fits - 1).expect_err("one byte short");
        assert_eq!(
            error,
            EnvelopeTooLarge {
                size: message.size(),
                max_bytes: fits - 1
            }
        );
        assert_eq!(
            error.to_string(),
            format!(
                "envelope size {} bytes (body plus attributes) exceeds the message limit of {} bytes less the {WHOLE_ENVELOPE_EXTRA_BYTES} bytes a target delivering the whole envelope adds",
                message.size(),
                fits - 1
            )
        );
    }

    #[test]
    fn fifo_messages_use_subject_and_id() {
        let message = envelope_message(
            &envelope("e-1", "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1"),
            true,
        )
        .expect("serializes");
        assert_eq!(
            message.group_id.as_deref(),
            Some("qcs::cvm:ap-guangzhou:uin/1:instance/ins-1")
        );
        assert_eq!(message.dedup_id.as_deref(), Some("e-1"));
    }

    #[test]
    fn ids_sqs_would_refuse_become_stable_uuids() {
        let long = format!("qcs::cos:ap-guangzhou:uin/1:prefix/{}", "k".repeat(120));
        for refused in [
            long.as_str(),
            "qcs::cvm:ap-guangzhou:uin/1:instance/with space",
            "名字",
            "",
        ] {
            let id = fifo_id(refused);
            assert_ne!(id, refused);
            assert!(is_valid_fifo_id(&id), "{id}");
            assert_eq!(id, fifo_id(refused), "stable");
            assert_eq!(Uuid::parse_str(&id).map(|u| u.get_version_num()), Ok(5));
        }
        assert_ne!(fifo_id("a b"), fifo_id("a  b"));
        assert_eq!(fifo_id(&"x".repeat(128)), "x".repeat(128));
    }
}
