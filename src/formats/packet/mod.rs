//! Alert packets: the Confluent wire format, Avro decoding, the JSON view, and visit files.
//!
//! A packet on the Rubin alert stream is the Confluent wire format:
//!
//! ```text
//! byte 0      magic byte, always 0
//! bytes 1-4   schema id, big-endian (Rubin: MAJOR*100+MINOR, 11.1 -> 1101)
//! bytes 5..   the Avro binary encoding of one alert, written with that schema
//! ```

pub mod file;
pub mod stats;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value;
use apache_avro::writer::datum::GenericDatumWriter;

use crate::formats::avro::binary::DecodeError;
use crate::formats::avro::{AlertSchema, SchemaStore};

/// The magic byte that starts every Confluent wire-format packet.
pub const MAGIC: u8 = 0;
/// Length of the wire-format header: the magic byte and the 4-byte schema id.
pub const HEADER_LEN: usize = 5;

/// Why a packet could not be read. Each message says what the bytes were and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum PacketError {
    /// Zero bytes.
    #[error(
        "empty packet (0 bytes): a wire-format alert starts with byte 0x00 and a 4-byte schema id"
    )]
    Empty,
    /// Byte 0 is not the magic byte.
    #[error("not a Confluent wire-format packet: byte 0 is 0x{byte:02x}, expected 0x00; the bytes look like {looks_like}")]
    BadMagic {
        /// The first byte found.
        byte: u8,
        /// A description of what the bytes resemble.
        looks_like: String,
    },
    /// Fewer than 5 bytes.
    #[error("truncated packet: {len} bytes, but the wire-format header alone is 5")]
    ShortHeader {
        /// The packet length.
        len: usize,
    },
    /// The Avro body ended before the alert did.
    #[error(
        "truncated packet: the Avro body ({len} bytes) ends before the alert does (schema id {id})"
    )]
    Truncated {
        /// The schema id in the header.
        id: u32,
        /// The length of the body.
        len: usize,
    },
    /// The body does not decode with the schema its header names.
    #[error("cannot decode the Avro body ({len} bytes) with schema id {id}: {reason}")]
    Decode {
        /// The schema id in the header.
        id: u32,
        /// The length of the body.
        len: usize,
        /// What the decoder said.
        reason: String,
    },
    /// The body decoded but bytes were left over.
    #[error("{extra} bytes left over after decoding the alert with schema id {id}: the packet was written with another schema")]
    Trailing {
        /// The schema id in the header.
        id: u32,
        /// How many bytes were not consumed.
        extra: usize,
    },
    /// Encoding a value failed (it does not match the schema).
    #[error("cannot encode the alert with schema {schema}: {reason}")]
    Encode {
        /// The schema's full name.
        schema: String,
        /// What the encoder said.
        reason: String,
    },
    /// The schema id is not known.
    #[error(transparent)]
    Schema(#[from] crate::formats::avro::SchemaError),
}

impl PacketError {
    /// Whether reading the packet again later may succeed (its schema's registry did
    /// not answer).
    pub fn is_transient(&self) -> bool {
        matches!(self, PacketError::Schema(e) if e.is_transient())
    }

    /// What a walk over a body with schema id `id` found wrong, as a packet error (the
    /// one conversion every reader of bodies uses).
    pub fn from_decode(id: u32, body_len: usize, e: DecodeError) -> PacketError {
        match e {
            DecodeError::Truncated => PacketError::Truncated { id, len: body_len },
            DecodeError::Trailing(extra) => PacketError::Trailing { id, extra },
            DecodeError::Invalid(reason) => PacketError::Decode {
                id,
                len: body_len,
                reason,
            },
        }
    }
}

