//! The alert archive, in Rubin's layout: each raw packet gzip-compressed at
//! `v1/alerts/{alertId}.avro.gz`, each schema met at `v1/schemas/{id}.json`, in a local
//! directory or in S3-compatible object storage (`s3://bucket/prefix`), both through
//! the `object_store` crate.
//!
//! The alertId is the packet's `diaSourceId`. Writes are idempotent: the gzip stream
//! carries no time or name, so the same alert twice is the same object, byte for byte.
//! [`archive_loop`] acknowledges a record (commits it, with a group) only after its
//! object is stored.

use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};
use std::sync::Arc;

use apache_avro::types::Value;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::formats::packet::{Decoder, PacketError};
use crate::transport::kafka::consume::{read_loop, ReadUntil, Received, Sink, Tail};
use crate::transport::kafka::KafkaError;

/// What went wrong with an archive.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The location cannot be opened.
    #[error("cannot open the archive {location}: {reason}")]
    Open {
        /// The directory or URL.
        location: String,
        /// Why.
        reason: String,
    },
    /// Reading or writing one object failed.
    #[error("{location}: {key}: {reason}")]
    Object {
        /// The archive.
        location: String,
        /// The object.
        key: String,
        /// Why.
        reason: String,
    },
    /// An object is there but is not what it should be.
    #[error("{location}: {key} is damaged: {reason}")]
    Damaged {
        /// The archive.
        location: String,
        /// The object.
        key: String,
        /// Why.
        reason: String,
    },
    /// Kafka.
    #[error(transparent)]
    Kafka(#[from] KafkaError),
    /// A packet that may be read later (the registry away): not acknowledged.
    #[error("{at}: {reason}; stopped without acknowledging it (run again when it answers)")]
    Transient {
        /// Where the record is.
        at: String,
        /// Why.
        reason: String,
    },
}

/// Result of archive operations.
pub type Result<T> = std::result::Result<T, ArchiveError>;

/// An archive: a directory or an S3 bucket and prefix.
pub struct Archive {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    location: String,
    rt: tokio::runtime::Runtime,
}

/// The object key of an alert, under the archive's prefix.
pub fn alert_key(id: i64) -> String {
    format!("v1/alerts/{id}.avro.gz")
}

/// The object key of a schema, under the archive's prefix.
pub fn schema_key(id: u32) -> String {
    format!("v1/schemas/{id}.json")
}

/// The archive's gzip level, chosen by measuring (`alertctl bench decode`): level 6
/// takes 4x the time of level 1 for one point less of the bytes (real alerts: 50% vs
/// 51%; their cutouts barely compress).
pub const GZIP_LEVEL: u32 = 1;

/// Gzip a packet at [`GZIP_LEVEL`], deterministically (no name, no time in the header).
pub fn gzip(packet: &[u8]) -> Vec<u8> {
    gzip_at(packet, GZIP_LEVEL)
}

/// Gzip a packet at `level` (0-9), deterministically.
pub fn gzip_at(packet: &[u8], level: u32) -> Vec<u8> {
    let mut e = flate2::GzBuilder::new().mtime(0).write(
        Vec::with_capacity(packet.len()),
        flate2::Compression::new(level),
    );
    e.write_all(packet).expect("writing to memory");
    e.finish().expect("writing to memory")
}

/// The packet inside a gzip object.
pub fn gunzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() * 2);
    flate2::read::GzDecoder::new(data).read_to_end(&mut out)?;
    Ok(out)
}

/// An alert's id: its `diaSourceId`, read as [`crate::formats::packet::alert_meta`] reads it under
/// every schema version.
pub fn alert_id(value: &Value) -> Option<i64> {
    crate::formats::packet::alert_meta(value).dia_source_id
}

