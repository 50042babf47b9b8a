//! Parquet rows straight from Avro bytes: each alert's body walked once into Arrow
//! column buffers, with no tree of values, no JSON view and no JSON decoder between.
//!
//! The columns hold what the reference path puts in them: the alert decoded to values,
//! its JSON view (cutouts omitted) read by `arrow_json` against the export's schema, and
//! the top-level cutouts taken from the values. So a float32 is stored as itself (the
//! view's float64 cast back to float32 is the float32 but for two values:
//! [`shown_f32_as_f32`]), NaN and infinities are null, a byte field below the top is null, an enum is its symbol.
//! Whenever the walk meets anything the reference might read otherwise (a union's
//! second non-null branch, a value the reference reads as null at the end of the bytes,
//! an `int` past 32 bits, bad UTF-8, bytes left over) it declines: the columns are as
//! they were, and the caller takes the reference path, which decodes or says why not.
//! The export's test holds the files the two paths write equal, byte for byte.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Float32Array, Float64Array, Int32Array, Int64Array,
    ListArray, NullArray, StringArray, StructArray,
};
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, FieldRef, Fields};

use crate::formats::avro::binary::{branch_index, length, take, varint, DecodeError};
use crate::formats::avro::graph::{Graph, Node, MAX_NESTING};
use crate::formats::avro::json::next_block;
use crate::formats::avro::view::shown_f32_as_f32;
use crate::formats::avro::AlertSchema;

use super::CUTOUTS;

/// The walk declined the body: take the reference path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Declined;

impl From<DecodeError> for Declined {
    fn from(_: DecodeError) -> Declined {
        Declined
    }
}

/// One Arrow column being built: a validity per row and the values.
#[derive(Debug)]
struct Col {
    valid: Vec<bool>,
    data: Data,
}

#[derive(Debug)]
enum Data {
    /// A column of nulls only (an Avro `null` field).
    Null,
    Bool(Vec<bool>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    /// Text: where each row's text ends in `bytes`.
    Utf8 {
        ends: Vec<i32>,
        bytes: Vec<u8>,
    },
    /// Binary: null below the top (the view omits byte fields); a cutout's bytes.
    Binary {
        ends: Vec<i32>,
        bytes: Vec<u8>,
    },
    Struct(Vec<Col>),
    List {
        ends: Vec<i32>,
        item: Box<Col>,
    },
}

impl Col {
    /// The column for Avro node `n`, as the export's Arrow type for it
    /// (`super::arrow_type`): unions by their first non-null branch.
    fn of(g: &Graph, n: usize, depth: usize) -> Option<Col> {
        if depth > 32 {
            return None;
        }
        let data = match g.branches(n).first() {
            None => Data::Null,
            Some(&t) => match &g.nodes[t] {
                Node::Boolean => Data::Bool(Vec::new()),
                Node::Int => Data::I32(Vec::new()),
                Node::Long => Data::I64(Vec::new()),
                Node::Float => Data::F32(Vec::new()),
                Node::Double => Data::F64(Vec::new()),
                Node::Str | Node::Enum(_) => Data::Utf8 {
                    ends: vec![0],
                    bytes: Vec::new(),
                },
                Node::Bytes | Node::Fixed(_) => Data::Binary {
                    ends: vec![0],
                    bytes: Vec::new(),
                },
                Node::Record(fields) => Data::Struct(
                    fields
                        .iter()
                        .map(|f| Col::of(g, f.node, depth + 1))
                        .collect::<Option<_>>()?,
                ),
                Node::Array(item) => Data::List {
                    ends: vec![0],
                    item: Box::new(Col::of(g, *item, depth + 1)?),
                },
                _ => return None,
            },
        };
        Some(Col {
            valid: Vec::new(),
            data,
        })
    }

    fn binary() -> Col {
        Col {
            valid: Vec::new(),
            data: Data::Binary {
                ends: vec![0],
                bytes: Vec::new(),
            },
        }
    }

    /// Append a null row (a struct's children get one too, as Arrow requires).
    fn push_null(&mut self) {
        self.valid.push(false);
        match &mut self.data {
            Data::Null => {}
            Data::Bool(v) => v.push(false),
            Data::I32(v) => v.push(0),
            Data::I64(v) => v.push(0),
            Data::F32(v) => v.push(0.0),
            Data::F64(v) => v.push(0.0),
            Data::Utf8 { ends, .. } | Data::Binary { ends, .. } | Data::List { ends, .. } => {
                ends.push(*ends.last().expect("starts at 0"));
            }
            Data::Struct(children) => children.iter_mut().for_each(Col::push_null),
        }
    }

