//! `alertctl filter check`.

use std::path::PathBuf;

use serde_json::json;

use alertctl::filter::{self, FilterDef};
use alertctl::formats::avro::Version;
use alertctl::jobs::Report;
use alertctl::render::printer::RowFormat;
use alertctl::Error;

use crate::args::{values, CmdResult, Ctx, SchemaArgs, SkyArgs};

/// Arguments of `filter check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The jq expression to check.
    #[arg(long, conflicts_with = "filters", required_unless_present = "filters")]
    pub expr: Option<String>,
    /// The name shown for --expr.
    #[arg(long, default_value = "expr")]
    pub name: String,
    /// A filters file of [[filter]] tables (expr, rank_by and visit_key are checked).
    #[arg(long, value_name = "FILTERS.toml")]
    pub filters: Option<PathBuf>,
    /// The schema version MAJOR.MINOR, from --schema-dir (default: the newest there,
    /// else the built-in sample).
    #[arg(long, value_name = "M.m", conflicts_with = "schema")]
    pub schema_version: Option<Version>,
    /// A self-contained .avsc file instead.
    #[arg(long, value_name = "FILE.avsc")]
    pub schema: Option<PathBuf>,
    /// Allow loops and recursion in --expr (as filter run).
    #[arg(long)]
    pub allow_unbounded: bool,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_parser = values::row_format, value_name = "FORMAT")]
    pub format: Option<RowFormat>,
    #[command(flatten)]
    pub sky: SkyArgs,
    #[command(flatten)]
    pub dirs: SchemaArgs,
}

/// Run `alertctl filter check`.
pub fn exec(a: CheckArgs, ctx: &mut Ctx) -> CmdResult {
    let (defs, sky) = match (&a.filters, &a.expr) {
        (Some(f), _) => {
            let set = filter::load_set(f)?;
            (set.filters, a.sky.decls(set.sky))
        }
        (None, Some(expr)) => (
            vec![FilterDef {
                unbounded: a.allow_unbounded,
                ..FilterDef::new(&a.name, expr)
            }],
            a.sky.decls(Vec::new()),
        ),
        (None, None) => return Err(Error::usage("give --expr EXPR or --filters FILE")),
    };
    let r = filter::check::check_filters(
        defs,
        sky,
        &a.dirs.dirs,
        a.schema_version,
        a.schema.as_deref(),
    )?;
    let format = RowFormat::or_default(a.format, ctx.terminal);
    ctx.lines(r.findings.iter().map(|(name, f)| {
        let (kind, path) = match f {
            filter::check::Finding::Missing { path, .. } => ("missing", path),
            filter::check::Finding::TypeMismatch { path, .. } => ("type", path),
        };
        match format {
            RowFormat::Table => format!("{name}: {f}"),
            _ => json!({"filter": name, "schema": r.version, "kind": kind, "path": path, "message": f.to_string()})
                .to_string(),
        }
    }))?;
    if r.findings.is_empty() {
        ctx.diag
            .info(&format!("{} filter(s) fit schema {}", r.filters, r.version));
        Ok(())
    } else {
        Err(Error::failure(format!(
            "{} finding(s) against schema {}",
            r.findings.len(),
            r.version
        )))
    }
}