impl Archive {
    /// Open `location`: `s3://bucket/prefix` (credentials, region and endpoint from the
    /// usual `AWS_*` variables: `AWS_ENDPOINT` for MinIO or GCS's S3 interoperability,
    /// `AWS_ALLOW_HTTP=true` for a plain-HTTP endpoint), or a local directory, created
    /// when missing.
    pub fn open(location: &str) -> Result<Archive> {
        let open_err = |reason: String| ArchiveError::Open {
            location: location.to_string(),
            reason,
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| open_err(e.to_string()))?;
        let (store, prefix): (Arc<dyn ObjectStore>, String) =
            if let Some(rest) = location.strip_prefix("s3://") {
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(open_err("no bucket: write s3://bucket/prefix".into()));
                }
                let s3 = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build()
                    .map_err(|e| open_err(e.to_string()))?;
                (Arc::new(s3), prefix.trim_matches('/').to_string())
            } else if location.contains("://") {
                return Err(open_err("write a directory or s3://bucket/prefix".into()));
            } else {
                std::fs::create_dir_all(location).map_err(|e| open_err(e.to_string()))?;
                let fs = object_store::local::LocalFileSystem::new_with_prefix(location)
                    .map_err(|e| open_err(e.to_string()))?;
                (Arc::new(fs), String::new())
            };
        Ok(Archive {
            store,
            prefix,
            location: location.to_string(),
            rt,
        })
    }

    /// Where the archive is.
    pub fn location(&self) -> &str {
        &self.location
    }

    fn key(&self, k: &str) -> Key {
        if self.prefix.is_empty() {
            Key::from(k)
        } else {
            Key::from(format!("{}/{k}", self.prefix))
        }
    }

    fn object_err(&self, key: &str, e: impl std::fmt::Display) -> ArchiveError {
        ArchiveError::Object {
            location: self.location.clone(),
            key: key.to_string(),
            reason: e.to_string(),
        }
    }

    fn put(&self, key: &str, data: Vec<u8>) -> Result<()> {
        let k = self.key(key);
        self.rt
            .block_on(self.store.put(&k, PutPayload::from(data)))
            .map(|_| ())
            .map_err(|e| self.object_err(key, e))
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let k = self.key(key);
        let r = self.rt.block_on(async {
            match self.store.get(&k).await {
                Ok(g) => g.bytes().await.map(Some),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        });
        r.map(|b| b.map(|b| b.to_vec()))
            .map_err(|e| self.object_err(key, e))
    }

    fn exists(&self, key: &str) -> Result<bool> {
        let k = self.key(key);
        match self.rt.block_on(self.store.head(&k)) {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.object_err(key, e)),
        }
    }

    /// Store many objects at once, at most `concurrency` requests in flight (object
    /// stores answer each PUT in tens of milliseconds: one at a time is too slow for
    /// Rubin's rate). Returns when every object is stored; the first failure is the error.
    pub fn put_many(&self, objects: Vec<(String, Vec<u8>)>, concurrency: usize) -> Result<()> {
        let store = self.store.clone();
        let keys: Vec<(String, Key)> = objects
            .iter()
            .map(|(k, _)| (k.clone(), self.key(k)))
            .collect();
        let result = self.rt.block_on(async move {
            let mut set = tokio::task::JoinSet::new();
            for ((name, key), (_, data)) in keys.into_iter().zip(objects) {
                while set.len() >= concurrency.max(1) {
                    if let Some(Ok(Err(e))) = set.join_next().await {
                        return Err(e);
                    }
                }
                let store = store.clone();
                set.spawn(async move {
                    store
                        .put(&key, PutPayload::from(data))
                        .await
                        .map(|_| ())
                        .map_err(|e| (name, e.to_string()))
                });
            }
            while let Some(r) = set.join_next().await {
                match r {
                    Ok(Err(e)) => return Err(e),
                    Err(join) => return Err(("(task)".to_string(), join.to_string())),
                    Ok(Ok(())) => {}
                }
            }
            Ok(())
        });
        result.map_err(|(key, reason)| ArchiveError::Object {
            location: self.location.clone(),
            key,
            reason,
        })
    }

    /// Store an alert's packet (gzip-compressed) under its id.
    pub fn put_alert(&self, id: i64, packet: &[u8]) -> Result<()> {
        self.put(&alert_key(id), gzip(packet))
    }

    /// Store a schema's JSON text under its id.
    pub fn put_schema(&self, id: u32, text: &str) -> Result<()> {
        self.put(&schema_key(id), text.as_bytes().to_vec())
    }

    /// An alert's packet, when the archive has it.
    pub fn get_alert(&self, id: i64) -> Result<Option<Vec<u8>>> {
        let key = alert_key(id);
        match self.get(&key)? {
            None => Ok(None),
            Some(gz) => gunzip(&gz).map(Some).map_err(|e| ArchiveError::Damaged {
                location: self.location.clone(),
                key,
                reason: format!("not gzip: {e}"),
            }),
        }
    }

    /// A schema's JSON text, when the archive has it.
    pub fn get_schema(&self, id: u32) -> Result<Option<String>> {
        let key = schema_key(id);
        match self.get(&key)? {
            None => Ok(None),
            Some(b) => String::from_utf8(b)
                .map(Some)
                .map_err(|_| ArchiveError::Damaged {
                    location: self.location.clone(),
                    key,
                    reason: "not UTF-8".into(),
                }),
        }
    }

    /// Whether the archive has an alert's object.
    pub fn has_alert(&self, id: i64) -> Result<bool> {
        self.exists(&alert_key(id))
    }

    /// Whether the archive has a schema's object.
    pub fn has_schema(&self, id: u32) -> Result<bool> {
        self.exists(&schema_key(id))
    }
}

