//! Compiling named patterns into a [`RuleSet`].
//!
//! Every pattern is expanded into conjunctions (`$or` combinations). Each conjunction is
//! filed under one *anchor* condition in a per-field value index, so that matching an
//! event only looks at conjunctions one of whose conditions an event leaf already
//! satisfies (or could: the index may over-approximate). The anchor is the condition
//! expected to fire least often: each of its [`Trigger`]s costs its kind's weight times
//! the number of conjunctions sharing it, so a value that thousands of rules share (a
//! common `source`) is passed over for a rarer one (an `eventName`). A trigger that
//! fires only when the anchor holds (an exact value, a prefix, a numeric range) proves
//! it, and the candidate's check program leaves it out.

use std::fmt::{self, Write as _};
use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use super::error::{RuleSetError, RuleSetErrorKind};
use super::index::{
    fold_case, fold_case_reversed, number_key, Entries, Entry, FieldIndex, Trigger,
};
use super::path_trie::{NodeId, PathTrie};
use super::program::{strings_to_intern, ProgramBuilder, PROVEN};
use super::split::SplitBuilder;
use super::symbols::Symbols;
use super::verify::CompiledCondition;
use super::{CompiledConjunction, Owner, RuleId, RuleSet, SHARED};
use crate::pattern::{Condition, Conjunction, Literal, Matcher, Pattern};

/// Collects named patterns; [`RuleSetBuilder::build`] compiles them.
#[derive(Debug, Default)]
pub struct RuleSetBuilder {
    names: Vec<Box<str>>,
    ids: FxHashMap<Box<str>, RuleId>,
    conjunctions: Vec<(u32, Conjunction)>,
}

