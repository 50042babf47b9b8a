//! `alertctl schema`: inspect alert schemas.

use std::path::PathBuf;

use serde_json::json;

use super::{line, stdout, stdout_is_tty, CliError, CliResult, Format, SchemaDirs};
use crate::schema::compat::{check_level, Check, Level, Parsed};
use crate::schema::{self, AlertSchema, Version};

/// Load a schema argument; failures are usage/I-O errors (exit 2).
fn load(
    arg: &str,
    dirs: &[std::path::PathBuf],
) -> Result<(String, Parsed, Option<Version>), CliError> {
    let (label, s) = schema::load_ref(arg, dirs).map_err(|e| CliError::usage(e.to_string()))?;
    let parsed = Parsed::from_json(&s.json).map_err(|e| CliError::usage(format!("{arg}: {e}")))?;
    Ok((label, parsed, s.version))
}

/// The versions of `major` under the first schema directory that come before `before`.
fn earlier_in_major(
    dirs: &[std::path::PathBuf],
    major: u32,
    before: Option<Version>,
) -> Result<Vec<(String, Parsed)>, CliError> {
    let Some(dir) = dirs.first() else {
        return Err(CliError::usage("nothing to check against: give --against SCHEMA, or --schema-dir with earlier versions"));
    };
    let mut out = Vec::new();
    for v in schema::list_versions(dir).map_err(|e| CliError::usage(e.to_string()))? {
        if v.major == major && before.is_none_or(|b| v < b) {
            let (label, parsed, _) = load(&v.to_string(), dirs)?;
            out.push((label, parsed));
        }
    }
    Ok(out)
}

/// Every version of a registry subject: (label `SUBJECT@V`, id, parsed schema).
fn subject_history(
    c: &crate::registry::client::Client,
    subject: &str,
) -> Result<Vec<(String, u32, Parsed)>, CliError> {
    let mut out = Vec::new();
    for (v, id, text) in c.history(subject)? {
        let s = AlertSchema::from_json_str(&text, std::path::Path::new(subject))
            .map_err(|e| CliError::failure(e.to_string()))?;
        let p = Parsed::from_json(&s.json).map_err(CliError::failure)?;
        out.push((format!("{subject}@{v}"), id, p));
    }
    Ok(out)
}

/// The newest published MAJOR.
struct Published {
    major: u32,
    /// Its highest MINOR.
    top_minor: u32,
    /// Its versions, oldest first: (label, schema).
    versions: Vec<(String, Parsed)>,
}

/// The newest published MAJOR: from the registry's SUBJECT-N subjects when --registry
/// is given, else from --schema-dir.
fn published(a: &BumpArgs) -> Result<Published, CliError> {
    if a.dirs.registry.is_some() {
        let c = client(&a.dirs)?;
        let prefix = format!("{}-", a.subject);
        let major = c
            .subjects()?
            .iter()
            .filter_map(|s| s.strip_prefix(&prefix).and_then(|n| n.parse::<u32>().ok()))
            .max()
            .ok_or_else(|| CliError::failure(format!("no subject {prefix}N in {}", c.url())))?;
        let history = subject_history(&c, &format!("{prefix}{major}"))?;
        // Rubin's ids are MAJOR*100+MINOR; otherwise count the versions.
        let rubin_ids = history.iter().all(|(_, id, _)| id / 100 == major);
        let top_minor = if rubin_ids {
            history.iter().map(|(_, id, _)| id % 100).max().unwrap_or(0)
        } else {
            history.len().saturating_sub(1) as u32
        };
        let versions = history.into_iter().map(|(l, _, p)| (l, p)).collect();
        return Ok(Published {
            major,
            top_minor,
            versions,
        });
    }
    let dir = a.dirs.dirs.first().ok_or_else(|| {
        CliError::usage("schema bump needs --registry or --schema-dir with the published versions")
    })?;
    let versions = schema::list_versions(dir).map_err(|e| CliError::usage(e.to_string()))?;
    let newest = versions
        .iter()
        .filter(|v| v.major > 0)
        .max()
        .copied()
        .ok_or_else(|| CliError::usage(format!("no published versions under {}", dir.display())))?;
    let top = versions
        .iter()
        .filter(|v| v.major == newest.major)
        .map(|v| v.minor)
        .max()
        .unwrap_or(0);
    Ok(Published {
        major: newest.major,
        top_minor: top,
        versions: earlier_in_major(&a.dirs.dirs, newest.major, None)?,
    })
}

