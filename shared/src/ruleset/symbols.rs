//! The strings rules compare leaves with exactly, numbered per field.
//!
//! Each string leaf of an event is looked up once, in its field's table, and from then
//! on is a number: index and decision-tree lookups use a `u32` instead of the text (as a
//! position where a table's symbols lie close together, see `exact.rs`), and
//! `"x"` or `{"anything-but": ["x", "y"]}` is checked by comparing numbers held in the
//! candidate's own check program (`program.rs`) instead of following pointers to the
//! rule's strings, which at thousands of rules are rarely in cache.

use rustc_hash::FxHashMap;

use super::path_trie::NodeId;

/// The symbol of a leaf that is not a string, or a string no rule names at its field.
pub(crate) const NO_SYMBOL: u32 = u32::MAX;

/// Per field, the strings some condition there names, each with its symbol (unique
/// across fields).
#[derive(Debug, Default)]
pub(crate) struct Symbols {
    by_field: Vec<FxHashMap<Box<str>, u32>>,
    count: u32,
}

impl Symbols {
    /// The symbol of `text` at `field`, numbered if new.
    pub(crate) fn intern(&mut self, field: NodeId, text: &str) -> u32 {
        let field = field as usize;
        if self.by_field.len() <= field {
            self.by_field.resize_with(field + 1, FxHashMap::default);
        }
        if let Some(&symbol) = self.by_field[field].get(text) {
            return symbol;
        }
        let symbol = self.count;
        self.count += 1;
        self.by_field[field].insert(text.into(), symbol);
        symbol
    }

    /// Renumbers the symbols so that each field's are consecutive (field by field, in
    /// the order they were interned), which lets tables keyed by one field's symbols
    /// store their lists by position (`exact.rs`). Call after the last
    /// [`Self::intern`] and before any symbol is handed out.
    pub(crate) fn number_by_field(&mut self) {
        let mut next = 0;
        for table in &mut self.by_field {
            let mut texts: Vec<(u32, &mut u32)> = table.iter_mut().map(|(_, s)| (*s, s)).collect();
            texts.sort_unstable_by_key(|(old, _)| *old);
            for (_, symbol) in texts {
                *symbol = next;
                next += 1;
            }
        }
        debug_assert_eq!(next, self.count);
    }

    /// The symbol of `text` at `field`, or [`NO_SYMBOL`] when no rule names it there.
    #[inline]
    pub(crate) fn get(&self, field: NodeId, text: &str) -> u32 {
        match self.by_field.get(field as usize) {
            Some(table) if !table.is_empty() => table.get(text).copied().unwrap_or(NO_SYMBOL),
            _ => NO_SYMBOL,
        }
    }

    /// Whether some rule names a string at `field` (only then are its leaves looked up).
    #[inline]
    pub(crate) fn names_strings_at(&self, field: NodeId) -> bool {
        self.by_field
            .get(field as usize)
            .is_some_and(|table| !table.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_per_field_and_stable() {
        let mut symbols = Symbols::default();
        let a = symbols.intern(3, "x");
        let b = symbols.intern(5, "x");
        assert_ne!(a, b, "the same text at two fields is two symbols");
        assert_eq!(symbols.intern(3, "x"), a);
        assert_eq!(symbols.get(3, "x"), a);
        assert_eq!(symbols.get(5, "x"), b);
        assert_eq!(symbols.get(3, "y"), NO_SYMBOL);
        assert_eq!(symbols.get(4, "x"), NO_SYMBOL);
        assert_eq!(symbols.get(99, "x"), NO_SYMBOL);
        assert!(symbols.names_strings_at(3));
        assert!(!symbols.names_strings_at(4));
    }

    #[test]
    fn numbering_by_field_makes_each_fields_symbols_consecutive() {
        let mut symbols = Symbols::default();
        for (field, text) in [(2, "a"), (1, "b"), (2, "c"), (1, "d"), (2, "a"), (0, "e")] {
            symbols.intern(field, text);
        }
        symbols.number_by_field();
        // Field by field, each in the order its strings were first interned.
        assert_eq!(symbols.get(0, "e"), 0);
        assert_eq!((symbols.get(1, "b"), symbols.get(1, "d")), (1, 2));
        assert_eq!((symbols.get(2, "a"), symbols.get(2, "c")), (3, 4));
        assert_eq!(symbols.get(1, "a"), NO_SYMBOL);
    }
}
