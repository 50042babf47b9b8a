//! The command line: the argument tree, and how a command's result becomes output and
//! an exit code.
//!
//! Conventions every command follows:
//! * results go to stdout (JSON lines when stdout is not a terminal), diagnostics to
//!   stderr, through the library's printer layer ([`alertctl::render`]);
//! * an error is one line on stderr, `alertctl: error: ...`, and a non-zero exit: 1 for
//!   a failure, 2 for a usage error ([`alertctl::error`]);
//! * what commands share, and mean the same by, is in [`crate::args`].

use clap::{CommandFactory, Parser, Subcommand};

use alertctl::render::diagnostics::error_line;

use crate::args::{CmdResult, Ctx};
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
    /// Sky regions: the MOC of a gravitational-wave sky map's credible region.
    #[command(subcommand)]
    Moc(commands::moc::MocCommand),
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
        Command::Moc(a) => commands::moc::exec(a, ctx),
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
        Command::Completions(a) => commands::completions::exec(a, Cli::command(), ctx),
        Command::Man(a) => commands::man::exec(a, Cli::command(), ctx),
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
