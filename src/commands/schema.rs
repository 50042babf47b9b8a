//! `alertctl schema`: inspect alert schemas.

use std::path::PathBuf;

use serde_json::json;

use super::{line, stdout, stdout_is_tty, CliResult, SchemaDirs};
use crate::schema::{self, AlertSchema, Version};

/// Output format of schema commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned `key value` lines (the default on a terminal).
    Text,
    /// JSON (the default when stdout is not a terminal).
    Json,
}

/// The `schema` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum SchemaCommand {
    /// Print a schema's id, fingerprint and Parsing Canonical Form.
    #[command(after_help = "\
Examples:
  alertctl schema show --schema-dir alert_packet/schema --version 11.0
  alertctl schema show --schema my-alert.avsc --format json | jq -r .fingerprint
  alertctl schema show            # the built-in sample schema, version 0.1

The fingerprint is CRC-64-AVRO (Rabin) of the canonical form, printed as its 8
little-endian bytes in hex, as fastavro and Avro's Java API print it.")]
    Show(ShowArgs),
    /// List the schema versions under a schema directory, with their ids.
    List(ListArgs),
}

/// Arguments of `schema show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Schema version MAJOR.MINOR (default: the newest under --schema-dir, else the built-in 0.1).
    #[arg(long, value_name = "M.m", conflicts_with = "schema")]
    pub version: Option<Version>,
    /// A self-contained .avsc file instead of a version.
    #[arg(long, value_name = "FILE.avsc")]
    pub schema: Option<PathBuf>,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    /// Output format (default: text on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Arguments of `schema list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub dirs: SchemaDirs,
    /// Output format (default: text on a terminal, json lines otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

fn format_or_default(f: Option<Format>) -> Format {
    f.unwrap_or(if stdout_is_tty() {
        Format::Text
    } else {
        Format::Json
    })
}

fn describe(s: &AlertSchema) -> serde_json::Value {
    json!({
        "name": s.name,
        "version": s.version.map(|v| v.to_string()),
        "id": s.id(),
        "fingerprint": s.fingerprint_hex(),
        "source": s.source.display().to_string(),
        "canonical": s.canonical,
    })
}

/// Run a `schema` subcommand.
pub fn exec(cmd: SchemaCommand) -> CliResult {
    let mut out = stdout();
    match cmd {
        SchemaCommand::Show(a) => {
            let s = schema::select(&a.dirs.dirs, a.version, a.schema.as_deref())?;
            let d = describe(&s);
            match format_or_default(a.format) {
                Format::Json => line(&mut out, &d.to_string())?,
                Format::Text => {
                    for key in [
                        "name",
                        "version",
                        "id",
                        "fingerprint",
                        "source",
                        "canonical",
                    ] {
                        let v = match &d[key] {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        line(&mut out, &format!("{key:<12} {v}"))?;
                    }
                }
            }
        }
        SchemaCommand::List(a) => {
            let format = format_or_default(a.format);
            let mut all: Vec<AlertSchema> = vec![schema::builtin_sample()];
            for dir in &a.dirs.dirs {
                for v in schema::list_versions(dir)? {
                    all.push(schema::load_version(dir, v)?);
                }
            }
            for s in &all {
                match format {
                    Format::Json => {
                        let mut d = describe(s);
                        d.as_object_mut().map(|m| m.remove("canonical"));
                        line(&mut out, &d.to_string())?;
                    }
                    Format::Text => line(
                        &mut out,
                        &format!(
                            "{:<6} id {:<5} {}  {:<22} {}",
                            s.version.map(|v| v.to_string()).unwrap_or_default(),
                            s.id().map(|i| i.to_string()).unwrap_or_default(),
                            s.fingerprint_hex(),
                            s.name,
                            s.source.display()
                        ),
                    )?,
                }
            }
        }
    }
    std::io::Write::flush(&mut out)?;
    Ok(())
}
