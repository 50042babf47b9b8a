//! The scanner: one walk over an alert's Avro bytes that fills the compiled slots with
//! typed cells and skips everything else, runs of unread fields in one go.

use std::collections::HashMap;
use std::sync::Arc;

use crate::formats::avro::binary::{block, branch_index, length, take, varint, DecodeError};
use crate::formats::avro::graph::{Graph, Node};

// ---------------------------------------------------------------------------------
// Scanning an alert into cells.

/// A typed value read from an alert.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    F32(f32),
    F64(f64),
    /// A string's bytes in the body: offset, length.
    Str(u32, u32),
    /// A byte string in the body: offset, length.
    Bytes(u32, u32),
    /// An enum symbol: the enum's node, the symbol's index.
    Sym(u32, u32),
    /// A record: its frame's base, its number of fields.
    Rec(u32, u32),
    /// An array: its first item's frame base, its number of items.
    Arr(u32, u32),
}

#[derive(Debug, Clone)]
pub(super) enum SNode {
    /// Not read: skip.
    Skip(usize),
    /// Several fields in a row not read: one skip.
    SkipRun(crate::formats::avro::graph::SkipRun),
    /// A value stored in a slot.
    Value { slot: u16, node: usize },
    /// A union: each branch stores into the slot.
    Union { branches: Vec<usize> },
    /// A record: its marker in the slot, its fields scanned or skipped.
    Record {
        slot: u16,
        fields: Vec<usize>,
        nfields: u32,
    },
    /// An array: its count (and items, when a frame reads them) in the slot.
    Array {
        slot: u16,
        frame: Option<u16>,
        item: usize,
    },
}

/// Fills cells from an alert's bytes: the slots the compiled expressions read.
#[derive(Debug, Clone)]
pub(crate) struct Scanner {
    pub(super) graph: Arc<Graph>,
    pub(super) nodes: Vec<SNode>,
    /// The scan of the alert.
    pub(super) root: usize,
    pub(super) strides: Vec<u32>,
}

