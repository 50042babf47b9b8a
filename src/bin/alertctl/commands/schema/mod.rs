//! `alertctl schema`: inspect alert schemas, check compatibility, decide versions, and
//! work with a registry's subjects ([`registry`]).

mod registry;

use std::path::PathBuf;

use alertctl::formats::avro::compat::Level;
use alertctl::formats::avro::{self, Version};
use alertctl::jobs::schemas::{self, describe, Sources};
use alertctl::render::printer::RowFormat;
use alertctl::Error;

use crate::args::{values, CmdResult, Ctx, SchemaArgs};
pub use registry::{DeleteArgs, GetArgs, ImportArgs, RegisterArgs};

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
    /// Check a new schema's compatibility with earlier ones (exit 0 compatible, 1 not, 2 usage).
    #[command(after_help = "\
Examples:
  alertctl schema check new.avsc --against old.avsc
  alertctl schema check 11.0 --schema-dir alert_packet/schema                 # against 11.x before it
  alertctl schema check 11.0 --against 10.0 --schema-dir alert_packet/schema --level FULL --format json

A schema is a self-contained .avsc file, a file of an alert_packet version directory
(its sibling files are loaded with it), or a version M.m under --schema-dir. Without
--against, NEW is checked against every earlier version of its MAJOR under
--schema-dir. The default level is FORWARD_TRANSITIVE, Rubin's rule within a MAJOR:
every earlier schema must read what the new one writes.

Exit codes: 0 compatible, 1 incompatible (the report says where), 2 usage or I/O error.")]
    Check(CheckArgs),
    /// Say whether a new schema is a MINOR release of the newest MAJOR or needs a new MAJOR.
    #[command(after_help = "\
Examples:
  alertctl schema bump new.avsc --schema-dir alert_packet/schema
  alertctl schema bump new.avsc --schema-dir alert_packet/schema --subject lsst-alert --format json

A MINOR release is FORWARD_TRANSITIVE-compatible with every version of the newest
MAJOR; anything else starts MAJOR+1.0 under a new subject (SUBJECT-MAJOR). The
published versions come from --registry (subjects SUBJECT-N) or --schema-dir.")]
    Bump(BumpArgs),
    /// Register a schema with a registry (with --id: in IMPORT mode).
    #[command(
        after_help = "Examples:\n  alertctl schema register new.avsc --subject lsst-alert-12 --registry http://127.0.0.1:8081\n  alertctl schema register 11.1 --schema-dir alert_packet/schema --subject alert-packet --id 1101 --version 1101"
    )]
    Register(RegisterArgs),
    /// Get a schema from a registry: by id, or SUBJECT[@VERSION] (latest by default).
    #[command(
        after_help = "Examples:\n  alertctl schema get 1101 --registry http://127.0.0.1:8081\n  alertctl schema get alert-packet@1100 --schema-only | jq ."
    )]
    Get(GetArgs),
    /// Delete a subject, or SUBJECT@VERSION, from a registry (soft; then --permanent).
    Delete(DeleteArgs),
    /// Register a whole alert_packet tree the way Rubin does: ids = versions, both subject styles.
    #[command(after_help = "\
Examples:
  alertctl schema import alert_packet/schema --registry http://127.0.0.1:8081

For each version M.m under DIR: the subject (default alert-packet) in IMPORT mode
gets the schema's Parsing Canonical Form with id and version MAJOR*100+MINOR, and
lsst-alerts-vM.m-value gets it too (the registry reuses the id). The subject returns
to READWRITE at the end.")]
    Import(ImportArgs),
}

/// Arguments of `schema check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The new schema: FILE.avsc or a version M.m under --schema-dir.
    pub new: String,
    /// Schemas to check against, oldest first (files or versions); repeatable.
    #[arg(long, value_name = "SCHEMA", conflicts_with = "subject")]
    pub against: Vec<String>,
    /// Check against every version of this subject in --registry.
    #[arg(long, requires = "registry")]
    pub subject: Option<String>,
    /// Confluent compatibility level.
    #[arg(long, value_parser = values::choice::<Level>(), default_value = "FORWARD_TRANSITIVE")]
    pub level: Level,
    #[command(flatten)]
    pub dirs: SchemaArgs,
    /// Output format: table (text) or json (default: table).
    #[arg(long, value_parser = values::row_format, value_name = "FORMAT")]
    pub format: Option<RowFormat>,
    /// The old spelling of --format json (one more release).
    #[arg(long, hide = true)]
    pub json: bool,
}

