//! Checking one candidate conjunction against an event's leaves.
//!
//! Values are judged by the pattern module's own [`Matcher::matches_scalar`], so the
//! semantics of every operator live in one place; this module adds only the bookkeeping
//! of *which* leaves satisfy each condition and whether a choice of them agrees on the
//! element of every array they share (`pattern::ast` defines that rule).

use memchr::memmem::Finder;
use serde_json::Value;

use super::flatten::{EventLeaves, TrailStep};
use super::path_trie::NodeId;
use crate::pattern::{Condition, Literal, Matcher};

/// Array consistency tracks one bit per condition in a `u64`. A conjunction with more
/// conditions than this has its bits handed out per event, only to the conditions that
/// something inside an array satisfies ([`compact_bits`]); past this many of those, in a
/// [`WideMask`], and past [`WideMask::BITS`], the exact search decides
/// ([`holds_by_search`]).
pub(crate) const MASK_BITS: usize = 64;

/// A condition, with its matchers sorted by how they are evaluated.
#[derive(Debug)]
pub(crate) struct CompiledCondition {
    pub(crate) field: NodeId,
    /// Judged per leaf with [`Matcher::matches_scalar`].
    pub(crate) scalar: Vec<Matcher>,
    /// `{"exists": true}`: any leaf.
    pub(crate) any_leaf: bool,
    /// `{"exists": false}`: satisfied when the field has no leaf that agrees with the
    /// array elements the conditions ranked before it chose.
    pub(crate) absent: bool,
    /// Place among its conjunction's conditions in AWS's key order
    /// ([`crate::pattern::Conjunction::key_ranks`]); its bit in array-consistency masks.
    pub(crate) rank: u32,
    /// Tencent `array` matchers: judged on each array at the path.
    pub(crate) arrays: Vec<Matcher>,
    /// `scalar`, as evaluated per leaf (string searchers built once).
    tests: Vec<ScalarTest>,
}

/// One scalar matcher as verification runs it: `wildcard` and `contain` with their
/// substring searchers prepared at build time (the pattern module builds one per call),
/// the rest through [`Matcher::matches_scalar`]. Same verdicts as `matches_scalar`.
#[derive(Debug)]
enum ScalarTest {
    /// Wildcard with at least two segments: `first*middle*...*last`.
    Wildcard {
        first: Box<str>,
        middle: Vec<Finder<'static>>,
        last: Box<str>,
    },
    /// `contain`: every needle occurs.
    Contain(Vec<Finder<'static>>),
    Matcher(Matcher),
}

impl ScalarTest {
    fn new(matcher: &Matcher) -> Self {
        let finder = |needle: &String| Finder::new(needle.as_bytes()).into_owned();
        match matcher {
            Matcher::Wildcard(wildcard) => match wildcard.segments.as_slice() {
                [first, middle @ .., last] => ScalarTest::Wildcard {
                    first: first.as_str().into(),
                    middle: middle.iter().map(finder).collect(),
                    last: last.as_str().into(),
                },
                _ => ScalarTest::Matcher(matcher.clone()),
            },
            Matcher::Contain(needles) => ScalarTest::Contain(needles.iter().map(finder).collect()),
            other => ScalarTest::Matcher(other.clone()),
        }
    }

