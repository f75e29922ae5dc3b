//! Input transformers: EventBridge's `InputPathsMap` + `InputTemplate`, here
//! `{"paths": {name: JSONPath}, "template": "..."}`.
//!
//! The template is split once, when the rules file is read, into literal text and
//! `<name>` slots, each slot knowing whether it sits inside a JSON string; rendering is
//! then a single pass that cannot fail.
//!
//! ## Behaviour (EventBridge's, with the decisions where it is silent)
//! - A template whose first non-blank character is `{`, `[` or `"` is a JSON template and
//!   must be valid JSON once placeholders are filled in; this is checked at load time
//!   (with a string and a non-string sample for every placeholder outside quotes). A
//!   placeholder in an object key, quoted or not, is an error, as in EventBridge: two
//!   values could make the same key. Any other template is plain text.
//! - JSON template, placeholder outside quotes: the value goes in as JSON (a string with
//!   its quotes, an object as an object).
//! - JSON template, placeholder inside quotes: a string goes in escaped, without quotes;
//!   a number, boolean or null as its JSON text; an object or array as its compact JSON
//!   text, escaped (EventBridge strips the inner quotes instead, which loses information;
//!   escaping keeps the output valid and lossless).
//! - Plain template: a string goes in as is, anything else as compact JSON.
//! - A path that leads nowhere gives `null` outside quotes and nothing inside quotes or
//!   in plain text (EventBridge leaves the variable out).
//! - A plain template that renders to nothing gives the body `null`: SQS refuses empty
//!   messages, and an event must not be lost to a formatting choice.
//! - `<` starts a placeholder only when followed by a name (letters, digits, `_`, `-`,
//!   `.`) and `>`; any other `<` is text. Every placeholder must be defined in `paths` or
//!   be one of the predefined variables:
//!   - `<aws.events.rule-name>`: the rule's name;
//!   - `<aws.events.event.json>`: the whole envelope;
//!   - `<aws.events.event>`: the envelope without `data` (EventBridge's is the event
//!     without `detail`, its payload).
//!
//!   `aws.events.rule-arn` and `aws.events.event.ingestion-time` do not exist here
//!   (rules have no ARN; envelopes are not ingested by a bus) and are load-time errors.
//! - At most 100 paths (EventBridge's limit); their names may not start with `aws.`.
//!   Paths not used by the template are allowed, as in EventBridge.

use super::error::FieldProblem;
use super::json_path::JsonPath;
use serde_json::{Map, Value};

/// EventBridge allows up to 100 variables per input transformer.
pub const MAX_PATHS: usize = 100;

const RULE_NAME: &str = "aws.events.rule-name";
const EVENT_JSON: &str = "aws.events.event.json";
const EVENT_WITHOUT_DATA: &str = "aws.events.event";
const UNAVAILABLE: [(&str, &str); 2] = [
    ("aws.events.rule-arn", "auditbridge rules have no ARN"),
    (
        "aws.events.event.ingestion-time",
        "envelopes are not ingested by an event bus; use <time> with the path $.time",
    ),
];

/// A validated input transformer.
#[derive(Debug, Clone, PartialEq)]
pub struct InputTransformer {
    variables: Vec<(String, JsonPath)>,
    template: String,
    json: bool,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Slot { source: Source, quoted: bool },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    Variable(usize),
    RuleName,
    EventJson,
    EventWithoutData,
}

/// What a template is rendered from.
#[derive(Debug, Clone, Copy)]
pub struct RenderInput<'a> {
    pub rule_name: &'a str,
    /// The envelope as a JSON value, for the paths.
    pub event: &'a Value,
    /// The envelope as JSON text, for `<aws.events.event.json>`.
    pub event_json: &'a str,
}

