//! Turning one event into the leaves that rules look at.
//!
//! Only paths in the [`PathTrie`] are followed: from JSON text, the byte-level
//! [`Cursor`] reads the event once, skipping every other key's value without decoding
//! it (no allocation); from a `Value`, the same walk borrows. Each leaf keeps
//! its *trail*, the (array, element index) of every array element it sits in that is an
//! object or an array (a scalar element is a member of none, as in event-ruler), so that
//! conditions can be required to match inside the same array element.
//!
//! Buffers live in [`EventLeaves`] and are reused between events (strings too, through a
//! pool), so a steady stream of events does not allocate per leaf.

use serde_json::Value;

use super::path_trie::{NodeId, PathTrie, ROOT};
use super::scan::{number_value, whole_value, Cursor, ScanError, Start, RECURSION_LIMIT};
use super::symbols::{Symbols, NO_SYMBOL};

/// Containers nested along used paths that the JSON reader follows (it recurses there);
/// `serde_json::Value` refuses deeper events anyway (its limit is 128).
const MAX_DEPTH: usize = 128;

/// Marks a leaf or capture that a later duplicate key replaced, and empty list heads.
const NONE: u32 = u32::MAX;

/// One (array, element index) step of a trail. Array ids are unique within one event.
pub(crate) type TrailStep = (u32, u32);

/// A scalar at a collected path.
#[derive(Debug)]
pub(crate) struct Leaf {
    pub(crate) field: NodeId,
    pub(crate) value: Value,
    /// The string's symbol at `field` ([`Symbols`]), else [`NO_SYMBOL`]; set by
    /// [`EventLeaves::assign_symbols`].
    pub(crate) symbol: u32,
    trail_start: u32,
    trail_len: u32,
    next: u32,
}

impl Leaf {
    #[inline]
    pub(crate) fn trail_span(&self) -> (u32, u32) {
        (self.trail_start, self.trail_len)
    }

    /// Whether the leaf sits inside some array (then which element it is in matters).
    #[inline]
    pub(crate) fn in_array(&self) -> bool {
        self.trail_len != 0
    }
}