/// Prefix an Avro body with the wire-format header.
pub fn encode(schema_id: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.push(MAGIC);
    out.extend_from_slice(&schema_id.to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// Split a packet into its schema id and Avro body, checking the header.
pub fn split(packet: &[u8]) -> Result<(u32, &[u8]), PacketError> {
    match packet {
        [] => Err(PacketError::Empty),
        [b, ..] if *b != MAGIC => Err(PacketError::BadMagic {
            byte: *b,
            looks_like: describe(packet),
        }),
        p if p.len() < HEADER_LEN => Err(PacketError::ShortHeader { len: p.len() }),
        p => Ok((
            u32::from_be_bytes([p[1], p[2], p[3], p[4]]),
            &p[HEADER_LEN..],
        )),
    }
}

/// Say in a few words what some bytes look like, for error messages.
pub fn describe(bytes: &[u8]) -> String {
    let head: String = bytes
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ");
    let text_head = || {
        let s: String = String::from_utf8_lossy(&bytes[..bytes.len().min(24)])
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        s.trim_end().to_string()
    };
    let first_text = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let kind = if bytes.starts_with(b"Obj\x01") {
        "an Avro Object Container File header (Obj\\x01): read it as a file, not a packet"
            .to_string()
    } else if bytes.starts_with(&[0xc3, 0x01]) {
        "Avro single-object encoding (C3 01 + fingerprint), not the Confluent wire format".into()
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        "gzip-compressed data: decompress it first".into()
    } else if bytes.starts_with(b"SIMPLE  =") {
        "a FITS file".into()
    } else if bytes.starts_with(b"PAR1") {
        "a Parquet file".into()
    } else if matches!(first_text, Some(b'{' | b'[')) && std::str::from_utf8(bytes).is_ok() {
        format!("JSON text ({:?})", text_head())
    } else if std::str::from_utf8(&bytes[..bytes.len().min(64)]).is_ok()
        && bytes
            .iter()
            .take(64)
            .all(|b| !b.is_ascii_control() || b.is_ascii_whitespace())
    {
        format!("text ({:?})", text_head())
    } else {
        "binary data".into()
    };
    format!("{kind}; first bytes: {head}")
}

/// Decode an Avro body written with `writer`, optionally resolved into `reader`
/// (Avro schema resolution: a consumer on an older schema reads newer packets). The
/// body of a schema whose values can nest without bound passes the graph's shape check
/// first. [`Decoder`] is how alertctl calls this.
fn decode_body(
    id: u32,
    writer: &AlertSchema,
    reader: Option<&AlertSchema>,
    body: &[u8],
) -> Result<Value, PacketError> {
    // Hostile shapes (deep nesting of a recursive type, endless empty items) are
    // refused before a recursive reader can exhaust the stack or the memory.
    let graph = writer.graph()?;
    if graph.guarded() {
        graph
            .check_shape(body)
            .map_err(|e| PacketError::from_decode(id, body.len(), e))?;
    }
    let datum = GenericDatumReader::builder(&writer.avro)
        .maybe_reader_schema(reader.map(|r| &r.avro))
        .build()
        .map_err(|e| PacketError::Decode {
            id,
            len: body.len(),
            reason: e.to_string(),
        })?;
    let mut cursor = body;
    let value = datum.read_value(&mut cursor).map_err(|e| {
        let reason = e.to_string();
        if is_eof(&e) {
            PacketError::Truncated {
                id,
                len: body.len(),
            }
        } else {
            PacketError::Decode {
                id,
                len: body.len(),
                reason,
            }
        }
    })?;
    if !cursor.is_empty() {
        return Err(PacketError::Trailing {
            id,
            extra: cursor.len(),
        });
    }
    Ok(value)
}

/// [`Decoder::write_json`] for a body: the fast path, else the reference (decode, view,
/// serialize).
fn write_json_body(
    id: u32,
    writer: &AlertSchema,
    reader: Option<&AlertSchema>,
    body: &[u8],
    policy: crate::formats::avro::view::CutoutPolicy,
    out: &mut Vec<u8>,
) -> Result<(), PacketError> {
    if reader.is_none() {
        if let Some((graph, plan)) = writer.json_plan() {
            if plan.write(graph, body, policy, out).is_ok() {
                return Ok(());
            }
        }
    }
    let value = decode_body(id, writer, reader, body)?;
    let view = crate::formats::avro::view::to_json(&value, policy);
    serde_json::to_writer(&mut *out, &view).expect("writing to a Vec");
    Ok(())
}

/// The reference path of [`Decoder::write_json`] alone: decode to values, build the
/// view, serialize it. What the fast path is proven equal to.
pub fn json_text_by_values(
    decoder: &mut Decoder,
    packet: &[u8],
    policy: crate::formats::avro::view::CutoutPolicy,
) -> Result<Vec<u8>, PacketError> {
    let (_, value) = decoder.decode(packet)?;
    Ok(serde_json::to_vec(&crate::formats::avro::view::to_json(&value, policy)).expect("JSON"))
}

fn is_eof(e: &apache_avro::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::UnexpectedEof {
                return true;
            }
        }
        source = err.source();
    }
    let text = e.to_string();
    text.contains("fill whole buffer") || text.contains("end of file")
}