/// What one slot is filled with.
enum Filling<'a> {
    Missing,
    Value(&'a Value),
    Str(&'a str),
    /// Already-serialized JSON (an object).
    Json(String),
}

impl InputTransformer {
    /// Validates `paths` (an object of name → JSONPath) and `template` (a string).
    /// Problem paths are relative to the input object: `paths.who`, `template`.
    pub(crate) fn new(
        paths: Option<&Value>,
        template: Option<&Value>,
    ) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let variables = read_paths(paths, &mut problems);
        // Names whose path was refused are still defined: reporting their placeholders as
        // unknown too would only repeat the problem.
        let refused: Vec<&str> = match paths {
            Some(Value::Object(map)) => map
                .keys()
                .map(String::as_str)
                .filter(|name| !variables.iter().any(|(known, _)| known == name))
                .collect(),
            _ => Vec::new(),
        };
        let template = match template {
            Some(Value::String(text)) if !text.is_empty() => Some(text.as_str()),
            Some(Value::String(_)) => {
                problems.push(FieldProblem::new("template", "must not be empty"));
                None
            }
            Some(other) => {
                problems.push(FieldProblem::new(
                    "template",
                    format!("expected a string, got {}", type_name(other)),
                ));
                None
            }
            None => {
                problems.push(FieldProblem::new(
                    "template",
                    "missing: an input transformer needs a template",
                ));
                None
            }
        };
        let Some(template) = template else {
            return Err(problems);
        };
        let json = template.trim_start().starts_with(['{', '[', '"']);
        let parts = split(template, json);
        let mut unknown = Vec::new();
        let parts: Vec<Part> = parts
            .into_iter()
            .map(|part| match part {
                Scanned::Text(text) => Part::Text(text),
                Scanned::Slot { name, quoted } => {
                    let source = resolve_name(&name, &variables).unwrap_or_else(|reason| {
                        let reported = unknown.iter().any(|(known, _)| known == &name);
                        if !reported && !refused.contains(&name.as_str()) {
                            unknown.push((name.clone(), reason));
                        }
                        Source::RuleName
                    });
                    Part::Slot { source, quoted }
                }
            })
            .collect();
        for (_, reason) in unknown {
            problems.push(FieldProblem::new("template", reason));
        }
        let transformer = InputTransformer {
            variables,
            template: template.to_string(),
            json,
            parts,
        };
        if problems.is_empty() && json {
            if let Err(reason) = transformer.check_json() {
                problems.push(FieldProblem::new("template", reason));
            }
        }
        if problems.is_empty() {
            Ok(transformer)
        } else {
            Err(problems)
        }
    }

    /// The template as written.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// Whether the template is JSON (values inserted as JSON) or plain text.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// The named paths, in the order written.
    pub fn paths(&self) -> impl Iterator<Item = (&str, &JsonPath)> {
        self.variables
            .iter()
            .map(|(name, path)| (name.as_str(), path))
    }

    /// Whether rendering reads the envelope as a value (any path is used).
    pub(crate) fn needs_event_value(&self) -> bool {
        self.parts.iter().any(|part| {
            matches!(
                part,
                Part::Slot {
                    source: Source::Variable(_) | Source::EventWithoutData,
                    ..
                }
            )
        })
    }

    /// The message body. Never fails and is never empty.
    pub fn render(&self, input: &RenderInput<'_>) -> String {
        let mut out = String::with_capacity(self.template.len() + 64);
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Slot { source, quoted } => {
                    let filling = match *source {
                        Source::Variable(index) => self.variables[index]
                            .1
                            .resolve(input.event)
                            .map_or(Filling::Missing, Filling::Value),
                        Source::RuleName => Filling::Str(input.rule_name),
                        Source::EventJson => Filling::Json(input.event_json.to_string()),
                        Source::EventWithoutData => Filling::Json(without_data(input.event)),
                    };
                    self.fill(&mut out, filling, *quoted);
                }
            }
        }
        if out.is_empty() {
            out.push_str("null");
        }
        out
    }

    fn fill(&self, out: &mut String, filling: Filling<'_>, quoted: bool) {
        let text = match filling {
            Filling::Missing => {
                if self.json && !quoted {
                    out.push_str("null");
                }
                return;
            }
            Filling::Str(text) => {
                self.fill_str(out, text, quoted);
                return;
            }
            Filling::Value(Value::String(text)) => {
                self.fill_str(out, text, quoted);
                return;
            }
            Filling::Value(value) => value.to_string(),
            Filling::Json(text) => text,
        };
        if self.json && quoted {
            push_escaped(out, &text);
        } else {
            out.push_str(&text);
        }
    }

    fn fill_str(&self, out: &mut String, text: &str, quoted: bool) {
        if !self.json {
            out.push_str(text);
        } else if quoted {
            push_escaped(out, text);
        } else {
            out.push('"');
            push_escaped(out, text);
            out.push('"');
        }
    }

    /// Load-time check that a JSON template stays valid JSON whatever the values are.
    fn check_json(&self) -> Result<(), String> {
        // Each part's byte offset in the filled-in sample and in the template, so a
        // syntax error can be reported where the person wrote it.
        let sample = |non_string_slot: Option<usize>| {
            let mut out = String::new();
            let mut offsets = Vec::with_capacity(self.parts.len());
            let mut template_at = 0;
            let mut slot = 0;
            for part in &self.parts {
                offsets.push((out.len(), template_at));
                match part {
                    Part::Text(text) => {
                        out.push_str(text);
                        template_at += text.len();
                    }
                    Part::Slot { source, quoted } => {
                        if *quoted {
                            out.push('x');
                        } else {
                            let non_string = non_string_slot == Some(slot);
                            out.push_str(if non_string { "0" } else { "\"x\"" });
                            slot += 1;
                        }
                        template_at += self.source_name(*source).len() + 2;
                    }
                }
            }
            serde_json::from_str::<serde::de::IgnoredAny>(&out)
                .map(|_| ())
                .map_err(|error| (error, out, offsets))
        };
        sample(None).map_err(|(error, filled, offsets)| {
            let message = error.to_string();
            let reason = message
                .rfind(" at line ")
                .map_or(message.as_str(), |end| &message[..end]);
            let filled_at = byte_offset(&filled, error.line(), error.column());
            let part = offsets
                .iter()
                .rposition(|&(start, _)| start <= filled_at)
                .unwrap_or(0);
            let template_at = match (&self.parts.get(part), offsets.get(part)) {
                (Some(Part::Text(_)), Some(&(start, template_start))) => {
                    template_start + (filled_at - start)
                }
                (_, Some(&(_, template_start))) => template_start,
                _ => 0,
            };
            let character = self
                .template
                .get(..template_at)
                .map_or(0, |before| before.chars().count())
                + 1;
            format!(
                "the template starts like JSON but is not valid JSON: {reason} at character {character}"
            )
        })?;
        let unquoted: Vec<&Source> = self
            .parts
            .iter()
            .filter_map(|part| match part {
                Part::Slot {
                    source,
                    quoted: false,
                } => Some(source),
                _ => None,
            })
            .collect();
        for (slot, source) in unquoted.into_iter().enumerate() {
            if sample(Some(slot)).is_err() {
                // Only an object key takes a string and nothing else.
                return Err(self.key_placeholder(*source));
            }
        }
        self.check_no_key_placeholder()
    }

    /// EventBridge refuses a placeholder in an object key, also inside quotes: two values
    /// could make the same key, one losing to the other in every consumer, and paths
    /// that find nothing an empty one.
    fn check_no_key_placeholder(&self) -> Result<(), String> {
        // Each quoted slot filled with a private-use marker holding its position.
        let mut filled = String::new();
        let mut quoted: Vec<Source> = Vec::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => filled.push_str(text),
                Part::Slot {
                    source,
                    quoted: true,
                } => {
                    filled.push_str(&format!("{KEY_MARKER}{}{KEY_MARKER}", quoted.len()));
                    quoted.push(*source);
                }
                Part::Slot { quoted: false, .. } => filled.push_str("\"x\""),
            }
        }
        let Ok(value) = serde_json::from_str::<Value>(&filled) else {
            return Ok(()); // The syntax check above has spoken.
        };
        match first_marked_key(&value).and_then(|index| quoted.get(index)) {
            Some(&source) => Err(self.key_placeholder(source)),
            None => Ok(()),
        }
    }

    fn key_placeholder(&self, source: Source) -> String {
        format!(
            "placeholder <{}> is an object key; EventBridge allows placeholders only in values (a key could repeat, or be empty when its path finds nothing): use a fixed key",
            self.source_name(source)
        )
    }

    fn source_name(&self, source: Source) -> &str {
        match source {
            Source::Variable(index) => &self.variables[index].0,
            Source::RuleName => RULE_NAME,
            Source::EventJson => EVENT_JSON,
            Source::EventWithoutData => EVENT_WITHOUT_DATA,
        }
    }
}

