//! JSON into the validated [`Pattern`], in either dialect, with AWS's reasons.
//!
//! The checks follow aws/event-ruler's `JsonRuleCompiler` (the engine behind EventBridge)
//! operator by operator, so that the aws dialect accepts and rejects what AWS does and
//! says why in AWS's words. Where AWS's wording is misleading this module says something
//! truer; `tests/pattern_conformance.rs` lists each such deviation.

use serde_json::{Map, Value};

use super::ast::{
    AnythingBut, Dialect, FieldPattern, FieldValue, Literal, Matcher, ObjectPattern, Path, Pattern,
    Wildcard,
};
use super::cidr::parse_cidr;
use super::error::PatternError;
use super::expand::{count, join, MAX_CONJUNCTIONS};
use super::numeric::{check_limit, parse_numeric};
use super::wildcard::{complexity, parse_wildcard, ComplexityInput, MAX_COMPLEXITY, TOO_COMPLEX};

const OR: &str = "$or";

/// Field names event-ruler refuses inside `$or` (aws dialect only: a quirk of AWS's
/// engine, not a rule of the language).
const RESERVED_IN_OR: &[&str] = &[
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "html",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];

impl Pattern {
    /// Parses and validates a pattern from JSON text. Duplicate keys: the last one wins
    /// (as on AWS).
    pub fn parse(text: &str, dialect: Dialect) -> Result<Pattern, PatternError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| PatternError::new("$", format!("Invalid JSON: {e}")))?;
        Self::from_value(&value, dialect)
    }

    /// Validates an already-parsed JSON pattern.
    pub fn from_value(value: &Value, dialect: Dialect) -> Result<Pattern, PatternError> {
        let Value::Object(map) = value else {
            return Err(PatternError::new("$", "Filter is not an object"));
        };
        let mut parser = Parser {
            dialect,
            wildcards: Vec::new(),
        };
        let root = parser.object(map, &[], "$", false)?;
        if count(&root) > MAX_CONJUNCTIONS {
            return Err(PatternError::new(
                "$",
                format!(
                    "Too many combinations: the $or branches expand to more than {MAX_CONJUNCTIONS} conjunctions"
                ),
            ));
        }
        parser.check_complexity()?;
        Ok(Pattern { root })
    }
}

/// A wildcard seen while parsing, kept for the complexity check that AWS runs once the
/// whole rule is known.
struct WildcardUse {
    field: Path,
    at: String,
    identity: String,
    wildcard: Wildcard,
}

struct Parser {
    dialect: Dialect,
    wildcards: Vec<WildcardUse>,
}

