//! The subcommands: clap arguments and a call into the library, one module each.
//!
//! Conventions every command follows:
//! * results go to stdout (JSON lines when stdout is not a terminal), diagnostics to stderr;
//! * an error is one line on stderr, `alertctl: error: ...`, and a non-zero exit;
//! * exit codes: 0 success, 1 failure (bad input, undecodable records, incompatible
//!   schemas), 2 usage errors (clap's own, and I/O errors where a command says so).

pub mod archive;
pub mod bench;
pub mod completions;
pub mod export;
pub mod filter;
pub mod get;
pub mod lag;
pub mod man;
pub mod mirror;
pub mod produce;
pub mod registry;
pub mod replay;
pub mod rewind;
pub mod sandbox;
pub mod schema;
pub mod show;
pub mod stats;
pub mod tail;
pub mod topic;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code for a failure: bad input, undecodable records, an incompatible schema.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for a usage error.
pub const EXIT_USAGE: i32 = 2;

const AFTER_HELP: &str = "\
Examples:
  alertctl sandbox up                                   # a local broker, registry and test night
  alertctl tail --night today -n 5 --format table
  alertctl filter run --name bright --expr '.diaSource.snr > 20' --from lsst-2024-05-01 -e
  alertctl produce --visits 2 --alerts-per-visit 200 --out night.avro
  alertctl tail --file night.avro | jq .diaSource.snr
  alertctl schema check 11.1 --schema-dir alert_packet/schema

Exit codes: 0 success, 1 failure (bad input, undecodable records, unreachable brokers),
2 usage error.
Environment: ALERTCTL_BROKERS, ALERTCTL_PROFILE (profiles in ~/.config/alertctl/config.toml),
ALERTCTL_REGISTRY, ALERTCTL_SCHEMA_DIR (alert_packet trees, ':'-separated).";

/// Run the Vera C. Rubin (LSST) alert stream from the command line.
#[derive(Debug, Parser)]
#[command(
    name = "alertctl",
    version,
    about = "Produce, tail, filter, replay and mirror Rubin (LSST) Avro alerts",
    long_about = "alertctl works with the Vera C. Rubin Observatory's alert stream: Avro alert \
packets in the Confluent wire format (byte 0 = 0, bytes 1-4 = schema id MAJOR*100+MINOR, then \
the Avro body), one Kafka topic per observing night. It produces plausible sample visits for any \
schema version, tails topics and visit files as JSON or tables, runs jq filters with per-visit caps, \
replays, rewinds and mirrors nights, checks and serves schemas (a Confluent-compatible registry), \
and runs a local sandbox.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate sample visits of alerts (or send a visit file) to a Kafka topic or a file.
    Produce(produce::Args),
    /// Decode alerts from Kafka topics or visit files to JSON lines or a table.
    Tail(tail::Args),
    /// Alert schemas: show, list, check compatibility, bump, and registry register/get/list/delete/import.
    #[command(subcommand)]
    Schema(schema::SchemaCommand),
    /// Measure speed (decode, Kafka, filters, mirror) on generated alerts and print a table.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Re-publish a night to another topic, paced by its timestamps.
    Replay(replay::Args),
    /// Move a consumer group's committed offsets (re-run a filter over a night).
    Rewind(rewind::Args),
    /// Copy topics from another cluster, byte for byte (a mirror node).
    Mirror(mirror::Args),
    /// A local broker and registry with a standard test night: up, status, down.
    #[command(subcommand)]
    Sandbox(sandbox::SandboxCommand),
    /// One alert as a table, and with --png its cutouts and light curve.
    Show(show::Args),
    /// Consumer groups' committed offsets, end offsets and lag.
    Lag(lag::Args),
    /// Alerts per visit and band, bytes and time range of a topic or visit file.
    Stats(stats::Args),
    /// Run jq filters over the alert stream (or a visit file).
    #[command(subcommand)]
    Filter(Box<filter::FilterCommand>),
    /// Serve a Confluent-compatible schema registry.
    #[command(subcommand)]
    Registry(registry::RegistryCommand),
    /// Create, list, describe, delete and expire topics.
    #[command(subcommand)]
    Topic(topic::TopicCommand),
    /// Copy alerts into an archive in Rubin's layout (a directory or S3), or verify one.
    Archive(Box<archive::Args>),
    /// Fetch alerts by id from an archive or a topic.
    Get(get::Args),
    /// Export a night (a window, a file) to Parquet with a manifest, or verify an export.
    Export(Box<export::Args>),
    /// Print a shell completion script.
    Completions(completions::Args),
    /// Print or write the man pages.
    Man(man::Args),
}