/// Arguments of `schema bump`.
#[derive(Debug, clap::Args)]
pub struct BumpArgs {
    /// The new schema: FILE.avsc (or a version M.m under --schema-dir).
    pub new: String,
    /// Subject name prefix; a MAJOR's subject is SUBJECT-MAJOR (looked up in --registry when given).
    #[arg(long, default_value = "lsst-alert")]
    pub subject: String,
    #[command(flatten)]
    pub dirs: SchemaArgs,
    /// Output format: table (text) or json (default: table).
    #[arg(long, value_parser = values::row_format, value_name = "FORMAT")]
    pub format: Option<RowFormat>,
    /// The old spelling of --format json (one more release).
    #[arg(long, hide = true)]
    pub json: bool,
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
    pub dirs: SchemaArgs,
    /// Output format: table (text) or json (default: table on a terminal, json otherwise).
    #[arg(long, value_parser = values::row_format, value_name = "FORMAT")]
    pub format: Option<RowFormat>,
}

/// Arguments of `schema list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub dirs: SchemaArgs,
    /// Output format: table (text) or json (default: table on a terminal, json lines otherwise).
    #[arg(long, value_parser = values::row_format, value_name = "FORMAT")]
    pub format: Option<RowFormat>,
}

fn sources(dirs: &SchemaArgs) -> Sources {
    Sources {
        dirs: dirs.dirs.clone(),
        registry: dirs.registry.clone(),
    }
}

/// Whether a verdict report (check, bump) is printed as JSON: with --format json or
/// jsonl (or the old --json); it is text by default, wherever it goes.
fn wants_json(ctx: &mut Ctx, format: Option<RowFormat>, old_json: bool) -> bool {
    if old_json {
        ctx.deprecated("--json", "--format json");
    }
    old_json || matches!(format, Some(RowFormat::Json | RowFormat::Jsonl))
}

/// Run `alertctl schema`.
pub fn exec(cmd: SchemaCommand, ctx: &mut Ctx) -> CmdResult {
    match cmd {
        SchemaCommand::Show(a) => {
            let s = avro::select(&a.dirs.dirs, a.version, a.schema.as_deref())?;
            let d = describe(&s);
            match RowFormat::or_default(a.format, ctx.terminal) {
                RowFormat::Table => ctx.lines(
                    [
                        "name",
                        "version",
                        "id",
                        "fingerprint",
                        "source",
                        "canonical",
                    ]
                    .into_iter()
                    .map(|key| {
                        let v = match &d[key] {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        format!("{key:<12} {v}")
                    }),
                ),
                _ => ctx.lines([d.to_string()]),
            }
        }
        SchemaCommand::List(a) if a.dirs.registry.is_some() => {
            let format = RowFormat::or_default(a.format, ctx.terminal);
            let subjects = schemas::subjects(&sources(&a.dirs))?;
            ctx.lines(subjects.iter().map(|(subject, versions)| match format {
                RowFormat::Table => format!("{subject:<32} versions {versions:?}"),
                _ => serde_json::json!({"subject": subject, "versions": versions}).to_string(),
            }))
        }
        SchemaCommand::List(a) => {
            let format = RowFormat::or_default(a.format, ctx.terminal);
            let all = schemas::list(&a.dirs.dirs)?;
            ctx.lines(all.iter().map(|s| match format {
                RowFormat::Table => format!(
                    "{:<6} id {:<5} {}  {:<22} {}",
                    s.version.map(|v| v.to_string()).unwrap_or_default(),
                    s.id().map(|i| i.to_string()).unwrap_or_default(),
                    s.fingerprint_hex(),
                    s.name,
                    s.source.display()
                ),
                _ => {
                    let mut d = describe(s);
                    d.as_object_mut().map(|m| m.remove("canonical"));
                    d.to_string()
                }
            }))
        }
        SchemaCommand::Register(a) => registry::register(a, ctx),
        SchemaCommand::Get(a) => registry::get(a, ctx),
        SchemaCommand::Delete(a) => registry::delete(a, ctx),
        SchemaCommand::Import(a) => registry::import(a, ctx),
        SchemaCommand::Check(a) => {
            let r = schemas::check(
                &a.new,
                &a.against,
                a.subject.as_deref(),
                a.level,
                &sources(&a.dirs),
            )?;
            if wants_json(ctx, a.format, a.json) {
                ctx.lines([r.to_json().to_string()])?;
            } else {
                ctx.lines(r.to_text())?;
            }
            if !r.compatible() {
                // The report says why; the exit status says that it is not.
                return Err(Error {
                    code: alertctl::error::EXIT_FAILURE,
                    message: String::new(),
                });
            }
            Ok(())
        }
        SchemaCommand::Bump(a) => {
            let b = schemas::bump(&a.new, &a.subject, &sources(&a.dirs))?;
            if wants_json(ctx, a.format, a.json) {
                ctx.lines([b.to_json().to_string()])
            } else {
                ctx.lines(b.to_text())
            }
        }
    }
}