/// Encode one alert value to its Avro body (no header).
pub fn encode_body(schema: &AlertSchema, value: &Value) -> Result<Vec<u8>, PacketError> {
    let err = |e: apache_avro::Error| PacketError::Encode {
        schema: schema.name.clone(),
        reason: e.to_string(),
    };
    let writer = GenericDatumWriter::builder(&schema.avro)
        .build()
        .map_err(err)?;
    let mut out = Vec::with_capacity(16 * 1024);
    writer.write_value_ref(&mut out, value).map_err(err)?;
    Ok(out)
}

/// Decodes packets by the schema id in their header, from a schema store, optionally
/// resolving every alert into one reader schema: the one way from bytes to values.
pub struct Decoder {
    store: SchemaStore,
    reader: Option<std::sync::Arc<AlertSchema>>,
}

impl Decoder {
    /// A decoder over `store`.
    pub fn new(store: SchemaStore, reader: Option<std::sync::Arc<AlertSchema>>) -> Self {
        Decoder { store, reader }
    }

    /// Decode one wire-format packet; returns its schema id and the alert.
    pub fn decode(&mut self, packet: &[u8]) -> Result<(u32, Value), PacketError> {
        let (id, body) = split(packet)?;
        let writer = self.store.get(id)?;
        Ok((id, decode_body(id, &writer, self.reader.as_deref(), body)?))
    }

    /// Decode one wire-format packet; returns its schema id, its schema and the alert.
    pub fn decode_with_schema(
        &mut self,
        packet: &[u8],
    ) -> Result<(u32, std::sync::Arc<AlertSchema>, Value), PacketError> {
        let (id, body) = split(packet)?;
        let writer = self.store.get(id)?;
        let value = decode_body(id, &writer, self.reader.as_deref(), body)?;
        Ok((id, writer, value))
    }

