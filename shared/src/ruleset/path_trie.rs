//! The paths that patterns use, as a trie of key segments.
//!
//! Built once from every condition's path. While an event is scanned, each key is looked
//! up here; a key that leads nowhere is skipped without being read, which is what keeps
//! the cost of an event tied to the fields rules use rather than to the event's size.

use rustc_hash::FxHashMap;

/// Index of a node; node 0 is the root (the event itself). A node that some condition
/// targets doubles as that condition's field id.
pub(crate) type NodeId = u32;

pub(crate) const ROOT: NodeId = 0;

#[derive(Debug, Default)]
pub(crate) struct PathNode {
    children: FxHashMap<Box<str>, NodeId>,
    /// One bit per [`fingerprint`] of a child key: most keys of an event lead nowhere,
    /// and this turns them away without hashing them.
    key_filter: [u64; 4],
    /// Some condition here looks at leaves (scalars), so they are collected.
    pub(crate) collect_leaves: bool,
    /// Some condition here compares leaf values (not only their presence), so leaf
    /// values are kept; otherwise a placeholder is stored and strings are not copied.
    pub(crate) keep_values: bool,
    /// Some condition here (Tencent `array`) needs the whole value, so it is captured.
    pub(crate) capture: bool,
}

impl PathNode {
    pub(crate) fn has_children(&self) -> bool {
        !self.children.is_empty()
    }
}

#[derive(Debug)]
pub(crate) struct PathTrie {
    nodes: Vec<PathNode>,
}

impl Default for PathTrie {
    fn default() -> Self {
        Self {
            nodes: vec![PathNode::default()],
        }
    }
}

impl PathTrie {
    /// The node for `path` (segments already split at dots), created if new.
    pub(crate) fn intern(&mut self, path: &[String]) -> NodeId {
        let mut node = ROOT;
        for segment in path {
            let next_id = self.nodes.len() as NodeId;
            let entry = *self.nodes[node as usize]
                .children
                .entry(segment.as_str().into())
                .or_insert(next_id);
            if entry == next_id {
                self.nodes.push(PathNode::default());
            }
            let bit = fingerprint(segment.as_bytes());
            self.nodes[node as usize].key_filter[bit >> 6] |= 1 << (bit & 63);
            node = entry;
        }
        node
    }

    /// The node reached from `node` by an event key, which is split at dots
    /// (`{"a.b": 1}` reaches the same node as `{"a": {"b": 1}}`).
    #[inline]
    pub(crate) fn child(&self, node: NodeId, key: &str) -> Option<NodeId> {
        if !key.as_bytes().contains(&b'.') {
            // The common case: one segment, nothing to split.
            return self.step(node, key);
        }
        let mut current = node;
        for segment in key.split('.') {
            current = self.step(current, segment)?;
        }
        Some(current)
    }

    #[inline]
    fn step(&self, node: NodeId, segment: &str) -> Option<NodeId> {
        let at = &self.nodes[node as usize];
        let bit = fingerprint(segment.as_bytes());
        if at.key_filter[bit >> 6] & (1 << (bit & 63)) == 0 {
            return None;
        }
        at.children.get(segment).copied()
    }

    #[inline]
    pub(crate) fn node(&self, id: NodeId) -> &PathNode {
        &self.nodes[id as usize]
    }

    pub(crate) fn node_mut(&mut self, id: NodeId) -> &mut PathNode {
        &mut self.nodes[id as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }
}

/// A cheap 8-bit digest of a key (length, first and last byte) for [`PathNode::key_filter`].
#[inline]
fn fingerprint(key: &[u8]) -> usize {
    let first = key.first().copied().unwrap_or(0);
    let last = key.last().copied().unwrap_or(0);
    usize::from((key.len() as u8).wrapping_mul(31) ^ first.rotate_left(3) ^ last)
}
