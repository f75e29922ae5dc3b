//! One target of a rule: which queue, what goes in the message, and (FIFO) which group.
//!
//! [`TargetSpec`] is what the rules file says (queue URLs may still name environment
//! variables); [`Target`] is the same with the URL resolved, ready to build messages.

use super::env::{check_queue_url, EnvLookup, QueueUrlTemplate};
use super::error::{unknown_key, FieldProblem};
use super::json_path::JsonPath;
use super::name::{check_target_id, default_target_id};
use super::transformer::{type_name, InputTransformer};
use crate::outbound::{is_fifo_queue, is_valid_fifo_id};
use serde_json::{Map, Value};

const TARGET_KEYS: [&str; 4] = ["id", "queue", "input", "messageGroupId"];
const INPUT_KEYS: [&str; 3] = ["path", "paths", "template"];
const INPUT_CHOICES: &str =
    r#""envelope", "data", {"path": "<JSONPath>"} or {"paths": {...}, "template": "..."}"#;

/// What a target's message body is.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The whole envelope as JSON (the default).
    Envelope,
    /// The envelope's `data` (the CloudAudit record) as JSON.
    Data,
    /// The value at a path as JSON (`null` when the path leads nowhere), like
    /// EventBridge's `InputPath`.
    Path(JsonPath),
    /// An input transformer.
    Transformer(InputTransformer),
}

/// Where a FIFO target's `MessageGroupId` comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageGroupId {
    /// The envelope's `subject` (the default): one group per resource, so changes to one
    /// resource stay in order while different resources are delivered in parallel.
    Subject,
    /// The value at a path in the envelope (a non-string as its JSON text); the subject
    /// when the path leads nowhere or to `null` or `""`.
    Path(JsonPath),
    /// The same group for every message (total order, no parallelism).
    Literal(String),
}

/// A target as written in the rules file.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSpec {
    id: String,
    queue: QueueUrlTemplate,
    input: Input,
    message_group_id: Option<MessageGroupId>,
}

/// A target with its queue URL resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    id: String,
    queue_url: String,
    input: Input,
    /// `Some` exactly for FIFO queues.
    group_id: Option<MessageGroupId>,
}

