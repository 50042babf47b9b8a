//! Decoding Avro bodies straight into jq values, building only what filters read.
//!
//! A [`Graph`] is a writer schema compiled into nodes once. A [`Plan`] is a graph with
//! a projection: the [`Need`] found by the path analysis, laid over the schema. Decoding
//! walks the schema over the bytes; a subtree nothing reads is skipped without building
//! anything (array blocks with byte sizes are jumped over whole), and a record that is
//! only reached through (`.diaSource.snr`) keeps just the fields that are read. The
//! values follow the JSON view: unions flattened, floats by their shortest decimal, NaN
//! and infinities as null, bytes as jq byte strings (slices of the packet, not copies).

use std::collections::HashMap;

use bytes::Bytes;
use jaq_json::{Map, Val};
use serde_json::Value as Json;

use super::analysis::Need;
use crate::schema::full_name;

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes ended early.
    #[error("truncated: the Avro body ends before the alert does")]
    Truncated,
    /// The bytes do not fit the schema.
    #[error("invalid Avro: {0}")]
    Invalid(String),
    /// Bytes left over.
    #[error("{0} bytes left over after the alert: written with another schema")]
    Trailing(usize),
}

/// One node of a compiled schema.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    Str,
    Enum(Vec<String>),
    Fixed(usize),
    Array(usize),
    Map(usize),
    Union(Vec<usize>),
    Record(Vec<Field>),
}

/// A record field.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) key: Val,
    pub(crate) node: usize,
}

/// A writer schema compiled into nodes (named types are shared, so recursion is a cycle).
#[derive(Debug, Clone)]
pub(crate) struct Graph {
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: usize,
}

struct Builder {
    nodes: Vec<Node>,
    named: HashMap<String, usize>,
}

impl Builder {
    fn push(&mut self, n: Node) -> usize {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    fn build(&mut self, t: &Json, ns: Option<&str>) -> Result<usize, String> {
        Ok(match t {
            Json::String(s) => match s.as_str() {
                "null" => self.push(Node::Null),
                "boolean" => self.push(Node::Boolean),
                "int" => self.push(Node::Int),
                "long" => self.push(Node::Long),
                "float" => self.push(Node::Float),
                "double" => self.push(Node::Double),
                "bytes" => self.push(Node::Bytes),
                "string" => self.push(Node::Str),
                name => {
                    let full = full_name(name, ns);
                    *self
                        .named
                        .get(&full)
                        .or_else(|| self.named.get(name))
                        .ok_or_else(|| format!("unknown type {full}"))?
                }
            },
            Json::Array(branches) => {
                let b = branches
                    .iter()
                    .map(|x| self.build(x, ns))
                    .collect::<Result<Vec<_>, _>>()?;
                self.push(Node::Union(b))
            }
            Json::Object(o) => {
                let kind = o.get("type").ok_or("schema object without type")?;
                let Some(kind) = kind.as_str() else {
                    return self.build(kind, ns);
                };
                match kind {
                    "array" => {
                        let i = self.build(o.get("items").ok_or("array without items")?, ns)?;
                        self.push(Node::Array(i))
                    }
                    "map" => {
                        let v = self.build(o.get("values").ok_or("map without values")?, ns)?;
                        self.push(Node::Map(v))
                    }
                    "record" | "error" | "enum" | "fixed" => {
                        let name = o
                            .get("name")
                            .and_then(Json::as_str)
                            .ok_or("named type without name")?;
                        let own = o.get("namespace").and_then(Json::as_str).or(ns);
                        let full = full_name(name, own);
                        let inner_ns = full.rsplit_once('.').map(|(n, _)| n.to_string());
                        let id = self.push(Node::Null); // placeholder: recursion may refer to it
                        self.named.insert(full, id);
                        let node = match kind {
                            "enum" => Node::Enum(
                                o.get("symbols")
                                    .and_then(Json::as_array)
                                    .map(|s| {
                                        s.iter()
                                            .filter_map(Json::as_str)
                                            .map(str::to_string)
                                            .collect()
                                    })
                                    .unwrap_or_default(),
                            ),
                            "fixed" => Node::Fixed(
                                o.get("size").and_then(Json::as_u64).unwrap_or(0) as usize,
                            ),
                            _ => {
                                let mut fields = Vec::new();
                                for f in o
                                    .get("fields")
                                    .and_then(Json::as_array)
                                    .ok_or("record without fields")?
                                {
                                    let fname = f
                                        .get("name")
                                        .and_then(Json::as_str)
                                        .ok_or("field without name")?;
                                    let node = self.build(
                                        f.get("type").ok_or("field without type")?,
                                        inner_ns.as_deref(),
                                    )?;
                                    fields.push(Field {
                                        name: fname.to_string(),
                                        key: Val::from(fname.to_string()),
                                        node,
                                    });
                                }
                                Node::Record(fields)
                            }
                        };
                        self.nodes[id] = node;
                        id
                    }
                    prim => self.build(&Json::String(prim.to_string()), ns)?,
                }
            }
            other => return Err(format!("not a schema: {other}")),
        })
    }
}

impl Graph {
    /// Compile a self-contained schema.
    pub(crate) fn new(schema: &Json) -> Result<Graph, String> {
        let mut b = Builder {
            nodes: Vec::new(),
            named: HashMap::new(),
        };
        let root = b.build(schema, None)?;
        Ok(Graph {
            nodes: b.nodes,
            root,
        })
    }

