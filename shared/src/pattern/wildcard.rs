//! Wildcards: parsing (`*`, escapes `\*` and `\\`), matching, and AWS's complexity limit.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::ast::Wildcard;

/// AWS rejects a rule when a worst-case value could keep more than this many wildcard
/// pattern states alive at once (see [`complexity`]).
pub(crate) const MAX_COMPLEXITY: usize = 10;

/// The reason AWS gives when [`MAX_COMPLEXITY`] is exceeded.
pub(crate) const TOO_COMPLEX: &str = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";

/// Parses a wildcard the way event-ruler's `WildcardParser` does. Positions in messages
/// are byte offsets in AWS's quoted form of the value (one more than in the value).
pub(crate) fn parse_wildcard(source: &str) -> Result<Wildcard, String> {
    let bytes = source.as_bytes();
    let mut segments = Vec::new();
    let mut current = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'*' => {
                if bytes.get(i + 1) == Some(&b'*') {
                    return Err(format!("Consecutive wildcard characters at pos {}", i + 1));
                }
                segments.push(std::mem::take(&mut current));
            }
            b'\\' => match bytes.get(i + 1) {
                Some(&next @ (b'*' | b'\\')) => {
                    current.push(next);
                    i += 1;
                }
                _ => return Err(format!("Invalid escape character at pos {}", i + 1)),
            },
            other => current.push(other),
        }
        i += 1;
    }
    segments.push(current);
    let segments = segments
        .into_iter()
        // Splitting happened only at ASCII bytes, so every piece is still UTF-8.
        .map(|s| String::from_utf8(s).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Wildcard {
        source: source.to_string(),
        segments,
    })
}

impl Wildcard {
    /// Whether `text` matches: the first segment is a prefix, the last a suffix, and the
    /// ones between occur in order without overlapping.
    pub fn matches(&self, text: &str) -> bool {
        let segments = &self.segments;
        match segments.as_slice() {
            [] => text.is_empty(),
            [only] => text == only,
            [first, middle @ .., last] => {
                if text.len() < first.len() + last.len()
                    || !text.starts_with(first.as_str())
                    || !text.ends_with(last.as_str())
                {
                    return false;
                }
                let mut rest = &text[first.len()..text.len() - last.len()];
                for segment in middle {
                    match rest.find(segment.as_str()) {
                        Some(at) => rest = &rest[at + segment.len()..],
                        None => return false,
                    }
                }
                true
            }
        }
    }
}

/// One wildcard operand as event-ruler's complexity evaluation sees it.
pub(crate) struct ComplexityInput<'a> {
    /// Equal identities are one event-ruler pattern (an `anything-but` wildcard list is
    /// one pattern with several strings; equal wildcards are one pattern).
    pub identity: String,
    pub wildcard: &'a Wildcard,
}

const ANY: u16 = 256;

#[derive(Default)]
struct State {
    literal: HashMap<u16, Vec<usize>>,
    any: Vec<usize>,
    weight: BTreeSet<usize>,
    trie: HashMap<u16, usize>,
    star: Option<usize>,
}

