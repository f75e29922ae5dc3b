//! Check programs: what verification still has to look at for one candidate.
//!
//! A candidate arrives with some of its conditions already proven: the index trigger
//! that let it in, and every decision-tree group it was filed under, hold exactly when
//! one of the condition's matchers does (an exact value, a prefix, a numeric range...).
//! What is left is compiled into a short program of `u32` words, stored one after the
//! other for all candidates, so that verifying one reads a cache line or two of its own
//! instead of chasing the conditions' matchers and strings across the heap (at
//! thousands of rules, that chase was most of the cost of an event). A candidate with
//! nothing left carries [`PROVEN`] and matches without reading anything.
//!
//! Programs check exact strings and string `anything-but` lists by comparing leaf
//! symbols (`symbols.rs`); every other condition runs through [`condition_support`],
//! the same per-leaf test as [`super::verify::conjunction_holds`].
//!
//! Array elements: a condition satisfied by a leaf outside every array agrees with any
//! choice of elements, so a proof or a check counts only when its leaf is such a leaf.
//! Candidates reached through a leaf inside an array run their conjunction's full
//! program; a program that finds a condition satisfied only inside arrays answers
//! [`Verdict::Unsure`], and the caller runs the exact array-consistency check.
//!
//! Layout of the program at offset `p`: `code[p]` is its number of steps; each step is a
//! header word (kind in the low 8 bits, operand count above), the field, the operands
//! (sorted symbols, or one condition index for [`GENERAL`]).

use rustc_hash::FxHashMap;

use super::flatten::{EventLeaves, Leaf};
use super::path_trie::NodeId;
use super::symbols::{Symbols, NO_SYMBOL};
use super::verify::{condition_support, CompiledCondition, Support};
use super::CompiledConjunction;
use crate::pattern::{AnythingBut, Literal, Matcher};

/// The program of a candidate whose conditions are all proven.
pub(crate) const PROVEN: u32 = u32::MAX;

/// Some leaf's symbol is one of the operands (a condition of exact strings).
const ANY_OF: u32 = 0;
/// Some leaf's symbol is none of the operands (`anything-but` a list of strings).
const NONE_OF: u32 = 1;
/// The operand is a condition index: [`condition_support`].
const GENERAL: u32 = 2;

/// The result of running a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Holds,
    Fails,
    /// Every condition is satisfied, some only inside arrays: check element consistency.
    Unsure,
}

/// One condition as a program step.
#[derive(Debug, Clone)]
struct Step {
    kind: u32,
    field: NodeId,
    operands: Vec<u32>,
}

