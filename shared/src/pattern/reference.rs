//! The reference evaluator: the semantics of `ast.rs`, written to be obviously right
//! rather than fast. The compiled `RuleSet` is tested against it.

use serde_json::Value;

#[cfg(doc)]
use super::ast::Conjunction;
use super::ast::{Condition, Matcher, Pattern};
use super::matcher::element_has_pairs;

/// Which element of which array a leaf sits in: `(array number, element index)` for each
/// array on the way, outermost first. Arrays are numbered in the order they are met.
type Trail = Vec<(usize, usize)>;

/// A scalar of the event, with its path (keys split at dots).
struct Leaf<'a> {
    path: Vec<&'a str>,
    value: &'a Value,
    trail: Trail,
}

/// An array of the event (for Tencent `array`), with the trail that leads to it.
struct ArrayNode<'a> {
    path: Vec<&'a str>,
    items: &'a [Value],
    trail: Trail,
}

#[derive(Default)]
struct Flattened<'a> {
    leaves: Vec<Leaf<'a>>,
    arrays: Vec<ArrayNode<'a>>,
    next_array: usize,
}

impl Pattern {
    /// Whether the event matches: some conjunction ([`Pattern::conjunctions`]) has every
    /// condition satisfied by leaves that agree on the element of every array they share,
    /// each absence judged against the elements chosen by the conditions before it in
    /// key order ([`Conjunction::key_ranks`]).
    pub fn matches(&self, event: &Value) -> bool {
        let mut flat = Flattened::default();
        flatten(event, &mut Vec::new(), &mut Vec::new(), &mut flat);
        self.conjunctions().iter().any(|conjunction| {
            let ranks = conjunction.key_ranks();
            let mut options = vec![Vec::new(); conjunction.conditions.len()];
            for (condition, rank) in conjunction.conditions.iter().zip(ranks) {
                let found = satisfying(condition, &flat);
                if found.is_empty() {
                    return false;
                }
                options[rank] = found;
            }
            consistent_choice(&options, &mut Vec::new())
        })
    }
}

/// One way to satisfy a condition.
#[derive(Clone, PartialEq)]
enum Way<'f> {
    /// A leaf (or array) in the elements of this trail.
    At(&'f Trail),
    /// `{"exists": false}`: none of the leaves at the path (their trails here) agrees
    /// with the elements chosen so far.
    Absent(Vec<&'f Trail>),
}

fn flatten<'a>(
    value: &'a Value,
    path: &mut Vec<&'a str>,
    trail: &mut Trail,
    flat: &mut Flattened<'a>,
) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let depth = path.len();
                path.extend(key.split('.'));
                flatten(inner, path, trail, flat);
                path.truncate(depth);
            }
        }
        Value::Array(items) => {
            flat.arrays.push(ArrayNode {
                path: path.clone(),
                items,
                trail: trail.clone(),
            });
            let id = flat.next_array;
            flat.next_array += 1;
            for (index, item) in items.iter().enumerate() {
                // Only objects and arrays are members of an element (event-ruler's
                // `loadArray`): a scalar element agrees with any choice.
                let member = item.is_object() || item.is_array();
                if member {
                    trail.push((id, index));
                }
                flatten(item, path, trail, flat);
                if member {
                    trail.pop();
                }
            }
        }
        scalar => flat.leaves.push(Leaf {
            path: path.clone(),
            value: scalar,
            trail: trail.clone(),
        }),
    }
}

/// The ways one condition can be satisfied: the trail of each leaf (or array) that
/// satisfies one of its matchers, and for `{"exists": false}` the absence of the leaves
/// at the path, to be judged once the elements it depends on are chosen.
fn satisfying<'f>(condition: &Condition, flat: &'f Flattened<'_>) -> Vec<Way<'f>> {
    let at_path = |path: &[&str]| {
        path.iter()
            .copied()
            .eq(condition.path.iter().map(String::as_str))
    };
    let leaves: Vec<&Leaf<'_>> = flat.leaves.iter().filter(|l| at_path(&l.path)).collect();
    let mut found: Vec<Way<'f>> = Vec::new();
    for matcher in &condition.matchers {
        match matcher {
            Matcher::Exists(false) => {
                found.push(Way::Absent(leaves.iter().map(|l| &l.trail).collect()));
            }
            Matcher::ArrayElement(pairs) => found.extend(
                flat.arrays
                    .iter()
                    .filter(|a| {
                        at_path(&a.path) && a.items.iter().any(|e| element_has_pairs(e, pairs))
                    })
                    .map(|a| Way::At(&a.trail)),
            ),
            _ => found.extend(
                leaves
                    .iter()
                    .filter(|l| matcher.matches_scalar(l.value))
                    .map(|l| Way::At(&l.trail)),
            ),
        }
    }
    found.dedup();
    found
}

/// Picks one way per condition, in key order, so that all picked trails agree and every
/// absence holds against the trails picked before it (backtracking).
fn consistent_choice<'f>(options: &[Vec<Way<'f>>], chosen: &mut Vec<&'f Trail>) -> bool {
    let Some((first, rest)) = options.split_first() else {
        return true;
    };
    for way in first {
        match way {
            Way::Absent(present) => {
                // A leaf counts as present when it agrees with everything chosen so far.
                let absent = present
                    .iter()
                    .all(|leaf| !chosen.iter().all(|c| agree(c, leaf)));
                if absent && consistent_choice(rest, chosen) {
                    return true;
                }
            }
            Way::At(trail) => {
                if chosen.iter().all(|c| agree(c, trail)) {
                    chosen.push(trail);
                    let ok = consistent_choice(rest, chosen);
                    chosen.pop();
                    if ok {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// Two leaves agree when they sit in the same element of every array they share.
fn agree(a: &Trail, b: &Trail) -> bool {
    a.iter()
        .all(|(array, index)| b.iter().all(|(other, i)| other != array || i == index))
}
