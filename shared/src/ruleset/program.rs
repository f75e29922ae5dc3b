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
//! symbols (`symbols.rs`), and a lone case-sensitive `prefix` or `cidr` with operands
//! kept beside the programs; every other condition runs through [`condition_support`],
//! the same per-leaf test as [`super::verify::conjunction_holds`].
//!
//! Array elements: a condition satisfied by a leaf outside every array agrees with any
//! choice of elements, so a proof or a check counts only when its leaf is such a leaf.
//! Candidates reached through a leaf inside an array run their conjunction's full
//! program; a program that finds a condition satisfied only inside arrays answers
//! [`Verdict::Unsure`], and the caller runs the exact array-consistency check.
//!
//! Conditions repeat: ten thousand rules hold some forty thousand conditions but only a
//! few thousand distinct ones (`actionType: Write`, one `source`, `contain: Terraform`).
//! Each distinct condition becomes one [`Test`]; a program is the list of its test ids,
//! and a test's result is kept for the rest of the event ([`Memo`]), so an event judges
//! each test at most once however many candidates share it, and the programs of all
//! rules stay small enough to live in cache.
//!
//! Layout of the program at offset `p`: `code[p]` is its number of tests, the test ids
//! follow. A program of one test is not stored at all: its reference is
//! [`INLINE`] `| test`, which spares a read of `code`, mostly a cache miss once there are
//! thousands of rules.

use ipnet::IpNet;
use rustc_hash::FxHashMap;
use serde_json::Value;

use super::flatten::{EventLeaves, Leaf};
use super::path_trie::NodeId;
use super::symbols::{Symbols, NO_SYMBOL};
use super::verify::{condition_support, CompiledCondition, Support, MASK_BITS};
use super::CompiledConjunction;
use crate::pattern::cidr::cidr_contains;
use crate::pattern::{AnythingBut, Literal, Matcher};

/// The program of a candidate whose conditions are all proven.
pub(crate) const PROVEN: u32 = u32::MAX;

/// Marks a program of one test held in its reference (`INLINE | test`); offsets into
/// `code` stay below it.
const INLINE: u32 = 1 << 31;

/// Some leaf's symbol is one of the operands (a condition of exact strings).
const ANY_OF: u32 = 0;
/// Some leaf's symbol is none of the operands (`anything-but` a list of strings).
const NONE_OF: u32 = 1;
/// Some string leaf starts with the operand bytes (a case-sensitive `prefix`).
const PREFIX: u32 = 2;
/// Some string leaf is an address inside the operand block (`cidr`).
const CIDR: u32 = 3;
/// The operand is a condition index: [`condition_support`].
const GENERAL: u32 = 4;

/// The result of running a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Holds,
    Fails,
    /// Every condition is satisfied, some only inside arrays: check element consistency.
    Unsure,
}

/// What one condition asks of an event, shared by every condition that asks the same.
#[derive(Debug, Clone, Copy)]
struct Test {
    kind: u32,
    field: NodeId,
    /// [`ANY_OF`], [`NONE_OF`]: where the sorted symbols start in the operand pool;
    /// [`PREFIX`]: where the prefix starts in the byte pool; [`CIDR`]: the block's
    /// index; [`GENERAL`]: the index of one of the conditions this test stands for.
    start: u32,
    /// [`ANY_OF`], [`NONE_OF`]: how many symbols; [`PREFIX`]: how many bytes.
    len: u32,
}

/// A test as built: the key that identifies it among the tests of a rule set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum TestKey {
    /// (kind, field, sorted symbols).
    Symbols(u32, NodeId, Vec<u32>),
    Prefix(NodeId, String),
    Cidr(NodeId, IpNet),
    /// The debug text of a condition's field and matchers. Matchers have no `Hash`
    /// (their numbers are `f64`), so equal keys are confirmed with
    /// [`CompiledCondition::same_test`].
    General(String),
}

