//! Exports of alerts to Parquet, partitioned by night (and optionally band), with a
//! manifest that says what was read and written, and checks of an export against its
//! manifest and against the topic it came from.
//!
//! The Parquet schema is the alert schema's own, nested: `diaSource` and `diaObject` are
//! struct columns, the histories lists of structs; the cutouts are binary columns (or
//! left out). A column holds what `tail` shows (a NaN float is null): rows are built
//! straight from the Avro bytes (`columns`), and an alert that walk declines goes the
//! reference way, decoded to values, viewed as JSON and read by `arrow_json`; the files
//! are the same either way. Every column is nullable. With more than one worker each
//! file is encoded on a thread of its own. Files are written under a temporary name and
//! renamed when complete; `manifest.json` is written last.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use apache_avro::types::Value;
use arrow_array::{ArrayRef, BinaryArray, RecordBatch};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sha2::Digest;

use crate::choice::Choice;
use crate::formats::avro::graph::{Graph, Node};
use crate::formats::avro::view::{to_json, CutoutPolicy};
use crate::formats::avro::AlertSchema;

mod columns;

/// The three cutout fields, in their column order.
pub const CUTOUTS: [&str; 3] = ["cutoutDifference", "cutoutScience", "cutoutTemplate"];

/// Rows per Parquet row group write.
const BATCH_ROWS: usize = 1024;

/// What went wrong with an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file could not be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The alert schema has no Parquet form, or a row does not fit it.
    #[error("schema {id}: {reason}")]
    Convert {
        /// The schema id.
        id: u32,
        /// Why.
        reason: String,
    },
    /// The directory already holds an export.
    #[error("{0} already holds an export (manifest.json): choose a new --out, or remove it")]
    Exists(String),
}

/// Result of export operations.
pub type Result<T> = std::result::Result<T, ExportError>;

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |e| ExportError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Where the alerts came from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Source {
    /// The topic (or regex) read.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub topic: Option<String>,
    /// The brokers.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub brokers: Option<String>,
    /// The time range read (Unix ms, end exclusive); none: the partitions from their
    /// beginning to their end when read.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub window_ms: Option<(i64, i64)>,
    /// The visit file read.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
}

/// What was read of one partition.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PartitionRange {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// First offset read.
    pub first: i64,
    /// Last offset read.
    pub last: i64,
    /// Records read (every offset from first to last when nothing is missing).
    pub count: u64,
}

/// One written file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Path under the export directory.
    pub path: String,
    /// Rows in it.
    pub rows: u64,
    /// Its size.
    pub bytes: u64,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
}

/// `manifest.json`: what an export read and wrote.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// `parquet`.
    pub format: String,
    /// Where the alerts came from.
    pub source: Source,
    /// Whether the cutouts are columns.
    pub cutouts: bool,
    /// Per partition, what was read (Kafka sources).
    pub partitions: Vec<PartitionRange>,
    /// The files, with their rows and checksums.
    pub files: Vec<FileEntry>,
    /// The schema ids met.
    pub schema_ids: Vec<u32>,
    /// Rows in all.
    pub rows: u64,
}

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Apache Parquet, nested columns.
    Parquet,
    /// Avro container files (OCF) with the alert schema, as Rubin's archive serves them.
    Avro,
}

impl crate::choice::Choice for Format {
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        ("parquet", "Apache Parquet, nested columns", Format::Parquet),
        (
            "avro",
            "Avro container files with the alert schema (cutouts nulled with --cutouts omit)",
            Format::Avro,
        ),
    ];
}

/// How to export.
#[derive(Debug, Clone)]
pub struct Options {
    /// The export directory.
    pub out: PathBuf,
    /// The file format.
    pub format: Format,
    /// Keep the cutouts as binary columns.
    pub cutouts: bool,
    /// Partition by band under each night.
    pub by_band: bool,
    /// Threads decoding alerts and building their views (0: one per core); the rows
    /// keep the input's order.
    pub workers: usize,
}

/// The Arrow type of an Avro type (unions with null are nullable; named types resolved).
fn arrow_type(g: &Graph, n: usize, depth: usize) -> std::result::Result<DataType, String> {
    if depth > 32 {
        return Err("nesting deeper than 32".into());
    }
    let Some(&t) = g.branches(n).first() else {
        return Ok(DataType::Null);
    };
    Ok(match &g.nodes[t] {
        Node::Boolean => DataType::Boolean,
        Node::Int => DataType::Int32,
        Node::Long => DataType::Int64,
        Node::Float => DataType::Float32,
        Node::Double => DataType::Float64,
        Node::Str | Node::Enum(_) => DataType::Utf8,
        Node::Bytes | Node::Fixed(_) => DataType::Binary,
        Node::Record(_) => DataType::Struct(record_fields(g, t, depth + 1, false)?),
        Node::Array(items) => DataType::List(Arc::new(Field::new(
            "item",
            arrow_type(g, *items, depth + 1)?,
            true,
        ))),
        other => return Err(format!("no Parquet column for Avro type {}", other.kind())),
    })
}

fn record_fields(
    g: &Graph,
    record: usize,
    depth: usize,
    skip_cutouts: bool,
) -> std::result::Result<Fields, String> {
    let Node::Record(avro_fields) = &g.nodes[record] else {
        return Err("not a record".into());
    };
    let mut fields = Vec::new();
    for f in avro_fields {
        if skip_cutouts && CUTOUTS.contains(&f.name.as_str()) {
            continue;
        }
        fields.push(Field::new(&f.name, arrow_type(g, f.node, depth)?, true));
    }
    Ok(fields.into())
}