    /// Skip one value of node `n`.
    pub(crate) fn skip(&self, n: usize, buf: &mut &[u8]) -> Result<(), DecodeError> {
        match &self.nodes[n] {
            Node::Null => {}
            Node::Boolean => drop(take(buf, 1)?),
            Node::Int | Node::Long | Node::Enum(_) => drop(varint(buf)?),
            Node::Float => drop(take(buf, 4)?),
            Node::Double => drop(take(buf, 8)?),
            Node::Bytes | Node::Str => {
                let len = length(buf)?;
                take(buf, len)?;
            }
            Node::Fixed(size) => drop(take(buf, *size)?),
            Node::Union(branches) => self.skip(branch(branches, buf)?, buf)?,
            Node::Array(item) | Node::Map(item) => {
                let is_map = matches!(self.nodes[n], Node::Map(_));
                loop {
                    let (count, size) = block(buf)?;
                    if count == 0 {
                        break;
                    }
                    if let Some(size) = size {
                        take(buf, size)?; // a block with its byte size: jump over it
                        continue;
                    }
                    for _ in 0..count {
                        if is_map {
                            let len = length(buf)?;
                            take(buf, len)?;
                        }
                        self.skip(*item, buf)?;
                    }
                }
            }
            Node::Record(fields) => {
                for f in fields {
                    self.skip(f.node, buf)?;
                }
            }
        }
        Ok(())
    }
}

/// How far to decode one node.
#[derive(Debug, Clone)]
enum Proj {
    /// Everything below.
    Whole,
    /// These fields (None: skipped).
    Record(Vec<Option<usize>>),
    /// Every item, this far.
    Array(usize),
    /// Each branch, this far.
    Union(Vec<usize>),
}

/// A compiled decoding plan: a schema graph and a projection over it.
#[derive(Debug, Clone)]
pub struct Plan {
    graph: std::rc::Rc<Graph>,
    projs: Vec<Proj>,
    root: usize,
}

impl Plan {
    /// A plan for a self-contained schema. With `need`, only what it names is built
    /// (None: decode everything).
    pub fn new(schema: &Json, need: Option<&Need>) -> Result<Plan, String> {
        Ok(Plan::over(std::rc::Rc::new(Graph::new(schema)?), need))
    }

    /// A plan over an already compiled schema.
    pub(crate) fn over(graph: std::rc::Rc<Graph>, need: Option<&Need>) -> Plan {
        let mut projs = Vec::new();
        let everything = Need::everything();
        let root = project(&graph, graph.root, need.unwrap_or(&everything), &mut projs);
        Plan { graph, projs, root }
    }

    /// Decode a whole Avro body (a slice of `packet`, which byte strings share).
    pub fn decode(&self, packet: &Bytes, body: &[u8]) -> Result<Val, DecodeError> {
        let mut buf = body;
        let r = Reader { packet };
        let v = r.read(
            &self.graph,
            self.graph.root,
            self.root,
            &self.projs,
            &mut buf,
        )?;
        if !buf.is_empty() {
            return Err(DecodeError::Trailing(buf.len()));
        }
        Ok(v)
    }

