//! Per-field value indexes: from one leaf value to the conjunctions it may satisfy.
//!
//! Each conjunction is filed under one *anchor* condition (see `builder.rs`); its
//! matchers become [`Trigger`]s stored here. An index may over-approximate (a wildcard
//! `ab*c` is filed under the prefix `ab`), never under-approximate: every candidate is
//! verified against the pattern's own matchers afterwards, so the index only decides how
//! few conjunctions are looked at, not whether one matches.

use std::net::IpAddr;

use aho_corasick::{AhoCorasick, MatchKind};
use ipnet::IpNet;
use rustc_hash::FxHashMap;
use serde_json::Value;
use smallvec::SmallVec;

use super::exact::{ExactKey, ExactKeys};
use super::flatten::Leaf;
use super::path_trie::NodeId;
use super::symbols::Symbols;
use crate::pattern::cidr::ip_of_leaf;
use crate::pattern::{Bound, NumericRange};

/// What index lists hold: a candidate conjunction with the program that checks what
/// its trigger (and the decision-tree groups it sits in) did not prove, or a
/// decision-tree node (`target` has the [`super::split::SPLIT`] bit; the rest unused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Conjunction id, or `SPLIT | node`.
    pub(crate) target: u32,
    /// The conjunction's rule or rules ([`super::Owner`]).
    pub(crate) owner: u32,
    /// Offset of its check program (`program.rs`), or `program::PROVEN`.
    pub(crate) program: u32,
}

/// A list of index entries. Most lists that matching reads hold one entry (a decision
/// tree's group is a conjunction or the next tree node), which is then stored in place,
/// sparing a cache miss on a separate buffer per lookup.
pub(crate) type Entries = SmallVec<[Entry; 1]>;

/// Case folding used by the ignore-case indexes: a key that every string matching a
/// pattern ignoring case (AWS's rule, `pattern::matcher`) shares with the pattern, so an
/// index lookup finds every candidate; verification then applies the rule itself (this
/// key also joins strings the rule keeps apart, such as `k` and the Kelvin sign).
///
/// Each character becomes the lower case of its upper case, twice over (the second pass
/// only matters for `ẞ`). For every character `c`, the key of `c`'s lower-case form and
/// of its upper-case form is the key of `c` (checked over all of Unicode by a test), and
/// keys are per character, so a sequence of forms has the key of the pattern.
pub(crate) fn fold_case_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        // The common case, byte by byte: an ASCII character's key is its lower case.
        out.push_str(text);
        out.make_ascii_lowercase();
        return;
    }
    for c in text.chars() {
        push_case_key(c, out);
    }
}

/// [`fold_case_into`] of one character.
fn push_case_key(c: char, out: &mut String) {
    for once in c.to_uppercase().flat_map(char::to_lowercase) {
        out.extend(once.to_uppercase().flat_map(char::to_lowercase));
    }
}

pub(crate) fn fold_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_case_into(text, &mut out);
    out
}

/// The [`fold_case_into`] key of `text`, reversed: an ignore-case suffix's reversed key
/// is a prefix of it, so suffixes are looked up in a prefix trie.
pub(crate) fn fold_case_reversed_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        out.extend(
            text.bytes()
                .rev()
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        return;
    }
    for c in text.chars().rev() {
        // The whole key reversed, each character's key included (`İ` → `i̇` becomes
        // the combining dot, then `i`): a text ending in a pattern's forms then has a
        // reversed key starting with the pattern's reversed key.
        let start = out.len();
        push_case_key(c, out);
        let key: String = out[start..].chars().rev().collect();
        out.truncate(start);
        out.push_str(&key);
    }
}

pub(crate) fn fold_case_reversed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_case_reversed_into(text, &mut out);
    out
}

/// Buffers for folded copies of a leaf, reused between leaves.
#[derive(Debug, Default)]
pub(crate) struct FoldBuffers {
    pub(crate) folded: String,
    folded_reversed: String,
}

/// A number as an exact-match key: `0.0` and `-0.0` are the same value.
pub(crate) fn number_key(value: f64) -> u64 {
    if value == 0.0 {
        0.0f64.to_bits()
    } else {
        value.to_bits()
    }
}

/// One end of a numeric range as (value bits, inclusive); `None` is unbounded.
pub(crate) type RangeBound = Option<(u64, bool)>;