/// What a record holds, for the archive: its alert id and schema id. The id is read
/// straight from the bytes once the body passes the shape guard (every length, count
/// and union index checked against the schema and the bytes, nothing decoded); else,
/// or when the id is not where [`alert_id`] finds it, the alert is decoded, and that
/// says what the record is.
fn identify(decoder: &mut Decoder, rec: &Received) -> std::result::Result<(i64, u32), PacketError> {
    let payload = rec.payload.as_deref().unwrap_or_default();
    if let Some(found) = id_from_bytes(decoder, payload) {
        return Ok(found);
    }
    identify_by_value(decoder, payload)
}

/// `identify`'s fast path: the id from the bytes, when the body has the schema's shape.
pub fn id_from_bytes(decoder: &mut Decoder, payload: &[u8]) -> Option<(i64, u32)> {
    let (sid, body) = crate::formats::packet::split(payload).ok()?;
    let schema = decoder.schema(sid).ok()?;
    let graph = schema.graph().ok()?;
    if graph.check_shape(body).ok()? != body.len() {
        return None;
    }
    let id = graph
        .long_at(body, &["diaSource", "diaSourceId"])
        .ok()
        .flatten()
        .or_else(|| graph.long_at(body, &["alertId"]).ok().flatten())?;
    Some((id, sid))
}

/// `identify`'s reference: decode the alert, then read its id.
pub fn identify_by_value(
    decoder: &mut Decoder,
    payload: &[u8],
) -> std::result::Result<(i64, u32), PacketError> {
    let (sid, value) = decoder.decode(payload)?;
    let id = alert_id(&value).ok_or_else(|| PacketError::Decode {
        id: sid,
        len: payload.len(),
        reason: "the alert has no diaSourceId".into(),
    })?;
    Ok((id, sid))
}

/// What [`archive_loop`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Archived {
    /// Alerts stored.
    pub alerts: u64,
    /// Packet bytes stored (before compression).
    pub bytes: u64,
    /// Schemas stored.
    pub schemas: u64,
    /// Records that are not alerts (acknowledged, not stored).
    pub undecodable: u64,
    /// Where the first of those is, and why.
    pub first_undecodable: Option<String>,
    /// Per partition, the next offset to archive (everything before it is stored).
    pub positions: BTreeMap<(String, i32), i64>,
}

impl Archived {
    /// Records not yet archived, given each partition's high watermark (partitions not
    /// yet read count from `low`).
    pub fn lag(&self, watermarks: &[(String, i32, i64, i64)]) -> i64 {
        watermarks
            .iter()
            .map(|(t, p, low, high)| {
                let at = self
                    .positions
                    .get(&(t.clone(), *p))
                    .copied()
                    .unwrap_or(*low);
                (high - at).max(0)
            })
            .sum()
    }
}

/// Objects stored at once by [`archive_loop`].
pub const BATCH: usize = 64;

struct ArchiveSink<'a, P: FnMut(&Archived)> {
    archive: &'a Archive,
    store: &'a mut Decoder,
    schemas: HashSet<u32>,
    done: Archived,
    progress: P,
    /// Threads compressing a batch.
    workers: usize,
    /// Packets not yet compressed and stored (by key), and the places of their records.
    pending: Vec<(String, Vec<u8>)>,
    pending_at: crate::transport::kafka::consume::Unwritten,
    pending_bytes: u64,
    /// Places stored since the last `written()`.
    stored: Vec<(String, i32, i64)>,
}