/// Stands for a quoted placeholder in the key check: a private-use character no template
/// needs, around the placeholder's position among the quoted ones.
const KEY_MARKER: char = '\u{E000}';

/// The position of the first quoted placeholder found in an object key of `value`.
fn first_marked_key(value: &Value) -> Option<usize> {
    match value {
        Value::Object(map) => map.iter().find_map(|(key, value)| {
            key.split(KEY_MARKER)
                .nth(1)
                .and_then(|index| index.parse().ok())
                .or_else(|| first_marked_key(value))
        }),
        Value::Array(items) => items.iter().find_map(first_marked_key),
        _ => None,
    }
}

/// The byte offset of a 1-based (line, column) position, clamped to the text.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

fn read_paths(paths: Option<&Value>, problems: &mut Vec<FieldProblem>) -> Vec<(String, JsonPath)> {
    let map = match paths {
        None => return Vec::new(),
        Some(Value::Object(map)) => map,
        Some(other) => {
            problems.push(FieldProblem::new(
                "paths",
                format!(
                    "expected an object of name: JSONPath, got {}",
                    type_name(other)
                ),
            ));
            return Vec::new();
        }
    };
    if map.len() > MAX_PATHS {
        problems.push(FieldProblem::new(
            "paths",
            format!("at most {MAX_PATHS} paths are allowed, found {}", map.len()),
        ));
    }
    let mut variables = Vec::with_capacity(map.len());
    for (name, path) in map {
        let at = format!("paths.{name}");
        if let Err(reason) = check_variable_name(name) {
            problems.push(FieldProblem::new(at, reason));
            continue;
        }
        match path {
            Value::String(text) => match JsonPath::parse(text) {
                Ok(path) => variables.push((name.clone(), path)),
                Err(error) => problems.push(FieldProblem::new(at, error.to_string())),
            },
            other => problems.push(FieldProblem::new(
                at,
                format!("expected a JSONPath string, got {}", type_name(other)),
            )),
        }
    }
    variables
}

