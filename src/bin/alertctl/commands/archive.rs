//! `alertctl archive`: copy a stream into an alert archive in Rubin's layout, and
//! `archive verify`: check that an archive holds every alert of a topic window.

use alertctl::jobs::archive::{run, verify_job, Options, VerifyOptions};
use alertctl::jobs::Report;
use alertctl::Error;

use crate::args::{values, CmdResult, Ctx, KafkaArgs, SchemaArgs, WorkersArgs};

/// Archive alerts, or verify an archive.
#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "\
Examples:
  alertctl archive --from lsst-alerts-v11 --archive s3://alerts/rubin --group archiver   # a service
  alertctl archive --night 2026-05-01 --archive ./archive                                 # one night, then exit
  alertctl archive verify --archive ./archive --against lsst-alerts-v11 --night 2026-05-01

Layout (Rubin's): v1/alerts/{diaSourceId}.avro.gz holds the wire packet, gzip-compressed;
v1/schemas/{id}.json each schema met. s3:// locations take the usual AWS_* variables
(AWS_ENDPOINT and AWS_ALLOW_HTTP=true for MinIO or a local server; GCS through its S3
interoperability endpoint). Each record is acknowledged (committed, with --group) only
after its object is stored: a crash repeats, never loses, and repeating writes the same
object again."
)]
pub struct Args {
    /// verify: check an archive against a topic.
    #[command(subcommand)]
    pub verify: Option<ArchiveCommand>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// `archive verify`.
#[derive(Debug, clap::Subcommand)]
pub enum ArchiveCommand {
    /// Check that an archive has every alert of a topic (window) and every schema they use.
    Verify(VerifyArgs),
}

/// Arguments of `archive`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The topic, or a regex of topics.
    #[arg(long, value_name = "TOPIC|REGEX")]
    pub from: Option<String>,
    /// A night: its topic, or its dayObs window on a long-lived topic (then exit at its end).
    #[arg(long, value_name = "NIGHT", value_parser = values::night)]
    pub night: Option<chrono::NaiveDate>,
    /// The archive: a directory, or s3://bucket/prefix.
    #[arg(long, value_name = "DIR|s3://BUCKET/PREFIX")]
    pub archive: Option<String>,
    /// The old spelling of --archive (--to is a topic everywhere now).
    #[arg(
        long = "to",
        value_name = "DIR",
        hide = true,
        conflicts_with = "archive"
    )]
    pub to_old: Option<String>,
    /// Consume as this group (commits after the objects are stored).
    #[arg(long, short = 'G', value_name = "GROUP")]
    pub group: Option<String>,
    /// Exit at the end of the partitions (as they were when read).
    #[arg(short = 'e', long = "exit")]
    pub exit_at_end: bool,
    #[command(flatten)]
    pub workers: WorkersArgs,
    #[command(flatten)]
    pub dirs: SchemaArgs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Arguments of `archive verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The archive: a directory, or s3://bucket/prefix.
    #[arg(long, value_name = "DIR|s3://BUCKET/PREFIX")]
    pub archive: String,
    /// The topic (or regex) whose alerts it must hold.
    #[arg(long, value_name = "TOPIC|REGEX")]
    pub against: Option<String>,
    /// A night: its topic, or its window on --against.
    #[arg(long, value_name = "NIGHT", value_parser = values::night)]
    pub night: Option<chrono::NaiveDate>,
    #[command(flatten)]
    pub dirs: SchemaArgs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl archive`.
pub fn exec(a: Args, ctx: &mut Ctx) -> CmdResult {
    match a.verify {
        Some(ArchiveCommand::Verify(v)) => exec_verify(v, ctx),
        None => exec_archive(a.run, ctx),
    }
}

fn exec_archive(a: RunArgs, ctx: &mut Ctx) -> CmdResult {
    if a.to_old.is_some() {
        ctx.deprecated("archive --to DIR", "--archive DIR");
    }
    let to = a.archive.clone().or(a.to_old.clone()).ok_or_else(|| {
        Error::usage("give the archive: --archive DIR or --archive s3://bucket/prefix")
    })?;
    let opts = Options {
        to,
        from: a.from.clone(),
        night: a.night,
        group: a.group.clone(),
        exit_at_end: a.exit_at_end,
        schemas: a.dirs.sources(a.kafka.profile.as_deref()),
        target: a.kafka.target(),
        workers: a.workers.workers,
    };
    let stop = ctx.stop();
    let r = run(&opts, &mut ctx.diag, &stop)?;
    ctx.diag.info(&r.summary());
    Ok(())
}

fn exec_verify(a: VerifyArgs, ctx: &mut Ctx) -> CmdResult {
    let opts = VerifyOptions {
        archive: a.archive.clone(),
        against: a.against.clone(),
        night: a.night,
        schemas: a.dirs.sources(a.kafka.profile.as_deref()),
        target: a.kafka.target(),
    };
    let r = verify_job(&opts, &mut ctx.diag)?;
    ctx.lines(r.verified.gaps.iter().map(ToString::to_string))?;
    let topics = r.topics.join(",");
    if r.verified.gaps.is_empty() {
        ctx.diag.info(&format!(
            "{} holds all {} alerts of {topics} and their schemas",
            r.location, r.verified.records
        ));
        Ok(())
    } else {
        Err(Error::failure(format!(
            "{} gaps in {} for {} records of {topics}",
            r.verified.gaps.len(),
            r.location,
            r.verified.records
        )))
    }
}
