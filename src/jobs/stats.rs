//! Stats: what a topic, a night or a visit file holds: alerts per visit and band,
//! bytes, time range.

use std::path::PathBuf;

use serde_json::json;

use super::{read_whole, Report};
use crate::error::Error;
use crate::formats::packet::file::VisitReader;
use crate::formats::packet::stats::Summary;
use crate::night::input::Windowing;
use crate::transport::connect::{SchemaSources, Target};

/// What to count.
#[derive(Debug, Clone)]
pub enum Source {
    /// A topic, a night, or both (a night's window), on a cluster.
    Kafka {
        /// The topic.
        topic: Option<String>,
        /// The night.
        night: Option<chrono::NaiveDate>,
        /// How a night's window is read.
        windowing: Windowing,
        /// Where the cluster is.
        target: Target,
    },
    /// A visit file.
    File(PathBuf),
}

/// A summary of what was read, and what it was read from.
#[derive(Debug, Clone)]
pub struct Stats {
    /// The topics or file.
    pub source: String,
    /// The counts.
    pub summary: Summary,
}

impl Stats {
    /// The summary as one JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        let s = &self.summary;
        json!({
            "source": self.source,
            "alerts": s.alerts,
            "undecodable": s.undecodable,
            "bytes": s.bytes,
            "visits": s.per_visit.len(),
            "per_visit": s.per_visit.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "per_band": s.per_band,
            "mjd_first": s.mjd_range.map(|r| r.0),
            "mjd_last": s.mjd_range.map(|r| r.1),
        })
    }

    /// The summary as lines for people.
    pub fn to_text(&self) -> Vec<String> {
        let s = &self.summary;
        let mut out = vec![format!(
            "{}: {} alerts in {} visits, {:.1} MB{}",
            self.source,
            s.alerts,
            s.per_visit.len(),
            s.bytes as f64 / 1e6,
            if s.undecodable > 0 {
                format!(", {} undecodable", s.undecodable)
            } else {
                String::new()
            }
        )];
        if let Some((lo, hi)) = s.mjd_range {
            out.push(format!(
                "  time: MJD {lo:.5} to {hi:.5} ({:.1} minutes)",
                (hi - lo) * 1440.0
            ));
        }
        out.push(format!(
            "  bands: {}",
            s.per_band
                .iter()
                .map(|(b, n)| format!("{b}={n}"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
        let counts: Vec<u64> = s.per_visit.values().copied().collect();
        if let (Some(min), Some(max)) = (counts.iter().min(), counts.iter().max()) {
            out.push(format!("  alerts per visit: {min} to {max}"));
        }
        out
    }
}

/// Count what `source` holds (a topic or window to its end).
pub fn run(
    source: &Source,
    schemas: &SchemaSources,
    report: &mut dyn Report,
) -> Result<Stats, Error> {
    let mut s = Summary::default();
    let source = match source {
        Source::File(file) => {
            let mut decoder = schemas.decoder(None);
            let mut reader = VisitReader::open(file, &mut decoder)?;
            while let Some(item) = reader.next_meta() {
                match item {
                    Ok(m) => s.add_meta(&m.meta, m.band, m.bytes),
                    Err(e) if e.is_recoverable() => s.add_undecodable(0),
                    Err(e) => return Err(e.into()),
                }
            }
            file.display().to_string()
        }
        Source::Kafka {
            topic,
            night,
            windowing,
            target,
        } => {
            let (conn, reading, mut tail) = read_whole(
                target,
                topic.as_deref(),
                *night,
                Some(windowing),
                "give a TOPIC, --night NIGHT or --file FILE",
                report,
            )?;
            let mut decoder = schemas.decoder(None);
            let complete = tail.read_to_end(|r| {
                let payload = r.payload.unwrap_or_default();
                // What it reads of each alert, straight from the bytes where it can.
                match decoder.meta(&payload) {
                    Ok((m, _)) if !reading.keeps_mjd(m.mjd) => {}
                    Ok((m, band)) => s.add_meta(&m, band, payload.len()),
                    Err(_) => s.add_undecodable(payload.len()),
                }
                Ok(())
            })?;
            if !complete {
                return Err(Error::failure(format!(
                    "no records from {} for {}s",
                    conn.brokers,
                    conn.timeout.as_secs()
                )));
            }
            reading.topics.join(",")
        }
    };
    Ok(Stats { source, summary: s })
}
