//! The checks, one function per kind of finding, and every message text.
//!
//! Each check reports only what is certain from the schema and the normalizer: a field
//! of a closed object that is not listed, a type CloudAudit never writes there, a value
//! the normalizer never produces. Where the schema is open or unsure (`requestParameters`,
//! fields seen with several types, undocumented fields) the checks stay silent.

use serde_json::Value;

use super::schema::{self, FieldSchema, Lookup, ValueType, DATA, ENVELOPE};
use super::sites::{join, Site};
use super::suggest::{closest, AWS_NAMES};
use super::{Finding, FindingKind, LintOptions, Severity};
use crate::cloudaudit::{ActionType, READ_PREFIXES};
use crate::pattern::{AnythingBut, FieldValue, Literal, Matcher, Pattern};
use crate::rules::{RuleRef, RuleSpec, TargetSpec};

/// `"a": []`, which the default dialect reads as a list of no alternatives: `[] lists
/// no value, so this condition never holds`. Whatever the field.
pub(super) fn empty_list(rule: &RuleRef, site: &Site<'_>) -> Option<Finding> {
    match site.value {
        FieldValue::Leaf(matchers) if matchers.is_empty() => Some(warning(
            rule,
            site.at(),
            FindingKind::EmptyList,
            "[] lists no value, so this condition never holds and the rule never matches through it".to_string(),
            Some("list the values to match, or remove the field".to_string()),
        )),
        _ => None,
    }
}

/// A leaf of a pattern on a field the schema knows.
pub(super) struct Leaf<'a> {
    pub rule: &'a RuleRef,
    /// Where the leaf is in the rule: `pattern.data.eventName`.
    pub at: String,
    pub path: &'a [String],
    pub field: &'static FieldSchema,
    pub matchers: &'a [Matcher],
}

impl Leaf<'_> {
    fn event_path(&self) -> String {
        self.path.join(".")
    }

    fn finding(
        &self,
        index: usize,
        kind: FindingKind,
        message: String,
        suggestion: Option<String>,
    ) -> Finding {
        warning(
            self.rule,
            format!("{}[{index}]", self.at),
            kind,
            message,
            suggestion,
        )
    }
}

fn warning(
    rule: &RuleRef,
    path: String,
    kind: FindingKind,
    message: String,
    suggestion: Option<String>,
) -> Finding {
    Finding {
        severity: Severity::Warning,
        kind,
        rule: rule.clone(),
        path,
        message,
        suggestion,
    }
}

/// A matcher as written, on one line: `{"prefix":"Delete"}`.
fn written(matcher: &Matcher) -> String {
    compact(&matcher.to_json())
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn did_you_mean(what: &str) -> Option<String> {
    Some(format!("did you mean {what}?"))
}

// ---------------------------------------------------------------------------------------
// Paths no envelope carries.

/// `pattern.data.eventname: no CloudAudit envelope has this field; did you mean
/// data.eventName?`. The path names the key up to the unknown part. Below a partly
/// known object (`sessionContext`), only a likely misspelling is reported:
/// `CloudAudit is not known to write this field; did you mean ...?`.
pub(super) fn unknown_field(rule: &RuleRef, site: &Site<'_>, lookup: Lookup) -> Option<Finding> {
    let Lookup::Unknown {
        index,
        siblings,
        closed,
        below_scalar,
    } = lookup
    else {
        return None;
    };
    let path = site.path();
    let keep = index - site.prefix.len() + 1;
    let written_key: Vec<&str> = site.key.split('.').take(keep).collect();
    let at = join(&site.parent_at, &written_key.join("."));
    const NO_SUCH_FIELD: &str = "no CloudAudit envelope has this field";

    if let Some(scalar) = below_scalar {
        let above = path[..index].join(".");
        return Some(warning(
            rule,
            at,
            FindingKind::UnknownField,
            NO_SUCH_FIELD.to_owned(),
            Some(format!(
                "{above} holds {}, with no fields inside: match it directly",
                scalar.value_type.described()
            )),
        ));
    }

    let name = path[index].as_str();
    let replace = |with: &str| {
        path[..index]
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(with))
            .collect::<Vec<_>>()
            .join(".")
    };
    let names = || siblings.iter().map(|f| f.name);
    let suggestion = if index == 0 {
        AWS_NAMES
            .iter()
            .find(|(aws, _)| aws.eq_ignore_ascii_case(name))
            .map(|(_, ours)| (*ours).to_owned())
            .or_else(|| closest(name, names()).map(str::to_owned))
            .or_else(|| {
                closest(name, DATA.iter().map(|f| f.name)).map(|inner| format!("data.{inner}"))
            })
    } else {
        closest(name, names()).map(replace)
    };
    if closed {
        Some(warning(
            rule,
            at,
            FindingKind::UnknownField,
            NO_SUCH_FIELD.to_owned(),
            suggestion.and_then(|s| did_you_mean(&s)),
        ))
    } else {
        suggestion.map(|s| {
            warning(
                rule,
                at,
                FindingKind::UnknownField,
                "CloudAudit is not known to write this field".to_owned(),
                did_you_mean(&s),
            )
        })
    }
}

