//! `$or` expansion: a pattern as alternatives of flat conjunctions.

use super::ast::{Condition, Conjunction, FieldValue, ObjectPattern, Path, Pattern};

/// At most this many conjunctions per pattern (AWS's limit on `$or` combinations).
pub const MAX_CONJUNCTIONS: usize = 1000;

impl Pattern {
    /// Every way the pattern can match: one conjunction per combination of `$or`
    /// branches, each condition carrying its full path split at dots. Parsing has checked
    /// that there are at most [`MAX_CONJUNCTIONS`].
    pub fn conjunctions(&self) -> Vec<Conjunction> {
        expand(&self.root, &[])
    }
}

fn expand(object: &ObjectPattern, prefix: &[String]) -> Vec<Conjunction> {
    let mut result = vec![Conjunction::default()];
    for field in &object.fields {
        let path = join(prefix, &field.key);
        match &field.value {
            FieldValue::Leaf(matchers) => {
                for conjunction in &mut result {
                    conjunction.conditions.push(Condition {
                        path: path.clone(),
                        matchers: matchers.clone(),
                    });
                }
            }
            FieldValue::Object(inner) => result = cross(&result, &expand(inner, &path)),
        }
    }
    if !object.any_of.is_empty() {
        let branches: Vec<Conjunction> = object
            .any_of
            .iter()
            .flat_map(|branch| expand(branch, prefix))
            .collect();
        result = cross(&result, &branches);
    }
    result
}

fn cross(left: &[Conjunction], right: &[Conjunction]) -> Vec<Conjunction> {
    let mut out = Vec::with_capacity(left.len() * right.len());
    for l in left {
        for r in right {
            let mut conditions = l.conditions.clone();
            conditions.extend(r.conditions.iter().cloned());
            out.push(Conjunction { conditions });
        }
    }
    out
}

/// `prefix` followed by `key` split at dots.
pub(crate) fn join(prefix: &[String], key: &str) -> Path {
    prefix
        .iter()
        .cloned()
        .chain(key.split('.').map(str::to_string))
        .collect()
}

/// How many conjunctions [`Pattern::conjunctions`] would produce, saturating instead of
/// overflowing (a hostile pattern can nest `$or` deeply).
pub(crate) fn count(object: &ObjectPattern) -> usize {
    let mut total: usize = 1;
    for field in &object.fields {
        if let FieldValue::Object(inner) = &field.value {
            total = total.saturating_mul(count(inner));
        }
    }
    if !object.any_of.is_empty() {
        let branches = object
            .any_of
            .iter()
            .fold(0usize, |sum, b| sum.saturating_add(count(b)));
        total = total.saturating_mul(branches);
    }
    total
}