    /// Decode a whole Avro body held alone.
    pub fn decode_body(&self, body: &[u8]) -> Result<Val, DecodeError> {
        let owned = Bytes::copy_from_slice(body);
        self.decode(&owned, &owned)
    }
}

fn project(g: &Graph, n: usize, need: &Need, out: &mut Vec<Proj>) -> usize {
    let p = if need.whole {
        Proj::Whole
    } else {
        match &g.nodes[n] {
            Node::Record(fields) => Proj::Record(
                fields
                    .iter()
                    .map(|f| need.field(&f.name).map(|fnd| project(g, f.node, &fnd, out)))
                    .collect(),
            ),
            Node::Array(item) => Proj::Array(project(g, *item, &need.items(), out)),
            Node::Union(branches) => {
                Proj::Union(branches.iter().map(|b| project(g, *b, need, out)).collect())
            }
            _ => Proj::Whole,
        }
    };
    out.push(p);
    out.len() - 1
}

struct Reader<'p> {
    packet: &'p Bytes,
}

impl Reader<'_> {
    /// A byte string sharing the packet's memory.
    fn bytes(&self, s: &[u8]) -> Val {
        let b = if self.packet.as_ptr_range().contains(&s.as_ptr()) {
            self.packet.slice_ref(s)
        } else {
            Bytes::copy_from_slice(s)
        };
        Val::BStr(Box::new(b))
    }

    /// Read node `n` as far as projection `p` says.
    fn read(
        &self,
        g: &Graph,
        n: usize,
        p: usize,
        projs: &[Proj],
        buf: &mut &[u8],
    ) -> Result<Val, DecodeError> {
        Ok(match (&projs[p], &g.nodes[n]) {
            (Proj::Whole, _) => self.whole(g, n, buf)?,
            (Proj::Record(keep), Node::Record(fields)) => {
                let mut m = Map::default();
                for (f, k) in fields.iter().zip(keep) {
                    match k {
                        Some(fp) => {
                            m.insert(f.key.clone(), self.read(g, f.node, *fp, projs, buf)?);
                        }
                        None => g.skip(f.node, buf)?,
                    }
                }
                Val::obj(m)
            }
            (Proj::Array(ip), Node::Array(item)) => {
                let mut out = Vec::new();
                loop {
                    let (count, _) = block(buf)?;
                    if count == 0 {
                        break;
                    }
                    for _ in 0..count {
                        out.push(self.read(g, *item, *ip, projs, buf)?);
                    }
                }
                out.into_iter().collect()
            }
            (Proj::Union(bps), Node::Union(branches)) => {
                let i = branch_index(branches, buf)?;
                self.read(g, branches[i], bps[i], projs, buf)?
            }
            _ => self.whole(g, n, buf)?,
        })
    }

    /// Read all of node `n`.
    fn whole(&self, g: &Graph, n: usize, buf: &mut &[u8]) -> Result<Val, DecodeError> {
        Ok(match &g.nodes[n] {
            Node::Null => Val::Null,
            Node::Boolean => match take(buf, 1)?[0] {
                0 => Val::from(false),
                1 => Val::from(true),
                b => return Err(DecodeError::Invalid(format!("boolean byte {b}"))),
            },
            Node::Int | Node::Long => Val::from(varint(buf)? as isize),
            Node::Float => {
                let f = f32::from_le_bytes(take(buf, 4)?.try_into().expect("4 bytes"));
                if f.is_finite() {
                    Val::from(shown_f32(f))
                } else {
                    Val::Null
                }
            }
            Node::Double => {
                let f = f64::from_le_bytes(take(buf, 8)?.try_into().expect("8 bytes"));
                if f.is_finite() {
                    Val::from(f)
                } else {
                    Val::Null
                }
            }
            Node::Bytes => {
                let len = length(buf)?;
                self.bytes(take(buf, len)?)
            }
            Node::Fixed(size) => self.bytes(take(buf, *size)?),
            Node::Str => {
                let len = length(buf)?;
                Val::from(String::from_utf8_lossy(take(buf, len)?).into_owned())
            }
            Node::Enum(symbols) => {
                let i = varint(buf)?;
                let s = usize::try_from(i)
                    .ok()
                    .and_then(|i| symbols.get(i))
                    .ok_or_else(|| DecodeError::Invalid(format!("enum index {i}")))?;
                Val::from(s.clone())
            }
            Node::Union(branches) => self.whole(g, branch(branches, buf)?, buf)?,
            Node::Array(item) => {
                let mut out = Vec::new();
                loop {
                    let (count, _) = block(buf)?;
                    if count == 0 {
                        break;
                    }
                    for _ in 0..count {
                        out.push(self.whole(g, *item, buf)?);
                    }
                }
                out.into_iter().collect()
            }
            Node::Map(values) => {
                let mut m = Map::default();
                loop {
                    let (count, _) = block(buf)?;
                    if count == 0 {
                        break;
                    }
                    for _ in 0..count {
                        let len = length(buf)?;
                        let k = String::from_utf8_lossy(take(buf, len)?).into_owned();
                        m.insert(Val::from(k), self.whole(g, *values, buf)?);
                    }
                }
                Val::obj(m)
            }
            Node::Record(fields) => {
                let mut m = Map::default();
                for f in fields {
                    m.insert(f.key.clone(), self.whole(g, f.node, buf)?);
                }
                Val::obj(m)
            }
        })
    }
}

