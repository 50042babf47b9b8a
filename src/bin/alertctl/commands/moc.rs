//! `alertctl moc from-skymap`: the MOC of a probability sky map's credible region;
//! `alertctl moc from-cone`: the MOC of a disc.

use std::path::PathBuf;

use serde_json::json;

use alertctl::render::printer::RowFormat;
use alertctl::sky::region::{cone_to_moc, skymap_to_moc};
use alertctl::Error;

use crate::args::{values, CmdResult, Ctx};

/// The `moc` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum MocCommand {
    /// Turn a HEALPix probability sky map into the MOC of its credible region.
    #[command(after_help = "\
Examples:
  alertctl moc from-skymap S250101a.multiorder.fits --credible 0.9 --out S250101a-90.fits
  alertctl filter run --moc gw=S250101a-90.fits --name gw --expr 'in_moc(\"gw\")' --from lsst-alerts-v11 -e

The sky map is a HEALPix FITS table as gravitational-wave alerts carry it: flat (PROB
per cell, NESTED or RING, one nside) or multi-order (UNIQ and PROBDENSITY per
steradian, ORDERING = NUNIQ), optionally gzipped. The region is the most probable
cells holding --credible of the probability, the last one included: it holds at least
that much, and at most one cell more. The MOC is written as IVOA MOC 2.0 FITS (mocpy and
Aladin read it); a filter asks `in_moc(\"NAME\")` of it with --moc NAME=FILE.")]
    FromSkymap(FromSkymapArgs),
    /// The MOC of a disc on the sky (a field, a galaxy, a cluster).
    #[command(after_help = "\
Examples:
  alertctl moc from-cone --ra 10.6847 --dec 41.2690 --radius 1.5 --out m31.fits
  alertctl filter run --moc m31=m31.fits --name m31 --expr 'in_moc(\"m31\")' --from lsst-alerts-v11

Every HEALPix cell of --depth (default 12, cells of 52\") that the disc touches is in
the MOC, which is written as IVOA MOC 2.0 FITS.")]
    FromCone(FromConeArgs),
}

/// Arguments of `moc from-cone`.
#[derive(Debug, clap::Args)]
pub struct FromConeArgs {
    /// Centre, degrees.
    #[arg(long, allow_negative_numbers = true)]
    pub ra: f64,
    /// Centre, degrees.
    #[arg(long, allow_negative_numbers = true)]
    pub dec: f64,
    /// Radius, degrees.
    #[arg(long, value_name = "DEG")]
    pub radius: f64,
    /// HEALPix depth of the MOC's cells.
    #[arg(long, default_value_t = 12)]
    pub depth: u8,
    /// Where to write the MOC (FITS).
    #[arg(long, value_name = "FILE.fits")]
    pub out: PathBuf,
    /// Output format of the summary (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_parser = values::row_format, value_name = "FORMAT")]
    pub format: Option<RowFormat>,
}

/// Arguments of `moc from-skymap`.
#[derive(Debug, clap::Args)]
pub struct FromSkymapArgs {
    /// The sky map (FITS, flat or multi-order; .gz too).
    #[arg(value_name = "SKYMAP.fits")]
    pub skymap: PathBuf,
    /// The probability the region holds (0 < P <= 1).
    #[arg(long, default_value_t = 0.9, value_name = "P")]
    pub credible: f64,
    /// Where to write the MOC (FITS).
    #[arg(long, value_name = "FILE.fits")]
    pub out: PathBuf,
    /// Output format of the summary (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_parser = values::row_format, value_name = "FORMAT")]
    pub format: Option<RowFormat>,
}

/// Run a `moc` subcommand.
pub fn exec(cmd: MocCommand, ctx: &mut Ctx) -> CmdResult {
    match cmd {
        MocCommand::FromCone(a) => {
            let r = cone_to_moc(a.ra, a.dec, a.radius, a.depth, &a.out)
                .map_err(|e| Error::usage(e.to_string()))?;
            let line = match RowFormat::or_default(a.format, ctx.terminal) {
                RowFormat::Table => format!(
                    "{}: a disc of {} deg around ({}, {}), {:.3} deg², depth {}",
                    a.out.display(),
                    a.radius,
                    a.ra,
                    a.dec,
                    r.area_deg2,
                    r.depth
                ),
                _ => json!({"out": a.out.display().to_string(), "area_deg2": r.area_deg2, "depth": r.depth})
                    .to_string(),
            };
            ctx.lines([line])
        }
        MocCommand::FromSkymap(a) => {
            if !(a.credible > 0.0 && a.credible <= 1.0) {
                return Err(Error::usage(format!(
                    "--credible {}: a probability, above 0 and at most 1",
                    a.credible
                )));
            }
            let r = skymap_to_moc(&a.skymap, a.credible, &a.out)?;
            let line = match RowFormat::or_default(a.format, ctx.terminal) {
                RowFormat::Table => format!(
                    "{}: the {:.0}% credible region of a {} sky map, {:.3} deg², depth {}",
                    a.out.display(),
                    a.credible * 100.0,
                    if r.multi_order { "multi-order" } else { "flat" },
                    r.area_deg2,
                    r.depth
                ),
                _ => json!({
                    "out": a.out.display().to_string(),
                    "credible": r.credible,
                    "multi_order": r.multi_order,
                    "area_deg2": r.area_deg2,
                    "depth": r.depth,
                })
                .to_string(),
            };
            ctx.lines([line])
        }
    }
}
