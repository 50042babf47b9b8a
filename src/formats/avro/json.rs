//! JSON text straight from Avro bytes: the JSON view ([`super::view`]) written while the
//! body is walked, with no tree of values built first (what `tail` prints).
//!
//! The rules are the view's own: unions flattened, a `float` by its shortest digits
//! ([`super::view::shown_f32`]), NaN and infinities as `null`, byte fields by the [`CutoutPolicy`],
//! map keys sorted, numbers and strings as `serde_json` writes them. The writer is the
//! fast path; the reference is [`crate::formats::packet::Decoder`] followed by
//! [`super::view::to_json`]. Whenever the writer meets anything it does not handle the
//! reference's way (a value the reference reads as `null` at the end of the bytes, a
//! varint past 64 bits, a schema with `decimal`, `uuid` or `duration` logical types, a
//! map with a key twice), it refuses, and the caller takes the reference path: the
//! output is the same either way, and every error message is the reference's. The
//! differential test in `tests/cli/json_text.rs` holds the two paths together over
//! generated schemas, values and corrupted bodies.

use std::io::Write;

use base64::Engine;

use super::binary::{block, branch_index, length, one_byte_branch, take, varint, DecodeError};
use super::graph::{Graph, InPlace, Node, Prim, MAX_NESTING};
use super::view::{write_f32, CutoutPolicy};

/// The writer declined: take the reference path (which then decodes or says why not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declined;

impl From<DecodeError> for Declined {
    fn from(_: DecodeError) -> Declined {
        Declined
    }
}

/// The most items the reference holds in one array or map (apache_avro's allocation
/// limit, 512 MiB, over the size of one of its values).
pub(crate) const MAX_ITEMS: u64 =
    (512 * 1024 * 1024 / std::mem::size_of::<(String, apache_avro::types::Value)>()) as u64;

/// The next block's item count (0 at the end of the array or map), with `count` the
/// items so far: past the reference's limit ([`MAX_ITEMS`]) an error, on which the
/// fast paths decline.
pub(crate) fn next_block(buf: &mut &[u8], count: &mut u64) -> Result<u64, DecodeError> {
    let (k, _) = block(buf)?;
    *count = count
        .checked_add(k)
        .filter(|c| *c <= MAX_ITEMS)
        .ok_or_else(|| DecodeError::Invalid(format!("more than {MAX_ITEMS} items")))?;
    Ok(k)
}

/// A schema compiled for writing JSON: each record's fields with their `,"name":` keys
/// and their leaf types, each enum's symbols as JSON text, made once per schema
/// ([`super::AlertSchema::json_plan`]).
#[derive(Debug)]
pub struct JsonPlan {
    /// Per node: a record's fields as written; else empty.
    fields: Vec<Vec<FieldPlan>>,
    /// Per node: an enum's `"symbol"` strings; else empty.
    symbols: Vec<Vec<Vec<u8>>>,
}

/// One record field: its key and, for the common leaves, their type ([`InPlace`]), so
/// the record writes them in place instead of going through [`Walk::value`] (and, for
/// a union with `null`, through the union's own step).
#[derive(Debug)]
struct FieldPlan {
    /// `,"name":`; the record's first written field leaves out the comma.
    key: Vec<u8>,
    /// The field's node.
    node: usize,
    /// How it is written.
    leaf: InPlace,
}

/// Logical types whose values the reference shows otherwise than their Avro type.
const SPECIAL_LOGICAL: [&str; 4] = ["decimal", "uuid", "duration", "big-decimal"];

fn has_special_logical(json: &serde_json::Value) -> bool {
    match json {
        serde_json::Value::Object(m) => {
            m.get("logicalType")
                .and_then(|v| v.as_str())
                .is_some_and(|t| SPECIAL_LOGICAL.contains(&t))
                || m.values().any(has_special_logical)
        }
        serde_json::Value::Array(a) => a.iter().any(has_special_logical),
        _ => false,
    }
}

