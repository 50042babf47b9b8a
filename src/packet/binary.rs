//! The Avro binary encoding, walked with a compiled schema.
//!
//! A [`Graph`] is a writer schema compiled into nodes once (named types are shared, so
//! a recursive schema is a cycle). Readers that build only part of a value (the
//! filters' projected decoder and fast-path scanner) and readers that only find where
//! values end (splitting an Avro container file's blocks into records) walk it with
//! the helpers here. Every length is checked against the bytes left before it is used.

use std::collections::HashMap;

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

/// One node of a compiled schema.
#[derive(Debug, Clone)]
pub enum Node {
    /// `null`
    Null,
    /// `boolean`
    Boolean,
    /// `int`
    Int,
    /// `long`
    Long,
    /// `float`
    Float,
    /// `double`
    Double,
    /// `bytes`
    Bytes,
    /// `string`
    Str,
    /// An enum's symbols.
    Enum(Vec<String>),
    /// A fixed's size.
    Fixed(usize),
    /// An array's items.
    Array(usize),
    /// A map's values.
    Map(usize),
    /// A union's branches.
    Union(Vec<usize>),
    /// A record's fields.
    Record(Vec<Field>),
}

/// A record field.
#[derive(Debug, Clone)]
pub struct Field {
    /// The field's name.
    pub name: String,
    /// Its type.
    pub node: usize,
}

/// A writer schema compiled into nodes (named types are shared, so recursion is a cycle).
#[derive(Debug, Clone)]
pub struct Graph {
    /// The nodes.
    pub nodes: Vec<Node>,
    /// The schema's own node.
    pub root: usize,
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
    pub fn new(schema: &Json) -> Result<Graph, String> {
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
    pub fn skip(&self, n: usize, buf: &mut &[u8]) -> Result<(), DecodeError> {
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
pub fn branch(branches: &[usize], buf: &mut &[u8]) -> Result<usize, DecodeError> {
    branch_index(branches, buf).map(|i| branches[i])
}

/// Read a union's branch index, checked against the branches.
pub fn branch_index(branches: &[usize], buf: &mut &[u8]) -> Result<usize, DecodeError> {
    let i = varint(buf)?;
    usize::try_from(i)
        .ok()
        .filter(|i| *i < branches.len())
        .ok_or_else(|| DecodeError::Invalid(format!("union index {i}")))
}

pub fn take<'b>(buf: &mut &'b [u8], n: usize) -> Result<&'b [u8], DecodeError> {
    if buf.len() < n {
        return Err(DecodeError::Truncated);
    }
    let (head, rest) = buf.split_at(n);
    *buf = rest;
    Ok(head)
}

/// A zigzag varint (Avro int and long).
pub fn varint(buf: &mut &[u8]) -> Result<i64, DecodeError> {
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

pub fn length(buf: &mut &[u8]) -> Result<usize, DecodeError> {
    let n = varint(buf)?;
    let n = usize::try_from(n).map_err(|_| DecodeError::Invalid(format!("negative length {n}")))?;
    if n > buf.len() {
        return Err(DecodeError::Truncated);
    }
    Ok(n)
}

/// An array or map block header: item count and, when given, the block's byte size.
pub fn block(buf: &mut &[u8]) -> Result<(u64, Option<usize>), DecodeError> {
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
pub fn shown_f32(f: f32) -> f64 {
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