impl RuleSetBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a rule; its id is its position (0, 1, ...). A name already used is refused.
    pub fn add(&mut self, name: &str, pattern: &Pattern) -> Result<RuleId, RuleSetError> {
        if let Some(&first) = self.ids.get(name) {
            return Err(RuleSetError::new(
                name,
                RuleSetErrorKind::DuplicateName { first },
            ));
        }
        let mut conjunctions = pattern.conjunctions();
        // A condition with no alternatives (`"a": []` in the default dialect) never
        // holds: its combinations are no way to match, and the rule may have none left.
        conjunctions.retain(|c| c.conditions.iter().all(|c| !c.matchers.is_empty()));
        let id = RuleId(self.names.len());
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        self.conjunctions
            .extend(conjunctions.into_iter().map(|c| (id.0 as u32, c)));
        Ok(id)
    }

    /// Compiles the rules. Infallible: everything was checked by [`Self::add`].
    pub fn build(self) -> RuleSet {
        let Distinct {
            conjunctions: distinct,
            shared_rules,
        } = merge_identical(self.conjunctions);
        let mut trie = PathTrie::default();
        let mut compiled: Vec<Pending> = Vec::with_capacity(distinct.len());
        let mut popularity: FxHashMap<(NodeId, Trigger), u64> = FxHashMap::default();
        for (owner, conjunction) in &distinct {
            let mut conditions = Vec::with_capacity(conjunction.conditions.len());
            let mut triggers = Vec::with_capacity(conjunction.conditions.len());
            let mut counted: FxHashSet<(NodeId, &Trigger)> = FxHashSet::default();
            for (condition, rank) in conjunction.conditions.iter().zip(conjunction.key_ranks()) {
                let field = trie.intern(&condition.path);
                let compiled_condition = CompiledCondition::new(field, condition, rank as u32);
                let node = trie.node_mut(field);
                node.collect_leaves |= compiled_condition.needs_leaves();
                node.keep_values |= compiled_condition.needs_leaf_values();
                node.capture |= !compiled_condition.arrays.is_empty();
                conditions.push(compiled_condition);
                triggers.push(condition_triggers(condition));
            }
            for (condition, condition_triggers) in conditions.iter().zip(&triggers) {
                for (trigger, _) in condition_triggers.iter().flatten() {
                    if counted.insert((condition.field, trigger)) {
                        *popularity
                            .entry((condition.field, trigger.clone()))
                            .or_default() += 1;
                    }
                }
            }
            compiled.push((*owner, conditions, triggers));
        }

        // Anchors: each conjunction's cheapest condition goes first.
        let mut conjunctions = Vec::with_capacity(compiled.len());
        let mut all_conditions = Vec::with_capacity(compiled.iter().map(|(_, c, _)| c.len()).sum());
        let mut anchors: Vec<Anchor> = Vec::new();
        let mut unanchored = Vec::new();
        for (conj_id, (owner, mut conditions, mut triggers)) in compiled.into_iter().enumerate() {
            let conj_id = conj_id as u32;
            let cost = |i: usize| -> Option<u64> {
                let field = conditions[i].field;
                triggers[i].as_ref().map(|ts| {
                    ts.iter()
                        .map(|(t, _)| {
                            t.weight() * popularity.get(&(field, t.clone())).copied().unwrap_or(1)
                        })
                        .sum()
                })
            };
            let anchor = (0..conditions.len())
                .filter_map(|i| cost(i).map(|c| (c, i)))
                .min()
                .map(|(_, i)| i);
            match anchor {
                Some(i) => {
                    // The anchor becomes condition 0: an exact trigger proves it (bit 0
                    // of a program's proven mask), and otherwise it is checked first
                    // among the checks of its kind (`program.rs`), being the condition
                    // most likely to fail on a candidate another trigger let in.
                    conditions.swap(0, i);
                    let field = conditions[0].field;
                    anchors.push((conj_id, field, triggers.swap_remove(i).unwrap_or_default()));
                }
                None => unanchored.push(conj_id),
            }
            let start = all_conditions.len() as u32;
            all_conditions.extend(conditions);
            conjunctions.push(CompiledConjunction {
                owner,
                conditions: start..all_conditions.len() as u32,
                // Set below, once the programs are built.
                program: PROVEN,
            });
        }

        // Every string a program or an index compares leaves with gets its symbol.
        let mut symbols = Symbols::default();
        for condition in &all_conditions {
            for text in strings_to_intern(condition) {
                symbols.intern(condition.field, text);
            }
        }
        for (_, field, triggers) in &anchors {
            for (trigger, _) in triggers {
                if let Trigger::Str(text) = trigger {
                    symbols.intern(*field, text);
                }
            }
        }
        symbols.number_by_field();

        // Index entries carry what their trigger proved; long lists become trees whose
        // groups prove more (`split.rs`).
        let mut programs = ProgramBuilder::new(&conjunctions, &all_conditions, &symbols);
        let full: Vec<u32> = (0..conjunctions.len() as u32)
            .map(|conj| programs.program(conj, 0))
            .collect();
        let entry = |conj: u32, program: u32| Entry {
            target: conj,
            owner: conjunctions[conj as usize].owner,
            program,
        };
        let mut indexes: Vec<FieldIndex> = (0..trie.len()).map(|_| FieldIndex::default()).collect();
        for (conj, field, triggers) in &anchors {
            for (trigger, exact) in triggers {
                // An exact trigger fires only for a leaf that satisfies the anchor.
                let program = if *exact {
                    programs.program(*conj, 1)
                } else {
                    full[*conj as usize]
                };
                indexes[*field as usize].insert(*field, trigger, entry(*conj, program), &symbols);
            }
        }
        let mut always: Entries = unanchored
            .iter()
            .map(|&conj| entry(conj, full[conj as usize]))
            .collect();
        for index in &mut indexes {
            index.finish();
        }
        let mut splitter =
            SplitBuilder::new(&conjunctions, &all_conditions, &symbols, &mut programs);
        for index in &mut indexes {
            index.for_each_list_mut(&mut |list| splitter.split_list(list));
        }
        splitter.split_list(&mut always);
        let mut splits = splitter.nodes;
        for node in &mut splits {
            node.seal();
        }
        for index in &mut indexes {
            index.seal();
        }
        let programs = programs.finish();
        for (conjunction, program) in conjunctions.iter_mut().zip(full) {
            conjunction.program = program;
        }
        RuleSet {
            names: self.names,
            trie,
            symbols,
            indexes,
            conjunctions,
            conditions: all_conditions,
            programs,
            always,
            splits,
            shared_rules,
        }
    }
}