/// What makes a conjunction a candidate for a leaf value at its anchor field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Trigger {
    /// The string is exactly this.
    Str(String),
    /// The number has these bits ([`number_key`]).
    Num(u64),
    Bool(bool),
    Null,
    Prefix(String),
    Suffix(String),
    /// Folded ([`fold_case`]) string starts with this (folded) text.
    PrefixFolded(String),
    /// [`fold_case_reversed`] string starts with this ([`fold_case_reversed`]) text.
    SuffixFolded(String),
    /// The string contains this (non-empty) text.
    Infix(String),
    EqualsFolded(String),
    /// A number in the range.
    Range(RangeBound, RangeBound),
    /// An IP address string inside the block (filed under its masked network).
    Cidr(IpNet),
    /// Any leaf at the field.
    Presence,
    /// A captured whole value at the field (Tencent `array`).
    Capture,
}

impl Trigger {
    pub(crate) fn range(range: &NumericRange) -> Self {
        let bound = |b: &Option<Bound>| b.map(|b| (b.value.to_bits(), b.inclusive));
        Trigger::Range(bound(&range.lower), bound(&range.upper))
    }

    /// Expected cost weight per conjunction filed under this trigger: roughly how often
    /// it fires on an event that has the field. Used only to choose anchors.
    pub(crate) fn weight(&self) -> u64 {
        match self {
            Trigger::Str(_) | Trigger::Num(_) | Trigger::EqualsFolded(_) => 1,
            Trigger::Bool(_) | Trigger::Null => 4,
            Trigger::Prefix(p) | Trigger::Suffix(p) => prefix_weight(p.len()),
            Trigger::PrefixFolded(p) | Trigger::SuffixFolded(p) => prefix_weight(p.len()),
            // A text can occur anywhere: twice as likely as the same text as a prefix.
            Trigger::Infix(text) => 2 * prefix_weight(text.len()),
            Trigger::Range(..) => 6,
            Trigger::Cidr(net) => cidr_weight(net.prefix_len(), net.max_prefix_len()),
            Trigger::Presence | Trigger::Capture => 16,
        }
    }
}

fn prefix_weight(len: usize) -> u64 {
    match len {
        0 => 16,
        1 => 8,
        2 => 4,
        _ => 2,
    }
}

/// A cidr block fires for the addresses of its network: the shorter the prefix (the
/// bigger the block, relative to the family's width), the more often.
fn cidr_weight(prefix_len: u8, max_len: u8) -> u64 {
    match u32::from(prefix_len) * 32 / u32::from(max_len) {
        0 => 16,
        1..=7 => 8,
        8..=15 => 4,
        _ => 2,
    }
}

/// All triggers of one field.
#[derive(Debug, Default)]
pub(crate) struct FieldIndex {
    /// Exact values, and equals-ignore-case (keyed by the folded text).
    exact: ExactKeys,
    prefix: ByteTrie,
    suffix: ByteTrie,
    prefix_folded: ByteTrie,
    suffix_folded: ByteTrie,
    infix: InfixIndex,
    ranges: IntervalIndex,
    cidrs: CidrIndex,
    /// Conjunctions that are candidates whenever the field has any leaf.
    pub(crate) presence: Entries,
    /// Conjunctions that are candidates whenever the field has a captured value.
    pub(crate) capture: Entries,
    /// Some string trigger needs the folded leaf.
    needs_folded: bool,
}

impl FieldIndex {
    /// Files `conj` under `trigger`. `field` is this index's field; `symbols` must
    /// already number every string of its `Str` triggers.
    pub(crate) fn insert(
        &mut self,
        field: NodeId,
        trigger: &Trigger,
        conj: Entry,
        symbols: &Symbols,
    ) {
        match trigger {
            Trigger::Str(s) => {
                let symbol = symbols.get(field, s);
                debug_assert_ne!(symbol, super::symbols::NO_SYMBOL, "{s:?} not interned");
                push_unique(self.exact.list_mut(ExactKey::Symbol(symbol)), conj)
            }
            Trigger::Num(bits) => push_unique(self.exact.list_mut(ExactKey::Number(*bits)), conj),
            Trigger::Bool(b) => push_unique(self.exact.list_mut(ExactKey::Bool(*b)), conj),
            Trigger::Null => push_unique(self.exact.list_mut(ExactKey::Null), conj),
            Trigger::Prefix(p) => self.prefix.insert(p.bytes(), conj),
            Trigger::Suffix(s) => self.suffix.insert(s.bytes().rev(), conj),
            Trigger::PrefixFolded(p) => {
                self.needs_folded = true;
                self.prefix_folded.insert(p.bytes(), conj);
            }
            Trigger::SuffixFolded(s) => {
                self.needs_folded = true;
                self.suffix_folded.insert(s.bytes(), conj);
            }
            Trigger::EqualsFolded(s) => {
                self.needs_folded = true;
                push_unique(
                    self.exact.list_mut(ExactKey::Folded(s.as_str().into())),
                    conj,
                );
            }
            Trigger::Infix(text) => self.infix.insert(text, conj),
            Trigger::Range(lower, upper) => self.ranges.insert(*lower, *upper, conj),
            Trigger::Cidr(net) => self.cidrs.insert(net, conj),
            Trigger::Presence => push_unique(&mut self.presence, conj),
            Trigger::Capture => push_unique(&mut self.capture, conj),
        }
    }

