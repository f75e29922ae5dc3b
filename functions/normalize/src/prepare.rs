//! The business part: the records of one input (an SQS message body or a direct
//! payload) into messages ready for the events queue, skips and per-record failures.

use auditbridge_shared::cloudaudit::{Normalized, RecordError, RecordLocation, RecordOutcome};
use auditbridge_shared::envelope::Envelope;
use auditbridge_shared::outbound::{check_envelope_size, envelope_message, OutboundMessage};
use serde::{Deserialize, Serialize};

/// A record that was not forwarded, in words for the people who will look for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFailure {
    /// Where the record was and its id when known, e.g. `line 2 (eventID 6f2d...)`.
    pub record: String,
    /// What went wrong, e.g. `field eventTime: expected Unix seconds ...`.
    pub reason: String,
}

impl RecordFailure {
    fn from_record_error(error: &RecordError) -> Self {
        let mut record = error.location().to_string();
        if let Some(id) = error.record_id() {
            record.push_str(&format!(" ({id})"));
        }
        let reason = match error.field_name() {
            Some(field) => format!("field {field}: {}", error.reason()),
            None => error.reason().to_string(),
        };
        RecordFailure { record, reason }
    }
}

/// One envelope ready to send, with the label of the record it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedEnvelope {
    pub record: String,
    pub message: OutboundMessage,
}

/// What became of the records of one input before sending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    /// Records found in the input.
    pub records: usize,
    /// Records that became envelopes (sendable or not).
    pub normalized: usize,
    /// Records of an action type not forwarded (reads, by default); not failures.
    pub skipped: usize,
    pub envelopes: Vec<PreparedEnvelope>,
    pub failures: Vec<RecordFailure>,
    /// Not looked at: an earlier message of its batch from a FIFO queue failed, and
    /// this one must not overtake it ([`lambda_common::invocation::HELD_BACK`]).
    pub held_back: bool,
}

impl Prepared {
    /// An input not looked at because it must not overtake a failed one.
    pub fn held_back() -> Prepared {
        Prepared {
            held_back: true,
            ..Prepared::default()
        }
    }

    /// An input that could not be looked at, e.g. an SQS message without a body.
    pub fn unreadable(record: &str, reason: &str) -> Prepared {
        Prepared {
            failures: vec![RecordFailure {
                record: record.into(),
                reason: reason.into(),
            }],
            ..Prepared::default()
        }
    }
}

/// Sorts `outcomes` into envelopes to send, skips and failures. An envelope whose
/// message would exceed `max_bytes` in a target that delivers it whole
/// ([`check_envelope_size`]) is a failure naming the record and its envelope size: sent
/// on, it would fail in evaluate on every receive instead.
pub fn prepare(outcomes: Vec<RecordOutcome>, fifo: bool, max_bytes: usize) -> Prepared {
    let mut prepared = Prepared {
        records: outcomes.len(),
        ..Prepared::default()
    };
    for RecordOutcome { location, result } in outcomes {
        match result {
            Ok(Normalized::Skipped { .. }) => prepared.skipped += 1,
            Err(error) => prepared
                .failures
                .push(RecordFailure::from_record_error(&error)),
            Ok(Normalized::Envelope(envelope)) => {
                prepared.normalized += 1;
                let record = record_label(&location, &envelope);
                let checked = envelope_message(&envelope, fifo)
                    .map_err(|error| format!("the envelope could not be serialized: {error}"))
                    .and_then(|message| {
                        check_envelope_size(&message, max_bytes)
                            .map(|()| message)
                            .map_err(|error| format!("{error} (MAX_MESSAGE_BYTES)"))
                    });
                match checked {
                    Ok(message) => prepared
                        .envelopes
                        .push(PreparedEnvelope { record, message }),
                    Err(reason) => prepared.failures.push(RecordFailure { record, reason }),
                }
            }
        }
    }
    prepared
}

/// `line 2, Response.Events[0] (eventID 008e...)`: the record's `eventID` when it has
/// one, else the envelope id (its `requestID` or a derived UUID).
fn record_label(location: &RecordLocation, envelope: &Envelope) -> String {
    match envelope.data.get("eventID") {
        Some(serde_json::Value::String(id)) if !id.is_empty() => {
            format!("{location} (eventID {id})")
        }
        Some(serde_json::Value::Number(id)) => format!("{location} (eventID {id})"),
        _ => format!("{location} (envelope id {})", envelope.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use auditbridge_shared::cloudaudit::{NormalizeOptions, Normalizer};
    use auditbridge_shared::rules::WHOLE_ENVELOPE_EXTRA_BYTES;

    const WRITE: &str =
        include_str!("../../../shared/tests/fixtures/cloudaudit/cvm-stopinstances-api-write.json");
    const READ: &str = include_str!(
        "../../../shared/tests/fixtures/cloudaudit/cvm-describeinstances-api-read.json"
    );

    fn jsonl(records: &[&str]) -> String {
        records
            .iter()
            .map(|r| {
                serde_json::from_str::<serde_json::Value>(r)
                    .expect("sample")
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn envelopes_skips_and_errors_are_sorted_apart() {
        let text = format!(
            "{}\n{{\"eventTime\": \"yesterday\"}}",
            jsonl(&[WRITE, READ])
        );
        let prepared = prepare(
            Normalizer::new(NormalizeOptions::default()).normalize_text(&text),
            false,
            262_144,
        );
        assert_eq!(
            (prepared.records, prepared.normalized, prepared.skipped),
            (3, 1, 1)
        );
        assert_eq!(prepared.envelopes.len(), 1);
        assert_eq!(
            prepared.envelopes[0].record,
            "line 1 (eventID 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60)"
        );
        assert_eq!(prepared.failures.len(), 1);
        assert!(
            prepared.failures[0].record.starts_with("line 3"),
            "{:?}",
            prepared.failures
        );
    }

    #[test]
    fn an_envelope_over_the_limit_is_a_failure_naming_record_and_size() {
        let normalizer = Normalizer::new(NormalizeOptions::default());
        let prepared = prepare(normalizer.normalize_text(WRITE), false, 500);
        assert_eq!((prepared.normalized, prepared.envelopes.len()), (1, 0));
        let failure = &prepared.failures[0];
        assert_eq!(
            failure.record,
            "line 1 (eventID 6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60)"
        );
        assert!(
            failure.reason.starts_with("envelope size ")
                && failure.reason.ends_with(&format!(
                    "exceeds the message limit of 500 bytes less the {WHOLE_ENVELOPE_EXTRA_BYTES} bytes a target delivering the whole envelope adds (MAX_MESSAGE_BYTES)"
                )),
            "{}",
            failure.reason
        );
    }
}