/// Read a union's branch index and return that branch's node.
pub(crate) fn branch(branches: &[usize], buf: &mut &[u8]) -> Result<usize, DecodeError> {
    branch_index(branches, buf).map(|i| branches[i])
}

/// Read a union's branch index, checked against the branches.
pub(crate) fn branch_index(branches: &[usize], buf: &mut &[u8]) -> Result<usize, DecodeError> {
    let i = varint(buf)?;
    usize::try_from(i)
        .ok()
        .filter(|i| *i < branches.len())
        .ok_or_else(|| DecodeError::Invalid(format!("union index {i}")))
}

pub(crate) fn take<'b>(buf: &mut &'b [u8], n: usize) -> Result<&'b [u8], DecodeError> {
    if buf.len() < n {
        return Err(DecodeError::Truncated);
    }
    let (head, rest) = buf.split_at(n);
    *buf = rest;
    Ok(head)
}

/// A zigzag varint (Avro int and long).
pub(crate) fn varint(buf: &mut &[u8]) -> Result<i64, DecodeError> {
    let mut x: u64 = 0;
    for shift in (0..70).step_by(7) {
        let b = *buf.first().ok_or(DecodeError::Truncated)?;
        *buf = &buf[1..];
        if shift == 63 && b > 1 {
            return Err(DecodeError::Invalid("varint longer than 64 bits".into()));
        }
        x |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok((x >> 1) as i64 ^ -((x & 1) as i64));
        }
    }
    Err(DecodeError::Invalid("varint longer than 10 bytes".into()))
}

pub(crate) fn length(buf: &mut &[u8]) -> Result<usize, DecodeError> {
    let n = varint(buf)?;
    let n = usize::try_from(n).map_err(|_| DecodeError::Invalid(format!("negative length {n}")))?;
    if n > buf.len() {
        return Err(DecodeError::Truncated);
    }
    Ok(n)
}

/// An array or map block header: item count and, when given, the block's byte size.
pub(crate) fn block(buf: &mut &[u8]) -> Result<(u64, Option<usize>), DecodeError> {
    let count = varint(buf)?;
    if count < 0 {
        let size = length(buf)?;
        Ok((count.unsigned_abs(), Some(size)))
    } else {
        if count as u64 > buf.len() as u64 * 8 + 1 {
            // Each item takes at least one byte (or is null); far more items than bytes is corrupt.
            return Err(DecodeError::Invalid(format!(
                "block of {count} items in {} bytes",
                buf.len()
            )));
        }
        Ok((count as u64, None))
    }
}

/// A float32 as the JSON view shows it: the f64 nearest its shortest decimal form.
pub(crate) fn shown_f32(f: f32) -> f64 {
    let mut buf = ryu_like::Buffer::new();
    buf.format(f)
}

mod ryu_like {
    //! The shortest decimal of a float32, as Rust prints it, read back as a float64.
    use std::io::Write;

    pub struct Buffer {
        bytes: [u8; 48],
    }

    impl Buffer {
        pub fn new() -> Self {
            Buffer { bytes: [0; 48] }
        }