impl JsonPlan {
    /// The plan for a schema's graph; `None` when the schema holds a logical type the
    /// reference shows its own way (then only the reference path is taken).
    pub fn new(schema_json: &serde_json::Value, graph: &Graph) -> Option<JsonPlan> {
        if has_special_logical(schema_json) {
            return None;
        }
        let quoted = |s: &str| serde_json::to_vec(s).expect("a string serializes");
        let fields = graph
            .nodes
            .iter()
            .map(|n| match n {
                Node::Record(fields) => fields
                    .iter()
                    .map(|f| {
                        let mut key = vec![b','];
                        key.extend(quoted(&f.name));
                        key.push(b':');
                        FieldPlan {
                            key,
                            node: f.node,
                            leaf: graph.in_place(f.node),
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        let symbols = graph
            .nodes
            .iter()
            .map(|n| match n {
                Node::Enum(symbols) => symbols.iter().map(|s| quoted(s)).collect(),
                _ => Vec::new(),
            })
            .collect();
        Some(JsonPlan { fields, symbols })
    }

    /// Append the JSON view of `body` (one value of the graph's root) to `out`. On
    /// [`Declined`], `out` is as it was.
    pub fn write(
        &self,
        graph: &Graph,
        body: &[u8],
        policy: CutoutPolicy,
        out: &mut Vec<u8>,
    ) -> Result<(), Declined> {
        let start = out.len();
        let mut w = Walk {
            plan: self,
            graph,
            policy,
            out,
        };
        let r = w.root(body);
        if r.is_err() {
            out.truncate(start);
        }
        r
    }
}

impl JsonPlan {
    /// Whether the writer would write `body` (one value of the graph's root): then the
    /// reference surely decodes it too. Nothing is written; the checks are the
    /// writer's own, so a body this refuses may still decode (the caller then asks the
    /// reference).
    pub fn accepts(&self, graph: &Graph, body: &[u8]) -> bool {
        if graph.guarded() && graph.check_shape(body).is_err() {
            return false;
        }
        let mut buf = body;
        check(graph, graph.root, &mut buf, 0).is_ok() && buf.is_empty()
    }
}

/// [`Walk::value`]'s checks of one value of node `n`, with nothing written.
fn check(graph: &Graph, n: usize, buf: &mut &[u8], depth: usize) -> Result<(), Declined> {
    if depth > MAX_NESTING {
        return Err(Declined);
    }
    match &graph.nodes[n] {
        Node::Null => {}
        Node::Boolean => {
            if take(buf, 1)?[0] > 1 {
                return Err(Declined);
            }
        }
        Node::Int => drop(i32::try_from(varint(buf)?).map_err(|_| Declined)?),
        Node::Long => drop(varint(buf)?),
        Node::Float => drop(take(buf, 4)?),
        Node::Double => drop(take(buf, 8)?),
        Node::Str => {
            let n = length(buf)?;
            std::str::from_utf8(take(buf, n)?).map_err(|_| Declined)?;
        }
        Node::Bytes => {
            let n = length(buf)?;
            take(buf, n)?;
        }
        Node::Fixed(size) => drop(take(buf, *size)?),
        Node::Enum(symbols) => {
            let i = varint(buf)?;
            usize::try_from(i)
                .ok()
                .filter(|i| *i < symbols.len() && i32::try_from(*i).is_ok())
                .ok_or(Declined)?;
        }
        Node::Union(branches) => {
            if buf.is_empty() {
                return Err(Declined); // the reference reads null here
            }
            let b = branches[branch_index(branches, buf)?];
            return check(graph, b, buf, depth + 1);
        }
        Node::Record(fields) => {
            for f in fields {
                check(graph, f.node, buf, depth + 1)?;
            }
        }
        Node::Array(item) | Node::Map(item) => {
            let map = matches!(graph.nodes[n], Node::Map(_));
            let mut count: u64 = 0;
            loop {
                let k = next_block(buf, &mut count)?;
                if k == 0 {
                    break;
                }
                for _ in 0..k {
                    if map {
                        if buf.is_empty() {
                            return Err(Declined);
                        }
                        let n = length(buf)?;
                        std::str::from_utf8(take(buf, n)?).map_err(|_| Declined)?;
                    }
                    check(graph, *item, buf, depth + 1)?;
                }
            }
        }
    }
    Ok(())
}

struct Walk<'a> {
    plan: &'a JsonPlan,
    graph: &'a Graph,
    policy: CutoutPolicy,
    out: &'a mut Vec<u8>,
}

impl Walk<'_> {
    /// Write the body's one value of the root; it must take every byte.
    fn root(&mut self, body: &[u8]) -> Result<(), Declined> {
        if self.graph.guarded() {
            // The reference's own guard, first: a refused shape is its error to say.
            self.graph.check_shape(body)?;
        }
        let mut buf = body;
        if !self.value(self.graph.root, &mut buf, 0)? {
            self.out.extend_from_slice(b"null");
        }
        if !buf.is_empty() {
            return Err(Declined);
        }
        Ok(())
    }

    /// Write one value of node `n`; false when it is left out (a byte field under
    /// [`CutoutPolicy::Omit`]).
    fn value(&mut self, n: usize, buf: &mut &[u8], depth: usize) -> Result<bool, Declined> {
        if depth > MAX_NESTING {
            return Err(Declined);
        }
        match &self.graph.nodes[n] {
            Node::Null => self.out.extend_from_slice(b"null"),
            Node::Boolean => self.prim(Prim::Boolean, buf)?,
            Node::Int => self.prim(Prim::Int, buf)?,
            Node::Long => self.prim(Prim::Long, buf)?,
            Node::Float => self.prim(Prim::Float, buf)?,
            Node::Double => self.prim(Prim::Double, buf)?,
            Node::Str => self.prim(Prim::Str, buf)?,
            Node::Bytes => {
                let n = length(buf)?;
                let b = take(buf, n)?;
                return Ok(self.bytes(b));
            }
            Node::Fixed(size) => {
                let b = take(buf, *size)?;
                return Ok(self.bytes(b));
            }
            Node::Enum(symbols) => {
                let i = varint(buf)?;
                let i = usize::try_from(i)
                    .ok()
                    .filter(|i| *i < symbols.len() && i32::try_from(*i).is_ok())
                    .ok_or(Declined)?;
                let plan = self.plan;
                self.out.extend_from_slice(&plan.symbols[n][i]);
            }
            Node::Union(branches) => {
                if buf.is_empty() {
                    return Err(Declined); // the reference reads null here
                }
                let b = branches[branch_index(branches, buf)?];
                return self.value(b, buf, depth + 1);
            }
            Node::Record(_) => self.record(n, buf, depth)?,
            Node::Array(item) => {
                self.out.push(b'[');
                let mut count: u64 = 0;
                loop {
                    let k = next_block(buf, &mut count)?;
                    if k == 0 {
                        break;
                    }
                    for i in 0..k {
                        if count - k + i > 0 {
                            self.out.push(b',');
                        }
                        if !self.value(*item, buf, depth + 1)? {
                            self.out.extend_from_slice(b"null");
                        }
                    }
                }
                self.out.push(b']');
            }
            Node::Map(item) => self.map(*item, buf, depth)?,
        }
        Ok(true)
    }

    /// A record's fields in order: the common leaves in place, the rest through
    /// [`Walk::value`] (where a left-out field takes its key back out).
    fn record(&mut self, n: usize, buf: &mut &[u8], depth: usize) -> Result<(), Declined> {
        let plan = self.plan;
        // The leaves written in place sit at depth + 2 at most, as through `value`.
        let in_place = depth + 2 <= MAX_NESTING;
        self.out.push(b'{');
        let mut first = true;
        for f in &plan.fields[n] {
            let key = if first { &f.key[1..] } else { &f.key[..] };
            let done = match f.leaf {
                InPlace::Prim(p) if in_place => {
                    self.out.extend_from_slice(key);
                    self.prim(p, buf)?;
                    true
                }
                InPlace::Nullable { null_index, prim } if in_place => {
                    match one_byte_branch(buf, null_index) {
                        Some(present) => {
                            self.out.extend_from_slice(key);
                            if present {
                                self.prim(prim, buf)?;
                            } else {
                                self.out.extend_from_slice(b"null");
                            }
                            true
                        }
                        // Any other spelling goes through the union's own step.
                        None => false,
                    }
                }
                _ => false,
            };
            if done {
                first = false;
                continue;
            }
            let mark = self.out.len();
            self.out.extend_from_slice(key);
            if self.value(f.node, buf, depth + 1)? {
                first = false;
            } else {
                self.out.truncate(mark);
            }
        }
        self.out.push(b'}');
        Ok(())
    }

    /// One primitive value.
    #[inline]
    fn prim(&mut self, p: Prim, buf: &mut &[u8]) -> Result<(), Declined> {
        match p {
            Prim::Boolean => match take(buf, 1)?[0] {
                0 => self.out.extend_from_slice(b"false"),
                1 => self.out.extend_from_slice(b"true"),
                _ => return Err(Declined),
            },
            Prim::Int => {
                let i = i32::try_from(varint(buf)?).map_err(|_| Declined)?;
                self.int(i64::from(i));
            }
            Prim::Long => {
                let i = varint(buf)?;
                self.int(i);
            }
            Prim::Float => {
                let b = take(buf, 4)?;
                let f = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                if f.is_finite() {
                    write_f32(self.out, f);
                } else {
                    self.out.extend_from_slice(b"null");
                }
            }
            Prim::Double => {
                let b = take(buf, 8)?;
                self.double(f64::from_le_bytes(b.try_into().expect("8 bytes")));
            }
            Prim::Str => {
                let n = length(buf)?;
                let s = std::str::from_utf8(take(buf, n)?).map_err(|_| Declined)?;
                serde_json::to_writer(&mut *self.out, s).map_err(|_| Declined)?;
            }
        }
        Ok(())
    }

    fn int(&mut self, i: i64) {
        serde_json::to_writer(&mut *self.out, &i).expect("writing to a Vec");
    }

    fn double(&mut self, f: f64) {
        // serde_json writes NaN and infinities as null, as the view has them.
        serde_json::to_writer(&mut *self.out, &f).expect("writing to a Vec");
    }

    fn bytes(&mut self, b: &[u8]) -> bool {
        match self.policy {
            CutoutPolicy::Omit => return false,
            CutoutPolicy::Size => {
                let _ = write!(self.out, "{{\"bytes\":{}}}", b.len());
            }
            CutoutPolicy::Keep => {
                self.out.push(b'"');
                let start = self.out.len();
                let n = base64::encoded_len(b.len(), true).expect("a cutout's length");
                self.out.resize(start + n, 0);
                let written = base64::engine::general_purpose::STANDARD
                    .encode_slice(b, &mut self.out[start..])
                    .expect("room for the encoding");
                self.out.truncate(start + written);
                self.out.push(b'"');
            }
        }
        true
    }

    /// A map: its entries sorted by key, those left out skipped (as the view has it).
    fn map(&mut self, item: usize, buf: &mut &[u8], depth: usize) -> Result<(), Declined> {
        let mut entries: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        let mut count: u64 = 0;
        loop {
            let k = next_block(buf, &mut count)?;
            if k == 0 {
                break;
            }
            for _ in 0..k {
                if buf.is_empty() {
                    return Err(Declined);
                }
                let n = length(buf)?;
                let key = std::str::from_utf8(take(buf, n)?).map_err(|_| Declined)?;
                let mark = self.out.len();
                let kept = self.value(item, buf, depth + 1)?;
                let text = kept.then(|| self.out[mark..].to_vec());
                self.out.truncate(mark);
                entries.push((key.to_string(), text));
            }
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        if entries.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(Declined); // the reference keeps the last: take its path
        }
        self.out.push(b'{');
        let mut first = true;
        for (key, text) in entries {
            let Some(text) = text else { continue };
            if !first {
                self.out.push(b',');
            }
            first = false;
            serde_json::to_writer(&mut *self.out, &key).map_err(|_| Declined)?;
            self.out.push(b':');
            self.out.extend_from_slice(&text);
        }
        self.out.push(b'}');
        Ok(())
    }
}