fn check_variable_name(name: &str) -> Result<(), String> {
    if name.is_empty() || !name.chars().all(is_placeholder_char) {
        return Err(format!(
            "variable name {name:?} may contain only letters, digits, '_', '-' and '.'"
        ));
    }
    if name.to_ascii_lowercase().starts_with("aws.") {
        return Err(format!(
            "variable name {name:?} is reserved: names starting with \"aws.\" belong to predefined variables"
        ));
    }
    Ok(())
}

fn resolve_name(name: &str, variables: &[(String, JsonPath)]) -> Result<Source, String> {
    if let Some(index) = variables.iter().position(|(known, _)| known == name) {
        return Ok(Source::Variable(index));
    }
    match name {
        RULE_NAME => Ok(Source::RuleName),
        EVENT_JSON => Ok(Source::EventJson),
        EVENT_WITHOUT_DATA => Ok(Source::EventWithoutData),
        _ => Err(match UNAVAILABLE.iter().find(|(known, _)| *known == name) {
            Some((_, why)) => format!("placeholder <{name}> is not available: {why}"),
            None => format!(
                "unknown placeholder <{name}>: define it in paths or use a predefined variable (<{RULE_NAME}>, <{EVENT_JSON}>, <{EVENT_WITHOUT_DATA}>)"
            ),
        }),
    }
}

enum Scanned {
    Text(String),
    Slot { name: String, quoted: bool },
}

