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
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use apache_avro::types::Value;

use super::{encode, encode_body, split, Decoder, PacketError};
use crate::formats::avro::graph::Graph;
use crate::formats::avro::AlertSchema;

/// The on-disk format of a visit file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Avro Object Container File.
    Ocf,
    /// Length-framed Confluent wire-format packets.
    Wire,
}

impl crate::choice::Choice for FileFormat {
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        ("ocf", "Avro Object Container File", FileFormat::Ocf),
        (
            "wire",
            "Length-framed Confluent wire-format packets",
            FileFormat::Wire,
        ),
    ];
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

    /// Where the error is (file, record, byte) and why, apart: the reason alone repeats
    /// from record to record when one cause spoils many.
    pub fn place_and_reason(&self) -> (String, String) {
        match self {
            FileError::Record {
                path,
                index,
                offset,
                source,
            } => (
                format!("{}: record {index} (byte {offset})", path.display()),
                source.to_string(),
            ),
            other => (String::new(), other.to_string()),
        }
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

/// Writes a length-framed wire file one packet at a time. Writes go to a temporary
/// file next to the target, renamed over it by [`WireWriter::finish`]: a failed run
/// never leaves a half-written file, nor destroys the file that was there before.
pub struct WireWriter {
    path: PathBuf,
    tmp: PathBuf,
    out: Option<BufWriter<File>>,
    count: u64,
}

impl WireWriter {
    /// Start writing `path`.
    pub fn create(path: &Path) -> Result<WireWriter, FileError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "alerts".into());
        let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::create(&tmp).map_err(io_err(path))?;
        Ok(WireWriter {
            path: path.to_path_buf(),
            tmp,
            out: Some(BufWriter::with_capacity(IO_BUFFER, file)),
            count: 0,
        })
    }

    /// Append one packet.
    pub fn append(&mut self, packet: &[u8]) -> Result<(), FileError> {
        let w = self.out.as_mut().expect("not finished");
        let len = u32::try_from(packet.len()).map_err(|_| FileError::Io {
            path: self.path.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "a packet over 4 GiB"),
        })?;
        w.write_all(&len.to_be_bytes())
            .and_then(|_| w.write_all(packet))
            .map_err(io_err(&self.path))?;
        self.count += 1;
        Ok(())
    }

    /// Packets appended so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Flush and move the file into place; returns the packets written. Like `cp` and
    /// a shell's `>`, it leaves writing the pages to disk to the system (no fsync).
    pub fn finish(mut self) -> Result<u64, FileError> {
        let w = self.out.take().expect("finish is called once");
        w.into_inner().map_err(|e| FileError::Io {
            path: self.path.clone(),
            source: e.into_error(),
        })?;
        std::fs::rename(&self.tmp, &self.path).map_err(io_err(&self.path))?;
        Ok(self.count)
    }
}

impl Drop for WireWriter {
    fn drop(&mut self) {
        // After finish() the temporary file is gone and this does nothing.
        if self.out.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Write packets as a length-framed wire file, atomically (temporary file, then rename).
pub fn write_wire_file<'p>(
    path: &Path,
    packets: impl IntoIterator<Item = &'p [u8]>,
) -> Result<u64, FileError> {
    let mut w = WireWriter::create(path)?;
    for p in packets {
        w.append(p)?;
    }
    w.finish()
}

/// One record of a visit file, as stored: no decoding.
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// The 0-based record number in the file.
    pub index: usize,
    /// Where its frame starts in the file (a container file: where its block starts).
    pub offset: u64,
    /// The wire-format packet: as stored in a wire file; a container file's record
    /// behind the wire header of the file's schema id.
    pub packet: bytes::Bytes,
}

/// Reads the records of a visit file of either format, one at a time, without
/// decoding them. A container file's blocks are split into records with its schema.
pub struct PacketReader {
    path: PathBuf,
    kind: Raw,
    index: usize,
    done: bool,
}

/// What a visit file is read from: a file, or bytes in memory.
trait Input: Read + Seek {}
impl<T: Read + Seek> Input for T {}

enum Raw {
    Wire {
        input: Box<dyn Input>,
        offset: u64,
        len: u64,
        single: bool,
    },
    Ocf(Box<Container>),
}

/// An Avro container file being read block by block.
struct Container {
    input: Box<dyn Input>,
    schema: Arc<AlertSchema>,
    graph: Arc<Graph>,
    sync: [u8; 16],
    deflate: bool,
    id: u32,
    len: u64,
    /// Bytes read from the file so far.
    offset: u64,
    block: bytes::Bytes,
    block_offset: u64,
    pos: usize,
    left: u64,
}