fn checks_json(checks: &[Check]) -> serde_json::Value {
    serde_json::Value::Array(
        checks
            .iter()
            .map(|c| {
                json!({
                    "against": c.against,
                    "direction": c.direction,
                    "compatible": c.incompatibilities.is_empty(),
                    "incompatibilities": c.incompatibilities.iter().map(|i| json!({"path": i.path, "message": i.message})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
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

/// Arguments of `schema register`.
#[derive(Debug, clap::Args)]
pub struct RegisterArgs {
    /// The schema: FILE.avsc or a version M.m under --schema-dir.
    pub schema: String,
    /// The subject.
    #[arg(long)]
    pub subject: String,
    /// Register with this id (the subject must be in IMPORT mode).
    #[arg(long)]
    pub id: Option<u32>,
    /// Register as this version (with --id).
    #[arg(long)]
    pub version: Option<u32>,
    #[command(flatten)]
    pub dirs: SchemaDirs,
}

/// Arguments of `schema get`.
#[derive(Debug, clap::Args)]
pub struct GetArgs {
    /// A schema id, or SUBJECT[@VERSION].
    pub what: String,
    /// Print only the schema.
    #[arg(long)]
    pub schema_only: bool,
    #[command(flatten)]
    pub dirs: SchemaDirs,
}

/// Arguments of `schema delete`.
#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    /// SUBJECT or SUBJECT@VERSION.
    pub what: String,
    /// Delete for good (after a soft delete).
    #[arg(long)]
    pub permanent: bool,
    #[command(flatten)]
    pub dirs: SchemaDirs,
}

/// Arguments of `schema import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The schema tree (alert_packet layout).
    pub dir: std::path::PathBuf,
    /// The subject every version goes under.
    #[arg(long, default_value = "alert-packet")]
    pub subject: String,
    #[command(flatten)]
    pub dirs: SchemaDirs,
}

fn client(dirs: &SchemaDirs) -> Result<crate::registry::client::Client, CliError> {
    let url = dirs.registry.as_deref().ok_or_else(|| {
        CliError::usage("this needs a registry: pass --registry URL or set ALERTCTL_REGISTRY")
    })?;
    Ok(crate::registry::client::Client::new(
        url,
        std::time::Duration::from_secs(10),
    ))
}

/// `SUBJECT@VERSION` -> (subject, version).
fn subject_at(what: &str) -> Result<(String, Option<u32>), CliError> {
    match what.rsplit_once('@') {
        Some((s, "latest")) => Ok((s.to_string(), None)),
        Some((s, v)) => Ok((
            s.to_string(),
            Some(
                v.parse()
                    .map_err(|_| CliError::usage(format!("`{v}` is not a version number")))?,
            ),
        )),
        None => Ok((what.to_string(), None)),
    }
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
    #[arg(
        long,
        value_enum,
        default_value = "FORWARD_TRANSITIVE",
        ignore_case = true
    )]
    pub level: Level,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    /// Output format: table (text) or json (default: table).
    #[arg(long, value_parser = super::rows_format, value_name = "FORMAT")]
    pub format: Option<Format>,
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
    pub dirs: SchemaDirs,
    /// Output format: table (text) or json (default: table).
    #[arg(long, value_parser = super::rows_format, value_name = "FORMAT")]
    pub format: Option<Format>,
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
    pub dirs: SchemaDirs,
    /// Output format: table (text) or json (default: table on a terminal, json otherwise).
    #[arg(long, value_parser = super::rows_format, value_name = "FORMAT")]
    pub format: Option<Format>,
}

/// Arguments of `schema list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub dirs: SchemaDirs,
    /// Output format: table (text) or json (default: table on a terminal, json lines otherwise).
    #[arg(long, value_parser = super::rows_format, value_name = "FORMAT")]
    pub format: Option<Format>,
}

/// Whether a report is asked for as JSON (`--format json`, or the old `--json`).
fn wants_json(format: Option<Format>, old_json: bool) -> bool {
    if old_json {
        super::deprecated("--json", "--format json");
    }
    old_json || matches!(format, Some(Format::Json | Format::Jsonl))
}

fn format_or_default(f: Option<Format>) -> Format {
    f.unwrap_or(if stdout_is_tty() {
        Format::Table
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
                Format::Json
                | Format::Jsonl
                | Format::Raw
                | Format::Envelope
                | Format::EnvelopeRaw => line(&mut out, &d.to_string())?,
                Format::Table => {
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
        SchemaCommand::List(a) if a.dirs.registry.is_some() => {
            let c = client(&a.dirs)?;
            let format = format_or_default(a.format);
            for subject in c.subjects()? {
                let versions = c.versions(&subject)?;
                match format {
                    Format::Json
                    | Format::Jsonl
                    | Format::Raw
                    | Format::Envelope
                    | Format::EnvelopeRaw => line(
                        &mut out,
                        &json!({"subject": subject, "versions": versions}).to_string(),
                    )?,
                    Format::Table => {
                        line(&mut out, &format!("{subject:<32} versions {versions:?}"))?
                    }
                }
            }
        }
        SchemaCommand::Register(a) => {
            let (_, s) = schema::load_ref(&a.schema, &a.dirs.dirs)
                .map_err(|e| CliError::usage(e.to_string()))?;
            let id = client(&a.dirs)?.register(&a.subject, &s.canonical, a.id, a.version)?;
            line(
                &mut out,
                &json!({"subject": a.subject, "id": id}).to_string(),
            )?;
        }
        SchemaCommand::Get(a) => {
            let c = client(&a.dirs)?;
            let answer = match a.what.parse::<u32>() {
                Ok(id) => {
                    let mut v = c.schema_answer(id)?;
                    v["id"] = json!(id);
                    v
                }
                Err(_) => {
                    let (subject, version) = subject_at(&a.what)?;
                    c.version(&subject, version)?
                }
            };
            if a.schema_only {
                line(&mut out, answer["schema"].as_str().unwrap_or_default())?;
            } else {
                line(&mut out, &answer.to_string())?;
            }
        }
        SchemaCommand::Delete(a) => {
            let (subject, version) = subject_at(&a.what)?;
            let answer = client(&a.dirs)?.delete(&subject, version, a.permanent)?;
            line(
                &mut out,
                &json!({"subject": subject, "deleted": answer, "permanent": a.permanent})
                    .to_string(),
            )?;
        }
        SchemaCommand::Import(a) => {
            let c = client(&a.dirs)?;
            if schema::list_versions(&a.dir)
                .map_err(|e| CliError::usage(e.to_string()))?
                .is_empty()
            {
                return Err(CliError::usage(format!(
                    "no MAJOR/MINOR schema directories under {}",
                    a.dir.display()
                )));
            }
            for i in c.import_tree(&a.dir, &a.subject)? {
                let topic_subject = format!("lsst-alerts-v{}-value", i.version);
                if i.topic_subject_id != i.id {
                    super::warn(&format!("{topic_subject} got id {}, not {}: the registry did not reuse the id of an identical schema", i.topic_subject_id, i.id));
                }
                line(&mut out, &json!({"version": i.version.to_string(), "id": i.id, "subjects": [a.subject, topic_subject]}).to_string())?;
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
                    Format::Json
                    | Format::Jsonl
                    | Format::Raw
                    | Format::Envelope
                    | Format::EnvelopeRaw => {
                        let mut d = describe(s);
                        d.as_object_mut().map(|m| m.remove("canonical"));
                        line(&mut out, &d.to_string())?;
                    }
                    Format::Table => line(
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
        SchemaCommand::Check(a) => {
            let (label, new, version) = load(&a.new, &a.dirs.dirs)?;
            let existing = if let Some(subject) = &a.subject {
                subject_history(&client(&a.dirs)?, subject)?
                    .into_iter()
                    .map(|(l, _, p)| (l, p))
                    .collect()
            } else if a.against.is_empty() {
                let v = version.ok_or_else(|| {
                    CliError::usage(format!("{} names no version: give --against SCHEMA", a.new))
                })?;
                earlier_in_major(&a.dirs.dirs, v.major, Some(v))?
            } else {
                a.against
                    .iter()
                    .map(|x| load(x, &a.dirs.dirs).map(|(l, p, _)| (l, p)))
                    .collect::<Result<Vec<_>, _>>()?
            };
            let checks = check_level(a.level, &new, &existing);
            let compatible = checks.iter().all(|c| c.incompatibilities.is_empty());
            if wants_json(a.format, a.json) {
                let report = json!({"new": label, "level": a.level.name(), "compatible": compatible, "checks": checks_json(&checks)});
                line(&mut out, &report.to_string())?;
            } else {
                let against: Vec<&str> = existing.iter().map(|(l, _)| l.as_str()).collect();
                let verdict = if compatible {
                    "compatible"
                } else {
                    "NOT compatible"
                };
                line(
                    &mut out,
                    &format!(
                        "{label} is {verdict} at {} with {}",
                        a.level.name(),
                        if against.is_empty() {
                            "nothing (no earlier versions)".into()
                        } else {
                            against.join(", ")
                        }
                    ),
                )?;
                for c in checks.iter().filter(|c| !c.incompatibilities.is_empty()) {
                    let who = if c.direction == "forward" {
                        format!("{} reading {label}", c.against)
                    } else {
                        format!("{label} reading {}", c.against)
                    };
                    for i in &c.incompatibilities {
                        line(&mut out, &format!("  {who}: {i}"))?;
                    }
                }
            }
            std::io::Write::flush(&mut out)?;
            if !compatible {
                return Err(CliError {
                    code: super::EXIT_FAILURE,
                    message: String::new(),
                });
            }
        }
        SchemaCommand::Bump(a) => {
            let (label, new, _) = load(&a.new, &a.dirs.dirs)?;
            let Published {
                major,
                top_minor,
                versions: existing,
            } = published(&a)?;
            let newest = Version {
                major,
                minor: top_minor,
            };
            let checks = check_level(Level::ForwardTransitive, &new, &existing);
            let minor = checks.iter().all(|c| c.incompatibilities.is_empty());
            let next = if minor {
                Version {
                    major: newest.major,
                    minor: top_minor + 1,
                }
            } else {
                Version {
                    major: newest.major + 1,
                    minor: 0,
                }
            };
            let subject = format!("{}-{}", a.subject, next.major);
            if wants_json(a.format, a.json) {
                let r = json!({"new": label, "release": if minor { "minor" } else { "major" }, "version": next.to_string(), "id": next.id(), "subject": subject, "checks": checks_json(&checks)});
                line(&mut out, &r.to_string())?;
            } else if minor {
                line(
                    &mut out,
                    &format!(
                        "{label}: a MINOR release of {}: version {next}, id {}, subject {subject}",
                        newest.major,
                        next.id()
                    ),
                )?;
            } else {
                line(&mut out, &format!("{label}: needs a new MAJOR (not FORWARD_TRANSITIVE with {}.x): version {next}, id {}, new subject {subject}", newest.major, next.id()))?;
                for c in checks.iter().filter(|c| !c.incompatibilities.is_empty()) {
                    for i in c.incompatibilities.iter().take(5) {
                        line(&mut out, &format!("  {} reading {label}: {i}", c.against))?;
                    }
                }
            }
        }
    }
    std::io::Write::flush(&mut out)?;
    Ok(())
}