    #[inline]
    fn matches(&self, leaf: &Value) -> bool {
        match self {
            ScalarTest::Matcher(matcher) => matcher.matches_scalar(leaf),
            ScalarTest::Wildcard {
                first,
                middle,
                last,
            } => {
                let Value::String(text) = leaf else {
                    return false;
                };
                if text.len() < first.len() + last.len()
                    || !text.starts_with(&**first)
                    || !text.ends_with(&**last)
                {
                    return false;
                }
                let mut rest = &text.as_bytes()[first.len()..text.len() - last.len()];
                for segment in middle {
                    match segment.find(rest) {
                        Some(at) => rest = &rest[at + segment.needle().len()..],
                        None => return false,
                    }
                }
                true
            }
            ScalarTest::Contain(needles) => {
                let Value::String(text) = leaf else {
                    return false;
                };
                needles
                    .iter()
                    .all(|needle| needle.find(text.as_bytes()).is_some())
            }
        }
    }
}

impl CompiledCondition {
    pub(crate) fn new(field: NodeId, condition: &Condition, rank: u32) -> Self {
        let mut compiled = CompiledCondition {
            field,
            scalar: Vec::new(),
            any_leaf: false,
            absent: false,
            rank,
            arrays: Vec::new(),
            tests: Vec::new(),
        };
        for matcher in &condition.matchers {
            match matcher {
                Matcher::Exists(true) => compiled.any_leaf = true,
                Matcher::Exists(false) => compiled.absent = true,
                Matcher::ArrayElement(_) => compiled.arrays.push(matcher.clone()),
                other => compiled.scalar.push(other.clone()),
            }
        }
        // Thousands of rules hold tens of thousands of conditions, nearly all with one
        // matcher: pushing leaves room for four.
        compiled.scalar.shrink_to_fit();
        compiled.arrays.shrink_to_fit();
        compiled.tests = compiled.scalar.iter().map(ScalarTest::new).collect();
        compiled
    }

    /// Whether leaves here are looked at (beyond "is there any").
    pub(crate) fn needs_leaf_values(&self) -> bool {
        !self.scalar.is_empty()
    }

    /// Whether the condition holds exactly when some leaf is a string equal to one of
    /// its `Exact` literals (so comparing leaf symbols decides it).
    pub(crate) fn only_exact_strings(&self) -> bool {
        !self.any_leaf
            && !self.absent
            && self.arrays.is_empty()
            && !self.scalar.is_empty()
            && self
                .scalar
                .iter()
                .all(|m| matches!(m, Matcher::Exact(Literal::String(_))))
    }

    /// Whether `other` is the same test: same field, same matchers.
    pub(crate) fn same_test(&self, other: &CompiledCondition) -> bool {
        self.field == other.field
            && self.any_leaf == other.any_leaf
            && self.absent == other.absent
            && self.scalar == other.scalar
            && self.arrays == other.arrays
    }

    /// Whether leaves here matter at all.
    pub(crate) fn needs_leaves(&self) -> bool {
        self.any_leaf || self.absent || !self.scalar.is_empty()
    }

    fn leaf_matches(&self, leaf: &Value) -> bool {
        self.any_leaf || self.tests.iter().any(|test| test.matches(leaf))
    }
}

/// One way to satisfy a condition that is inside some array: (condition bit, trail);
/// or, with `absent`, a leaf that must not agree with the elements chosen before the
/// `{"exists": false}` condition `bit`.
#[derive(Debug, Clone, Copy)]
struct Option_ {
    bit: u32,
    trail: (u32, u32),
    absent: bool,
}

/// Buffers reused from one verification to the next.
#[derive(Debug, Default)]
pub(crate) struct VerifyBuffers {
    options: Vec<Option_>,
    /// For conjunctions of more than [`MASK_BITS`] conditions: what each constrained
    /// condition (by rank) needs, before bits are handed out.
    wide_needs: Vec<(u32, Need)>,
}

/// How a condition that only something inside arrays satisfies can be satisfied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Nothing needed here: satisfied outside every array (or not constrained).
    Nothing,
    /// A leaf inside an array.
    Leaf,
    /// The absence of its leaves from the chosen elements.
    Absence,
    /// Either of those.
    Either,
}

/// How an event satisfies one condition on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Support {
    /// No leaf (or captured array) satisfies it.
    None,
    /// Only leaves inside arrays do: whether they agree with the other conditions'
    /// array elements is for [`conjunction_holds`] to say.
    InArrays,
    /// A leaf outside every array does (or the field is absent, for `exists: false`):
    /// that agrees with any choice of array elements.
    Clean,
}

