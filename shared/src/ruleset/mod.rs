//! Many named patterns compiled into one matcher.
//!
//! Built like the engines that run thousands of rules per event (aws/event-ruler,
//! timbray/quamina): the paths rules use are known at build time, each event is read
//! once and only those fields are extracted, and the work per event depends on the
//! event and on the rules it nearly matches, barely on how many rules there are.
//!
//! - `builder`: [`RuleSetBuilder`], choosing each conjunction's anchor.
//! - `path_trie`: the paths rules use; every other key of an event is skipped.
//! - `scan`: a byte-level JSON cursor: skips unused values, decodes used ones.
//! - `flatten`: one pass over the event (JSON text or `Value`) into leaves with trails.
//! - `symbols`: the strings rules name, numbered per field; each string leaf is looked
//!   up once.
//! - `index`: per-field value indexes from a leaf to candidate conjunctions.
//! - `split`: decision trees replacing long index lists, keyed by exact values.
//! - `exact`: entry lists by exact leaf value, for both of those.
//! - `program`: per candidate, a compact check of the conditions its way in did not
//!   prove.
//! - `verify`: the per-condition test, and the exact check of array-element
//!   consistency.
//!
//! Matching an event: read its leaves → number its strings → look each leaf up in its
//! field's index, and descend the decision trees → candidate conjunctions (plus those
//! with no usable anchor, which are always checked), each with the conditions its
//! trigger and tree groups proved → run each candidate's check program (the pattern
//! module's own matchers for anything beyond exact strings) → rule ids.
//!
//! Limits: none on conditions per `$or` combination (array consistency keeps a bit
//! per condition in a `u64`; a combination of more than 64 has bits handed out per
//! event to the conditions in play, see `verify.rs`); `$or` combinations per pattern are
//! bounded at parse time (1000). `matches` follows a `Value` recursively along used paths and through arrays,
//! so its depth is that of the event (serde_json limits parsed events to 128 levels).

mod builder;
mod error;
mod exact;
mod flatten;
mod index;
mod path_trie;
mod program;
mod scan;
#[cfg(test)]
mod scan_props;
mod split;
mod symbols;
mod verify;

use std::cell::RefCell;
use std::ops::Range;

use fixedbitset::FixedBitSet;
use serde_json::Value;

pub use builder::RuleSetBuilder;
pub use error::{EventError, RuleSetError, RuleSetErrorKind};

use flatten::EventLeaves;
use index::{Entries, Entry, FieldIndex, FoldBuffers};
use path_trie::PathTrie;
use program::{Memo, Programs, Verdict};
use split::{SplitNode, SPLIT};
use symbols::Symbols;
use verify::{conjunction_holds, CompiledCondition, VerifyBuffers};

/// A rule's position in its [`RuleSet`] (the order of [`RuleSetBuilder::add`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId(pub usize);

/// Compiled rules: immutable, cheap to share between threads, and matching never fails.
#[derive(Debug)]
pub struct RuleSet {
    names: Vec<Box<str>>,
    trie: PathTrie,
    /// The strings rules name, per field: each string leaf is numbered once.
    symbols: Symbols,
    /// Per trie node.
    indexes: Vec<FieldIndex>,
    conjunctions: Vec<CompiledConjunction>,
    conditions: Vec<CompiledCondition>,
    /// Every check program (`program.rs`).
    programs: Programs,
    /// Conjunctions with no anchorable condition (e.g. only `{"exists": false}`, or none).
    always: Entries,
    /// Decision-tree nodes that index entries with the [`SPLIT`] bit refer to.
    splits: Vec<SplitNode>,
    /// The rules of each conjunction that several rules hold in identical form
    /// ([`Owner`]), ascending.
    shared_rules: Vec<Box<[u32]>>,
}

/// The rules a conjunction belongs to, as index entries carry them: a rule id, or with
/// [`SHARED`] set the position of its list in [`RuleSet::shared_rules`]. Identical
/// conjunctions (rules written alike, as tenants copying one template do) are compiled
/// and checked once per event, as identical patterns share one path in an automaton.
type Owner = u32;

/// See [`Owner`].
const SHARED: u32 = 1 << 31;

#[derive(Debug)]
struct CompiledConjunction {
    owner: Owner,
    conditions: Range<u32>,
    /// The program checking every condition, for candidates whose proofs came from
    /// leaves inside arrays.
    program: u32,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RuleSet>();
    assert_send_sync::<RuleSetBuilder>();
    assert_send_sync::<RuleSetError>();
    assert_send_sync::<EventError>();
};

impl RuleSet {
    /// The rules whose pattern matches `event`, ascending.
    pub fn matches(&self, event: &Value) -> Vec<RuleId> {
        with_scratch(|scratch| {
            scratch.begin(self);
            scratch.event.read_value(&self.trie, event);
            self.decide(scratch)
        })
    }

    /// Like [`RuleSet::matches`] on the parsed text, but reads the text once and
    /// extracts only the fields rules use. Fails only if the text is not one JSON value:
    /// syntax is checked throughout, exactly as `serde_json` checks a value it ignores;
    /// the content of skipped fields is not judged (an out-of-range number or a lone
    /// surrogate escape there is accepted), that of used fields is judged as
    /// `serde_json::Value` does, and containers nested 128 deep along used paths are
    /// refused. With duplicate keys the last one wins, as in `serde_json::Value`.
    pub fn matches_json(&self, event_json: &str) -> Result<Vec<RuleId>, EventError> {
        with_scratch(|scratch| {
            scratch.begin(self);
            scratch
                .event
                .read_json(&self.trie, event_json)
                .map_err(|error| EventError::new(event_json, error))?;
            Ok(self.decide(scratch))
        })
    }