/// Buffer for reading and writing visit files: small, so that a packet (tens of KB)
/// goes straight between the kernel and its own memory instead of through the buffer;
/// frame lengths and container headers still come from it.
const IO_BUFFER: usize = 16 << 10;

/// Largest block a container file may decompress to.
const MAX_BLOCK: usize = 1 << 30;

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> FileError + '_ {
    move |e| FileError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Read an Avro long from a stream; `None` at the end of the stream before its first byte.
fn read_long(input: &mut impl Read) -> std::io::Result<Option<i64>> {
    let mut x: u64 = 0;
    for shift in (0..70).step_by(7) {
        let mut b = [0u8; 1];
        if input.read(&mut b)? == 0 {
            return if shift == 0 {
                Ok(None)
            } else {
                Err(std::io::ErrorKind::UnexpectedEof.into())
            };
        }
        x |= u64::from(b[0] & 0x7f) << shift;
        if b[0] & 0x80 == 0 {
            return Ok(Some((x >> 1) as i64 ^ -((x & 1) as i64)));
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "varint longer than 10 bytes",
    ))
}

impl PacketReader {
    /// Open `path`, detecting its format.
    pub fn open(path: &Path) -> Result<PacketReader, FileError> {
        let io = io_err(path);
        let file = File::open(path).map_err(&io)?;
        let len = file.metadata().map_err(&io)?.len();
        let mut head = Vec::with_capacity(64);
        (&file).take(64).read_to_end(&mut head).map_err(&io)?;
        let file = File::open(path).map_err(&io)?;
        let input = Box::new(BufReader::with_capacity(IO_BUFFER, file));
        PacketReader::detect(path, input, &head, len)
    }