/// Whether some leaf or captured array satisfies `condition`, and how (the per-condition
/// test of [`conjunction_holds`], without the bookkeeping for array consistency).
pub(crate) fn condition_support(condition: &CompiledCondition, event: &EventLeaves) -> Support {
    if condition.absent && !event.has_leaves(condition.field) {
        return Support::Clean;
    }
    // Absence can still hold when every leaf at the field is inside arrays: against the
    // elements the other conditions choose.
    let mut in_arrays = condition.absent && absence_is_possible(condition, event);
    for (_, depth) in satisfying_trails(condition, event) {
        if depth == 0 {
            return Support::Clean;
        }
        in_arrays = true;
    }
    if in_arrays {
        Support::InArrays
    } else {
        Support::None
    }
}

/// Whether every leaf at the field of an `{"exists": false}` condition is inside some
/// array, so that choosing other elements can leave it out. A leaf outside every array
/// agrees with any choice: then the field is present, whatever is chosen.
fn absence_is_possible(condition: &CompiledCondition, event: &EventLeaves) -> bool {
    event
        .leaves_at(condition.field)
        .all(|(_, leaf)| leaf.in_array())
}

/// The trail spans of the leaves and captured arrays at the condition's field that
/// satisfy one of its matchers (`exists: false` is for the caller: it holds by absence).
#[inline]
fn satisfying_trails<'e>(
    condition: &'e CompiledCondition,
    event: &'e EventLeaves,
) -> impl Iterator<Item = (u32, u32)> + 'e {
    let leaves = (condition.any_leaf || !condition.scalar.is_empty())
        .then(|| event.leaves_at(condition.field))
        .into_iter()
        .flatten()
        .filter(|(_, leaf)| condition.leaf_matches(&leaf.value))
        .map(|(_, leaf)| leaf.trail_span());
    let captures = (!condition.arrays.is_empty())
        .then(|| event.captures_at(condition.field))
        .into_iter()
        .flatten()
        .filter(|capture| {
            condition
                .arrays
                .iter()
                .any(|array| array.matches_array(&capture.value))
        })
        .map(|capture| capture.trail_span());
    leaves.chain(captures)
}

