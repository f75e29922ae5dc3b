//! The rules file: reading and checking it, reporting every problem at once.
//!
//! The file is read into a `serde_json::Value` first and walked by hand rather than
//! deserialized with serde derive: derive stops at the first error, and a person fixing
//! a rules file wants all of them, each with its rule and its place in the rule.
//! Unknown keys are errors: a typo like `"patern"` or `"enabeld"` would otherwise be
//! silently ignored and change what the rule does.

use std::collections::HashMap;

use super::error::{join_path, unknown_key, FieldProblem, RuleProblem, RuleRef, RulesError};
use super::name::{check_rule_name, default_target_id};
use super::target::TargetSpec;
use super::transformer::type_name;
use crate::pattern::{Dialect, Pattern};
use serde_json::{Map, Value};

/// At most this many targets per rule (Tencent EventBridge's and AWS's limit).
pub const MAX_TARGETS: usize = 10;

const RULE_KEYS: [&str; 5] = ["name", "description", "enabled", "pattern", "targets"];

/// A checked rules file: every rule, enabled or not, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct RulesFile {
    rules: Vec<RuleSpec>,
}

/// One rule as written in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSpec {
    name: String,
    description: Option<String>,
    enabled: bool,
    pattern: Pattern,
    targets: Vec<TargetSpec>,
}

impl RulesFile {
    /// Reads and checks a rules file; patterns are read in `dialect`. The error holds every
    /// problem found. A leading UTF-8 byte-order mark, which some Windows editors write, is
    /// ignored rather than reported as "expected value at line 1 column 1".
    pub fn parse(text: &str, dialect: Dialect) -> Result<RulesFile, RulesError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value: Value = serde_json::from_str(text).map_err(|error| {
            RulesError::single(RuleProblem::new(
                RuleRef::File,
                "",
                format!("not valid JSON: {error}"),
            ))
        })?;
        Self::from_value(&value, dialect)
    }

    /// Like [`RulesFile::parse`], for an already-parsed file.
    pub fn from_value(value: &Value, dialect: Dialect) -> Result<RulesFile, RulesError> {
        let mut problems = Vec::new();
        let rules = read_top(value, &mut problems);
        let mut specs = Vec::with_capacity(rules.len());
        let mut names: HashMap<String, usize> = HashMap::new();
        for (index, rule) in rules.iter().enumerate() {
            if let Some(spec) = read_rule(rule, index, dialect, &mut names, &mut problems) {
                specs.push(spec);
            }
        }
        match RulesError::from_problems(problems) {
            Some(error) => Err(error),
            None => Ok(RulesFile { rules: specs }),
        }
    }

    /// Every rule in file order, disabled ones included.
    pub fn rules(&self) -> &[RuleSpec] {
        &self.rules
    }

    pub(crate) fn into_rules(self) -> Vec<RuleSpec> {
        self.rules
    }
}

impl RuleSpec {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    pub fn targets(&self) -> &[TargetSpec] {
        &self.targets
    }
}

fn read_top<'v>(value: &'v Value, problems: &mut Vec<RuleProblem>) -> &'v [Value] {
    let file_problem = |reason: String| RuleProblem::new(RuleRef::File, "", reason);
    let Value::Object(top) = value else {
        problems.push(file_problem(format!(
            "expected an object {{\"rules\": [...]}}, got {}",
            type_name(value)
        )));
        return &[];
    };
    for key in top.keys().filter(|key| key.as_str() != "rules") {
        problems.push(file_problem(unknown_key(
            key,
            &["rules"],
            "the file has only \"rules\"",
        )));
    }
    match top.get("rules") {
        Some(Value::Array(rules)) => rules,
        Some(other) => {
            problems.push(file_problem(format!(
                "\"rules\" must be an array of rules, got {}",
                type_name(other)
            )));
            &[]
        }
        None => {
            problems.push(file_problem(
                "missing \"rules\": expected {\"rules\": [...]}".into(),
            ));
            &[]
        }
    }
}