/// Splits a template into text and placeholders, noting for a JSON template whether each
/// placeholder is inside a string.
fn split(template: &str, json: bool) -> Vec<Scanned> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c == '<' && !escaped {
            if let Some(name) = placeholder_at(rest) {
                if !text.is_empty() {
                    parts.push(Scanned::Text(std::mem::take(&mut text)));
                }
                parts.push(Scanned::Slot {
                    name: name.to_string(),
                    quoted: json && in_string,
                });
                rest = &rest[name.len() + 2..];
                continue;
            }
        }
        if json {
            if escaped {
                escaped = false;
            } else if in_string && c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = !in_string;
            }
        }
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !text.is_empty() {
        parts.push(Scanned::Text(text));
    }
    parts
}

/// The name of the placeholder `rest` starts with (`<name>`), if it does.
fn placeholder_at(rest: &str) -> Option<&str> {
    let inner = rest.strip_prefix('<')?;
    let end = inner.find(|c: char| !is_placeholder_char(c))?;
    (end > 0 && inner[end..].starts_with('>')).then(|| &inner[..end])
}

fn is_placeholder_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Appends `text` escaped for the inside of a JSON string.
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
}

/// The envelope without `data`, as compact JSON.
fn without_data(event: &Value) -> String {
    match event {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| key.as_str() != "data")
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect::<Map<String, Value>>(),
        )
        .to_string(),
        other => other.to_string(),
    }
}

pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn transformer(paths: Value, template: &str) -> InputTransformer {
        InputTransformer::new(Some(&paths), Some(&json!(template))).expect("valid transformer")
    }

    fn problems(paths: Option<Value>, template: Option<Value>) -> Vec<String> {
        InputTransformer::new(paths.as_ref(), template.as_ref())
            .expect_err("invalid transformer")
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.reason))
            .collect()
    }

    fn event() -> Value {
        json!({
            "id": "e1",
            "source": "cvm.cloud.tencent",
            "subject": "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1",
            "data": {
                "eventName": "StopInstances",
                "userIdentity": {"userName": "alice \"the admin\"\nline2 ✓ 東京", "accountId": 100},
                "requestParameters": {"InstanceIds": ["ins-1"], "Force": true},
                "nothing": null
            }
        })
    }

    fn render(t: &InputTransformer) -> String {
        let event = event();
        let event_json = event.to_string();
        t.render(&RenderInput {
            rule_name: "stop-watch",
            event: &event,
            event_json: &event_json,
        })
    }

    fn render_json(t: &InputTransformer) -> Value {
        let body = render(t);
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
    }

    #[test]
    fn values_outside_quotes_go_in_as_json() {
        let t = transformer(
            json!({"who": "$.data.userIdentity.userName", "account": "$.data.userIdentity.accountId",
                   "params": "$.data.requestParameters", "ids": "$.data.requestParameters.InstanceIds"}),
            r#"{"who": <who>, "account": <account>, "params": <params>, "ids": <ids>}"#,
        );
        assert!(t.is_json());
        assert_eq!(
            render_json(&t),
            json!({"who": "alice \"the admin\"\nline2 ✓ 東京", "account": 100,
                   "params": {"InstanceIds": ["ins-1"], "Force": true}, "ids": ["ins-1"]})
        );
    }

    #[test]
    fn values_inside_quotes_are_escaped_without_quotes() {
        let t = transformer(
            json!({"who": "$.data.userIdentity.userName", "account": "$.data.userIdentity.accountId",
                   "params": "$.data.requestParameters", "force": "$.data.requestParameters.Force"}),
            r#"{"text": "<who> (<account>) called with <params>, force=<force>"}"#,
        );
        assert_eq!(
            render_json(&t),
            json!({"text": "alice \"the admin\"\nline2 ✓ 東京 (100) called with {\"Force\":true,\"InstanceIds\":[\"ins-1\"]}, force=true"})
        );
    }

    #[test]
    fn escaped_quotes_in_the_template_keep_the_slot_inside_the_string() {
        let t = transformer(
            json!({"op": "$.data.eventName"}),
            r#"{"text": "called \"<op>\" \\", "op": <op>}"#,
        );
        assert_eq!(
            render_json(&t),
            json!({"text": "called \"StopInstances\" \\", "op": "StopInstances"})
        );
    }

    #[test]
    fn control_characters_stay_valid_json() {
        let mut event = event();
        event["data"]["eventName"] = json!("a\u{1}b\u{8}\u{c}\t\r\\");
        let t = transformer(json!({"op": "$.data.eventName"}), r#"["<op>", <op>]"#);
        let event_json = event.to_string();
        let body = t.render(&RenderInput {
            rule_name: "r1",
            event: &event,
            event_json: &event_json,
        });
        let parsed: Value = serde_json::from_str(&body).expect("valid JSON");
        assert_eq!(
            parsed,
            json!(["a\u{1}b\u{8}\u{c}\t\r\\", "a\u{1}b\u{8}\u{c}\t\r\\"])
        );
    }

    #[test]
    fn missing_values_are_null_outside_quotes_and_empty_inside() {
        let t = transformer(
            json!({"gone": "$.data.missing", "nothing": "$.data.nothing"}),
            r#"{"a": <gone>, "b": "[<gone>]", "c": <nothing>, "d": "[<nothing>]"}"#,
        );
        assert_eq!(
            render_json(&t),
            json!({"a": null, "b": "[]", "c": null, "d": "[null]"})
        );
    }

    #[test]
    fn a_json_string_template_renders_a_json_string() {
        let t = transformer(json!({"op": "$.data.eventName"}), r#""instance <op> done""#);
        assert!(t.is_json());
        assert_eq!(render(&t), r#""instance StopInstances done""#);
    }

    #[test]
    fn plain_templates_get_plain_values() {
        let t = transformer(
            json!({"who": "$.data.userIdentity.userName", "account": "$.data.userIdentity.accountId",
                   "ids": "$.data.requestParameters.InstanceIds", "gone": "$.x"}),
            r#"<who> in "<account>" stopped <ids><gone> (rule <aws.events.rule-name>) a<b c>d"#,
        );
        assert!(!t.is_json());
        assert_eq!(
            render(&t),
            "alice \"the admin\"\nline2 ✓ 東京 in \"100\" stopped [\"ins-1\"] (rule stop-watch) a<b c>d"
        );
    }

    #[test]
    fn a_plain_template_that_renders_to_nothing_gives_null() {
        let t = transformer(json!({"gone": "$.x"}), "<gone>");
        assert_eq!(render(&t), "null");
    }

    #[test]
    fn predefined_variables() {
        let t = transformer(
            json!({}),
            r#"{"rule": <aws.events.rule-name>, "inRule": "r=<aws.events.rule-name>", "event": <aws.events.event.json>, "head": <aws.events.event>}"#,
        );
        let body = render_json(&t);
        assert_eq!(body["rule"], json!("stop-watch"));
        assert_eq!(body["inRule"], json!("r=stop-watch"));
        assert_eq!(body["event"], event());
        let mut head = event();
        head.as_object_mut().expect("object").remove("data");
        assert_eq!(body["head"], head);
        assert!(!transformer(json!({}), "<aws.events.rule-name>").needs_event_value());
        assert!(transformer(json!({}), "<aws.events.event>").needs_event_value());
    }

    #[test]
    fn the_whole_event_inside_quotes_is_escaped() {
        let t = transformer(json!({}), r#"{"raw": "<aws.events.event.json>"}"#);
        let body = render_json(&t);
        let inner: Value =
            serde_json::from_str(body["raw"].as_str().expect("string")).expect("JSON");
        assert_eq!(inner, event());
    }

    #[test]
    fn a_constant_template_needs_no_paths() {
        let t = InputTransformer::new(None, Some(&json!(r#"{"ping": true}"#))).expect("valid");
        assert_eq!(render(&t), r#"{"ping": true}"#);
        assert_eq!(t.template(), r#"{"ping": true}"#);
        assert_eq!(t.paths().count(), 0);
    }

    #[test]
    fn unknown_and_unavailable_placeholders_are_errors() {
        assert_eq!(
            problems(Some(json!({"who": "$.a"})), Some(json!("<who> <whom> <whom> <aws.events.rule-arn> <aws.events.event.ingestion-time>"))),
            [
                "template: unknown placeholder <whom>: define it in paths or use a predefined variable (<aws.events.rule-name>, <aws.events.event.json>, <aws.events.event>)",
                "template: placeholder <aws.events.rule-arn> is not available: auditbridge rules have no ARN",
                "template: placeholder <aws.events.event.ingestion-time> is not available: envelopes are not ingested by an event bus; use <time> with the path $.time",
            ]
        );
    }

    #[test]
    fn invalid_json_templates_are_errors() {
        assert_eq!(
            problems(None, Some(json!("{\n  \"a\": 1,\n  \"b\": \"<aws.events.rule-name>\" \"c\"\n}"))),
            ["template: the template starts like JSON but is not valid JSON: expected `,` or `}` at character 45"]
        );
        assert_eq!(
            problems(Some(json!({"who": "$.a"})), Some(json!(r#"{"who": <who>,}"#))),
            ["template: the template starts like JSON but is not valid JSON: key must be a string at character 15"]
        );
        assert_eq!(
            problems(Some(json!({"who": "$.a"})), Some(json!(r#"{"who": <who> <who>}"#))),
            ["template: the template starts like JSON but is not valid JSON: expected `,` or `}` at character 15"]
        );
        assert_eq!(
            problems(Some(json!({"k": "$.a"})), Some(json!(r#"{<k>: 1}"#))),
            ["template: placeholder <k> is an object key; EventBridge allows placeholders only in values (a key could repeat, or be empty when its path finds nothing): use a fixed key"]
        );
        for template in [
            r#"{"<k>": 1}"#,
            r#"{"alert": {"by-<k>": true}}"#,
            r#"[{"a": 1}, {"<k>-x": 2}]"#,
        ] {
            assert_eq!(
                problems(Some(json!({"k": "$.a"})), Some(json!(template))),
                ["template: placeholder <k> is an object key; EventBridge allows placeholders only in values (a key could repeat, or be empty when its path finds nothing): use a fixed key"],
                "{template}"
            );
        }
        // In values, inside quotes or not, placeholders are fine.
        transformer(json!({"k": "$.a"}), r#"{"key": "<k>", "k": ["<k>", <k>]}"#);
        assert_eq!(
            problems(Some(json!({"who": "$.a"})), Some(json!(r#"{"a": "\<who>"}"#))),
            ["template: the template starts like JSON but is not valid JSON: invalid escape at character 9"]
        );
    }

    #[test]
    fn path_and_shape_problems_are_all_reported() {
        assert_eq!(
            problems(
                Some(json!({"ok": "$.a", "bad": "a.b", "num": 3, "aws.x": "$.a", "AWS.y": "$.a", "sp ace": "$.a"})),
                Some(json!(""))
            ),
            [
                "paths.AWS.y: variable name \"AWS.y\" is reserved: names starting with \"aws.\" belong to predefined variables",
                "paths.aws.x: variable name \"aws.x\" is reserved: names starting with \"aws.\" belong to predefined variables",
                "paths.bad: invalid JSONPath \"a.b\": at character 1: a path must start with '$' (the whole event)",
                "paths.num: expected a JSONPath string, got a number",
                "paths.sp ace: variable name \"sp ace\" may contain only letters, digits, '_', '-' and '.'",
                "template: must not be empty",
            ]
        );
        assert_eq!(
            problems(Some(json!(["$.a"])), None),
            [
                "paths: expected an object of name: JSONPath, got an array",
                "template: missing: an input transformer needs a template",
            ]
        );
        assert_eq!(
            problems(None, Some(json!({"a": 1}))),
            ["template: expected a string, got an object"]
        );
        let many: Map<String, Value> = (0..=MAX_PATHS)
            .map(|i| (format!("v{i}"), json!("$.a")))
            .collect();
        assert_eq!(
            problems(Some(Value::Object(many)), Some(json!("x"))),
            ["paths: at most 100 paths are allowed, found 101"]
        );
    }
}