/// The distinct conjunctions of `conjunctions` ((rule, conjunction) pairs, by rule),
/// each with its [`Owner`], and the rule lists of those several rules hold. Conditions
/// are put in key order ([`Conjunction::key_ranks`]) and compared with `==` among
/// conjunctions of equal hash; a rule holding one conjunction twice (an `$or` with equal
/// branches) keeps it once.
///
/// Key order, not any order that makes equal sets alike: conditions on one path keep the
/// order they were written in, because an `{"exists": false}` among them is judged
/// against the array elements the ones before it chose. Two conjunctions that differ only
/// in that order can differ in verdict, so they stay apart.
fn merge_identical(conjunctions: Vec<(u32, Conjunction)>) -> Distinct {
    let mut distinct: Vec<(Vec<u32>, Conjunction)> = Vec::with_capacity(conjunctions.len());
    let mut by_hash: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    for (rule, mut conjunction) in conjunctions {
        let ranks = conjunction.key_ranks();
        let mut ranked: Vec<(usize, Condition)> = ranks
            .into_iter()
            .zip(conjunction.conditions.drain(..))
            .collect();
        ranked.sort_unstable_by_key(|(rank, _)| *rank);
        conjunction.conditions = ranked.into_iter().map(|(_, condition)| condition).collect();
        // A collision can only keep two equal conjunctions apart: speed, not verdicts.
        let mut hasher = FxHasher::default();
        conjunction
            .conditions
            .iter()
            .for_each(|condition| hasher.write_u64(condition_hash(condition)));
        let same = by_hash.entry(hasher.finish()).or_default();
        match same.iter().find(|&&at| distinct[at].1 == conjunction) {
            Some(&at) => {
                let rules = &mut distinct[at].0;
                // Rules arrive in id order: a repeat of the last one is the same rule.
                if rules.last() != Some(&rule) {
                    rules.push(rule);
                }
            }
            None => {
                same.push(distinct.len());
                distinct.push((vec![rule], conjunction));
            }
        }
    }
    let mut shared_rules: Vec<Box<[u32]>> = Vec::new();
    let distinct = distinct
        .into_iter()
        .map(|(rules, conjunction)| {
            let owner = match rules.as_slice() {
                [only] => *only,
                _ => {
                    shared_rules.push(rules.into_boxed_slice());
                    SHARED | (shared_rules.len() as u32 - 1)
                }
            };
            (owner, conjunction)
        })
        .collect();
    Distinct {
        conjunctions: distinct,
        shared_rules,
    }
}

/// A hash of the condition's debug text (matchers hold `f64`s, so they have no `Hash`;
/// the text renders every field), computed without building the text.
fn condition_hash(condition: &Condition) -> u64 {
    struct HashWriter(FxHasher);
    impl fmt::Write for HashWriter {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            self.0.write(text.as_bytes());
            Ok(())
        }
    }
    let mut writer = HashWriter(FxHasher::default());
    // Writing into a hasher cannot fail.
    let _ = write!(writer, "{condition:?}");
    writer.0.finish()
}

/// What [`merge_identical`] makes of a rule set's conjunctions.
struct Distinct {
    conjunctions: Vec<(Owner, Conjunction)>,
    /// Becomes [`RuleSet::shared_rules`].
    shared_rules: Vec<Box<[u32]>>,
}

/// A conjunction's anchor: (conjunction, the anchor's field, its triggers, each with
/// whether it is exact).
type Anchor = (u32, NodeId, Vec<(Trigger, bool)>);

/// A conjunction being compiled: its owner, its conditions, and each condition's
/// triggers (`None` when it can hold by absence, so it cannot be an anchor).
type Pending = (
    u32,
    Vec<CompiledCondition>,
    Vec<Option<Vec<(Trigger, bool)>>>,
);

/// The triggers that can make a conjunction anchored at `condition` a candidate: one
/// leaf satisfying any of its matchers fires at least one of them. Each comes with
/// whether it is *exact*: it fires only for leaves that satisfy the matcher it came
/// from, so firing proves the condition. `None` when the condition holds without any
/// leaf (`{"exists": false}`).
fn condition_triggers(condition: &Condition) -> Option<Vec<(Trigger, bool)>> {
    let mut triggers: Vec<(Trigger, bool)> = Vec::with_capacity(condition.matchers.len());
    for matcher in &condition.matchers {
        let trigger = match matcher {
            Matcher::Exists(false) => return None,
            Matcher::Exact(literal) => match literal {
                Literal::String(s) => Trigger::Str(s.clone()),
                Literal::Number(n) => Trigger::Num(number_key(*n)),
                Literal::Bool(b) => Trigger::Bool(*b),
                Literal::Null => Trigger::Null,
            },
            Matcher::Prefix {
                value,
                ignore_case: false,
            } => Trigger::Prefix(value.clone()),
            Matcher::Prefix {
                value,
                ignore_case: true,
            } => Trigger::PrefixFolded(fold_case(value)),
            Matcher::Suffix {
                value,
                ignore_case: false,
            } => Trigger::Suffix(value.clone()),
            Matcher::Suffix {
                value,
                ignore_case: true,
            } => Trigger::SuffixFolded(fold_case_reversed(value)),
            Matcher::EqualsIgnoreCase(value) => Trigger::EqualsFolded(fold_case(value)),
            Matcher::Wildcard(wildcard) => match wildcard.segments.as_slice() {
                [] => Trigger::Str(String::new()),
                [only] => Trigger::Str(only.clone()),
                [first, .., _] if !first.is_empty() => Trigger::Prefix(first.clone()),
                [_, .., last] if !last.is_empty() => Trigger::Suffix(last.clone()),
                // `*a*b*`: a match contains every middle segment.
                [_, middle @ .., _] => infix_trigger(middle),
            },
            Matcher::Numeric(range) => Trigger::range(range),
            Matcher::ArrayElement(_) => Trigger::Capture,
            Matcher::Cidr(net) => Trigger::Cidr(*net),
            Matcher::Contain(needles) => infix_trigger(needles),
            Matcher::Exists(true) | Matcher::AnythingBut(_) => Trigger::Presence,
        };
        let exact = trigger_is_exact(matcher);
        match triggers.iter_mut().find(|(t, _)| *t == trigger) {
            Some((_, known)) => *known |= exact,
            None => triggers.push((trigger, exact)),
        }
    }
    Some(triggers)
}