    /// Decode one wire-format packet to values borrowed from its bytes
    /// ([`crate::formats::avro::value`]): every field, as its writer schema has it, at
    /// several times [`Decoder::decode`]'s speed. With a reader schema this refuses:
    /// resolving an alert into it takes [`Decoder::decode`].
    pub fn decode_borrowed<'p>(
        &mut self,
        packet: &'p [u8],
    ) -> Result<(u32, crate::formats::avro::value::Alert<'p>), PacketError> {
        let (id, body) = split(packet)?;
        let writer = self.store.get(id)?;
        if let Some(reader) = &self.reader {
            return Err(PacketError::Decode {
                id,
                len: body.len(),
                reason: format!(
                    "borrowed values are as written; resolving them into the reader schema {} \
                     takes a decode to owned values",
                    reader.name
                ),
            });
        }
        let alert = writer
            .decode_borrowed(body)
            .map_err(|e| PacketError::from_decode(id, body.len(), e))?;
        Ok((id, alert))
    }

    /// Write one wire-format packet's JSON view ([`crate::formats::avro::view`]) as
    /// text to `out`; returns its schema id. The text is written straight from the
    /// bytes ([`crate::formats::avro::json`]) where that path serves the packet, else
    /// through the decoded values: the same bytes either way, and the same errors.
    pub fn write_json(
        &mut self,
        packet: &[u8],
        policy: crate::formats::avro::view::CutoutPolicy,
        out: &mut Vec<u8>,
    ) -> Result<u32, PacketError> {
        let (id, body) = split(packet)?;
        let writer = self.store.get(id)?;
        write_json_body(id, &writer, self.reader.as_deref(), body, policy, out)?;
        Ok(id)
    }

    /// `f` over a batch of wire-format packets on `workers` threads, results in the
    /// packets' order. `f` is given each packet's schema id, its writer schema
    /// (`container`'s, for a container file's records; else found by id, one packet at
    /// a time before the parallel part, so a registry is asked once per new id) and its
    /// Avro body. A packet whose header or schema fails gives that error instead.
    pub fn map_batch<P: AsRef<[u8]> + Sync, R: Send>(
        &mut self,
        packets: &[P],
        container: Option<&std::sync::Arc<AlertSchema>>,
        workers: usize,
        f: impl Fn(&Decoder, u32, &std::sync::Arc<AlertSchema>, &[u8]) -> Result<R, PacketError> + Sync,
    ) -> Vec<Result<R, PacketError>> {
        let found: Vec<Result<(u32, std::sync::Arc<AlertSchema>), PacketError>> = packets
            .iter()
            .map(|p| {
                let (id, _) = split(p.as_ref())?;
                Ok((
                    id,
                    match container {
                        Some(s) => s.clone(),
                        None => self.schema(id)?,
                    },
                ))
            })
            .collect();
        let this: &Decoder = self;
        let pairs: Vec<_> = packets
            .iter()
            .zip(found.iter().map(|r| r.as_ref().ok()))
            .collect();
        let done = crate::workers::map_ordered(&pairs, workers, |(p, found)| {
            found.map(|(id, schema)| f(this, *id, schema, split(p.as_ref())?.1))
        });
        done.into_iter()
            .zip(found)
            .map(|(done, found)| match (done, found) {
                (Some(r), _) => r,
                (None, Err(e)) => Err(e),
                (None, Ok(_)) => unreachable!("mapped when its schema was found"),
            })
            .collect()
    }

    /// [`Decoder::write_json`] for an Avro body (no wire header) written with `schema`.
    pub fn write_json_body(
        &self,
        id: u32,
        schema: &AlertSchema,
        body: &[u8],
        policy: crate::formats::avro::view::CutoutPolicy,
        out: &mut Vec<u8>,
    ) -> Result<(), PacketError> {
        write_json_body(id, schema, self.reader.as_deref(), body, policy, out)
    }

    /// Decode an Avro body (no wire header) written with `schema`, as a packet of
    /// schema id `id` (an Avro container file's records).
    pub fn decode_body(
        &self,
        id: u32,
        schema: &AlertSchema,
        body: &[u8],
    ) -> Result<Value, PacketError> {
        decode_body(id, schema, self.reader.as_deref(), body)
    }

    /// The schema for `id`.
    pub fn schema(&mut self, id: u32) -> Result<std::sync::Arc<AlertSchema>, PacketError> {
        Ok(self.store.get(id)?)
    }

    /// Use `schema` for packets with this id (a container file's own schema).
    pub fn insert_schema(&mut self, id: u32, schema: AlertSchema) {
        self.store.insert(id, schema);
    }

    /// One wire-format packet's [`AlertMeta`] and band ([`meta_from_bytes`]): read
    /// straight from its bytes where that serves, else from the decoded alert. The same
    /// answers either way, and the decoder's errors.
    pub fn meta(&mut self, packet: &[u8]) -> Result<(AlertMeta, Option<String>), PacketError> {
        let (id, body) = split(packet)?;
        let writer = self.store.get(id)?;
        self.meta_body(id, &writer, body)
    }

    /// [`Decoder::meta`] for an Avro body (no wire header) written with `schema`.
    pub fn meta_body(
        &self,
        id: u32,
        schema: &AlertSchema,
        body: &[u8],
    ) -> Result<(AlertMeta, Option<String>), PacketError> {
        if self.reader.is_none() {
            if let Some(found) = meta_from_bytes(schema, body) {
                return Ok(found);
            }
        }
        let v = self.decode_body(id, schema, body)?;
        Ok((
            alert_meta(&v),
            field_str(&v, &["diaSource"], &["band", "filterName"]),
        ))
    }

    /// The reader schema every alert is resolved into, if one was given.
    pub fn reader(&self) -> Option<&std::sync::Arc<AlertSchema>> {
        self.reader.as_ref()
    }

    /// The schema store underneath.
    pub fn store_mut(&mut self) -> &mut SchemaStore {
        &mut self.store
    }
}

