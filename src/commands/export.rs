//! `alertctl export`: a night (or any window, or a visit file) to Parquet with a manifest;
//! `export verify`: check an export against its manifest and its topic.

use std::path::PathBuf;
use std::time::Instant;

use super::{line, reading, stdout, CliError, CliResult, KafkaArgs, SchemaDirs};
use crate::export::{read_manifest, verify_against, verify_files, Exporter, Options, Source};
use crate::kafka::admin::Admin;
use crate::kafka::consume::{Start, Tail};
use crate::kafka::offsets::OffsetSpec;
use crate::packet::file::VisitReader;
use crate::packet::{self};

/// The export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Apache Parquet, nested columns.
    Parquet,
    /// Avro container files with the alert schema (cutouts nulled with --cutouts omit).
    Avro,
}

/// Keep the cutouts or leave them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Cutouts {
    /// Binary columns cutoutDifference, cutoutScience, cutoutTemplate.
    Keep,
    /// No cutout columns (files about 3x smaller for Rubin's alerts).
    Omit,
}

/// Export alerts, or verify an export.
#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "\
Examples:
  alertctl export --from lsst-alerts-v11 --night 2026-05-01 --out night/            # Parquet
  alertctl export --from lsst-alerts-v11 -o @2026-05-02T00:00:00Z:2026-05-02T06:00:00Z --out early/ --cutouts omit
  alertctl export --file night.avro --out night/ --by-band
  alertctl export verify night/ --against lsst-alerts-v11

Files: OUT/night=YYYY-MM-DD[/band=B]/part-SCHEMAID.parquet (or .avro with --file-format
avro: Avro container files with the alert schema), by each alert's own dayObs
(from diaSource.midpointMjdTai). The columns are the alert schema's, nested: diaSource
and diaObject are structs, the histories lists of structs, the cutouts binary (or
omitted). manifest.json, written last, names the source, per partition the first and
last offset read and the count, each file with its rows and SHA-256, and the schema ids.
export verify exits 1 and names every gap: a missing or truncated file, rows that do not
match, and (with --against) offsets of the topic's window that were never read."
)]
pub struct Args {
    /// verify: check an export.
    #[command(subcommand)]
    pub verify: Option<ExportCommand>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// `export verify`.
#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// Check an export's files against its manifest, and its ranges against the topic.
    Verify(VerifyArgs),
}

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The topic (or regex) to read.
    #[arg(long, value_name = "TOPIC|REGEX", conflicts_with = "file")]
    pub from: Option<String>,
    /// A night: its topic, or its dayObs window on --from.
    #[arg(long, value_name = "NIGHT", value_parser = super::values::night, conflicts_with = "file")]
    pub night: Option<chrono::NaiveDate>,
    /// Where to start (read to the end): beginning, N, -N, @TIME, @T1:T2.
    #[arg(short = 'o', long = "offset", value_name = "OFFSET", value_parser = super::values::offset, allow_hyphen_values = true)]
    pub offset: Option<OffsetSpec>,
    /// A visit file instead of Kafka.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The export directory (must not hold an export).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// File format.
    #[arg(long = "file-format", value_enum, default_value = "parquet")]
    pub file_format: ExportFormat,
    /// Keep the cutouts as binary columns, or leave them out.
    #[arg(long, value_enum, default_value = "keep")]
    pub cutouts: Cutouts,
    /// Partition by band under each night.
    #[arg(long)]
    pub by_band: bool,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Arguments of `export verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The export directory.
    pub dir: PathBuf,
    /// Also check the manifest's offset ranges against this topic (the same window).
    #[arg(long, value_name = "TOPIC|REGEX")]
    pub against: Option<String>,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl export`.
pub fn exec(a: Args) -> CliResult {
    match a.verify {
        Some(ExportCommand::Verify(v)) => verify(v),
        None => export(a.run),
    }
}

