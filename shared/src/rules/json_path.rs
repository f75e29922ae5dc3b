//! Singular JSONPath: the form EventBridge input paths use to pick one value out of an
//! event (`$`, `$.data.userIdentity.userName`, `$.resource[0]`, `$['odd key']`).
//!
//! Why not `serde_json_path` (RFC 9535): the RFC's dot shorthand does not allow `-` or
//! `/` in names, yet EventBridge documents both (`$.detail.instance-id`), and every
//! path here must select at most one value, which the crate can only tell after running
//! the query. The grammar needed is a dozen lines, tested below.
//!
//! Grammar: `$` followed by any number of
//! - `.name`: letters, digits (any script), `_`, `-`, `/`;
//! - `[n]`: an array index, negative counting from the end (`[-1]` is the last element);
//! - `['name']` or `["name"]`: any name; `\\`, `\'`, `\"`, `\/`, `\b`, `\f`, `\n`, `\r`,
//!   `\t` and `\uXXXX` escapes.
//!
//! Wildcards, slices, filters and `..` select several values and are rejected.

use serde_json::Value;
use std::fmt;

/// A parsed singular path. Resolving never fails; a path that leads nowhere gives `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    text: String,
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(i64),
}

/// Why a path was rejected; Display: `invalid JSONPath "$.a..b": at character 4: <reason>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSONPath {text:?}: at character {position}: {reason}")]
pub struct JsonPathError {
    text: String,
    /// 1-based character position of the problem.
    position: usize,
    reason: String,
}

