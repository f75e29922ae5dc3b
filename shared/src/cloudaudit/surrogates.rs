//! Lone UTF-16 surrogate escapes (`"\ud800"`) in JSON text.
//!
//! JSON allows them (RFC 8259 §8.2 only says such text is unpredictable), producers
//! that work in UTF-16 write them when a string was cut mid-pair, and `serde_json`
//! refuses them, failing the whole record. The field a caller controls (a `userAgent`)
//! must not be able to keep a record, and the alert it carries, from ever getting
//! through: so before parsing, each lone surrogate escape becomes `\ufffd`, the
//! replacement character, as UTF-8 decoders do with broken bytes. The escape has the
//! same length, so every offset, line and column of the text stays where it was.

use std::borrow::Cow;

/// `text` with every `\u` escape of a lone surrogate replaced by `\ufffd`, inside JSON
/// strings. Borrowed when there is none (the text holds no `\ud`/`\uD` at all, in
/// practice).
pub(crate) fn without_lone_surrogates(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    if !memchr::memmem::find_iter(bytes, b"\\u")
        .any(|at| matches!(bytes.get(at + 2), Some(b'd' | b'D')))
    {
        return Cow::Borrowed(text);
    }
    let mut out: Option<Vec<u8>> = None;
    let mut in_string = false;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                in_string = !in_string;
                at += 1;
            }
            // JSON strings hold no raw line breaks: whatever confused the count on one
            // line (a cut-off document) stays on that line.
            b'\n' => {
                in_string = false;
                at += 1;
            }
            b'\\' if in_string => {
                let Some(unit) = escaped_unit(bytes, at) else {
                    // `\\`, `\"`, `\n`, ... (or a malformed `\u`, serde's to report).
                    at += 2;
                    continue;
                };
                let paired = match unit {
                    0xD800..=0xDBFF => {
                        if escaped_unit(bytes, at + 6)
                            .is_some_and(|low| (0xDC00..=0xDFFF).contains(&low))
                        {
                            at += 12;
                            continue;
                        }
                        false
                    }
                    0xDC00..=0xDFFF => false,
                    _ => true,
                };
                if !paired {
                    out.get_or_insert_with(|| bytes.to_vec())[at..at + 6]
                        .copy_from_slice(b"\\ufffd");
                }
                at += 6;
            }
            _ => at += 1,
        }
    }
    match out {
        // Only ASCII escapes were replaced by ASCII escapes of the same length.
        Some(out) => Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_owned())),
        None => Cow::Borrowed(text),
    }
}

/// The UTF-16 unit of the `\uXXXX` escape at `at`, if one is there.
fn escaped_unit(bytes: &[u8], at: usize) -> Option<u32> {
    let escape = bytes.get(at..at + 6)?;
    if escape[0] != b'\\' || escape[1] != b'u' {
        return None;
    }
    let hex = std::str::from_utf8(&escape[2..]).ok()?;
    u32::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn parsed(text: &str) -> Value {
        serde_json::from_str(&without_lone_surrogates(text)).expect("parses once repaired")
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(parsed(r#"{"a":"x\ud800y"}"#)["a"], "x\u{fffd}y");
        assert_eq!(parsed(r#"{"a":"\uDC00"}"#)["a"], "\u{fffd}");
        assert_eq!(parsed(r#"{"a":"\ud800\u0041"}"#)["a"], "\u{fffd}A");
        assert_eq!(
            parsed(r#"{"a":"\ud800\ud800\udc00"}"#)["a"],
            "\u{fffd}\u{10000}"
        );
        assert_eq!(parsed(r#"["\ud800"]"#)[0], "\u{fffd}");
        // serde refuses each of them as they were.
        for text in [r#"{"a":"x\ud800y"}"#, r#"{"a":"\uDC00"}"#] {
            assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn everything_else_is_left_as_it_is() {
        for text in [
            r#"{"a":"\ud83d\ude00"}"#,
            r#"{"a":"\\ud800"}"#,
            r#"{"a":"\"\ud7ff\ue000"}"#,
            r#"{"a":"plain"}"#,
            "not json \\ud800 outside strings",
            "{\"a\":\"cut \n\\ud800\"}",
        ] {
            assert!(
                matches!(without_lone_surrogates(text), Cow::Borrowed(_)),
                "{text}"
            );
        }
        assert_eq!(parsed(r#"{"a":"\ud83d\ude00"}"#)["a"], "😀");
    }

    #[test]
    fn offsets_do_not_move() {
        let text = "{\"a\":\"\\ud800\"}\n{\"b\": tru}";
        let repaired = without_lone_surrogates(text);
        assert_eq!(repaired.len(), text.len());
        let error = serde_json::Deserializer::from_str(&repaired)
            .into_iter::<Value>()
            .nth(1)
            .and_then(Result::err)
            .expect("the second document is broken");
        assert_eq!((error.line(), error.column()), (2, 10));
    }
}