    /// Append a byte string (text already checked) to a text or binary column.
    fn push_bytes(&mut self, b: &[u8]) -> Result<(), Declined> {
        match &mut self.data {
            Data::Utf8 { ends, bytes } | Data::Binary { ends, bytes } => {
                bytes.extend_from_slice(b);
                ends.push(i32::try_from(bytes.len()).map_err(|_| Declined)?);
                self.valid.push(true);
                Ok(())
            }
            _ => Err(Declined),
        }
    }

    /// The lengths that say where the column is (to go back to on [`Declined`]).
    fn mark(&self, out: &mut Vec<usize>) {
        out.push(self.valid.len());
        match &self.data {
            Data::Utf8 { bytes, .. } | Data::Binary { bytes, .. } => out.push(bytes.len()),
            Data::Struct(children) => children.iter().for_each(|c| c.mark(out)),
            Data::List { item, .. } => item.mark(out),
            _ => {}
        }
    }

    /// Go back to a [`Col::mark`].
    fn truncate(&mut self, marks: &mut std::slice::Iter<'_, usize>) {
        let rows = *marks.next().expect("a mark per column");
        self.valid.truncate(rows);
        match &mut self.data {
            Data::Null => {}
            Data::Bool(v) => v.truncate(rows),
            Data::I32(v) => v.truncate(rows),
            Data::I64(v) => v.truncate(rows),
            Data::F32(v) => v.truncate(rows),
            Data::F64(v) => v.truncate(rows),
            Data::Utf8 { ends, bytes } | Data::Binary { ends, bytes } => {
                ends.truncate(rows + 1);
                bytes.truncate(*marks.next().expect("a byte mark"));
            }
            Data::Struct(children) => children.iter_mut().for_each(|c| c.truncate(marks)),
            Data::List { ends, item } => {
                ends.truncate(rows + 1);
                item.truncate(marks);
            }
        }
    }

    /// The built column as an array of `field`'s type; the column starts again empty.
    fn finish(&mut self, field: &FieldRef) -> Result<ArrayRef, arrow_schema::ArrowError> {
        let rows = self.valid.len();
        let nulls = Some(NullBuffer::from(take_vec(&mut self.valid)));
        let ends = |e: &mut Vec<i32>| {
            let mut next = Vec::with_capacity(e.len());
            next.push(0);
            OffsetBuffer::new(ScalarBuffer::from(std::mem::replace(e, next)))
        };
        Ok(match (&mut self.data, field.data_type()) {
            (Data::Null, _) => Arc::new(NullArray::new(rows)),
            (Data::Bool(v), _) => {
                Arc::new(BooleanArray::new(BooleanBuffer::from(take_vec(v)), nulls))
            }
            (Data::I32(v), _) => {
                Arc::new(Int32Array::try_new(ScalarBuffer::from(take_vec(v)), nulls)?)
            }
            (Data::I64(v), _) => {
                Arc::new(Int64Array::try_new(ScalarBuffer::from(take_vec(v)), nulls)?)
            }
            (Data::F32(v), _) => Arc::new(Float32Array::try_new(
                ScalarBuffer::from(take_vec(v)),
                nulls,
            )?),
            (Data::F64(v), _) => Arc::new(Float64Array::try_new(
                ScalarBuffer::from(take_vec(v)),
                nulls,
            )?),
            (Data::Utf8 { ends: e, bytes }, _) => Arc::new(StringArray::try_new(
                ends(e),
                Buffer::from_vec(take_vec(bytes)),
                nulls,
            )?),
            (Data::Binary { ends: e, bytes }, _) => Arc::new(BinaryArray::try_new(
                ends(e),
                Buffer::from_vec(take_vec(bytes)),
                nulls,
            )?),
            (Data::Struct(children), DataType::Struct(fields)) => {
                let arrays = children
                    .iter_mut()
                    .zip(fields.iter())
                    .map(|(c, f)| c.finish(f))
                    .collect::<Result<Vec<_>, _>>()?;
                Arc::new(StructArray::try_new(fields.clone(), arrays, nulls)?)
            }
            (Data::List { ends: e, item }, DataType::List(item_field)) => {
                let items = item.finish(item_field)?;
                Arc::new(ListArray::try_new(
                    item_field.clone(),
                    ends(e),
                    items,
                    nulls,
                )?)
            }
            (_, t) => {
                return Err(arrow_schema::ArrowError::SchemaError(format!(
                    "a built column does not fit its type {t}"
                )))
            }
        })
    }
}

/// A vector's contents, leaving it empty with as much room (the next batch is as big).
fn take_vec<T>(v: &mut Vec<T>) -> Vec<T> {
    let room = v.len();
    std::mem::replace(v, Vec::with_capacity(room))
}

/// Where a field of the alert's top record goes.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// The JSON part's column at this index.
    Column(usize),
    /// The cutout column at this index of [`CUTOUTS`].
    Cutout(usize),
}