impl<'a, P: FnMut(&Archived)> ArchiveSink<'a, P> {
    fn new(archive: &'a Archive, store: &'a mut Decoder, progress: P) -> Self {
        ArchiveSink {
            archive,
            store,
            schemas: HashSet::new(),
            done: Archived::default(),
            progress,
            workers: 1,
            pending: Vec::new(),
            pending_at: Default::default(),
            pending_bytes: 0,
            stored: Vec::new(),
        }
    }

    /// Everything kept so far is stored (or had nothing to store): its places become
    /// the archived positions and are handed to `written()`.
    fn take_pending_places(&mut self) {
        let written = self.pending_at.written();
        for (t, p, o) in &written {
            self.done.positions.insert((t.clone(), *p), o + 1);
        }
        self.stored.extend(written);
    }

    fn store_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let n = self.pending.len() as u64;
        let raw = std::mem::take(&mut self.pending);
        let objects =
            crate::workers::map_ordered(&raw, self.workers, |(k, p)| (k.clone(), gzip(p)));
        drop(raw);
        self.archive.put_many(objects, BATCH)?;
        self.done.alerts += n;
        self.done.bytes += std::mem::take(&mut self.pending_bytes);
        self.take_pending_places();
        (self.progress)(&self.done);
        Ok(())
    }
}

impl<P: FnMut(&Archived)> Sink for ArchiveSink<'_, P> {
    type Error = ArchiveError;

    fn record(&mut self, rec: &Received) -> Result<bool> {
        let at = || format!("{}/{}@{}", rec.topic, rec.partition, rec.offset);
        match identify(self.store, rec) {
            Ok((id, sid)) => {
                if self.schemas.insert(sid) {
                    let schema = self
                        .store
                        .schema(sid)
                        .map_err(|e| ArchiveError::Transient {
                            at: at(),
                            reason: e.to_string(),
                        })?;
                    self.archive
                        .put_schema(sid, &serde_json::to_string(&schema.json).expect("JSON"))?;
                    self.done.schemas += 1;
                }
                let payload = rec.payload.as_deref().unwrap_or_default();
                self.pending.push((alert_key(id), payload.to_vec()));
                self.pending_bytes += payload.len() as u64;
                self.pending_at.keep(&rec.topic, rec.partition, rec.offset);
                if self.pending.len() >= BATCH {
                    self.store_pending()?;
                }
                // Acknowledged once its batch is stored (`written`).
                Ok(false)
            }
            Err(e) if e.is_transient() => Err(ArchiveError::Transient {
                at: at(),
                reason: e.to_string(),
            }),
            Err(e) => {
                self.done.undecodable += 1;
                self.done
                    .first_undecodable
                    .get_or_insert_with(|| format!("{}: {e}", at()));
                // Not an alert: nothing to store; acknowledged with its batch.
                self.pending_at.keep(&rec.topic, rec.partition, rec.offset);
                Ok(false)
            }
        }
    }

    fn flush(&mut self) -> Result<()> {
        self.store_pending()?;
        // Places with nothing to store (not alerts) are acknowledged too.
        self.take_pending_places();
        Ok(())
    }

    fn written(&mut self) -> Vec<(String, i32, i64)> {
        std::mem::take(&mut self.stored)
    }

    fn idle(&mut self) -> Result<()> {
        self.flush()
    }
}

/// Archive what `tail` reads until `stop` says so or (with `until.end`) the end is
/// reached. Objects are compressed on `workers` threads and stored [`BATCH`] at a
/// time, concurrently; a record is acknowledged only after its batch is stored, so a
/// crash repeats (idempotently) rather than loses. `progress` is called after each batch.
pub fn archive_loop(
    tail: &mut Tail,
    archive: &Archive,
    store: &mut Decoder,
    until: ReadUntil,
    stop: &dyn Fn() -> bool,
    workers: usize,
    progress: impl FnMut(&Archived),
) -> Result<Archived> {
    let mut sink = ArchiveSink::new(archive, store, progress);
    sink.workers = workers;
    read_loop(tail, until, stop, &mut sink)?;
    Ok(sink.done)
}

/// One thing an archive lacks for a topic's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// An alert has no object.
    Alert {
        /// Where its record is.
        at: String,
        /// The alert id.
        id: i64,
    },
    /// A schema id has no object.
    Schema {
        /// The schema id.
        id: u32,
    },
    /// A record could not be read as an alert.
    Unreadable {
        /// Where.
        at: String,
        /// Why.
        reason: String,
    },
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Gap::Alert { at, id } => write!(f, "{at}: alert {id} has no object {}", alert_key(*id)),
            Gap::Schema { id } => write!(f, "schema {id} has no object {}", schema_key(*id)),
            Gap::Unreadable { at, reason } => {
                write!(f, "{at}: cannot be read as an alert: {reason}")
            }
        }
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default)]
pub struct Verified {
    /// Records checked.
    pub records: u64,
    /// Everything missing.
    pub gaps: Vec<Gap>,
}