    /// Read a visit file held in memory (an archive service's answer); `name` names it
    /// in errors.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<PacketReader, FileError> {
        let len = bytes.len() as u64;
        let head = bytes[..bytes.len().min(64)].to_vec();
        PacketReader::detect(
            Path::new(name),
            Box::new(std::io::Cursor::new(bytes)),
            &head,
            len,
        )
    }

    fn detect(
        path: &Path,
        input: Box<dyn Input>,
        head: &[u8],
        len: u64,
    ) -> Result<PacketReader, FileError> {
        if head.is_empty() {
            return Err(FileError::Empty {
                path: path.to_path_buf(),
            });
        }
        let kind = if head.starts_with(b"Obj\x01") {
            Raw::Ocf(Box::new(Container::open(path, input, len)?))
        } else if head[0] == super::MAGIC {
            // A frame starts with a length of at least 5 and its packet's magic byte.
            let framed = head.len() >= 5 && head[4] == super::MAGIC && {
                let frame_len = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
                frame_len >= 5 && 4 + frame_len <= len
            };
            Raw::Wire {
                input,
                offset: 0,
                len,
                single: !framed,
            }
        } else {
            return Err(FileError::Unknown {
                path: path.to_path_buf(),
                looks_like: super::describe(head),
            });
        };
        Ok(PacketReader {
            path: path.to_path_buf(),
            kind,
            index: 0,
            done: false,
        })
    }

    /// A container file's schema (None for wire files).
    pub fn container_schema(&self) -> Option<&Arc<AlertSchema>> {
        match &self.kind {
            Raw::Ocf(c) => Some(&c.schema),
            Raw::Wire { .. } => None,
        }
    }

    /// The schema id a container file's records are given (its version's id, else
    /// u32::MAX); `set_container_id` changes it.
    pub fn container_id(&self) -> Option<u32> {
        match &self.kind {
            Raw::Ocf(c) => Some(c.id),
            Raw::Wire { .. } => None,
        }
    }

    /// Give a container file's records this schema id.
    pub fn set_container_id(&mut self, id: u32) {
        if let Raw::Ocf(c) = &mut self.kind {
            c.id = id;
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
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

    fn next_wire(&mut self) -> Option<Result<RawRecord, FileError>> {
        let Raw::Wire {
            input,
            offset,
            len,
            single,
        } = &mut self.kind
        else {
            unreachable!("next_wire is only called for wire files")
        };
        let (index, start, total) = (self.index, *offset, *len);
        /// What went wrong reading a frame.
        enum Bad {
            Io(std::io::Error),
            Frame(String),
        }
        let read = (|| -> Result<Option<Vec<u8>>, Bad> {
            if *single {
                let mut all = Vec::new();
                input.read_to_end(&mut all).map_err(Bad::Io)?;
                return Ok(Some(all));
            }
            let mut head = [0u8; 4];
            match read_full(input, &mut head).map_err(Bad::Io)? {
                0 => return Ok(None),
                4 => {}
                n => {
                    return Err(Bad::Frame(format!(
                        "{n} bytes where a 4-byte length was expected"
                    )))
                }
            }
            let n = u64::from(u32::from_be_bytes(head));
            // The length is checked against the file before anything is allocated.
            let left = total.saturating_sub(start + 4);
            if n > left {
                return Err(Bad::Frame(format!(
                    "the frame says {n} bytes, the file has {left} left"
                )));
            }
            let mut packet = vec![0u8; n as usize];
            let got = read_full(input, &mut packet).map_err(Bad::Io)?;
            if got as u64 != n {
                return Err(Bad::Frame(format!(
                    "the frame says {n} bytes, the file has {got} left"
                )));
            }
            Ok(Some(packet))
        })();
        if *single {
            self.done = true;
        }
        let packet = match read {
            Ok(Some(p)) => p,
            Ok(None) => return None,
            Err(Bad::Io(e)) => {
                self.done = true;
                return Some(Err(FileError::Io {
                    path: self.path.clone(),
                    source: e,
                }));
            }
            Err(Bad::Frame(reason)) => return Some(Err(self.frame_err(index, start, reason))),
        };
        if let Raw::Wire { offset, .. } = &mut self.kind {
            *offset += 4 + packet.len() as u64;
        }
        self.index += 1;
        Some(Ok(RawRecord {
            index,
            offset: start,
            packet: bytes::Bytes::from(packet),
        }))
    }
}

impl Container {
    fn open(path: &Path, mut input: Box<dyn Input>, len: u64) -> Result<Container, FileError> {
        let bad = |reason: String| FileError::Ocf {
            path: path.to_path_buf(),
            reason,
        };
        let io = |e: std::io::Error| bad(format!("the header is damaged: {e}"));
        let mut magic = [0u8; 4];
        input.read_exact(&mut magic).map_err(io)?;
        let mut offset = 4u64;
        let mut meta: Vec<(String, Vec<u8>)> = Vec::new();
        loop {
            let count = read_long(&mut input)
                .map_err(io)?
                .ok_or_else(|| bad("the header ends early".into()))?;
            offset += 1;
            if count == 0 {
                break;
            }
            if count < 0 {
                read_long(&mut input).map_err(io)?; // the block's byte size
            }
            for _ in 0..count.unsigned_abs().min(1024) {
                let mut item = |what: &str| -> Result<Vec<u8>, FileError> {
                    let n = read_long(&mut input).map_err(io)?.unwrap_or(-1);
                    if n < 0 || n as u64 > len {
                        return Err(bad(format!("a header {what} of {n} bytes")));
                    }
                    let mut v = vec![0u8; n as usize];
                    input.read_exact(&mut v).map_err(io)?;
                    offset += n as u64 + 1;
                    Ok(v)
                };
                let k = item("key")?;
                let v = item("value")?;
                meta.push((String::from_utf8_lossy(&k).into_owned(), v));
            }
        }
        let mut sync = [0u8; 16];
        input.read_exact(&mut sync).map_err(io)?;
        offset += 16;
        let get = |k: &str| meta.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_slice());
        let text = get("avro.schema").ok_or_else(|| bad("no avro.schema in the header".into()))?;
        let text =
            std::str::from_utf8(text).map_err(|e| bad(format!("avro.schema is not UTF-8: {e}")))?;
        let schema = AlertSchema::from_json_str(text, path).map_err(|e| bad(e.to_string()))?;
        let deflate = match get("avro.codec").map(String::from_utf8_lossy).as_deref() {
            None | Some("null") => false,
            Some("deflate") => true,
            Some(other) => {
                return Err(bad(format!(
                    "codec {other} is not supported (null and deflate are): re-encode it, e.g. with fastavro"
                )))
            }
        };
        let graph = schema.graph().map_err(|e| bad(e.to_string()))?.clone();
        let id = schema.id().unwrap_or(u32::MAX);
        Ok(Container {
            input,
            schema: Arc::new(schema),
            graph,
            sync,
            deflate,
            id,
            len,
            offset,
            block: bytes::Bytes::new(),
            block_offset: offset,
            pos: 0,
            left: 0,
        })
    }

    /// Read the next block; false at the end of the file.
    fn next_block(&mut self, path: &Path) -> Result<bool, FileError> {
        let bad = |reason: String| FileError::Ocf {
            path: path.to_path_buf(),
            reason,
        };
        let start = self.offset;
        let io = |e: std::io::Error| bad(format!("block at byte {start}: {e}"));
        let Some(count) = read_long(&mut self.input).map_err(io)? else {
            return Ok(false);
        };
        let size = read_long(&mut self.input)
            .map_err(io)?
            .ok_or_else(|| bad(format!("block at byte {start} ends early")))?;
        let left = self.len.saturating_sub(start);
        if count < 0 || size < 0 || size as u64 > left {
            return Err(bad(format!(
                "block at byte {start} says {count} records in {size} bytes; the file has {left} left"
            )));
        }
        let mut data = vec![0u8; size as usize];
        self.input.read_exact(&mut data).map_err(io)?;
        let mut sync = [0u8; 16];
        self.input.read_exact(&mut sync).map_err(io)?;
        if sync != self.sync {
            return Err(bad(format!("block at byte {start} does not end with the file's sync marker: the file is damaged")));
        }
        self.offset = self.input.stream_position().map_err(io)?;
        let data = if self.deflate {
            miniz_oxide::inflate::decompress_to_vec_with_limit(&data, MAX_BLOCK)
                .map_err(|e| bad(format!("block at byte {start} does not inflate: {e}")))?
        } else {
            data
        };
        self.block = bytes::Bytes::from(data);
        self.block_offset = start;
        self.pos = 0;
        self.left = count as u64;
        Ok(true)
    }

    fn next(&mut self, path: &Path, index: usize) -> Option<Result<RawRecord, FileError>> {
        let bad = |reason: String| FileError::Ocf {
            path: path.to_path_buf(),
            reason,
        };
        while self.left == 0 {
            if self.pos != self.block.len() {
                let extra = self.block.len() - self.pos;
                self.pos = self.block.len();
                return Some(Err(bad(format!(
                    "record {index}: {extra} bytes left over in the block at byte {}: written with another schema, or damaged",
                    self.block_offset
                ))));
            }
            match self.next_block(path) {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
        let mut buf = &self.block[self.pos..];
        let before = buf.len();
        let walked = if self.graph.guarded() {
            // A recursive type's values are walked without recursion, and bounded.
            self.graph.check_shape(buf).map(|n| buf = &buf[n..])
        } else {
            self.graph.skip(self.graph.root, &mut buf)
        };
        if let Err(e) = walked {
            return Some(Err(bad(format!(
                "record {index} in the block at byte {}: {e}",
                self.block_offset
            ))));
        }
        let end = self.pos + (before - buf.len());
        let body = &self.block[self.pos..end];
        self.pos = end;
        self.left -= 1;
        let mut packet = Vec::with_capacity(super::HEADER_LEN + body.len());
        packet.push(super::MAGIC);
        packet.extend_from_slice(&self.id.to_be_bytes());
        packet.extend_from_slice(body);
        Some(Ok(RawRecord {
            index,
            offset: self.block_offset,
            packet: bytes::Bytes::from(packet),
        }))
    }
}

impl Iterator for PacketReader {
    type Item = Result<RawRecord, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = match &mut self.kind {
            Raw::Ocf(c) => {
                let r = c.next(&self.path, self.index);
                if let Some(Ok(_)) = &r {
                    self.index += 1;
                }
                r
            }
            Raw::Wire { .. } => self.next_wire(),
        };
        match &r {
            // A damaged container stops the reader (its records can no longer be found).
            Some(Err(FileError::Ocf { .. } | FileError::Io { .. })) | None => self.done = true,
            _ => {}
        }
        r
    }
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

/// What [`VisitReader::next_meta`] reads of an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct FileMeta {
    /// The 0-based record number in the file.
    pub index: usize,
    /// The size of the record: the wire packet, or the Avro body in a container file.
    pub bytes: usize,
    /// Its ids, visit and time.
    pub meta: super::AlertMeta,
    /// Its band (`diaSource.band`, else `filterName`).
    pub band: Option<String>,
}

/// Reads and decodes alerts from a visit file of either format, one at a time.
pub struct VisitReader<'a> {
    raw: PacketReader,
    decoder: &'a mut Decoder,
}

