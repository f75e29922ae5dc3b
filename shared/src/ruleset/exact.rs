//! Lists of index entries keyed by the exact value a leaf must have: the table behind a
//! field index's exact triggers and behind every decision-tree node (`split.rs`).
//!
//! Almost every key rules use is a string, so the table is keyed by the string's
//! symbol: by position when the table's symbols lie close together (they are numbered
//! field by field), else in a map. Numbers, booleans, null and case-folded strings are
//! rare and live behind one pointer.

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
    /// String lists while building, and after [`Self::seal`] those too sparse to be
    /// stored [`Self::dense`].
    strings: FxHashMap<u32, Entries>,
    /// After [`Self::seal`]: the list of symbol `base + i` at `i`, when the table's
    /// symbols are close together (a field's symbols are numbered consecutively, see
    /// `symbols.rs`), so a lookup is one bounds check and one load instead of a probe.
    dense: Box<[Entries]>,
    base: u32,
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

    /// Stores the string lists by position when their symbols span at most a few
    /// times as many slots as there are lists. Call once every list is final.
    pub(crate) fn seal(&mut self) {
        let (Some(&low), Some(&high)) = (self.strings.keys().min(), self.strings.keys().max())
        else {
            return;
        };
        let span = (high - low) as usize + 1;
        if span > 4 * self.strings.len() + 16 {
            return;
        }
        let mut dense = vec![Entries::new(); span];
        for (symbol, list) in self.strings.drain() {
            dense[(symbol - low) as usize] = list;
        }
        self.strings.shrink_to_fit();
        self.dense = dense.into_boxed_slice();
        self.base = low;
    }

    /// Calls `found` with the entries filed under the leaf's value. `folded`: the leaf's
    /// string folded, given when ignore-case keys are filed and the leaf is a string.
    #[inline]
    pub(crate) fn for_each_match(
        &self,
        leaf: &Leaf,
        folded: Option<&str>,
        found: &mut impl FnMut(Entry),
    ) {
        if let Value::String(_) = leaf.value {
            // `NO_SYMBOL` (`u32::MAX`) wraps to an index past the end.
            let slot = leaf.symbol.wrapping_sub(self.base) as usize;
            if let Some(entries) = self.dense.get(slot) {
                entries.iter().for_each(|&e| found(e));
            } else if !self.strings.is_empty() {
                if let Some(entries) = self.strings.get(&leaf.symbol) {
                    entries.iter().for_each(|&e| found(e));
                }
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
        debug_assert!(self.dense.is_empty(), "lists changed after seal");
        self.strings.values_mut().chain(rare)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ruleset::symbols::NO_SYMBOL;

    fn entry(target: u32) -> Entry {
        Entry {
            target,
            owner: target,
            program: 0,
        }
    }

    /// A sealed table with one entry under each symbol (its target is the symbol) and
    /// one under the number 7 (target 70).
    fn sealed(symbols: &[u32]) -> ExactKeys {
        let mut keys = ExactKeys::default();
        for &symbol in symbols {
            keys.list_mut(ExactKey::Symbol(symbol)).push(entry(symbol));
        }
        keys.list_mut(ExactKey::Number(number_key(7.0)))
            .push(entry(70));
        keys.seal();
        keys
    }

    fn found(keys: &ExactKeys, value: serde_json::Value, symbol: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let leaf = Leaf::for_test(value, symbol);
        keys.for_each_match(&leaf, None, &mut |e| out.push(e.target));
        out
    }

    #[test]
    fn close_and_scattered_symbols_are_found_alike_after_sealing() {
        // Consecutive symbols are stored by position; symbols far apart stay in the map.
        let close = sealed(&[40, 41, 43]);
        assert!(!close.dense.is_empty() && close.strings.is_empty());
        let scattered = sealed(&[3, 500, 90_000]);
        assert!(scattered.dense.is_empty() && !scattered.strings.is_empty());
        for (keys, present, absent) in [
            (&close, [40, 41, 43], [39, 42, 44]),
            (&scattered, [3, 500, 90_000], [2, 4, 499]),
        ] {
            for symbol in present {
                assert_eq!(found(keys, json!("s"), symbol), [symbol]);
            }
            for symbol in absent.into_iter().chain([0, NO_SYMBOL]) {
                assert_eq!(found(keys, json!("s"), symbol), Vec::<u32>::new());
            }
            // Only string leaves are looked up by symbol; numbers by value.
            assert_eq!(found(keys, json!(7), present[0]), [70]);
        }
    }
}