    /// Builds the structures that need every trigger first.
    pub(crate) fn finish(&mut self) {
        self.ranges.finish();
    }

    /// Flattens the structures for matching, once their lists are final.
    pub(crate) fn seal(&mut self) {
        for trie in [
            &mut self.prefix,
            &mut self.suffix,
            &mut self.prefix_folded,
            &mut self.suffix_folded,
        ] {
            trie.seal();
        }
        self.infix.seal();
        self.exact.seal();
    }

    /// Calls `found` with every conjunction whose anchor trigger fires for `leaf`
    /// (presence and capture triggers are handled by the caller, once per field).
    #[inline]
    pub(crate) fn for_each_candidate(
        &self,
        leaf: &Leaf,
        buffers: &mut FoldBuffers,
        found: &mut impl FnMut(Entry),
    ) {
        let FoldBuffers {
            folded,
            folded_reversed,
        } = buffers;
        match &leaf.value {
            Value::String(s) => {
                let folded = self.needs_folded.then(|| {
                    fold_case_into(s, folded);
                    folded.as_str()
                });
                self.exact.for_each_match(leaf, folded, found);
                self.prefix.for_each_match(s.bytes(), found);
                self.suffix.for_each_match(s.bytes().rev(), found);
                self.infix.for_each_contained(s, found);
                self.cidrs.for_each_containing(s, found);
                if let Some(folded) = folded {
                    self.prefix_folded.for_each_match(folded.bytes(), found);
                    if !self.suffix_folded.is_empty() {
                        fold_case_reversed_into(s, folded_reversed);
                        self.suffix_folded
                            .for_each_match(folded_reversed.bytes(), found);
                    }
                }
            }
            Value::Number(n) => {
                self.exact.for_each_match(leaf, None, found);
                if let Some(value) = n.as_f64() {
                    self.ranges.for_each_containing(value, found);
                }
            }
            Value::Bool(_) | Value::Null => self.exact.for_each_match(leaf, None, found),
            Value::Array(_) | Value::Object(_) => {}
        }
    }

    /// Visits every list of conjunction ids this index holds (to replace long ones by
    /// decision trees, see `split.rs`). Call after [`Self::finish`], before
    /// [`Self::seal`].
    pub(crate) fn for_each_list_mut(&mut self, visit: &mut impl FnMut(&mut Entries)) {
        self.exact.lists_mut().for_each(&mut *visit);
        visit(&mut self.presence);
        visit(&mut self.capture);
        for trie in [
            &mut self.prefix,
            &mut self.suffix,
            &mut self.prefix_folded,
            &mut self.suffix_folded,
        ] {
            trie.lists_mut().for_each(&mut *visit);
        }
        self.infix.lists.iter_mut().for_each(&mut *visit);
        self.ranges.tree.iter_mut().for_each(&mut *visit);
        for (_, networks) in &mut self.cidrs.v4 {
            networks.values_mut().for_each(&mut *visit);
        }
        for (_, networks) in &mut self.cidrs.v6 {
            networks.values_mut().for_each(&mut *visit);
        }
    }
}

/// Cidr blocks per address family and prefix length, keyed by their masked network: an
/// address is parsed once and looked up once per distinct prefix length, however many
/// blocks there are. A block written with host bits (`10.0.0.5/24`, which the aws
/// dialect, as AWS, matches from `.5` up) is filed under its network; verification
/// applies the exact range.
#[derive(Debug, Default)]
struct CidrIndex {
    v4: Vec<(u8, FxHashMap<u32, Entries>)>,
    v6: Vec<(u8, FxHashMap<u128, Entries>)>,
}

fn mask_v4(prefix_len: u8) -> u32 {
    u32::MAX
        .checked_shl(32 - u32::from(prefix_len))
        .unwrap_or(0)
}

fn mask_v6(prefix_len: u8) -> u128 {
    u128::MAX
        .checked_shl(128 - u32::from(prefix_len))
        .unwrap_or(0)
}

fn networks_of<K>(
    lengths: &mut Vec<(u8, FxHashMap<K, Entries>)>,
    len: u8,
) -> &mut FxHashMap<K, Entries> {
    let pos = match lengths.iter().position(|(l, _)| *l == len) {
        Some(pos) => pos,
        None => {
            lengths.push((len, FxHashMap::default()));
            lengths.len() - 1
        }
    };
    &mut lengths[pos].1
}