/// An export file's rows being built straight from bodies of one schema.
#[derive(Debug)]
pub(super) struct Columns {
    graph: Arc<Graph>,
    /// Per node, its first branch other than null (a column's type); `usize::MAX`: none.
    first: Vec<usize>,
    slots: Vec<Slot>,
    columns: Vec<Col>,
    /// The cutout columns, when kept.
    cutouts: Option<[Col; 3]>,
    rows: usize,
    marks: Vec<usize>,
}

impl Columns {
    /// Columns for bodies of `schema`; `None` when the schema is one the walk does not
    /// serve (the reference path then serves every body): a logical type the view shows
    /// its own way, a top record that sits in a union, a cutout field that may hold
    /// anything but bytes, a type with no column.
    pub(super) fn new(schema: &AlertSchema, keep_cutouts: bool) -> Option<Columns> {
        let (graph, _) = schema.json_plan()?;
        let Node::Record(fields) = &graph.nodes[graph.root] else {
            return None;
        };
        let mut slots = Vec::new();
        let mut columns = Vec::new();
        for f in fields {
            if let Some(k) = CUTOUTS.iter().position(|c| *c == f.name) {
                let only_bytes = match &graph.nodes[f.node] {
                    Node::Union(bs) => bs
                        .iter()
                        .all(|b| matches!(graph.nodes[*b], Node::Null | Node::Bytes)),
                    n => matches!(n, Node::Bytes),
                };
                if !only_bytes {
                    return None;
                }
                slots.push(Slot::Cutout(k));
            } else {
                slots.push(Slot::Column(columns.len()));
                columns.push(Col::of(graph, f.node, 1)?);
            }
        }
        let first = (0..graph.nodes.len())
            .map(|n| graph.branches(n).first().copied().unwrap_or(usize::MAX))
            .collect();
        Some(Columns {
            graph: graph.clone(),
            first,
            slots,
            columns,
            cutouts: keep_cutouts.then(|| [Col::binary(), Col::binary(), Col::binary()]),
            rows: 0,
            marks: Vec::new(),
        })
    }

    /// Rows built and not yet taken.
    pub(super) fn rows(&self) -> usize {
        self.rows
    }

    /// Add one body as a row. On [`Declined`], the columns are as they were.
    pub(super) fn push(&mut self, body: &[u8]) -> Result<(), Declined> {
        if self.graph.guarded() {
            // The reference's own guard, first: a refused shape is its error to say.
            self.graph.check_shape(body)?;
        }
        self.marks.clear();
        for c in self.columns.iter().chain(self.cutouts.iter().flatten()) {
            c.mark(&mut self.marks);
        }
        let mut buf = body;
        let walked = self.walk_top(&mut buf);
        if walked.is_err() || !buf.is_empty() {
            let mut marks = std::mem::take(&mut self.marks);
            let mut at = marks.iter();
            for c in self
                .columns
                .iter_mut()
                .chain(self.cutouts.iter_mut().flatten())
            {
                c.truncate(&mut at);
            }
            marks.clear();
            self.marks = marks;
            return Err(Declined);
        }
        self.rows += 1;
        Ok(())
    }

    fn walk_top(&mut self, buf: &mut &[u8]) -> Result<(), Declined> {
        let graph = self.graph.clone();
        let Node::Record(fields) = &graph.nodes[graph.root] else {
            return Err(Declined);
        };
        let mut seen = [false; 3];
        let g = Types {
            graph: &graph,
            first: &self.first,
        };
        for (f, slot) in fields.iter().zip(&self.slots) {
            match *slot {
                Slot::Column(i) => walk(g, f.node, &mut self.columns[i], buf, 2)?,
                Slot::Cutout(k) => {
                    let mut n = f.node;
                    if let Node::Union(bs) = &graph.nodes[n] {
                        if buf.is_empty() {
                            return Err(Declined); // the reference reads null here
                        }
                        n = bs[branch_index(bs, buf)?];
                    }
                    let bytes = match graph.nodes[n] {
                        Node::Bytes => {
                            let len = length(buf)?;
                            Some(take(buf, len)?)
                        }
                        _ => None,
                    };
                    if let Some(cols) = &mut self.cutouts {
                        match bytes {
                            Some(b) => cols[k].push_bytes(b)?,
                            None => cols[k].push_null(),
                        }
                    }
                    seen[k] = true;
                }
            }
        }
        if let Some(cols) = &mut self.cutouts {
            for (k, c) in cols.iter_mut().enumerate() {
                if !seen[k] {
                    c.push_null();
                }
            }
        }
        Ok(())
    }

