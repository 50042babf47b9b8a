//! Visit files: many alerts in one file.
//!
//! Two formats are written and read:
//!
//! * **OCF**, an Avro Object Container File (magic `Obj\x01`, the writer's schema
//!   in the header). This is what alert_stream's visit files were, and what
//!   fastavro, pandas and Spark read. It carries no schema id.
//! * **Framed wire**: the packets exactly as they travel on Kafka, each preceded
//!   by its length. The file is a sequence of frames, nothing else:
//!
//!   ```text
//!   frame := length:u32 big-endian | packet[length]
//!   packet := 0x00 | schema id:u32 big-endian | Avro body
//!   ```
//!
//!   A reader needs the schemas for the ids it meets (built in, or a schema directory).
//!
//! A file holding one bare wire packet (as `kcat -e -o N -c 1 > alert.bin` saves one)
//! is read too.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use apache_avro::types::Value;

use super::{decode_body, encode, encode_body, split, PacketError};
use crate::schema::{AlertSchema, SchemaStore};

/// The on-disk format of a visit file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FileFormat {
    /// Avro Object Container File.
    Ocf,
    /// Length-framed Confluent wire-format packets.
    Wire,
}

/// Errors reading or writing visit files.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file has no bytes.
    #[error("{path} is empty: expected an Avro container file (Obj\\x01...) or length-framed wire packets")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file is neither format.
    #[error("{path} is not an alert file: it is not an Avro container file (Obj\\x01) nor wire-format packets; it looks like {looks_like}")]
    Unknown {
        /// The file.
        path: PathBuf,
        /// What the bytes resemble.
        looks_like: String,
    },
    /// The container file is damaged.
    #[error("{path}: bad Avro container file: {reason}")]
    Ocf {
        /// The file.
        path: PathBuf,
        /// What the Avro reader said.
        reason: String,
    },
    /// A frame's length runs past the end of the file.
    #[error("{path}: truncated frame {index} at byte {offset}: {reason}")]
    Frame {
        /// The file.
        path: PathBuf,
        /// The 0-based record number.
        index: usize,
        /// The byte offset of the frame.
        offset: u64,
        /// What is missing.
        reason: String,
    },
    /// One record in the file could not be decoded; the reader goes on to the next.
    #[error("{path}: record {index} (byte {offset}): {source}")]
    Record {
        /// The file.
        path: PathBuf,
        /// The 0-based record number.
        index: usize,
        /// The byte offset of the frame.
        offset: u64,
        /// Why it could not be decoded.
        source: Box<PacketError>,
    },
    /// A value could not be encoded.
    #[error(transparent)]
    Packet(#[from] PacketError),
}

impl FileError {
    /// True when reading can go on after this error (one bad record in a framed file).
    pub fn is_recoverable(&self) -> bool {
        matches!(self, FileError::Record { .. })
    }
}

/// Writes a visit file. Writes go to a temporary file next to the target, which is
/// renamed over it only by [`VisitWriter::finish`]: a failed run never leaves a
/// half-written file, nor destroys the file that was there before.
pub struct VisitWriter<'s> {
    path: PathBuf,
    tmp: PathBuf,
    inner: Option<Inner<'s>>,
    schema: &'s AlertSchema,
    schema_id: u32,
    count: usize,
    bytes: u64,
}

enum Inner<'s> {
    Ocf(Box<apache_avro::Writer<'s, BufWriter<File>>>),
    Wire(BufWriter<File>),
}