/// Whether the event satisfies every condition, with agreeing array elements.
pub(crate) fn conjunction_holds(
    conditions: &[CompiledCondition],
    event: &EventLeaves,
    buffers: &mut VerifyBuffers,
) -> bool {
    let VerifyBuffers {
        options,
        wide_needs,
    } = buffers;
    options.clear();
    wide_needs.clear();
    let wide = conditions.len() > MASK_BITS;
    // Conditions that only something inside arrays satisfies, by how: a leaf, the absence
    // of the leaves at the field from the chosen elements, or either. The others are
    // satisfied by a leaf outside every array (or by absence), which agrees with any
    // choice. (With more conditions than mask bits, kept by rank in `wide_needs`.)
    let mut needs = Needs::<u64>::default();
    let mut constrained = 0;
    'conditions: for condition in conditions {
        if condition.absent && !event.has_leaves(condition.field) {
            continue;
        }
        let bit = condition.rank;
        let start = options.len();
        for trail in satisfying_trails(condition, event) {
            if trail.1 == 0 {
                options.truncate(start);
                continue 'conditions;
            }
            options.push(Option_ {
                bit,
                trail,
                absent: false,
            });
        }
        let by_leaf = options.len() > start;
        let by_absence = condition.absent && absence_is_possible(condition, event);
        if by_absence {
            options.extend(event.leaves_at(condition.field).map(|(_, leaf)| Option_ {
                bit,
                trail: leaf.trail_span(),
                absent: true,
            }));
        }
        let need = match (by_leaf, by_absence) {
            (false, false) => return false,
            (true, false) => Need::Leaf,
            (false, true) => Need::Absence,
            (true, true) => Need::Either,
        };
        if wide {
            wide_needs.push((bit, need));
        } else {
            needs.add(bit, need);
        }
        constrained += 1;
    }
    let any_absence = if wide {
        wide_needs
            .iter()
            .any(|(_, need)| matches!(need, Need::Absence | Need::Either))
    } else {
        needs.absence | needs.either != 0
    };
    if !any_absence && constrained <= 1 {
        return true;
    }
    if any_absence {
        // A condition satisfied without choosing an element (by a leaf outside arrays,
        // or by absence when its field has no leaf at all) may still choose one of its
        // leaves (or arrays) inside an array instead, and so leave out another
        // element's leaf of an absence ranked after it (as AWS's search, trying every
        // leaf, does).
        for condition in conditions {
            let trails = || satisfying_trails(condition, event);
            let trivially_absent = condition.absent && !event.has_leaves(condition.field);
            if trivially_absent || trails().any(|(_, depth)| depth == 0) {
                options.extend(
                    trails()
                        .filter(|&(_, depth)| depth > 0)
                        .map(|trail| Option_ {
                            bit: condition.rank,
                            trail,
                            absent: false,
                        }),
                );
            }
        }
    }
    if !wide {
        return decide(options, &needs, event);
    }
    // More conditions than mask bits: bits for the conditions in play only, in rank
    // order (which keeps every "ranked before"); a condition without options never
    // enters a mask. Wider masks past 64 of them; past those, the exact search.
    let ranks = compact_bits(options);
    let compact = |rank: u32| ranks.partition_point(|&r| r < rank) as u32;
    if ranks.len() <= MASK_BITS {
        decide(
            options,
            &Needs::<u64>::compacted(wide_needs, compact),
            event,
        )
    } else if ranks.len() <= WideMask::BITS {
        decide(
            options,
            &Needs::<WideMask>::compacted(wide_needs, compact),
            event,
        )
    } else {
        let mut by_bit = vec![Need::Nothing; ranks.len()];
        for &(rank, need) in wide_needs.iter() {
            by_bit[compact(rank) as usize] = need;
        }
        let last = ranks.len() as u32 - 1;
        holds_by_search(
            options,
            &|bit| by_bit[bit as usize],
            last,
            &mut Vec::new(),
            event,
            0,
        )
    }
}

/// The rest of [`conjunction_holds`], once each condition in play has its bit: counts
/// what choices of array elements achieve ([`achievable`]), or tries them one by one
/// where counting gives up.
fn decide<M: Mask>(options: &mut [Option_], needs: &Needs<M>, event: &EventLeaves) -> bool {
    let trail = |o: &Option_| event.trail(o.trail);
    options.sort_unstable_by(|a, b| {
        trail(a)
            .cmp(trail(b))
            .then(a.bit.cmp(&b.bit))
            .then(a.absent.cmp(&b.absent))
    });
    // Beyond what element-by-element counting can follow (a hostile event's many
    // incomparable choices, or one path reaching sibling arrays), try each choice.
    let mut give_up = false;
    let holds = achievable::<M>(options, 0, event, &mut give_up)
        .iter()
        .any(|&(held, present)| {
            held & needs.leaf == needs.leaf
                && (present & needs.absence).is_empty()
                && (needs.either & present & !held).is_empty()
        });
    if !give_up {
        return holds;
    }
    let last = options.iter().map(|o| o.bit).max().unwrap_or(0);
    holds_by_search(
        options,
        &|bit| needs.of(bit),
        last,
        &mut Vec::new(),
        event,
        0,
    )
}

/// For a conjunction of more than [`MASK_BITS`] conditions: renumbers the options'
/// bits (ranks) to `0..n` in rank order, over the `n` conditions that have options, and
/// returns those ranks, sorted (a rank's new bit is its place among them).
fn compact_bits(options: &mut [Option_]) -> Vec<u32> {
    let mut ranks: Vec<u32> = options.iter().map(|o| o.bit).collect();
    ranks.sort_unstable();
    ranks.dedup();
    for option in options.iter_mut() {
        option.bit = ranks.partition_point(|&r| r < option.bit) as u32;
    }
    ranks
}