fn test_key(condition: &CompiledCondition, symbols: &Symbols) -> TestKey {
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
        return TestKey::Symbols(ANY_OF, condition.field, operands);
    }
    match condition.scalar.as_slice() {
        // The two operators whose conditions are checked most often after exact strings:
        // their operands live in the programs' own pools instead of behind the condition.
        [Matcher::Prefix {
            value,
            ignore_case: false,
        }] if plain => return TestKey::Prefix(condition.field, value.clone()),
        [Matcher::Cidr(net)] if plain => return TestKey::Cidr(condition.field, *net),
        _ => {}
    }
    if let [Matcher::AnythingBut(AnythingBut::Literals(literals))] = condition.scalar.as_slice() {
        let strings: Option<Vec<&str>> = literals
            .iter()
            .map(|l| match l {
                Literal::String(s) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        if let (true, Some(strings)) = (plain, strings) {
            return TestKey::Symbols(
                NONE_OF,
                condition.field,
                symbols_of(&mut strings.into_iter()),
            );
        }
    }
    let CompiledCondition {
        field,
        scalar,
        any_leaf,
        absent,
        arrays,
        ..
    } = condition;
    TestKey::General(format!("{field} {scalar:?} {any_leaf} {absent} {arrays:?}"))
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
    /// Per condition (global index): its test.
    test_of: Vec<u32>,
    programs: Programs,
    /// (conjunction, proven mask) → its program.
    built: FxHashMap<(u32, u64), u32>,
    /// (conjunction, program) → the proven mask it was built for (inline programs of
    /// one test are shared by conjunctions, so the program alone does not say).
    proven_of: FxHashMap<(u32, u32), u64>,
}

impl<'a> ProgramBuilder<'a> {
    pub(crate) fn new(
        conjunctions: &'a [CompiledConjunction],
        conditions: &[CompiledCondition],
        symbols: &Symbols,
    ) -> Self {
        let mut programs = Programs::default();
        let mut known: FxHashMap<TestKey, Vec<u32>> = FxHashMap::default();
        let mut test_of = Vec::with_capacity(conditions.len());
        for (index, condition) in conditions.iter().enumerate() {
            let index = index as u32;
            let key = test_key(condition, symbols);
            let same = known.entry(key.clone()).or_default();
            let found = same.iter().copied().find(|&test| match key {
                TestKey::Symbols(..) | TestKey::Prefix(..) | TestKey::Cidr(..) => true,
                TestKey::General(_) => {
                    let other = programs.tests[test as usize].start;
                    conditions[other as usize].same_test(condition)
                }
            });
            let test = match found {
                Some(test) => test,
                None => {
                    let test = programs.tests.len() as u32;
                    programs.tests.push(match key {
                        TestKey::Symbols(kind, field, operands) => {
                            let start = programs.operands.len() as u32;
                            programs.operands.extend_from_slice(&operands);
                            Test {
                                kind,
                                field,
                                start,
                                len: operands.len() as u32,
                            }
                        }
                        TestKey::Prefix(field, prefix) => {
                            let start = programs.bytes.len() as u32;
                            programs.bytes.extend_from_slice(prefix.as_bytes());
                            Test {
                                kind: PREFIX,
                                field,
                                start,
                                len: prefix.len() as u32,
                            }
                        }
                        TestKey::Cidr(field, net) => {
                            programs.nets.push(net);
                            Test {
                                kind: CIDR,
                                field,
                                start: programs.nets.len() as u32 - 1,
                                len: 0,
                            }
                        }
                        TestKey::General(_) => Test {
                            kind: GENERAL,
                            field: condition.field,
                            start: index,
                            len: 0,
                        },
                    });
                    same.push(test);
                    test
                }
            };
            test_of.push(test);
        }
        ProgramBuilder {
            conjunctions,
            test_of,
            programs,
            built: FxHashMap::default(),
            proven_of: FxHashMap::default(),
        }
    }

    /// The program checking the conditions of `conj` not in `proven` (bit `i`: its
    /// `i`th condition). Cheap, selective tests first: exact strings, string
    /// `anything-but`, prefixes, blocks, then the rest in the conjunction's order.
    pub(crate) fn program(&mut self, conj: u32, proven: u64) -> u32 {
        let range = self.conjunctions[conj as usize].conditions.clone();
        let all = full_mask(range.len());
        if range.len() <= MASK_BITS && proven & all == all {
            return PROVEN;
        }
        if let Some(&at) = self.built.get(&(conj, proven & all)) {
            return at;
        }
        let tests = &self.programs.tests;
        let mut left: Vec<u32> = range
            .clone()
            .enumerate()
            .filter(|&(i, _)| !is_proven(proven, i))
            .map(|(_, c)| self.test_of[c as usize])
            .collect();
        // Stable: within a kind, the conjunction's order (its anchor first).
        left.sort_by_key(|&test| tests[test as usize].kind);
        let mut seen = Vec::with_capacity(left.len());
        left.retain(|test| {
            let first = !seen.contains(test);
            seen.push(*test);
            first
        });
        let at = match left[..] {
            [test] if test < INLINE - 1 => INLINE | test,
            _ => {
                let code = &mut self.programs.code;
                let at = u32::try_from(code.len())
                    .ok()
                    .filter(|&at| at < INLINE)
                    .expect("check programs of a rule set fit in 2^31 words");
                code.push(left.len() as u32);
                code.extend_from_slice(&left);
                at
            }
        };
        self.built.insert((conj, proven & all), at);
        self.proven_of.insert((conj, at), proven & all);
        at
    }

    /// The conditions of `conj` that `program` (one of its programs) takes as proven.
    pub(crate) fn proven(&self, conj: u32, program: u32) -> u64 {
        if program == PROVEN {
            let len = self.conjunctions[conj as usize].conditions.len();
            return full_mask(len);
        }
        self.proven_of.get(&(conj, program)).copied().unwrap_or(0)
    }

    pub(crate) fn finish(self) -> Programs {
        let mut programs = self.programs;
        programs.code.shrink_to_fit();
        programs.tests.shrink_to_fit();
        programs
    }
}

/// Every program of a rule set, and the tests they name.
#[derive(Debug, Default)]
pub(crate) struct Programs {
    code: Vec<u32>,
    tests: Vec<Test>,
    /// The symbols of [`ANY_OF`] and [`NONE_OF`] tests.
    operands: Vec<u32>,
    /// The text of [`PREFIX`] tests.
    bytes: Vec<u8>,
    /// The blocks of [`CIDR`] tests.
    nets: Vec<IpNet>,
}

/// The proven mask of the first `len` conditions (all of them, up to [`MASK_BITS`]).
fn full_mask(len: usize) -> u64 {
    if len >= MASK_BITS {
        u64::MAX
    } else {
        (1u64 << len) - 1
    }
}

/// Whether condition `i` of a conjunction is in its `proven` mask. Only the first
/// [`MASK_BITS`] conditions have a bit; the others are never taken as proven, so a
/// conjunction of more conditions always runs a program with them.
pub(crate) fn is_proven(proven: u64, i: usize) -> bool {
    i < MASK_BITS && proven & (1u64 << i) != 0
}

/// Per-event results of tests: a byte per test, [`UNJUDGED`] or an encoded [`Support`].
/// The tests judged are listed, and [`Memo::begin`] resets only those: a byte per test
/// keeps the table small enough to stay in cache at ten thousand rules.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    results: Vec<u8>,
    judged: Vec<u32>,
}

