//! `alertctl stats`: what a topic (or visit file) holds.

use std::path::PathBuf;

use serde_json::json;

use super::{line, stdout, stdout_is_tty, CliError, CliResult, KafkaArgs, SchemaDirs};
use crate::kafka::admin::Admin;
use crate::kafka::consume::{Start, Tail};
use crate::kafka::offsets::OffsetSpec;
use crate::packet::file::VisitReader;
use crate::packet::stats::Summary;
use crate::packet::Decoder;

/// Count a topic's alerts per visit and per band, its bytes and time range.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl stats --night today
  alertctl stats lsst-2024-05-01 --format json | jq .per_band
  alertctl stats --file night.avro")]
pub struct Args {
    /// The topic.
    #[arg(conflicts_with = "file")]
    pub topic: Option<String>,
    /// A night: its topic, or on a long-lived topic its dayObs window (12:00 to 12:00 UTC).
    #[arg(long, value_name = "NIGHT", value_parser = super::values::night)]
    pub night: Option<chrono::NaiveDate>,
    #[command(flatten)]
    pub window: super::WindowArgs,
    /// A visit file instead of a topic.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Output format: table (text; the default on a terminal) or json.
    #[arg(long, value_parser = super::rows_format, value_name = "FORMAT")]
    pub format: Option<super::Format>,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl stats`.
pub fn exec(a: Args) -> CliResult {
    let mut s = Summary::default();
    let source = if let Some(file) = &a.file {
        let mut store = a.dirs.store(a.kafka.profile.as_deref());
        for item in VisitReader::open(file, &mut store, None)? {
            match item {
                Ok(alert) => s.add(&alert.value, alert.bytes),
                Err(e) if e.is_recoverable() => s.add_undecodable(0),
                Err(e) => return Err(e.into()),
            }
        }
        file.display().to_string()
    } else {
        let conn = a.kafka.connection()?;
        let reading = super::reading(
            a.topic.as_deref(),
            a.night,
            Some(&a.window),
            &Admin::connect(&conn)?,
        )?
        .ok_or_else(|| CliError::usage("give a TOPIC, --night NIGHT or --file FILE"))?;
        let topics = reading.topics.clone();
        let mut tail = Tail::open(
            &conn,
            &topics,
            None,
            &Start {
                offset: reading.offset(None, OffsetSpec::Beginning)?,
                group: None,
            },
        )?;
        let mut decoder = Decoder::new(a.dirs.store(a.kafka.profile.as_deref()), None);
        let complete = tail.read_to_end(|r| {
            let payload = r.payload.unwrap_or_default();
            match decoder.decode(&payload) {
                Ok((_, v)) if !reading.keeps(&v) => {}
                Ok((_, v)) => s.add(&v, payload.len()),
                Err(_) => s.add_undecodable(payload.len()),
            }
            Ok(())
        })?;
        if !complete {
            return Err(CliError::failure(format!(
                "no records from {} for {}s",
                conn.brokers,
                conn.timeout.as_secs()
            )));
        }
        topics.join(",")
    };
    let report = json!({
        "source": source,
        "alerts": s.alerts,
        "undecodable": s.undecodable,
        "bytes": s.bytes,
        "visits": s.per_visit.len(),
        "per_visit": s.per_visit.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "per_band": s.per_band,
        "mjd_first": s.mjd_range.map(|r| r.0),
        "mjd_last": s.mjd_range.map(|r| r.1),
    });
    let mut out = stdout();
    let text = a
        .format
        .map_or(stdout_is_tty(), |f| f == super::Format::Table);
    if text {
        line(
            &mut out,
            &format!(
                "{source}: {} alerts in {} visits, {:.1} MB{}",
                s.alerts,
                s.per_visit.len(),
                s.bytes as f64 / 1e6,
                if s.undecodable > 0 {
                    format!(", {} undecodable", s.undecodable)
                } else {
                    String::new()
                }
            ),
        )?;
        if let Some((lo, hi)) = s.mjd_range {
            line(
                &mut out,
                &format!(
                    "  time: MJD {lo:.5} to {hi:.5} ({:.1} minutes)",
                    (hi - lo) * 1440.0
                ),
            )?;
        }
        line(
            &mut out,
            &format!(
                "  bands: {}",
                s.per_band
                    .iter()
                    .map(|(b, n)| format!("{b}={n}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        )?;
        let counts: Vec<u64> = s.per_visit.values().copied().collect();
        if let (Some(min), Some(max)) = (counts.iter().min(), counts.iter().max()) {
            line(&mut out, &format!("  alerts per visit: {min} to {max}"))?;
        }
    } else {
        line(&mut out, &report.to_string())?;
    }
    std::io::Write::flush(&mut out)?;
    Ok(())
}
