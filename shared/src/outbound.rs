//! Messages bound for SQS, and how they are cut into SendMessageBatch calls.
//!
//! Pure data and arithmetic, so the batching rules are unit-tested here and the
//! `auditbridge-sqs` crate only has to make the calls; and text SQS accepts
//! (`sqs_text`), for every message either function builds.

use std::collections::BTreeMap;

mod envelope_message;
mod sqs_text;

pub use envelope_message::{
    check_envelope_size, envelope_message, fifo_id, EnvelopeTooLarge, FIFO_ID_NAMESPACE,
};
pub use sqs_text::{is_sqs_char, is_sqs_text, sqs_safe_json, sqs_safe_text};

/// SendMessageBatch accepts at most this many entries.
pub const MAX_BATCH_ENTRIES: usize = 10;

/// Default byte limit for one message and for one batch call (256 KiB), as SQS counts:
/// body plus every attribute's name, type and value. SQS has accepted up to 1 MiB since
/// 2025, but 256 KiB is what every queue and every consumer in the chain accepts.
pub const DEFAULT_MAX_BYTES: usize = 262_144;

/// SQS allows at most this many characters in a FIFO group or deduplication id.
pub const MAX_FIFO_ID_CHARS: usize = 128;

/// One message to send to one queue.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutboundMessage {
    pub body: String,
    /// String message attributes (`DataType` `String`).
    pub attributes: BTreeMap<String, String>,
    /// `MessageGroupId`, for FIFO queues only.
    pub group_id: Option<String>,
    /// `MessageDeduplicationId`, for FIFO queues only.
    pub dedup_id: Option<String>,
}

/// The data type every attribute is sent with; it counts towards the size.
const ATTRIBUTE_DATA_TYPE: &str = "String";

/// What one string attribute counts towards a message's size: name, type and value.
pub const fn attribute_size(name: &str, value_len: usize) -> usize {
    name.len() + ATTRIBUTE_DATA_TYPE.len() + value_len
}

impl OutboundMessage {
    /// The size SQS charges against its limits: body plus attribute names, types and values.
    pub fn size(&self) -> usize {
        self.body.len()
            + self
                .attributes
                .iter()
                .map(|(name, value)| attribute_size(name, value.len()))
                .sum::<usize>()
    }
}

/// Whether SQS accepts `id` as a FIFO group or deduplication id as it is: 1 to
/// [`MAX_FIFO_ID_CHARS`] ASCII letters, digits and punctuation (`!` to `~`).
pub fn is_valid_fifo_id(id: &str) -> bool {
    (1..=MAX_FIFO_ID_CHARS).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

/// Whether a queue URL names a FIFO queue (SQS requires the `.fifo` suffix).
pub fn is_fifo_queue(queue_url: &str) -> bool {
    queue_url.trim_end_matches('/').ends_with(".fifo")
}

/// Cuts messages (given by their [`OutboundMessage::size`]) into consecutive batches of at
/// most [`MAX_BATCH_ENTRIES`] entries whose sizes add up to at most `max_bytes`.
///
/// A message larger than `max_bytes` on its own gets a batch of its own; SQS will refuse
/// it and the caller reports that message as failed, without taking batch-mates down.
pub fn plan_batches(sizes: &[usize], max_bytes: usize) -> Vec<std::ops::Range<usize>> {
    let mut batches = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (index, &size) in sizes.iter().enumerate() {
        let entries = index - start;
        if entries > 0 && (entries == MAX_BATCH_ENTRIES || bytes + size > max_bytes) {
            batches.push(start..index);
            start = index;
            bytes = 0;
        }
        bytes += size;
    }
    if start < sizes.len() {
        batches.push(start..sizes.len());
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fifo_ids_must_be_short_printable_ascii() {
        for valid in ["a", "!~{}", &"x".repeat(MAX_FIFO_ID_CHARS)] {
            assert!(is_valid_fifo_id(valid), "{valid:?}");
        }
        for refused in [
            "",
            "a b",
            "tab\there",
            "é",
            &"x".repeat(MAX_FIFO_ID_CHARS + 1),
        ] {
            assert!(!is_valid_fifo_id(refused), "{refused:?}");
        }
    }

    #[test]
    fn size_counts_body_and_attributes() {
        let message = OutboundMessage {
            body: "abcd".into(),
            attributes: BTreeMap::from([("id".to_string(), "xyz".to_string())]),
            ..Default::default()
        };
        assert_eq!(message.size(), 4 + 2 + 6 + 3);
    }

    #[test]
    fn batches_hold_at_most_ten_entries() {
        let batches = plan_batches(&[1; 23], DEFAULT_MAX_BYTES);
        assert_eq!(batches, vec![0..10, 10..20, 20..23]);
    }

    #[test]
    fn batches_respect_the_byte_limit() {
        assert_eq!(
            plan_batches(&[60, 50, 10, 90, 5], 100),
            vec![0..1, 1..3, 3..5]
        );
    }

    #[test]
    fn an_oversized_message_travels_alone() {
        assert_eq!(plan_batches(&[10, 500, 10], 100), vec![0..1, 1..2, 2..3]);
        assert!(plan_batches(&[], 100).is_empty());
    }

    #[test]
    fn fifo_queues_are_recognised_by_suffix() {
        assert!(is_fifo_queue(
            "http://127.0.0.1:5000/123456789012/alerts.fifo"
        ));
        assert!(!is_fifo_queue("http://127.0.0.1:5000/123456789012/alerts"));
    }

    proptest! {
        #[test]
        fn batches_cover_every_message_once_within_limits(sizes in proptest::collection::vec(0usize..300, 0..60)) {
            let batches = plan_batches(&sizes, 256);
            let mut next = 0;
            for batch in &batches {
                prop_assert_eq!(batch.start, next);
                prop_assert!(!batch.is_empty() && batch.len() <= MAX_BATCH_ENTRIES);
                let bytes: usize = sizes[batch.clone()].iter().sum();
                prop_assert!(batch.len() == 1 || bytes <= 256);
                next = batch.end;
            }
            prop_assert_eq!(next, sizes.len());
        }
    }
}