/// A set of conditions, one bit each: `u64` for up to 64 conditions in play (every
/// ordinary conjunction), [`WideMask`] past that.
trait Mask:
    Copy
    + Default
    + Eq
    + std::ops::BitOr<Output = Self>
    + std::ops::BitAnd<Output = Self>
    + std::ops::Not<Output = Self>
    + std::ops::BitOrAssign
{
    /// The set of condition `bit` alone.
    fn bit(bit: u32) -> Self;
    /// The conditions ranked before `bit`.
    fn below(bit: u32) -> Self;
    fn is_empty(self) -> bool;
    fn count(self) -> u32;
    /// The lowest condition in the set, if any.
    fn lowest(self) -> Option<u32>;
}

impl Mask for u64 {
    fn bit(bit: u32) -> Self {
        1 << bit
    }
    fn below(bit: u32) -> Self {
        (1 << bit) - 1
    }
    fn is_empty(self) -> bool {
        self == 0
    }
    fn count(self) -> u32 {
        self.count_ones()
    }
    fn lowest(self) -> Option<u32> {
        (self != 0).then(|| self.trailing_zeros())
    }
}

/// [`Mask`] of up to [`WideMask::BITS`] conditions in play.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct WideMask([u64; WIDE_WORDS]);

const WIDE_WORDS: usize = 16;

impl WideMask {
    const BITS: usize = 64 * WIDE_WORDS;

    fn zip(self, other: Self, op: impl Fn(u64, u64) -> u64) -> Self {
        let mut out = self;
        out.0
            .iter_mut()
            .zip(other.0)
            .for_each(|(a, b)| *a = op(*a, b));
        out
    }
}

impl std::ops::BitOr for WideMask {
    type Output = Self;
    fn bitor(self, other: Self) -> Self {
        self.zip(other, |a, b| a | b)
    }
}

impl std::ops::BitAnd for WideMask {
    type Output = Self;
    fn bitand(self, other: Self) -> Self {
        self.zip(other, |a, b| a & b)
    }
}

impl std::ops::Not for WideMask {
    type Output = Self;
    fn not(self) -> Self {
        WideMask(self.0.map(|word| !word))
    }
}

impl std::ops::BitOrAssign for WideMask {
    fn bitor_assign(&mut self, other: Self) {
        *self = *self | other;
    }
}

impl Mask for WideMask {
    fn bit(bit: u32) -> Self {
        let mut mask = WideMask::default();
        mask.0[bit as usize / 64] = 1 << (bit % 64);
        mask
    }
    fn below(bit: u32) -> Self {
        let mut mask = WideMask::default();
        let (word, rest) = (bit as usize / 64, bit % 64);
        mask.0[..word].fill(u64::MAX);
        if word < WIDE_WORDS {
            mask.0[word] = (1 << rest) - 1;
        }
        mask
    }
    fn is_empty(self) -> bool {
        self.0.iter().all(|&word| word == 0)
    }
    fn count(self) -> u32 {
        self.0.iter().map(|word| word.count_ones()).sum()
    }
    fn lowest(self) -> Option<u32> {
        let word = self.0.iter().position(|&word| word != 0)?;
        Some(word as u32 * 64 + self.0[word].trailing_zeros())
    }
}

/// Most sets of conditions the element-by-element count combines at one step before
/// [`conjunction_holds`] tries choices one by one instead.
const MAX_FAMILY: usize = 4096;

/// The conditions (bit masks) that only something inside arrays satisfies, by how.
#[derive(Debug, Default, Clone, Copy)]
struct Needs<M> {
    leaf: M,
    absence: M,
    either: M,
}

impl<M: Mask> Needs<M> {
    /// The needs of conditions by rank, each under its bit `compact(rank)`.
    fn compacted(by_rank: &[(u32, Need)], compact: impl Fn(u32) -> u32) -> Self {
        let mut needs = Self::default();
        for &(rank, need) in by_rank {
            needs.add(compact(rank), need);
        }
        needs
    }

