//! `alertctl produce`: generate sample visits and write them to a visit file.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;

use super::{CliError, CliResult, SchemaDirs};
use crate::night;
use crate::packet::file::{FileFormat, VisitWriter};
use crate::sample::{Generator, SampleConfig};
use crate::schema::{self, Version};

const AFTER_HELP: &str = "\
Examples:
  alertctl produce --visits 2 --alerts-per-visit 200 --out night.avro
  alertctl produce --schema-dir alert_packet/schema --schema-version 11.0 --out v11.avro
  alertctl produce --format wire --seed 42 --night 2024-05-01 --out visits.wire

The same --seed and --night give byte-identical files. Visit files are written to a
temporary name and renamed into place at the end, so a failed run leaves any
existing file untouched.

Formats: ocf is an Avro Object Container File (fastavro, pandas and Spark read it);
wire is a sequence of frames, each a 4-byte big-endian length followed by one
Confluent wire-format packet (0x00, 4-byte schema id, Avro body).";

/// Generate sample visits of plausible alerts and write them to a file.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Number of visits to generate.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub visits: u32,
    /// Alerts in each visit (Rubin sends about 10,000).
    #[arg(long, default_value_t = 100, value_name = "M")]
    pub alerts_per_visit: usize,
    /// The file to write.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// File format: an Avro container file, or length-framed wire-format packets.
    #[arg(long, value_enum, default_value = "ocf")]
    pub format: FileFormat,
    /// Schema version MAJOR.MINOR to generate (default: the newest under --schema-dir, else the built-in 0.1).
    #[arg(long, value_name = "M.m", conflicts_with = "schema")]
    pub schema_version: Option<Version>,
    /// Generate for the schema in this self-contained .avsc file.
    #[arg(long, value_name = "FILE.avsc")]
    pub schema: Option<PathBuf>,
    /// Schema id for wire packets when --schema's namespace carries no version.
    #[arg(long, value_name = "ID")]
    pub schema_id: Option<u32>,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    /// Seed of the random stream: the same seed and night give the same alerts.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Observing night (dayObs): YYYY-MM-DD, today or yesterday.
    #[arg(long, default_value = "today", value_name = "NIGHT")]
    pub night: String,
    /// Longest history (prvDiaSources) per alert; each alert draws 0..=N.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub max_history: usize,
    /// Width and height of the three FITS cutouts, pixels (0: no cutouts).
    #[arg(long, default_value_t = 60, value_name = "PX")]
    pub cutout_size: usize,
}

/// Run `alertctl produce`.
pub fn exec(args: Args) -> CliResult {
    let night =
        night::parse_night(&args.night, Utc::now()).map_err(|e| CliError::usage(e.to_string()))?;
    let schema = schema::select(&args.dirs.dirs, args.schema_version, args.schema.as_deref())?;
    let schema_id = args.schema_id.or(schema.id()).ok_or_else(|| {
        CliError::usage(format!(
            "{} has no version in its namespace: pass --schema-id N for the wire header",
            schema.name
        ))
    })?;
    let schema = Arc::new(schema);
    let mut gen = Generator::new(
        schema.clone(),
        SampleConfig {
            night,
            seed: args.seed,
            alerts_per_visit: args.alerts_per_visit,
            visits: args.visits as usize,
            max_history: args.max_history,
            cutout_size: args.cutout_size,
        },
    );
    let started = Instant::now();
    let mut writer = VisitWriter::create(&args.out, args.format, &schema, schema_id)?;
    for v in 0..args.visits {
        for alert in gen.visit(v) {
            writer.append(&alert)?;
        }
    }
    let (count, bytes) = (writer.count(), writer.packet_bytes());
    writer.finish()?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "alertctl: wrote {} visits x {} alerts = {count} alerts ({:.1} MB of packets, schema {} id {schema_id}) to {} in {secs:.2} s ({:.0} alerts/s)",
        args.visits,
        args.alerts_per_visit,
        bytes as f64 / 1e6,
        schema.name,
        args.out.display(),
        count as f64 / secs.max(1e-9),
    );
    Ok(())
}