/// The longest of `texts`, each of which a matching string contains, as an infix
/// trigger; with none or only empty ones, any string matches: presence.
fn infix_trigger(texts: &[String]) -> Trigger {
    match texts.iter().max_by_key(|text| text.len()) {
        Some(longest) if !longest.is_empty() => Trigger::Infix(longest.clone()),
        _ => Trigger::Presence,
    }
}

/// Whether the trigger [`condition_triggers`] files `matcher` under fires only for
/// leaves that satisfy `matcher` (see `index.rs` for how each trigger is looked up).
/// Ignore-case triggers are left to verification (their key is shared by a few strings
/// AWS's rule keeps apart: `index::fold_case_into`), as are `presence` and `capture`
/// triggers (fired once per field, not per leaf).
fn trigger_is_exact(matcher: &Matcher) -> bool {
    match matcher {
        Matcher::Exact(_) | Matcher::Numeric(_) => true,
        Matcher::EqualsIgnoreCase(_) => false,
        Matcher::Prefix { ignore_case, .. } | Matcher::Suffix { ignore_case, .. } => !ignore_case,
        // No `*`: filed as an exact string. One `*` at an end: the other segment is a
        // prefix (`ab*`) or a suffix (`*ab`), which is all the wildcard asks.
        Matcher::Wildcard(wildcard) => match wildcard.segments.as_slice() {
            [] | [_] => true,
            [first, last] => first.is_empty() != last.is_empty(),
            // `*text*`: containing the text is all it asks.
            [first, middle, last] => first.is_empty() && last.is_empty() && !middle.is_empty(),
            _ => false,
        },
        // One text: containing it is all `contain` asks.
        Matcher::Contain(needles) => matches!(needles.as_slice(), [only] if !only.is_empty()),
        // Filed under its network: exact unless the block was written with host bits.
        Matcher::Cidr(net) => net.addr() == net.network(),
        Matcher::Exists(_) | Matcher::AnythingBut(_) => false,
        Matcher::ArrayElement(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::pattern::{Dialect, Pattern};
    use crate::ruleset::{RuleId, RuleSet, RuleSetBuilder};

    fn build(patterns: &[serde_json::Value]) -> RuleSet {
        let mut builder = RuleSetBuilder::new();
        for (i, pattern) in patterns.iter().enumerate() {
            let pattern = Pattern::from_value(pattern, Dialect::Default).unwrap();
            builder.add(&format!("r{i}"), &pattern).unwrap();
        }
        builder.build()
    }

    #[test]
    fn identical_conjunctions_are_compiled_once_and_match_for_every_rule() {
        let set = build(&[
            json!({"source": ["s"], "data": {"n": [1]}}),
            // The same conditions, one of them from an `$or` (so listed in another
            // order), and a second branch of its own.
            json!({"source": ["s"], "$or": [{"data": {"n": [1]}}, {"data": {"n": [3]}}]}),
            // An `$or` whose branches are equal, and one of them is rule 0's pattern.
            json!({"$or": [{"source": ["s"], "data": {"n": [1]}}, {"source": ["s"], "data": {"n": [1]}}]}),
            json!({"source": ["s"], "data": {"n": [2]}}),
            json!({"source": ["s"]}),
        ]);
        assert_eq!(set.conjunctions.len(), 4, "{:?}", set.conjunctions);
        assert_eq!(set.shared_rules, vec![vec![0, 1, 2].into_boxed_slice()]);
        let ids = |event: serde_json::Value| set.matches(&event);
        assert_eq!(
            ids(json!({"source": "s", "data": {"n": 1}})),
            vec![RuleId(0), RuleId(1), RuleId(2), RuleId(4)]
        );
        assert_eq!(
            ids(json!({"source": "s", "data": {"n": [2, 1]}})),
            vec![RuleId(0), RuleId(1), RuleId(2), RuleId(3), RuleId(4)]
        );
        // Rule 1's own branch.
        assert_eq!(
            ids(json!({"source": "s", "data": {"n": 3}})),
            vec![RuleId(1), RuleId(4)]
        );
        assert_eq!(ids(json!({"source": "t", "data": {"n": 1}})), vec![]);
    }
}
