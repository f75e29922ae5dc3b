//! Lists of index entries keyed by the exact value a leaf must have: the table behind a
//! field index's exact triggers and behind every decision-tree node (`split.rs`).
//!
//! Almost every key rules use is a string, so the table is a map by the string's
//! symbol; numbers, booleans, null and case-folded strings are rare and live behind one
//! pointer, which keeps a tree node to two cache lines.

use rustc_hash::FxHashMap;
use serde_json::Value;

use super::flatten::Leaf;
use super::index::{number_key, Entries, Entry};

/// An exact value, as tables key it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ExactKey {
    /// A string, by its symbol at the table's field ([`super::symbols::Symbols`]).
    Symbol(u32),
    /// A number's [`number_key`].
    Number(u64),
    Bool(bool),
    Null,
    /// A string after [`super::index::fold_case`] (equals-ignore-case).
    Folded(Box<str>),
}

/// Entry lists by exact leaf value.
#[derive(Debug, Default)]
pub(crate) struct ExactKeys {
    strings: FxHashMap<u32, Entries>,
    rare: Option<Box<RareKeys>>,
}

/// The keys other than plain strings.
#[derive(Debug, Default)]
struct RareKeys {
    numbers: FxHashMap<u64, Entries>,
    trues: Entries,
    falses: Entries,
    nulls: Entries,
    folded: FxHashMap<Box<str>, Entries>,
}

impl ExactKeys {
    /// The list for `key`, created empty if missing.
    pub(crate) fn list_mut(&mut self, key: ExactKey) -> &mut Entries {
        match key {
            ExactKey::Symbol(symbol) => self.strings.entry(symbol).or_default(),
            ExactKey::Number(bits) => self.rare_mut().numbers.entry(bits).or_default(),
            ExactKey::Bool(true) => &mut self.rare_mut().trues,
            ExactKey::Bool(false) => &mut self.rare_mut().falses,
            ExactKey::Null => &mut self.rare_mut().nulls,
            ExactKey::Folded(text) => self.rare_mut().folded.entry(text).or_default(),
        }
    }

    fn rare_mut(&mut self) -> &mut RareKeys {
        self.rare.get_or_insert_with(Box::default)
    }

    /// Whether lookups of string leaves need their folded text.
    pub(crate) fn needs_folded(&self) -> bool {
        self.rare
            .as_ref()
            .is_some_and(|rare| !rare.folded.is_empty())
    }

    /// Calls `found` with the entries filed under the leaf's value. `folded`: the leaf's
    /// string folded, given when [`Self::needs_folded`] and the leaf is a string.
    #[inline]
    pub(crate) fn for_each_match(
        &self,
        leaf: &Leaf,
        folded: Option<&str>,
        found: &mut impl FnMut(Entry),
    ) {
        if let Value::String(_) = leaf.value {
            if let Some(entries) = self.strings.get(&leaf.symbol) {
                entries.iter().for_each(|&e| found(e));
            }
        }
        let Some(rare) = &self.rare else {
            return;
        };
        let entries = match &leaf.value {
            Value::String(_) => folded.and_then(|folded| rare.folded.get(folded)),
            Value::Number(n) => n.as_f64().and_then(|v| rare.numbers.get(&number_key(v))),
            Value::Bool(true) => Some(&rare.trues),
            Value::Bool(false) => Some(&rare.falses),
            Value::Null => Some(&rare.nulls),
            Value::Array(_) | Value::Object(_) => None,
        };
        if let Some(entries) = entries {
            entries.iter().for_each(|&e| found(e));
        }
    }

    /// Every list (to replace long ones by decision trees, see `split.rs`).
    pub(crate) fn lists_mut(&mut self) -> impl Iterator<Item = &mut Entries> {
        let rare = self.rare.as_deref_mut().into_iter().flat_map(|rare| {
            let RareKeys {
                numbers,
                trues,
                falses,
                nulls,
                folded,
            } = rare;
            numbers
                .values_mut()
                .chain(folded.values_mut())
                .chain([trues, falses, nulls])
        });
        self.strings.values_mut().chain(rare)
    }
}