/// An error that ends a command, with its exit code.
#[derive(Debug)]
pub struct CliError {
    /// The process exit code.
    pub code: i32,
    /// One line saying what went wrong; empty means "already reported".
    pub message: String,
}

impl CliError {
    /// A failure (exit 1).
    pub fn failure(message: impl Into<String>) -> Self {
        CliError {
            code: EXIT_FAILURE,
            message: message.into(),
        }
    }

    /// A usage or I/O error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for CliError {
    fn from(e: E) -> Self {
        if let Some(io) = (&e as &dyn std::error::Error).downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                // The reader went away (`| head`): a normal way for output to end.
                return CliError {
                    code: EXIT_OK,
                    message: String::new(),
                };
            }
        }
        let mut msg = e.to_string();
        let mut source = e.source();
        while let Some(s) = source {
            let text = s.to_string();
            if !msg.contains(&text) {
                msg.push_str(": ");
                msg.push_str(&text);
            }
            source = s.source();
        }
        CliError::failure(msg)
    }
}

/// The result of a command.
pub type CliResult = Result<(), CliError>;

/// Parse the process's arguments, or say in one line what is wrong with them.
///
/// `--help` and `--version` print as clap prints them; every other parse error becomes a single
/// `alertctl: error: ...` line on stderr (clap's usage block dropped, its tips kept), exit 2.
pub fn parse_args() -> Result<Cli, i32> {
    Cli::try_parse().map_err(usage_error)
}

/// Render a clap error as alertctl renders every error; returns the exit code.
pub fn usage_error(err: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            err.exit_code()
        }
        _ => {
            error(&usage_line(&err.render().to_string()));
            err.exit_code()
        }
    }
}

/// One line from clap's multi-line error text: everything before its usage block, joined.
fn usage_line(rendered: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for line in rendered.lines() {
        let line = line.trim();
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if !line.is_empty() {
            parts.push(line.strip_prefix("error: ").unwrap_or(line));
        }
    }
    let mut msg = parts.join(" ");
    if msg.ends_with(':') {
        msg.pop();
    }
    format!("{msg} (try --help)")
}

/// Run a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Produce(a) => produce::exec(a),
        Command::Tail(a) => tail::exec(a),
        Command::Schema(a) => schema::exec(a),
        Command::Bench(a) => bench::exec(a),
        Command::Topic(a) => topic::exec(a),
        Command::Registry(a) => registry::exec(a),
        Command::Filter(a) => filter::exec(*a),
        Command::Replay(a) => replay::exec(a),
        Command::Lag(a) => lag::exec(a),
        Command::Show(a) => show::exec(a),
        Command::Sandbox(a) => sandbox::exec(a),
        Command::Stats(a) => stats::exec(a),
        Command::Rewind(a) => rewind::exec(a),
        Command::Mirror(a) => mirror::exec(a),
        Command::Archive(a) => archive::exec(*a),
        Command::Get(a) => get::exec(a),
        Command::Export(a) => export::exec(*a),
        Command::Completions(a) => completions::exec(a),
        Command::Man(a) => man::exec(a),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            if !e.message.is_empty() {
                error(&e.message);
            }
            e.code
        }
    }
}

/// Print one error line on stderr.
pub fn error(msg: &str) {
    eprintln!("alertctl: error: {}", one_line(msg));
}

/// Print one warning line on stderr.
pub fn warn(msg: &str) {
    eprintln!("alertctl: warning: {}", one_line(msg));
}

