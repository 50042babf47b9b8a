//! Decoding Avro bodies straight into jq values, building only what filters read.
//!
//! A [`Plan`] is compiled once per (schema, set of field names). Decoding walks the
//! writer's schema over the bytes: a record field whose name no filter mentions is
//! skipped without building anything (array blocks with byte sizes are jumped over
//! whole), so an alert's histories and cutouts cost nothing unless a filter reads
//! them. The values follow the JSON view: unions flattened, floats by their shortest
//! decimal, NaN as null, bytes as jq byte strings (whose `length` is their size).

use std::collections::{HashMap, HashSet};

use bytes::Bytes;
use jaq_json::{Map, Val};
use serde_json::Value as Json;

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

#[derive(Debug, Clone)]
enum Node {
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

#[derive(Debug, Clone)]
struct Field {
    key: Val,
    node: usize,
    keep: bool,
}

/// A compiled decoding plan.
#[derive(Debug, Clone)]
pub struct Plan {
    nodes: Vec<Node>,
    root: usize,
}

struct Builder<'a> {
    nodes: Vec<Node>,
    named: HashMap<String, usize>,
    keep: Option<&'a HashSet<String>>,
}

impl Builder<'_> {
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
                                        key: Val::from(fname.to_string()),
                                        node,
                                        keep: self.keep.is_none_or(|k| k.contains(fname)),
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

impl Plan {
    /// A plan for a self-contained schema. With `keep`, record fields whose names are
    /// not in it are skipped (None: decode everything).
    pub fn new(schema: &Json, keep: Option<&HashSet<String>>) -> Result<Plan, String> {
        let mut b = Builder {
            nodes: Vec::new(),
            named: HashMap::new(),
            keep,
        };
        let root = b.build(schema, None)?;
        Ok(Plan {
            nodes: b.nodes,
            root,
        })
    }

    /// Decode a whole Avro body.
    pub fn decode(&self, body: &[u8]) -> Result<Val, DecodeError> {
        let mut buf = body;
        let v = self.read(self.root, &mut buf)?;
        if !buf.is_empty() {
            return Err(DecodeError::Trailing(buf.len()));
        }
        Ok(v)
    }

    fn read(&self, n: usize, buf: &mut &[u8]) -> Result<Val, DecodeError> {
        Ok(match &self.nodes[n] {
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
                    Val::from(f.to_string().parse::<f64>().unwrap_or(f64::from(f)))
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
                Val::BStr(Box::new(Bytes::copy_from_slice(take(buf, len)?)))
            }
            Node::Fixed(size) => Val::BStr(Box::new(Bytes::copy_from_slice(take(buf, *size)?))),
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
            Node::Union(branches) => self.read(branch(branches, buf)?, buf)?,
            Node::Array(item) => {
                let mut out = Vec::new();
                loop {
                    let (count, _) = block(buf)?;
                    if count == 0 {
                        break;
                    }
                    for _ in 0..count {
                        out.push(self.read(*item, buf)?);
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
                        m.insert(Val::from(k), self.read(*values, buf)?);
                    }
                }
                Val::obj(m)
            }
            Node::Record(fields) => {
                let mut m = Map::default();
                for f in fields {
                    if f.keep {
                        m.insert(f.key.clone(), self.read(f.node, buf)?);
                    } else {
                        self.skip(f.node, buf)?;
                    }
                }
                Val::obj(m)
            }
        })
    }

    fn skip(&self, n: usize, buf: &mut &[u8]) -> Result<(), DecodeError> {
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

/// Read a union's branch index and return that branch's node.
fn branch(branches: &[usize], buf: &mut &[u8]) -> Result<usize, DecodeError> {
    let i = varint(buf)?;
    usize::try_from(i)
        .ok()
        .and_then(|i| branches.get(i).copied())
        .ok_or_else(|| DecodeError::Invalid(format!("union index {i}")))
}

fn take<'b>(buf: &mut &'b [u8], n: usize) -> Result<&'b [u8], DecodeError> {
    if buf.len() < n {
        return Err(DecodeError::Truncated);
    }
    let (head, rest) = buf.split_at(n);
    *buf = rest;
    Ok(head)
}

/// A zigzag varint (Avro int and long).
fn varint(buf: &mut &[u8]) -> Result<i64, DecodeError> {
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

fn length(buf: &mut &[u8]) -> Result<usize, DecodeError> {
    let n = varint(buf)?;
    let n = usize::try_from(n).map_err(|_| DecodeError::Invalid(format!("negative length {n}")))?;
    if n > buf.len() {
        return Err(DecodeError::Truncated);
    }
    Ok(n)
}

/// An array or map block header: item count and, when given, the block's byte size.
fn block(buf: &mut &[u8]) -> Result<(u64, Option<usize>), DecodeError> {
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
            let val = plan.decode(&body).unwrap();
            let got: Json = serde_json::from_str(&val.to_string()).unwrap();
            assert_eq!(got, to_json(&alert, CutoutPolicy::Size));
            assert!(plan.decode(&body[..body.len() - 1]).is_err());
        }
    }

    #[test]
    fn cutouts_are_byte_strings_of_their_size() {
        let schema = Arc::new(crate::schema::builtin_sample());
        let mut g = Generator::new(
            schema.clone(),
            SampleConfig {
                cutout_size: 10,
                ..SampleConfig::default()
            },
        );
        let alert = g.visit(0).remove(0);
        let body = crate::packet::encode_body(&schema, &alert).unwrap();
        let Val::Obj(m) = Plan::new(&schema.json, None)
            .unwrap()
            .decode(&body)
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
    }

    #[test]
    fn projection_skips_unnamed_fields() {
        let schema = Arc::new(crate::schema::builtin_sample());
        let mut g = Generator::new(schema.clone(), SampleConfig::default());
        let alert = g.visit(0).remove(0);
        let body = crate::packet::encode_body(&schema, &alert).unwrap();
        let keep: HashSet<String> = ["diaSource", "snr"].into_iter().map(String::from).collect();
        let val = Plan::new(&schema.json, Some(&keep))
            .unwrap()
            .decode(&body)
            .unwrap();
        let view = to_json(&alert, CutoutPolicy::Omit);
        let text = val.to_string();
        let got: Json = serde_json::from_str(&text).unwrap();
        assert_eq!(
            got,
            serde_json::json!({"diaSource": {"snr": view["diaSource"]["snr"]}})
        );
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