impl JsonPath {
    pub fn parse(text: &str) -> Result<JsonPath, JsonPathError> {
        Parser {
            text,
            chars: text.char_indices().collect(),
            at: 0,
        }
        .parse()
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The value the path leads to, if any.
    pub fn resolve<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        self.steps.iter().try_fold(root, |value, step| match step {
            Step::Key(key) => value.as_object()?.get(key),
            Step::Index(index) => {
                let array = value.as_array()?;
                let position = if *index < 0 {
                    array
                        .len()
                        .checked_sub(usize::try_from(index.unsigned_abs()).ok()?)?
                } else {
                    usize::try_from(*index).ok()?
                };
                array.get(position)
            }
        })
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

struct Parser<'t> {
    text: &'t str,
    chars: Vec<(usize, char)>,
    /// Index into `chars`.
    at: usize,
}

const SEVERAL: &str = "selects several values; only paths to a single value are supported";

impl Parser<'_> {
    fn parse(mut self) -> Result<JsonPath, JsonPathError> {
        if self.peek() != Some('$') {
            return Err(self.error("a path must start with '$' (the whole event)"));
        }
        self.at += 1;
        let mut steps = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                '.' => {
                    self.at += 1;
                    steps.push(self.dotted_name()?);
                }
                '[' => {
                    self.at += 1;
                    steps.push(self.bracket()?);
                }
                other => {
                    return Err(
                        self.error(format!("expected '.' or '[' after a step, found {other:?}"))
                    )
                }
            }
        }
        Ok(JsonPath {
            text: self.text.to_string(),
            steps,
        })
    }

    fn dotted_name(&mut self) -> Result<Step, JsonPathError> {
        match self.peek() {
            Some('.') => return Err(self.error(format!("recursive descent '..' {SEVERAL}"))),
            Some('*') => return Err(self.error(format!("wildcard '*' {SEVERAL}"))),
            _ => {}
        }
        let start = self.at;
        while self.peek().is_some_and(is_name_char) {
            self.at += 1;
        }
        if self.at == start {
            return Err(match self.peek() {
                None => self.error("expected a name after '.'"),
                Some(c) => self.error(format!(
                    "{c:?} cannot appear in a name after '.'; write ['name'] for such names"
                )),
            });
        }
        Ok(Step::Key(
            self.chars[start..self.at].iter().map(|&(_, c)| c).collect(),
        ))
    }

    fn bracket(&mut self) -> Result<Step, JsonPathError> {
        let step = match self.peek() {
            Some(quote @ ('\'' | '"')) => {
                self.at += 1;
                Step::Key(self.quoted(quote)?)
            }
            Some(c) if c == '-' || c.is_ascii_digit() => Step::Index(self.index()?),
            Some('*') => return Err(self.error(format!("wildcard '*' {SEVERAL}"))),
            Some('?') => return Err(self.error(format!("a filter {SEVERAL}"))),
            Some(':') => return Err(self.error(format!("a slice {SEVERAL}"))),
            Some(other) => {
                return Err(self.error(format!(
                    "expected an index or a quoted name after '[', found {other:?}"
                )))
            }
            None => return Err(self.error("expected an index or a quoted name after '['")),
        };
        match self.peek() {
            Some(']') => {
                self.at += 1;
                Ok(step)
            }
            Some(',') => Err(self.error(format!("a list of selectors {SEVERAL}"))),
            Some(':') => Err(self.error(format!("a slice {SEVERAL}"))),
            Some(other) => Err(self.error(format!("expected ']', found {other:?}"))),
            None => Err(self.error("expected ']'")),
        }
    }

    fn index(&mut self) -> Result<i64, JsonPathError> {
        let start = self.at;
        if self.peek() == Some('-') {
            self.at += 1;
        }
        let digits_start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let digits: String = self.chars[digits_start..self.at]
            .iter()
            .map(|&(_, c)| c)
            .collect();
        if digits.is_empty() {
            return Err(self.error("expected digits after '-'"));
        }
        if digits.len() > 1 && digits.starts_with('0') {
            self.at = digits_start;
            return Err(self.error("an index cannot have leading zeros"));
        }
        let text: String = self.chars[start..self.at].iter().map(|&(_, c)| c).collect();
        if text == "-0" {
            self.at = start;
            return Err(self.error("-0 is not an index"));
        }
        text.parse().map_err(|_| {
            self.at = start;
            self.error("index out of range")
        })
    }

    fn quoted(&mut self, quote: char) -> Result<String, JsonPathError> {
        let mut name = String::new();
        loop {
            match self.next() {
                None => {
                    return Err(self.error(format!("unterminated name: missing closing {quote}")))
                }
                Some(c) if c == quote => return Ok(name),
                Some('\\') => name.push(self.escape()?),
                Some(c) if c.is_control() => {
                    self.at -= 1;
                    return Err(self.error("control characters must be escaped in a quoted name"));
                }
                Some(c) => name.push(c),
            }
        }
    }

    fn escape(&mut self) -> Result<char, JsonPathError> {
        let escaped = match self.next() {
            Some(c @ ('\\' | '\'' | '"' | '/')) => c,
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let start = self.at;
                let hex: String = (0..4).filter_map(|_| self.next()).collect();
                let code = (hex.len() == 4)
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .and_then(char::from_u32);
                match code {
                    Some(c) => c,
                    None => {
                        self.at = start;
                        return Err(self.error(
                            "\\u must be followed by 4 hex digits of a character (surrogates are not supported)",
                        ));
                    }
                }
            }
            Some(other) => {
                self.at -= 1;
                return Err(self.error(format!("unknown escape \\{other}")));
            }
            None => return Err(self.error("unterminated escape")),
        };
        Ok(escaped)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).map(|&(_, c)| c)
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    fn error(&self, reason: impl Into<String>) -> JsonPathError {
        JsonPathError {
            text: self.text.to_string(),
            position: self.at + 1,
            reason: reason.into(),
        }
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-' || c == '/'
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resolve(path: &str, value: &Value) -> Option<Value> {
        JsonPath::parse(path)
            .expect("valid path")
            .resolve(value)
            .cloned()
    }

    fn reason(path: &str) -> String {
        JsonPath::parse(path).expect_err("invalid path").to_string()
    }

    #[test]
    fn root_is_the_whole_value() {
        let event = json!({"a": 1});
        assert_eq!(resolve("$", &event), Some(event.clone()));
    }

    #[test]
    fn dotted_names_and_indices() {
        let event = json!({
            "data": {"userIdentity": {"userName": "alice"}, "instance-id": "i-1", "a/b": 2,
                     "名前": "x", "list": [{"b": "first"}, {"b": "second"}]},
        });
        assert_eq!(
            resolve("$.data.userIdentity.userName", &event),
            Some(json!("alice"))
        );
        assert_eq!(resolve("$.data.instance-id", &event), Some(json!("i-1")));
        assert_eq!(resolve("$.data.a/b", &event), Some(json!(2)));
        assert_eq!(resolve("$.data.名前", &event), Some(json!("x")));
        assert_eq!(resolve("$.data.list[0].b", &event), Some(json!("first")));
        assert_eq!(resolve("$.data.list[1].b", &event), Some(json!("second")));
        assert_eq!(resolve("$.data.list[-1].b", &event), Some(json!("second")));
        assert_eq!(resolve("$.data.list[-2].b", &event), Some(json!("first")));
    }

    #[test]
    fn bracketed_names_take_any_key() {
        let event =
            json!({"odd key": {"it's": 1, "say \"hi\"": 2, "a.b": 3, "tab\there": 4, "é": 5}});
        assert_eq!(resolve("$['odd key']['it\\'s']", &event), Some(json!(1)));
        assert_eq!(
            resolve(r#"$["odd key"]["say \"hi\""]"#, &event),
            Some(json!(2))
        );
        assert_eq!(resolve("$['odd key']['a.b']", &event), Some(json!(3)));
        assert_eq!(
            resolve("$['odd key']['tab\\there']", &event),
            Some(json!(4))
        );
        assert_eq!(resolve("$['odd key']['\\u00e9']", &event), Some(json!(5)));
    }

    #[test]
    fn dots_in_keys_are_not_split() {
        let event = json!({"a.b": 1, "a": {"b": 2}});
        assert_eq!(resolve("$.a.b", &event), Some(json!(2)));
        assert_eq!(resolve("$['a.b']", &event), Some(json!(1)));
    }

    #[test]
    fn paths_that_lead_nowhere_give_none() {
        let event = json!({"a": {"b": [1, 2]}, "s": "text", "n": null});
        assert_eq!(resolve("$.missing", &event), None);
        assert_eq!(resolve("$.a.b[2]", &event), None);
        assert_eq!(resolve("$.a.b[-3]", &event), None);
        assert_eq!(resolve("$.a.b.c", &event), None);
        assert_eq!(resolve("$.a[0]", &event), None);
        assert_eq!(resolve("$.s.x", &event), None);
        assert_eq!(resolve("$.s[0]", &event), None);
        assert_eq!(resolve("$.n", &event), Some(Value::Null));
        assert_eq!(resolve("$.n.x", &event), None);
        assert_eq!(resolve("$.a.b[9223372036854775807]", &event), None);
        assert_eq!(resolve("$.a.b[-9223372036854775808]", &event), None);
    }

    #[test]
    fn several_value_selectors_are_rejected() {
        assert_eq!(
            reason("$..a"),
            r#"invalid JSONPath "$..a": at character 3: recursive descent '..' selects several values; only paths to a single value are supported"#
        );
        assert_eq!(
            reason("$.a.*"),
            r#"invalid JSONPath "$.a.*": at character 5: wildcard '*' selects several values; only paths to a single value are supported"#
        );
        assert_eq!(
            reason("$.a[*]"),
            r#"invalid JSONPath "$.a[*]": at character 5: wildcard '*' selects several values; only paths to a single value are supported"#
        );
        assert_eq!(
            reason("$.a[?@.b]"),
            r#"invalid JSONPath "$.a[?@.b]": at character 5: a filter selects several values; only paths to a single value are supported"#
        );
        assert_eq!(
            reason("$.a[0:2]"),
            r#"invalid JSONPath "$.a[0:2]": at character 6: a slice selects several values; only paths to a single value are supported"#
        );
        assert_eq!(
            reason("$.a[:2]"),
            r#"invalid JSONPath "$.a[:2]": at character 5: a slice selects several values; only paths to a single value are supported"#
        );
        assert_eq!(
            reason("$.a[0,1]"),
            r#"invalid JSONPath "$.a[0,1]": at character 6: a list of selectors selects several values; only paths to a single value are supported"#
        );
    }

    #[test]
    fn malformed_paths_say_where() {
        assert_eq!(
            reason(""),
            r#"invalid JSONPath "": at character 1: a path must start with '$' (the whole event)"#
        );
        assert_eq!(
            reason("data.a"),
            r#"invalid JSONPath "data.a": at character 1: a path must start with '$' (the whole event)"#
        );
        assert_eq!(
            reason("$a"),
            r#"invalid JSONPath "$a": at character 2: expected '.' or '[' after a step, found 'a'"#
        );
        assert_eq!(
            reason("$."),
            r#"invalid JSONPath "$.": at character 3: expected a name after '.'"#
        );
        assert_eq!(
            reason("$.a b"),
            r#"invalid JSONPath "$.a b": at character 4: expected '.' or '[' after a step, found ' '"#
        );
        assert_eq!(
            reason("$.'a'"),
            r#"invalid JSONPath "$.'a'": at character 3: '\'' cannot appear in a name after '.'; write ['name'] for such names"#
        );
        assert_eq!(
            reason("$.a["),
            r#"invalid JSONPath "$.a[": at character 5: expected an index or a quoted name after '['"#
        );
        assert_eq!(
            reason("$.a[0"),
            r#"invalid JSONPath "$.a[0": at character 6: expected ']'"#
        );
        assert_eq!(
            reason("$.a[x]"),
            r#"invalid JSONPath "$.a[x]": at character 5: expected an index or a quoted name after '[', found 'x'"#
        );
        assert_eq!(
            reason("$['a"),
            r#"invalid JSONPath "$['a": at character 5: unterminated name: missing closing '"#
        );
        assert_eq!(
            reason("$['a\\q']"),
            r#"invalid JSONPath "$['a\\q']": at character 6: unknown escape \q"#
        );
        assert_eq!(
            reason("$['\\u12']"),
            r#"invalid JSONPath "$['\\u12']": at character 6: \u must be followed by 4 hex digits of a character (surrogates are not supported)"#
        );
        assert_eq!(
            reason("$.a[01]"),
            r#"invalid JSONPath "$.a[01]": at character 5: an index cannot have leading zeros"#
        );
        assert_eq!(
            reason("$.a[-0]"),
            r#"invalid JSONPath "$.a[-0]": at character 5: -0 is not an index"#
        );
        assert_eq!(
            reason("$.a[-]"),
            r#"invalid JSONPath "$.a[-]": at character 6: expected digits after '-'"#
        );
        assert_eq!(
            reason("$.a[99999999999999999999]"),
            r#"invalid JSONPath "$.a[99999999999999999999]": at character 5: index out of range"#
        );
    }

    #[test]
    fn displays_as_written() {
        let path = JsonPath::parse("$['odd key'][0]").expect("valid");
        assert_eq!(path.to_string(), "$['odd key'][0]");
        assert_eq!(path.as_str(), "$['odd key'][0]");
    }
}