/// Output formats: `--format` means this, and only this, in every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people (the default on a terminal); `text` is the same.
    #[value(alias = "text")]
    Table,
    /// One JSON object per line (the default when stdout is not a terminal).
    Jsonl,
    /// One JSON document.
    Json,
    /// The packets themselves, length-framed: a wire visit file (tail only).
    Raw,
    /// One JSON object per record, as kcat -J prints: topic, partition, offset,
    /// timestamp and its type, key, headers (a map), schema id, and the alert's JSON
    /// view as `value` (tail only).
    Envelope,
    /// The envelope with the packet itself, base64, as `value`; nothing is decoded
    /// (tail only).
    EnvelopeRaw,
}

impl Format {
    /// The format asked for, or the default for where stdout goes.
    pub fn or_default(f: Option<Format>) -> Format {
        f.unwrap_or(if stdout_is_tty() {
            Format::Table
        } else {
            Format::Jsonl
        })
    }
}

/// The value parser of `--format` for commands that print rows (no raw packets).
pub fn rows_format(s: &str) -> Result<Format, String> {
    match <Format as clap::ValueEnum>::from_str(s, true)? {
        Format::Raw | Format::Envelope | Format::EnvelopeRaw => Err(format!(
            "{s} is tail's format (records); here: table, jsonl or json"
        )),
        f => Ok(f),
    }
}

/// Warnings that repeat record after record: each reason is printed the first
/// [`Repeats::SHOWN`] times, then only counted, and [`Repeats::finish`] says how many
/// there were in all.
#[derive(Debug, Default)]
pub struct Repeats {
    seen: std::collections::BTreeMap<String, u64>,
}

impl Repeats {
    /// How many times one reason is printed before it is only counted.
    pub const SHOWN: u64 = 3;

    /// Warn about `reason` at `at` (a record's place), unless it was shown enough.
    pub fn warn(&mut self, at: &str, reason: &str) {
        let n = self.seen.entry(reason.to_string()).or_default();
        *n += 1;
        if *n <= Self::SHOWN {
            warn(&format!("{at}: {reason}"));
        }
        if *n == Self::SHOWN {
            warn(&format!(
                "further records with this reason are counted, not shown: {reason}"
            ));
        }
    }

    /// Print the count of each reason that was not shown every time.
    pub fn finish(&self) {
        for (reason, n) in &self.seen {
            if *n > Self::SHOWN {
                warn(&format!("{n} records in all: {reason}"));
            }
        }
    }
}

/// Say once that an old spelling of an option still works, for one more release.
pub fn deprecated(old: &str, new: &str) {
    eprintln!(
        "alertctl: warning: {old} is deprecated and will be removed in the next release; use {new}"
    );
}

