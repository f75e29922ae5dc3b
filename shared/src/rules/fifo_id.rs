//! FIFO message group ids that SQS always accepts.
//!
//! SQS takes 1–128 characters of ASCII letters, digits and punctuation (`!` to `~`) as a
//! `MessageGroupId`. Group ids here often come from event data (a subject, an account
//! id), which may be longer or hold other characters; refusing the message would lose
//! the event, so such values are turned into a stable id instead.

use crate::outbound::{is_valid_fifo_id, MAX_FIFO_ID_CHARS};
use uuid::Uuid;

/// Namespace of the UUID v5 in derived group ids. Never change it: ids would change and
/// messages of one group would be split across two groups during a deployment.
const GROUP_ID_NAMESPACE: Uuid = Uuid::from_u128(0x9be8_a105_a50d_4d70_aa24_b916_9d2a_d481);

/// How many characters of the value a derived id keeps, for people reading it.
const READABLE_PREFIX_CHARS: usize = MAX_FIFO_ID_CHARS - 1 - 32;

/// `value` itself when SQS accepts it; otherwise `<prefix>#<hash>`: up to 95 of the
/// value's acceptable characters, `#`, and the 32 hex digits of a UUID v5 of the whole
/// value, so equal values always give the same id and different values (almost
/// certainly) different ones. Always 1–128 acceptable characters.
pub fn fifo_safe_id(value: &str) -> String {
    if is_valid_fifo_id(value) {
        return value.to_string();
    }
    let prefix: String = value
        .chars()
        .filter(char::is_ascii_graphic)
        .take(READABLE_PREFIX_CHARS)
        .collect();
    let hash = Uuid::new_v5(&GROUP_ID_NAMESPACE, value.as_bytes());
    format!("{prefix}#{}", hash.simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acceptable_values_are_kept() {
        for value in [
            "a",
            "100015007673",
            "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1",
            "!~{}",
            &"x".repeat(128),
        ] {
            assert_eq!(fifo_safe_id(value), value);
        }
    }

    #[test]
    fn other_values_get_a_stable_hashed_id() {
        for value in ["", "with space", "東京", &"x".repeat(129), "tab\there"] {
            let id = fifo_safe_id(value);
            assert!(is_valid_fifo_id(&id), "{value:?} -> {id:?}");
            assert_eq!(id, fifo_safe_id(value), "stable");
            assert_eq!(id.len(), id.find('#').expect("has a hash") + 33);
        }
        assert_eq!(
            fifo_safe_id("with space").split('#').next(),
            Some("withspace")
        );
        assert_eq!(fifo_safe_id(&"x".repeat(200)).len(), 128);
        assert_ne!(fifo_safe_id("a b"), fifo_safe_id("a  b"));
        assert_ne!(
            fifo_safe_id(&"x".repeat(129)),
            fifo_safe_id(&"x".repeat(130))
        );
    }
}
