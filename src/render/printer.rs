//! The printer: how a command's results reach its output.
//!
//! Reports (topics, stats, checks, lag, benchmarks) are rows, printed in a
//! [`RowFormat`]: a table for people, JSON lines for scripts, or one JSON document.
//! Alerts are records, printed in a [`RecordFormat`]: the same three for their JSON
//! views, the packets themselves (`raw`, a wire visit file), or an envelope per record
//! as kcat's `-J` prints it. By default a terminal gets a table and anything else JSON
//! lines ([`RowFormat::or_default`], [`RecordFormat::or_default`]): defined once, here.

use std::io::Write;

use serde_json::Value as Json;

use super::table::{cell, column_name, lookup, render_table, DEFAULT_TABLE_FIELDS};
use crate::choice::Choice;
use crate::transport::kafka::consume::Received;

/// How rows of a report are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFormat {
    /// Aligned columns for people.
    Table,
    /// One JSON object per line.
    Jsonl,
    /// One JSON document.
    Json,
}

impl Choice for RowFormat {
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        (
            "table",
            "Aligned columns for people (the default on a terminal); `text` is the same",
            RowFormat::Table,
        ),
        (
            "jsonl",
            "One JSON object per line (the default when stdout is not a terminal)",
            RowFormat::Jsonl,
        ),
        ("json", "One JSON document", RowFormat::Json),
    ];
    const ALIASES: &'static [(&'static str, Self)] = &[("text", RowFormat::Table)];
}

impl RowFormat {
    /// The format asked for, else a table on a terminal and JSON lines otherwise.
    pub fn or_default(f: Option<RowFormat>, terminal: bool) -> RowFormat {
        f.unwrap_or(if terminal {
            RowFormat::Table
        } else {
            RowFormat::Jsonl
        })
    }

    /// A row format by name; a record format's name is refused with what fits.
    pub fn parse(s: &str) -> Result<RowFormat, String> {
        if let Some(f) = RowFormat::from_name(s) {
            return Ok(f);
        }
        match RecordFormat::from_name(s) {
            Some(_) => Err(format!(
                "{s} is tail's format (records); here: {}",
                RowFormat::names()
            )),
            None => Err(format!(
                "`{s}` is not an output format: {}",
                RowFormat::names()
            )),
        }
    }
}

/// How alerts are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// Aligned columns of chosen fields.
    Table,
    /// One JSON view per line.
    Jsonl,
    /// One JSON document holding every view.
    Json,
    /// The packets themselves, length-framed: a wire visit file.
    Raw,
    /// One JSON object per record, as kcat -J prints it.
    Envelope,
    /// The envelope with the packet itself, base64, as its value; nothing decoded.
    EnvelopeRaw,
}

impl Choice for RecordFormat {
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        (
            "table",
            "Aligned columns for people (the default on a terminal); `text` is the same",
            RecordFormat::Table,
        ),
        (
            "jsonl",
            "One JSON object per line (the default when stdout is not a terminal)",
            RecordFormat::Jsonl,
        ),
        ("json", "One JSON document", RecordFormat::Json),
        (
            "raw",
            "The packets themselves, length-framed: a wire visit file",
            RecordFormat::Raw,
        ),
        (
            "envelope",
            "One JSON object per record, as kcat -J prints: topic, partition, offset, timestamp and its type, key, headers (a map), schema id, and the alert's JSON view as `value`",
            RecordFormat::Envelope,
        ),
        (
            "envelope-raw",
            "The envelope with the packet itself, base64, as `value`; nothing is decoded",
            RecordFormat::EnvelopeRaw,
        ),
    ];
    const ALIASES: &'static [(&'static str, Self)] = &[("text", RecordFormat::Table)];
}

impl RecordFormat {
    /// The format asked for, else a table on a terminal and JSON lines otherwise.
    pub fn or_default(f: Option<RecordFormat>, terminal: bool) -> RecordFormat {
        f.unwrap_or(if terminal {
            RecordFormat::Table
        } else {
            RecordFormat::Jsonl
        })
    }

    /// Whether the records are printed without decoding them.
    pub fn undecoded(self) -> bool {
        matches!(self, RecordFormat::Raw | RecordFormat::EnvelopeRaw)
    }
}

/// Write one line.
pub fn line(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")
}

/// Print report rows: each row is a JSON object; a table shows `columns` of them
/// (key, title) aligned, or `table` when a report draws its own.
pub fn rows(
    out: &mut impl Write,
    format: RowFormat,
    rows: &[Json],
    table: impl FnOnce(&[Json]) -> String,
) -> std::io::Result<()> {
    match format {
        RowFormat::Table => {
            if !rows.is_empty() {
                line(out, &table(rows))?;
            }
        }
        RowFormat::Jsonl => {
            for r in rows {
                line(out, &r.to_string())?;
            }
        }
        RowFormat::Json => line(
            out,
            &serde_json::to_string_pretty(&Json::Array(rows.to_vec()))
                .expect("JSON values serialize"),
        )?,
    }
    out.flush()
}