/// A faithful-enough model of event-ruler's `MachineComplexityEvaluator` for the
/// wildcards on one field: the largest number of (weighted) wildcard states a single
/// value could keep alive at once.
///
/// Each wildcard becomes a byte automaton over `"value"` (event-ruler includes the
/// quotes). Literal bytes before the first `*` share a trie across wildcards, as in
/// event-ruler's byte machine; after a `*` every wildcard has its own states. A `*` is a
/// state looping on any byte, and the byte after it is reachable both from it and from
/// the state before it (the `*` matching nothing). The subset construction is explored
/// over every byte that occurs plus one stand-in for all others; a subset's complexity is
/// the number of distinct patterns behind its states, plus those behind `*` states one
/// byte away. Exploration stops as soon as the limit is passed.
///
/// Calibrated on AWS's verdicts: `*:*:*:*:*:event-bus/*` scores 11 (rejected), while
/// `/Users/*/dir/dir/dir/dir/dir/doc.txt` scores 7 and
/// `arn:aws:events:us-east-1:*:event-bus/*` scores 3 (accepted).
pub(crate) fn complexity(inputs: &[ComplexityInput<'_>]) -> usize {
    let mut identities: HashMap<&str, usize> = HashMap::new();
    let mut states = vec![State::default()];
    let mut alphabet: BTreeSet<u16> = BTreeSet::new();
    for input in inputs {
        let next_id = identities.len();
        let id = *identities.entry(input.identity.as_str()).or_insert(next_id);
        let tokens = tokens(input.wildcard);
        let (mut current, mut previous) = (0usize, 0usize);
        let mut determinate = true;
        for (i, &token) in tokens.iter().enumerate() {
            let next;
            if token == ANY {
                let shared = if determinate {
                    states[current].star
                } else {
                    None
                };
                next = match shared {
                    Some(s) => s,
                    None => {
                        states.push(State::default());
                        let s = states.len() - 1;
                        if determinate {
                            states[current].star = Some(s);
                        }
                        states[current].any.push(s);
                        states[s].any.push(s);
                        s
                    }
                };
                determinate = false;
            } else {
                alphabet.insert(token);
                let shared = if determinate {
                    states[current].trie.get(&token).copied()
                } else {
                    None
                };
                next = match shared {
                    Some(s) => s,
                    None => {
                        states.push(State::default());
                        let s = states.len() - 1;
                        if determinate {
                            states[current].trie.insert(token, s);
                        }
                        states[current].literal.entry(token).or_default().push(s);
                        if i > 0 && tokens[i - 1] == ANY {
                            states[previous].literal.entry(token).or_default().push(s);
                        }
                        s
                    }
                };
            }
            states[next].weight.insert(id);
            previous = current;
            current = next;
        }
    }
    explore(&states, &alphabet)
}

/// The most simultaneous work over all reachable subsets; gives up (reporting over the
/// limit) if the exploration itself grows unreasonably.
fn explore(states: &[State], alphabet: &BTreeSet<u16>) -> usize {
    const MAX_SUBSETS: usize = 100_000;
    let bytes: Vec<u16> = alphabet.iter().copied().chain([ANY]).collect();
    let mut seen: HashSet<Vec<usize>> = HashSet::new();
    let mut pending: Vec<Vec<usize>> = vec![vec![0]];
    let mut maximum = 0;
    while let Some(active) = pending.pop() {
        for &byte in &bytes {
            let mut next: BTreeSet<usize> = BTreeSet::new();
            for &s in &active {
                next.extend(states[s].any.iter().copied());
                if byte != ANY {
                    if let Some(targets) = states[s].literal.get(&byte) {
                        next.extend(targets.iter().copied());
                    }
                }
            }
            if next.is_empty() {
                continue;
            }
            let mut score: usize = next.iter().map(|&s| states[s].weight.len()).sum();
            for &s in &next {
                for &star in &states[s].any {
                    if !next.contains(&star) {
                        score += states[star].weight.len();
                    }
                }
            }
            maximum = maximum.max(score);
            if maximum > MAX_COMPLEXITY {
                return maximum;
            }
            let key: Vec<usize> = next.into_iter().collect();
            if seen.insert(key.clone()) {
                if seen.len() > MAX_SUBSETS {
                    return MAX_COMPLEXITY + 1;
                }
                pending.push(key);
            }
        }
    }
    maximum
}

/// `"`, the value's bytes with [`ANY`] for each `*`, `"`.
fn tokens(wildcard: &Wildcard) -> Vec<u16> {
    let mut tokens = vec![u16::from(b'"')];
    for (i, segment) in wildcard.segments.iter().enumerate() {
        if i > 0 {
            tokens.push(ANY);
        }
        tokens.extend(segment.bytes().map(u16::from));
    }
    tokens.push(u16::from(b'"'));
    tokens
}
