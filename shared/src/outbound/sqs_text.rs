//! Text SQS accepts in message bodies and attribute values.
//!
//! SQS refuses a message holding any character outside `#x9 | #xA | #xD | #x20-#xD7FF |
//! #xE000-#xFFFD | #x10000-#x10FFFF`. A refused message is an event that never reaches
//! its queue, so such characters are dealt with before sending.

use std::borrow::Cow;

/// Whether SQS accepts `c` in a message.
pub fn is_sqs_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// A JSON text SQS accepts, meaning the same. JSON serializers already escape control
/// characters; what remains are U+FFFE and U+FFFF, which can only stand inside JSON
/// strings and are written as `\ufffe` / `\uffff` escapes.
pub fn sqs_safe_json(json: String) -> String {
    if json.chars().all(is_sqs_char) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_sqs_char(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        }
    }
    out
}

/// Plain text SQS accepts: refused characters become U+FFFD (the replacement character).
pub fn sqs_safe_text(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_sqs_char) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if is_sqs_char(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn accepted_characters() {
        for c in [
            '\t', '\n', '\r', ' ', 'a', '東', '\u{D7FF}', '\u{E000}', '\u{FFFD}', '😀',
        ] {
            assert!(is_sqs_char(c), "{c:?}");
        }
        for c in ['\u{0}', '\u{1}', '\u{1f}', '\u{FFFE}', '\u{FFFF}'] {
            assert!(!is_sqs_char(c), "{c:?}");
        }
    }

    #[test]
    fn json_keeps_its_meaning() {
        let value = json!({"k\u{FFFF}": "a\u{FFFE}b\u{1}"});
        let safe = sqs_safe_json(value.to_string());
        assert!(safe.chars().all(is_sqs_char), "{safe}");
        assert_eq!(serde_json::from_str::<Value>(&safe).expect("JSON"), value);
        assert_eq!(sqs_safe_json("{\"a\":1}".into()), "{\"a\":1}");
    }

    #[test]
    fn text_gets_replacement_characters() {
        assert_eq!(sqs_safe_text("a\u{1}b\u{FFFF}"), "a\u{FFFD}b\u{FFFD}");
        assert!(matches!(sqs_safe_text("fine\n"), Cow::Borrowed("fine\n")));
    }
}