/// Check that `archive` has every alert `tail` reads (to its end), and every schema
/// those alerts use.
pub fn verify(tail: &mut Tail, archive: &Archive, store: &mut Decoder) -> Result<Verified> {
    let mut v = Verified::default();
    let mut schemas = HashSet::new();
    let mut failure = None;
    let complete = tail.read_to_end(|rec| {
        if failure.is_some() {
            return Ok(());
        }
        v.records += 1;
        let at = format!("{}/{}@{}", rec.topic, rec.partition, rec.offset);
        match identify(store, &rec) {
            Ok((id, sid)) => {
                if schemas.insert(sid) {
                    match archive.has_schema(sid) {
                        Ok(true) => {}
                        Ok(false) => v.gaps.push(Gap::Schema { id: sid }),
                        Err(e) => failure = Some(e),
                    }
                }
                match archive.has_alert(id) {
                    Ok(true) => {}
                    Ok(false) => v.gaps.push(Gap::Alert { at, id }),
                    Err(e) => failure = Some(e),
                }
            }
            Err(e) => v.gaps.push(Gap::Unreadable {
                at,
                reason: e.to_string(),
            }),
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    if !complete {
        return Err(ArchiveError::Kafka(KafkaError::Config(
            "the topic stopped answering before its end: nothing verified".into(),
        )));
    }
    Ok(v)
}

/// How to archive.
#[derive(Debug, Clone)]
pub struct Options {
    /// The archive: a directory or `s3://bucket/prefix`.
    pub to: String,
    /// The topic (or regex) to read, or a night's.
    pub from: Option<String>,
    /// A night: its topic, or its window on a long-lived topic.
    pub night: Option<chrono::NaiveDate>,
    /// A consumer group to read as (resuming where it committed).
    pub group: Option<String>,
    /// Stop at the end of the partitions (a night's window always stops at its end).
    pub exit_at_end: bool,
    /// Where schemas come from.
    pub schemas: crate::transport::connect::SchemaSources,
    /// Where the cluster is.
    pub target: crate::transport::connect::Target,
    /// Threads that compress each batch (0: one per core).
    pub workers: usize,
}

/// What an archive job did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The archive's location.
    pub location: String,
    /// What was stored.
    pub done: Archived,
    /// Seconds.
    pub seconds: f64,
}

/// Archive a stream: every alert's packet by id, and each schema, acknowledging a
/// record only after its batch is stored. Records that are not alerts fail the job at
/// the end (after the rest are stored).
pub fn run(
    opts: &Options,
    report: &mut dyn crate::jobs::Report,
    stop: crate::jobs::Stop<'_>,
) -> std::result::Result<Report, crate::Error> {
    use crate::transport::kafka::admin::{is_pattern, Admin};
    use crate::transport::kafka::consume::Start;
    use crate::transport::kafka::offsets::OffsetSpec;
    use crate::Error;
    let conn = crate::jobs::connect(&opts.target, report)?;
    let admin = Admin::connect(&conn)?;
    let r = crate::jobs::resolve_reading(opts.from.as_deref(), opts.night, None, &admin, report)?
        .ok_or_else(|| {
        Error::usage("give the input: --from TOPIC (or a regex) or --night NIGHT")
    })?;
    if r.window.is_some() && opts.group.is_some() {
        return Err(Error::usage(format!(
            "--night on {} is a time window, read by offsets: it takes no --group",
            r.topic
        )));
    }
    let archive = Archive::open(&opts.to)?;
    let topics = &r.topics;
    let default = if opts.group.is_some() {
        OffsetSpec::Stored
    } else {
        OffsetSpec::Beginning
    };
    let group = opts
        .group
        .as_deref()
        .map(|g| crate::jobs::group_id(&conn, g, report));
    let mut tail = Tail::open(
        &conn,
        topics,
        is_pattern(&r.topic).then_some(r.topic.as_str()),
        &Start {
            offset: r.offset(None, default)?,
            group,
        },
    )?;
    let mut decoder = opts.schemas.decoder(None);
    let started = std::time::Instant::now();
    // Watermarks for the lag, asked for every 2 s at most.
    let mut marks: Vec<(String, i32, i64, i64)> = Vec::new();
    let mut marks_at: Option<std::time::Instant> = None;
    let until = ReadUntil {
        end: opts.exit_at_end || r.window.is_some(),
        flush_at_end: false,
        stall: conn.timeout,
    };
    let workers = crate::workers::count(opts.workers);
    let done = archive_loop(
        &mut tail,
        &archive,
        &mut decoder,
        until,
        stop,
        workers,
        |d| {
            if marks_at.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(2)) {
                marks_at = Some(std::time::Instant::now());
                marks = topics
                    .iter()
                    .filter_map(|t| admin.describe(t).ok())
                    .flat_map(|info| {
                        info.partitions
                            .iter()
                            .map(|p| (info.name.clone(), p.id, p.low, p.high))
                            .collect::<Vec<_>>()
                    })
                    .collect();
            }
            let secs = started.elapsed().as_secs_f64().max(1e-9);
            report.status(&format!(
                "{} alerts, {:.0} alerts/s, {:.1} MB/s, lag {}",
                d.alerts,
                d.alerts as f64 / secs,
                d.bytes as f64 / 1e6 / secs,
                d.lag(&marks)
            ));
        },
    )?;
    tail.close()?;
    report.status("");
    let out = Report {
        location: archive.location().to_string(),
        done,
        seconds: started.elapsed().as_secs_f64(),
    };
    if let Some(first) = &out.done.first_undecodable {
        let d = &out.done;
        report.info(&out.summary());
        return Err(Error::failure(format!(
            "{} records are not alerts and were not archived; the first: {first}",
            d.undecodable
        )));
    }
    Ok(out)
}

impl Report {
    /// One line: what was stored, where, how fast.
    pub fn summary(&self) -> String {
        let secs = self.seconds.max(1e-9);
        format!(
            "archived {} alerts ({:.1} MB of packets) and {} schemas to {} in {secs:.2} s ({:.0} alerts/s, {:.1} MB/s)",
            self.done.alerts,
            self.done.bytes as f64 / 1e6,
            self.done.schemas,
            self.location,
            self.done.alerts as f64 / secs,
            self.done.bytes as f64 / 1e6 / secs
        )
    }
}

/// How to verify an archive against a topic.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The archive.
    pub archive: String,
    /// The topic (or regex), or a night's.
    pub against: Option<String>,
    /// A night.
    pub night: Option<chrono::NaiveDate>,
    /// Where schemas come from.
    pub schemas: crate::transport::connect::SchemaSources,
    /// Where the cluster is.
    pub target: crate::transport::connect::Target,
}