impl CidrIndex {
    fn insert(&mut self, net: &IpNet, id: Entry) {
        let len = net.prefix_len();
        match net {
            IpNet::V4(n) => {
                let key = u32::from(n.addr()) & mask_v4(len);
                push_unique(networks_of(&mut self.v4, len).entry(key).or_default(), id);
            }
            IpNet::V6(n) => {
                let key = u128::from(n.addr()) & mask_v6(len);
                push_unique(networks_of(&mut self.v6, len).entry(key).or_default(), id);
            }
        }
    }

    #[inline]
    fn for_each_containing(&self, leaf: &str, found: &mut impl FnMut(Entry)) {
        if self.v4.is_empty() && self.v6.is_empty() {
            return;
        }
        // The same parse as `cidr_contains`, so every address it accepts is looked up.
        match ip_of_leaf(leaf) {
            Some(IpAddr::V4(address)) => {
                let bits = u32::from(address);
                for (len, networks) in &self.v4 {
                    if let Some(ids) = networks.get(&(bits & mask_v4(*len))) {
                        ids.iter().for_each(|&id| found(id));
                    }
                }
            }
            Some(IpAddr::V6(address)) => {
                let bits = u128::from(address);
                for (len, networks) in &self.v6 {
                    if let Some(ids) = networks.get(&(bits & mask_v6(*len))) {
                        ids.iter().for_each(|&id| found(id));
                    }
                }
            }
            None => {}
        }
    }
}

fn push_unique(ids: &mut Entries, id: Entry) {
    if ids.last().map(|last| last.target) != Some(id.target) {
        ids.push(id);
    }
}

/// A byte trie of prefixes (or of reversed suffixes): walking a string's bytes visits
/// every stored prefix of it, so the cost is bounded by the string's length, not by the
/// number of prefixes stored.
///
/// Built one node per byte, then [sealed](Self::seal) into flat arrays in which every
/// chain of nodes with one child and no entries is one edge: the prefixes rules use
/// (`qcs::cvm:ap-guangzhou:uin/100000001:`) share long runs, and a walk then reads a few
/// nodes and contiguous labels instead of one scattered node per byte.
#[derive(Debug, Default)]
struct ByteTrie {
    /// Until sealed.
    building: Vec<ByteNode>,
    /// Sealed nodes; node 0 is the root (empty label).
    nodes: Vec<SealedNode>,
    /// Every node's label (the bytes from its parent to it), one after the other.
    labels: Vec<u8>,
    /// Every node's edges, as (first byte of the child's label, child), sorted by byte.
    edges: Vec<(u8, u32)>,
    entries: Vec<Entry>,
}

#[derive(Debug, Default)]
struct ByteNode {
    /// Sorted by byte.
    children: Vec<(u8, u32)>,
    ids: Entries,
}

/// Ranges (start, len) into a sealed trie's arrays.
#[derive(Debug, Clone, Copy)]
struct SealedNode {
    label: (u32, u32),
    edges: (u32, u32),
    entries: (u32, u32),
}

fn span<T>(items: &[T], (start, len): (u32, u32)) -> &[T] {
    &items[start as usize..(start + len) as usize]
}

impl ByteTrie {
    fn insert(&mut self, bytes: impl Iterator<Item = u8>, id: Entry) {
        debug_assert!(self.nodes.is_empty(), "insert after seal");
        if self.building.is_empty() {
            self.building.push(ByteNode::default());
        }
        let mut node = 0usize;
        for byte in bytes {
            let next_id = self.building.len() as u32;
            let children = &mut self.building[node].children;
            node = match children.binary_search_by_key(&byte, |&(b, _)| b) {
                Ok(pos) => children[pos].1 as usize,
                Err(pos) => {
                    children.insert(pos, (byte, next_id));
                    self.building.push(ByteNode::default());
                    next_id as usize
                }
            };
        }
        push_unique(&mut self.building[node].ids, id);
    }

    fn is_empty(&self) -> bool {
        self.building.is_empty() && self.nodes.is_empty()
    }

    /// The entry lists of the trie being built (to be split before sealing).
    fn lists_mut(&mut self) -> impl Iterator<Item = &mut Entries> {
        self.building.iter_mut().map(|node| &mut node.ids)
    }