fn child(at: &str, key: &str) -> String {
    if at == "$" {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

fn item(at: &str, index: usize) -> String {
    format!("{at}[{index}]")
}

fn err<T>(at: impl Into<String>, reason: impl Into<String>) -> Result<T, PatternError> {
    Err(PatternError::new(at, reason))
}

impl Parser {
    fn aws(&self) -> bool {
        self.dialect == Dialect::Aws
    }

    fn object(
        &mut self,
        map: &Map<String, Value>,
        prefix: &[String],
        at: &str,
        in_or: bool,
    ) -> Result<ObjectPattern, PatternError> {
        if map.is_empty() {
            return err(at, "Empty objects are not allowed");
        }
        let mut object = ObjectPattern::default();
        for (key, value) in map {
            if key == OR {
                object.any_of = self.or_branches(value, prefix, &child(at, OR))?;
                continue;
            }
            let here = child(at, key);
            if in_or && self.aws() && RESERVED_IN_OR.contains(&key.as_str()) {
                return err(
                    here,
                    format!("{key} is Ruler reserved fieldName which cannot be used inside $or."),
                );
            }
            let path = join(prefix, key);
            let value = match value {
                Value::Object(inner) => {
                    FieldValue::Object(self.object(inner, &path, &here, in_or)?)
                }
                Value::Array(items) => FieldValue::Leaf(self.leaf(items, &path, &here)?),
                scalar if !self.aws() => FieldValue::Leaf(vec![Matcher::Exact(literal(scalar)?)]),
                _ => return err(here, format!("\"{key}\" must be an object or an array")),
            };
            object.fields.push(FieldPattern {
                key: key.clone(),
                value,
            });
        }
        Ok(object)
    }

    fn or_branches(
        &mut self,
        value: &Value,
        prefix: &[String],
        at: &str,
    ) -> Result<Vec<ObjectPattern>, PatternError> {
        let Value::Array(items) = value else {
            return err(at, "It must be an Array followed with $or.");
        };
        let mut branches = Vec::with_capacity(items.len());
        for (i, branch) in items.iter().enumerate() {
            let Value::Object(map) = branch else {
                return err(
                    item(at, i),
                    "Only JSON object is allowed in array of $or relationship.",
                );
            };
            branches.push(self.object(map, prefix, &item(at, i), true)?);
        }
        if branches.len() < 2 {
            return err(
                at,
                "There must have at least 2 Objects in $or relationship.",
            );
        }
        Ok(branches)
    }

    fn leaf(
        &mut self,
        items: &[Value],
        path: &Path,
        at: &str,
    ) -> Result<Vec<Matcher>, PatternError> {
        if items.is_empty() {
            // AWS refuses `[]`; the default dialect reads it as what it says, a list of
            // no alternatives, which no value satisfies (`lint` warns about it).
            if self.aws() {
                return err(at, "Empty arrays are not allowed");
            }
            return Ok(Vec::new());
        }
        let mut matchers = Vec::with_capacity(items.len());
        for (i, value) in items.iter().enumerate() {
            let here = item(at, i);
            let matcher = match value {
                Value::Object(operator) => self.operator(operator, path, &here)?,
                Value::Array(_) => {
                    return err(
                        here,
                        "Match value must be String, number, true, false, or null",
                    )
                }
                scalar => Matcher::Exact(literal(scalar)?),
            };
            matchers.push(matcher);
        }
        Ok(matchers)
    }

    fn operator(
        &mut self,
        object: &Map<String, Value>,
        path: &Path,
        at: &str,
    ) -> Result<Matcher, PatternError> {
        let Some((name, operand)) = object.iter().next() else {
            return err(at, "Match expression name not found");
        };
        let here = child(at, name);
        let matcher = match name.as_str() {
            "prefix" => match operand {
                Value::String(s) => Matcher::Prefix {
                    value: s.clone(),
                    ignore_case: false,
                },
                Value::Object(inner) => Matcher::Prefix {
                    value: ignore_case_operand(inner, "Prefix", &here)?,
                    ignore_case: true,
                },
                _ => return err(here, "prefix match pattern must be a string"),
            },
            "suffix" => match operand {
                Value::String(s) => Matcher::Suffix {
                    value: s.clone(),
                    ignore_case: false,
                },
                Value::Object(inner) => Matcher::Suffix {
                    value: ignore_case_operand(inner, "Suffix", &here)?,
                    ignore_case: true,
                },
                _ => return err(here, "suffix match pattern must be a string"),
            },
            "equals-ignore-case" => match operand {
                Value::String(s) => Matcher::EqualsIgnoreCase(s.clone()),
                _ => return err(here, "equals-ignore-case match pattern must be a string"),
            },
            "wildcard" => match operand {
                Value::String(s) => {
                    let wildcard = parse_wildcard(s).map_err(|r| PatternError::new(&here, r))?;
                    self.remember(path, &here, format!("wildcard:{s}"), &wildcard);
                    Matcher::Wildcard(wildcard)
                }
                _ => return err(here, "wildcard match pattern must be a string"),
            },
            "anything-but" => Matcher::AnythingBut(self.anything_but(operand, path, &here)?),
            "numeric" => {
                let Value::Array(items) = operand else {
                    return err(here, "Value of numeric must be an array.");
                };
                let range = parse_numeric(items, self.dialect).map_err(|(index, reason)| {
                    PatternError::new(
                        index.map_or_else(|| here.clone(), |i| item(&here, i)),
                        reason,
                    )
                })?;
                if object.len() > 1 {
                    return err(at, "Too many elements in numeric expression");
                }
                Matcher::Numeric(range)
            }
            "exists" => match operand {
                Value::Bool(b) => Matcher::Exists(*b),
                _ => return err(here, "exists match pattern must be either true or false."),
            },
            "cidr" => match operand {
                Value::String(s) => Matcher::Cidr(
                    parse_cidr(s, self.dialect).map_err(|r| PatternError::new(&here, r))?,
                ),
                // AWS says "prefix match pattern must be a string" here: misleading.
                _ => return err(here, "cidr match pattern must be a string"),
            },
            "contain" if !self.aws() => Matcher::Contain(contain_operand(operand, &here)?),
            "array" if !self.aws() => Matcher::ArrayElement(array_operand(operand, &here)?),
            other => return err(at, format!("Unrecognized match type {other}")),
        };
        if object.len() > 1 {
            return err(at, "Only one key allowed in match expression");
        }
        Ok(matcher)
    }

    fn anything_but(
        &mut self,
        operand: &Value,
        path: &Path,
        at: &str,
    ) -> Result<AnythingBut, PatternError> {
        let Value::Object(inner) = operand else {
            return self.anything_but_literals(operand, at);
        };
        let Some((kind, value)) = inner.iter().next() else {
            return err(at, "Anything-But expression name not found");
        };
        let here = child(at, kind);
        if !matches!(
            kind.as_str(),
            "equals-ignore-case" | "prefix" | "suffix" | "wildcard"
        ) {
            return err(here, format!("Unsupported anything-but pattern: {kind}"));
        }
        let strings: Vec<(String, String)> = match value {
            Value::String(s) => vec![(here.clone(), s.clone())],
            Value::Number(_) => return err(here, anything_but_type_reason(kind)),
            Value::Array(items) => {
                if items.is_empty() {
                    return err(here, "Empty arrays are not allowed");
                }
                let mut strings = Vec::with_capacity(items.len());
                for (i, v) in items.iter().enumerate() {
                    match v {
                        Value::String(s) => strings.push((item(&here, i), s.clone())),
                        _ => return err(item(&here, i), anything_but_type_reason(kind)),
                    }
                }
                strings
            }
            _ => {
                return err(
                    here,
                    "Value of anything-but must be an array or single string/number value.",
                )
            }
        };
        if inner.len() > 1 {
            return err(at, "Only one key allowed in match expression");
        }
        if matches!(kind.as_str(), "prefix" | "suffix") {
            if let Some((where_, _)) = strings.iter().find(|(_, s)| s.is_empty()) {
                return err(where_.clone(), "Null prefix/suffix not allowed");
            }
        }
        let values = || strings.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>();
        Ok(match kind.as_str() {
            "equals-ignore-case" => AnythingBut::EqualsIgnoreCase(values()),
            "prefix" => AnythingBut::Prefix(values()),
            "suffix" => AnythingBut::Suffix(values()),
            _ => {
                let mut wildcards = Vec::with_capacity(strings.len());
                for (where_, s) in &strings {
                    wildcards.push(parse_wildcard(s).map_err(|r| PatternError::new(where_, r))?);
                }
                let mut identity: Vec<&str> = strings.iter().map(|(_, s)| s.as_str()).collect();
                identity.sort_unstable();
                identity.dedup();
                let identity = format!("anything-but:{identity:?}");
                for wildcard in &wildcards {
                    self.remember(path, &here, identity.clone(), wildcard);
                }
                AnythingBut::Wildcard(wildcards)
            }
        })
    }

    fn anything_but_literals(
        &self,
        operand: &Value,
        at: &str,
    ) -> Result<AnythingBut, PatternError> {
        let single = |v: &Value, where_: &str| -> Result<Literal, PatternError> {
            match v {
                Value::String(s) => Ok(Literal::String(s.clone())),
                Value::Number(n) => {
                    let n = n.as_f64().unwrap_or(f64::NAN);
                    check_limit(n, 0).map_err(|(_, r)| PatternError::new(where_, r))?;
                    Ok(Literal::Number(n))
                }
                _ => err(
                    where_,
                    "Inside anything but list, start|null|boolean is not supported.",
                ),
            }
        };
        match operand {
            Value::String(_) | Value::Number(_) => {
                Ok(AnythingBut::Literals(vec![single(operand, at)?]))
            }
            Value::Array(items) => {
                if items.is_empty() {
                    return err(at, "Empty arrays are not allowed");
                }
                let literals = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| single(v, &item(at, i)))
                    .collect::<Result<Vec<_>, _>>()?;
                let strings = literals
                    .iter()
                    .filter(|l| matches!(l, Literal::String(_)))
                    .count();
                if strings != 0 && strings != literals.len() {
                    return err(
                        at,
                        "Inside anything but list, either all values are number or string, mixed type is not supported",
                    );
                }
                Ok(AnythingBut::Literals(literals))
            }
            _ => err(
                at,
                "Value of anything-but must be an array or single string/number value.",
            ),
        }
    }

    fn remember(&mut self, field: &Path, at: &str, identity: String, wildcard: &Wildcard) {
        self.wildcards.push(WildcardUse {
            field: field.clone(),
            at: at.to_string(),
            identity,
            wildcard: wildcard.clone(),
        });
    }

    /// AWS judges wildcard complexity per field over the whole rule; report at the
    /// wildcard that first pushes its field over the limit.
    fn check_complexity(&self) -> Result<(), PatternError> {
        let mut fields: Vec<&Path> = self.wildcards.iter().map(|w| &w.field).collect();
        fields.sort();
        fields.dedup();
        for field in fields {
            let uses: Vec<&WildcardUse> = self
                .wildcards
                .iter()
                .filter(|w| &w.field == field)
                .collect();
            let inputs: Vec<ComplexityInput<'_>> = uses
                .iter()
                .map(|w| ComplexityInput {
                    identity: w.identity.clone(),
                    wildcard: &w.wildcard,
                })
                .collect();
            if complexity(&inputs) <= MAX_COMPLEXITY {
                continue;
            }
            let culprit = (1..=inputs.len())
                .find(|&n| complexity(&inputs[..n]) > MAX_COMPLEXITY)
                .map_or(uses.len() - 1, |n| n - 1);
            return err(uses[culprit].at.clone(), TOO_COMPLEX);
        }
        Ok(())
    }
}

/// A scalar pattern value as a literal. Numbers are kept by value.
fn literal(value: &Value) -> Result<Literal, PatternError> {
    Ok(match value {
        Value::String(s) => Literal::String(s.clone()),
        Value::Number(n) => Literal::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::Bool(b) => Literal::Bool(*b),
        Value::Null => Literal::Null,
        _ => {
            return err(
                "$",
                "Match value must be String, number, true, false, or null",
            )
        }
    })
}

/// `{"equals-ignore-case": "x"}` inside `prefix`/`suffix`.
fn ignore_case_operand(
    inner: &Map<String, Value>,
    kind: &str,
    at: &str,
) -> Result<String, PatternError> {
    let Some((name, value)) = inner.iter().next() else {
        return err(at, format!("{kind} expression name not found"));
    };
    if name != "equals-ignore-case" {
        return err(
            child(at, name),
            format!("Unsupported {} pattern: {name}", kind.to_lowercase()),
        );
    }
    let Value::String(s) = value else {
        return err(
            child(at, name),
            "equals-ignore-case match pattern must be a string",
        );
    };
    if inner.len() > 1 {
        return err(at, "Only one key allowed in match expression");
    }
    Ok(s.clone())
}

fn anything_but_type_reason(kind: &str) -> &'static str {
    match kind {
        "equals-ignore-case" => {
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
        }
        "wildcard" => "wildcard match pattern must be a string",
        _ => "prefix/suffix match pattern must be a string",
    }
}

const CONTAIN_TYPE: &str = "contain match pattern must be a string or a non-empty array of strings";

/// Tencent `contain`: a string, or a non-empty list of strings that must all occur.
fn contain_operand(operand: &Value, at: &str) -> Result<Vec<String>, PatternError> {
    match operand {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) if items.is_empty() => err(at, "Empty arrays are not allowed"),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                _ => err(item(at, i), CONTAIN_TYPE),
            })
            .collect(),
        _ => err(at, CONTAIN_TYPE),
    }
}

const ARRAY_TYPE: &str = "array match pattern must be a JSON object or a string holding one";

/// Tencent `array`: a JSON-encoded object (as Tencent writes it) or, as a convenience,
/// the object itself; never empty.
fn array_operand(operand: &Value, at: &str) -> Result<Map<String, Value>, PatternError> {
    let object = match operand {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return err(at, ARRAY_TYPE),
            Err(e) => return err(at, format!("array match pattern is not valid JSON: {e}")),
        },
        Value::Object(map) => map.clone(),
        _ => return err(at, ARRAY_TYPE),
    };
    if object.is_empty() {
        return err(at, "Empty objects are not allowed");
    }
    Ok(object)
}
