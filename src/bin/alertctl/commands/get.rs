//! `alertctl get`: alerts by id, from an archive or a topic.

use std::path::PathBuf;

use alertctl::formats::avro::view::{to_json, CutoutPolicy};
use alertctl::jobs::get::{run, From};
use alertctl::jobs::show::{write_fits, write_picture};
use alertctl::Error;

use crate::args::{values, CmdResult, Ctx, Cutouts, KafkaArgs, SchemaArgs};

/// Fetch alerts by id from an archive or a topic.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl get 170032915988267012 --archive ./archive
  alertctl get 170032915988267012 --archive s3://alerts/rubin --fits-dir stamps/ --png a.png
  alertctl get 170032915988267012 170032915988267013 --from lsst-alerts-v11 --night 2026-05-01
  ALERTCTL_ARCHIVE_TOKEN=... alertctl get 170032915988267012 --archive https://ARCHIVE-HOST

From an archive, the schema comes from the archive's v1/schemas/; from a topic, as tail
finds it (--schema-dir, --registry, the built-in sample). Prints the JSON view, one
line per alert, as tail does. An id not found is named, and the exit status is 1.")]
pub struct Args {
    /// Alert ids (diaSourceId).
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<i64>,
    /// The archive: a directory, s3://bucket/prefix, or the archive service's URL.
    #[arg(
        long,
        value_name = "DIR|s3://BUCKET/PREFIX|URL",
        conflicts_with = "from"
    )]
    pub archive: Option<String>,
    /// Read this topic (or regex) instead.
    #[arg(long, value_name = "TOPIC|REGEX")]
    pub from: Option<String>,
    /// A night: its topic, or its window on --from.
    #[arg(long, value_name = "NIGHT", value_parser = values::night)]
    pub night: Option<chrono::NaiveDate>,
    /// How the cutouts appear in the JSON view.
    #[arg(long, value_parser = values::choice::<Cutouts>(), default_value = "size")]
    pub cutouts: Cutouts,
    /// Write each alert's cutouts as FITS files here (ID-science.fits, ...).
    #[arg(long, value_name = "DIR")]
    pub fits_dir: Option<PathBuf>,
    /// Draw the alert's cutouts and light curve to this PNG (one id).
    #[arg(long, value_name = "FILE.png")]
    pub png: Option<PathBuf>,
    #[command(flatten)]
    pub dirs: SchemaArgs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl get`.
pub fn exec(a: Args, ctx: &mut Ctx) -> CmdResult {
    if a.png.is_some() && a.ids.len() > 1 {
        return Err(Error::usage("--png draws one alert: give one id"));
    }
    let cutouts = a.cutouts.policy(ctx);
    let from = match &a.archive {
        Some(loc) => From::Archive(loc.clone()),
        None => From::Topic {
            from: a.from.clone(),
            night: a.night,
        },
    };
    let found = run(
        &a.ids,
        &from,
        &a.dirs.sources(a.kafka.profile.as_deref()),
        &a.kafka.target(),
        &mut ctx.diag,
    )?;
    let mut lines = Vec::new();
    for (id, value) in &found {
        // The view as tail prints it; the cutouts' bytes only when they are written.
        lines.push(to_json(value, cutouts).to_string());
        if a.fits_dir.is_none() && a.png.is_none() {
            continue;
        }
        let full = to_json(value, CutoutPolicy::Keep);
        if let Some(dir) = &a.fits_dir {
            write_fits(&full, *id, dir)?;
        }
        if let Some(png) = &a.png {
            write_picture(&full, png)?;
        }
    }
    ctx.lines(lines)?;
    let missing: Vec<String> = a
        .ids
        .iter()
        .filter(|i| !found.iter().any(|(f, _)| f == *i))
        .map(i64::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(Error::failure(format!("not found: {}", missing.join(", "))));
    }
    Ok(())
}