/// The Parquet (Arrow) schema of an alert schema: the JSON-decoded part (everything
/// but the cutouts) and the whole, with the cutouts as binary columns when kept.
fn arrow_schemas(
    schema: &AlertSchema,
    cutouts: bool,
) -> std::result::Result<(SchemaRef, SchemaRef), String> {
    let g = schema.graph().map_err(|e| e.to_string())?;
    let record = *g
        .branches(g.root)
        .first()
        .ok_or("the schema is not a record")?;
    let json_fields = record_fields(g, record, 0, true)?;
    let mut all: Vec<Arc<Field>> = json_fields.iter().cloned().collect();
    if cutouts {
        for c in CUTOUTS {
            all.push(Arc::new(Field::new(c, DataType::Binary, true)));
        }
    }
    Ok((
        Arc::new(Schema::new(json_fields)),
        Arc::new(Schema::new(all)),
    ))
}

/// A top-level bytes field of an alert.
fn top_bytes<'v>(value: &'v Value, name: &str) -> Option<&'v [u8]> {
    match crate::formats::packet::field(value, name)? {
        Value::Bytes(b) => Some(b),
        Value::Union(_, inner) => match &**inner {
            Value::Bytes(b) => Some(b),
            _ => None,
        },
        _ => None,
    }
}

