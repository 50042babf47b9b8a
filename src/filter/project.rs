//! Decoding Avro bodies straight into jq values, building only what filters read.
//!
//! A [`Graph`] is a writer schema compiled into nodes once. A [`Plan`] is a graph with
//! a projection: the [`Need`] found by the path analysis, laid over the schema. Decoding
//! walks the schema over the bytes; a subtree nothing reads is skipped without building
//! anything (array blocks with byte sizes are jumped over whole), and a record that is
//! only reached through (`.diaSource.snr`) keeps just the fields that are read. The
//! values follow the JSON view: unions flattened, floats by their shortest decimal, NaN
//! and infinities as null, bytes as jq byte strings (slices of the packet, not copies).

use bytes::Bytes;
use jaq_json::{Map, Val};

use super::jq::analysis::Need;
pub use crate::formats::avro::binary::DecodeError;
use crate::formats::avro::binary::{block, branch, branch_index, length, take, varint};
use crate::formats::avro::graph::{Graph, Node, SkipRun};
use crate::formats::avro::view::shown_f32;

/// How far to decode one node.
#[derive(Debug, Clone)]
enum Proj {
    /// Everything below.
    Whole,
    /// The fields read, in order, and runs of fields skipped together between them.
    Record(Vec<Step>),
    /// Every item, this far.
    Array(usize),
    /// Each branch, this far.
    Union(Vec<usize>),
}

/// One step through a projected record.
#[derive(Debug, Clone)]
enum Step {
    /// Read field `field` as far as projection `proj` says.
    Read { field: usize, proj: usize },
    /// Skip fields nothing reads, in one go.
    Skip(SkipRun),
}

/// A compiled decoding plan: a schema graph and a projection over it.
#[derive(Debug, Clone)]
pub struct Plan {
    graph: std::sync::Arc<Graph>,
    projs: Vec<Proj>,
    root: usize,
    /// Each record node's field names, as jq keys (built once, shared by every object).
    keys: Vec<Vec<Val>>,
}

impl Plan {
    /// A plan for a self-contained schema. With `need`, only what it names is built
    /// (None: decode everything).
    pub fn new(
        schema: &crate::formats::avro::AlertSchema,
        need: Option<&Need>,
    ) -> Result<Plan, String> {
        let graph = schema.graph().map_err(|e| e.to_string())?;
        Ok(Plan::over(graph.clone(), need))
    }

    /// A plan over an already compiled schema.
    pub(crate) fn over(graph: std::sync::Arc<Graph>, need: Option<&Need>) -> Plan {
        let mut projs = Vec::new();
        let everything = Need::everything();
        let root = project(&graph, graph.root, need.unwrap_or(&everything), &mut projs);
        let keys = graph
            .nodes
            .iter()
            .map(|n| match n {
                Node::Record(fields) => fields.iter().map(|f| Val::from(f.name.clone())).collect(),
                _ => Vec::new(),
            })
            .collect();
        Plan {
            graph,
            projs,
            root,
            keys,
        }
    }

