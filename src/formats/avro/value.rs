//! An alert as values borrowed from its bytes: every field decoded, no name copied.
//!
//! [`decode`] walks a body once, by the compiled schema ([`Graph`]), and builds a tree
//! of [`Value`]s whose strings and bytes point into the body and whose record fields
//! are held by position: a field's name is the schema's, looked up when asked for
//! ([`Alert::get`]). A union holds its branch's value (the branch is told by the
//! value's kind, and by the node of a named type), and logical types hold their
//! underlying Avro type. It is the fast way to every field of an alert; the reference
//! is apache-avro's decoder behind [`crate::formats::packet::Decoder::decode`], and
//! [`Value::to_avro`] turns a tree into that decoder's values.
//!
//! The walk is strict where apache-avro is lenient: a union's index at the end of the
//! bytes, an `int` past 32 bits and an enum index past `i32` are errors, not values.
//! It keeps the other readers' guard: a schema whose values can nest without bound has
//! each body's shape checked first ([`Graph::check_shape`]), values nest at most
//! [`MAX_NESTING`] deep, and an array or map holds no more items than the reference
//! would (apache-avro's allocation limit). The differential test in
//! `tests/cli/json_text.rs` holds it to the reference over generated schemas, values
//! and corrupted bodies, every official version and the fuzz corpus: it decodes
//! exactly the bodies the JSON text writer accepts, to the reference's values.

use std::collections::HashMap;
use std::sync::Arc;

use super::binary::{branch_index, length, one_byte_branch, take, varint, DecodeError};
use super::graph::{Graph, InPlace, Node, Prim, MAX_NESTING};
use super::json::next_block;