    /// Flattens the trie for matching; nothing can be inserted afterwards.
    fn seal(&mut self) {
        let building = std::mem::take(&mut self.building);
        if building.is_empty() {
            return;
        }
        self.nodes.push(SealedNode {
            label: (0, 0),
            edges: (0, 0),
            entries: (0, 0),
        });
        // (node being built, its sealed node): every node is pushed with its label, and
        // gets its entries and edges when popped, so each node's edges are contiguous.
        let mut stack = vec![(0usize, 0usize)];
        while let Some((built, sealed)) = stack.pop() {
            let entries_start = self.entries.len() as u32;
            self.entries.extend_from_slice(&building[built].ids);
            self.nodes[sealed].entries = (entries_start, self.entries.len() as u32 - entries_start);
            let edges_start = self.edges.len() as u32;
            for &(byte, child) in &building[built].children {
                let label_start = self.labels.len() as u32;
                self.labels.push(byte);
                let mut end = child as usize;
                while let ([(next_byte, next)], []) = (
                    building[end].children.as_slice(),
                    building[end].ids.as_slice(),
                ) {
                    self.labels.push(*next_byte);
                    end = *next as usize;
                }
                let child_sealed = self.nodes.len();
                self.nodes.push(SealedNode {
                    label: (label_start, self.labels.len() as u32 - label_start),
                    edges: (0, 0),
                    entries: (0, 0),
                });
                self.edges.push((byte, child_sealed as u32));
                stack.push((end, child_sealed));
            }
            self.nodes[sealed].edges = (edges_start, self.edges.len() as u32 - edges_start);
        }
    }

    #[inline]
    fn for_each_match(&self, bytes: impl Iterator<Item = u8>, found: &mut impl FnMut(Entry)) {
        debug_assert!(self.building.is_empty(), "match before seal");
        let Some(mut node) = self.nodes.first() else {
            return;
        };
        span(&self.entries, node.entries)
            .iter()
            .for_each(|&id| found(id));
        let mut bytes = bytes;
        while let Some(byte) = bytes.next() {
            let edges = span(&self.edges, node.edges);
            let Ok(pos) = edges.binary_search_by_key(&byte, |&(b, _)| b) else {
                return;
            };
            node = &self.nodes[edges[pos].1 as usize];
            // The label's first byte is the edge's.
            for &expected in &span(&self.labels, node.label)[1..] {
                if bytes.next() != Some(expected) {
                    return;
                }
            }
            span(&self.entries, node.entries)
                .iter()
                .for_each(|&id| found(id));
        }
    }
}

/// Texts a string must contain (`contain`, wildcards `*text*`): one Aho-Corasick
/// automaton over every text filed at the field, run once over each string leaf, so the
/// cost is the length of the leaf plus the texts found, however many rules there are.
#[derive(Debug, Default)]
struct InfixIndex {
    /// Per text (by first insertion): its entries.
    lists: Vec<Entries>,
    /// The texts, in the order of `lists` (kept for the fallback search).
    texts: Vec<Box<str>>,
    /// Text → its position, while building.
    positions: FxHashMap<Box<str>, u32>,
    /// Built by [`Self::seal`]; `None` if there are no texts, or if the automaton could
    /// not be built (then every text is searched for on its own: slower, same result).
    automaton: Option<AhoCorasick>,
}

impl InfixIndex {
    fn insert(&mut self, text: &str, entry: Entry) {
        let next = self.lists.len() as u32;
        let position = *self.positions.entry(text.into()).or_insert(next);
        if position == next {
            self.lists.push(Entries::new());
            self.texts.push(text.into());
        }
        push_unique(&mut self.lists[position as usize], entry);
    }

    fn seal(&mut self) {
        self.positions = FxHashMap::default();
        if !self.texts.is_empty() {
            // Standard semantics: the only kind that reports overlapping matches.
            self.automaton = AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(self.texts.iter().map(|text| text.as_bytes()))
                .ok();
        }
    }

    /// Calls `found` with the entries of every text `leaf` contains, once per text.
    #[inline]
    fn for_each_contained(&self, leaf: &str, found: &mut impl FnMut(Entry)) {
        if self.texts.is_empty() {
            return;
        }
        // A text occurring several times is reported once.
        let mut contained: SmallVec<[u32; 8]> = match &self.automaton {
            Some(automaton) => automaton
                .find_overlapping_iter(leaf)
                .map(|m| m.pattern().as_u32())
                .collect(),
            None => (0..self.texts.len() as u32)
                .filter(|&position| leaf.contains(&*self.texts[position as usize]))
                .collect(),
        };
        contained.sort_unstable();
        contained.dedup();
        for position in contained {
            self.lists[position as usize]
                .iter()
                .for_each(|&entry| found(entry));
        }
    }
}

