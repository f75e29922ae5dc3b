//! Turning one event into the leaves that rules look at.
//!
//! Only paths in the [`PathTrie`] are followed: from JSON text, a custom serde
//! `DeserializeSeed` reads the event once and skips every other key with
//! [`IgnoredAny`] (no allocation); from a `Value`, the same walk borrows. Each leaf keeps
//! its *trail*, the (array, element index) of every array it sits in, so that conditions
//! can be required to match inside the same array element.
//!
//! Buffers live in [`EventLeaves`] and are reused between events (strings too, through a
//! pool), so a steady stream of events does not allocate per leaf.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use super::path_trie::{NodeId, PathTrie, ROOT};

/// Marks a leaf or capture that a later duplicate key replaced, and empty list heads.
const NONE: u32 = u32::MAX;

/// One (array, element index) step of a trail. Array ids are unique within one event.
pub(crate) type TrailStep = (u32, u32);

/// A scalar at a collected path.
#[derive(Debug)]
pub(crate) struct Leaf {
    pub(crate) field: NodeId,
    pub(crate) value: Value,
    trail_start: u32,
    trail_len: u32,
    next: u32,
}

impl Leaf {
    #[inline]
    pub(crate) fn trail_span(&self) -> (u32, u32) {
        (self.trail_start, self.trail_len)
    }
}

impl Capture {
    #[inline]
    pub(crate) fn trail_span(&self) -> (u32, u32) {
        (self.trail_start, self.trail_len)
    }
}

/// An array at a path some `array` matcher looks at (Tencent).
#[derive(Debug)]
pub(crate) struct Capture {
    pub(crate) field: NodeId,
    pub(crate) value: Value,
    trail_start: u32,
    trail_len: u32,
    next: u32,
}

/// A key of the object being read that led into the trie, to honour "last duplicate key
/// wins" (what `serde_json::Value` does) by dropping what an earlier occurrence added.
#[derive(Debug)]
struct SeenKey {
    node: NodeId,
    text: (usize, usize),
    leaves: (usize, usize),
    captures: (usize, usize),
}

/// The leaves of one event, grouped by field, plus reusable buffers.
#[derive(Debug, Default)]
pub(crate) struct EventLeaves {
    pub(crate) leaves: Vec<Leaf>,
    pub(crate) captures: Vec<Capture>,
    trails: Vec<TrailStep>,
    trail_stack: Vec<TrailStep>,
    next_array: u32,
    string_pool: Vec<String>,
    key_text: String,
    seen_keys: Vec<SeenKey>,
    /// Per field: first leaf / capture (linked through `next`), or NONE.
    leaf_heads: Vec<u32>,
    capture_heads: Vec<u32>,
    /// Fields whose heads are set, to reset them cheaply.
    touched: Vec<NodeId>,
}

impl EventLeaves {
    /// Empties the buffers (keeping their memory) for an event over `fields` fields.
    pub(crate) fn reset(&mut self, fields: usize) {
        for leaf in self.leaves.drain(..) {
            if let Value::String(s) = leaf.value {
                self.string_pool.push(s);
            }
        }
        self.captures.clear();
        self.trails.clear();
        self.trail_stack.clear();
        self.next_array = 0;
        self.key_text.clear();
        self.seen_keys.clear();
        for &field in &self.touched {
            self.leaf_heads[field as usize] = NONE;
            self.capture_heads[field as usize] = NONE;
        }
        self.touched.clear();
        if self.leaf_heads.len() < fields {
            self.leaf_heads.resize(fields, NONE);
            self.capture_heads.resize(fields, NONE);
        }
    }