/// One line, with any noted secret masked.
fn one_line(msg: &str) -> String {
    crate::redact::redact(&msg.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Whether stdout is a terminal (tables for people, JSON lines for scripts).
pub fn stdout_is_tty() -> bool {
    std::io::stdout().is_terminal()
}

/// Locked, buffered stdout.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

/// Write a line to `out`.
pub fn line(out: &mut impl Write, text: &str) -> CliResult {
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Options naming where schemas come from, shared by commands that decode or generate.
#[derive(Debug, Clone, clap::Args)]
pub struct SchemaDirs {
    /// A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable.
    #[arg(
        long = "schema-dir",
        value_name = "DIR",
        env = "ALERTCTL_SCHEMA_DIR",
        value_delimiter = ':'
    )]
    pub dirs: Vec<PathBuf>,
    /// A Confluent-API schema registry to look schema ids up in (cached on disk).
    #[arg(long, env = "ALERTCTL_REGISTRY", value_name = "URL")]
    pub registry: Option<String>,
}

impl SchemaDirs {
    /// A schema store over these directories, the registry (`--registry`, else
    /// `ALERTCTL_REGISTRY`, else the connection profile's `registry`), and the built-in
    /// sample schema.
    pub fn store(&self, profile: Option<&str>) -> crate::schema::SchemaStore {
        let store = crate::schema::SchemaStore::new(self.dirs.clone());
        let registry = self.registry.clone().or_else(|| {
            crate::kafka::config::profile_registry(profile, &crate::kafka::config::config_path())
        });
        match &registry {
            Some(url) => store.with_registry(std::sync::Arc::new(
                crate::registry::client::Client::new(url, std::time::Duration::from_secs(10)),
            )),
            None => store,
        }
    }
}

/// Connection options shared by every command that talks to Kafka.
#[derive(Debug, Clone, clap::Args)]
pub struct KafkaArgs {
    /// Bootstrap brokers, comma-separated HOST:PORT.
    #[arg(long, short = 'b', env = "ALERTCTL_BROKERS", value_name = "HOST:PORT")]
    pub brokers: Option<String>,
    /// Connection profile from ~/.config/alertctl/config.toml (or $ALERTCTL_CONFIG).
    #[arg(long, env = "ALERTCTL_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// A librdkafka property, as kcat takes them: -X security.protocol=SASL_SSL (repeatable).
    #[arg(short = 'X', value_name = "KEY=VALUE", value_parser = crate::kafka::config::parse_property)]
    pub properties: Vec<(String, String)>,
    /// Give up on unresponsive brokers after this long (500ms, 10s, 1m).
    #[arg(long, default_value = "10s", value_parser = values::duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
}

impl KafkaArgs {
    /// A second cluster (`bench mirror`'s and `bench night`'s source): `brokers`, with
    /// these arguments' client properties and timeout, and no profile.
    pub fn other_cluster(
        &self,
        brokers: &str,
    ) -> Result<crate::kafka::Connection, crate::kafka::KafkaError> {
        crate::kafka::Connection::resolve(
            Some(brokers),
            None,
            &self.properties,
            self.timeout,
            &crate::kafka::config::config_path(),
        )
    }

    /// Resolve flags, environment and the config file; with none of them naming
    /// brokers, the running sandbox's (`alertctl sandbox up`), said on stderr.
    pub fn connection(&self) -> Result<crate::kafka::Connection, crate::kafka::KafkaError> {
        let resolve = |brokers: Option<&str>| {
            crate::kafka::Connection::resolve(
                brokers,
                self.profile.as_deref(),
                &self.properties,
                self.timeout,
                &crate::kafka::config::config_path(),
            )
        };
        match resolve(self.brokers.as_deref()) {
            Err(crate::kafka::KafkaError::NoBrokers { config }) => match running_sandbox() {
                Some(s) => {
                    eprintln!(
                        "alertctl: using the sandbox's broker {} (alertctl sandbox status)",
                        s.brokers
                    );
                    let mut conn = resolve(Some(&s.brokers))?;
                    if s.layout.as_deref() == Some("per-major") && conn.profile.is_none() {
                        conn.layout = crate::night::Layout::PerMajor {
                            pattern: crate::night::PER_MAJOR_PATTERN.into(),
                        };
                    }
                    Ok(conn)
                }
                None => Err(crate::kafka::KafkaError::NoBrokers { config }),
            },
            other => other,
        }
    }
}

/// The sandbox in the default directory, when its broker is running.
fn running_sandbox() -> Option<crate::sandbox::State> {
    let s = crate::sandbox::load(&crate::sandbox::default_dir()).ok()??;
    crate::sandbox::ours(s.broker_pid, s.broker_started).then_some(s)
}

/// The value parsers every command uses for the same kinds of value, so a bad one is
/// a usage error (exit 2) wherever it is given.
pub mod values {
    use chrono::{NaiveDate, Utc};

    use crate::kafka::offsets::{parse_offset, parse_time, OffsetSpec};

    /// An offset: beginning, end, stored, N, -N, @TIME or @-DURATION.
    pub fn offset(s: &str) -> Result<OffsetSpec, String> {
        parse_offset(s, Utc::now()).map_err(|e| e.to_string())
    }

    /// A night (dayObs): YYYY-MM-DD, today, tonight or yesterday.
    pub fn night(s: &str) -> Result<NaiveDate, String> {
        crate::night::parse_night(s, Utc::now()).map_err(|e| e.to_string())
    }

    /// A point in time, with or without a leading @: RFC 3339, Unix ms, or -DURATION
    /// back from now; Unix milliseconds.
    pub fn time(s: &str) -> Result<i64, String> {
        parse_time(s.trim_start_matches('@'), Utc::now()).map_err(|e| e.to_string())
    }

    /// A duration: 500ms, 10s, 5m, 2h, 7d.
    pub fn duration(s: &str) -> Result<std::time::Duration, String> {
        crate::kafka::offsets::parse_duration(s).map_err(|e| e.to_string())
    }

    /// A retention: a duration, or forever (-1); milliseconds.
    pub fn retention(s: &str) -> Result<i64, String> {
        super::topic::parse_retention(s)
    }
}

/// What a command reads from Kafka: a topic (or regex) and, for a night on a topic
/// that is not that night's topic (Rubin's long-lived `lsst-alerts-v11`), the night's
/// window, read as a time range of offsets.
#[derive(Debug, Clone)]
pub struct Reading {
    /// Topic name or regex.
    pub topic: String,
    /// The existing topics it names.
    pub topics: Vec<String>,
    /// The time range of record timestamps to read, per partition.
    pub window: Option<crate::night::Window>,
    /// Reading by observation time: keep only alerts whose `midpointMjdTai` is in this
    /// window (the read window is widened by a margin around it).
    pub observed: Option<crate::night::Window>,
}

/// How a night window on a long-lived topic selects alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum WindowBy {
    /// By record timestamp, found per partition with offsets-for-times (ingest time on
    /// a LogAppendTime topic).
    #[default]
    Timestamp,
    /// By the alert's own observation time (`diaSource.midpointMjdTai`), reading
    /// --window-margin on both sides of the window.
    Observation,
}