impl Scanner {
    pub(super) fn push(&mut self, n: SNode) -> usize {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    pub(super) fn build(
        &mut self,
        kids: &HashMap<(u16, u16), Vec<(usize, u16)>>,
        items: &HashMap<u16, u16>,
        frame: u16,
        slot: u16,
        node: usize,
    ) -> usize {
        let graph = self.graph.clone();
        match &graph.nodes[node] {
            Node::Union(bs) => {
                let branches = bs
                    .iter()
                    .map(|b| self.build(kids, items, frame, slot, *b))
                    .collect();
                self.push(SNode::Union { branches })
            }
            Node::Record(fields) => {
                let mine = kids.get(&(frame, slot));
                // The alert's own fields are scanned one by one: the scan notes where each starts.
                let root = frame == 0 && slot == 0;
                let mut scans = Vec::new();
                let mut skipped: Vec<usize> = Vec::new();
                for (i, f) in fields.iter().enumerate() {
                    if root && !skipped.is_empty() {
                        let run = graph.skip_run(&std::mem::take(&mut skipped));
                        scans.push(self.push(SNode::SkipRun(run)));
                    }
                    match mine.and_then(|k| k.iter().find(|(idx, _)| *idx == i)) {
                        Some((_, child)) => {
                            if !skipped.is_empty() {
                                let run = graph.skip_run(&std::mem::take(&mut skipped));
                                scans.push(self.push(SNode::SkipRun(run)));
                            }
                            scans.push(self.build(kids, items, frame, *child, f.node));
                        }
                        None => skipped.push(f.node),
                    }
                }
                if !skipped.is_empty() {
                    let run = graph.skip_run(&skipped);
                    scans.push(self.push(SNode::SkipRun(run)));
                }
                self.push(SNode::Record {
                    slot,
                    fields: scans,
                    nfields: fields.len() as u32,
                })
            }
            Node::Array(item) => {
                let f = if frame == 0 {
                    items.get(&slot).copied()
                } else {
                    None
                };
                let item_scan = match f {
                    Some(f) => self.build(kids, items, f, 0, *item),
                    None => self.push(SNode::Skip(*item)),
                };
                self.push(SNode::Array {
                    slot,
                    frame: f,
                    item: item_scan,
                })
            }
            _ => self.push(SNode::Value { slot, node }),
        }
    }

    /// Scan a body into `cells` (cleared first; the root frame's cells come first), and
    /// note in `starts` where each of the alert's own fields begins, and where it ends.
    pub(crate) fn scan(
        &self,
        body: &[u8],
        cells: &mut Vec<Cell>,
        starts: &mut Vec<u32>,
    ) -> Result<(), DecodeError> {
        cells.clear();
        cells.resize(self.strides[0] as usize, Cell::Null);
        starts.clear();
        let mut buf = body;
        let at = |buf: &[u8]| (body.len() - buf.len()) as u32;
        match &self.nodes[self.root] {
            SNode::Record {
                slot,
                fields,
                nfields,
            } => {
                cells[usize::from(*slot)] = Cell::Rec(0, *nfields);
                for f in fields {
                    starts.push(at(buf));
                    self.read(*f, body, &mut buf, 0, cells)?;
                }
                starts.push(at(buf));
            }
            _ => self.read(self.root, body, &mut buf, 0, cells)?,
        }
        if !buf.is_empty() {
            return Err(DecodeError::Trailing(buf.len()));
        }
        Ok(())
    }

    pub(super) fn read(
        &self,
        n: usize,
        body: &[u8],
        buf: &mut &[u8],
        base: u32,
        cells: &mut Vec<Cell>,
    ) -> Result<(), DecodeError> {
        let at = |buf: &[u8]| (body.len() - buf.len()) as u32;
        match &self.nodes[n] {
            SNode::Skip(node) => self.graph.skip(*node, buf)?,
            SNode::SkipRun(run) => self.graph.skip_with(run, buf)?,
            SNode::Value { slot, node } => {
                let cell = match &self.graph.nodes[*node] {
                    Node::Null => Cell::Null,
                    Node::Boolean => match take(buf, 1)?[0] {
                        0 => Cell::Bool(false),
                        1 => Cell::Bool(true),
                        x => return Err(DecodeError::Invalid(format!("boolean byte {x}"))),
                    },
                    Node::Int | Node::Long => Cell::Int(varint(buf)?),
                    Node::Float => {
                        let f = f32::from_le_bytes(take(buf, 4)?.try_into().expect("4 bytes"));
                        if f.is_finite() {
                            Cell::F32(f)
                        } else {
                            Cell::Null
                        }
                    }
                    Node::Double => {
                        let f = f64::from_le_bytes(take(buf, 8)?.try_into().expect("8 bytes"));
                        if f.is_finite() {
                            Cell::F64(f)
                        } else {
                            Cell::Null
                        }
                    }
                    Node::Str | Node::Bytes => {
                        let len = length(buf)?;
                        let off = at(buf);
                        take(buf, len)?;
                        if matches!(self.graph.nodes[*node], Node::Str) {
                            Cell::Str(off, len as u32)
                        } else {
                            Cell::Bytes(off, len as u32)
                        }
                    }
                    Node::Fixed(size) => {
                        let off = at(buf);
                        take(buf, *size)?;
                        Cell::Bytes(off, *size as u32)
                    }
                    Node::Enum(symbols) => {
                        let i = varint(buf)?;
                        match usize::try_from(i).ok().filter(|i| *i < symbols.len()) {
                            Some(i) => Cell::Sym(*node as u32, i as u32),
                            None => return Err(DecodeError::Invalid(format!("enum index {i}"))),
                        }
                    }
                    // Records, arrays and unions have their own scans; maps are not placed.
                    _ => {
                        self.graph.skip(*node, buf)?;
                        Cell::Null
                    }
                };
                cells[(base + u32::from(*slot)) as usize] = cell;
            }
            SNode::Union { branches } => {
                let i = branch_index(branches, buf)?;
                self.read(branches[i], body, buf, base, cells)?;
            }
            SNode::Record {
                slot,
                fields,
                nfields,
            } => {
                cells[(base + u32::from(*slot)) as usize] = Cell::Rec(base, *nfields);
                for f in fields {
                    self.read(*f, body, buf, base, cells)?;
                }
            }
            SNode::Array { slot, frame, item } => {
                let start = cells.len() as u32;
                let mut count = 0u32;
                let stride = frame.map(|f| self.strides[f as usize]);
                loop {
                    let (n, size) = block(buf)?;
                    if n == 0 {
                        break;
                    }
                    match (stride, size) {
                        (None, Some(size)) => {
                            take(buf, size)?;
                            count += n as u32;
                        }
                        _ => {
                            for _ in 0..n {
                                match stride {
                                    Some(st) => {
                                        let eb = cells.len() as u32;
                                        cells.resize(cells.len() + st as usize, Cell::Null);
                                        self.read(*item, body, buf, eb, cells)?;
                                    }
                                    None => self.read(*item, body, buf, base, cells)?,
                                }
                                count += 1;
                            }
                        }
                    }
                }
                cells[(base + u32::from(*slot)) as usize] = Cell::Arr(start, count);
            }
        }
        Ok(())
    }
}
