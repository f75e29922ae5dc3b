//! Every field of a pattern, with where it is written in the rule and the event path it
//! tests. Lint walks the pattern as written (not its `$or` expansion) so that each
//! problem is reported once, at the place to edit.

use crate::pattern::{FieldValue, ObjectPattern, Pattern};

/// One key of a pattern object.
#[derive(Debug)]
pub(crate) struct Site<'p> {
    /// Where the object holding the key is in the rule: `pattern`, `pattern.data`,
    /// `pattern.$or[1].data`.
    pub parent_at: String,
    /// The event path before this key, split at dots.
    pub prefix: Vec<String>,
    /// The key as written (may contain dots).
    pub key: &'p str,
    pub value: &'p FieldValue,
}

impl Site<'_> {
    /// Where the key is in the rule: `pattern.data.eventName`.
    pub fn at(&self) -> String {
        join(&self.parent_at, self.key)
    }

    /// The event path this key leads to, split at dots.
    pub fn path(&self) -> Vec<String> {
        self.prefix
            .iter()
            .cloned()
            .chain(self.key.split('.').map(str::to_owned))
            .collect()
    }
}

/// Every key of `pattern`, parents before children, in the order written.
pub(crate) fn sites(pattern: &Pattern) -> Vec<Site<'_>> {
    let mut out = Vec::new();
    walk(&pattern.root, &[], "pattern", &mut out);
    out
}

fn walk<'p>(object: &'p ObjectPattern, prefix: &[String], at: &str, out: &mut Vec<Site<'p>>) {
    for field in &object.fields {
        let site = Site {
            parent_at: at.to_owned(),
            prefix: prefix.to_vec(),
            key: &field.key,
            value: &field.value,
        };
        let (path, here) = (site.path(), site.at());
        out.push(site);
        if let FieldValue::Object(inner) = &field.value {
            walk(inner, &path, &here, out);
        }
    }
    for (index, branch) in object.any_of.iter().enumerate() {
        walk(branch, prefix, &join(at, &format!("$or[{index}]")), out);
    }
}

pub(crate) fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}
