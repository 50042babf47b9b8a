//! The command line: the argument tree, the arguments commands share (and mean the
//! same by everywhere), and how a command's result becomes output and an exit code.
//!
//! Conventions every command follows:
//! * results go to stdout (JSON lines when stdout is not a terminal), diagnostics to
//!   stderr, through the library's printer layer ([`alertctl::render`]);
//! * an error is one line on stderr, `alertctl: error: ...`, and a non-zero exit: 1 for
//!   a failure, 2 for a usage error ([`alertctl::error`]);
//! * the input is `--from TOPIC|REGEX` (or `--night`, or `--file`) in every command;
//!   `--to` is always a topic; `-o` is always where to start reading;
//! * an old spelling still works for one release, with one deprecation line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::{Parser, Subcommand};

use alertctl::choice::Choice;
use alertctl::render::diagnostics::{error_line, Diagnostics};
use alertctl::transport::connect::{SchemaSources, Target};
use alertctl::Error;

use crate::commands;

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
    Produce(Box<commands::produce::Args>),
    /// Decode alerts from Kafka topics or visit files to JSON lines or a table.
    Tail(Box<commands::tail::Args>),
    /// Alert schemas: show, list, check compatibility, bump, and registry register/get/list/delete/import.
    #[command(subcommand)]
    Schema(commands::schema::SchemaCommand),
    /// Measure speed (decode, Kafka, filters, mirror, a night) and print a table.
    #[command(subcommand)]
    Bench(commands::bench::BenchCommand),
    /// Re-publish a night to another topic, paced by its timestamps.
    Replay(commands::replay::Args),
    /// Move a consumer group's committed offsets (re-run a filter over a night).
    Rewind(commands::rewind::Args),
    /// Copy topics from another cluster, byte for byte (a mirror node).
    Mirror(commands::mirror::Args),
    /// A local broker and registry with a standard test night: up, status, down.
    #[command(subcommand)]
    Sandbox(commands::sandbox::SandboxCommand),
    /// One alert as a table, and with --png its cutouts and light curve.
    Show(commands::show::Args),
    /// Consumer groups' committed offsets, end offsets and lag.
    Lag(commands::lag::Args),
    /// Alerts per visit and band, bytes and time range of a topic or visit file.
    Stats(commands::stats::Args),
    /// Run jq filters over the alert stream (or a visit file).
    #[command(subcommand)]
    Filter(Box<commands::filter::FilterCommand>),
    /// Serve a Confluent-compatible schema registry.
    #[command(subcommand)]
    Registry(commands::registry::RegistryCommand),
    /// Create, list, describe, delete and expire topics.
    #[command(subcommand)]
    Topic(commands::topic::TopicCommand),
    /// Copy alerts into an archive in Rubin's layout (a directory or S3), or verify one.
    Archive(Box<commands::archive::Args>),
    /// Fetch alerts by id from an archive or a topic.
    Get(commands::get::Args),
    /// Export a night (a window, a file) to Parquet with a manifest, or verify an export.
    Export(Box<commands::export::Args>),
    /// Print a shell completion script.
    Completions(commands::completions::Args),
    /// Print or write the man pages.
    Man(commands::man::Args),
}

/// What a command has to work with: stdout, the diagnostics on stderr, whether a person
/// is watching, and the stop flag Ctrl-C and SIGTERM raise.
pub struct Ctx {
    /// Diagnostics on stderr.
    pub diag: Diagnostics<std::io::Stderr>,
    /// Whether stdout is a terminal (tables for people, JSON lines for scripts).
    pub terminal: bool,
    stop: Arc<AtomicBool>,
}