/// A test not judged on the current event yet.
const UNJUDGED: u8 = 0;

impl Memo {
    /// Forgets the previous event's results and sizes the table for `programs`' tests
    /// (tables only grow, so the previous event's tests are in range).
    pub(crate) fn begin(&mut self, programs: &Programs) {
        for test in self.judged.drain(..) {
            self.results[test as usize] = UNJUDGED;
        }
        if self.results.len() < programs.tests.len() {
            self.results.resize(programs.tests.len(), UNJUDGED);
        }
    }
}

fn encode(support: Support) -> u8 {
    match support {
        Support::None => 1,
        Support::InArrays => 2,
        Support::Clean => 3,
    }
}

fn decode(code: u8) -> Support {
    match code {
        1 => Support::None,
        2 => Support::InArrays,
        _ => Support::Clean,
    }
}

impl Programs {
    /// Runs the program at `program` on the event (`memo`: its results so far).
    #[inline]
    pub(crate) fn run(
        &self,
        program: u32,
        conditions: &[CompiledCondition],
        event: &EventLeaves,
        memo: &mut Memo,
    ) -> Verdict {
        if program == PROVEN {
            return Verdict::Holds;
        }
        let single = program & !INLINE;
        let tests = if program & INLINE != 0 {
            std::slice::from_ref(&single)
        } else {
            let at = program as usize;
            let len = self.code[at] as usize;
            &self.code[at + 1..at + 1 + len]
        };
        let mut unsure = false;
        for &test in tests {
            let remembered = memo.results[test as usize];
            let support = if remembered != UNJUDGED {
                decode(remembered)
            } else {
                let support = self.judge(self.tests[test as usize], conditions, event);
                memo.results[test as usize] = encode(support);
                memo.judged.push(test);
                support
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

    fn judge(&self, test: Test, conditions: &[CompiledCondition], event: &EventLeaves) -> Support {
        let operands = || &self.operands[test.start as usize..(test.start + test.len) as usize];
        match test.kind {
            ANY_OF => leaf_support(event, test.field, |leaf| operands().contains(&leaf.symbol)),
            NONE_OF => leaf_support(event, test.field, |leaf| !operands().contains(&leaf.symbol)),
            PREFIX => {
                let prefix = &self.bytes[test.start as usize..(test.start + test.len) as usize];
                leaf_support(event, test.field, |leaf| match &leaf.value {
                    Value::String(s) => s.as_bytes().starts_with(prefix),
                    _ => false,
                })
            }
            CIDR => {
                let net = &self.nets[test.start as usize];
                leaf_support(event, test.field, |leaf| match &leaf.value {
                    Value::String(s) => cidr_contains(net, s),
                    _ => false,
                })
            }
            _ => condition_support(&conditions[test.start as usize], event),
        }
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