    /// Reads `text` (one JSON value) into leaves. Syntax is fully checked, values of
    /// skipped keys are not converted (so an out-of-range number there is accepted).
    pub(crate) fn read_json(
        &mut self,
        trie: &PathTrie,
        text: &str,
    ) -> Result<(), serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        NodeSeed {
            trie,
            node: ROOT,
            leaves: self,
        }
        .deserialize(&mut de)?;
        de.end()?;
        self.link();
        Ok(())
    }

    /// Reads an already parsed event into leaves.
    pub(crate) fn read_value(&mut self, trie: &PathTrie, event: &Value) {
        self.walk_value(trie, ROOT, event);
        self.link();
    }

    /// The leaves at `field`.
    #[inline]
    pub(crate) fn leaves_at(&self, field: NodeId) -> impl Iterator<Item = (u32, &Leaf)> + '_ {
        let mut next = self.leaf_heads.get(field as usize).copied().unwrap_or(NONE);
        std::iter::from_fn(move || {
            if next == NONE {
                return None;
            }
            let index = next;
            let leaf = &self.leaves[index as usize];
            next = leaf.next;
            Some((index, leaf))
        })
    }

    #[inline]
    pub(crate) fn has_leaves(&self, field: NodeId) -> bool {
        self.leaf_heads
            .get(field as usize)
            .is_some_and(|&h| h != NONE)
    }

    /// The captured arrays at `field`.
    pub(crate) fn captures_at(&self, field: NodeId) -> impl Iterator<Item = &Capture> + '_ {
        let mut next = self
            .capture_heads
            .get(field as usize)
            .copied()
            .unwrap_or(NONE);
        std::iter::from_fn(move || {
            if next == NONE {
                return None;
            }
            let capture = &self.captures[next as usize];
            next = capture.next;
            Some(capture)
        })
    }

    #[inline]
    pub(crate) fn has_captures(&self, field: NodeId) -> bool {
        self.capture_heads
            .get(field as usize)
            .is_some_and(|&h| h != NONE)
    }

    /// The fields that have at least one leaf or capture.
    pub(crate) fn touched(&self) -> &[NodeId] {
        &self.touched
    }

    /// The steps of a trail span (from [`Leaf::trail_span`] or [`Capture::trail_span`]).
    #[inline]
    pub(crate) fn trail(&self, (start, len): (u32, u32)) -> &[TrailStep] {
        &self.trails[start as usize..(start + len) as usize]
    }

    /// Groups leaves and captures per field, skipping those a duplicate key replaced.
    fn link(&mut self) {
        for (index, leaf) in self.leaves.iter_mut().enumerate() {
            if leaf.field == NONE {
                continue;
            }
            let field = leaf.field as usize;
            if self.leaf_heads[field] == NONE && self.capture_heads[field] == NONE {
                self.touched.push(leaf.field);
            }
            leaf.next = self.leaf_heads[field];
            self.leaf_heads[field] = index as u32;
        }
        for (index, capture) in self.captures.iter_mut().enumerate() {
            if capture.field == NONE {
                continue;
            }
            let field = capture.field as usize;
            if self.leaf_heads[field] == NONE && self.capture_heads[field] == NONE {
                self.touched.push(capture.field);
            }
            capture.next = self.capture_heads[field];
            self.capture_heads[field] = index as u32;
        }
    }

    fn trail_here(&mut self) -> (u32, u32) {
        let start = self.trails.len() as u32;
        self.trails.extend_from_slice(&self.trail_stack);
        (start, self.trail_stack.len() as u32)
    }

    fn push_leaf(&mut self, field: NodeId, value: Value) {
        let (trail_start, trail_len) = self.trail_here();
        self.leaves.push(Leaf {
            field,
            value,
            trail_start,
            trail_len,
            next: NONE,
        });
    }

    fn push_str(&mut self, trie: &PathTrie, field: NodeId, text: &str) {
        let node = trie.node(field);
        if !node.collect_leaves {
            return;
        }
        let value = if node.keep_values {
            let mut s = self.string_pool.pop().unwrap_or_default();
            s.clear();
            s.push_str(text);
            Value::String(s)
        } else {
            Value::Null
        };
        self.push_leaf(field, value);
    }

    fn push_scalar(&mut self, trie: &PathTrie, field: NodeId, value: impl FnOnce() -> Value) {
        let node = trie.node(field);
        if !node.collect_leaves {
            return;
        }
        let value = if node.keep_values {
            value()
        } else {
            Value::Null
        };
        self.push_leaf(field, value);
    }

    fn push_capture(&mut self, field: NodeId, value: Value) {
        let (trail_start, trail_len) = self.trail_here();
        self.captures.push(Capture {
            field,
            value,
            trail_start,
            trail_len,
            next: NONE,
        });
    }

    /// The same walk as the JSON reader, over a `Value`. At a capture node every array
    /// is captured, nested ones too (each is an array "at that path" with its own trail).
    fn walk_value(&mut self, trie: &PathTrie, node: NodeId, value: &Value) {
        match value {
            Value::Object(map) => {
                if !trie.node(node).has_children() {
                    return;
                }
                for (key, child_value) in map {
                    if let Some(child) = trie.child(node, key) {
                        self.walk_value(trie, child, child_value);
                    }
                }
            }
            Value::Array(items) => {
                if trie.node(node).capture {
                    self.push_capture(node, value.clone());
                }
                let array = self.next_array;
                self.next_array += 1;
                for (index, item) in items.iter().enumerate() {
                    self.trail_stack.push((array, index as u32));
                    self.walk_value(trie, node, item);
                    self.trail_stack.pop();
                }
            }
            Value::String(s) => self.push_str(trie, node, s),
            scalar => self.push_scalar(trie, node, || scalar.clone()),
        }
    }

    /// Drops what an earlier occurrence of the same key added (last one wins).
    fn forget_duplicate(&mut self, keys_base: usize, node: NodeId, text: (usize, usize)) {
        let new_text = &self.key_text[text.0..text.1];
        let mut dropped = None;
        for (i, seen) in self.seen_keys[keys_base..].iter().enumerate() {
            if seen.node == node && &self.key_text[seen.text.0..seen.text.1] == new_text {
                dropped = Some(keys_base + i);
                break;
            }
        }
        if let Some(i) = dropped {
            let seen = self.seen_keys.remove(i);
            for leaf in &mut self.leaves[seen.leaves.0..seen.leaves.1] {
                leaf.field = NONE;
            }
            for capture in &mut self.captures[seen.captures.0..seen.captures.1] {
                capture.field = NONE;
            }
        }
    }
}