/// Options of a night window on a long-lived topic (commands that decode alerts).
#[derive(Debug, Clone, clap::Args)]
pub struct WindowArgs {
    /// With --night on a long-lived topic: select by record timestamp or by the alert's
    /// observation time.
    #[arg(long, value_enum, default_value = "timestamp", requires = "night")]
    pub window_by: WindowBy,
    /// With --window-by observation: how far outside the window to read.
    #[arg(long, default_value = "2h", value_parser = values::duration, value_name = "DURATION")]
    pub window_margin: std::time::Duration,
}

/// Say a change in a stage's lag on stderr, in one line.
pub fn say_lag(stage: &str, change: crate::kafka::consume::LagChange, threshold: i64) {
    use crate::kafka::consume::LagChange;
    match change {
        LagChange::Behind(lag) => warn(&format!(
            "{stage} is {lag} records behind its input, more than a visit's worth ({threshold}, --lag-warn): it is not keeping up"
        )),
        LagChange::CaughtUp(lag) => eprintln!("alertctl: {stage} caught up: {lag} records behind"),
    }
}

/// The consumer group id for `name` on `conn` (the profile's `group_prefix` applied),
/// warning on stderr when the account's brokers would refuse it.
pub fn group_id(conn: &crate::kafka::Connection, name: &str) -> String {
    let g = conn.group_id(name);
    if let Some(w) = &g.warning {
        warn(w);
    }
    if g.id != name {
        eprintln!(
            "alertctl: consumer group {} (the profile's group_prefix)",
            g.id
        );
    }
    g.id
}

/// Resolve a command's TOPIC and --night on `admin`'s connection, to existing topics:
/// * a topic alone is read whole;
/// * a night alone is the night's topic (`lsst-YYYY-MM-DD`), or, when the profile's
///   layout is per-major, the newest MAJOR's long-lived topic with the night's window;
/// * both: a night topic of that night is read whole, any other topic in the window.
///
/// A window on a LogAppendTime topic is said once on stderr to be ingest time.
pub fn reading(
    topic: Option<&str>,
    night: Option<chrono::NaiveDate>,
    by: Option<&WindowArgs>,
    admin: &crate::kafka::admin::Admin,
) -> Result<Option<Reading>, CliError> {
    use crate::night::{window_on, Layout, Window};
    let conn = admin.connection();
    let (topic, window) = match (topic, night) {
        (None, None) => return Ok(None),
        (Some(t), None) => (t.to_string(), None),
        (Some(t), Some(d)) => (
            t.to_string(),
            window_on(t, d).map_err(|e| CliError::usage(e.to_string()))?,
        ),
        (None, Some(d)) => match &conn.layout {
            Layout::Nightly => (crate::night::topic_name(d), None),
            Layout::PerMajor { pattern } => {
                let t = admin.newest_major_topic(pattern)?.ok_or_else(|| {
                    CliError::failure(format!(
                        "no topic on {} fits the profile's per-major pattern {pattern}: name the topic, or produce a night first",
                        conn.brokers
                    ))
                })?;
                (t, Some(Window::of_night(d)))
            }
        },
    };
    let topics = admin.resolve(&topic)?;
    let Some(w) = window else {
        return Ok(Some(Reading {
            topic,
            topics,
            window: None,
            observed: None,
        }));
    };
    let observation = by.is_some_and(|b| b.window_by == WindowBy::Observation);
    if !observation {
        let appended = topics
            .iter()
            .find(|t| admin.timestamp_type(t).as_deref() == Some("LogAppendTime"));
        if let Some(t) = appended {
            warn(&format!(
                "{t} stamps records with LogAppendTime: the night's window is ingest time, not observation time (--window-by observation selects by midpointMjdTai)"
            ));
        }
    }
    let (window, observed) = match by.filter(|_| observation) {
        Some(b) => (w.widened(b.window_margin.as_millis() as i64), Some(w)),
        None => (w, None),
    };
    Ok(Some(Reading {
        topic,
        topics,
        window: Some(window),
        observed,
    }))
}