#[cfg(test)]
impl Leaf {
    /// A leaf outside every array, for tests of the tables it is looked up in.
    pub(crate) fn for_test(value: Value, symbol: u32) -> Leaf {
        Leaf {
            field: 0,
            value,
            symbol,
            trail_start: 0,
            trail_len: 0,
            next: NONE,
        }
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
    /// Scratch of [`Cursor::skip_value`].
    skip_stack: Vec<bool>,
    /// Scratch for keys and strings with escapes.
    unescaped: String,
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

    /// Reads `text` (one JSON value) into leaves. Syntax is fully checked; values at
    /// paths no rule uses are not decoded (so an out-of-range number there is accepted).
    pub(crate) fn read_json(&mut self, trie: &PathTrie, text: &str) -> Result<(), ScanError> {
        let mut cursor = Cursor::new(text);
        self.read_node(trie, ROOT, &mut cursor, 0)?;
        cursor.finish()?;
        self.link();
        Ok(())
    }

    /// Reads the value at the cursor, which sits at trie node `node` inside `depth`
    /// containers that the walk followed.
    fn read_node(
        &mut self,
        trie: &PathTrie,
        node: NodeId,
        cursor: &mut Cursor<'_>,
        depth: usize,
    ) -> Result<(), ScanError> {
        let at = trie.node(node);
        if at.capture {
            // The `array` matcher needs whole arrays: read the value as a whole and take
            // its leaves and arrays from it.
            let start = cursor.peek_value().map(|_| cursor.position())?;
            cursor.skip_value(&mut self.skip_stack)?;
            let piece = &cursor.text()[start..cursor.position()];
            let value = whole_value(piece, start)?;
            self.walk_value(trie, node, &value);
            return Ok(());
        }
        let start = cursor.peek_value()?;
        match start {
            Start::Object if at.has_children() => self.read_object(trie, node, cursor, depth),
            Start::Array if at.has_children() || at.collect_leaves => {
                self.read_array(trie, node, cursor, depth)
            }
            Start::Object | Start::Array => cursor.skip_value(&mut self.skip_stack),
            Start::String if at.collect_leaves && at.keep_values => {
                let text = cursor.read_str(&mut self.unescaped)?;
                let mut s = self.string_pool.pop().unwrap_or_default();
                s.clear();
                s.push_str(text);
                self.push_leaf(node, Value::String(s));
                Ok(())
            }
            Start::String => {
                cursor.skip_str()?;
                self.push_scalar(trie, node, || Value::Null);
                Ok(())
            }
            Start::Number => {
                let offset = cursor.position();
                let text = cursor.number()?;
                if at.collect_leaves {
                    let value = if at.keep_values {
                        number_value(text, offset)?
                    } else {
                        Value::Null
                    };
                    self.push_leaf(node, value);
                }
                Ok(())
            }
            Start::True | Start::False | Start::Null => {
                cursor.literal(start)?;
                self.push_scalar(trie, node, || match start {
                    Start::True => Value::Bool(true),
                    Start::False => Value::Bool(false),
                    _ => Value::Null,
                });
                Ok(())
            }
        }
    }

    fn read_object(
        &mut self,
        trie: &PathTrie,
        node: NodeId,
        cursor: &mut Cursor<'_>,
        depth: usize,
    ) -> Result<(), ScanError> {
        let start = cursor.position();
        if depth + 1 >= MAX_DEPTH {
            return Err(ScanError {
                offset: start,
                reason: RECURSION_LIMIT.into(),
            });
        }
        if !cursor.open_object()? {
            return Ok(());
        }
        let keys_base = self.seen_keys.len();
        let text_base = self.key_text.len();
        loop {
            let key = cursor.read_str(&mut self.unescaped)?;
            let found = trie.child(node, key).map(|child| {
                let start = self.key_text.len();
                self.key_text.push_str(key);
                (child, (start, self.key_text.len()))
            });
            cursor.colon()?;
            match found {
                None => cursor.skip_value(&mut self.skip_stack)?,
                Some((child, text)) => {
                    self.forget_duplicate(keys_base, child, text);
                    let leaves_start = self.leaves.len();
                    let captures_start = self.captures.len();
                    self.read_node(trie, child, cursor, depth + 1)?;
                    let seen = SeenKey {
                        node: child,
                        text,
                        leaves: (leaves_start, self.leaves.len()),
                        captures: (captures_start, self.captures.len()),
                    };
                    self.seen_keys.push(seen);
                }
            }
            if !cursor.next_member()? {
                break;
            }
        }
        self.seen_keys.truncate(keys_base);
        self.key_text.truncate(text_base);
        Ok(())
    }

    fn read_array(
        &mut self,
        trie: &PathTrie,
        node: NodeId,
        cursor: &mut Cursor<'_>,
        depth: usize,
    ) -> Result<(), ScanError> {
        if depth + 1 >= MAX_DEPTH {
            return Err(ScanError {
                offset: cursor.position(),
                reason: RECURSION_LIMIT.into(),
            });
        }
        let array = self.next_array;
        self.next_array += 1;
        if !cursor.open_array()? {
            return Ok(());
        }
        let mut index = 0u32;
        loop {
            // Only objects and arrays are members of an element (event-ruler's
            // `loadArray`): a scalar element agrees with any choice of elements.
            let member = matches!(cursor.peek_value()?, Start::Object | Start::Array);
            if member {
                self.trail_stack.push((array, index));
            }
            let read = self.read_node(trie, node, cursor, depth + 1);
            if member {
                self.trail_stack.pop();
            }
            read?;
            if !cursor.next_element()? {
                return Ok(());
            }
            index += 1;
        }
    }

    /// Reads an already parsed event into leaves.
    pub(crate) fn read_value(&mut self, trie: &PathTrie, event: &Value) {
        self.walk_value(trie, ROOT, event);
        self.link();
    }

    /// Numbers every string leaf that some rule names at its field.
    pub(crate) fn assign_symbols(&mut self, symbols: &Symbols) {
        for leaf in &mut self.leaves {
            if let Value::String(text) = &leaf.value {
                if leaf.field != NONE && symbols.names_strings_at(leaf.field) {
                    leaf.symbol = symbols.get(leaf.field, text);
                }
            }
        }
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
            symbol: NO_SYMBOL,
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
                    let member = item.is_object() || item.is_array();
                    if member {
                        self.trail_stack.push((array, index as u32));
                    }
                    self.walk_value(trie, node, item);
                    if member {
                        self.trail_stack.pop();
                    }
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