    /// The name a rule was added with.
    pub fn name(&self, id: RuleId) -> &str {
        &self.names[id.0]
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Candidates from the indexes, then verification.
    fn decide(&self, scratch: &mut Scratch) -> Vec<RuleId> {
        let Scratch {
            event,
            verify,
            memo,
            folds,
            conj_seen,
            rule_seen,
            candidates,
            pending,
            matched,
        } = scratch;
        event.assign_symbols(&self.symbols);
        // `candidates` and `matched` arrive empty: only `Scratch::begin` empties them,
        // together with their bits in `conj_seen` and `rule_seen`.
        pending.clear();
        let mut collect = Candidates {
            conj_seen,
            candidates,
            pending,
        };
        for &field in event.touched() {
            let index = &self.indexes[field as usize];
            if event.has_leaves(field) {
                // Presence and capture triggers are never exact: these entries carry no
                // proof yet, so none can come from a leaf inside an array.
                index.presence.iter().for_each(|&e| collect.add(e, true));
                for (_, leaf) in event.leaves_at(field) {
                    let clean = !leaf.in_array();
                    index.for_each_candidate(leaf, folds, &mut |e| collect.add(e, clean));
                }
            }
            if event.has_captures(field) {
                index.capture.iter().for_each(|&e| collect.add(e, true));
            }
        }
        self.always.iter().for_each(|&e| collect.add(e, true));
        while let Some((node, clean)) = collect.pending.pop() {
            self.splits[node as usize]
                .for_each_entry(event, clean, &mut |e, clean| collect.add(e, clean));
        }

        for &(entry, clean) in candidates.iter() {
            let owner = entry.owner;
            if owner & SHARED == 0 && rule_seen.contains(owner as usize) {
                // Another conjunction of the rule matched already.
                continue;
            }
            let program = if clean {
                entry.program
            } else {
                self.conjunctions[entry.target as usize].program
            };
            let holds = match self.programs.run(program, &self.conditions, event, memo) {
                Verdict::Holds => true,
                Verdict::Fails => false,
                Verdict::Unsure => {
                    let range = &self.conjunctions[entry.target as usize].conditions;
                    let conditions = &self.conditions[range.start as usize..range.end as usize];
                    conjunction_holds(conditions, event, verify)
                }
            };
            if !holds {
                continue;
            }
            let rules = if owner & SHARED == 0 {
                std::slice::from_ref(&owner)
            } else {
                &self.shared_rules[(owner & !SHARED) as usize][..]
            };
            for &rule in rules {
                if !rule_seen.put(rule as usize) {
                    matched.push(RuleId(rule as usize));
                }
            }
        }
        matched.sort_unstable();
        // One allocation of the exact size, instead of growing the result push by push.
        matched.clone()
    }
}

/// Collects candidate conjunctions from index entries, once each, and the decision-tree
/// nodes still to descend into. `clean`: the proofs the entry carries came from leaves
/// outside arrays (see `program.rs`).
struct Candidates<'a> {
    conj_seen: &'a mut FixedBitSet,
    candidates: &'a mut Vec<(Entry, bool)>,
    pending: &'a mut Vec<(u32, bool)>,
}

impl Candidates<'_> {
    #[inline]
    fn add(&mut self, entry: Entry, clean: bool) {
        if entry.target & SPLIT != 0 {
            self.pending.push((entry.target & !SPLIT, clean));
            return;
        }
        if !self.conj_seen.put(entry.target as usize) {
            self.candidates.push((entry, clean));
        }
    }
}

/// Per-thread buffers reused across events (and across rule sets: each call sizes them).
#[derive(Debug, Default)]
struct Scratch {
    event: EventLeaves,
    verify: VerifyBuffers,
    /// Test results of the current event (`program.rs`).
    memo: Memo,
    folds: FoldBuffers,
    /// Bit `c`: conjunction `c` is already a candidate of this event. The bits set are
    /// those of `candidates`, and [`Scratch::begin`] clears them again. A bit per
    /// conjunction stays in the first-level cache at ten thousand rules; a `u32` stamp
    /// per conjunction did not (callgrind counted 34 misses per event there, of 473).
    conj_seen: FixedBitSet,
    /// Bit `r`: rule `r` already matched this event; the bits set are those of `matched`.
    rule_seen: FixedBitSet,
    candidates: Vec<(Entry, bool)>,
    /// Decision-tree nodes ([`SplitNode`]) reached but not yet descended into.
    pending: Vec<(u32, bool)>,
    /// The rules matched so far.
    matched: Vec<RuleId>,
}

impl Scratch {
    fn begin(&mut self, rules: &RuleSet) {
        self.event.reset(rules.trie.len());
        // The previous event's bits, possibly of another rule set: the sets only grow,
        // so every bit set is in range.
        for (entry, _) in self.candidates.drain(..) {
            self.conj_seen.remove(entry.target as usize);
        }
        for rule in self.matched.drain(..) {
            self.rule_seen.remove(rule.0);
        }
        self.memo.begin(&rules.programs);
        self.conj_seen.grow(rules.conjunctions.len());
        self.rule_seen.grow(rules.names.len());
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

fn with_scratch<T>(run: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => run(&mut scratch),
        // Only reachable if matching re-entered itself on this thread; stay correct.
        Err(_) => run(&mut Scratch::default()),
    })
}