/// Numeric ranges as a static segment tree over the elementary intervals between their
/// bounds: a lookup visits one root-to-leaf path (O(log n)) plus the ranges it reports.
#[derive(Debug, Default)]
struct IntervalIndex {
    pending: Vec<(RangeBound, RangeBound, Entry)>,
    /// Sorted, distinct bound values.
    points: Vec<f64>,
    /// Segment tree nodes over `slots` elementary slots (see [`Self::slot_of`]).
    tree: Vec<Entries>,
    slots: usize,
}

impl IntervalIndex {
    fn insert(&mut self, lower: RangeBound, upper: RangeBound, id: Entry) {
        self.pending.push((lower, upper, id));
    }

    fn finish(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        // `+ 0.0` turns -0.0 into 0.0: the two are one value, as in `NumericRange::contains`.
        let bound_value = |bits: u64| f64::from_bits(bits) + 0.0;
        let mut points: Vec<f64> = self
            .pending
            .iter()
            .flat_map(|(l, u, _)| [*l, *u])
            .flatten()
            .map(|(bits, _)| bound_value(bits))
            .collect();
        points.sort_by(f64::total_cmp);
        points.dedup();
        self.points = points;
        self.slots = 2 * self.points.len() + 1;
        self.tree = vec![Entries::new(); 4 * self.slots];
        let pending = std::mem::take(&mut self.pending);
        for (lower, upper, id) in pending {
            // A bound is always one of `points`, so its slot is odd (>= 1).
            let lo = match lower {
                None => 0,
                Some((bits, inclusive)) => {
                    let slot = self.slot_of(bound_value(bits));
                    if inclusive {
                        slot
                    } else {
                        slot + 1
                    }
                }
            };
            let hi = match upper {
                None => self.slots - 1,
                Some((bits, inclusive)) => {
                    let slot = self.slot_of(bound_value(bits));
                    if inclusive {
                        slot
                    } else {
                        slot - 1
                    }
                }
            };
            if lo <= hi {
                let slots = self.slots;
                self.insert_range(1, 0, slots - 1, lo, hi, id);
            }
        }
    }

    /// Slot `2i+1` is exactly `points[i]`; slot `2i` is the open interval below it.
    #[inline]
    fn slot_of(&self, value: f64) -> usize {
        let i = self.points.partition_point(|&p| p < value);
        if i < self.points.len() && self.points[i] == value {
            2 * i + 1
        } else {
            2 * i
        }
    }

    fn insert_range(
        &mut self,
        node: usize,
        start: usize,
        end: usize,
        lo: usize,
        hi: usize,
        id: Entry,
    ) {
        if hi < start || end < lo {
            return;
        }
        if lo <= start && end <= hi {
            push_unique(&mut self.tree[node], id);
            return;
        }
        let mid = (start + end) / 2;
        self.insert_range(2 * node, start, mid, lo, hi, id);
        self.insert_range(2 * node + 1, mid + 1, end, lo, hi, id);
    }