/// An alert with its (optional) cutouts nulled, for an Avro export without them.
fn without_cutouts(value: &Value) -> Value {
    match value {
        Value::Record(fields) => Value::Record(
            fields
                .iter()
                .map(|(k, v)| {
                    if CUTOUTS.contains(&k.as_str()) {
                        if let Value::Union(i @ 0..=1, _) = v {
                            // The other branch of ["null", "bytes"] (or ["bytes", "null"]).
                            return (k.clone(), Value::Union(1 - i, Box::new(Value::Null)));
                        }
                    }
                    (k.clone(), v.clone())
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The night (dayObs) of an alert, from `diaSource.midpointMjdTai`.
fn night_of(alert: &Value) -> String {
    night_of_mjd(crate::formats::packet::alert_meta(alert).mjd)
}

/// The night (dayObs) of an alert's MJD; `unknown` without one.
fn night_of_mjd(mjd: Option<f64>) -> String {
    mjd.filter(|mjd| mjd.is_finite())
        .and_then(|mjd| chrono::DateTime::from_timestamp_millis(crate::night::mjd_to_unix_ms(mjd)))
        .map_or("unknown".into(), |t| crate::night::day_obs(t).to_string())
}

/// [`night_of`] and the band [`Exporter::add_viewed`] reads from the view, straight
/// from a body: `diaSource.midpointMjdTai` (or `midPointTai`, the first in the schema),
/// and the first of `diaSource.band`, `diaSource.filterName` the view has and is not
/// null. `None` when the body cannot be read so (the reference path then decides).
fn night_and_band(graph: &Graph, body: &[u8], by_band: bool) -> Option<(String, Option<String>)> {
    use crate::formats::avro::graph::Leaf;
    let mut mjd = None;
    for name in ["midpointMjdTai", "midPointTai"] {
        match graph.leaf_at(body, &["diaSource", name]).ok()? {
            Leaf::Absent => continue,
            Leaf::Double(d) => mjd = Some(d),
            Leaf::Float(f) => mjd = Some(f64::from(f)),
            _ => {}
        }
        break;
    }
    let mut band = None;
    if by_band {
        for name in ["band", "filterName"] {
            match graph.leaf_at(body, &["diaSource", name]).ok()? {
                Leaf::Absent | Leaf::Null | Leaf::Bytes => continue,
                Leaf::Double(d) if !d.is_finite() => continue,
                Leaf::Float(f) if !f.is_finite() => continue,
                Leaf::Text(t) => band = Some(std::str::from_utf8(t).ok()?.to_string()),
                _ => {}
            }
            break;
        }
        band = Some(band.unwrap_or_else(|| "unknown".into()));
    }
    Some((night_of_mjd(mjd), band))
}

struct Part {
    tmp: PathBuf,
    sink: Sink,
    decoder: arrow_json::reader::Decoder,
    full: SchemaRef,
    /// The JSON part's fields (all but the cutouts).
    fields: Fields,
    /// Rows by the reference path: views, and cutouts when kept.
    rows: Vec<Json>,
    cutouts: Vec<[Option<Vec<u8>>; 3]>,
    /// Rows built straight from the bodies, when the schema allows; a batch holds rows
    /// of one path only, in the order they came.
    columns: Option<columns::Columns>,
    written: u64,
    keep_cutouts: bool,
}

impl Part {
    fn write_pending(&mut self, id: u32) -> Result<()> {
        self.write_built(id)?;
        self.write_viewed(id)
    }

    fn convert(id: u32) -> impl Fn(arrow_schema::ArrowError) -> ExportError {
        move |e| ExportError::Convert {
            id,
            reason: e.to_string(),
        }
    }

    /// Write the rows built from bodies as a batch.
    fn write_built(&mut self, id: u32) -> Result<()> {
        let Some(cols) = self.columns.as_mut().filter(|c| c.rows() > 0) else {
            return Ok(());
        };
        let rows = cols.rows() as u64;
        let columns = cols.take(&self.fields).map_err(Self::convert(id))?;
        let batch = RecordBatch::try_new(self.full.clone(), columns).map_err(Self::convert(id))?;
        self.write(batch, rows)
    }

    /// Write the reference path's rows as a batch.
    fn write_viewed(&mut self, id: u32) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let conv = Self::convert(id);
        self.decoder.serialize(&self.rows).map_err(&conv)?;
        let batch = self
            .decoder
            .flush()
            .map_err(&conv)?
            .ok_or_else(|| ExportError::Convert {
                id,
                reason: "no rows decoded".into(),
            })?;
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        if self.keep_cutouts {
            for i in 0..3 {
                let col: BinaryArray = self.cutouts.iter().map(|c| c[i].as_deref()).collect();
                columns.push(Arc::new(col));
            }
        }
        let batch = RecordBatch::try_new(self.full.clone(), columns).map_err(conv)?;
        let rows = self.rows.len() as u64;
        self.rows.clear();
        self.cutouts.clear();
        self.write(batch, rows)
    }

    fn write(&mut self, batch: RecordBatch, rows: u64) -> Result<()> {
        self.sink.write(batch)?;
        self.written += rows;
        Ok(())
    }
}

/// Encoded bytes a file's row group may hold in memory before it is written out: a
/// row group of a night's export would otherwise hold the whole file.
const ROW_GROUP_BYTES: usize = 128 << 20;

/// Where a file's batches are encoded: here, or (with more than one worker) on a thread
/// of the file's own, a batch or two behind the walk that builds them.
enum Sink {
    Here(Box<ArrowWriter<File>>, String),
    Thread {
        batches: Option<std::sync::mpsc::SyncSender<RecordBatch>>,
        /// The thread, until joined.
        done: Option<std::thread::JoinHandle<Result<()>>>,
        rel: String,
    },
}

/// Write a batch, and the row group once it holds [`ROW_GROUP_BYTES`].
fn encode(writer: &mut ArrowWriter<File>, batch: &RecordBatch, rel: &str) -> Result<()> {
    let io = |e: parquet::errors::ParquetError| ExportError::Io {
        path: rel.to_string(),
        reason: e.to_string(),
    };
    writer.write(batch).map_err(io)?;
    if writer.in_progress_size() >= ROW_GROUP_BYTES {
        writer.flush().map_err(io)?;
    }
    Ok(())
}

impl Sink {
    fn new(writer: ArrowWriter<File>, rel: &str, threaded: bool) -> Sink {
        if !threaded {
            return Sink::Here(Box::new(writer), rel.to_string());
        }
        let (tx, rx) = std::sync::mpsc::sync_channel::<RecordBatch>(1);
        let name = rel.to_string();
        let done = std::thread::spawn(move || {
            let mut writer = writer;
            for batch in rx {
                encode(&mut writer, &batch, &name)?;
            }
            writer.close().map(drop).map_err(|e| ExportError::Io {
                path: name,
                reason: e.to_string(),
            })
        });
        Sink::Thread {
            batches: Some(tx),
            done: Some(done),
            rel: rel.to_string(),
        }
    }

    fn write(&mut self, batch: RecordBatch) -> Result<()> {
        match self {
            Sink::Here(w, rel) => encode(w, &batch, rel),
            Sink::Thread { batches, done, rel } => {
                let sent = batches.as_ref().is_some_and(|tx| tx.send(batch).is_ok());
                if sent {
                    return Ok(());
                }
                // The thread stopped: its error says why.
                *batches = None;
                Self::join(done.take(), rel)
            }
        }
    }

    fn join(done: Option<std::thread::JoinHandle<Result<()>>>, rel: &str) -> Result<()> {
        let failed = |reason: &str| ExportError::Io {
            path: rel.to_string(),
            reason: reason.into(),
        };
        match done {
            Some(t) => t
                .join()
                .unwrap_or_else(|_| Err(failed("the Parquet writer's thread panicked"))),
            None => Err(failed("the Parquet writer stopped on an earlier error")),
        }
    }

    /// Write what is left and the file's footer.
    fn close(self) -> Result<()> {
        match self {
            Sink::Here(w, rel) => w.close().map(drop).map_err(|e| ExportError::Io {
                path: rel,
                reason: e.to_string(),
            }),
            Sink::Thread {
                batches, done, rel, ..
            } => {
                drop(batches);
                Self::join(done, &rel)
            }
        }
    }
}

/// Writes an export: [`Exporter::add`] each alert, then [`Exporter::finish`].
pub struct Exporter {
    opts: Options,
    source: Source,
    parts: BTreeMap<String, (u32, Part)>,
    avro: BTreeMap<String, crate::formats::packet::file::VisitWriter<'static>>,
    /// Alert schemas the Avro writers borrow: one per schema id met, kept for the
    /// process (a handful at most).
    avro_schemas: HashMap<u32, &'static AlertSchema>,
    schemas: HashMap<u32, (SchemaRef, SchemaRef)>,
    partitions: BTreeMap<(String, i32), (i64, i64, u64)>,
    schema_ids: BTreeSet<u32>,
}

impl Exporter {
    /// Start an export into `opts.out` (created; refused when it holds an export).
    pub fn create(opts: Options, source: Source) -> Result<Exporter> {
        std::fs::create_dir_all(&opts.out).map_err(io_err(&opts.out))?;
        if opts.out.join("manifest.json").exists() {
            return Err(ExportError::Exists(opts.out.display().to_string()));
        }
        Ok(Exporter {
            opts,
            source,
            parts: BTreeMap::new(),
            avro: BTreeMap::new(),
            avro_schemas: HashMap::new(),
            schemas: HashMap::new(),
            partitions: BTreeMap::new(),
            schema_ids: BTreeSet::new(),
        })
    }

    /// Add one alert (decoded with `schema`, id `schema_id`), read at `place`
    /// (topic, partition, offset) when it came from Kafka.
    pub fn add(
        &mut self,
        place: Option<(&str, i32, i64)>,
        schema_id: u32,
        schema: &AlertSchema,
        value: &Value,
    ) -> Result<()> {
        self.add_viewed(
            place,
            schema_id,
            schema,
            value,
            to_json(value, CutoutPolicy::Omit),
        )
    }

    /// [`Exporter::add`] with the alert's JSON view (cutouts omitted) already built.
    pub fn add_viewed(
        &mut self,
        place: Option<(&str, i32, i64)>,
        schema_id: u32,
        schema: &AlertSchema,
        value: &Value,
        view: Json,
    ) -> Result<()> {
        self.ensure_arrow_schema(schema_id, schema)?;
        self.schema_ids.insert(schema_id);
        let band = self.opts.by_band.then(|| {
            crate::render::table::lookup(&view, "diaSource.band|diaSource.filterName")
                .and_then(Json::as_str)
                .unwrap_or("unknown")
                .to_string()
        });
        let rel = self.rel(&night_of(value), band.as_deref(), schema_id);
        if self.opts.format == Format::Avro {
            self.add_avro(&rel, schema_id, schema, value)?;
        } else {
            self.add_parquet(&rel, schema_id, schema, value, view)?;
        }
        self.count(place);
        Ok(())
    }

    /// Add one alert's Avro body (written with `schema`, id `schema_id`) as a Parquet
    /// row built straight from its bytes, when the walk serves the schema and the body
    /// (`columns`). `false`: nothing was added, and the caller decodes the alert and
    /// gives it to [`Exporter::add`] (which then adds it, or the decoding says why not).
    /// The files are the same either way, byte for byte.
    pub fn try_add_bytes(
        &mut self,
        place: Option<(&str, i32, i64)>,
        schema_id: u32,
        schema: &AlertSchema,
        body: &[u8],
    ) -> Result<bool> {
        if self.opts.format != Format::Parquet {
            return Ok(false);
        }
        let Ok(graph) = schema.graph() else {
            return Ok(false);
        };
        let Some((night, band)) = night_and_band(graph, body, self.opts.by_band) else {
            return Ok(false);
        };
        if self.ensure_arrow_schema(schema_id, schema).is_err() {
            return Ok(false); // the reference says so, after its own decoding errors
        }
        let rel = self.rel(&night, band.as_deref(), schema_id);
        if !self.parts.contains_key(&rel) {
            // A new file only for a body the walk takes (else the reference's error,
            // if any, comes first).
            let fits = columns::Columns::new(schema, self.opts.cutouts)
                .is_some_and(|mut probe| probe.push(body).is_ok());
            if !fits {
                return Ok(false);
            }
            self.make_part(&rel, schema_id, schema)?;
        }
        let (id, part) = self.parts.get_mut(&rel).expect("made");
        let id = *id;
        let Some(cols) = part.columns.as_mut() else {
            return Ok(false);
        };
        if cols.push(body).is_err() {
            return Ok(false);
        }
        // The reference's rows before this one go first, as their own batch.
        part.write_viewed(id)?;
        if part
            .columns
            .as_ref()
            .is_some_and(|c| c.rows() >= BATCH_ROWS)
        {
            part.write_built(id)?;
        }
        self.schema_ids.insert(schema_id);
        self.count(place);
        Ok(true)
    }

    /// Add a batch of wire-format packets, in order (a container file's records with
    /// its `container` schema and id), read at `places`: each straight from its bytes
    /// where [`Exporter::try_add_bytes`] serves it, else decoded (a batch of Avro
    /// containers on `workers` threads) and added by its view. Per packet, whether it
    /// was added or why it could not be decoded; an error of the files stops the batch.
    pub fn add_batch(
        &mut self,
        decoder: &mut crate::formats::packet::Decoder,
        packets: &[&[u8]],
        places: &[Option<(&str, i32, i64)>],
        container: Option<&(u32, Arc<AlertSchema>)>,
        workers: usize,
    ) -> Result<Vec<std::result::Result<(), crate::formats::packet::PacketError>>> {
        let mut out = Vec::with_capacity(packets.len());
        if self.opts.format != Format::Parquet || decoder.reader().is_some() {
            let decoded = decode_batch(decoder, packets, container, workers);
            for (d, place) in decoded.into_iter().zip(places) {
                out.push(match d {
                    Ok((id, schema, value, view)) => {
                        self.add_viewed(*place, id, &schema, &value, view)?;
                        Ok(())
                    }
                    Err(e) => Err(e),
                });
            }
            return Ok(out);
        }
        for (packet, place) in packets.iter().zip(places) {
            let found = crate::formats::packet::split(packet)
                .ok()
                .and_then(|(id, body)| match container {
                    Some((cid, s)) => Some((*cid, s.clone(), body)),
                    None => decoder.schema(id).ok().map(|s| (id, s, body)),
                });
            if let Some((id, schema, body)) = found {
                if self.try_add_bytes(*place, id, &schema, body)? {
                    out.push(Ok(()));
                    continue;
                }
            }
            // The reference path: it adds the alert, or says why it cannot be decoded.
            let d = decode_batch(decoder, &[packet], container, 1).pop();
            out.push(match d.expect("one packet, one result") {
                Ok((id, schema, value, view)) => {
                    self.add_viewed(*place, id, &schema, &value, view)?;
                    Ok(())
                }
                Err(e) => Err(e),
            });
        }
        Ok(out)
    }

    fn ensure_arrow_schema(&mut self, schema_id: u32, schema: &AlertSchema) -> Result<()> {
        if self.opts.format == Format::Parquet && !self.schemas.contains_key(&schema_id) {
            let s = arrow_schemas(schema, self.opts.cutouts).map_err(|reason| {
                ExportError::Convert {
                    id: schema_id,
                    reason,
                }
            })?;
            self.schemas.insert(schema_id, s);
        }
        Ok(())
    }

    /// The file an alert goes to, under the export directory.
    fn rel(&self, night: &str, band: Option<&str>, schema_id: u32) -> String {
        let mut rel = format!("night={night}");
        if let Some(band) = band {
            rel.push_str(&format!("/band={band}"));
        }
        rel.push_str(&format!("/part-{schema_id}.{}", self.opts.format.name()));
        rel
    }

    /// Count a record read at `place` into its partition's range.
    fn count(&mut self, place: Option<(&str, i32, i64)>) {
        if let Some((t, p, o)) = place {
            let e = self
                .partitions
                .entry((t.to_string(), p))
                .or_insert((o, o, 0));
            e.0 = e.0.min(o);
            e.1 = e.1.max(o);
            e.2 += 1;
        }
    }

    fn add_avro(
        &mut self,
        rel: &str,
        schema_id: u32,
        schema: &AlertSchema,
        value: &Value,
    ) -> Result<()> {
        let value = if self.opts.cutouts {
            value.clone()
        } else {
            without_cutouts(value)
        };
        if !self.avro.contains_key(rel) {
            let s: &'static AlertSchema = self
                .avro_schemas
                .entry(schema_id)
                .or_insert_with(|| Box::leak(Box::new(schema.clone())));
            let path = self.opts.out.join(rel);
            let dir = path.parent().expect("under the export directory");
            std::fs::create_dir_all(dir).map_err(io_err(dir))?;
            let w = crate::formats::packet::file::VisitWriter::create(
                &path,
                crate::formats::packet::file::FileFormat::Ocf,
                s,
                schema_id,
            )
            .map_err(|e| ExportError::Io {
                path: rel.to_string(),
                reason: e.to_string(),
            })?;
            self.avro.insert(rel.to_string(), w);
        }
        self.avro
            .get_mut(rel)
            .expect("just made")
            .append(&value)
            .map_err(|e| ExportError::Io {
                path: rel.to_string(),
                reason: e.to_string(),
            })?;
        Ok(())
    }

    fn make_part(&mut self, rel: &str, schema_id: u32, schema: &AlertSchema) -> Result<()> {
        let (json_schema, full) = self.schemas[&schema_id].clone();
        let path = self.opts.out.join(rel);
        let dir = path.parent().expect("under the export directory");
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let tmp = dir.join(format!(".part-{schema_id}.parquet.tmp"));
        let file = File::create(&tmp).map_err(io_err(&tmp))?;
        // Catalogue columns compress well; FITS stamps are stored as they are (a
        // general codec gains little on real pixels and costs every reader time),
        // without dictionaries.
        let mut props = parquet::file::properties::WriterProperties::builder()
            .set_compression(parquet::basic::Compression::SNAPPY);
        for c in CUTOUTS {
            let col = parquet::schema::types::ColumnPath::from(c);
            props = props
                .set_column_compression(col.clone(), parquet::basic::Compression::UNCOMPRESSED)
                .set_column_dictionary_enabled(col, false);
        }
        props = without_number_dictionaries(props, &full);
        let props = props.build();
        let convert = |e: &dyn std::fmt::Display| ExportError::Convert {
            id: schema_id,
            reason: e.to_string(),
        };
        let writer =
            ArrowWriter::try_new(file, full.clone(), Some(props)).map_err(|e| convert(&e))?;
        let decoder = arrow_json::ReaderBuilder::new(json_schema.clone())
            .with_batch_size(BATCH_ROWS)
            .build_decoder()
            .map_err(|e| convert(&e))?;
        self.parts.insert(
            rel.to_string(),
            (
                schema_id,
                Part {
                    tmp,
                    sink: Sink::new(writer, rel, crate::workers::count(self.opts.workers) > 1),
                    decoder,
                    full,
                    fields: json_schema.fields().clone(),
                    rows: Vec::new(),
                    cutouts: Vec::new(),
                    columns: columns::Columns::new(schema, self.opts.cutouts),
                    written: 0,
                    keep_cutouts: self.opts.cutouts,
                },
            ),
        );
        Ok(())
    }

    fn add_parquet(
        &mut self,
        rel: &str,
        schema_id: u32,
        schema: &AlertSchema,
        value: &Value,
        view: Json,
    ) -> Result<()> {
        if !self.parts.contains_key(rel) {
            self.make_part(rel, schema_id, schema)?;
        }
        let (id, part) = self.parts.get_mut(rel).expect("just made");
        part.write_built(*id)?;
        part.rows.push(view);
        if self.opts.cutouts {
            part.cutouts
                .push(CUTOUTS.map(|c| top_bytes(value, c).map(<[u8]>::to_vec)));
        }
        if part.rows.len() >= BATCH_ROWS {
            part.write_viewed(*id)?;
        }
        Ok(())
    }

    /// Close every file, rename it into place, and write `manifest.json` last.
    pub fn finish(self) -> Result<Manifest> {
        let mut files = Vec::new();
        // A finished file's manifest entry: its rows, size and checksum.
        let out = &self.opts.out;
        let entry = |rel: String, rows: u64| -> Result<FileEntry> {
            let (bytes, sha256) = checksum(&out.join(&rel))?;
            Ok(FileEntry {
                path: rel,
                rows,
                bytes,
                sha256,
            })
        };
        for (rel, (id, mut part)) in self.parts {
            part.write_pending(id)?;
            let written = part.written;
            part.sink.close()?;
            let path = out.join(&rel);
            std::fs::rename(&part.tmp, &path).map_err(io_err(&path))?;
            files.push(entry(rel, written)?);
        }
        for (rel, w) in self.avro {
            let written = w.count() as u64;
            w.finish().map_err(|e| ExportError::Io {
                path: rel.clone(),
                reason: e.to_string(),
            })?;
            files.push(entry(rel, written)?);
        }
        let rows = files.iter().map(|f| f.rows).sum();
        let manifest = Manifest {
            format: self.opts.format.name().into(),
            source: self.source,
            cutouts: self.opts.cutouts,
            partitions: self
                .partitions
                .into_iter()
                .map(
                    |((topic, partition), (first, last, count))| PartitionRange {
                        topic,
                        partition,
                        first,
                        last,
                        count,
                    },
                )
                .collect(),
            files,
            schema_ids: self.schema_ids.into_iter().collect(),
            rows,
        };
        let path = self.opts.out.join("manifest.json");
        let tmp = self.opts.out.join(".manifest.json.tmp");
        let text = serde_json::to_string_pretty(&manifest).expect("a manifest is JSON");
        std::fs::write(&tmp, text + "\n").map_err(io_err(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io_err(&path))?;
        Ok(manifest)
    }
}

/// A file's size and SHA-256 (hex).
pub fn checksum(path: &Path) -> Result<(u64, String)> {
    use std::io::Read;
    let mut f = File::open(path).map_err(io_err(path))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(io_err(path))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    let digest = h.finalize();
    Ok((n, digest.iter().map(|b| format!("{b:02x}")).collect()))
}

/// Something an export lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// A file of the manifest is not there.
    MissingFile(String),
    /// A file's bytes differ from the manifest's checksum (truncated or changed).
    Changed {
        /// The file.
        path: String,
        /// What differs.
        reason: String,
    },
    /// A file's rows differ from the manifest.
    Rows {
        /// The file.
        path: String,
        /// The manifest's count.
        manifest: u64,
        /// The file's.
        file: i64,
    },
    /// Offsets of a partition that were never read.
    Unread {
        /// Topic.
        topic: String,
        /// Partition.
        partition: i32,
        /// First offset not read.
        from: i64,
        /// Last offset not read.
        to: i64,
    },
    /// The manifest does not add up (its rows, its ranges).
    Inconsistent(String),
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Gap::MissingFile(p) => write!(f, "missing file {p}"),
            Gap::Changed { path, reason } => write!(f, "{path}: {reason}"),
            Gap::Rows {
                path,
                manifest,
                file,
            } => write!(f, "{path}: {file} rows, the manifest says {manifest}"),
            Gap::Unread {
                topic,
                partition,
                from,
                to,
            } => write!(
                f,
                "{topic}/{partition}: offsets {from}..={to} were never read"
            ),
            Gap::Inconsistent(why) => write!(f, "manifest: {why}"),
        }
    }
}

/// Read an export's manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
    serde_json::from_str(&text).map_err(|e| ExportError::Io {
        path: path.display().to_string(),
        reason: format!("not a manifest: {e}"),
    })
}

/// Check an export's files against its manifest: present, the same bytes, the same
/// rows; and the manifest against itself (rows and offset ranges add up).
pub fn verify_files(dir: &Path, m: &Manifest) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for f in &m.files {
        let path = dir.join(&f.path);
        if !path.is_file() {
            gaps.push(Gap::MissingFile(f.path.clone()));
            continue;
        }
        match checksum(&path) {
            Ok((bytes, _)) if bytes != f.bytes => gaps.push(Gap::Changed {
                path: f.path.clone(),
                reason: format!(
                    "{bytes} bytes, the manifest says {} (truncated or changed)",
                    f.bytes
                ),
            }),
            Ok((_, sum)) if sum != f.sha256 => gaps.push(Gap::Changed {
                path: f.path.clone(),
                reason: "its SHA-256 differs from the manifest's".into(),
            }),
            Ok(_) => {}
            Err(e) => gaps.push(Gap::Changed {
                path: f.path.clone(),
                reason: e.to_string(),
            }),
        }
        let rows = File::open(&path)
            .map_err(|e| e.to_string())
            .and_then(|file| {
                if m.format == "avro" {
                    let reader = apache_avro::Reader::new(std::io::BufReader::new(file))
                        .map_err(|e| e.to_string())?;
                    let mut n = 0i64;
                    for r in reader {
                        r.map_err(|e| e.to_string())?;
                        n += 1;
                    }
                    Ok(n)
                } else {
                    use parquet::file::reader::FileReader;
                    parquet::file::reader::SerializedFileReader::new(file)
                        .map_err(|e| e.to_string())
                        .map(|r| r.metadata().file_metadata().num_rows())
                }
            });
        match rows {
            Ok(n) if n as u64 != f.rows => gaps.push(Gap::Rows {
                path: f.path.clone(),
                manifest: f.rows,
                file: n,
            }),
            Ok(_) => {}
            Err(e) => gaps.push(Gap::Changed {
                path: f.path.clone(),
                reason: format!("not a readable {} file: {e}", m.format),
            }),
        }
    }
    let file_rows: u64 = m.files.iter().map(|f| f.rows).sum();
    if file_rows != m.rows {
        gaps.push(Gap::Inconsistent(format!(
            "files hold {file_rows} rows, the total says {}",
            m.rows
        )));
    }
    if !m.partitions.is_empty() {
        let read: u64 = m.partitions.iter().map(|p| p.count).sum();
        if read != m.rows {
            gaps.push(Gap::Inconsistent(format!(
                "{read} records read, {} rows written",
                m.rows
            )));
        }
        for p in &m.partitions {
            let span = (p.last - p.first + 1) as u64;
            if p.count < span {
                gaps.push(Gap::Inconsistent(format!(
                    "{}/{}: {} records read of offsets {}..={} ({span})",
                    p.topic, p.partition, p.count, p.first, p.last
                )));
            }
        }
    }
    gaps
}

