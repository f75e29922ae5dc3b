//! Local checks for SQS rules that would otherwise fail a whole SendMessageBatch call.
//!
//! SQS answers a batch holding one malformed entry (an empty attribute value, a
//! forbidden character) with an error for the entire call, which would take the
//! entry's batch-mates down with it. Checking here lets the bad message fail alone.

use auditbridge_shared::outbound::{
    is_sqs_char, is_sqs_text, is_valid_fifo_id, OutboundMessage, MAX_FIFO_ID_CHARS,
};

/// SQS allows at most this many message attributes per message.
const MAX_ATTRIBUTES: usize = 10;
/// SQS allows attribute names of at most this many characters.
const MAX_ATTRIBUTE_NAME_CHARS: usize = 256;

/// Why a message cannot be sent; turned into a `DeliveryError` by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    TooLarge { size: usize, max_bytes: usize },
    Invalid(String),
}

/// Checks one message against the byte limit and SQS's content rules.
pub(crate) fn check(message: &OutboundMessage, max_bytes: usize) -> Result<(), Problem> {
    let size = message.size();
    if size > max_bytes {
        return Err(Problem::TooLarge { size, max_bytes });
    }
    if message.body.is_empty() {
        return Err(Problem::Invalid(
            "the body is empty; SQS requires at least one character".into(),
        ));
    }
    if let Some(position) = (!is_sqs_text(&message.body))
        .then(|| message.body.chars().position(|c| !is_sqs_char(c)))
        .flatten()
    {
        return Err(Problem::Invalid(format!(
            "the body holds a character SQS refuses at character {position}"
        )));
    }
    if message.attributes.len() > MAX_ATTRIBUTES {
        return Err(Problem::Invalid(format!(
            "{} message attributes; SQS allows at most {MAX_ATTRIBUTES}",
            message.attributes.len()
        )));
    }
    for (name, value) in &message.attributes {
        check_attribute_name(name).map_err(Problem::Invalid)?;
        if value.is_empty() {
            return Err(Problem::Invalid(format!(
                "attribute {name:?} has an empty value; SQS refuses empty attribute values"
            )));
        }
        if !is_sqs_text(value) {
            return Err(Problem::Invalid(format!(
                "attribute {name:?} holds a character SQS refuses"
            )));
        }
    }
    check_fifo_id("MessageGroupId", message.group_id.as_deref()).map_err(Problem::Invalid)?;
    check_fifo_id("MessageDeduplicationId", message.dedup_id.as_deref())
        .map_err(Problem::Invalid)?;
    Ok(())
}

fn check_fifo_id(field: &str, id: Option<&str>) -> Result<(), String> {
    match id {
        Some(id) if !is_valid_fifo_id(id) => Err(format!(
            "{field} {id:?} is not 1 to {MAX_FIFO_ID_CHARS} alphanumeric or punctuation characters"
        )),
        _ => Ok(()),
    }
}

/// SQS attribute names: letters, digits, `_`, `-`, `.`; no leading, trailing or
/// doubled `.`; not starting with `AWS.` or `Amazon.` in any casing; at most 256 chars.
fn check_attribute_name(name: &str) -> Result<(), String> {
    let lower = name.to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.len() <= MAX_ATTRIBUTE_NAME_CHARS
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.starts_with('.')
        && !name.ends_with('.')
        && !name.contains("..")
        && !lower.starts_with("aws.")
        && !lower.starts_with("amazon.");
    if valid {
        Ok(())
    } else {
        Err(format!("attribute name {name:?} is not allowed by SQS"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn message(body: &str) -> OutboundMessage {
        OutboundMessage {
            body: body.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_plain_message_passes() {
        let mut m = message("{\"a\":1}\n\ttab");
        m.attributes = BTreeMap::from([("id".into(), "x-1".into())]);
        m.group_id = Some("qcs::cvm:ap-guangzhou:uin/1:instance/ins-1".into());
        m.dedup_id = Some("6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60".into());
        assert_eq!(check(&m, 1000), Ok(()));
    }

    #[test]
    fn size_is_checked_first_and_counts_attributes() {
        let mut m = message("0123456789");
        m.attributes = BTreeMap::from([("id".into(), "abc".into())]);
        assert_eq!(
            check(&m, 20),
            Err(Problem::TooLarge {
                size: 21,
                max_bytes: 20
            })
        );
        assert_eq!(check(&m, 21), Ok(()));
    }

    #[test]
    fn content_sqs_refuses_is_reported() {
        assert!(
            matches!(check(&message(""), 100), Err(Problem::Invalid(r)) if r.contains("empty"))
        );
        assert!(
            matches!(check(&message("a\u{1}b"), 100), Err(Problem::Invalid(r)) if r.contains("character 1"))
        );
        assert!(check(&message("a\u{FFFF}"), 100).is_err());
        let mut empty_value = message("x");
        empty_value
            .attributes
            .insert("source".into(), String::new());
        assert!(
            matches!(check(&empty_value, 100), Err(Problem::Invalid(r)) if r.contains("\"source\""))
        );
        for bad_name in ["AWS.trace", "amazon.x", ".a", "a.", "a..b", "a b", ""] {
            let mut m = message("x");
            m.attributes.insert(bad_name.into(), "v".into());
            assert!(check(&m, 100).is_err(), "{bad_name:?} should be refused");
        }
        let mut too_many = message("x");
        too_many.attributes = (0..11)
            .map(|i| (format!("a{i}"), "v".to_string()))
            .collect();
        assert!(check(&too_many, 1000).is_err());
    }

    #[test]
    fn fifo_ids_must_be_short_printable_ascii() {
        let mut m = message("x");
        m.group_id = Some("with space".into());
        assert!(matches!(check(&m, 100), Err(Problem::Invalid(r)) if r.contains("MessageGroupId")));
    }
}