impl<'s> VisitWriter<'s> {
    /// Start writing `path` in `format`; `schema_id` goes into each wire packet's header.
    pub fn create(
        path: &Path,
        format: FileFormat,
        schema: &'s AlertSchema,
        schema_id: u32,
    ) -> Result<Self, FileError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "alerts".into());
        let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let io = |e| FileError::Io {
            path: path.to_path_buf(),
            source: e,
        };
        let file = BufWriter::with_capacity(1 << 20, File::create(&tmp).map_err(io)?);
        let inner = match format {
            FileFormat::Ocf => Inner::Ocf(Box::new(
                apache_avro::Writer::builder()
                    .schema(&schema.avro)
                    .writer(file)
                    .build()
                    .map_err(|e| FileError::Ocf {
                        path: path.to_path_buf(),
                        reason: e.to_string(),
                    })?,
            )),
            FileFormat::Wire => Inner::Wire(file),
        };
        Ok(VisitWriter {
            path: path.to_path_buf(),
            tmp,
            inner: Some(inner),
            schema,
            schema_id,
            count: 0,
            bytes: 0,
        })
    }

    /// Append one alert. Returns the size of its wire-format packet.
    pub fn append(&mut self, value: &Value) -> Result<usize, FileError> {
        let body = encode_body(self.schema, value)?;
        let packet_len = body.len() + super::HEADER_LEN;
        let res = match self.inner.as_mut().expect("not finished") {
            Inner::Ocf(w) => w
                .append_value_ref(value)
                .map(|_| ())
                .map_err(|e| FileError::Ocf {
                    path: self.path.clone(),
                    reason: e.to_string(),
                }),
            Inner::Wire(w) => {
                let packet = encode(self.schema_id, &body);
                w.write_all(&(packet.len() as u32).to_be_bytes())
                    .and_then(|_| w.write_all(&packet))
                    .map_err(|e| FileError::Io {
                        path: self.path.clone(),
                        source: e,
                    })
            }
        };
        if let Err(e) = res {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(e);
        }
        self.count += 1;
        self.bytes += packet_len as u64;
        Ok(packet_len)
    }

    /// Alerts appended so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Total wire-format bytes of the alerts appended so far.
    pub fn packet_bytes(&self) -> u64 {
        self.bytes
    }

    /// Flush, sync and move the file into place.
    pub fn finish(mut self) -> Result<(), FileError> {
        let io = |e| FileError::Io {
            path: self.path.clone(),
            source: e,
        };
        let file = match self.inner.take().expect("finish is called once") {
            Inner::Ocf(w) => w.into_inner().map_err(|e| FileError::Ocf {
                path: self.path.clone(),
                reason: e.to_string(),
            })?,
            Inner::Wire(w) => w,
        };
        let file = file.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&self.tmp, &self.path).map_err(io)
    }
}

impl Drop for VisitWriter<'_> {
    fn drop(&mut self) {
        // After finish() the temporary file is gone and this does nothing.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Write packets as a length-framed wire file, atomically (temporary file, then rename).
pub fn write_wire_file<'p>(
    path: &Path,
    packets: impl IntoIterator<Item = &'p [u8]>,
) -> Result<u64, FileError> {
    let io = |e| FileError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "alerts".into());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut w = BufWriter::new(File::create(&tmp)?);
        let mut n = 0;
        for p in packets {
            w.write_all(&(p.len() as u32).to_be_bytes())?;
            w.write_all(p)?;
            n += 1;
        }
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(n)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// One alert read from a file.
#[derive(Debug)]
pub struct FileAlert {
    /// The 0-based record number in the file.
    pub index: usize,
    /// The schema id from the wire header (`None` in a container file).
    pub schema_id: Option<u32>,
    /// The size of the record: the wire packet, or the Avro body in a container file.
    pub bytes: usize,
    /// The decoded alert.
    pub value: Value,
    /// The wire-format packet as stored (wire files only), to forward unchanged.
    pub packet: Option<Vec<u8>>,
}

/// Reads alerts from a visit file of either format, one at a time.
pub struct VisitReader<'a> {
    path: PathBuf,
    kind: Kind<'a>,
    reader: Option<Arc<AlertSchema>>,
    index: usize,
    done: bool,
}

enum Kind<'a> {
    Ocf(Box<apache_avro::Reader<'a, BufReader<File>>>),
    Wire {
        input: BufReader<File>,
        offset: u64,
        store: &'a mut SchemaStore,
        single: bool,
    },
}