/// Check the manifest's ranges against what the topic holds for the same read:
/// `planned` is, per partition, the first offset and the end (exclusive).
pub fn verify_against(m: &Manifest, planned: &[(String, i32, i64, i64)]) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for (topic, partition, start, end) in planned {
        if start >= end {
            continue;
        }
        match m
            .partitions
            .iter()
            .find(|p| &p.topic == topic && p.partition == *partition)
        {
            None => gaps.push(Gap::Unread {
                topic: topic.clone(),
                partition: *partition,
                from: *start,
                to: end - 1,
            }),
            Some(p) => {
                if p.first > *start {
                    gaps.push(Gap::Unread {
                        topic: topic.clone(),
                        partition: *partition,
                        from: *start,
                        to: p.first - 1,
                    });
                }
                if p.last < end - 1 {
                    gaps.push(Gap::Unread {
                        topic: topic.clone(),
                        partition: *partition,
                        from: p.last + 1,
                        to: end - 1,
                    });
                }
            }
        }
    }
    gaps
}

/// Where an export reads from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A topic (or regex) or a night's, on a cluster, from an offset (a time range).
    Kafka {
        /// The topic or regex.
        from: Option<String>,
        /// A night: its topic, or its window on a long-lived topic.
        night: Option<chrono::NaiveDate>,
        /// Where to start (read to the end): beginning, N, -N, @TIME, @T1:T2.
        offset: Option<crate::transport::kafka::offsets::OffsetSpec>,
        /// Where the cluster is.
        target: crate::transport::connect::Target,
    },
    /// A visit file.
    File(PathBuf),
}