// ---------------------------------------------------------------------------------------
// Types CloudAudit never writes there.

/// Per matcher, the first that applies:
/// - on an object (`data`, `tags`): `{m} never matches: data is an object, and patterns
///   match only the values inside it` (`{"exists":false} always holds: ...`);
/// - a number or `numeric` on a string field: `{m} never matches: CloudAudit writes
///   data.eventName as a string`;
/// - a string operator on a number field: `{m} never matches: CloudAudit writes time as
///   a number`;
/// - `cidr` on a field that is not an IP address: `{m} never matches: CloudAudit writes
///   data.eventName as a string, not an IP address`.
pub(super) fn type_mismatches(leaf: &Leaf<'_>) -> Vec<Finding> {
    let path = leaf.event_path();
    let value_type = leaf.field.value_type;
    let writes = format!("CloudAudit writes {path} as {}", value_type.described());
    let mut findings = Vec::new();
    for (index, matcher) in leaf.matchers.iter().enumerate() {
        let m = written(matcher);
        let found = if value_type == ValueType::Object {
            let head = match matcher {
                Matcher::Exists(false) => format!("{m} always holds"),
                _ => format!("{m} never matches"),
            };
            Some((
                format!(
                    "{head}: {path} is an object, and patterns match only the values inside it"
                ),
                format!("match a field inside {path}"),
            ))
        } else if value_type.is_string() {
            match matcher {
                Matcher::Numeric(_) => Some((
                    format!("{m} never matches: {writes}"),
                    "compare it as a string (an exact value, prefix or wildcard)".to_owned(),
                )),
                Matcher::Exact(Literal::Number(_)) => Some((
                    format!("{m} never matches: {writes}"),
                    format!("write it as a string: \"{m}\""),
                )),
                Matcher::Cidr(_) if value_type != ValueType::IpAddress => {
                    Some(not_an_ip(&m, &writes))
                }
                _ => None,
            }
        } else if value_type == ValueType::Number {
            let string_operator = matches!(
                matcher,
                Matcher::Prefix { .. }
                    | Matcher::Suffix { .. }
                    | Matcher::EqualsIgnoreCase(_)
                    | Matcher::Wildcard(_)
                    | Matcher::Contain(_)
                    | Matcher::Cidr(_)
                    | Matcher::Exact(Literal::String(_))
            );
            string_operator.then(|| {
                let suggestion = match matcher {
                    Matcher::Exact(Literal::String(text)) if text.trim().parse::<f64>().is_ok() => {
                        format!("write it as a number: {}", text.trim())
                    }
                    _ => "compare it with {\"numeric\": [...]}".to_owned(),
                };
                (format!("{m} never matches: {writes}"), suggestion)
            })
        } else if value_type == ValueType::StringOrNumber {
            matches!(matcher, Matcher::Cidr(_)).then(|| not_an_ip(&m, &writes))
        } else {
            None
        };
        if let Some((message, suggestion)) = found {
            findings.push(leaf.finding(
                index,
                FindingKind::TypeMismatch,
                message,
                Some(suggestion),
            ));
        }
    }
    findings
}

fn not_an_ip(m: &str, writes: &str) -> (String, String) {
    (
        format!("{m} never matches: {writes}, not an IP address"),
        "did you mean data.sourceIPAddress?".to_owned(),
    )
}

// ---------------------------------------------------------------------------------------
// Values no envelope has.