/// Reads `rules[index]`; `names` maps the valid names seen so far to their index (a map:
/// files of 10,000 rules are read at cold start).
fn read_rule(
    value: &Value,
    index: usize,
    dialect: Dialect,
    names: &mut HashMap<String, usize>,
    problems: &mut Vec<RuleProblem>,
) -> Option<RuleSpec> {
    let Value::Object(rule) = value else {
        problems.push(RuleProblem::new(
            RuleRef::Index(index),
            "",
            format!("expected a rule object, got {}", type_name(value)),
        ));
        return None;
    };
    let mut found: Vec<FieldProblem> = Vec::new();
    let (reference, name) = read_name(rule, index, names, &mut found);
    let before = problems.len();
    for problem in found.drain(..) {
        problems.push(RuleProblem::new(
            RuleRef::Index(index),
            problem.path,
            problem.reason,
        ));
    }
    for key in rule.keys() {
        if !matches!(
            key.as_str(),
            "name" | "description" | "enabled" | "pattern" | "targets"
        ) {
            found.push(FieldProblem::new(
                "",
                unknown_key(
                    key,
                    &RULE_KEYS,
                    &format!("a rule has {}", RULE_KEYS.join(", ")),
                ),
            ));
        }
    }
    let description = match rule.get("description") {
        None => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => {
            found.push(FieldProblem::new(
                "description",
                format!("expected a string, got {}", type_name(other)),
            ));
            None
        }
    };
    let enabled = match rule.get("enabled") {
        None => true,
        Some(Value::Bool(enabled)) => *enabled,
        Some(other) => {
            found.push(FieldProblem::new(
                "enabled",
                format!("expected true or false, got {}", type_name(other)),
            ));
            true
        }
    };
    let pattern = match rule.get("pattern") {
        None => {
            found.push(FieldProblem::new(
                "pattern",
                "missing: a rule needs an event pattern",
            ));
            None
        }
        Some(value) => match Pattern::from_value(value, dialect) {
            Ok(pattern) => Some(pattern),
            Err(error) => {
                found.push(FieldProblem::new(
                    pattern_path(error.path()),
                    error.reason(),
                ));
                None
            }
        },
    };
    let targets = read_targets(rule, &mut found);
    problems.extend(
        found
            .into_iter()
            .map(|problem| RuleProblem::new(reference.clone(), problem.path, problem.reason)),
    );
    if problems.len() > before {
        return None;
    }
    Some(RuleSpec {
        name: name?,
        description,
        enabled,
        pattern: pattern?,
        targets,
    })
}

/// Where a pattern problem is inside the rule: the pattern module writes the pattern's
/// root as `$` and the paths below it without that prefix (`a.b[0]`, `$or[1].c`), the
/// rules file writes the root as `pattern`. Only a path that is exactly `$` is the root:
/// a leading `$` is otherwise part of a key (`$or`, or a field named `$x`).
fn pattern_path(path: &str) -> String {
    if path == "$" {
        "pattern".to_string()
    } else {
        join_path("pattern", path)
    }
}

/// The rule's name if valid and unique, and how to refer to the rule in problems.
fn read_name(
    rule: &Map<String, Value>,
    index: usize,
    names: &mut HashMap<String, usize>,
    found: &mut Vec<FieldProblem>,
) -> (RuleRef, Option<String>) {
    let name = match rule.get("name") {
        None => {
            found.push(FieldProblem::new(
                "name",
                "missing: every rule needs a name",
            ));
            return (RuleRef::Index(index), None);
        }
        Some(Value::String(name)) => name,
        Some(other) => {
            found.push(FieldProblem::new(
                "name",
                format!("expected a string, got {}", type_name(other)),
            ));
            return (RuleRef::Index(index), None);
        }
    };
    if let Err(reason) = check_rule_name(name) {
        found.push(FieldProblem::new("name", reason));
        return (RuleRef::Index(index), None);
    }
    if let Some(first) = names.get(name) {
        found.push(FieldProblem::new(
            "name",
            format!("duplicate rule name {name:?} (first used by rules[{first}])"),
        ));
        return (RuleRef::Index(index), None);
    }
    names.insert(name.clone(), index);
    (RuleRef::Named(name.clone()), Some(name.clone()))
}

fn read_targets(rule: &Map<String, Value>, found: &mut Vec<FieldProblem>) -> Vec<TargetSpec> {
    let targets = match rule.get("targets") {
        None => return Vec::new(),
        Some(Value::Array(targets)) => targets,
        Some(other) => {
            found.push(FieldProblem::new(
                "targets",
                format!("expected an array of targets, got {}", type_name(other)),
            ));
            return Vec::new();
        }
    };
    if targets.len() > MAX_TARGETS {
        found.push(FieldProblem::new(
            "targets",
            format!(
                "at most {MAX_TARGETS} targets per rule, found {}",
                targets.len()
            ),
        ));
    }
    // Ids are compared as written (or defaulted), so a duplicate is reported even when
    // one of the two targets has other problems.
    let mut ids: Vec<(String, usize)> = Vec::with_capacity(targets.len());
    let mut specs = Vec::with_capacity(targets.len());
    for (index, target) in targets.iter().enumerate() {
        let at = format!("targets[{index}]");
        let id = match target.get("id") {
            Some(Value::String(id)) => Some(id.clone()),
            Some(_) => None,
            None => Some(default_target_id(index)),
        };
        if let Some(id) = id {
            match ids.iter().find(|(seen, _)| *seen == id) {
                Some((_, first)) => found.push(FieldProblem::new(
                    join_path(&at, "id"),
                    format!("duplicate target id {id:?} (also the id of targets[{first}])"),
                )),
                None => ids.push((id, index)),
            }
        }
        match TargetSpec::from_value(target, index) {
            Ok(spec) => specs.push(spec),
            Err(problems) => found.extend(problems.into_iter().map(|p| p.under(&at))),
        }
    }
    specs
}