fn export(a: RunArgs) -> CliResult {
    let out = a
        .out
        .clone()
        .ok_or_else(|| CliError::usage("give the export directory: --out DIR"))?;
    let opts = Options {
        out,
        format: match a.file_format {
            ExportFormat::Parquet => crate::export::Format::Parquet,
            ExportFormat::Avro => crate::export::Format::Avro,
        },
        cutouts: a.cutouts == Cutouts::Keep,
        by_band: a.by_band,
    };
    let started = Instant::now();
    let mut store = a.dirs.store(a.kafka.profile.as_deref());
    let manifest = if let Some(file) = &a.file {
        let mut ex = Exporter::create(
            opts,
            Source {
                file: Some(file.display().to_string()),
                ..Source::default()
            },
        )?;
        let mut reader_store = a.dirs.store(a.kafka.profile.as_deref());
        let reader = VisitReader::open(file, &mut reader_store, None)?;
        // A container file carries its schema; its id from the schema's version.
        let container = reader
            .container_schema()
            .map(|s| (s.id().unwrap_or(0), s.clone()));
        for item in reader {
            let alert = item?;
            let (id, schema) = match (&alert.packet, &container) {
                (Some(p), _) => {
                    let (id, _) = packet::split(p)?;
                    (id, store.get(id)?)
                }
                (None, Some((id, s))) => (*id, s.clone()),
                (None, None) => {
                    return Err(CliError::failure("a record without its schema"));
                }
            };
            ex.add(None, id, &schema, &alert.value)?;
        }
        ex.finish()?
    } else {
        let conn = a.kafka.connection()?;
        let r = reading(a.from.as_deref(), a.night, None, &Admin::connect(&conn)?)?.ok_or_else(
            || CliError::usage("give the input: --from TOPIC, --night NIGHT, or --file FILE"),
        )?;
        let offset = r.offset(a.offset, OffsetSpec::Beginning)?;
        if matches!(offset, OffsetSpec::End | OffsetSpec::Stored) {
            return Err(CliError::usage(
                "export -o takes beginning, N, -N, @TIME or @T1:T2",
            ));
        }
        let topics = r.topics.clone();
        let mut tail = Tail::open(
            &conn,
            &topics,
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
        let mut failure: Option<CliError> = None;
        let mut undecodable = 0u64;
        let complete = tail.read_to_end(|rec| {
            if failure.is_some() {
                return Ok(());
            }
            let payload = rec.payload.as_deref().unwrap_or_default();
            let decoded = packet::split(payload)
                .map_err(CliError::from)
                .and_then(|(id, body)| {
                    let schema = store.get(id)?;
                    let value = packet::decode_body(id, &schema, None, body)?;
                    Ok((id, schema, value))
                });
            match decoded {
                Ok((id, schema, value)) => {
                    if let Err(e) = ex.add(
                        Some((&rec.topic, rec.partition, rec.offset)),
                        id,
                        &schema,
                        &value,
                    ) {
                        failure = Some(e.into());
                    }
                }
                Err(e) => {
                    undecodable += 1;
                    if undecodable == 1 {
                        super::warn(&format!(
                            "{}/{}@{}: {}",
                            rec.topic, rec.partition, rec.offset, e.message
                        ));
                    }
                }
            }
            Ok(())
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        if !complete {
            return Err(CliError::failure(format!(
                "no records from {} for {}s before the end: the export is incomplete (no manifest written)",
                conn.brokers,
                conn.timeout.as_secs()
            )));
        }
        if undecodable > 0 {
            return Err(CliError::failure(format!(
                "{undecodable} records could not be decoded: no manifest written (a manifest says the export is complete)"
            )));
        }
        ex.finish()?
    };
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let bytes: u64 = manifest.files.iter().map(|f| f.bytes).sum();
    eprintln!(
        "alertctl: exported {} alerts to {} files ({:.1} MB) in {secs:.2} s ({:.0} alerts/s)",
        manifest.rows,
        manifest.files.len(),
        bytes as f64 / 1e6,
        manifest.rows as f64 / secs
    );
    Ok(())
}

fn verify(a: VerifyArgs) -> CliResult {
    let m = read_manifest(&a.dir)?;
    let mut gaps = verify_files(&a.dir, &m);
    if let Some(topic) = &a.against {
        let conn = a.kafka.connection()?;
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
    let mut out = stdout();
    for g in &gaps {
        line(&mut out, &g.to_string())?;
    }
    std::io::Write::flush(&mut out)?;
    if gaps.is_empty() {
        eprintln!(
            "alertctl: {}: {} files, {} rows, as the manifest says{}",
            a.dir.display(),
            m.files.len(),
            m.rows,
            if a.against.is_some() {
                ", and every offset of the topic's range was read"
            } else {
                ""
            }
        );
        Ok(())
    } else {
        Err(CliError::failure(format!(
            "{} gaps in {}",
            gaps.len(),
            a.dir.display()
        )))
    }
}