    fn add(&mut self, bit: u32, need: Need) {
        let mask = M::bit(bit);
        match need {
            Need::Nothing => {}
            Need::Leaf => self.leaf |= mask,
            Need::Absence => self.absence |= mask,
            Need::Either => self.either |= mask,
        }
    }

    fn of(&self, bit: u32) -> Need {
        let has = |set: M| !(set & M::bit(bit)).is_empty();
        if has(self.leaf) {
            Need::Leaf
        } else if has(self.absence) {
            Need::Absence
        } else if has(self.either) {
            Need::Either
        } else {
            Need::Nothing
        }
    }
}

/// [`conjunction_holds`] by trying every choice, one condition at a time in key order
/// from rank `from` (as event-ruler and the reference evaluator do): exact however paths
/// alias, and exponential at worst, so used only where the element-by-element count
/// gives up or cannot count (more than [`MASK_BITS`] conditions in play). A condition's
/// choice fixes the elements of its arrays for the conditions after it, so a hostile
/// event's many incomparable choices are cut off early. `need` says what each rank
/// needs; `last` is the highest rank with options.
fn holds_by_search<'o>(
    options: &'o [Option_],
    need: &impl Fn(u32) -> Need,
    last: u32,
    chosen: &mut Vec<&'o Option_>,
    event: &EventLeaves,
    from: u32,
) -> bool {
    let Some(bit) = (from..=last).find(|&bit| options.iter().any(|o| o.bit == bit)) else {
        return true;
    };
    let agree = |a: &Option_, b: &Option_| {
        let b = event.trail(b.trail);
        event
            .trail(a.trail)
            .iter()
            .all(|&(array, index)| b.iter().all(|&(other, i)| other != array || i == index))
    };
    let fits = |o: &Option_, chosen: &[&Option_]| chosen.iter().all(|c| agree(c, o));
    for leaf in options.iter().filter(|o| o.bit == bit && !o.absent) {
        if fits(leaf, chosen) {
            chosen.push(leaf);
            let found = holds_by_search(options, need, last, chosen, event, bit + 1);
            chosen.pop();
            if found {
                return true;
            }
        }
    }
    // Absent when every leaf at the field disagrees with the choice so far; held
    // elsewhere (by a leaf outside arrays, not an option) when nothing here is needed.
    let absent = matches!(need(bit), Need::Absence | Need::Either)
        && !options
            .iter()
            .any(|o| o.bit == bit && o.absent && fits(o, chosen));
    let held_elsewhere = need(bit) == Need::Nothing;
    (absent || held_elsewhere) && holds_by_search(options, need, last, chosen, event, bit + 1)
}