impl Reading {
    /// Where to start: the window as a time range when there is one (`given` must then
    /// be absent: the night says where to read), else `given`, else `default`.
    pub fn offset(
        &self,
        given: Option<crate::kafka::offsets::OffsetSpec>,
        default: crate::kafka::offsets::OffsetSpec,
    ) -> Result<crate::kafka::offsets::OffsetSpec, CliError> {
        match (self.window, given) {
            (Some(_), Some(_)) => Err(CliError::usage(format!(
                "--night on {} is a time window: give --night or -o, not both",
                self.topic
            ))),
            (Some(w), None) => Ok(crate::kafka::offsets::OffsetSpec::TimeRange {
                start: w.start_ms,
                end: w.end_ms,
            }),
            (None, g) => Ok(g.unwrap_or(default)),
        }
    }

    /// Whether a decoded alert is kept: always, unless reading by observation time,
    /// when its `diaSource.midpointMjdTai` must be in the window.
    pub fn keeps(&self, alert: &apache_avro::types::Value) -> bool {
        let Some(w) = self.observed else {
            return true;
        };
        crate::packet::alert_meta(alert)
            .mjd
            .is_some_and(|mjd| w.contains_mjd(mjd))
    }
}

/// The topic a command works on: an explicit name, or a night's topic.
pub fn topic_or_night(
    topic: Option<&str>,
    night: Option<chrono::NaiveDate>,
) -> Result<Option<String>, CliError> {
    match (topic, night) {
        (Some(t), None) => Ok(Some(t.to_string())),
        (None, Some(d)) => Ok(Some(crate::night::topic_name(d))),
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(CliError::usage("give a topic or --night, not both")),
    }
}

/// A flag that turns true on Ctrl-C (SIGINT) or SIGTERM, so loops can stop cleanly.
pub fn interrupted() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, OnceLock};
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        // A second Ctrl-C while stopping ends the process at once.
        let _ = ctrlc::set_handler(move || {
            if f.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
        flag
    })
    .clone()
}

#[cfg(test)]
mod usage_tests {
    use super::*;

    fn parse_error(args: &[&str]) -> String {
        let Err(err) = Cli::try_parse_from(std::iter::once("alertctl").chain(args.iter().copied()))
        else {
            panic!("{args:?} parsed");
        };
        usage_line(&err.render().to_string())
    }

    #[test]
    fn a_bad_value_is_one_line_with_the_parsers_reason() {
        let line = parse_error(&["produce", "--night", "May 1st"]);
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("`May 1st` is not a night"), "{line}");
        assert!(!line.contains("Usage:"), "{line}");
    }

    #[test]
    fn a_missing_argument_names_it_on_the_same_line() {
        let line = parse_error(&["schema", "check"]);
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("required"), "{line}");
        assert!(line.contains('<'), "the argument is named: {line}");
    }

    #[test]
    fn an_unknown_flag_keeps_clap_s_tip() {
        let line = parse_error(&["tail", "--nigth", "today"]);
        assert!(line.contains("--nigth"), "{line}");
        assert!(line.contains("--night"), "the tip is kept: {line}");
    }
}