/// What an export job did.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The manifest written.
    pub manifest: Manifest,
    /// Seconds.
    pub seconds: f64,
}

impl Exported {
    /// One line: rows, files, size, rate.
    pub fn summary(&self) -> String {
        let secs = self.seconds.max(1e-9);
        let bytes: u64 = self.manifest.files.iter().map(|f| f.bytes).sum();
        format!(
            "exported {} alerts to {} files ({:.1} MB) in {secs:.2} s ({:.0} alerts/s)",
            self.manifest.rows,
            self.manifest.files.len(),
            bytes as f64 / 1e6,
            self.manifest.rows as f64 / secs
        )
    }
}

/// Export alerts to files with a manifest. Nothing is called complete (no manifest is
/// written) when a record could not be decoded or the brokers stopped answering.
pub fn run(
    opts: Options,
    input: &Input,
    schemas: &crate::transport::connect::SchemaSources,
    report: &mut dyn crate::jobs::Report,
) -> std::result::Result<Exported, crate::Error> {
    use crate::transport::kafka::admin::Admin;
    use crate::transport::kafka::consume::{Start, Tail};
    use crate::transport::kafka::offsets::OffsetSpec;
    use crate::Error;
    let started = std::time::Instant::now();
    let manifest = match input {
        Input::File(file) => {
            let mut ex = Exporter::create(
                opts,
                Source {
                    file: Some(file.display().to_string()),
                    ..Source::default()
                },
            )?;
            let workers = crate::workers::count(ex.opts.workers);
            let mut decoder = schemas.decoder(None);
            let mut reader = crate::formats::packet::file::PacketReader::open(file)?;
            // A container file carries its schema; its id from the schema's version.
            let container = reader
                .container_schema()
                .map(|s| (s.id().unwrap_or(0), s.clone()));
            loop {
                let mut batch = Vec::with_capacity(BATCH_DECODE);
                for rec in reader.by_ref().take(BATCH_DECODE) {
                    batch.push(rec?);
                }
                if batch.is_empty() {
                    break;
                }
                let packets: Vec<&[u8]> = batch.iter().map(|r| &r.packet[..]).collect();
                let places = vec![None; packets.len()];
                let added =
                    ex.add_batch(&mut decoder, &packets, &places, container.as_ref(), workers)?;
                for (rec, added) in batch.iter().zip(added) {
                    added.map_err(|source| crate::formats::packet::file::FileError::Record {
                        path: file.clone(),
                        index: rec.index,
                        offset: rec.offset,
                        source: Box::new(source),
                    })?;
                }
            }
            ex.finish()?
        }
        Input::Kafka {
            from,
            night,
            offset,
            target,
        } => {
            let conn = crate::jobs::connect(target, report)?;
            let admin = Admin::connect(&conn)?;
            let r = crate::jobs::resolve_reading(from.as_deref(), *night, None, &admin, report)?
                .ok_or_else(|| {
                    Error::usage("give the input: --from TOPIC, --night NIGHT, or --file FILE")
                })?;
            let offset = r.offset(*offset, OffsetSpec::Beginning)?;
            if matches!(offset, OffsetSpec::End | OffsetSpec::Stored) {
                return Err(Error::usage(
                    "export -o takes beginning, N, -N, @TIME or @T1:T2",
                ));
            }
            let mut tail = Tail::open(
                &conn,
                &r.topics,
                None,
                &Start {
                    offset,
                    group: None,
                },
            )?;
            let window_ms = match offset {
                OffsetSpec::TimeRange { start, end } => Some((start, end)),
                _ => None,
            };
            let mut ex = Exporter::create(
                opts,
                Source {
                    topic: Some(r.topic.clone()),
                    brokers: Some(conn.brokers.clone()),
                    window_ms,
                    file: None,
                },
            )?;
            let workers = crate::workers::count(ex.opts.workers);
            let mut decoder = schemas.decoder(None);
            let mut failure: Option<Error> = None;
            let mut undecodable = 0u64;
            let mut batch: Vec<crate::transport::kafka::consume::Received> = Vec::new();
            // Decode a batch on the workers, then add its rows in order.
            let mut add_batch = |batch: &mut Vec<crate::transport::kafka::consume::Received>,
                                 ex: &mut Exporter,
                                 failure: &mut Option<Error>| {
                if failure.is_some() {
                    batch.clear();
                    return;
                }
                let packets: Vec<&[u8]> = batch
                    .iter()
                    .map(|r| r.payload.as_deref().unwrap_or_default())
                    .collect();
                let places: Vec<_> = batch
                    .iter()
                    .map(|r| Some((r.topic.as_str(), r.partition, r.offset)))
                    .collect();
                match ex.add_batch(&mut decoder, &packets, &places, None, workers) {
                    Ok(added) => {
                        for (rec, added) in batch.iter().zip(added) {
                            if let Err(e) = added {
                                undecodable += 1;
                                if undecodable == 1 {
                                    report.warn(&format!(
                                        "{}/{}@{}: {e}",
                                        rec.topic, rec.partition, rec.offset
                                    ));
                                }
                            }
                        }
                    }
                    Err(e) => *failure = Some(e.into()),
                }
                batch.clear();
            };
            let complete = tail.read_to_end(|rec| {
                if failure.is_none() {
                    batch.push(rec);
                    if batch.len() >= BATCH_DECODE {
                        add_batch(&mut batch, &mut ex, &mut failure);
                    }
                }
                Ok(())
            })?;
            add_batch(&mut batch, &mut ex, &mut failure);
            if let Some(e) = failure {
                return Err(e);
            }
            if !complete {
                return Err(Error::failure(format!(
                    "no records from {} for {}s before the end: the export is incomplete (no manifest written)",
                    conn.brokers,
                    conn.timeout.as_secs()
                )));
            }
            if undecodable > 0 {
                return Err(Error::failure(format!(
                    "{undecodable} records could not be decoded: no manifest written (a manifest says the export is complete)"
                )));
            }
            ex.finish()?
        }
    };
    Ok(Exported {
        manifest,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Alerts decoded at once by the workers.
const BATCH_DECODE: usize = 32;

/// A decoded alert with its schema id, schema and JSON view (cutouts omitted).
type Decoded = (u32, Arc<AlertSchema>, Value, Json);

/// Decode `packets` (wire format; with `container`, bodies behind its id) on `workers`
/// threads, each with its view: in order, each alert or why it could not be decoded.
fn decode_batch(
    decoder: &mut crate::formats::packet::Decoder,
    packets: &[&[u8]],
    container: Option<&(u32, Arc<AlertSchema>)>,
    workers: usize,
) -> Vec<std::result::Result<Decoded, crate::formats::packet::PacketError>> {
    let schema = container.map(|(_, s)| s);
    decoder.map_batch(packets, schema, workers, |d, id, schema, body| {
        let value = d.decode_body(id, schema, body)?;
        let view = to_json(&value, CutoutPolicy::Omit);
        Ok((
            container.map_or(id, |(cid, _)| *cid),
            schema.clone(),
            value,
            view,
        ))
    })
}

/// How to verify an export.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The export directory.
    pub dir: PathBuf,
    /// Also check the manifest's offset ranges against this topic (or regex).
    pub against: Option<String>,
    /// Where the cluster is (with `against`).
    pub target: crate::transport::connect::Target,
}

/// Check an export's files against its manifest, and its ranges against the topic.
/// Returns the manifest and every gap.
pub fn verify_job(
    opts: &VerifyOptions,
    report: &mut dyn crate::jobs::Report,
) -> std::result::Result<(Manifest, Vec<Gap>), crate::Error> {
    use crate::transport::kafka::admin::Admin;
    use crate::transport::kafka::consume::{Start, Tail};
    use crate::transport::kafka::offsets::OffsetSpec;
    let m = read_manifest(&opts.dir)?;
    let mut gaps = verify_files(&opts.dir, &m);
    if let Some(topic) = &opts.against {
        let conn = crate::jobs::connect(&opts.target, report)?;
        let topics = Admin::connect(&conn)?.resolve(topic)?;
        let offset = match m.source.window_ms {
            Some((start, end)) => OffsetSpec::TimeRange { start, end },
            None => OffsetSpec::Beginning,
        };
        let tail = Tail::open(
            &conn,
            &topics,
            None,
            &Start {
                offset,
                group: None,
            },
        )?;
        gaps.extend(verify_against(&m, &tail.planned()));
    }
    Ok((m, gaps))
}

/// Number columns without dictionaries, text columns (bands, names, reasons) with them.
/// Measured values and ids seldom repeat, so a dictionary holds nearly every value a
/// second time: hashing them was a third of an export's time on one core, and the
/// files were larger. Without them, 3,000 official 11.1 alerts with `--cutouts omit`
/// export in 0.21 s instead of 0.35 s, to 14.8 MB instead of 19.3 MB.
fn without_number_dictionaries(
    mut props: parquet::file::properties::WriterPropertiesBuilder,
    schema: &arrow_schema::Schema,
) -> parquet::file::properties::WriterPropertiesBuilder {
    use parquet::basic::Type;
    if let Ok(desc) = parquet::arrow::ArrowSchemaConverter::new().convert(schema) {
        for c in desc.columns() {
            if !matches!(
                c.physical_type(),
                Type::BYTE_ARRAY | Type::FIXED_LEN_BYTE_ARRAY
            ) {
                props = props.set_column_dictionary_enabled(c.path().clone(), false);
            }
        }
    }
    props
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            format: "parquet".into(),
            source: Source::default(),
            cutouts: true,
            partitions: vec![PartitionRange {
                topic: "t".into(),
                partition: 0,
                first: 10,
                last: 19,
                count: 10,
            }],
            files: vec![],
            schema_ids: vec![1],
            rows: 10,
        }
    }

    #[test]
    fn ranges_beyond_the_manifest_are_named() {
        let m = manifest();
        assert!(verify_against(&m, &[("t".into(), 0, 10, 20)]).is_empty());
        let g = verify_against(&m, &[("t".into(), 0, 5, 25), ("t".into(), 1, 0, 3)]);
        let shown: Vec<String> = g.iter().map(|g| g.to_string()).collect();
        assert_eq!(
            shown,
            [
                "t/0: offsets 5..=9 were never read",
                "t/0: offsets 20..=24 were never read",
                "t/1: offsets 0..=2 were never read"
            ]
        );
        // An empty partition is no gap.
        assert!(verify_against(&m, &[("t".into(), 0, 10, 20), ("t".into(), 2, 7, 7)]).is_empty());
    }

    #[test]
    fn a_manifest_that_does_not_add_up_is_named() {
        let mut m = manifest();
        m.partitions[0].count = 9;
        m.rows = 9;
        let g = verify_files(Path::new("/nonexistent"), &m);
        assert!(
            g.iter()
                .any(|g| g.to_string().contains("9 records read of offsets 10..=19")),
            "{g:?}"
        );
    }

    #[test]
    fn every_official_shape_has_a_parquet_schema() {
        let s = crate::formats::avro::builtin_sample();
        let (json, full) = arrow_schemas(&s, true).unwrap();
        assert_eq!(full.fields().len(), json.fields().len() + 3);
        let ds = full.field_with_name("diaSource").unwrap();
        assert!(matches!(ds.data_type(), DataType::Struct(_)), "{ds:?}");
        let h = full.field_with_name("prvDiaSources").unwrap();
        assert!(matches!(h.data_type(), DataType::List(_)), "{h:?}");
        assert_eq!(
            full.field_with_name("cutoutScience").unwrap().data_type(),
            &DataType::Binary
        );
        let (_, omit) = arrow_schemas(&s, false).unwrap();
        assert!(omit.field_with_name("cutoutScience").is_err());
    }
}