/// The best (held, present) pairs of condition masks that options under one trail prefix
/// can give together, taking at most one element of each array: `held`, the conditions
/// satisfied; `present`, the `{"exists": false}` conditions with a leaf that still agrees
/// with the choice. `options` is sorted by trail and all share the same first `depth`
/// steps. Best means no other pair holds as much with as little present.
///
/// This is exact and polynomial in the number of options for a fixed number of
/// conditions (unlike backtracking over leaf choices, which a hostile event with many
/// array elements could make exponential), as long as the pairs stay few: past
/// [`MAX_FAMILY`], or when one condition's leaves sit in sibling arrays, it sets
/// `give_up` and [`holds_by_search`] decides.
///
/// A leaf in an element of an array is left out by choosing another element of that
/// array, but only when a condition ranked before the absence made that choice (AWS
/// checks absence in key order, against the elements chosen so far). Choosing no element
/// leaves every leaf inside the array present.
fn achievable<M: Mask>(
    options: &[Option_],
    depth: usize,
    event: &EventLeaves,
    give_up: &mut bool,
) -> Vec<(M, M)> {
    let step = |o: &Option_| -> Option<TrailStep> { event.trail(o.trail).get(depth).copied() };
    let (mut free_held, mut free_present) = (M::default(), M::default());
    let mut family: Vec<(M, M)> = vec![(M::default(), M::default())];
    let mut i = 0;
    while i < options.len() {
        let Some((array, _)) = step(&options[i]) else {
            if options[i].absent {
                free_present |= M::bit(options[i].bit);
            } else {
                free_held |= M::bit(options[i].bit);
            }
            i += 1;
            continue;
        };
        let mut end = i;
        while end < options.len() && step(&options[end]).is_some_and(|(a, _)| a == array) {
            end += 1;
        }
        // Per element: what choosing it achieves, and the absences with a leaf in it.
        let mut elements: Vec<(Vec<(M, M)>, M)> = Vec::new();
        let mut element_start = i;
        while element_start < end {
            let element = step(&options[element_start]);
            let mut element_end = element_start;
            while element_end < end && step(&options[element_end]) == element {
                element_end += 1;
            }
            let inside = &options[element_start..element_end];
            let leaves = inside
                .iter()
                .filter(|o| o.absent)
                .fold(M::default(), |bits, o| bits | M::bit(o.bit));
            elements.push((achievable(inside, depth + 1, event, give_up), leaves));
            element_start = element_end;
        }
        // The absences with a leaf in the elements before each one (and, below, after).
        let mut before = Vec::with_capacity(elements.len());
        let mut bits = M::default();
        for &(_, leaves) in &elements {
            before.push(bits);
            bits |= leaves;
        }
        let mut in_array: Vec<(M, M)> = vec![(M::default(), bits)];
        let mut after = M::default();
        for (chosen, (pairs, leaves)) in elements.iter().enumerate().rev() {
            let leaves = *leaves;
            let elsewhere = before[chosen] | after;
            for &(held, present) in pairs {
                in_array.push((held, present | not_left_out(elsewhere, held)));
            }
            after |= leaves;
        }
        keep_best(&mut in_array);
        if *give_up || family.len() * in_array.len() > MAX_FAMILY {
            *give_up = true;
            return Vec::new();
        }
        let mut combined = Vec::with_capacity(family.len() * in_array.len());
        for &(held_a, present_a) in &family {
            for &(held_b, present_b) in &in_array {
                // A condition held in two sibling arrays (one path reaching both, as a
                // dotted key beside nested ones can) would be choosing twice.
                *give_up |= !(held_a & held_b).is_empty();
                combined.push((held_a | held_b, present_a | present_b));
            }
        }
        keep_best(&mut combined);
        family = combined;
        i = end;
    }
    for (held, present) in &mut family {
        *held |= free_held;
        *present |= free_present;
    }
    family
}

/// The absence conditions among `absences` (with a leaf in an element not chosen) whose
/// leaf stays present: no condition ranked before them chose an element of the array.
fn not_left_out<M: Mask>(absences: M, held: M) -> M {
    let mut present = M::default();
    let mut rest = absences;
    while let Some(bit) = rest.lowest() {
        rest = rest & !M::bit(bit);
        if (held & M::below(bit)).is_empty() {
            present |= M::bit(bit);
        }
    }
    present
}

