//! `alertctl archive`: copy a stream into an alert archive in Rubin's layout, and
//! `archive verify`: check that an archive holds every alert of a topic window.

use std::sync::atomic::Ordering;
use std::time::Instant;

use super::{group_id, interrupted, reading, CliError, CliResult, KafkaArgs, SchemaDirs};
use crate::archive::{archive_loop, verify, Archive};
use crate::kafka::admin::{is_pattern, Admin};
use crate::kafka::consume::{ReadUntil, Start, Tail};
use crate::kafka::offsets::OffsetSpec;

/// Archive alerts, or verify an archive.
#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "\
Examples:
  alertctl archive --from lsst-alerts-v11 --to s3://alerts/rubin --group archiver   # a service
  alertctl archive --night 2026-05-01 --to ./archive                                 # one night, then exit
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
    #[arg(long, value_name = "NIGHT", value_parser = super::values::night)]
    pub night: Option<chrono::NaiveDate>,
    /// The archive: a directory, or s3://bucket/prefix.
    #[arg(long, value_name = "DIR|s3://BUCKET/PREFIX")]
    pub to: Option<String>,
    /// Consume as this group (commits after the objects are stored).
    #[arg(long, short = 'G', value_name = "GROUP")]
    pub group: Option<String>,
    /// Exit at the end of the partitions (as they were when read).
    #[arg(short = 'e', long = "exit")]
    pub exit_at_end: bool,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Arguments of `archive verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The archive: a directory, or s3://bucket/prefix.
    #[arg(long, value_name = "DIR|s3://BUCKET/PREFIX")]
    pub archive: String,
    /// The topic whose alerts must all be there.
    #[arg(long, value_name = "TOPIC|REGEX")]
    pub against: Option<String>,
    /// A night: its topic, or its window on --against.
    #[arg(long, value_name = "NIGHT", value_parser = super::values::night)]
    pub night: Option<chrono::NaiveDate>,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl archive`.
pub fn exec(a: Args) -> CliResult {
    match a.verify {
        Some(ArchiveCommand::Verify(v)) => exec_verify(v),
        None => exec_archive(a.run),
    }
}

fn exec_archive(a: RunArgs) -> CliResult {
    let to = a
        .to
        .as_deref()
        .ok_or_else(|| CliError::usage("give the archive: --to DIR or --to s3://bucket/prefix"))?;
    let conn = a.kafka.connection()?;
    let admin = Admin::connect(&conn)?;
    let r = reading(a.from.as_deref(), a.night, None, &admin)?.ok_or_else(|| {
        CliError::usage("give the input: --from TOPIC (or a regex) or --night NIGHT")
    })?;
    if r.window.is_some() && a.group.is_some() {
        return Err(CliError::usage(format!(
            "--night on {} is a time window, read by offsets: it takes no --group",
            r.topic
        )));
    }
    let archive = Archive::open(to)?;
    let topics = &r.topics;
    let default = if a.group.is_some() {
        OffsetSpec::Stored
    } else {
        OffsetSpec::Beginning
    };
    let mut tail = Tail::open(
        &conn,
        topics,
        is_pattern(&r.topic).then_some(r.topic.as_str()),
        &Start {
            offset: r.offset(None, default)?,
            group: a.group.as_deref().map(|g| group_id(&conn, g)),
        },
    )?;
    let mut store = a.dirs.store(a.kafka.profile.as_deref());
    let stop = interrupted();
    let started = Instant::now();
    // Watermarks for the lag, asked for every 2 s at most (on a terminal only).
    let mut marks: Vec<(String, i32, i64, i64)> = Vec::new();
    let mut marks_at = Instant::now()
        .checked_sub(std::time::Duration::from_secs(10))
        .unwrap_or_else(Instant::now);
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let bar = if terminal {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg}").expect("valid template"),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let until = ReadUntil {
        end: a.exit_at_end || r.window.is_some(),
        flush_at_end: false,
        stall: conn.timeout,
    };
    let done = archive_loop(
        &mut tail,
        &archive,
        &mut store,
        until,
        &|| stop.load(Ordering::SeqCst),
        |d| {
            if !terminal {
                return;
            }
            if marks_at.elapsed() >= std::time::Duration::from_secs(2) {
                marks_at = Instant::now();
                marks = topics
                    .iter()
                    .filter_map(|t| admin.describe(t).ok())
                    .flat_map(|info| {
                        info.partitions
                            .iter()
                            .map(|p| (info.name.clone(), p.id, p.low, p.high))
                            .collect::<Vec<_>>()
                    })
                    .collect();
            }
            let secs = started.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!(
                "{} alerts, {:.0} alerts/s, {:.1} MB/s, lag {}",
                d.alerts,
                d.alerts as f64 / secs,
                d.bytes as f64 / 1e6 / secs,
                d.lag(&marks)
            ));
        },
    )?;
    bar.finish_and_clear();
    tail.close()?;
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    eprintln!(
        "alertctl: archived {} alerts ({:.1} MB of packets) and {} schemas to {} in {secs:.2} s ({:.0} alerts/s, {:.1} MB/s)",
        done.alerts,
        done.bytes as f64 / 1e6,
        done.schemas,
        archive.location(),
        done.alerts as f64 / secs,
        done.bytes as f64 / 1e6 / secs
    );
    if let Some(first) = &done.first_undecodable {
        return Err(CliError::failure(format!(
            "{} records are not alerts and were not archived; the first: {first}",
            done.undecodable
        )));
    }
    Ok(())
}

fn exec_verify(a: VerifyArgs) -> CliResult {
    let conn = a.kafka.connection()?;
    let r = reading(a.against.as_deref(), a.night, None, &Admin::connect(&conn)?)?
        .ok_or_else(|| CliError::usage("give the topic: --against TOPIC or --night NIGHT"))?;
    let archive = Archive::open(&a.archive)?;
    let topics = r.topics.clone();
    let mut tail = Tail::open(
        &conn,
        &topics,
        None,
        &Start {
            offset: r.offset(None, OffsetSpec::Beginning)?,
            group: None,
        },
    )?;
    let mut store = a.dirs.store(a.kafka.profile.as_deref());
    let v = verify(&mut tail, &archive, &mut store)?;
    let mut out = super::stdout();
    for g in &v.gaps {
        super::line(&mut out, &g.to_string())?;
    }
    std::io::Write::flush(&mut out)?;
    if v.gaps.is_empty() {
        eprintln!(
            "alertctl: {} holds all {} alerts of {} and their schemas",
            archive.location(),
            v.records,
            topics.join(",")
        );
        Ok(())
    } else {
        Err(CliError::failure(format!(
            "{} gaps in {} for {} records of {}",
            v.gaps.len(),
            archive.location(),
            v.records,
            topics.join(",")
        )))
    }
}