impl Ctx {
    fn new() -> Ctx {
        Ctx {
            diag: Diagnostics::new(std::io::stderr()).interactive(std::io::stderr().is_terminal()),
            terminal: std::io::stdout().is_terminal(),
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Locked, buffered stdout.
    pub fn stdout(&self) -> std::io::BufWriter<std::io::StdoutLock<'static>> {
        std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
    }

    /// Print lines on stdout.
    pub fn lines<S: AsRef<str>>(&self, lines: impl IntoIterator<Item = S>) -> CmdResult {
        let mut out = self.stdout();
        for l in lines {
            writeln!(out, "{}", l.as_ref())?;
        }
        out.flush()?;
        Ok(())
    }

    /// A function that says whether Ctrl-C or SIGTERM came (the first asks to stop
    /// cleanly; a second, while stopping, ends the process at once).
    pub fn stop(&self) -> impl Fn() -> bool + use<> {
        static HANDLER: std::sync::Once = std::sync::Once::new();
        let flag = self.stop.clone();
        HANDLER.call_once(|| {
            let f = flag.clone();
            let _ = ctrlc::set_handler(move || {
                if f.swap(true, Ordering::SeqCst) {
                    std::process::exit(130);
                }
            });
        });
        move || flag.load(Ordering::SeqCst)
    }

    /// Say once that an old spelling still works, for one more release.
    pub fn deprecated(&mut self, old: &str, new: &str) {
        self.diag.deprecated(old, new);
    }
}

/// A command's result.
pub type CmdResult = Result<(), Error>;

/// Parse the process's arguments and run the command; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let mut ctx = Ctx::new();
    let result = run(cli.command, &mut ctx);
    ctx.diag.finish();
    match result {
        Ok(()) => alertctl::error::EXIT_OK,
        Err(e) => {
            if !e.is_quiet() {
                ctx.diag.error(&e.message);
            }
            e.exit_code()
        }
    }
}

fn run(command: Command, ctx: &mut Ctx) -> CmdResult {
    match command {
        Command::Produce(a) => commands::produce::exec(*a, ctx),
        Command::Tail(a) => commands::tail::exec(*a, ctx),
        Command::Schema(a) => commands::schema::exec(a, ctx),
        Command::Bench(a) => commands::bench::exec(a, ctx),
        Command::Topic(a) => commands::topic::exec(a, ctx),
        Command::Registry(a) => commands::registry::exec(a, ctx),
        Command::Filter(a) => commands::filter::exec(*a, ctx),
        Command::Replay(a) => commands::replay::exec(a, ctx),
        Command::Lag(a) => commands::lag::exec(a, ctx),
        Command::Show(a) => commands::show::exec(a, ctx),
        Command::Sandbox(a) => commands::sandbox::exec(a, ctx),
        Command::Stats(a) => commands::stats::exec(a, ctx),
        Command::Rewind(a) => commands::rewind::exec(a, ctx),
        Command::Mirror(a) => commands::mirror::exec(a, ctx),
        Command::Archive(a) => commands::archive::exec(*a, ctx),
        Command::Get(a) => commands::get::exec(a, ctx),
        Command::Export(a) => commands::export::exec(*a, ctx),
        Command::Completions(a) => commands::completions::exec(a, ctx),
        Command::Man(a) => commands::man::exec(a, ctx),
    }
}

/// Render a clap error as alertctl renders every error; returns the exit code.
///
/// `--help` and `--version` print as clap prints them; every other parse error becomes a
/// single `alertctl: error: ...` line on stderr (clap's usage block dropped, its tips
/// kept), exit 2.
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
            eprintln!("{}", error_line(&usage_line(&err.render().to_string())));
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
    #[arg(short = 'X', value_name = "KEY=VALUE", value_parser = alertctl::transport::kafka::config::parse_property)]
    pub properties: Vec<(String, String)>,
    /// Give up on unresponsive brokers after this long (500ms, 10s, 1m).
    #[arg(long, default_value = "10s", value_parser = values::duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
}

impl KafkaArgs {
    /// Where the cluster is, as the command was told.
    pub fn target(&self) -> Target {
        Target {
            brokers: self.brokers.clone(),
            profile: self.profile.clone(),
            properties: self.properties.clone(),
            timeout: self.timeout,
        }
    }
}

