//! `alertctl show`: one alert as a summary table, and as a picture.

use std::path::PathBuf;

use alertctl::jobs::show::{fetch, summary, write_picture, At};
use alertctl::jobs::Report;
use alertctl::render::table::bordered;
use alertctl::Error;

use crate::args::{CmdResult, Ctx, KafkaArgs, SchemaArgs};

/// One alert as a table, and with --png its cutouts and light curve.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl show lsst-2024-05-01@2:1041
  alertctl show lsst-2024-05-01@2:1041 --png alert.png
  alertctl show --file night.avro --index 7 --png alert.png

The picture has the difference, science and template cutouts side by side (asinh
stretch between the 0.5 and 99.5 percentiles) and the light curve from the history:
PSF flux against MJD per band, with error bars.")]
pub struct Args {
    /// The record: TOPIC@PARTITION:OFFSET.
    #[arg(conflicts_with = "file", required_unless_present = "file")]
    pub at: Option<String>,
    /// A visit file instead (with --index).
    #[arg(long, value_name = "FILE", requires = "index")]
    pub file: Option<PathBuf>,
    /// The alert's 0-based record number in --file.
    #[arg(long, value_name = "N")]
    pub index: Option<usize>,
    /// Also draw the alert's cutouts and light curve to this PNG file.
    #[arg(long, value_name = "FILE.png")]
    pub png: Option<PathBuf>,
    #[command(flatten)]
    pub dirs: SchemaArgs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl show`.
pub fn exec(a: Args, ctx: &mut Ctx) -> CmdResult {
    let at = match (&a.file, a.index, &a.at) {
        (Some(path), Some(index), _) => At::File {
            path: path.clone(),
            index,
        },
        (_, _, Some(at)) => At::Record {
            at: at.clone(),
            target: a.kafka.target(),
        },
        _ => {
            return Err(Error::usage(
                "give TOPIC@PARTITION:OFFSET, or --file FILE --index N",
            ))
        }
    };
    let alert = fetch(
        &at,
        &a.dirs.sources(a.kafka.profile.as_deref()),
        &mut ctx.diag,
    )?;
    let table = bordered(
        Vec::<String>::new(),
        summary(&alert).into_iter().map(|(k, v)| [k, v]),
    );
    ctx.lines([table])?;
    if let Some(path) = &a.png {
        write_picture(&alert, path)?;
        ctx.diag.info(&format!("wrote {}", path.display()));
    }
    Ok(())
}