/// What a verification found: the archive, the topics, and the gaps.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// The archive's location.
    pub location: String,
    /// The topics read.
    pub topics: Vec<String>,
    /// Records checked and gaps.
    pub verified: Verified,
}

/// Check that an archive holds every alert of a topic (or a night's window) and their
/// schemas.
pub fn verify_job(
    opts: &VerifyOptions,
    report: &mut dyn crate::jobs::Report,
) -> std::result::Result<VerifyReport, crate::Error> {
    let (_, r, mut tail) = crate::jobs::read_whole(
        &opts.target,
        opts.against.as_deref(),
        opts.night,
        None,
        "give the topic: --against TOPIC or --night NIGHT",
        report,
    )?;
    let archive = Archive::open(&opts.archive)?;
    let mut decoder = opts.schemas.decoder(None);
    let verified = verify(&mut tail, &archive, &mut decoder)?;
    Ok(VerifyReport {
        location: archive.location().to_string(),
        topics: r.topics.clone(),
        verified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_deterministic_and_round_trips() {
        let p: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        assert_eq!(gzip(&p), gzip(&p), "the same alert is the same object");
        assert_eq!(gunzip(&gzip(&p)).unwrap(), p);
        assert!(gunzip(b"not gzip").is_err());
    }

    #[test]
    fn a_directory_archive_stores_and_finds_by_id() {
        let d = tempfile::tempdir().unwrap();
        let a = Archive::open(d.path().to_str().unwrap()).unwrap();
        assert!(!a.has_alert(42).unwrap());
        assert_eq!(a.get_alert(42).unwrap(), None);
        a.put_alert(42, b"\0\0\0\0\x01body").unwrap();
        a.put_schema(1, "{}").unwrap();
        assert!(a.has_alert(42).unwrap() && a.has_schema(1).unwrap());
        assert_eq!(a.get_alert(42).unwrap().unwrap(), b"\0\0\0\0\x01body");
        assert!(d.path().join("v1/alerts/42.avro.gz").is_file());
        assert!(d.path().join("v1/schemas/1.json").is_file());
        assert!(Archive::open("http://x/y").is_err());
    }

    fn sample_records(n: usize) -> Vec<Received> {
        use crate::formats::sample::{Generator, SampleConfig};
        let schema = std::sync::Arc::new(crate::formats::avro::builtin_sample());
        let mut gen = Generator::new(
            schema.clone(),
            SampleConfig {
                night: chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
                seed: 1,
                alerts_per_visit: n,
                visits: 1,
                max_history: 2,
                cutout_size: 4,
            },
        );
        gen.visit(0)
            .into_iter()
            .enumerate()
            .map(|(i, a)| Received {
                topic: "t".into(),
                partition: (i % 2) as i32,
                offset: (i / 2) as i64,
                timestamp_ms: Some(0),
                timestamp_type: None,
                key: None,
                payload: Some(crate::formats::packet::encode(
                    1,
                    &crate::formats::packet::encode_body(&schema, &a).unwrap(),
                )),
                headers: vec![],
            })
            .collect()
    }

    /// A record is acknowledged only once its batch is stored: nothing before the
    /// batch is full (or flushed), then the newest stored offset of each partition.
    #[test]
    fn records_are_acknowledged_only_after_their_batch_is_stored() {
        let d = tempfile::tempdir().unwrap();
        let archive = Archive::open(d.path().to_str().unwrap()).unwrap();
        let mut store = Decoder::new(crate::formats::avro::SchemaStore::new(vec![]), None);
        let mut sink = ArchiveSink::new(&archive, &mut store, |_: &Archived| {});
        let recs = sample_records(BATCH + 6);
        for r in &recs[..BATCH - 1] {
            assert!(!sink.record(r).unwrap(), "kept until stored");
            assert!(sink.written().is_empty());
        }
        assert_eq!(sink.done.alerts, 0);
        sink.record(&recs[BATCH - 1]).unwrap();
        let w = sink.written();
        assert_eq!(
            w,
            vec![
                ("t".into(), 0, (BATCH as i64 - 2) / 2),
                ("t".into(), 1, (BATCH as i64 - 1) / 2)
            ]
        );
        assert_eq!(sink.done.alerts, BATCH as u64);
        // Lag: what the watermarks hold past the stored positions.
        let marks = [
            ("t".to_string(), 0, 0, 40),
            ("t".to_string(), 1, 0, 40),
            ("t".to_string(), 2, 5, 9),
        ];
        assert_eq!(sink.done.lag(&marks), (40 - 32) + (40 - 32) + 4);
        for r in &recs[BATCH..] {
            sink.record(r).unwrap();
        }
        assert!(sink.written().is_empty());
        sink.idle().unwrap();
        assert_eq!(sink.written().len(), 2);
        assert_eq!(sink.done.alerts, recs.len() as u64);
        let objects = std::fs::read_dir(d.path().join("v1/alerts"))
            .unwrap()
            .count();
        assert_eq!(objects, recs.len());
    }

    /// When the store fails, the batch's records are never acknowledged.
    #[test]
    fn a_failed_store_acknowledges_nothing() {
        let d = tempfile::tempdir().unwrap();
        let archive = Archive::open(d.path().to_str().unwrap()).unwrap();
        // v1/alerts cannot be a directory: a file is in the way.
        std::fs::create_dir_all(d.path().join("v1")).unwrap();
        std::fs::write(d.path().join("v1/alerts"), b"in the way").unwrap();
        let mut store = Decoder::new(crate::formats::avro::SchemaStore::new(vec![]), None);
        let mut sink = ArchiveSink::new(&archive, &mut store, |_: &Archived| {});
        let recs = sample_records(BATCH);
        let mut failed = false;
        for r in &recs {
            failed |= sink.record(r).is_err();
        }
        assert!(failed, "the batch's store failed");
        assert!(sink.written().is_empty(), "nothing acknowledged");
        assert_eq!(sink.done.alerts, 0);
    }
}