impl<'a> VisitReader<'a> {
    /// Open `path`, detecting its format. Wire packets are decoded by `decoder` with
    /// the schemas it finds by id, a container file's records with the file's schema.
    pub fn open(path: &Path, decoder: &'a mut Decoder) -> Result<Self, FileError> {
        Ok(VisitReader {
            raw: PacketReader::open(path)?,
            decoder,
        })
    }

    /// A container file's writer schema (`None` for wire files).
    pub fn container_schema(&self) -> Option<&Arc<AlertSchema>> {
        self.raw.container_schema()
    }

    /// The next (up to) `n` alerts' JSON views as text, written on `workers` threads,
    /// in the file's order: each with its record number, or why it failed. A record the
    /// file cannot be read past ends the batch (its error last). Empty at the end.
    pub fn next_json_batch(
        &mut self,
        n: usize,
        policy: crate::formats::avro::view::CutoutPolicy,
        workers: usize,
    ) -> Vec<Result<(usize, Vec<u8>), FileError>> {
        let mut raw = Vec::with_capacity(n);
        let mut stop = None;
        while raw.len() < n {
            match self.raw.next() {
                Some(Ok(r)) => raw.push(r),
                Some(Err(e)) => {
                    stop = Some(e);
                    break;
                }
                None => break,
            }
        }
        let container = self.raw.container_schema().cloned();
        let packets: Vec<&[u8]> = raw.iter().map(|r| &r.packet[..]).collect();
        let written = self.decoder.map_batch(
            &packets,
            container.as_ref(),
            workers,
            |d, id, schema, body| {
                let mut out = Vec::with_capacity(body.len() / 2);
                d.write_json_body(id, schema, body, policy, &mut out)?;
                Ok(out)
            },
        );
        let mut batch: Vec<Result<(usize, Vec<u8>), FileError>> = raw
            .iter()
            .zip(written)
            .map(|(rec, w)| {
                w.map(|text| (rec.index, text))
                    .map_err(|source| FileError::Record {
                        path: self.raw.path.clone(),
                        index: rec.index,
                        offset: rec.offset,
                        source: Box::new(source),
                    })
            })
            .collect();
        batch.extend(stop.map(Err));
        batch
    }
}

