//! The envelope's `tags`: always an object `{key: value}`.
//!
//! Seen and documented shapes: `[""]` (most records), absent, `null`, a list of
//! `{"key": .., "value": ..}` pairs. Also accepted, because Tencent's APIs spell tag
//! pairs that way elsewhere: `Key`/`Value` and `TagKey`/`TagValue`, a single pair object,
//! and a string holding any of these as JSON. An object that is not a pair is already
//! a `{key: value}` map and stays as it is. Entries of any other shape are left out of
//! `tags` (they remain in `data`). Later pairs win over earlier ones with the same key;
//! a pair without a value maps to `""`.

use serde_json::{Map, Value};

use super::decode::decode_json_text;
use super::lenient;

const KEY_NAMES: &[&str] = &["key", "Key", "TagKey"];
const VALUE_NAMES: &[&str] = &["value", "Value", "TagValue"];

/// The `tags` field as `{key: value}`.
pub(crate) fn tags_of(tags: Option<&Value>) -> Map<String, Value> {
    let mut out = Map::new();
    match tags {
        Some(Value::Array(items)) => {
            for item in items {
                if let Value::Object(pair) = item {
                    insert_pair(pair, &mut out);
                }
            }
        }
        Some(Value::Object(object)) => {
            if is_pair(object) {
                insert_pair(object, &mut out);
            } else {
                out = object.clone();
            }
        }
        Some(Value::String(text)) => {
            if let Some(decoded) = decode_json_text(text) {
                return tags_of(Some(&decoded));
            }
        }
        _ => {}
    }
    out
}

fn first_of<'a>(object: &'a Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    names.iter().find_map(|name| object.get(*name))
}

/// An object made only of a key field and optionally a value field.
fn is_pair(object: &Map<String, Value>) -> bool {
    first_of(object, KEY_NAMES).is_some()
        && object
            .keys()
            .all(|key| KEY_NAMES.contains(&key.as_str()) || VALUE_NAMES.contains(&key.as_str()))
}

fn insert_pair(pair: &Map<String, Value>, out: &mut Map<String, Value>) {
    let Some(key) = lenient::scalar_text(first_of(pair, KEY_NAMES)) else {
        return;
    };
    let value = first_of(pair, VALUE_NAMES)
        .cloned()
        .unwrap_or_else(|| Value::String(String::new()));
    out.insert(key.into_owned(), value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tags(value: Value) -> Value {
        Value::Object(tags_of(Some(&value)))
    }

    #[test]
    fn empty_shapes_give_an_empty_object() {
        for empty in [
            json!([""]),
            json!(null),
            json!([]),
            json!(""),
            json!("garbage"),
            json!(5),
            json!([null, 3, "x"]),
        ] {
            assert_eq!(tags(empty.clone()), json!({}), "{empty}");
        }
        assert_eq!(Value::Object(tags_of(None)), json!({}));
    }

    #[test]
    fn pairs_become_a_map() {
        assert_eq!(
            tags(
                json!([{"key": "env", "value": "prod"}, {"Key": "team", "Value": "sec"}, {"TagKey": "n", "TagValue": 1}])
            ),
            json!({"env": "prod", "team": "sec", "n": 1})
        );
        assert_eq!(
            tags(json!([{"key": "a", "value": "1"}, {"key": "a", "value": "2"}])),
            json!({"a": "2"})
        );
        assert_eq!(
            tags(json!([{"key": "solo"}, {"value": "no key"}, ""])),
            json!({"solo": ""})
        );
        assert_eq!(
            tags(json!({"key": "env", "value": "prod"})),
            json!({"env": "prod"})
        );
        assert_eq!(
            tags(json!("[{\"key\":\"env\",\"value\":\"prod\"}]")),
            json!({"env": "prod"})
        );
    }

    #[test]
    fn a_map_stays_a_map() {
        assert_eq!(
            tags(json!({"env": "prod", "team": "sec"})),
            json!({"env": "prod", "team": "sec"})
        );
        assert_eq!(
            tags(json!({"key": "k", "other": 1})),
            json!({"key": "k", "other": 1})
        );
    }
}