impl TargetSpec {
    /// Reads the target at `targets[index]`. Problem paths are relative to the target.
    pub(crate) fn from_value(value: &Value, index: usize) -> Result<TargetSpec, Vec<FieldProblem>> {
        let Value::Object(map) = value else {
            return Err(vec![FieldProblem::new(
                "",
                format!(
                    "expected a target object ({{\"queue\": ...}}), got {}",
                    type_name(value)
                ),
            )]);
        };
        let mut problems = Vec::new();
        for key in map.keys() {
            if !TARGET_KEYS.contains(&key.as_str()) {
                problems.push(FieldProblem::new(
                    "",
                    unknown_key(
                        key,
                        &TARGET_KEYS,
                        &format!("a target has {}", TARGET_KEYS.join(", ")),
                    ),
                ));
            }
        }
        let id = match map.get("id") {
            None => Some(default_target_id(index)),
            Some(Value::String(id)) => match check_target_id(id) {
                Ok(()) => Some(id.clone()),
                Err(reason) => {
                    problems.push(FieldProblem::new("id", reason));
                    None
                }
            },
            Some(other) => {
                problems.push(FieldProblem::new(
                    "id",
                    format!("expected a string, got {}", type_name(other)),
                ));
                None
            }
        };
        let queue = match map.get("queue") {
            None => {
                problems.push(FieldProblem::new(
                    "queue",
                    "missing: a target needs a queue URL",
                ));
                None
            }
            Some(Value::String(text)) => match QueueUrlTemplate::parse(text) {
                Ok(template) => {
                    if template.variables().next().is_none() {
                        if let Err(reason) = check_queue_url(text) {
                            problems.push(FieldProblem::new("queue", reason));
                        }
                    }
                    Some(template)
                }
                Err(reason) => {
                    problems.push(FieldProblem::new("queue", reason));
                    None
                }
            },
            Some(other) => {
                problems.push(FieldProblem::new(
                    "queue",
                    format!("expected a queue URL string, got {}", type_name(other)),
                ));
                None
            }
        };
        let input = match read_input(map.get("input")) {
            Ok(input) => Some(input),
            Err(found) => {
                problems.extend(found.into_iter().map(|p| p.under("input")));
                None
            }
        };
        let message_group_id = match map.get("messageGroupId") {
            None => None,
            Some(value) => match read_group_id(value) {
                Ok(group) => Some(group),
                Err(reason) => {
                    problems.push(FieldProblem::new("messageGroupId", reason));
                    None
                }
            },
        };
        if let (Some(queue), Some(_)) = (&queue, &message_group_id) {
            if queue.variables().next().is_none() && !is_fifo_queue(queue.as_str()) {
                problems.push(FieldProblem::new(
                    "messageGroupId",
                    not_fifo(queue.as_str()),
                ));
            }
        }
        match (id, queue, input) {
            (Some(id), Some(queue), Some(input)) if problems.is_empty() => Ok(TargetSpec {
                id,
                queue,
                input,
                message_group_id,
            }),
            _ => Err(problems),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The queue URL as written, variables unresolved.
    pub fn queue(&self) -> &QueueUrlTemplate {
        &self.queue
    }

    pub fn input(&self) -> &Input {
        &self.input
    }

    /// As written; `None` means the default (the subject) for a FIFO queue.
    pub fn message_group_id(&self) -> Option<&MessageGroupId> {
        self.message_group_id.as_ref()
    }

    /// Resolves the queue URL and checks it. Problem paths are relative to the target.
    pub(crate) fn resolve(&self, env: &EnvLookup<'_>) -> Result<Target, FieldProblem> {
        let queue_url = self
            .queue
            .resolve(env)
            .map_err(|error| FieldProblem::new("queue", error.to_string()))?;
        check_queue_url(&queue_url).map_err(|reason| {
            FieldProblem::new(
                "queue",
                format!("{reason} (from {:?})", self.queue.as_str()),
            )
        })?;
        let fifo = is_fifo_queue(&queue_url);
        let group_id = match (&self.message_group_id, fifo) {
            (Some(_), false) => {
                return Err(FieldProblem::new("messageGroupId", not_fifo(&queue_url)))
            }
            (Some(group), true) => Some(group.clone()),
            (None, true) => Some(MessageGroupId::Subject),
            (None, false) => None,
        };
        Ok(Target {
            id: self.id.clone(),
            queue_url,
            input: self.input.clone(),
            group_id,
        })
    }
}

impl Target {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }

    pub fn is_fifo(&self) -> bool {
        self.group_id.is_some()
    }

    pub fn input(&self) -> &Input {
        &self.input
    }

    /// `Some` exactly for FIFO queues.
    pub fn message_group_id(&self) -> Option<&MessageGroupId> {
        self.group_id.as_ref()
    }

    /// Whether building this target's message reads the envelope as a JSON value.
    pub(crate) fn needs_event_value(&self) -> bool {
        let input = match &self.input {
            Input::Envelope | Input::Data => false,
            Input::Path(_) => true,
            Input::Transformer(transformer) => transformer.needs_event_value(),
        };
        input || matches!(self.group_id, Some(MessageGroupId::Path(_)))
    }
}

fn not_fifo(queue_url: &str) -> String {
    format!(
        "only FIFO queues take a message group id, and {queue_url:?} is not one (FIFO queue URLs end in .fifo)"
    )
}

fn read_input(value: Option<&Value>) -> Result<Input, Vec<FieldProblem>> {
    match value {
        None => Ok(Input::Envelope),
        Some(Value::String(choice)) => match choice.as_str() {
            "envelope" => Ok(Input::Envelope),
            "data" => Ok(Input::Data),
            other => Err(vec![FieldProblem::new(
                "",
                format!("unknown input {other:?}: expected {INPUT_CHOICES}"),
            )]),
        },
        Some(Value::Object(map)) => read_input_object(map),
        Some(other) => Err(vec![FieldProblem::new(
            "",
            format!("expected {INPUT_CHOICES}, got {}", type_name(other)),
        )]),
    }
}

fn read_input_object(map: &Map<String, Value>) -> Result<Input, Vec<FieldProblem>> {
    let unknown: Vec<FieldProblem> = map
        .keys()
        .filter(|key| !INPUT_KEYS.contains(&key.as_str()))
        .map(|key| {
            FieldProblem::new(
                "",
                unknown_key(
                    key,
                    &INPUT_KEYS,
                    "an input object has \"path\", or \"paths\" and \"template\"",
                ),
            )
        })
        .collect();
    let result = match (
        map.get("path"),
        map.contains_key("paths") || map.contains_key("template"),
    ) {
        (Some(_), true) => Err(vec![FieldProblem::new(
            "",
            "give either \"path\" or \"paths\" and \"template\", not both",
        )]),
        (Some(Value::String(text)), false) => JsonPath::parse(text)
            .map(Input::Path)
            .map_err(|error| vec![FieldProblem::new("path", error.to_string())]),
        (Some(other), false) => Err(vec![FieldProblem::new(
            "path",
            format!("expected a JSONPath string, got {}", type_name(other)),
        )]),
        (None, true) => {
            InputTransformer::new(map.get("paths"), map.get("template")).map(Input::Transformer)
        }
        (None, false) if unknown.is_empty() => Err(vec![FieldProblem::new(
            "",
            format!("empty input object: expected {INPUT_CHOICES}"),
        )]),
        (None, false) => Err(Vec::new()),
    };
    match (result, unknown.is_empty()) {
        (Ok(input), true) => Ok(input),
        (Ok(_), false) => Err(unknown),
        (Err(mut problems), _) => {
            let mut all = unknown;
            all.append(&mut problems);
            Err(all)
        }
    }
}

fn read_group_id(value: &Value) -> Result<MessageGroupId, String> {
    let Value::String(text) = value else {
        return Err(format!(
            "expected a JSONPath or a literal group id string, got {}",
            type_name(value)
        ));
    };
    if text.starts_with('$') {
        return JsonPath::parse(text)
            .map(MessageGroupId::Path)
            .map_err(|error| error.to_string());
    }
    if is_valid_fifo_id(text) {
        Ok(MessageGroupId::Literal(text.clone()))
    } else {
        Err(format!(
            "literal group id {text:?} must be 1 to 128 ASCII letters, digits and punctuation (or a JSONPath starting with $)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(target: Value) -> Vec<String> {
        TargetSpec::from_value(&target, 0)
            .expect_err("invalid target")
            .into_iter()
            .map(|p| {
                if p.path.is_empty() {
                    p.reason
                } else {
                    format!("{}: {}", p.path, p.reason)
                }
            })
            .collect()
    }

    fn spec(target: Value) -> TargetSpec {
        TargetSpec::from_value(&target, 3).expect("valid target")
    }

    fn env(name: &str) -> Option<String> {
        match name {
            "STD" => Some("https://sqs.us-east-1.amazonaws.com/1/alerts".into()),
            "FIFO" => Some("https://sqs.us-east-1.amazonaws.com/1/timeline.fifo".into()),
            "JUNK" => Some("not a url".into()),
            _ => None,
        }
    }

    #[test]
    fn defaults() {
        let target = spec(json!({"queue": "${STD}"}));
        assert_eq!(target.id(), "target-3");
        assert_eq!(target.input(), &Input::Envelope);
        assert_eq!(target.message_group_id(), None);
        let resolved = target.resolve(&env).expect("resolves");
        assert_eq!(
            resolved.queue_url(),
            "https://sqs.us-east-1.amazonaws.com/1/alerts"
        );
        assert!(!resolved.is_fifo());
        assert_eq!(resolved.message_group_id(), None);
        assert!(!resolved.needs_event_value());
    }

    #[test]
    fn fifo_targets_group_by_subject_unless_told() {
        let resolved = spec(json!({"queue": "${FIFO}"}))
            .resolve(&env)
            .expect("resolves");
        assert!(resolved.is_fifo());
        assert_eq!(resolved.message_group_id(), Some(&MessageGroupId::Subject));

        let resolved =
            spec(json!({"queue": "${FIFO}", "messageGroupId": "$.data.userIdentity.accountId"}))
                .resolve(&env)
                .expect("resolves");
        assert!(
            matches!(resolved.message_group_id(), Some(MessageGroupId::Path(p)) if p.as_str() == "$.data.userIdentity.accountId")
        );
        assert!(resolved.needs_event_value());

        let resolved = spec(json!({"queue": "https://h/1/q.fifo", "messageGroupId": "all"}))
            .resolve(&env)
            .expect("resolves");
        assert_eq!(
            resolved.message_group_id(),
            Some(&MessageGroupId::Literal("all".into()))
        );
    }

    #[test]
    fn input_choices() {
        assert_eq!(
            spec(json!({"queue": "${STD}", "input": "envelope"})).input(),
            &Input::Envelope
        );
        assert_eq!(
            spec(json!({"queue": "${STD}", "input": "data"})).input(),
            &Input::Data
        );
        assert!(matches!(
            spec(json!({"queue": "${STD}", "input": {"path": "$.data.requestParameters"}})).input(),
            Input::Path(p) if p.as_str() == "$.data.requestParameters"
        ));
        assert!(matches!(
            spec(json!({"queue": "${STD}", "input": {"paths": {"a": "$.id"}, "template": "<a>"}})).input(),
            Input::Transformer(t) if t.template() == "<a>"
        ));
        assert!(matches!(
            spec(json!({"queue": "${STD}", "input": {"template": "{}"}})).input(),
            Input::Transformer(_)
        ));
    }

    #[test]
    fn target_problems_are_all_reported() {
        assert_eq!(
            problems(
                json!({"id": "a b", "queue": 5, "input": "whole", "messageGroupId": "a b", "inputs": 1})
            ),
            [
                r#"unknown key "inputs" (did you mean "input"? a target has id, queue, input, messageGroupId)"#,
                r#"id: target id "a b" may contain only letters, digits, '_', '-' and '.', not ' '"#,
                "queue: expected a queue URL string, got a number",
                r#"input: unknown input "whole": expected "envelope", "data", {"path": "<JSONPath>"} or {"paths": {...}, "template": "..."}"#,
                r#"messageGroupId: literal group id "a b" must be 1 to 128 ASCII letters, digits and punctuation (or a JSONPath starting with $)"#,
            ]
        );
        assert_eq!(
            problems(json!({})),
            ["queue: missing: a target needs a queue URL"]
        );
        assert_eq!(
            problems(json!("https://h/1/q")),
            [r#"expected a target object ({"queue": ...}), got a string"#]
        );
        assert_eq!(
            problems(json!({"queue": "${Q", "id": 1})),
            [
                "id: expected a string, got a number",
                r#"queue: unterminated "${" in "${Q": write a variable as ${NAME}"#,
            ]
        );
        assert_eq!(
            problems(json!({"queue": "ftp://h/1/q"})),
            [
                r#"queue: queue URL "ftp://h/1/q" must start with https:// (or http:// for a local endpoint)"#
            ]
        );
    }

    #[test]
    fn input_problems() {
        assert_eq!(
            problems(json!({"queue": "${STD}", "input": {"path": "$.a", "template": "x"}})),
            [r#"input: give either "path" or "paths" and "template", not both"#]
        );
        assert_eq!(
            problems(json!({"queue": "${STD}", "input": {"path": "$.a[*]"}})),
            [
                r#"input.path: invalid JSONPath "$.a[*]": at character 5: wildcard '*' selects several values; only paths to a single value are supported"#
            ]
        );
        assert_eq!(
            problems(json!({"queue": "${STD}", "input": {"path": 1}})),
            ["input.path: expected a JSONPath string, got a number"]
        );
        assert_eq!(
            problems(json!({"queue": "${STD}", "input": {}})),
            [
                r#"input: empty input object: expected "envelope", "data", {"path": "<JSONPath>"} or {"paths": {...}, "template": "..."}"#
            ]
        );
        assert_eq!(
            problems(json!({"queue": "${STD}", "input": {"pth": "$.a"}})),
            [
                r#"input: unknown key "pth" (did you mean "path"? an input object has "path", or "paths" and "template")"#
            ]
        );
        assert_eq!(
            problems(json!({"queue": "${STD}", "input": {"pth": "$.a", "path": "$.b"}})),
            [
                r#"input: unknown key "pth" (did you mean "path"? an input object has "path", or "paths" and "template")"#
            ]
        );
        assert_eq!(
            problems(json!({"queue": "${STD}", "input": {"paths": {"a": "$.a"}, "template": "<b>"}})),
            ["input.template: unknown placeholder <b>: define it in paths or use a predefined variable (<aws.events.rule-name>, <aws.events.event.json>, <aws.events.event>)"]
        );
        assert_eq!(
            problems(json!({"queue": "${STD}", "input": ["data"]})),
            [
                r#"input: expected "envelope", "data", {"path": "<JSONPath>"} or {"paths": {...}, "template": "..."}, got an array"#
            ]
        );
    }

    #[test]
    fn group_id_problems() {
        assert_eq!(
            problems(json!({"queue": "https://h/1/q", "messageGroupId": "g"})),
            [
                r#"messageGroupId: only FIFO queues take a message group id, and "https://h/1/q" is not one (FIFO queue URLs end in .fifo)"#
            ]
        );
        assert_eq!(
            problems(json!({"queue": "https://h/1/q.fifo", "messageGroupId": "$.a..b"})),
            [
                r#"messageGroupId: invalid JSONPath "$.a..b": at character 5: recursive descent '..' selects several values; only paths to a single value are supported"#
            ]
        );
        assert_eq!(
            problems(json!({"queue": "https://h/1/q.fifo", "messageGroupId": ""})),
            [
                r#"messageGroupId: literal group id "" must be 1 to 128 ASCII letters, digits and punctuation (or a JSONPath starting with $)"#
            ]
        );
        assert_eq!(
            problems(json!({"queue": "https://h/1/q.fifo", "messageGroupId": 7})),
            ["messageGroupId: expected a JSONPath or a literal group id string, got a number"]
        );
    }

    #[test]
    fn resolution_problems() {
        let problem = |target: Value| {
            let p = spec(target).resolve(&env).expect_err("fails");
            format!("{}: {}", p.path, p.reason)
        };
        assert_eq!(
            problem(json!({"queue": "${NOPE}"})),
            "queue: environment variable NOPE is not set"
        );
        assert_eq!(
            problem(json!({"queue": "${JUNK}"})),
            r#"queue: queue URL "not a url" must start with https:// (or http:// for a local endpoint) (from "${JUNK}")"#
        );
        assert_eq!(
            problem(json!({"queue": "${STD}", "messageGroupId": "g"})),
            r#"messageGroupId: only FIFO queues take a message group id, and "https://sqs.us-east-1.amazonaws.com/1/alerts" is not one (FIFO queue URLs end in .fifo)"#
        );
    }
}
