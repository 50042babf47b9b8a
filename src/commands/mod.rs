//! The subcommands: clap arguments and a call into the library, one module each.
//!
//! Conventions every command follows:
//! * results go to stdout (JSON lines when stdout is not a terminal), diagnostics to stderr;
//! * an error is one line on stderr, `alertctl: error: ...`, and a non-zero exit;
//! * exit codes: 0 success, 1 failure (bad input, undecodable records, incompatible
//!   schemas), 2 usage errors (clap's own, and I/O errors where a command says so).

pub mod bench;
pub mod completions;
pub mod man;
pub mod produce;
pub mod schema;
pub mod tail;

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
  alertctl produce --visits 2 --alerts-per-visit 200 --out night.avro
  alertctl tail --file night.avro -n 5
  alertctl tail --file night.avro --format table --fields diaSourceId,diaSource.band,diaSource.snr
  alertctl schema show --schema-dir alert_packet/schema --version 11.0
  alertctl bench decode --alerts 2000

Exit codes: 0 success, 1 failure (bad input, undecodable records), 2 usage error.
Environment: ALERTCTL_SCHEMA_DIR names schema directories (alert_packet layout), ':'-separated.";

/// Run the Vera C. Rubin (LSST) alert stream from the command line.
#[derive(Debug, Parser)]
#[command(
    name = "alertctl",
    version,
    about = "Produce, tail, filter and replay Rubin (LSST) Avro alerts",
    long_about = "alertctl works with the Vera C. Rubin Observatory's alert stream: Avro alert \
packets in the Confluent wire format (byte 0 = 0, bytes 1-4 = schema id MAJOR*100+MINOR, then \
the Avro body). It generates plausible sample visits for any schema version, decodes visit files \
and alert packets to JSON for people and for jq, and inspects schemas.",
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
    /// Generate sample visits of alerts and write them to a visit file.
    Produce(produce::Args),
    /// Decode alerts from a visit file (or a wire-format packet) to JSON or a table.
    Tail(tail::Args),
    /// Inspect alert schemas: ids, fingerprints, canonical forms.
    #[command(subcommand)]
    Schema(schema::SchemaCommand),
    /// Measure decoding speed on generated alerts and print a table.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
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

/// Run a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Produce(a) => produce::exec(a),
        Command::Tail(a) => tail::exec(a),
        Command::Schema(a) => schema::exec(a),
        Command::Bench(a) => bench::exec(a),
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

fn one_line(msg: &str) -> String {
    msg.split_whitespace().collect::<Vec<_>>().join(" ")
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
}

impl SchemaDirs {
    /// A schema store over these directories (and the built-in sample schema).
    pub fn store(&self) -> crate::schema::SchemaStore {
        crate::schema::SchemaStore::new(self.dirs.clone())
    }
}