/// The values the normalizer writes to `source` and `type` (`cloudaudit/record.rs`):
/// a product (`[a-z0-9_-]+`) followed by one of these tails.
struct Grammar {
    field: &'static str,
    tails: &'static [&'static str],
    /// How messages describe the values.
    described: &'static str,
    /// Between the product and the rest, for suggestions.
    separator: char,
}

const SOURCE: Grammar = Grammar {
    field: "source",
    tails: &[".cloud.tencent"],
    described: "CloudAudit sources are \"<product>.cloud.tencent\"",
    separator: '.',
};

const TYPE: Grammar = Grammar {
    field: "type",
    tails: &[":CloudEvent:ApiCall", ":CloudEvent:ConsoleCall", ":CloudEvent:MiniProgramCall"],
    described: "CloudAudit types are \"<product>:CloudEvent:ApiCall\", \"<product>:CloudEvent:ConsoleCall\" or \"<product>:CloudEvent:MiniProgramCall\"",
    separator: ':',
};

fn product_char(c: char, fold: bool) -> bool {
    let c = if fold { c.to_ascii_lowercase() } else { c };
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
}

fn same(a: &[char], b: &[char], fold: bool) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            if fold {
                x.eq_ignore_ascii_case(y)
            } else {
                x == y
            }
        })
}

impl Grammar {
    fn tails(&self) -> impl Iterator<Item = Vec<char>> + '_ {
        self.tails.iter().map(|t| t.chars().collect())
    }

    /// Some value equals `text`.
    fn equals(&self, text: &str, fold: bool) -> bool {
        let text: Vec<char> = text.chars().collect();
        self.tails().any(|tail| {
            text.len() > tail.len()
                && same(&text[text.len() - tail.len()..], &tail, fold)
                && text[..text.len() - tail.len()]
                    .iter()
                    .all(|&c| product_char(c, fold))
        })
    }

    /// Some value starts with `text`.
    fn starts(&self, text: &str, fold: bool) -> bool {
        let text: Vec<char> = text.chars().collect();
        let product = text.iter().take_while(|&&c| product_char(c, fold)).count();
        let rest = &text[product..];
        rest.is_empty()
            || (product > 0
                && self
                    .tails()
                    .any(|tail| tail.len() >= rest.len() && same(&tail[..rest.len()], rest, fold)))
    }

    /// Some value ends with `text`.
    fn ends(&self, text: &str, fold: bool) -> bool {
        let text: Vec<char> = text.chars().collect();
        self.tails().any(|tail| {
            if text.len() <= tail.len() {
                same(&tail[tail.len() - text.len()..], &text, fold)
            } else {
                same(&text[text.len() - tail.len()..], &tail, fold)
                    && text[..text.len() - tail.len()]
                        .iter()
                        .all(|&c| product_char(c, fold))
            }
        })
    }

    /// Whether the matcher can match some value; `None` when this check does not judge
    /// the operator.
    fn possible(&self, matcher: &Matcher) -> Option<bool> {
        Some(match matcher {
            Matcher::Exact(Literal::String(text)) => self.equals(text, false),
            Matcher::EqualsIgnoreCase(text) => self.equals(text, true),
            Matcher::Prefix { value, ignore_case } => self.starts(value, *ignore_case),
            Matcher::Suffix { value, ignore_case } => self.ends(value, *ignore_case),
            _ => return None,
        })
    }

    /// The value an exact string probably meant: its first part as the product, and for
    /// `type` its last part as the call origin.
    fn meant(&self, text: &str) -> Option<String> {
        let product = text.split(self.separator).next()?.to_ascii_lowercase();
        if product.is_empty() || !product.chars().all(|c| product_char(c, false)) {
            return None;
        }
        let candidate = if self.tails.len() == 1 {
            format!("{product}{}", self.tails[0])
        } else {
            // `type` needs both a product and a call origin to go on.
            let (_, last) = text.rsplit_once(self.separator)?;
            let tail = self.tails.iter().find(|t| {
                t.rsplit(self.separator)
                    .next()
                    .is_some_and(|o| o.eq_ignore_ascii_case(last))
            })?;
            format!("{product}{tail}")
        };
        (candidate != text).then_some(candidate)
    }
}

