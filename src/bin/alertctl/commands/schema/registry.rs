//! `alertctl schema register|get|delete|import`: a registry's subjects.

use serde_json::json;

use alertctl::jobs::schemas;
use alertctl::jobs::Report;

use super::sources;
use crate::args::{CmdResult, Ctx, SchemaArgs};

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
    pub dirs: SchemaArgs,
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
    pub dirs: SchemaArgs,
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
    pub dirs: SchemaArgs,
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
    pub dirs: SchemaArgs,
}

/// `schema register`.
pub fn register(a: RegisterArgs, ctx: &mut Ctx) -> CmdResult {
    let id = schemas::register(&a.schema, &a.subject, a.id, a.version, &sources(&a.dirs))?;
    ctx.lines([json!({"subject": a.subject, "id": id}).to_string()])
}

/// `schema get`.
pub fn get(a: GetArgs, ctx: &mut Ctx) -> CmdResult {
    let answer = schemas::get(&a.what, &sources(&a.dirs))?;
    if a.schema_only {
        ctx.lines([answer["schema"].as_str().unwrap_or_default()])
    } else {
        ctx.lines([answer.to_string()])
    }
}

/// `schema delete`.
pub fn delete(a: DeleteArgs, ctx: &mut Ctx) -> CmdResult {
    let (subject, answer) = schemas::delete(&a.what, a.permanent, &sources(&a.dirs))?;
    ctx.lines([
        json!({"subject": subject, "deleted": answer, "permanent": a.permanent}).to_string(),
    ])
}

/// `schema import`.
pub fn import(a: ImportArgs, ctx: &mut Ctx) -> CmdResult {
    let imported = schemas::import(&a.dir, &a.subject, &sources(&a.dirs))?;
    let mut lines = Vec::new();
    for i in imported {
        let topic_subject = format!("lsst-alerts-v{}-value", i.version);
        if i.topic_subject_id != i.id {
            ctx.diag.warn(&format!("{topic_subject} got id {}, not {}: the registry did not reuse the id of an identical schema", i.topic_subject_id, i.id));
        }
        lines.push(json!({"version": i.version.to_string(), "id": i.id, "subjects": [a.subject, topic_subject]}).to_string());
    }
    ctx.lines(lines)
}