impl Step {
    fn of(index: u32, condition: &CompiledCondition, symbols: &Symbols) -> Step {
        let symbols_of = |texts: &mut dyn Iterator<Item = &str>| -> Vec<u32> {
            let mut out: Vec<u32> = texts.map(|t| symbols.get(condition.field, t)).collect();
            // An unnumbered string would compare equal to every non-string leaf.
            debug_assert!(!out.contains(&NO_SYMBOL), "strings_to_intern missed one");
            out.sort_unstable();
            out.dedup();
            out
        };
        let plain = !condition.any_leaf && !condition.absent && condition.arrays.is_empty();
        if plain && condition.only_exact_strings() {
            let operands = symbols_of(&mut condition.scalar.iter().filter_map(|m| match m {
                Matcher::Exact(Literal::String(s)) => Some(s.as_str()),
                _ => None,
            }));
            return Step {
                kind: ANY_OF,
                field: condition.field,
                operands,
            };
        }
        if let [Matcher::AnythingBut(AnythingBut::Literals(literals))] = condition.scalar.as_slice()
        {
            let strings: Option<Vec<&str>> = literals
                .iter()
                .map(|l| match l {
                    Literal::String(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            if let (true, Some(strings)) = (plain, strings) {
                return Step {
                    kind: NONE_OF,
                    field: condition.field,
                    operands: symbols_of(&mut strings.into_iter()),
                };
            }
        }
        Step {
            kind: GENERAL,
            field: condition.field,
            operands: vec![index],
        }
    }
}

/// Strings a condition needs symbols for (to be interned before programs are built).
pub(crate) fn strings_to_intern(condition: &CompiledCondition) -> impl Iterator<Item = &str> {
    condition.scalar.iter().flat_map(|matcher| {
        let texts: Vec<&str> = match matcher {
            Matcher::Exact(Literal::String(s)) => vec![s.as_str()],
            Matcher::AnythingBut(AnythingBut::Literals(literals)) => literals
                .iter()
                .filter_map(|l| match l {
                    Literal::String(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        texts
    })
}

/// Builds the programs of a rule set, each (conjunction, proven conditions) once.
pub(crate) struct ProgramBuilder<'a> {
    conjunctions: &'a [CompiledConjunction],
    /// Per condition (global index): its step.
    steps: Vec<Step>,
    code: Vec<u32>,
    memo: FxHashMap<(u32, u64), u32>,
    /// Program offset → the proven mask it was built for.
    proven_of: FxHashMap<u32, u64>,
}

impl<'a> ProgramBuilder<'a> {
    pub(crate) fn new(
        conjunctions: &'a [CompiledConjunction],
        conditions: &[CompiledCondition],
        symbols: &Symbols,
    ) -> Self {
        let steps = conditions
            .iter()
            .enumerate()
            .map(|(i, c)| Step::of(i as u32, c, symbols))
            .collect();
        ProgramBuilder {
            conjunctions,
            steps,
            code: Vec::new(),
            memo: FxHashMap::default(),
            proven_of: FxHashMap::default(),
        }
    }

    /// The program checking the conditions of `conj` not in `proven` (bit `i`: its
    /// `i`th condition). Cheap, selective steps first: exact strings, then string
    /// `anything-but`, then the rest in the conjunction's order.
    pub(crate) fn program(&mut self, conj: u32, proven: u64) -> u32 {
        let range = self.conjunctions[conj as usize].conditions.clone();
        let all = full_mask(range.len());
        if proven & all == all {
            return PROVEN;
        }
        if let Some(&at) = self.memo.get(&(conj, proven & all)) {
            return at;
        }
        let mut left: Vec<&Step> = range
            .clone()
            .enumerate()
            .filter(|(i, _)| proven & (1u64 << i) == 0)
            .map(|(_, c)| &self.steps[c as usize])
            .collect();
        left.sort_by_key(|step| step.kind);
        let at = self.code.len() as u32;
        self.code.push(left.len() as u32);
        for step in left {
            self.code
                .push(step.kind | ((step.operands.len() as u32) << 8));
            self.code.push(step.field);
            self.code.extend_from_slice(&step.operands);
        }
        self.memo.insert((conj, proven & all), at);
        self.proven_of.insert(at, proven & all);
        at
    }

    /// The conditions of `conj` that `program` (one of its programs) takes as proven.
    pub(crate) fn proven(&self, conj: u32, program: u32) -> u64 {
        if program == PROVEN {
            let len = self.conjunctions[conj as usize].conditions.len();
            return full_mask(len);
        }
        self.proven_of.get(&program).copied().unwrap_or(0)
    }

    pub(crate) fn finish(self) -> Vec<u32> {
        self.code
    }
}

fn full_mask(len: usize) -> u64 {
    if len >= 64 {
        u64::MAX
    } else {
        (1u64 << len) - 1
    }
}

/// Runs the program at `program` on the event.
#[inline]
pub(crate) fn run(
    code: &[u32],
    program: u32,
    conditions: &[CompiledCondition],
    event: &EventLeaves,
) -> Verdict {
    if program == PROVEN {
        return Verdict::Holds;
    }
    let mut at = program as usize;
    let steps = code[at];
    at += 1;
    let mut unsure = false;
    for _ in 0..steps {
        let header = code[at];
        let field = code[at + 1];
        let len = (header >> 8) as usize;
        let operands = &code[at + 2..at + 2 + len];
        at += 2 + len;
        let support = match header & 0xff {
            ANY_OF => leaf_support(event, field, |leaf| operands.contains(&leaf.symbol)),
            NONE_OF => leaf_support(event, field, |leaf| !operands.contains(&leaf.symbol)),
            _ => condition_support(&conditions[operands[0] as usize], event),
        };
        match support {
            Support::None => return Verdict::Fails,
            Support::InArrays => unsure = true,
            Support::Clean => {}
        }
    }
    if unsure {
        Verdict::Unsure
    } else {
        Verdict::Holds
    }
}

#[inline]
fn leaf_support(event: &EventLeaves, field: NodeId, holds: impl Fn(&Leaf) -> bool) -> Support {
    let mut in_arrays = false;
    for (_, leaf) in event.leaves_at(field) {
        if holds(leaf) {
            if leaf.in_array() {
                in_arrays = true;
            } else {
                return Support::Clean;
            }
        }
    }
    if in_arrays {
        Support::InArrays
    } else {
        Support::None
    }
}