impl VisitReader<'_> {
    /// The next alert's ids, visit, time and band, read straight from its bytes where
    /// that serves ([`Decoder::meta`]): what iterating gives, without the values.
    pub fn next_meta(&mut self) -> Option<Result<FileMeta, FileError>> {
        let rec = match self.raw.next()? {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        let container = self.raw.container_schema().cloned();
        let read = split(&rec.packet).and_then(|(id, body)| match &container {
            Some(s) => Ok((self.decoder.meta_body(id, s, body)?, body.len())),
            None => Ok((self.decoder.meta(&rec.packet)?, rec.packet.len())),
        });
        Some(match read {
            Ok(((meta, band), bytes)) => Ok(FileMeta {
                index: rec.index,
                bytes,
                meta,
                band,
            }),
            Err(source) => Err(FileError::Record {
                path: self.raw.path.clone(),
                index: rec.index,
                offset: rec.offset,
                source: Box::new(source),
            }),
        })
    }
}

impl Iterator for VisitReader<'_> {
    type Item = Result<FileAlert, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rec = match self.raw.next()? {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        let container = self.raw.container_schema().cloned();
        let decoded = split(&rec.packet).and_then(|(id, body)| {
            let value = match &container {
                Some(s) => self.decoder.decode_body(id, s, body)?,
                None => self.decoder.decode(&rec.packet)?.1,
            };
            Ok((id, value, body.len()))
        });
        Some(match decoded {
            Ok((id, value, body_len)) => Ok(FileAlert {
                index: rec.index,
                schema_id: container.is_none().then_some(id),
                bytes: if container.is_some() {
                    body_len
                } else {
                    rec.packet.len()
                },
                value,
                packet: container.is_none().then(|| rec.packet.to_vec()),
            }),
            Err(source) => Err(FileError::Record {
                path: self.raw.path.clone(),
                index: rec.index,
                offset: rec.offset,
                source: Box::new(source),
            }),
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::sample::{Generator, SampleConfig};
    use rand::{Rng, SeedableRng};

    fn write(format: FileFormat, dir: &Path) -> (PathBuf, Vec<Value>) {
        let schema = Arc::new(crate::formats::avro::builtin_sample());
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
            let mut decoder = Decoder::new(crate::formats::avro::SchemaStore::new(vec![]), None);
            let read: Vec<Value> = VisitReader::open(&path, &mut decoder)
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
                let mut decoder =
                    Decoder::new(crate::formats::avro::SchemaStore::new(vec![]), None);
                if let Ok(reader) = VisitReader::open(&bad_path, &mut decoder) {
                    // Read to the end; each item is Ok or Err, and the reader stops.
                    assert!(reader.take(10_000).count() < 10_000);
                }
            }
        }
    }
}