/// Where schemas come from, shared by commands that decode or generate.
#[derive(Debug, Clone, clap::Args)]
pub struct SchemaArgs {
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

impl SchemaArgs {
    /// The schema sources; a connection profile's registry applies when none is named.
    pub fn sources(&self, profile: Option<&str>) -> SchemaSources {
        SchemaSources {
            dirs: self.dirs.clone(),
            registry: self.registry.clone(),
            profile: profile.map(str::to_string),
        }
    }
}

/// The input of a command that reads Kafka: `--from TOPIC|REGEX` (the old positional
/// TOPIC still works, hidden, with a deprecation line).
#[derive(Debug, Clone, clap::Args)]
pub struct FromArgs {
    /// The topic to read, or a regex matching several (`lsst-2024-05-.*`).
    #[arg(long, value_name = "TOPIC|REGEX")]
    pub from: Option<String>,
    /// The old spelling of --from: a positional TOPIC (one more release).
    #[arg(value_name = "TOPIC", hide = true, conflicts_with = "from")]
    pub topic_old: Option<String>,
}

impl FromArgs {
    /// The topic or regex, saying once when the old spelling was used.
    pub fn topic(&self, ctx: &mut Ctx) -> Option<String> {
        if let Some(t) = &self.topic_old {
            ctx.deprecated("a positional TOPIC", "--from TOPIC");
            return Some(t.clone());
        }
        self.from.clone()
    }
}

/// The value parsers every command uses for the same kinds of value, so a bad one is
/// a usage error (exit 2) wherever it is given.
pub mod values {
    use std::marker::PhantomData;

    use chrono::{NaiveDate, Utc};
    use clap::builder::{PossibleValue, TypedValueParser};

    use alertctl::choice::Choice;
    use alertctl::transport::kafka::offsets::{parse_offset, parse_time, OffsetSpec};

    /// An offset: beginning, end, stored, N, -N, @TIME or @-DURATION.
    pub fn offset(s: &str) -> Result<OffsetSpec, String> {
        parse_offset(s, Utc::now()).map_err(|e| e.to_string())
    }

    /// A night (dayObs): YYYY-MM-DD, today, tonight or yesterday.
    pub fn night(s: &str) -> Result<NaiveDate, String> {
        alertctl::night::parse_night(s, Utc::now()).map_err(|e| e.to_string())
    }

    /// A point in time, with or without a leading @: RFC 3339, Unix ms, or -DURATION
    /// back from now; Unix milliseconds.
    pub fn time(s: &str) -> Result<i64, String> {
        parse_time(s.trim_start_matches('@'), Utc::now()).map_err(|e| e.to_string())
    }

    /// A duration: 500ms, 10s, 5m, 2h, 7d.
    pub fn duration(s: &str) -> Result<std::time::Duration, String> {
        alertctl::transport::kafka::offsets::parse_duration(s).map_err(|e| e.to_string())
    }

    /// A retention: a duration, or forever (-1); milliseconds.
    pub fn retention(s: &str) -> Result<i64, String> {
        alertctl::jobs::topics::parse_retention(s)
    }

    /// A row format (table, jsonl, json); a record format's name says it is tail's.
    pub fn row_format(s: &str) -> Result<alertctl::render::printer::RowFormat, String> {
        alertctl::render::printer::RowFormat::parse(s)
    }

    /// A value chosen by name from one of the library's [`Choice`] lists
    /// (case-insensitive; the names and their help appear in --help and completions).
    #[derive(Clone)]
    pub struct ChoiceParser<T>(PhantomData<T>);

    /// The parser of a [`Choice`].
    pub fn choice<T: Choice>() -> ChoiceParser<T> {
        ChoiceParser(PhantomData)
    }

    impl<T: Choice + Clone + Send + Sync> TypedValueParser for ChoiceParser<T> {
        type Value = T;