/// What alertctl reads from every alert regardless of schema version.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AlertMeta {
    /// `diaSource.diaSourceId` (or `alertId` in old versions).
    pub dia_source_id: Option<i64>,
    /// `diaSource.diaObjectId` (or `diaObject.diaObjectId`).
    pub dia_object_id: Option<i64>,
    /// `diaSource.visit` (or `ccdVisitId / 1000` before 7.0).
    pub visit: Option<i64>,
    /// `diaSource.midpointMjdTai` (or `midPointTai`).
    pub mjd: Option<f64>,
}

/// A record's field by name (the record may sit in a union).
pub fn field<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    let v = match v {
        Value::Union(_, inner) => inner.as_ref(),
        other => other,
    };
    match v {
        Value::Record(fields) => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
        _ => None,
    }
}

fn as_i64(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Union(_, inner) => as_i64(Some(inner)),
        Value::Long(i) => Some(*i),
        Value::Int(i) => Some(i64::from(*i)),
        _ => None,
    }
}

fn as_f64(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Union(_, inner) => as_f64(Some(inner)),
        Value::Double(f) => Some(*f),
        Value::Float(f) => Some(f64::from(*f)),
        _ => None,
    }
}

/// A string field of a record inside an alert: `path` of record fields, then the first of
/// `names` that is set (field names changed between schema versions).
pub fn field_str(alert: &Value, path: &[&str], names: &[&str]) -> Option<String> {
    let rec = path.iter().try_fold(alert, |v, p| field(v, p))?;
    names.iter().find_map(|n| match field(rec, n)? {
        Value::Union(_, inner) => match inner.as_ref() {
            Value::String(s) | Value::Enum(_, s) => Some(s.clone()),
            _ => None,
        },
        Value::String(s) | Value::Enum(_, s) => Some(s.clone()),
        _ => None,
    })
}

/// Read ids, visit and time from a decoded alert, under any schema version's field names.
pub fn alert_meta(alert: &Value) -> AlertMeta {
    let src = field(alert, "diaSource");
    let from_src = |names: &[&str]| names.iter().find_map(|n| src.and_then(|s| field(s, n)));
    AlertMeta {
        dia_source_id: as_i64(from_src(&["diaSourceId"]))
            .or_else(|| as_i64(field(alert, "alertId"))),
        dia_object_id: as_i64(from_src(&["diaObjectId"]))
            .or_else(|| as_i64(field(alert, "diaObject").and_then(|o| field(o, "diaObjectId")))),
        visit: as_i64(from_src(&["visit"]))
            .or_else(|| as_i64(from_src(&["ccdVisitId"])).map(|c| c / 1000)),
        mjd: as_f64(from_src(&["midpointMjdTai", "midPointTai"])),
    }
}