/// `source`/`type` matchers no envelope satisfies: `"cvm.tencentcloudapi.com" never
/// matches: CloudAudit sources are "<product>.cloud.tencent"; did you mean
/// "cvm.cloud.tencent"?`.
pub(super) fn impossible_values(leaf: &Leaf<'_>) -> Vec<Finding> {
    let grammar = match leaf.path {
        [field] if field == SOURCE.field => &SOURCE,
        [field] if field == TYPE.field => &TYPE,
        _ => return Vec::new(),
    };
    let mut findings = Vec::new();
    for (index, matcher) in leaf.matchers.iter().enumerate() {
        if grammar.possible(matcher) != Some(false) {
            continue;
        }
        let suggestion = match matcher {
            Matcher::Exact(Literal::String(text)) | Matcher::EqualsIgnoreCase(text) => grammar
                .meant(text)
                .and_then(|meant| did_you_mean(&compact(&Value::String(meant)))),
            _ => None,
        };
        findings.push(leaf.finding(
            index,
            FindingKind::ImpossibleValue,
            format!("{} never matches: {}", written(matcher), grammar.described),
            suggestion,
        ));
    }
    findings
}

// ---------------------------------------------------------------------------------------
// Reads, when only writes are delivered.

const DELIVER_READS: &str = "if this rule must see reads, deliver them: ACTION_TYPES=Write,Read on the normalize function (auditbridge: --action-types write,read)";