        pub fn format(&mut self, f: f32) -> f64 {
            let mut cur = std::io::Cursor::new(&mut self.bytes[..]);
            // Display of f32 prints its shortest round-tripping decimal, never in exponent form
            // for the values alerts hold; LowerExp covers the rest within the buffer.
            if write!(cur, "{f:e}").is_err() {
                return f64::from(f);
            }
            let n = cur.position() as usize;
            std::str::from_utf8(&self.bytes[..n])
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(f64::from(f))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{to_json, CutoutPolicy};
    use crate::sample::{Generator, SampleConfig};
    use std::sync::Arc;

    /// The full plan gives exactly the JSON view, for generated alerts.
    #[test]
    fn the_full_plan_matches_the_json_view() {
        let schema = Arc::new(crate::schema::builtin_sample());
        // No cutouts: byte strings print jq's way, not as JSON.
        let mut g = Generator::new(
            schema.clone(),
            SampleConfig {
                alerts_per_visit: 5,
                cutout_size: 0,
                ..SampleConfig::default()
            },
        );
        let plan = Plan::new(&schema.json, None).unwrap();
        for alert in g.visit(0) {
            let body = crate::packet::encode_body(&schema, &alert).unwrap();
            let val = plan.decode_body(&body).unwrap();
            let got: Json = serde_json::from_str(&val.to_string()).unwrap();
            assert_eq!(got, to_json(&alert, CutoutPolicy::Size));
            assert!(plan.decode_body(&body[..body.len() - 1]).is_err());
        }
    }

    #[test]
    fn cutouts_are_byte_strings_sharing_the_packet() {
        let schema = Arc::new(crate::schema::builtin_sample());
        let mut g = Generator::new(
            schema.clone(),
            SampleConfig {
                cutout_size: 10,
                ..SampleConfig::default()
            },
        );
        let alert = g.visit(0).remove(0);
        let packet = Bytes::from(crate::packet::encode_body(&schema, &alert).unwrap());
        let Val::Obj(m) = Plan::new(&schema.json, None)
            .unwrap()
            .decode(&packet, &packet)
            .unwrap()
        else {
            panic!("object")
        };
        let Some(Val::BStr(b)) = m.get(&Val::from("cutoutScience".to_string())) else {
            panic!("byte string")
        };
        assert_eq!(
            b.len(),
            to_json(&alert, CutoutPolicy::Size)["cutoutScience"]["bytes"]
                .as_u64()
                .unwrap() as usize
        );
        assert!(packet.as_ptr_range().contains(&b.as_ptr()), "not copied");
    }

    #[test]
    fn projection_builds_only_what_is_needed() {
        let schema = Arc::new(crate::schema::builtin_sample());
        let mut g = Generator::new(schema.clone(), SampleConfig::default());
        let alert = g.visit(0).remove(0);
        let body = crate::packet::encode_body(&schema, &alert).unwrap();
        let t = jaq_core::load::parse(".diaSource.snr > 5", |p| p.term()).unwrap();
        let need =
            crate::filter::analysis::analyze(&t, crate::filter::analysis::Use::Truth).unwrap();
        let val = Plan::new(&schema.json, Some(&need))
            .unwrap()
            .decode_body(&body)
            .unwrap();
        let view = to_json(&alert, CutoutPolicy::Omit);
        let got: Json = serde_json::from_str(&val.to_string()).unwrap();
        assert_eq!(
            got,
            serde_json::json!({"diaSource": {"snr": view["diaSource"]["snr"]}})
        );
        // Every item kept, each with only the field read: `length` and counts stay right.
        let t = jaq_core::load::parse("[.prvDiaSources[]?.snr] | length", |p| p.term()).unwrap();
        let need =
            crate::filter::analysis::analyze(&t, crate::filter::analysis::Use::Truth).unwrap();
        let val = Plan::new(&schema.json, Some(&need))
            .unwrap()
            .decode_body(&body)
            .unwrap();
        let got: Json = serde_json::from_str(&val.to_string()).unwrap();
        let n = view["prvDiaSources"].as_array().map_or(0, Vec::len);
        assert_eq!(got["prvDiaSources"].as_array().map_or(0, Vec::len), n);
    }

    #[test]
    fn varints() {
        for (bytes, v) in [
            (&[0u8][..], 0i64),
            (&[1], -1),
            (&[2], 1),
            (&[0x80, 0x01], 64),
            (&[0xfe, 0xff, 0xff, 0xff, 0x0f], i64::from(i32::MAX)),
        ] {
            let mut b = bytes;
            assert_eq!(varint(&mut b).unwrap(), v);
        }
        let mut b: &[u8] = &[0x80];
        assert_eq!(varint(&mut b), Err(DecodeError::Truncated));
    }
}