/// [`alert_meta`] and the band ([`field_str`] of `diaSource.band`, else
/// `diaSource.filterName`) read straight from an Avro body written with `schema`,
/// without decoding it: the same answers as from the decoded alert. `None` when the
/// body is not one the JSON writer would write ([`crate::formats::avro::json::JsonPlan::accepts`]),
/// so that only the reference says whether a body decodes.
pub fn meta_from_bytes(schema: &AlertSchema, body: &[u8]) -> Option<(AlertMeta, Option<String>)> {
    use crate::formats::avro::graph::Leaf;
    let (graph, plan) = schema.json_plan()?;
    if !plan.accepts(graph, body) {
        return None;
    }
    let leaf = |path: &[&str]| graph.leaf_at(body, path).ok();
    // The first of `names` the diaSource record has (a null counts), as `alert_meta`
    // finds it.
    let from_src = |names: &[&str]| -> Option<Option<Leaf<'_>>> {
        for n in names {
            match leaf(&["diaSource", n])? {
                Leaf::Absent => continue,
                found => return Some(Some(found)),
            }
        }
        Some(None)
    };
    let long = |l: Option<Leaf<'_>>| match l {
        Some(Leaf::Long(i)) => Some(i),
        _ => None,
    };
    let meta = AlertMeta {
        dia_source_id: match long(from_src(&["diaSourceId"])?) {
            Some(i) => Some(i),
            None => long(Some(leaf(&["alertId"])?)),
        },
        dia_object_id: match long(from_src(&["diaObjectId"])?) {
            Some(i) => Some(i),
            None => long(Some(leaf(&["diaObject", "diaObjectId"])?)),
        },
        visit: match long(from_src(&["visit"])?) {
            Some(v) => Some(v),
            None => long(from_src(&["ccdVisitId"])?).map(|c| c / 1000),
        },
        mjd: match from_src(&["midpointMjdTai", "midPointTai"])? {
            Some(Leaf::Double(d)) => Some(d),
            Some(Leaf::Float(f)) => Some(f64::from(f)),
            _ => None,
        },
    };
    let mut band = None;
    for n in ["band", "filterName"] {
        if let Leaf::Text(t) = leaf(&["diaSource", n])? {
            band = Some(std::str::from_utf8(t).ok()?.to_string());
            break;
        }
    }
    Some((meta, band))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip() {
        let p = encode(1101, b"abc");
        assert_eq!(&p[..5], &[0, 0, 0, 0x04, 0x4d]);
        assert_eq!(split(&p).unwrap(), (1101, &b"abc"[..]));
    }

    #[test]
    fn bad_headers_say_what_the_bytes_look_like() {
        assert!(matches!(split(b""), Err(PacketError::Empty)));
        let e = split(br#"{"diaSourceId": 1}"#).unwrap_err().to_string();
        assert!(
            e.contains("byte 0 is 0x7b") && e.contains("JSON text"),
            "{e}"
        );
        let e = split(b"Obj\x01\x04\x16avro").unwrap_err().to_string();
        assert!(e.contains("Object Container File"), "{e}");
        assert!(matches!(
            split(&[0, 0, 4]),
            Err(PacketError::ShortHeader { len: 3 })
        ));
    }

    #[test]
    fn truncated_and_trailing_bodies_are_told_apart() {
        let schema = crate::formats::avro::builtin_sample();
        let mut gen = crate::formats::sample::Generator::new(
            std::sync::Arc::new(schema),
            crate::formats::sample::SampleConfig::default(),
        );
        let alert = gen.visit(0).remove(0);
        let s = gen.schema().clone();
        let body = encode_body(&s, &alert).unwrap();
        assert!(decode_body(1, &s, None, &body).is_ok());
        let e = decode_body(1, &s, None, &body[..body.len() / 2]).unwrap_err();
        assert!(matches!(e, PacketError::Truncated { .. }), "{e}");
        let meta = alert_meta(&alert);
        assert!(meta.dia_source_id.is_some() && meta.dia_object_id.is_some());
        assert_eq!(meta.visit, Some(gen.visit_id(0)));
        assert!(meta.mjd.unwrap() > 60_000.0);
        let mut long = body.clone();
        long.extend_from_slice(&[1, 2, 3]);
        let e = decode_body(1, &s, None, &long).unwrap_err();
        assert!(matches!(e, PacketError::Trailing { extra: 3, .. }), "{e}");
    }
}
