//! `alertctl export`: a night (or any window, or a visit file) to Parquet with a manifest;
//! `export verify`: check an export against its manifest and its topic.

use std::path::PathBuf;

use alertctl::formats::avro::view::CutoutPolicy;
use alertctl::jobs::export::{run, verify_job, Format, Input, Options, VerifyOptions};
use alertctl::jobs::Report;
use alertctl::transport::kafka::offsets::OffsetSpec;
use alertctl::Error;

use crate::args::{values, CmdResult, Ctx, Cutouts, KafkaArgs, SchemaArgs, WorkersArgs};

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
    #[arg(long, value_name = "NIGHT", value_parser = values::night, conflicts_with = "file")]
    pub night: Option<chrono::NaiveDate>,
    /// Where to start (read to the end): beginning, N, -N, @TIME, @T1:T2.
    #[arg(short = 'o', long = "offset", value_name = "OFFSET", value_parser = values::offset, allow_hyphen_values = true)]
    pub offset: Option<OffsetSpec>,
    /// A visit file instead of Kafka.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The export directory (must not hold an export).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// File format.
    #[arg(long = "file-format", value_parser = values::choice::<Format>(), default_value = "parquet")]
    pub file_format: Format,
    /// Keep the cutouts (binary columns) or leave them out.
    #[arg(long, value_parser = values::choice::<Cutouts>(), default_value = "keep")]
    pub cutouts: Cutouts,
    /// Partition by band under each night.
    #[arg(long)]
    pub by_band: bool,
    #[command(flatten)]
    pub workers: WorkersArgs,
    #[command(flatten)]
    pub dirs: SchemaArgs,
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
pub fn exec(a: Args, ctx: &mut Ctx) -> CmdResult {
    match a.verify {
        Some(ExportCommand::Verify(v)) => verify(v, ctx),
        None => export(a.run, ctx),
    }
}

fn export(a: RunArgs, ctx: &mut Ctx) -> CmdResult {
    let out = a
        .out
        .clone()
        .ok_or_else(|| Error::usage("give the export directory: --out DIR"))?;
    let cutouts = match a.cutouts.policy(ctx) {
        CutoutPolicy::Keep => true,
        CutoutPolicy::Omit => false,
        CutoutPolicy::Size => {
            return Err(Error::usage(
                "export keeps the cutouts or leaves them out: --cutouts keep or omit",
            ))
        }
    };
    let opts = Options {
        out,
        format: a.file_format,
        cutouts,
        by_band: a.by_band,
        workers: a.workers.workers,
    };
    let input = match &a.file {
        Some(f) => Input::File(f.clone()),
        None => {
            if a.from.is_none() && a.night.is_none() {
                return Err(Error::usage(
                    "give the input: --from TOPIC, --night NIGHT, or --file FILE",
                ));
            }
            Input::Kafka {
                from: a.from.clone(),
                night: a.night,
                offset: a.offset,
                target: a.kafka.target(),
            }
        }
    };
    let done = run(
        opts,
        &input,
        &a.dirs.sources(a.kafka.profile.as_deref()),
        &mut ctx.diag,
    )?;
    ctx.diag.info(&done.summary());
    Ok(())
}

fn verify(a: VerifyArgs, ctx: &mut Ctx) -> CmdResult {
    let opts = VerifyOptions {
        dir: a.dir.clone(),
        against: a.against.clone(),
        target: a.kafka.target(),
    };
    let (m, gaps) = verify_job(&opts, &mut ctx.diag)?;
    ctx.lines(gaps.iter().map(ToString::to_string))?;
    if gaps.is_empty() {
        ctx.diag.info(&format!(
            "{}: {} files, {} rows, as the manifest says{}",
            a.dir.display(),
            m.files.len(),
            m.rows,
            if a.against.is_some() {
                ", and every offset of the topic's range was read"
            } else {
                ""
            }
        ));
        Ok(())
    } else {
        Err(Error::failure(format!(
            "{} gaps in {}",
            gaps.len(),
            a.dir.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alertctl::choice::Choice;

    #[test]
    fn file_formats_are_named() {
        assert_eq!(Format::from_name("AVRO"), Some(Format::Avro));
    }
}