/// One value of an alert, borrowed from the bytes it was decoded from.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// `null` (also a union's null branch).
    Null,
    /// `boolean`.
    Boolean(bool),
    /// `int` (and `date`, `time-millis`).
    Int(i32),
    /// `long` (and the timestamps, `time-micros`).
    Long(i64),
    /// `float`.
    Float(f32),
    /// `double`.
    Double(f64),
    /// `bytes`.
    Bytes(&'a [u8]),
    /// `string`.
    Str(&'a str),
    /// A `fixed` of the schema's node `node`.
    Fixed {
        /// The fixed type's node in the [`Graph`].
        node: u32,
        /// Its bytes.
        bytes: &'a [u8],
    },
    /// A symbol of the enum of node `node` ([`Alert::symbol`] names it).
    Enum {
        /// The enum type's node in the [`Graph`].
        node: u32,
        /// The symbol's index.
        index: u32,
    },
    /// An `array`'s items.
    Array(Vec<Value<'a>>),
    /// A `map`'s entries in the order of the bytes (a key written twice is kept twice).
    Map(Vec<(&'a str, Value<'a>)>),
    /// A record of node `node`: its fields in the schema's order.
    Record {
        /// The record type's node in the [`Graph`].
        node: u32,
        /// Its fields' values, by position.
        fields: Vec<Value<'a>>,
    },
}

impl<'a> Value<'a> {
    /// An `int` or `long` as `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(i) => Some(i64::from(i)),
            Value::Long(i) => Some(i),
            _ => None,
        }
    }

    /// A number (`int`, `long`, `float`, `double`) as `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(f64::from(i)),
            Value::Long(i) => Some(i as f64),
            Value::Float(f) => Some(f64::from(f)),
            Value::Double(f) => Some(f),
            _ => None,
        }
    }

    /// A string.
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes of a `bytes` or `fixed`.
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            Value::Bytes(b) | Value::Fixed { bytes: b, .. } => Some(b),
            _ => None,
        }
    }

    /// An array's items.
    pub fn as_array(&self) -> Option<&[Value<'a>]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// Whether it is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value of record field `name`, by the schema's names (`graph` is the one it
    /// was decoded with); `None` when this is not a record or has no such field.
    pub fn field(&self, graph: &Graph, name: &str) -> Option<&Value<'a>> {
        let Value::Record { node, fields } = self else {
            return None;
        };
        let Node::Record(defs) = graph.nodes.get(*node as usize)? else {
            return None;
        };
        defs.iter()
            .position(|f| f.name == name)
            .and_then(|i| fields.get(i))
    }

    /// The same value as apache-avro's decoder gives it for node `n` of `graph` (the
    /// graph it was decoded with): unions wrapped with their branch, records with
    /// their names, maps keyed (the last of a key written twice wins, as there).
    /// Logical types stay their underlying type.
    pub fn to_avro(&self, graph: &Graph, n: usize) -> apache_avro::types::Value {
        use apache_avro::types::Value as A;
        if let Node::Union(branches) = &graph.nodes[n] {
            let (i, b) = branches
                .iter()
                .enumerate()
                .find(|(_, b)| self.is_of(graph, **b))
                .map(|(i, b)| (i, *b))
                .expect("a decoded union's value fits one of its branches");
            return A::Union(i as u32, Box::new(self.to_avro(graph, b)));
        }
        match (self, &graph.nodes[n]) {
            (Value::Null, _) => A::Null,
            (Value::Boolean(b), _) => A::Boolean(*b),
            (Value::Int(i), _) => A::Int(*i),
            (Value::Long(i), _) => A::Long(*i),
            (Value::Float(f), _) => A::Float(*f),
            (Value::Double(f), _) => A::Double(*f),
            (Value::Bytes(b), _) => A::Bytes(b.to_vec()),
            (Value::Str(s), _) => A::String(s.to_string()),
            (Value::Fixed { bytes, .. }, _) => A::Fixed(bytes.len(), bytes.to_vec()),
            (Value::Enum { index, .. }, Node::Enum(symbols)) => {
                A::Enum(*index, symbols[*index as usize].clone())
            }
            (Value::Array(items), Node::Array(item)) => {
                A::Array(items.iter().map(|v| v.to_avro(graph, *item)).collect())
            }
            (Value::Map(entries), Node::Map(item)) => A::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_avro(graph, *item)))
                    .collect::<HashMap<_, _>>(),
            ),
            (Value::Record { fields, .. }, Node::Record(defs)) => A::Record(
                defs.iter()
                    .zip(fields)
                    .map(|(f, v)| (f.name.clone(), v.to_avro(graph, f.node)))
                    .collect(),
            ),
            (v, node) => panic!("a {} value decoded for a {} node", v.kind(), node.kind()),
        }
    }

    /// Whether this value was decoded from node `n` (a union's branch).
    fn is_of(&self, graph: &Graph, n: usize) -> bool {
        match (self, &graph.nodes[n]) {
            (Value::Null, Node::Null)
            | (Value::Boolean(_), Node::Boolean)
            | (Value::Int(_), Node::Int)
            | (Value::Long(_), Node::Long)
            | (Value::Float(_), Node::Float)
            | (Value::Double(_), Node::Double)
            | (Value::Bytes(_), Node::Bytes)
            | (Value::Str(_), Node::Str)
            | (Value::Array(_), Node::Array(_))
            | (Value::Map(_), Node::Map(_)) => true,
            (Value::Fixed { node, .. }, _)
            | (Value::Enum { node, .. }, _)
            | (Value::Record { node, .. }, _) => *node as usize == n,
            _ => false,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Boolean(_) => "boolean",
            Value::Int(_) => "int",
            Value::Long(_) => "long",
            Value::Float(_) => "float",
            Value::Double(_) => "double",
            Value::Bytes(_) => "bytes",
            Value::Str(_) => "string",
            Value::Fixed { .. } => "fixed",
            Value::Enum { .. } => "enum",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Record { .. } => "record",
        }
    }
}

/// A decoded alert: its values and the compiled schema that names them
/// ([`AlertSchema::decode_borrowed`](super::AlertSchema::decode_borrowed) makes one).
#[derive(Debug, Clone)]
pub struct Alert<'a> {
    graph: Arc<Graph>,
    value: Value<'a>,
}