    /// Decode a whole Avro body (a slice of `packet`, which byte strings share).
    pub fn decode(&self, packet: &Bytes, body: &[u8]) -> Result<Val, DecodeError> {
        let mut buf = body;
        let r = Reader {
            packet,
            keys: &self.keys,
        };
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

    /// Decode a body whose top-level fields start at `starts` (and the last ends at
    /// its last entry), as a scan found them: fields nothing reads are not walked.
    pub fn decode_at(
        &self,
        packet: &Bytes,
        body: &[u8],
        starts: &[u32],
    ) -> Result<Val, DecodeError> {
        let (Proj::Record(steps), Node::Record(fields)) =
            (&self.projs[self.root], &self.graph.nodes[self.graph.root])
        else {
            return self.decode(packet, body);
        };
        if starts.len() != fields.len() + 1 {
            return self.decode(packet, body);
        }
        let r = Reader {
            packet,
            keys: &self.keys,
        };
        let mut m = Map::with_capacity_and_hasher(steps.len(), Default::default());
        // Each field read is found where the scan started it; the skips are not needed.
        for step in steps {
            if let Step::Read { field, proj } = *step {
                let (a, b) = (starts[field] as usize, starts[field + 1] as usize);
                let mut buf = body.get(a..b).ok_or(DecodeError::Truncated)?;
                let v = r.read(&self.graph, fields[field].node, proj, &self.projs, &mut buf)?;
                m.insert(self.keys[self.graph.root][field].clone(), v);
                if !buf.is_empty() {
                    return Err(DecodeError::Invalid(
                        "a field decoded short of where the scan ended it".into(),
                    ));
                }
            }
        }
        Ok(Val::obj(m))
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
            Node::Record(fields) => {
                let mut steps = Vec::new();
                let mut skipped = Vec::new();
                for (i, f) in fields.iter().enumerate() {
                    match need.field(&f.name) {
                        Some(fnd) => {
                            if !skipped.is_empty() {
                                steps.push(Step::Skip(g.skip_run(&skipped)));
                                skipped.clear();
                            }
                            let proj = project(g, f.node, &fnd, out);
                            steps.push(Step::Read { field: i, proj });
                        }
                        None => skipped.push(f.node),
                    }
                }
                if !skipped.is_empty() {
                    steps.push(Step::Skip(g.skip_run(&skipped)));
                }
                Proj::Record(steps)
            }
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
    keys: &'p [Vec<Val>],
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
            (Proj::Record(steps), Node::Record(fields)) => {
                let mut m = Map::with_capacity_and_hasher(steps.len(), Default::default());
                for step in steps {
                    match step {
                        Step::Read { field, proj } => {
                            let v = self.read(g, fields[*field].node, *proj, projs, buf)?;
                            m.insert(self.keys[n][*field].clone(), v);
                        }
                        Step::Skip(run) => g.skip_with(run, buf)?,
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
                let mut m = Map::with_capacity_and_hasher(fields.len(), Default::default());
                for (f, key) in fields.iter().zip(&self.keys[n]) {
                    m.insert(key.clone(), self.whole(g, f.node, buf)?);
                }
                Val::obj(m)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::avro::view::{to_json, CutoutPolicy};
    use crate::formats::sample::{Generator, SampleConfig};
    use serde_json::Value as Json;
    use std::sync::Arc;

    /// The full plan gives exactly the JSON view, for generated alerts.
    #[test]
    fn the_full_plan_matches_the_json_view() {
        let schema = Arc::new(crate::formats::avro::builtin_sample());
        // No cutouts: byte strings print jq's way, not as JSON.
        let mut g = Generator::new(
            schema.clone(),
            SampleConfig {
                alerts_per_visit: 5,
                cutout_size: 0,
                ..SampleConfig::default()
            },
        );
        let plan = Plan::new(&schema, None).unwrap();
        for alert in g.visit(0) {
            let body = crate::formats::packet::encode_body(&schema, &alert).unwrap();
            let val = plan.decode_body(&body).unwrap();
            let got: Json = serde_json::from_str(&val.to_string()).unwrap();
            assert_eq!(got, to_json(&alert, CutoutPolicy::Size));
            assert!(plan.decode_body(&body[..body.len() - 1]).is_err());
        }
    }

    #[test]
    fn cutouts_are_byte_strings_sharing_the_packet() {
        let schema = Arc::new(crate::formats::avro::builtin_sample());
        let mut g = Generator::new(
            schema.clone(),
            SampleConfig {
                cutout_size: 10,
                ..SampleConfig::default()
            },
        );
        let alert = g.visit(0).remove(0);
        let packet = Bytes::from(crate::formats::packet::encode_body(&schema, &alert).unwrap());
        let Val::Obj(m) = Plan::new(&schema, None)
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
        let schema = Arc::new(crate::formats::avro::builtin_sample());
        let mut g = Generator::new(schema.clone(), SampleConfig::default());
        let alert = g.visit(0).remove(0);
        let body = crate::formats::packet::encode_body(&schema, &alert).unwrap();
        let t = jaq_core::load::parse(".diaSource.snr > 5", |p| p.term()).unwrap();
        let need =
            crate::filter::jq::analysis::analyze(&t, crate::filter::jq::analysis::Use::Truth)
                .unwrap();
        let val = Plan::new(&schema, Some(&need))
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
            crate::filter::jq::analysis::analyze(&t, crate::filter::jq::analysis::Use::Truth)
                .unwrap();
        let val = Plan::new(&schema, Some(&need))
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