        fn parse_ref(
            &self,
            cmd: &clap::Command,
            arg: Option<&clap::Arg>,
            value: &std::ffi::OsStr,
        ) -> Result<T, clap::Error> {
            let text = value.to_string_lossy();
            T::from_name(&text).ok_or_else(|| {
                let arg = arg.map_or_else(|| "the value".to_string(), |a| a.to_string());
                clap::Error::raw(
                    clap::error::ErrorKind::InvalidValue,
                    format!(
                        "invalid value '{text}' for '{arg}': expected {}\n",
                        T::names()
                    ),
                )
                .with_cmd(cmd)
            })
        }

        fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
            Some(Box::new(
                T::CHOICES
                    .iter()
                    .map(|(n, help, _)| PossibleValue::new(*n).help(*help))
                    .chain(
                        T::ALIASES
                            .iter()
                            .map(|(n, _)| PossibleValue::new(*n).hide(true)),
                    ),
            ))
        }
    }
}

/// How the FITS cutouts appear, by the one vocabulary every command uses: left out,
/// their size, or kept (base64 in JSON, bytes in Parquet). `base64` is the old name of
/// `keep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutouts {
    /// The policy.
    pub policy: alertctl::formats::avro::view::CutoutPolicy,
    /// Given by its old name.
    pub old_name: bool,
}

impl Choice for Cutouts {
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        (
            "omit",
            "Leave the cutouts out",
            Cutouts {
                policy: alertctl::formats::avro::view::CutoutPolicy::Omit,
                old_name: false,
            },
        ),
        (
            "size",
            "Show each cutout's size only, {\"bytes\": N}",
            Cutouts {
                policy: alertctl::formats::avro::view::CutoutPolicy::Size,
                old_name: false,
            },
        ),
        (
            "keep",
            "Keep the cutouts' bytes (base64 in JSON, binary columns in Parquet)",
            Cutouts {
                policy: alertctl::formats::avro::view::CutoutPolicy::Keep,
                old_name: false,
            },
        ),
    ];
    const ALIASES: &'static [(&'static str, Self)] = &[(
        "base64",
        Cutouts {
            policy: alertctl::formats::avro::view::CutoutPolicy::Keep,
            old_name: true,
        },
    )];
}

impl Cutouts {
    /// The policy, saying once when the old name was used.
    pub fn policy(self, ctx: &mut Ctx) -> alertctl::formats::avro::view::CutoutPolicy {
        if self.old_name {
            ctx.deprecated("--cutouts base64", "--cutouts keep");
        }
        self.policy
    }
}

/// How a night's window on a long-lived topic selects alerts (commands that decode).
#[derive(Debug, Clone, clap::Args)]
pub struct WindowArgs {
    /// With --night on a long-lived topic: select by record timestamp (`timestamp`, found
    /// per partition with offsets-for-times; ingest time on a LogAppendTime topic) or by
    /// the alert's own observation time (`observation`, diaSource.midpointMjdTai,
    /// reading --window-margin on both sides of the window).
    #[arg(long, value_parser = ["timestamp", "observation"], default_value = "timestamp", requires = "night")]
    pub window_by: String,
    /// With --window-by observation: how far outside the window to read.
    #[arg(long, default_value = "2h", value_parser = values::duration, value_name = "DURATION")]
    pub window_margin: std::time::Duration,
}

impl WindowArgs {
    /// The library's windowing.
    pub fn windowing(&self) -> alertctl::night::input::Windowing {
        use alertctl::night::input::{WindowBy, Windowing};
        Windowing {
            by: if self.window_by == "observation" {
                WindowBy::Observation
            } else {
                WindowBy::Timestamp
            },
            margin: self.window_margin,
        }
    }
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

    #[test]
    fn a_choice_names_what_it_takes() {
        let line = parse_error(&["tail", "--format", "yaml"]);
        assert!(line.contains("'yaml'"), "{line}");
        assert!(line.contains("jsonl"), "{line}");
        let c = Cli::try_parse_from(["alertctl", "tail", "--cutouts", "BASE64", "--file", "x"]);
        assert!(c.is_ok(), "choices ignore case and keep old names");
    }
}