/// Reads the value at one trie node.
struct NodeSeed<'a> {
    trie: &'a PathTrie,
    node: NodeId,
    leaves: &'a mut EventLeaves,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.trie.node(self.node).capture {
            // The `array` matcher needs whole arrays: read the value as a whole and
            // take its leaves and arrays from it.
            let value: Value = serde::Deserialize::deserialize(deserializer)?;
            self.leaves.walk_value(self.trie, self.node, &value);
            Ok(())
        } else {
            deserializer.deserialize_any(self)
        }
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.leaves
            .push_scalar(self.trie, self.node, || Value::Bool(v));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.leaves
            .push_scalar(self.trie, self.node, || Value::Number(v.into()));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.leaves
            .push_scalar(self.trie, self.node, || Value::Number(v.into()));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        // Exactly what `serde_json::Value` makes of it.
        self.leaves.push_scalar(self.trie, self.node, || {
            Number::from_f64(v).map_or(Value::Null, Value::Number)
        });
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.leaves.push_str(self.trie, self.node, v);
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.leaves
            .push_scalar(self.trie, self.node, || Value::Null);
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        self.leaves
            .push_scalar(self.trie, self.node, || Value::Null);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let array = self.leaves.next_array;
        self.leaves.next_array += 1;
        let mut index = 0u32;
        loop {
            self.leaves.trail_stack.push((array, index));
            let more = seq.next_element_seed(NodeSeed {
                trie: self.trie,
                node: self.node,
                leaves: &mut *self.leaves,
            })?;
            self.leaves.trail_stack.pop();
            if more.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if !self.trie.node(self.node).has_children() {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let keys_base = self.leaves.seen_keys.len();
        let text_base = self.leaves.key_text.len();
        while let Some(found) = map.next_key_seed(KeySeed {
            trie: self.trie,
            node: self.node,
            key_text: &mut self.leaves.key_text,
        })? {
            let Some((child, text)) = found else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            self.leaves.forget_duplicate(keys_base, child, text);
            let leaves_start = self.leaves.leaves.len();
            let captures_start = self.leaves.captures.len();
            map.next_value_seed(NodeSeed {
                trie: self.trie,
                node: child,
                leaves: &mut *self.leaves,
            })?;
            let seen = SeenKey {
                node: child,
                text,
                leaves: (leaves_start, self.leaves.leaves.len()),
                captures: (captures_start, self.leaves.captures.len()),
            };
            self.leaves.seen_keys.push(seen);
        }
        self.leaves.seen_keys.truncate(keys_base);
        self.leaves.key_text.truncate(text_base);
        Ok(())
    }
}

/// Reads one object key and resolves it in the trie without allocating; a key that
/// leads into the trie is remembered (its text) for duplicate detection.
struct KeySeed<'a> {
    trie: &'a PathTrie,
    node: NodeId,
    key_text: &'a mut String,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<(NodeId, (usize, usize))>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<(NodeId, (usize, usize))>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.trie.child(self.node, key).map(|child| {
            let start = self.key_text.len();
            self.key_text.push_str(key);
            (child, (start, self.key_text.len()))
        }))
    }
}
