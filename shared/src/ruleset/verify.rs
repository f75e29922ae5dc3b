//! Checking one candidate conjunction against an event's leaves.
//!
//! Values are judged by the pattern module's own [`Matcher::matches_scalar`], so the
//! semantics of every operator live in one place; this module adds only the bookkeeping
//! of *which* leaves satisfy each condition and whether a choice of them agrees on the
//! element of every array they share (`pattern::ast` defines that rule).

use serde_json::Value;

use super::flatten::{EventLeaves, TrailStep};
use super::path_trie::NodeId;
use crate::pattern::{Condition, Matcher};

/// Most conditions one conjunction may have: array consistency tracks one bit each.
pub(crate) const MAX_CONDITIONS: usize = 64;

/// A condition, with its matchers sorted by how they are evaluated.
#[derive(Debug)]
pub(crate) struct CompiledCondition {
    pub(crate) field: NodeId,
    /// Judged per leaf with [`Matcher::matches_scalar`].
    pub(crate) scalar: Vec<Matcher>,
    /// `{"exists": true}`: any leaf.
    pub(crate) any_leaf: bool,
    /// `{"exists": false}`: satisfied when the field has no leaf.
    pub(crate) absent: bool,
    /// Tencent `array` matchers: judged on each array at the path.
    pub(crate) arrays: Vec<Matcher>,
}

impl CompiledCondition {
    pub(crate) fn new(field: NodeId, condition: &Condition) -> Self {
        let mut compiled = CompiledCondition {
            field,
            scalar: Vec::new(),
            any_leaf: false,
            absent: false,
            arrays: Vec::new(),
        };
        for matcher in &condition.matchers {
            match matcher {
                Matcher::Exists(true) => compiled.any_leaf = true,
                Matcher::Exists(false) => compiled.absent = true,
                Matcher::ArrayElement(_) => compiled.arrays.push(matcher.clone()),
                other => compiled.scalar.push(other.clone()),
            }
        }
        compiled
    }

    /// Whether leaves here are looked at (beyond "is there any").
    pub(crate) fn needs_leaf_values(&self) -> bool {
        !self.scalar.is_empty()
    }

    /// Whether leaves here matter at all.
    pub(crate) fn needs_leaves(&self) -> bool {
        self.any_leaf || self.absent || !self.scalar.is_empty()
    }

    fn leaf_matches(&self, leaf: &Value) -> bool {
        self.any_leaf || self.scalar.iter().any(|m| m.matches_scalar(leaf))
    }
}

/// One way to satisfy a condition that is inside some array: (condition bit, trail).
#[derive(Debug, Clone, Copy)]
struct Option_ {
    bit: u32,
    trail: (u32, u32),
}

/// Buffers reused from one verification to the next.
#[derive(Debug, Default)]
pub(crate) struct VerifyBuffers {
    options: Vec<Option_>,
}

/// Whether the event satisfies every condition, with agreeing array elements.
pub(crate) fn conjunction_holds(
    conditions: &[CompiledCondition],
    event: &EventLeaves,
    buffers: &mut VerifyBuffers,
) -> bool {
    let options = &mut buffers.options;
    options.clear();
    // Conditions that only some in-array leaf satisfies; the others are satisfied by a
    // leaf outside every array (or by absence), which agrees with any choice.
    let mut constrained = 0u32;
    'conditions: for condition in conditions {
        if condition.absent && !event.has_leaves(condition.field) {
            continue;
        }
        let start = options.len();
        if condition.any_leaf || !condition.scalar.is_empty() {
            for (_, leaf) in event.leaves_at(condition.field) {
                if condition.leaf_matches(&leaf.value) {
                    if leaf.trail_span().1 == 0 {
                        options.truncate(start);
                        continue 'conditions;
                    }
                    options.push(Option_ {
                        bit: constrained,
                        trail: leaf.trail_span(),
                    });
                }
            }
        }
        if !condition.arrays.is_empty() {
            for capture in event.captures_at(condition.field) {
                if condition
                    .arrays
                    .iter()
                    .any(|array| array.matches_array(&capture.value))
                {
                    if capture.trail_span().1 == 0 {
                        options.truncate(start);
                        continue 'conditions;
                    }
                    options.push(Option_ {
                        bit: constrained,
                        trail: capture.trail_span(),
                    });
                }
            }
        }
        if options.len() == start {
            return false;
        }
        constrained += 1;
    }
    if constrained <= 1 {
        return true;
    }
    let trail = |o: &Option_| event.trail(o.trail);
    options.sort_unstable_by(|a, b| trail(a).cmp(trail(b)).then(a.bit.cmp(&b.bit)));
    let full = if constrained as usize >= MAX_CONDITIONS {
        u64::MAX
    } else {
        (1u64 << constrained) - 1
    };
    achievable(options, 0, event).contains(&full)
}

/// The maximal sets of conditions (bit masks) that options under one trail prefix can
/// satisfy together, taking at most one element of each array. `options` is sorted by
/// trail and all share the same first `depth` steps.
///
/// This is exact and polynomial in the number of options for a fixed number of
/// conditions (unlike backtracking over leaf choices, which a hostile event with many
/// array elements could make exponential).
fn achievable(options: &[Option_], depth: usize, event: &EventLeaves) -> Vec<u64> {
    let step = |o: &Option_| -> Option<TrailStep> { event.trail(o.trail).get(depth).copied() };
    let mut free = 0u64;
    let mut family: Vec<u64> = vec![0];
    let mut i = 0;
    while i < options.len() {
        let Some((array, _)) = step(&options[i]) else {
            free |= 1u64 << options[i].bit;
            i += 1;
            continue;
        };
        // Options inside this array, grouped by element.
        let mut end = i;
        while end < options.len() && step(&options[end]).is_some_and(|(a, _)| a == array) {
            end += 1;
        }
        let mut in_array: Vec<u64> = Vec::new();
        let mut element_start = i;
        while element_start < end {
            let element = step(&options[element_start]);
            let mut element_end = element_start;
            while element_end < end && step(&options[element_end]) == element {
                element_end += 1;
            }
            in_array.extend(achievable(
                &options[element_start..element_end],
                depth + 1,
                event,
            ));
            element_start = element_end;
        }
        keep_maximal(&mut in_array);
        let mut combined = Vec::with_capacity(family.len() * in_array.len());
        for &a in &family {
            for &b in &in_array {
                combined.push(a | b);
            }
        }
        keep_maximal(&mut combined);
        family = combined;
        i = end;
    }
    for mask in &mut family {
        *mask |= free;
    }
    family
}

/// Drops duplicate masks and masks contained in another one.
fn keep_maximal(masks: &mut Vec<u64>) {
    masks.sort_unstable_by_key(|m| std::cmp::Reverse(m.count_ones()));
    masks.dedup();
    let mut kept: Vec<u64> = Vec::with_capacity(masks.len());
    for &mask in masks.iter() {
        if !kept.iter().any(|&k| k & mask == mask) {
            kept.push(mask);
        }
    }
    *masks = kept;
}