/// Drops duplicate pairs and pairs another one beats (holding at least as much with at
/// most as much present).
fn keep_best<M: Mask>(pairs: &mut Vec<(M, M)>) {
    pairs.sort_unstable_by_key(|&(held, present)| {
        (std::cmp::Reverse(held.count()), present.count())
    });
    pairs.dedup();
    let mut kept: Vec<(M, M)> = Vec::with_capacity(pairs.len());
    for &(held, present) in pairs.iter() {
        if !kept
            .iter()
            .any(|&(h, p)| h & held == held && p & present == p)
        {
            kept.push((held, present));
        }
    }
    *pairs = kept;
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::ScalarTest;
    use crate::pattern::{Dialect, Matcher, Pattern};
    use crate::ruleset::{RuleId, RuleSetBuilder};

    fn matcher(operand: Value) -> Matcher {
        let pattern = Pattern::from_value(&json!({ "f": [operand] }), Dialect::Default).unwrap();
        let mut conjunctions = pattern.conjunctions();
        conjunctions
            .remove(0)
            .conditions
            .remove(0)
            .matchers
            .remove(0)
    }

    #[test]
    fn prepared_wildcard_and_contain_agree_with_the_pattern_module() {
        let operands = [
            json!({"wildcard": "a*b*c"}),
            json!({"wildcard": "*ab*ba*"}),
            json!({"wildcard": "x*y*z*w"}),
            json!({"wildcard": "*é*"}),
            json!({"wildcard": "ab*"}),
            json!({"wildcard": "*"}),
            json!({"wildcard": "abc"}),
            json!({"contain": ["ab", "ba"]}),
            json!({"contain": "é"}),
        ];
        let leaves = [
            "abc", "abbc", "aXbYc", "ac", "abab", "aba", "xyzw", "xzyw", "xyyzzw", "é", "aéb",
            "ab", "", "bab", "abba",
        ];
        for operand in &operands {
            let matcher = matcher(operand.clone());
            let test = ScalarTest::new(&matcher);
            for leaf in leaves
                .iter()
                .map(|s| json!(s))
                .chain([json!(1), json!(null)])
            {
                assert_eq!(
                    test.matches(&leaf),
                    matcher.matches_scalar(&leaf),
                    "{operand} on {leaf}"
                );
            }
        }
    }

    /// Conditions the index or a decision-tree level proved from a leaf inside an array
    /// must still agree on the element. With the first rule alone, the anchor is proven
    /// and the rest checked. With all of them, the decoys make `k` values popular, so
    /// rules 0 and 1 are anchored on `m: q` and split on `k`: both of their conditions
    /// are proven, and nothing would be left to check if proofs from leaves inside
    /// arrays were trusted.
    #[test]
    fn proofs_from_leaves_inside_arrays_still_need_a_consistent_element() {
        let patterns: Vec<Pattern> = [
            json!({"items": {"k": ["x"], "m": ["q"]}}),
            json!({"items": {"k": ["y"], "m": ["q"]}}),
            json!({"items": {"k": ["x"]}, "other": [1]}),
            json!({"items": {"k": ["x"]}, "other": [2]}),
            json!({"items": {"k": ["y"]}, "other": [1]}),
            json!({"items": {"k": ["y"]}, "other": [2]}),
        ]
        .iter()
        .map(|p| Pattern::from_value(p, Dialect::Default).unwrap())
        .collect();
        let apart = json!({"items": [{"k": "x", "m": "r"}, {"k": "y", "m": "q"}]});
        let together = json!({"items": [{"k": "y", "m": "r"}, {"k": "x", "m": "q"}]});
        let flat = json!({"items": {"k": "x", "m": "q"}});
        let mixed = json!({"items": [{"k": "y", "m": "q"}, {"k": "x", "m": "r"}], "other": 1});
        // The rules each event matches, with the first rule alone and with all of them.
        let expected: [(&Value, [&[usize]; 2]); 4] = [
            (&apart, [&[], &[1]]),
            (&together, [&[0], &[0]]),
            (&flat, [&[0], &[0]]),
            (&mixed, [&[], &[1, 2, 4]]),
        ];
        for (which, rules) in [&patterns[..1], &patterns[..]].into_iter().enumerate() {
            let mut builder = RuleSetBuilder::new();
            for (i, pattern) in rules.iter().enumerate() {
                builder.add(&format!("r{i}"), pattern).unwrap();
            }
            let set = builder.build();
            for (event, per_set) in expected {
                let want: Vec<RuleId> = per_set[which].iter().copied().map(RuleId).collect();
                let reference: Vec<RuleId> = (0..rules.len())
                    .filter(|&i| rules[i].matches(event))
                    .map(RuleId)
                    .collect();
                assert_eq!(reference, want, "the reference evaluator on {event}");
                assert_eq!(set.matches(event), want, "{} rules on {event}", rules.len());
                assert_eq!(
                    set.matches_json(&event.to_string()).unwrap(),
                    want,
                    "{} rules on {event}",
                    rules.len()
                );
            }
        }
    }
}
