//! Second and further index levels: small decision trees over exact-valued conditions.
//!
//! An index list (the conjunctions one trigger lets in) can be long although the event
//! satisfies few of them: thousands of rules share an `eventName` and differ in their
//! `data.userIdentity.accountId`, hundreds of `anything-but` rules fire on every event
//! with a `userName`. Such a list is replaced by a [`SplitNode`]: its conjunctions are
//! grouped by the values that another field must equal (only conditions made of exact
//! values or equals-ignore-case are used), plus a remainder with no such condition on
//! that field. Matching descends only into the groups of the event's values at that
//! field (every leaf: arrays give several) and the remainder.
//!
//! A conjunction left out can only be one whose exact-valued condition no leaf
//! satisfies, so it certainly fails: verdicts do not change, and verification still
//! checks every condition and array consistency.

use rustc_hash::FxHashMap;

use super::exact::{ExactKey, ExactKeys};
use super::flatten::EventLeaves;
use super::index::{number_key, Entries, Entry};
use super::path_trie::NodeId;
use super::program::{is_proven, ProgramBuilder};
use super::symbols::{Symbols, NO_SYMBOL};
use super::verify::{CompiledCondition, MASK_BITS};
use super::CompiledConjunction;
use crate::pattern::{Literal, Matcher};

/// An index entry whose target has this bit set is a [`SplitNode`] id, otherwise a
/// conjunction id.
pub(crate) const SPLIT: u32 = 1 << 31;

/// Lists up to this long are verified as they are. Even a list of two is split when its
/// conjunctions need different values at some field: a candidate that reaches
/// verification costs a few cache misses (its conditions and matchers), a hash lookup
/// on an event value already in cache costs less (measured on the matching bench:
/// 10,000 rules ~9% faster than with 8, 1,000 rules ~10%, build time unchanged).
const MAX_UNSPLIT: usize = 1;

/// One level of a decision tree; its entries are conjunctions or further nodes.
#[derive(Debug, Default)]
pub(crate) struct SplitNode {
    field: NodeId,
    /// The groups, by the value their conjunctions require at `field`.
    groups: ExactKeys,
    /// Conjunctions with no exact-valued condition on `field`.
    rest: Entries,
}

impl SplitNode {
    /// Flattens the groups for matching, once they are final.
    pub(crate) fn seal(&mut self) {
        self.groups.seal();
    }

    /// Calls `found` with the entries the event's leaves at this node's field select.
    /// `clean`: every proof on the way here came from a leaf outside arrays; an entry
    /// selected by a leaf inside an array is passed on as not clean (`program.rs`).
    #[inline]
    pub(crate) fn for_each_entry(
        &self,
        event: &EventLeaves,
        clean: bool,
        found: &mut impl FnMut(Entry, bool),
    ) {
        self.rest.iter().for_each(|&e| found(e, clean));
        for (_, leaf) in event.leaves_at(self.field) {
            let clean = clean && !leaf.in_array();
            // Groups are keyed by exact values only: no ignore-case key (`required_values`).
            self.groups
                .for_each_match(leaf, None, &mut |e| found(e, clean));
        }
    }
}

