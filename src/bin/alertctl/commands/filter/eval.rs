//! `alertctl filter eval`: one expression over JSON values, as `jq -c` runs it.

use std::path::PathBuf;

use alertctl::filter::eval::{run, EvalJob};
use alertctl::jobs::Report as _;
use alertctl::Error;

use crate::args::{CmdResult, Ctx, SkyArgs};

/// Arguments of `filter eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The jq expression.
    #[arg(long)]
    pub expr: String,
    /// Read JSON values from this file instead of stdin.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Allow loops and recursion (refused by default: they may never end).
    #[arg(long)]
    pub allow_unbounded: bool,
    #[command(flatten)]
    pub sky: SkyArgs,
}

/// Run `alertctl filter eval`.
pub fn exec(a: EvalArgs, ctx: &mut Ctx) -> CmdResult {
    let job = EvalJob {
        expr: a.expr,
        sky: a.sky.decls(Vec::new()),
        unbounded: a.allow_unbounded,
    };
    let mut out = ctx.stdout();
    let mut said = 0u64;
    let mut failed = |n: u64, e: &str| {
        said += 1;
        if said <= 10 {
            ctx.diag.warn(&format!("input {n}: {e}"));
        }
    };
    let r = match &a.file {
        Some(f) => {
            let file = std::fs::File::open(f)
                .map_err(|e| Error::failure(format!("{}: {e}", f.display())))?;
            run(&job, std::io::BufReader::new(file), &mut out, &mut failed)?
        }
        None => run(&job, std::io::stdin().lock(), &mut out, &mut failed)?,
    };
    drop(out);
    if r.errors > 0 {
        return Err(Error::failure(format!(
            "the expression failed on {} of {} inputs",
            r.errors, r.inputs
        )));
    }
    Ok(())
}