impl<'a> Alert<'a> {
    /// Decode `body` (one value of `graph`'s root) by `plan` (the graph's), as
    /// [`decode`] does.
    pub fn decode(
        graph: Arc<Graph>,
        plan: &ValuePlan,
        body: &'a [u8],
    ) -> Result<Alert<'a>, DecodeError> {
        let value = decode(&graph, plan, body)?;
        Ok(Alert { graph, value })
    }

    /// The alert's root value (a record for every alert schema).
    pub fn value(&self) -> &Value<'a> {
        &self.value
    }

    /// The compiled schema its values' nodes refer to.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The value at `path` (field names through nested records, as
    /// `["diaSource", "psfFlux"]`); `None` when a name is not there or the path passes
    /// through a `null` or a value that is not a record.
    pub fn get(&self, path: &[&str]) -> Option<&Value<'a>> {
        path.iter()
            .try_fold(&self.value, |v, name| v.field(&self.graph, name))
    }

    /// An enum value's symbol.
    pub fn symbol(&self, v: &Value<'_>) -> Option<&str> {
        match *v {
            Value::Enum { node, index } => match self.graph.nodes.get(node as usize)? {
                Node::Enum(symbols) => symbols.get(index as usize).map(String::as_str),
                _ => None,
            },
            _ => None,
        }
    }

    /// The same alert as apache-avro's decoder gives it ([`Value::to_avro`]).
    pub fn to_avro(&self) -> apache_avro::types::Value {
        self.value.to_avro(&self.graph, self.graph.root)
    }
}

/// A schema compiled for [`decode`]: each record field's node and how it is read
/// (the graph's `InPlace`), told apart once
/// ([`AlertSchema::value_plan`](super::AlertSchema::value_plan)).
#[derive(Debug)]
pub struct ValuePlan {
    /// Per node: a record's fields; else empty.
    fields: Vec<Vec<(InPlace, u32)>>,
}

impl ValuePlan {
    /// The plan for `graph`.
    pub fn new(graph: &Graph) -> ValuePlan {
        let fields = graph
            .nodes
            .iter()
            .map(|node| match node {
                Node::Record(fields) => fields
                    .iter()
                    .map(|f| (graph.in_place(f.node), f.node as u32))
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        ValuePlan { fields }
    }
}

/// Decode `body`, one value of `graph`'s root, to values borrowed from it; every byte
/// must be used. `plan` is the graph's
/// ([`AlertSchema::value_plan`](super::AlertSchema::value_plan)).
pub fn decode<'a>(
    graph: &Graph,
    plan: &ValuePlan,
    body: &'a [u8],
) -> Result<Value<'a>, DecodeError> {
    if graph.guarded() {
        graph.check_shape(body)?;
    }
    let mut buf = body;
    let value = Walk { graph, plan }.value(graph.root as u32, &mut buf, 0)?;
    if !buf.is_empty() {
        return Err(DecodeError::Trailing(buf.len()));
    }
    Ok(value)
}

struct Walk<'g> {
    graph: &'g Graph,
    plan: &'g ValuePlan,
}

fn too_deep() -> DecodeError {
    DecodeError::Invalid(format!("values nested more than {MAX_NESTING} deep"))
}