/// The values one of which a leaf at the condition's field must have for the condition
/// to hold, or `None` when it can hold otherwise (another operator, `exists`, `array`).
/// A leaf with one of them satisfies the condition, so the group it selects proves it.
fn required_values(condition: &CompiledCondition, symbols: &Symbols) -> Option<Vec<ExactKey>> {
    if condition.any_leaf
        || condition.absent
        || !condition.arrays.is_empty()
        || condition.scalar.is_empty()
    {
        return None;
    }
    let mut keys = Vec::with_capacity(condition.scalar.len());
    for matcher in &condition.scalar {
        let key = match matcher {
            // Every exact string of a condition has its symbol (`strings_to_intern`).
            Matcher::Exact(Literal::String(s)) => {
                let symbol = symbols.get(condition.field, s);
                debug_assert_ne!(symbol, NO_SYMBOL, "{s:?} not interned");
                ExactKey::Symbol(symbol)
            }
            Matcher::Exact(Literal::Number(n)) => ExactKey::Number(number_key(*n)),
            Matcher::Exact(Literal::Bool(b)) => ExactKey::Bool(*b),
            Matcher::Exact(Literal::Null) => ExactKey::Null,
            // Its key does not prove it (`index::fold_case_into`): verification does.
            _ => return None,
        };
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Some(keys)
}

/// A conjunction on its way down a tree: (conjunction, owner, proven conditions).
type Item = (u32, u32, u64);

/// Builds decision trees over the compiled conjunctions.
pub(crate) struct SplitBuilder<'a, 'p> {
    conjunctions: &'a [CompiledConjunction],
    conditions: &'a [CompiledCondition],
    symbols: &'a Symbols,
    programs: &'p mut ProgramBuilder<'a>,
    pub(crate) nodes: Vec<SplitNode>,
}

impl<'a, 'p> SplitBuilder<'a, 'p> {
    pub(crate) fn new(
        conjunctions: &'a [CompiledConjunction],
        conditions: &'a [CompiledCondition],
        symbols: &'a Symbols,
        programs: &'p mut ProgramBuilder<'a>,
    ) -> Self {
        Self {
            conjunctions,
            conditions,
            symbols,
            programs,
            nodes: Vec::new(),
        }
    }

    /// Replaces a long list of conjunction entries by the entries of its decision tree.
    pub(crate) fn split_list(&mut self, list: &mut Entries) {
        if list.len() > MAX_UNSPLIT {
            let items: Vec<Item> = list
                .iter()
                .map(|e| (e.target, e.owner, self.programs.proven(e.target, e.program)))
                .collect();
            *list = self.build(&items, &mut Vec::new());
        }
    }

    fn conditions_of(&self, conj: u32) -> &'a [CompiledCondition] {
        let range = &self.conjunctions[conj as usize].conditions;
        &self.conditions[range.start as usize..range.end as usize]
    }

    /// The first condition of the item at `field` that is not proven yet and requires
    /// values there: its position in the conjunction, and the values.
    fn keys_at(&self, (conj, _, proven): Item, field: NodeId) -> Option<(usize, Vec<ExactKey>)> {
        self.conditions_of(conj)
            .iter()
            .enumerate()
            .filter(|&(i, c)| c.field == field && i < MASK_BITS && !is_proven(proven, i))
            .find_map(|(i, c)| required_values(c, self.symbols).map(|keys| (i, keys)))
    }

    fn entries(&mut self, items: &[Item]) -> Entries {
        items
            .iter()
            .map(|&(conj, owner, proven)| Entry {
                target: conj,
                owner,
                program: self.programs.program(conj, proven),
            })
            .collect()
    }

    /// The entries for `items`: the items themselves, or one node splitting them on the
    /// field that leaves the fewest candidates in the worst case (remainder plus the
    /// biggest group), if that is fewer than all. `used`: fields split on above.
    fn build(&mut self, items: &[Item], used: &mut Vec<NodeId>) -> Entries {
        if items.len() <= MAX_UNSPLIT {
            return self.entries(items);
        }
        // Per field: how many items have values there, and per value how many.
        let mut stats: FxHashMap<NodeId, (usize, FxHashMap<ExactKey, usize>)> =
            FxHashMap::default();
        for &item in items {
            let mut seen: Vec<NodeId> = Vec::new();
            for condition in self.conditions_of(item.0) {
                let field = condition.field;
                if used.contains(&field) || seen.contains(&field) {
                    continue;
                }
                if let Some((_, keys)) = self.keys_at(item, field) {
                    seen.push(field);
                    let (keyed, groups) = stats.entry(field).or_default();
                    *keyed += 1;
                    for key in keys {
                        *groups.entry(key).or_default() += 1;
                    }
                }
            }
        }
        let best = stats
            .iter()
            .map(|(&field, (keyed, groups))| {
                let biggest = groups.values().copied().max().unwrap_or(0);
                (items.len() - keyed + biggest, field)
            })
            .min();
        let Some((cost, field)) = best else {
            return self.entries(items);
        };
        if cost >= items.len() {
            return self.entries(items);
        }

        let mut groups: FxHashMap<ExactKey, Vec<Item>> = FxHashMap::default();
        let mut rest = Vec::new();
        for &item in items {
            match self.keys_at(item, field) {
                Some((position, keys)) => {
                    let (conj, owner, proven) = item;
                    let proven = proven | (1u64 << position);
                    for key in keys {
                        groups.entry(key).or_default().push((conj, owner, proven));
                    }
                }
                None => rest.push(item),
            }
        }
        used.push(field);
        let mut node = SplitNode {
            field,
            rest: self.build(&rest, used),
            ..SplitNode::default()
        };
        for (key, group) in groups {
            let entries = self.build(&group, used);
            *node.groups.list_mut(key) = entries;
        }
        used.pop();
        let id = self.nodes.len() as u32;
        self.nodes.push(node);
        smallvec::smallvec![Entry {
            target: SPLIT | id,
            owner: 0,
            program: 0,
        }]
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::pattern::{Dialect, Pattern};
    use crate::ruleset::{RuleId, RuleSet, RuleSetBuilder};

    /// The rules, then 24 decoys of each with `"source": ["decoy-<k>"]` (distinct, so
    /// that they are not merged as identical): they make every value but the shared
    /// source popular, so the builder anchors the rules on `source: s` and that bucket
    /// holds all of them (the case the trees are for).
    fn build(patterns: &[Value]) -> (RuleSet, Vec<Pattern>) {
        let decoys = patterns.iter().flat_map(|p| {
            (0..24).map(move |k| {
                let mut decoy = p.clone();
                decoy["source"] = json!([format!("decoy-{k}")]);
                decoy
            })
        });
        let all: Vec<Value> = patterns.iter().cloned().chain(decoys).collect();
        let parsed: Vec<Pattern> = all
            .iter()
            .map(|p| Pattern::from_value(p, Dialect::Default).unwrap())
            .collect();
        let mut builder = RuleSetBuilder::new();
        for (i, p) in parsed.iter().enumerate() {
            builder.add(&format!("r{i}"), p).unwrap();
        }
        (builder.build(), parsed)
    }

    /// The rule ids matched, after checking both entry points against the reference.
    fn matched(set: &RuleSet, patterns: &[Pattern], event: &Value) -> Vec<usize> {
        let found = set.matches(event);
        assert_eq!(found, set.matches_json(&event.to_string()).unwrap());
        let reference: Vec<RuleId> = (0..patterns.len())
            .filter(|&i| patterns[i].matches(event))
            .map(RuleId)
            .collect();
        assert_eq!(found, reference, "ruleset vs reference on {event}");
        found.into_iter().map(|id| id.0).collect()
    }

    /// 20 rules on one `source`, 16 of them scoped to an account (rules 0..16: account
    /// `A{i % 8}`), 4 organisation-wide (16..20).
    fn tenant_rules() -> Vec<Value> {
        let mut patterns: Vec<Value> = (0..16)
            .map(|i| json!({"source": ["s"], "account": [format!("A{}", i % 8)]}))
            .collect();
        patterns.extend((0..4).map(|i| json!({"source": ["s"], "region": [format!("r{i}")]})));
        patterns
    }

    #[test]
    fn a_long_bucket_is_split_and_only_matching_groups_are_visited() {
        let (set, patterns) = build(&tenant_rules());
        assert!(!set.splits.is_empty(), "20 rules on one source are split");
        assert_eq!(
            matched(
                &set,
                &patterns,
                &json!({"source": "s", "account": "A3", "region": "r1"})
            ),
            vec![3, 11, 17]
        );
        // No account: only the remainder.
        assert_eq!(
            matched(&set, &patterns, &json!({"source": "s", "region": "r2"})),
            vec![18]
        );
        // An account no rule names, and a value of another type.
        assert_eq!(
            matched(&set, &patterns, &json!({"source": "s", "account": 3})),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn every_leaf_of_an_array_at_the_split_field_selects_its_group() {
        let (set, patterns) = build(&tenant_rules());
        assert_eq!(
            matched(
                &set,
                &patterns,
                &json!({"source": "s", "account": ["A1", "x", "A6"], "region": ["r0", "r3"]})
            ),
            vec![1, 6, 9, 14, 16, 19]
        );
    }

    #[test]
    fn conditions_that_are_not_exact_values_stay_in_the_remainder() {
        let mut patterns = tenant_rules();
        // Prefix, anything-but and exists on the split field, and a rule with two
        // values there: none may be lost.
        patterns.push(json!({"source": ["s"], "account": [{"prefix": "A"}]}));
        patterns.push(json!({"source": ["s"], "account": [{"anything-but": "A1"}]}));
        patterns.push(json!({"source": ["s"], "account": [{"exists": false}]}));
        patterns.push(json!({"source": ["s"], "account": ["A1", "A2"]}));
        patterns.push(json!({"source": ["s"], "account": ["A2", {"prefix": "Z"}]}));
        let (set, patterns) = build(&patterns);
        assert!(!set.splits.is_empty());
        assert_eq!(
            matched(&set, &patterns, &json!({"source": "s", "account": "A1"})),
            vec![1, 9, 20, 23]
        );
        assert_eq!(
            matched(&set, &patterns, &json!({"source": "s", "account": "Zed"})),
            vec![21, 24]
        );
        assert_eq!(
            matched(&set, &patterns, &json!({"source": "s", "region": "r0"})),
            vec![16, 22]
        );
    }

    #[test]
    fn ignore_case_numbers_and_booleans_are_split_values() {
        let mut patterns: Vec<Value> = (0..10)
            .map(|i| json!({"source": ["s"], "user": [{"equals-ignore-case": format!("Ab{i}")}]}))
            .collect();
        patterns.extend((0..10).map(|i| json!({"source": ["s"], "n": [i]})));
        patterns.push(json!({"source": ["s"], "flag": [true], "n": [null]}));
        let (set, patterns) = build(&patterns);
        assert!(!set.splits.is_empty());
        assert_eq!(
            matched(
                &set,
                &patterns,
                &json!({"source": "s", "user": "aB4", "n": 7.0})
            ),
            vec![4, 17]
        );
        assert_eq!(
            matched(
                &set,
                &patterns,
                &json!({"source": "s", "user": "AB4x", "n": [null, -0.0], "flag": true})
            ),
            vec![10, 20]
        );
    }

    #[test]
    fn array_element_consistency_is_still_verified_after_a_split() {
        let patterns: Vec<Value> = (0..12)
            .map(|i| json!({"source": ["s"], "items": {"k": ["v"], "n": [i]}}))
            .collect();
        let (set, patterns) = build(&patterns);
        assert!(!set.splits.is_empty());
        // n = 3 sits in an element whose k is not "v": rule 3 must not match.
        let event = json!({"source": "s", "items": [{"k": "v", "n": 2}, {"k": "w", "n": 3}]});
        assert_eq!(matched(&set, &patterns, &event), vec![2]);
    }
}