/// One printed record: an alert's JSON view (or envelope), or a packet.
#[derive(Debug, Clone)]
pub enum Item {
    /// A JSON value.
    View(Json),
    /// A JSON value already written as text (one line, no newline).
    Text(Vec<u8>),
    /// A packet, written length-framed.
    Raw(Vec<u8>),
}

/// Prints alerts in a [`RecordFormat`]: straight out, or kept for `-n` (the last N,
/// ordered), one JSON document, or a table whose columns fit every row.
pub struct AlertPrinter<W: Write> {
    format: RecordFormat,
    fields: Vec<String>,
    num: Option<usize>,
    keep: bool,
    /// (sort key, item): record timestamp (Kafka) or file order.
    kept: Vec<(i64, Item)>,
    out: W,
    header_done: bool,
}

impl<W: Write> AlertPrinter<W> {
    /// A printer to `out`; a table shows `fields` (dotted paths; the default fields when
    /// empty); with `num`, only the last `num` items are printed, in order.
    pub fn new(out: W, format: RecordFormat, fields: &[String], num: Option<usize>) -> Self {
        let fields = if fields.is_empty() {
            DEFAULT_TABLE_FIELDS.iter().map(|s| s.to_string()).collect()
        } else {
            fields.to_vec()
        };
        AlertPrinter {
            format,
            fields,
            num,
            keep: num.is_some() || matches!(format, RecordFormat::Json | RecordFormat::Table),
            kept: Vec::new(),
            out,
            header_done: false,
        }
    }

    /// The format.
    pub fn format(&self) -> RecordFormat {
        self.format
    }

    fn write(&mut self, item: &Item) -> std::io::Result<()> {
        match (self.format, item) {
            (_, Item::Raw(p)) => {
                self.out.write_all(&(p.len() as u32).to_be_bytes())?;
                self.out.write_all(p)?;
            }
            (RecordFormat::Table, Item::View(v)) => {
                // Following: aligned rows, one per alert, under one header.
                if !self.header_done {
                    let header: String = self
                        .fields
                        .iter()
                        .map(|f| format!("{:<19}", column_name(f)))
                        .collect();
                    line(&mut self.out, &header)?;
                    self.header_done = true;
                }
                let row: String = self
                    .fields
                    .iter()
                    .map(|f| format!("{:<19}", cell(lookup(v, f))))
                    .collect();
                line(&mut self.out, row.trim_end())?;
            }
            (_, Item::View(v)) => line(&mut self.out, &v.to_string())?,
            (RecordFormat::Jsonl | RecordFormat::Envelope, Item::Text(t)) => {
                self.out.write_all(t)?;
                self.out.write_all(b"\n")?;
            }
            (_, Item::Text(t)) => {
                // Other formats are given values; text is read back as one.
                let v: Json = serde_json::from_slice(t).unwrap_or(Json::Null);
                self.write(&Item::View(v))?;
            }
        }
        Ok(())
    }

    /// Print an item, or keep it (`order` sorts what is kept).
    pub fn push(&mut self, order: i64, item: Item) -> std::io::Result<()> {
        if self.keep {
            self.kept.push((order, item));
            if let Some(n) = self.num {
                // Keep memory bounded: trim to the newest n now and then.
                if self.kept.len() >= 2 * n.max(1024) {
                    self.trim();
                }
            }
            Ok(())
        } else {
            self.write(&item)?;
            self.out.flush()
        }
    }

    fn trim(&mut self) {
        self.kept.sort_by_key(|(k, _)| *k);
        if let Some(n) = self.num {
            let drop = self.kept.len().saturating_sub(n);
            self.kept.drain(..drop);
        }
    }

    /// Whether items are kept (not yet written).
    pub fn keeping(&self) -> bool {
        self.keep
    }

    /// Write what was kept; after this, items stream straight out (for -n with -f).
    pub fn flush_kept(&mut self) -> std::io::Result<()> {
        self.trim();
        let kept = std::mem::take(&mut self.kept);
        let views = |kept: Vec<(i64, Item)>| -> Vec<Json> {
            kept.into_iter()
                .filter_map(|(_, i)| match i {
                    Item::View(v) => Some(v),
                    Item::Text(t) => serde_json::from_slice(&t).ok(),
                    Item::Raw(_) => None,
                })
                .collect()
        };
        match self.format {
            RecordFormat::Json => {
                let all = views(kept);
                line(
                    &mut self.out,
                    &serde_json::to_string_pretty(&Json::Array(all))
                        .expect("JSON values serialize"),
                )?;
            }
            RecordFormat::Table if !self.header_done => {
                let all = views(kept);
                line(&mut self.out, &render_table(&all, &self.fields))?;
                self.header_done = true;
            }
            _ => {
                for (_, item) in &kept {
                    self.write(item)?;
                }
            }
        }
        self.out.flush()?;
        self.keep = false;
        self.num = None;
        Ok(())
    }
}

/// Bytes in JSON: a string when they are UTF-8, else `{"base64": ...}`.
fn bytes_json(b: &[u8]) -> Json {
    use base64::Engine;
    match std::str::from_utf8(b) {
        Ok(s) => Json::String(s.to_string()),
        Err(_) => {
            serde_json::json!({ "base64": base64::engine::general_purpose::STANDARD.encode(b) })
        }
    }
}