    /// The rows built so far as the columns of `fields` (the JSON part), followed by
    /// the cutouts when kept; the columns start again empty.
    pub(super) fn take(
        &mut self,
        fields: &Fields,
    ) -> Result<Vec<ArrayRef>, arrow_schema::ArrowError> {
        let mut out = self
            .columns
            .iter_mut()
            .zip(fields.iter())
            .map(|(c, f)| c.finish(f))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(cols) = &mut self.cutouts {
            let binary = Arc::new(arrow_schema::Field::new("cutout", DataType::Binary, true));
            for c in cols.iter_mut() {
                out.push(c.finish(&binary)?);
            }
        }
        self.rows = 0;
        Ok(out)
    }
}

/// The graph and each node's first non-null branch.
#[derive(Clone, Copy)]
struct Types<'a> {
    graph: &'a Graph,
    first: &'a [usize],
}

/// Walk one value of node `n` into `col`.
fn walk(
    t: Types<'_>,
    n: usize,
    col: &mut Col,
    buf: &mut &[u8],
    depth: usize,
) -> Result<(), Declined> {
    if depth > MAX_NESTING {
        return Err(Declined);
    }
    let g = t.graph;
    match (&g.nodes[n], &mut col.data) {
        (Node::Union(branches), _) => {
            if buf.is_empty() {
                return Err(Declined); // the reference reads null here
            }
            let b = branches[branch_index(branches, buf)?];
            if matches!(g.nodes[b], Node::Null) {
                col.push_null();
                return Ok(());
            }
            // The column has the first non-null branch's type: another branch's value
            // is the reference's to convert (or refuse).
            if t.first[n] != b {
                return Err(Declined);
            }
            return walk(t, b, col, buf, depth + 1);
        }
        (Node::Null, _) => {
            col.push_null();
            return Ok(());
        }
        (Node::Boolean, Data::Bool(v)) => match take(buf, 1)?[0] {
            0 => v.push(false),
            1 => v.push(true),
            _ => return Err(Declined),
        },
        (Node::Int, Data::I32(v)) => v.push(i32::try_from(varint(buf)?).map_err(|_| Declined)?),
        (Node::Long, Data::I64(v)) => v.push(varint(buf)?),
        (Node::Float, Data::F32(v)) => {
            let b = take(buf, 4)?;
            let f = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            if !f.is_finite() {
                col.push_null();
                return Ok(());
            }
            v.push(shown_f32_as_f32(f));
        }
        (Node::Double, Data::F64(v)) => {
            let b = take(buf, 8)?;
            let f = f64::from_le_bytes(b.try_into().expect("8 bytes"));
            if !f.is_finite() {
                col.push_null();
                return Ok(());
            }
            v.push(f);
        }
        (Node::Str, Data::Utf8 { .. }) => {
            let len = length(buf)?;
            let s = take(buf, len)?;
            std::str::from_utf8(s).map_err(|_| Declined)?;
            return col.push_bytes(s);
        }
        (Node::Enum(symbols), Data::Utf8 { .. }) => {
            let i = varint(buf)?;
            let i = usize::try_from(i)
                .ok()
                .filter(|i| *i < symbols.len() && i32::try_from(*i).is_ok())
                .ok_or(Declined)?;
            return col.push_bytes(symbols[i].as_bytes());
        }
        (Node::Bytes, Data::Binary { .. }) => {
            let len = length(buf)?;
            take(buf, len)?;
            col.push_null(); // the view leaves byte fields out
            return Ok(());
        }
        (Node::Fixed(size), Data::Binary { .. }) => {
            take(buf, *size)?;
            col.push_null();
            return Ok(());
        }
        (Node::Record(fields), Data::Struct(children)) => {
            for (f, c) in fields.iter().zip(children.iter_mut()) {
                walk(t, f.node, c, buf, depth + 1)?;
            }
        }
        (Node::Array(item), Data::List { ends, item: items }) => {
            let mut count: u64 = 0;
            loop {
                let k = next_block(buf, &mut count)?;
                if k == 0 {
                    break;
                }
                for _ in 0..k {
                    walk(t, *item, items, buf, depth + 1)?;
                }
            }
            let end =
                ends.last().expect("starts at 0") + i32::try_from(count).map_err(|_| Declined)?;
            ends.push(end);
        }
        _ => return Err(Declined),
    }
    col.valid.push(true);
    Ok(())
}