impl Walk<'_> {
    /// One value of node `n`.
    fn value<'a>(
        &self,
        n: u32,
        buf: &mut &'a [u8],
        depth: usize,
    ) -> Result<Value<'a>, DecodeError> {
        if depth > MAX_NESTING {
            return Err(too_deep());
        }
        Ok(match &self.graph.nodes[n as usize] {
            Node::Null => Value::Null,
            Node::Boolean => prim(Prim::Boolean, buf)?,
            Node::Int => prim(Prim::Int, buf)?,
            Node::Long => prim(Prim::Long, buf)?,
            Node::Float => prim(Prim::Float, buf)?,
            Node::Double => prim(Prim::Double, buf)?,
            Node::Str => prim(Prim::Str, buf)?,
            Node::Bytes => {
                let len = length(buf)?;
                Value::Bytes(take(buf, len)?)
            }
            Node::Fixed(size) => Value::Fixed {
                node: n,
                bytes: take(buf, *size)?,
            },
            Node::Enum(symbols) => {
                let i = varint(buf)?;
                let index = u32::try_from(i)
                    .ok()
                    .filter(|i| (*i as usize) < symbols.len() && i32::try_from(*i).is_ok())
                    .ok_or_else(|| DecodeError::Invalid(format!("enum index {i}")))?;
                Value::Enum { node: n, index }
            }
            Node::Union(branches) => {
                let b = branches[branch_index(branches, buf)?];
                return self.value(b as u32, buf, depth + 1);
            }
            Node::Record(_) => self.record(n, buf, depth)?,
            Node::Array(item) => {
                let mut items = Vec::new();
                let mut count: u64 = 0;
                loop {
                    let k = next_block(buf, &mut count)?;
                    if k == 0 {
                        break;
                    }
                    items.reserve(k.min(buf.len() as u64 + 1) as usize);
                    for _ in 0..k {
                        items.push(self.value(*item as u32, buf, depth + 1)?);
                    }
                }
                Value::Array(items)
            }
            Node::Map(item) => {
                let mut entries = Vec::new();
                let mut count: u64 = 0;
                loop {
                    let k = next_block(buf, &mut count)?;
                    if k == 0 {
                        break;
                    }
                    entries.reserve(k.min(buf.len() as u64 + 1) as usize);
                    for _ in 0..k {
                        let key = text(buf)?;
                        entries.push((key, self.value(*item as u32, buf, depth + 1)?));
                    }
                }
                Value::Map(entries)
            }
        })
    }

    /// A record's fields in order: the common leaves in place, the rest through
    /// [`Walk::value`].
    fn record<'a>(
        &self,
        n: u32,
        buf: &mut &'a [u8],
        depth: usize,
    ) -> Result<Value<'a>, DecodeError> {
        let slots = &self.plan.fields[n as usize];
        let mut fields = Vec::with_capacity(slots.len());
        // The leaves decoded in place sit at depth + 2 at most, as through `value`.
        if depth + 2 > MAX_NESTING {
            for &(_, node) in slots {
                fields.push(self.value(node, buf, depth + 1)?);
            }
        } else {
            for &(how, node) in slots {
                fields.push(match how {
                    InPlace::Prim(p) => prim(p, buf)?,
                    InPlace::Nullable {
                        null_index,
                        prim: p,
                    } => match one_byte_branch(buf, null_index) {
                        Some(true) => prim(p, buf)?,
                        Some(false) => Value::Null,
                        // Any other spelling, a bad index or the end of the bytes: the
                        // union's general reading.
                        None => {
                            if branch_index(&[0, 1], buf)? == usize::from(null_index) {
                                Value::Null
                            } else {
                                prim(p, buf)?
                            }
                        }
                    },
                    InPlace::Node => self.value(node, buf, depth + 1)?,
                });
            }
        }
        Ok(Value::Record { node: n, fields })
    }
}

/// One primitive value.
#[inline]
fn prim<'a>(p: Prim, buf: &mut &'a [u8]) -> Result<Value<'a>, DecodeError> {
    Ok(match p {
        Prim::Boolean => match take(buf, 1)?[0] {
            0 => Value::Boolean(false),
            1 => Value::Boolean(true),
            b => return Err(DecodeError::Invalid(format!("boolean byte {b}"))),
        },
        Prim::Int => {
            let i = varint(buf)?;
            Value::Int(
                i32::try_from(i)
                    .map_err(|_| DecodeError::Invalid(format!("int {i} past 32 bits")))?,
            )
        }
        Prim::Long => Value::Long(varint(buf)?),
        Prim::Float => {
            let b = take(buf, 4)?;
            Value::Float(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }
        Prim::Double => {
            let b = take(buf, 8)?;
            Value::Double(f64::from_le_bytes(b.try_into().expect("8 bytes")))
        }
        Prim::Str => Value::Str(text(buf)?),
    })
}