    #[inline]
    fn for_each_containing(&self, value: f64, found: &mut impl FnMut(Entry)) {
        if self.slots == 0 {
            return;
        }
        let slot = self.slot_of(value);
        let (mut node, mut start, mut end) = (1usize, 0usize, self.slots - 1);
        loop {
            self.tree[node].iter().for_each(|&id| found(id));
            if start == end {
                return;
            }
            let mid = (start + end) / 2;
            if slot <= mid {
                node *= 2;
                end = mid;
            } else {
                node = 2 * node + 1;
                start = mid + 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry for conjunction `id` (the tests only look at targets).
    fn e(id: u32) -> Entry {
        Entry {
            target: id,
            owner: id,
            program: 0,
        }
    }

    fn collect(index: &IntervalIndex, value: f64) -> Vec<u32> {
        let mut out = Vec::new();
        index.for_each_containing(value, &mut |entry| out.push(entry.target));
        out.sort_unstable();
        out
    }

    #[test]
    fn interval_index_respects_bound_inclusion() {
        let mut index = IntervalIndex::default();
        let b = |v: f64, inc: bool| Some((v.to_bits(), inc));
        index.insert(b(0.0, false), b(5.0, true), e(0)); // (0, 5]
        index.insert(b(5.0, true), None, e(1)); // [5, inf)
        index.insert(None, b(0.0, false), e(2)); // (-inf, 0)
        index.insert(b(2.0, true), b(2.0, true), e(3)); // = 2
        index.finish();
        assert_eq!(collect(&index, -1.0), vec![2]);
        assert_eq!(collect(&index, 0.0), Vec::<u32>::new());
        assert_eq!(collect(&index, 1.0), vec![0]);
        assert_eq!(collect(&index, 2.0), vec![0, 3]);
        assert_eq!(collect(&index, 5.0), vec![0, 1]);
        assert_eq!(collect(&index, 6.0), vec![1]);
    }

    #[test]
    fn byte_trie_reports_every_stored_prefix() {
        let mut trie = ByteTrie::default();
        trie.insert("".bytes(), e(0));
        trie.insert("ab".bytes(), e(1));
        trie.insert("abc".bytes(), e(2));
        trie.insert("b".bytes(), e(3));
        trie.seal();
        assert_eq!(trie_hits(&trie, "abd"), vec![0, 1]);
    }

    fn trie_hits(trie: &ByteTrie, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        trie.for_each_match(text.bytes(), &mut |entry| out.push(entry.target));
        out.sort_unstable();
        out
    }

    #[test]
    fn sealed_byte_trie_walks_merged_chains_byte_by_byte() {
        let mut trie = ByteTrie::default();
        trie.insert("qcs::".bytes(), e(0));
        trie.insert("qcs::cvm:ap-guangzhou:uin/1:".bytes(), e(1));
        trie.insert("qcs::cvm:ap-guangzhou:uin/2:".bytes(), e(2));
        trie.insert("qcs::cos:".bytes(), e(3));
        trie.seal();
        // The root, then "qcs::", "c", "vm:ap-guangzhou:uin/", "1:", "2:", "os:".
        assert_eq!(trie.nodes.len(), 7);
        assert_eq!(
            trie_hits(&trie, "qcs::cvm:ap-guangzhou:uin/1:instance/x"),
            vec![0, 1]
        );
        assert_eq!(trie_hits(&trie, "qcs::cvm:ap-guangzhou:uin/2:"), vec![0, 2]);
        // A mismatch inside a merged label, and a text ending inside one.
        assert_eq!(trie_hits(&trie, "qcs::cvm:ap-guangzhoX:uin/1:"), vec![0]);
        assert_eq!(trie_hits(&trie, "qcs::cvm:ap"), vec![0]);
        assert_eq!(trie_hits(&trie, "qcs:"), Vec::<u32>::new());
        assert_eq!(trie_hits(&trie, "qcs::cos:bucket"), vec![0, 3]);
        assert_eq!(
            trie_hits(&ByteTrie::default(), "anything"),
            Vec::<u32>::new()
        );
    }

    proptest::proptest! {
        /// The sealed trie reports exactly the stored prefixes of the text.
        #[test]
        fn sealed_byte_trie_reports_exactly_the_prefixes_of_the_text(
            prefixes in proptest::collection::vec("[ab]{0,6}", 0..12),
            text in "[ab]{0,8}",
        ) {
            let mut trie = ByteTrie::default();
            for (id, prefix) in prefixes.iter().enumerate() {
                trie.insert(prefix.bytes(), e(id as u32));
            }
            trie.seal();
            let mut expected: Vec<u32> = Vec::new();
            for (id, prefix) in prefixes.iter().enumerate() {
                if text.starts_with(prefix.as_str()) {
                    expected.push(id as u32);
                }
            }
            proptest::prop_assert_eq!(trie_hits(&trie, &text), expected);
        }

        /// The infix index reports each entry whose text the leaf contains, once,
        /// whether the automaton searches or (unsealed, as when it cannot be built)
        /// each text is searched for on its own.
        #[test]
        fn infix_index_reports_exactly_the_texts_the_leaf_contains(
            texts in proptest::collection::vec("[ab]{1,4}", 0..12),
            leaf in "[abc]{0,10}",
        ) {
            let mut index = InfixIndex::default();
            for (id, text) in texts.iter().enumerate() {
                index.insert(text, e(id as u32));
            }
            let expected: Vec<u32> = (0..texts.len() as u32)
                .filter(|&id| leaf.contains(texts[id as usize].as_str()))
                .collect();
            let hits = |index: &InfixIndex| {
                let mut out = Vec::new();
                index.for_each_contained(&leaf, &mut |entry| out.push(entry.target));
                out.sort_unstable();
                out
            };
            proptest::prop_assert_eq!(hits(&index), expected.clone(), "each text searched alone");
            index.seal();
            proptest::prop_assert_eq!(index.automaton.is_some(), !texts.is_empty());
            proptest::prop_assert_eq!(hits(&index), expected, "automaton");
        }

        /// The ASCII shortcut keys exactly as the per-character rule does, forwards and
        /// reversed (texts mix ASCII with letters whose case forms are longer or
        /// irregular: `İ`, `Σ`, `K` (Kelvin), `ß`, `ẞ`, `ſ`).
        #[test]
        fn ascii_keys_agree_with_the_per_character_rule(
            text in "[a-zA-Z0-9 ._İΣ\u{212A}éßẞſ]{0,12}",
        ) {
            let mut out = String::new();
            fold_case_into(&text, &mut out);
            let mut expected = String::new();
            for c in text.chars() {
                push_case_key(c, &mut expected);
            }
            proptest::prop_assert_eq!(&out, &expected);
            fold_case_reversed_into(&text, &mut out);
            let reversed: String = expected.chars().rev().collect();
            proptest::prop_assert_eq!(&out, &reversed);
        }
    }

    fn cidr_hits(index: &CidrIndex, leaf: &str) -> Vec<u32> {
        let mut out = Vec::new();
        index.for_each_containing(leaf, &mut |entry| out.push(entry.target));
        out.sort_unstable();
        out
    }

    #[test]
    fn cidr_index_looks_up_each_prefix_length_and_family() {
        let mut index = CidrIndex::default();
        let net = |text: &str| text.parse::<IpNet>().unwrap();
        index.insert(&net("10.0.0.0/24"), e(0));
        index.insert(&net("10.0.1.0/24"), e(1));
        index.insert(&net("10.0.0.0/8"), e(2));
        index.insert(&net("0.0.0.0/0"), e(3));
        index.insert(&net("192.168.1.7/32"), e(4));
        // Host bits are filed under the network (verification applies `.5` and up).
        index.insert(&net("172.16.0.5/12"), e(5));
        index.insert(&net("2001:db8::/32"), e(6));
        index.insert(&net("::/0"), e(7));
        index.insert(&net("2001:db8:0:1::/64"), e(8));
        assert_eq!(index.v4.len(), 5, "one map per distinct IPv4 prefix length");
        assert_eq!(index.v6.len(), 3);

        assert_eq!(cidr_hits(&index, "10.0.0.9"), vec![0, 2, 3]);
        assert_eq!(cidr_hits(&index, "10.0.1.255"), vec![1, 2, 3]);
        assert_eq!(cidr_hits(&index, "10.200.0.1"), vec![2, 3]);
        assert_eq!(cidr_hits(&index, "11.0.0.1"), vec![3]);
        assert_eq!(cidr_hits(&index, "192.168.1.7"), vec![3, 4]);
        assert_eq!(cidr_hits(&index, "192.168.1.8"), vec![3]);
        assert_eq!(cidr_hits(&index, "172.31.255.255"), vec![3, 5]);
        assert_eq!(cidr_hits(&index, "172.32.0.0"), vec![3]);
        assert_eq!(cidr_hits(&index, "2001:db8:0:1::42"), vec![6, 7, 8]);
        assert_eq!(cidr_hits(&index, "2001:db8:0:2::42"), vec![6, 7]);
        assert_eq!(cidr_hits(&index, "::1"), vec![7]);
        // An IPv4-mapped IPv6 address is the IPv4 address, as in `cidr_contains`; with
        // dots it is not shaped like an address at all (event-ruler's reading).
        assert_eq!(cidr_hits(&index, "::ffff:a00:9"), vec![0, 2, 3]);
        assert_eq!(cidr_hits(&index, "::FFFF:A00:9"), vec![0, 2, 3]);
        assert_eq!(cidr_hits(&index, "::ffff:10.0.0.9"), Vec::<u32>::new());
        assert_eq!(cidr_hits(&index, "not an address"), Vec::<u32>::new());
        assert_eq!(cidr_hits(&index, "10.0.0.9 "), Vec::<u32>::new());
    }

    /// What makes the ignore-case indexes complete: for every character, its lower- and
    /// upper-case forms have its key, so every text AWS's rule matches to a pattern has
    /// the pattern's key. All of Unicode, in well under a second.
    #[test]
    fn every_case_form_of_every_character_has_that_characters_key() {
        let key = |text: &str| {
            let mut out = String::new();
            for c in text.chars() {
                push_case_key(c, &mut out);
            }
            out
        };
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let own = key(c.encode_utf8(&mut [0; 4]));
            let lower: String = c.to_lowercase().collect();
            let upper: String = c.to_uppercase().collect();
            assert_eq!(
                key(&lower),
                own,
                "lower case of {c:?} (U+{:04X})",
                u32::from(c)
            );
            assert_eq!(
                key(&upper),
                own,
                "upper case of {c:?} (U+{:04X})",
                u32::from(c)
            );
        }
    }

    #[test]
    fn cidr_masks_cover_zero_and_full_lengths() {
        assert_eq!(mask_v4(0), 0);
        assert_eq!(mask_v4(24), 0xffff_ff00);
        assert_eq!(mask_v4(32), u32::MAX);
        assert_eq!(mask_v6(0), 0);
        assert_eq!(mask_v6(128), u128::MAX);
        assert_eq!(mask_v6(1), 1 << 127);
    }
}