impl<'a> VisitReader<'a> {
    /// Open `path`, detecting its format. Wire packets are decoded with schemas from
    /// `store`; with `reader`, every alert is resolved into that reader schema.
    pub fn open(
        path: &Path,
        store: &'a mut SchemaStore,
        reader: Option<Arc<AlertSchema>>,
    ) -> Result<Self, FileError> {
        let io = |e| FileError::Io {
            path: path.to_path_buf(),
            source: e,
        };
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let mut head = Vec::with_capacity(64);
        (&file).take(64).read_to_end(&mut head).map_err(io)?;
        let file = File::open(path).map_err(io)?;
        let input = BufReader::with_capacity(1 << 20, file);
        if head.is_empty() {
            return Err(FileError::Empty {
                path: path.to_path_buf(),
            });
        }
        let kind = if head.starts_with(b"Obj\x01") {
            let r = apache_avro::Reader::new(input).map_err(|e| FileError::Ocf {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
            Kind::Ocf(Box::new(r))
        } else if head[0] == super::MAGIC {
            // A frame starts with a length of at least 5 and its packet's magic byte.
            let framed = head.len() >= 5 && head[4] == super::MAGIC && {
                let frame_len = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
                frame_len >= 5 && 4 + frame_len <= len
            };
            Kind::Wire {
                input,
                offset: 0,
                store,
                single: !framed,
            }
        } else {
            return Err(FileError::Unknown {
                path: path.to_path_buf(),
                looks_like: super::describe(&head),
            });
        };
        Ok(VisitReader {
            path: path.to_path_buf(),
            kind,
            reader,
            index: 0,
            done: false,
        })
    }

    /// The writer schema of a container file (`None` for wire files).
    pub fn ocf_schema(&self) -> Option<&apache_avro::Schema> {
        match &self.kind {
            Kind::Ocf(r) => Some(r.writer_schema()),
            Kind::Wire { .. } => None,
        }
    }

    /// A container file's writer schema as an [`AlertSchema`] (`None` for wire files).
    pub fn ocf_alert_schema(&self) -> Option<Result<AlertSchema, crate::schema::SchemaError>> {
        let avro = self.ocf_schema()?;
        let text = serde_json::to_string(avro).map_err(|e| crate::schema::SchemaError::Invalid {
            path: self.path.clone(),
            reason: e.to_string(),
        });
        Some(text.and_then(|t| AlertSchema::from_json_str(&t, &self.path)))
    }

    fn next_wire(&mut self) -> Option<Result<FileAlert, FileError>> {
        let Kind::Wire {
            input,
            offset,
            store,
            single,
        } = &mut self.kind
        else {
            unreachable!("next_wire is only called for wire files")
        };
        let index = self.index;
        let start = *offset;
        let packet = if *single {
            let mut all = Vec::new();
            if let Err(e) = input.read_to_end(&mut all) {
                return Some(Err(FileError::Io {
                    path: self.path.clone(),
                    source: e,
                }));
            }
            self.done = true;
            all
        } else {
            let mut len = [0u8; 4];
            match read_full(input, &mut len) {
                Ok(0) => return None,
                Ok(4) => {}
                Ok(n) => {
                    return Some(Err(self.frame_err(
                        index,
                        start,
                        format!("{n} bytes where a 4-byte length was expected"),
                    )))
                }
                Err(e) => {
                    return Some(Err(FileError::Io {
                        path: self.path.clone(),
                        source: e,
                    }))
                }
            }
            let len = u32::from_be_bytes(len) as usize;
            let mut packet = vec![0u8; len];
            match read_full(input, &mut packet) {
                Ok(n) if n == len => packet,
                Ok(n) => {
                    return Some(Err(self.frame_err(
                        index,
                        start,
                        format!("the frame says {len} bytes, the file has {n} left"),
                    )))
                }
                Err(e) => {
                    return Some(Err(FileError::Io {
                        path: self.path.clone(),
                        source: e,
                    }))
                }
            }
        };
        *offset += 4 + packet.len() as u64;
        self.index += 1;
        let bytes = packet.len();
        let decoded = split(&packet).and_then(|(id, body)| {
            let writer = store.get(id)?;
            let value = decode_body(id, &writer, self.reader.as_deref(), body)?;
            Ok((id, value))
        });
        Some(match decoded {
            Ok((id, value)) => Ok(FileAlert {
                index,
                schema_id: Some(id),
                bytes,
                value,
                packet: Some(packet),
            }),
            Err(source) => Err(FileError::Record {
                path: self.path.clone(),
                index,
                offset: start,
                source: Box::new(source),
            }),
        })
    }

    fn frame_err(&mut self, index: usize, offset: u64, reason: String) -> FileError {
        self.done = true;
        FileError::Frame {
            path: self.path.clone(),
            index,
            offset,
            reason,
        }
    }
}

/// Read until `buf` is full or the input ends; returns the bytes read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

impl Iterator for VisitReader<'_> {
    type Item = Result<FileAlert, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match &mut self.kind {
            Kind::Ocf(r) => {
                let item = r.next()?;
                let index = self.index;
                self.index += 1;
                let resolved = item.and_then(|v| match &self.reader {
                    Some(rs) => v.resolve(&rs.avro),
                    None => Ok(v),
                });
                Some(match resolved {
                    Ok(value) => Ok(FileAlert {
                        index,
                        schema_id: None,
                        bytes: 0,
                        value,
                        packet: None,
                    }),
                    Err(e) => {
                        self.done = true;
                        Err(FileError::Ocf {
                            path: self.path.clone(),
                            reason: format!("record {index}: {e}"),
                        })
                    }
                })
            }
            Kind::Wire { .. } => self.next_wire(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{Generator, SampleConfig};
    use rand::{Rng, SeedableRng};

    fn write(format: FileFormat, dir: &Path) -> (PathBuf, Vec<Value>) {
        let schema = Arc::new(crate::schema::builtin_sample());
        let mut g = Generator::new(
            schema.clone(),
            SampleConfig {
                alerts_per_visit: 4,
                cutout_size: 6,
                max_history: 2,
                ..SampleConfig::default()
            },
        );
        let alerts = g.visit(0);
        let path = dir.join(format!("{format:?}"));
        let mut w = VisitWriter::create(&path, format, &schema, 1).unwrap();
        for a in &alerts {
            w.append(a).unwrap();
        }
        w.finish().unwrap();
        (path, alerts)
    }

    #[test]
    fn both_formats_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        for format in [FileFormat::Ocf, FileFormat::Wire] {
            let (path, alerts) = write(format, dir.path());
            let mut store = SchemaStore::new(vec![]);
            let read: Vec<Value> = VisitReader::open(&path, &mut store, None)
                .unwrap()
                .map(|r| r.unwrap().value)
                .collect();
            assert_eq!(read, alerts, "{format:?}");
        }
    }

    /// Corrupted files give errors, never panics: bit flips, truncations and
    /// inserted bytes at random places, thousands of times.
    #[test]
    fn corrupted_files_never_panic() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(99);
        for format in [FileFormat::Ocf, FileFormat::Wire] {
            let (path, _) = write(format, dir.path());
            let good = std::fs::read(&path).unwrap();
            let bad_path = dir.path().join("bad");
            for round in 0..1500 {
                let mut bytes = good.clone();
                match round % 3 {
                    0 => {
                        for _ in 0..rng.random_range(1..8) {
                            let i = rng.random_range(0..bytes.len());
                            bytes[i] ^= 1 << rng.random_range(0..8);
                        }
                    }
                    1 => bytes.truncate(rng.random_range(0..bytes.len())),
                    _ => {
                        let i = rng.random_range(0..bytes.len());
                        let junk: Vec<u8> =
                            (0..rng.random_range(1..16)).map(|_| rng.random()).collect();
                        bytes.splice(i..i, junk);
                    }
                }
                std::fs::write(&bad_path, &bytes).unwrap();
                let mut store = SchemaStore::new(vec![]);
                if let Ok(reader) = VisitReader::open(&bad_path, &mut store, None) {
                    // Read to the end; each item is Ok or Err, and the reader stops.
                    assert!(reader.take(10_000).count() < 10_000);
                }
            }
        }
    }
}
