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

/// Whether SQS accepts all of `text`: `text.chars().all(is_sqs_char)`, read a byte at a
/// time. In UTF-8 the characters SQS refuses are the bytes below 0x20 other than tab and
/// line breaks, and U+FFFE and U+FFFF (`EF BF BE`, `EF BF BF`); this runs over every
/// message body, so it looks for those bytes instead of decoding characters.
pub fn is_sqs_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .all(|&byte| byte >= 0x20 || matches!(byte, b'\t' | b'\n' | b'\r'))
        && !memchr::memmem::find_iter(bytes, b"\xEF\xBF")
            .any(|at| matches!(bytes.get(at + 2), Some(0xBE | 0xBF)))
}

/// A JSON text SQS accepts, meaning the same. JSON serializers already escape control
/// characters; what remains are U+FFFE and U+FFFF, which can only stand inside JSON
/// strings and are written as `\ufffe` / `\uffff` escapes.
pub fn sqs_safe_json(json: String) -> String {
    if is_sqs_text(&json) {
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
    if is_sqs_text(text) {
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
    fn whole_texts_are_judged_as_their_characters_are() {
        for text in [
            "",
            "plain ascii\twith\r\nbreaks",
            "东京，（全角）\u{FF5E}\u{FFC0}\u{FFFD}",
            "\u{D7FF}\u{E000}😀",
            "a\u{0}b",
            "\u{1f}",
            "x\u{FFFE}",
            "\u{FFFF}y",
            "\u{7f}del",
        ] {
            assert_eq!(is_sqs_text(text), text.chars().all(is_sqs_char), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_byte_check_agrees_with_the_characters(
            chars in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::arbitrary::any::<char>(),
                    // The edges: refused characters and their UTF-8 neighbours.
                    proptest::sample::select(vec![
                        '\u{0}', '\t', '\n', '\r', '\u{1f}', ' ', '\u{7f}', '，',
                        '\u{ffc0}', '\u{fffd}', '\u{fffe}', '\u{ffff}', '\u{10000}',
                    ]),
                ],
                0..12,
            ),
        ) {
            let text: String = chars.into_iter().collect();
            proptest::prop_assert_eq!(is_sqs_text(&text), text.chars().all(is_sqs_char));
        }
    }

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
