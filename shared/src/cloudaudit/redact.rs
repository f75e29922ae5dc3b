//! Session tokens out of `userIdentity.sessionContext`, `requestParameters` and
//! `responseElements`.
//!
//! Tokens are credentials and matched events fan out to many queues, so by default the
//! value of every key named `token` (any ASCII case: `token`, `Token`, `TOKEN`) below
//! those fields becomes `"***"`. `responseElements` is included because STS calls
//! (`AssumeRole`, `GetFederationToken`) return temporary credentials there: their
//! `Token` and their secret key (`TmpSecretKey`, `SecretKey`) are redacted too, as are
//! those keys wherever else they appear in the three fields. Empty and `null` values are
//! left as they are: there is nothing to hide and `"***"` would claim there was.
//! `secretId` is a key id, not a secret, and stays.
//!
//! Text that could not be decoded as JSON (CloudAudit truncates long parameters) and
//! strings nested inside (`extraInfo`, credentials encoded once more) are scanned too:
//! the value of a quoted secret key (`"token"`, `"TmpSecretKey"`, `"SecretKey"`, also
//! in the escaped `\"token\"` form of doubly encoded JSON) is replaced, up to the end of
//! the text when the value was cut off.

use serde_json::{Map, Value};

use super::decode::value_at_mut;

pub(crate) const REDACTED: &str = "***";

/// The parts of a record that can carry a caller's session token.
const TOKEN_BEARING_FIELDS: &[&[&str]] = &[
    &["userIdentity", "sessionContext"],
    &["requestParameters"],
    &["responseElements"],
];

/// Keys whose values are secrets (compared ignoring ASCII case).
const SECRET_KEYS: &[&str] = &["token", "tmpsecretkey", "secretkey"];

fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS
        .iter()
        .any(|secret| key.eq_ignore_ascii_case(secret))
}

/// Deepest nesting walked; values parsed by serde_json are at most 128 deep.
const MAX_DEPTH: usize = 256;

/// Replaces token values in `record` (already decoded) in place.
pub(crate) fn redact_tokens(record: &mut Map<String, Value>) {
    for path in TOKEN_BEARING_FIELDS {
        if let Some(field) = value_at_mut(record, path) {
            redact_value(field, 0);
        }
    }
}

fn redact_value(value: &mut Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_secret_key(key) && !is_blank(inner) {
                    *inner = Value::String(REDACTED.to_owned());
                } else {
                    redact_value(inner, depth + 1);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| redact_value(item, depth + 1)),
        Value::String(text) => {
            if let Some(redacted) = redact_text(text) {
                *text = redacted;
            }
        }
        _ => {}
    }
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        _ => false,
    }
}

/// `text` with the string values of quoted secret keys ([`SECRET_KEYS`], any ASCII
/// case) replaced, or `None` when it holds no such value.
pub(crate) fn redact_text(text: &str) -> Option<String> {
    let lowered = text.to_ascii_lowercase(); // same byte offsets as `text`
    let bytes = text.as_bytes();
    let mut values = Vec::new();
    for key in SECRET_KEYS {
        let mut search_from = 0;
        while let Some(found) = lowered[search_from..].find(key) {
            let key_start = search_from + found;
            let key_end = key_start + key.len();
            search_from = key_end;
            if let Some((value_start, value_end)) = secret_value_span(bytes, key_start, key_end) {
                if value_start < value_end {
                    values.push((value_start, value_end));
                    search_from = value_end;
                }
            }
        }
    }
    if values.is_empty() {
        return None;
    }
    // In text order; a span inside another (a key quoted within a secret) is already gone.
    values.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (value_start, value_end) in values {
        if value_start < copied {
            continue;
        }
        out.push_str(&text[copied..value_start]);
        out.push_str(REDACTED);
        copied = value_end;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// For a secret key found at `key_start..key_end`: if it is a quoted key (a whole key:
/// `"SessionToken"` holds `token` but is not one) followed by `:` and a quoted string,
/// the byte span of that string's content.
fn secret_value_span(bytes: &[u8], key_start: usize, key_end: usize) -> Option<(usize, usize)> {
    if key_start == 0 || bytes[key_start - 1] != b'"' {
        return None;
    }
    let escaped = key_start >= 2 && bytes[key_start - 2] == b'\\';
    let quote: &[u8] = if escaped { b"\\\"" } else { b"\"" };
    let mut at = key_end;
    if !bytes[at..].starts_with(quote) {
        return None;
    }
    at += quote.len();
    at = skip_spaces(bytes, at);
    if bytes.get(at) != Some(&b':') {
        return None;
    }
    at = skip_spaces(bytes, at + 1);
    if !bytes[at..].starts_with(quote) {
        return None;
    }
    let value_start = at + quote.len();
    let value_end = if escaped {
        find(bytes, value_start, b"\\\"")
    } else {
        find_unescaped_quote(bytes, value_start)
    };
    Some((value_start, value_end.unwrap_or(bytes.len())))
}

fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|byte| byte.is_ascii_whitespace()) {
        at += 1;
    }
    at
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes[from..]
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| from + at)
}

