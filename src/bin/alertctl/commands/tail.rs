//! `alertctl tail`: decode alerts from Kafka topics or visit files.

use std::path::PathBuf;
use std::sync::Arc;

use alertctl::formats::avro::{self, Version};
use alertctl::jobs::tail::{run, Options, Source};
use alertctl::render::printer::{AlertPrinter, RecordFormat};
use alertctl::transport::kafka::offsets::OffsetSpec;

use crate::args::{
    values, CmdResult, Ctx, Cutouts, FromArgs, KafkaArgs, SchemaArgs, WindowArgs, WorkersArgs,
};

const AFTER_HELP: &str = "\
Examples:
  alertctl tail -b 127.0.0.1:9092 --from lsst-2024-05-01 -e          # the whole night, then exit
  alertctl tail -b 127.0.0.1:9092 --night today -n 5                  # the last 5 alerts
  alertctl tail -b 127.0.0.1:9092 --night today -o @-10m -f           # from 10 minutes ago, following
  alertctl tail -b 127.0.0.1:9092 --from 'lsst-2024-05-0[1-3]' -e --format table
  alertctl tail -b 127.0.0.1:9092 --from lsst-2024-05-01 --group me -e   # as consumer group `me`
  alertctl tail --file night.avro | jq .diaSource.snr
  alertctl tail --file v11.wire --schema-dir alert_packet/schema --reader-version 11.0

Offsets (-o), as kcat and rpk: beginning, end, stored (with --group), N, -N (N before
the end of each partition), @TIME where TIME is RFC 3339, a date, epoch milliseconds,
or a duration back from now (@-1h), and @T1:T2, a time range read to its end in each
partition. Without -e or -n, tail keeps following.

--night on a topic that is not that night's own (Rubin's long-lived lsst-alerts-v11,
or any topic under a profile with layout = \"per-major\") is the night's dayObs window,
12:00 to 12:00 UTC, read to its end. --format envelope prints each record as kcat -J
does (topic, partition, offset, timestamp and its type, key, headers, schema id, value);
envelope-raw carries the packet itself, base64, and decodes nothing.

A record that cannot be decoded is reported on stderr with its topic, partition and
offset (or file record and byte), and the rest go on; the exit code is then 1.
--format raw writes the packets as a length-framed wire file (tail --file reads it).";

/// Decode alerts from Kafka topics or visit files.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    pub workers: WorkersArgs,
    #[command(flatten)]
    pub from: FromArgs,
    /// A night (YYYY-MM-DD, today or yesterday): its topic, or on a long-lived topic
    /// (--from, or the profile's per-major layout) its dayObs window, 12:00 to 12:00 UTC.
    #[arg(long, value_name = "NIGHT", conflicts_with = "file", value_parser = values::night)]
    pub night: Option<chrono::NaiveDate>,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Read a visit file (OCF or wire) instead of Kafka.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Where to start: beginning, end, stored, N, -N, @TIME.
    #[arg(
        short = 'o',
        long = "offset",
        value_name = "OFFSET",
        conflicts_with = "file",
        value_parser = values::offset, allow_hyphen_values = true
    )]
    pub offset: Option<OffsetSpec>,
    /// Print only the last N alerts, then exit (keep following with -f).
    #[arg(long = "num", short = 'n', value_name = "N")]
    pub num: Option<usize>,
    /// Keep following for new alerts (the default without -e or -n).
    #[arg(short = 'f', long, conflicts_with = "exit_at_end")]
    pub follow: bool,
    /// Exit at the end of the partitions (as they were when read).
    #[arg(short = 'e', long = "exit")]
    pub exit_at_end: bool,
    /// Consume as this consumer group, committing offsets as alerts are printed.
    #[arg(long, short = 'G', value_name = "GROUP", conflicts_with = "file")]
    pub group: Option<String>,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_parser = values::choice::<RecordFormat>(), value_name = "FORMAT")]
    pub format: Option<RecordFormat>,
    /// How the FITS cutouts appear: left out, their size, or kept (base64).
    #[arg(long, value_parser = values::choice::<Cutouts>(), default_value = "size")]
    pub cutouts: Cutouts,
    /// Table columns: comma-separated dotted paths; `a|b` takes the first present.
    #[arg(long, value_delimiter = ',', value_name = "PATHS")]
    pub fields: Vec<String>,
    #[command(flatten)]
    pub dirs: SchemaArgs,
    /// Resolve every alert into this schema version (Avro schema resolution), from --schema-dir.
    #[arg(long, value_name = "M.m", conflicts_with = "reader_schema")]
    pub reader_version: Option<Version>,
    /// Resolve every alert into the schema in this .avsc file.
    #[arg(long, value_name = "FILE.avsc")]
    pub reader_schema: Option<PathBuf>,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl tail`.
pub fn exec(a: Args, ctx: &mut Ctx) -> CmdResult {
    let reader = match (&a.reader_version, &a.reader_schema) {
        (None, None) => None,
        (v, f) => Some(Arc::new(avro::select(&a.dirs.dirs, *v, f.as_deref())?)),
    };
    let topic = a.from.topic(ctx);
    let source = match &a.file {
        Some(f) => Source::File(f.clone()),
        None => Source::Kafka {
            topic,
            night: a.night,
            windowing: a.window.windowing(),
            offset: a.offset,
            group: a.group.clone(),
            follow: !(a.exit_at_end || (a.num.is_some() && !a.follow)),
            target: a.kafka.target(),
        },
    };
    let opts = Options {
        source,
        num: a.num,
        cutouts: a.cutouts.policy(ctx),
        schemas: a.dirs.sources(a.kafka.profile.as_deref()),
        reader,
        workers: a.workers.workers,
    };
    let format = RecordFormat::or_default(a.format, ctx.terminal);
    let mut printer = AlertPrinter::new(ctx.stdout(), format, &a.fields, a.num);
    let stop = ctx.stop();
    run(&opts, &mut printer, &mut ctx.diag, &stop)?;
    Ok(())
}