/// With reads not delivered: `data.eventName` exact or prefix values starting with a
/// read-only prefix (`"DescribeInstances" names a read-only API (Describe...), and only
/// write calls are delivered`), and `data.actionType` values equal to `Read` (`"Read"
/// never matches: only write calls are delivered`).
pub(super) fn reads_not_delivered(leaf: &Leaf<'_>, options: &LintOptions) -> Vec<Finding> {
    if options.action_types.contains(&ActionType::Read) {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for (index, matcher) in leaf.matchers.iter().enumerate() {
        let message = match (leaf.event_path().as_str(), matcher) {
            (
                "data.eventName",
                Matcher::Exact(Literal::String(name))
                | Matcher::Prefix {
                    value: name,
                    ignore_case: false,
                },
            ) => READ_PREFIXES
                .iter()
                .find(|prefix| name.starts_with(*prefix))
                .map(|prefix| {
                    format!(
                        "{} names a read-only API ({prefix}...), and only write calls are delivered",
                        written(matcher)
                    )
                }),
            (
                "data.actionType",
                Matcher::Exact(Literal::String(value)) | Matcher::EqualsIgnoreCase(value),
            ) if value.trim().eq_ignore_ascii_case("read") => Some(format!(
                "{} never matches: only write calls are delivered",
                written(matcher)
            )),
            _ => None,
        };
        if let Some(message) = message {
            findings.push(leaf.finding(
                index,
                FindingKind::ReadsNotDelivered,
                message,
                Some(DELIVER_READS.to_owned()),
            ));
        }
    }
    findings
}

// ---------------------------------------------------------------------------------------
// Patterns every envelope matches.

/// A pattern matches everything when one of its alternatives has only conditions every
/// envelope meets: a condition on an always-present top-level field with a matcher every
/// value there satisfies, or `{"exists": false}` on a top-level field no envelope has.
/// `pattern: matches every CloudAudit event: source [{"exists":true}] holds for all of
/// them; add a condition that selects the events this rule is for, such as source and
/// data.eventName`.
pub(super) fn matches_everything(rule: &RuleRef, pattern: &Pattern) -> Option<Finding> {
    let universal = pattern.conjunctions().into_iter().find(|c| {
        c.conditions.iter().all(|condition| {
            condition
                .matchers
                .iter()
                .any(|m| always_holds(&condition.path, m))
        })
    })?;
    let holding: Vec<String> = universal
        .conditions
        .iter()
        .map(|c| {
            let matchers: Vec<Value> = c.matchers.iter().map(Matcher::to_json).collect();
            format!("{} {}", c.path.join("."), compact(&Value::Array(matchers)))
        })
        .collect();
    let verb = if holding.len() == 1 { "holds" } else { "hold" };
    Some(warning(
        rule,
        "pattern".to_owned(),
        FindingKind::MatchesEverything,
        format!(
            "matches every CloudAudit event: {} {verb} for all of them",
            holding.join(" and ")
        ),
        Some("add a condition that selects the events this rule is for, such as source and data.eventName".to_owned()),
    ))
}

fn always_holds(path: &[String], matcher: &Matcher) -> bool {
    let [name] = path else {
        return false;
    };
    let Some(field) = ENVELOPE.iter().find(|f| f.name == name) else {
        // A top-level field no envelope has (the envelope is closed).
        return matches!(matcher, Matcher::Exists(false))
            && matches!(schema::lookup(path), Lookup::Unknown { .. });
    };
    if !field.always_present {
        return false;
    }
    let strings = field.value_type.is_string();
    match matcher {
        Matcher::Exists(present) => *present,
        Matcher::Prefix { value, .. } | Matcher::Suffix { value, .. } => {
            strings && value.is_empty()
        }
        Matcher::Wildcard(wildcard) => {
            strings && wildcard.segments.len() > 1 && wildcard.segments.iter().all(String::is_empty)
        }
        Matcher::Contain(needles) => strings && needles.iter().all(String::is_empty),
        Matcher::AnythingBut(AnythingBut::Literals(literals)) => {
            literals.iter().all(|literal| match literal {
                Literal::Number(_) => strings,
                Literal::String(text) => {
                    field.value_type == ValueType::Number
                        || (name == SOURCE.field && !SOURCE.equals(text, false))
                        || (name == TYPE.field && !TYPE.equals(text, false))
                }
                Literal::Bool(_) | Literal::Null => false,
            })
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Duplicate and shadowed rules.

/// Among enabled rules, a rule whose pattern is the same as an earlier one's (same
/// alternatives, same conditions, in any order): with the same targets `pattern: same
/// pattern and targets as rule a: every match is delivered twice; delete one of the
/// two`, else `pattern: same pattern as rule a, so both match exactly the same events;
/// merge the targets of b into a and delete b`.
pub(super) fn duplicates(rules: &[RuleSpec]) -> Vec<Finding> {
    let enabled: Vec<(&RuleSpec, Vec<Vec<String>>)> = rules
        .iter()
        .filter(|r| r.enabled())
        .map(|r| (r, canonical(r.pattern())))
        .collect();
    let mut findings = Vec::new();
    for (later, (rule, form)) in enabled.iter().enumerate() {
        let Some((first, _)) = enabled[..later].iter().find(|(_, f)| f == form) else {
            continue;
        };
        let reference = RuleRef::Named(rule.name().to_owned());
        let finding = if same_targets(first.targets(), rule.targets()) {
            warning(
                &reference,
                "pattern".to_owned(),
                FindingKind::Duplicate,
                format!(
                    "same pattern and targets as rule {}: every match is delivered twice",
                    first.name()
                ),
                Some("delete one of the two".to_owned()),
            )
        } else {
            warning(
                &reference,
                "pattern".to_owned(),
                FindingKind::Shadowed,
                format!(
                    "same pattern as rule {}, so both match exactly the same events",
                    first.name()
                ),
                Some(format!(
                    "merge the targets of {} into {} and delete {}",
                    rule.name(),
                    first.name(),
                    rule.name()
                )),
            )
        };
        findings.push(finding);
    }
    findings
}

/// The pattern's alternatives as sorted sets of conditions, each condition its path and
/// its sorted matchers: equal exactly when the patterns match the same events by
/// construction (order of keys, of `$or` branches and of alternatives does not matter).
fn canonical(pattern: &Pattern) -> Vec<Vec<String>> {
    let mut alternatives: Vec<Vec<String>> = pattern
        .conjunctions()
        .iter()
        .map(|conjunction| {
            let mut conditions: Vec<String> = conjunction
                .conditions
                .iter()
                .map(|condition| {
                    let mut matchers: Vec<String> =
                        condition.matchers.iter().map(written).collect();
                    matchers.sort();
                    matchers.dedup();
                    format!(
                        "{}\u{0}{}",
                        condition.path.join("\u{1}"),
                        matchers.join("\u{0}")
                    )
                })
                .collect();
            conditions.sort();
            conditions.dedup();
            conditions
        })
        .collect();
    alternatives.sort();
    alternatives.dedup();
    alternatives
}

/// The same targets, in any order.
fn same_targets(a: &[TargetSpec], b: &[TargetSpec]) -> bool {
    a.len() == b.len() && a.iter().all(|t| b.contains(t)) && b.iter().all(|t| a.contains(t))
}
