//! `alertctl tail`: decode alerts to JSON lines, a JSON array, or a table.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value as Json;

use super::{line, stdout, stdout_is_tty, warn, CliError, CliResult, SchemaDirs};
use crate::packet::file::VisitReader;
use crate::packet::json::{render_table, DEFAULT_TABLE_FIELDS};
use crate::packet::{to_json, CutoutPolicy};
use crate::schema::{self, Version};

const AFTER_HELP: &str = "\
Examples:
  alertctl tail --file night.avro                      # JSON lines (a table on a terminal)
  alertctl tail --file night.avro -n 5 --format table
  alertctl tail --file visits.wire --schema-dir alert_packet/schema | jq .diaSource.snr
  alertctl tail --file fakeAlert.avro --cutouts base64 --format json
  alertctl tail --file v11.avro --schema-dir alert_packet/schema --reader-version 11.0

Reads Avro container files (fastavro/alert_stream visit files), length-framed wire
files (alertctl produce --format wire) and single wire-format packets. A record that
cannot be decoded is reported on stderr with its number and byte offset, and the
rest are still decoded; the exit code is then 1.";

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line (the default when stdout is not a terminal).
    Jsonl,
    /// One pretty-printed JSON array.
    Json,
    /// A table of --fields (the default on a terminal).
    Table,
}

/// Decode alerts and print them.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The visit file or packet file to read.
    #[arg(long, value_name = "FILE")]
    pub file: PathBuf,
    /// Print only the last N alerts.
    #[arg(long = "num", short = 'n', value_name = "N")]
    pub num: Option<usize>,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// How the FITS cutouts appear: left out, their size, or base64.
    #[arg(long, value_enum, default_value = "size")]
    pub cutouts: CutoutPolicy,
    /// Table columns: comma-separated dotted paths; `a|b` takes the first present.
    #[arg(long, value_delimiter = ',', value_name = "PATHS")]
    pub fields: Vec<String>,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    /// Resolve every alert into this schema version (Avro schema resolution), from --schema-dir.
    #[arg(long, value_name = "M.m", conflicts_with = "reader_schema")]
    pub reader_version: Option<Version>,
    /// Resolve every alert into the schema in this .avsc file.
    #[arg(long, value_name = "FILE.avsc")]
    pub reader_schema: Option<PathBuf>,
}

/// Run `alertctl tail`.
pub fn exec(args: Args) -> CliResult {
    let reader = match (&args.reader_version, &args.reader_schema) {
        (None, None) => None,
        (v, f) => Some(Arc::new(schema::select(&args.dirs.dirs, *v, f.as_deref())?)),
    };
    let format = args.format.unwrap_or(if stdout_is_tty() {
        Format::Table
    } else {
        Format::Jsonl
    });
    let mut store = args.dirs.store();
    let reader = VisitReader::open(&args.file, &mut store, reader)?;
    let mut out = stdout();
    // With -n, or for formats that need every alert first, keep them; else stream.
    let keep_all = matches!(format, Format::Json | Format::Table);
    let mut kept: VecDeque<Json> = VecDeque::new();
    let (mut good, mut bad) = (0usize, 0usize);
    let mut fatal = None;
    for item in reader {
        match item {
            Ok(alert) => {
                good += 1;
                let view = to_json(&alert.value, args.cutouts);
                if args.num.is_none() && !keep_all {
                    line(&mut out, &view.to_string())?;
                } else {
                    kept.push_back(view);
                    if args.num.is_some_and(|n| kept.len() > n) {
                        kept.pop_front();
                    }
                }
            }
            Err(e) if e.is_recoverable() => {
                bad += 1;
                warn(&e.to_string());
            }
            Err(e) => {
                fatal = Some(e);
                break;
            }
        }
    }
    match format {
        Format::Jsonl => {
            for v in &kept {
                line(&mut out, &v.to_string())?;
            }
        }
        Format::Json => {
            let all = Json::Array(kept.into_iter().collect());
            line(&mut out, &serde_json::to_string_pretty(&all)?)?;
        }
        Format::Table => {
            let fields: Vec<String> = if args.fields.is_empty() {
                DEFAULT_TABLE_FIELDS.iter().map(|s| s.to_string()).collect()
            } else {
                args.fields.clone()
            };
            let views: Vec<Json> = kept.into_iter().collect();
            line(&mut out, &render_table(&views, &fields))?;
        }
    }
    std::io::Write::flush(&mut out)?;
    if let Some(e) = fatal {
        return Err(CliError::failure(format!(
            "{e} (after {good} alerts decoded{})",
            if bad > 0 {
                format!(", {bad} undecodable")
            } else {
                String::new()
            }
        )));
    }
    if bad > 0 {
        return Err(CliError::failure(format!(
            "{}: {good} alerts decoded, {bad} undecodable (see the warnings above)",
            args.file.display()
        )));
    }
    Ok(())
}