/// A packet as an envelope's value: its bytes in base64.
pub fn raw_value(packet: &[u8]) -> Json {
    use base64::Engine;
    Json::String(base64::engine::general_purpose::STANDARD.encode(packet))
}

/// The kcat `-J` / rpk `--format` style envelope of a record: where it is, its timestamp
/// and type, key, headers as a map (a repeated header keeps its last value), the schema
/// id of its packet, and the value.
pub fn envelope(rec: &Received, schema_id: Option<u32>, value: Json) -> Json {
    let headers: serde_json::Map<String, Json> = rec
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), bytes_json(v)))
        .collect();
    serde_json::json!({
        "topic": rec.topic,
        "partition": rec.partition,
        "offset": rec.offset,
        "timestamp": rec.timestamp_ms,
        "timestamp_type": rec.timestamp_type,
        "key": rec.key.as_deref().map(bytes_json),
        "headers": headers,
        "schema_id": schema_id,
        "value": value,
    })
}

/// [`envelope`] as one line of text, around an alert's JSON view already written as
/// text: the bytes of `envelope(rec, schema_id, value).to_string()`, without reading the
/// view back into values (what `tail --format envelope` prints).
pub fn envelope_text(rec: &Received, schema_id: Option<u32>, value: &[u8]) -> Vec<u8> {
    let mut out = envelope(rec, schema_id, Json::Null)
        .to_string()
        .into_bytes();
    // "value" is the envelope's last key, whether its map is sorted or keeps the order
    // the keys were written in.
    if out.ends_with(b",\"value\":null}") {
        out.truncate(out.len() - b"null}".len());
        out.extend_from_slice(value);
        out.push(b'}');
        return out;
    }
    let value = serde_json::from_slice(value).unwrap_or(Json::Null);
    envelope(rec, schema_id, value).to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The envelope written around the view's text is the envelope of the view's value,
    /// byte for byte: over records with and without keys, headers (text, binary, the
    /// same name twice), timestamps and schema ids, and values of every JSON kind.
    #[test]
    fn envelope_text_is_the_envelopes_text() {
        let values = [
            serde_json::json!({"diaSourceId": 1, "ra": 12.5, "ssSource": null, "n": [1, {"a": "\u{1}\""}]}),
            serde_json::json!({}),
            serde_json::json!(null),
            serde_json::json!("text \"quoted\" é"),
            serde_json::json!([1.5e-7, -0.0, 1e300]),
        ];
        let mut made = 0;
        for (i, value) in values.iter().enumerate() {
            for key in [None, Some(b"k".to_vec()), Some(vec![0xff, 0, b'"'])] {
                for headers in [
                    vec![],
                    vec![("filter".to_string(), b"Filter001".to_vec())],
                    vec![
                        ("a".into(), vec![0x80, 0x81]),
                        ("a".into(), b"again".to_vec()),
                    ],
                ] {
                    for (ts, schema_id) in [(None, None), (Some(1_714_600_000_000), Some(1101))] {
                        let rec = Received {
                            topic: format!("lsst-alerts-v{i}"),
                            partition: i as i32,
                            offset: 7 * i as i64,
                            timestamp_ms: ts,
                            timestamp_type: ts.map(|_| "CreateTime"),
                            key: key.clone(),
                            payload: None,
                            headers: headers.clone(),
                        };
                        let text = serde_json::to_vec(value).unwrap();
                        let got = envelope_text(&rec, schema_id, &text);
                        let want = envelope(&rec, schema_id, value.clone()).to_string();
                        assert_eq!(String::from_utf8(got).unwrap(), want);
                        made += 1;
                    }
                }
            }
        }
        assert_eq!(made, 5 * 3 * 3 * 2);
    }

    #[test]
    fn row_formats_refuse_record_formats_by_name() {
        assert_eq!(RowFormat::parse("text"), Ok(RowFormat::Table));
        assert_eq!(RowFormat::parse("JSONL"), Ok(RowFormat::Jsonl));
        let e = RowFormat::parse("raw").unwrap_err();
        assert!(
            e.contains("tail's format") && e.contains("table, jsonl or json"),
            "{e}"
        );
        assert_eq!(
            RecordFormat::from_name("envelope-raw"),
            Some(RecordFormat::EnvelopeRaw)
        );
        assert_eq!(RowFormat::or_default(None, true), RowFormat::Table);
        assert_eq!(RecordFormat::or_default(None, false), RecordFormat::Jsonl);
    }

    #[test]
    fn the_last_n_are_printed_in_order() {
        let mut p = AlertPrinter::new(Vec::new(), RecordFormat::Jsonl, &[], Some(2));
        for (t, v) in [(3, 30), (1, 10), (2, 20)] {
            p.push(t, Item::View(Json::from(v))).unwrap();
        }
        p.flush_kept().unwrap();
        assert_eq!(String::from_utf8(p.out).unwrap(), "20\n30\n");
    }
}