fn find_unescaped_quote(bytes: &[u8], mut at: usize) -> Option<usize> {
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return Some(at),
            _ => at += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn redacted(record: Value) -> Value {
        let Value::Object(mut map) = record else {
            panic!("test records are objects")
        };
        redact_tokens(&mut map);
        Value::Object(map)
    }

    #[test]
    fn secrets_in_all_three_fields_are_replaced_at_any_depth() {
        let out = redacted(json!({
            "userIdentity": {"secretId": "AKID1", "sessionContext": {"token": "abc", "uin": 1}},
            "requestParameters": {"Token": "def", "Nested": [{"TOKEN": 5}], "SessionToken": "kept", "tokenId": "kept"},
            "responseElements": {"Credentials": {"Token": "t", "TmpSecretId": "AKIDtmp", "TmpSecretKey": "k"}},
            "token": "not in scope"
        }));
        assert_eq!(
            out,
            json!({
                "userIdentity": {"secretId": "AKID1", "sessionContext": {"token": "***", "uin": 1}},
                "requestParameters": {"Token": "***", "Nested": [{"TOKEN": "***"}], "SessionToken": "kept", "tokenId": "kept"},
                "responseElements": {"Credentials": {"Token": "***", "TmpSecretId": "AKIDtmp", "TmpSecretKey": "***"}},
                "token": "not in scope"
            })
        );
    }

    #[test]
    fn blank_tokens_stay_blank() {
        let record = json!({"requestParameters": {"Token": "", "token": null}});
        assert_eq!(redacted(record.clone()), record);
    }

    #[test]
    fn undecodable_text_is_scanned() {
        let out = redacted(json!({
            "userIdentity": {"sessionContext": "{\"token\": \"secret-1\", \"uin\": 1, \"cut"},
            "requestParameters": "{\"Region\": \"gz\", \"Token\" : \"secret-2"
        }));
        assert_eq!(
            out,
            json!({
                "userIdentity": {"sessionContext": "{\"token\": \"***\", \"uin\": 1, \"cut"},
                "requestParameters": "{\"Region\": \"gz\", \"Token\" : \"***"
            })
        );
    }

    #[test]
    fn secret_keys_in_text_are_replaced_like_tokens() {
        // CloudAudit cuts long responses off, so STS credentials often arrive as text
        // that does not parse; the secret key beside the token must not survive.
        let out = redacted(json!({
            "requestParameters": "{\"SecretKey\": \"sk-1\", \"x\": trunc",
            "responseElements": {
                "Credentials": "{\"Token\":\"t\",\"TmpSecretId\":\"AKIDtmp\",\"TmpSecretKey\":\"sk-2\"}"
            },
        }));
        assert_eq!(
            out,
            json!({
                "requestParameters": "{\"SecretKey\": \"***\", \"x\": trunc",
                "responseElements": {
                    "Credentials": "{\"Token\":\"***\",\"TmpSecretId\":\"AKIDtmp\",\"TmpSecretKey\":\"***\"}"
                },
            })
        );
        assert_eq!(
            redact_text(r#"{"tmpSecretKey":"a","SessionToken":"kept","token":"b"}"#).as_deref(),
            Some(r#"{"tmpSecretKey":"***","SessionToken":"kept","token":"***"}"#)
        );
        // A secret whose text quotes another key is replaced once, as a whole.
        assert_eq!(
            redact_text(r#"{"SecretKey":"x \"token\":\"y","n":1}"#).as_deref(),
            Some(r#"{"SecretKey":"***","n":1}"#)
        );
    }

    #[test]
    fn nested_json_strings_and_escaped_quotes() {
        assert_eq!(
            redact_text(r#"{\"token\":\"s3cr3t\",\"a\":1}"#).as_deref(),
            Some(r#"{\"token\":\"***\",\"a\":1}"#)
        );
        assert_eq!(
            redact_text(r#"{"token":"a\"b","x":"token"}"#).as_deref(),
            Some(r#"{"token":"***","x":"token"}"#)
        );
        assert_eq!(redact_text("my token is here"), None);
        assert_eq!(redact_text(r#"{"token": 5}"#), None);
        assert_eq!(redact_text(r#"{"token": ""}"#), None);
        assert_eq!(redact_text("token"), None);
        assert_eq!(redact_text("\"token"), None);
    }
}