/// A string (or map key): a length, then UTF-8.
fn text<'a>(buf: &mut &'a [u8]) -> Result<&'a str, DecodeError> {
    let n = length(buf)?;
    std::str::from_utf8(take(buf, n)?)
        .map_err(|e| DecodeError::Invalid(format!("a string that is not UTF-8: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::avro::load::from_json_str;

    use crate::formats::avro::AlertSchema;

    fn schema() -> Arc<AlertSchema> {
        let json = r#"{"type": "record", "name": "A", "fields": [
            {"name": "id", "type": "long"},
            {"name": "flux", "type": ["null", "float"]},
            {"name": "band", "type": {"type": "enum", "name": "B", "symbols": ["g", "r"]}},
            {"name": "src", "type": ["null", {"type": "record", "name": "S", "fields": [
                {"name": "ok", "type": "boolean"},
                {"name": "name", "type": "string"}]}]},
            {"name": "hist", "type": {"type": "array", "items": "S"}},
            {"name": "stamp", "type": ["null", "bytes"]}
        ]}"#;
        Arc::new(from_json_str(json, std::path::Path::new("test")).unwrap())
    }

    // id 21, flux branch 1 = 1.5, band r, src branch 1 {true, "ab"}, hist [ {false, ""} ],
    // stamp branch 1 = [7, 8].
    const BODY: [u8; 23] = [
        42, 2, 0, 0, 0xc0, 0x3f, 2, 2, 1, 4, b'a', b'b', 2, 0, 0, 0, 2, 4, 7, 8,
        // (three bytes the tests cut or add)
        0, 0, 0,
    ];

    fn body() -> &'static [u8] {
        &BODY[..20]
    }

    #[test]
    fn every_field_decodes_and_is_found_by_name() {
        let a = schema().decode_borrowed(body()).unwrap();
        assert_eq!(a.get(&["id"]).and_then(Value::as_i64), Some(21));
        assert_eq!(a.get(&["flux"]), Some(&Value::Float(1.5)));
        assert_eq!(a.symbol(a.get(&["band"]).unwrap()), Some("r"));
        assert_eq!(a.get(&["src", "ok"]), Some(&Value::Boolean(true)));
        assert_eq!(a.get(&["src", "name"]).and_then(Value::as_str), Some("ab"));
        let hist = a.get(&["hist"]).and_then(Value::as_array).unwrap();
        assert_eq!(hist.len(), 1);
        assert_eq!(hist[0].field(a.graph(), "name"), Some(&Value::Str("")));
        assert_eq!(
            a.get(&["stamp"]).and_then(Value::as_bytes),
            Some(&[7u8, 8][..])
        );
        assert_eq!(a.get(&["nope"]), None);
        assert_eq!(a.get(&["id", "deeper"]), None);
    }

    #[test]
    fn the_reference_decodes_the_same_values() {
        let s = schema();
        let a = s.decode_borrowed(body()).unwrap();
        let decoder = crate::formats::packet::Decoder::new(
            crate::formats::avro::SchemaStore::new(Vec::new()),
            None,
        );
        assert_eq!(a.to_avro(), decoder.decode_body(1, &s, body()).unwrap());
    }

    #[test]
    fn bad_bytes_are_refused_with_the_reason() {
        let s = schema();
        let err = |b: &[u8]| s.decode_borrowed(b).unwrap_err();
        for cut in 0..body().len() {
            assert_eq!(err(&body()[..cut]), DecodeError::Truncated, "cut at {cut}");
        }
        assert_eq!(err(&BODY[..21]), DecodeError::Trailing(1));
        let mut b = body().to_vec();
        b[1] = 4; // flux's union index 2
        assert!(matches!(err(&b), DecodeError::Invalid(m) if m.contains("union index 2")));
        let mut b = body().to_vec();
        b[8] = 2; // src.ok
        assert!(matches!(err(&b), DecodeError::Invalid(m) if m.contains("boolean")));
        let mut b = body().to_vec();
        b[10] = 0xff; // src.name
        assert!(matches!(err(&b), DecodeError::Invalid(m) if m.contains("UTF-8")));
        let mut b = body().to_vec();
        b[6] = 4; // band 2 of 2 symbols
        assert!(matches!(err(&b), DecodeError::Invalid(m) if m.contains("enum index 2")));
        let int = from_json_str(
            r#"{"type": "record", "name": "I", "fields": [{"name": "i", "type": "int"}]}"#,
            std::path::Path::new("test"),
        )
        .unwrap();
        let int = Arc::new(int);
        // 2^31 - 1 is an int; 2^31 (zigzag 2^32: five bytes) is not.
        let max = int
            .clone()
            .decode_borrowed(&[0xfe, 0xff, 0xff, 0xff, 0x0f])
            .unwrap();
        assert_eq!(max.get(&["i"]), Some(&Value::Int(i32::MAX)));
        let past = int
            .decode_borrowed(&[0x80, 0x80, 0x80, 0x80, 0x10])
            .unwrap_err();
        assert!(matches!(past, DecodeError::Invalid(m) if m.contains("past 32 bits")));
    }

    #[test]
    fn a_longer_spelling_of_a_union_index_is_read() {
        // flux's branch 1 written in two bytes (0x82 0x00), as Avro allows.
        let mut b = vec![42, 0x82, 0];
        b.extend_from_slice(&body()[2..]);
        let a = schema().decode_borrowed(&b).unwrap();
        assert_eq!(a.get(&["flux"]), Some(&Value::Float(1.5)));
        let mut b = vec![42, 0x80, 0];
        b.extend_from_slice(&body()[6..]);
        assert_eq!(
            schema().decode_borrowed(&b).unwrap().get(&["flux"]),
            Some(&Value::Null)
        );
    }
}
