//! `alertctl show`: one alert as a summary table, and as a picture.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use serde_json::Value as Json;

use super::{line, stdout, CliError, CliResult, KafkaArgs, SchemaDirs};
use crate::kafka::consume::{Start, Tail};
use crate::kafka::offsets::OffsetSpec;
use crate::packet::file::VisitReader;
use crate::packet::json::{cell, lookup};
use crate::packet::{to_json, CutoutPolicy, Decoder};
use crate::picture::{alert_picture, Point};
use crate::sample::fits;

/// Show one alert: a summary table, and with --png its cutouts and light curve.
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
    /// The alert: TOPIC@PARTITION:OFFSET.
    #[arg(conflicts_with = "file", required_unless_present = "file")]
    pub at: Option<String>,
    /// A visit file instead of a topic.
    #[arg(long, value_name = "FILE", requires = "index")]
    pub file: Option<PathBuf>,
    /// The alert's 0-based index in the file.
    #[arg(long, value_name = "N")]
    pub index: Option<usize>,
    /// Write the picture here.
    #[arg(long, value_name = "FILE.png")]
    pub png: Option<PathBuf>,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

fn fetch(a: &Args) -> Result<Json, CliError> {
    if let (Some(file), Some(index)) = (&a.file, a.index) {
        let mut store = a.dirs.store(a.kafka.profile.as_deref());
        for item in VisitReader::open(file, &mut store, None)? {
            let alert = item?;
            if alert.index == index {
                return Ok(to_json(&alert.value, CutoutPolicy::Base64));
            }
        }
        return Err(CliError::failure(format!(
            "{} has no alert {index}",
            file.display()
        )));
    }
    let at = a.at.as_deref().expect("clap requires it");
    let bad = || {
        CliError::usage(format!(
            "`{at}` is not TOPIC@PARTITION:OFFSET (e.g. lsst-2024-05-01@2:1041)"
        ))
    };
    let (topic, rest) = at.rsplit_once('@').ok_or_else(bad)?;
    let (p, o) = rest.split_once(':').ok_or_else(bad)?;
    let (partition, offset): (i32, i64) =
        (p.parse().map_err(|_| bad())?, o.parse().map_err(|_| bad())?);
    let conn = a.kafka.connection()?;
    let mut tail = Tail::open(
        &conn,
        &[topic.to_string()],
        None,
        &Start {
            offset: OffsetSpec::Absolute(offset),
            group: None,
        },
    )?;
    let deadline = std::time::Instant::now() + conn.timeout;
    while std::time::Instant::now() < deadline {
        if let Some(r) = tail.poll(Duration::from_millis(100))? {
            if r.partition == partition && r.offset == offset {
                let (_, v) = Decoder::new(a.dirs.store(a.kafka.profile.as_deref()), None)
                    .decode(&r.payload.unwrap_or_default())?;
                return Ok(to_json(&v, CutoutPolicy::Base64));
            }
            if r.partition == partition && r.offset > offset {
                break;
            }
        }
    }
    Err(CliError::failure(format!(
        "no record at {topic} partition {partition} offset {offset}"
    )))
}

fn num(v: &Json, path: &str) -> Option<f64> {
    lookup(v, path).and_then(Json::as_f64)
}

/// Run `alertctl show`.
pub fn exec(a: Args) -> CliResult {
    let alert = fetch(&a)?;
    let src = |f: &str| format!("diaSource.{}", f.replace('|', "|diaSource."));
    let rows = [
        ("diaSourceId", "diaSourceId|alertId".to_string()),
        ("diaObjectId", src("diaObjectId")),
        ("visit", src("visit|ccdVisitId")),
        ("detector", src("detector")),
        ("band", src("band|filterName")),
        ("MJD (TAI)", src("midpointMjdTai|midPointTai")),
        ("ra, deg", src("ra")),
        ("dec, deg", src("dec|decl")),
        ("psfFlux, nJy", src("psfFlux|psFlux")),
        ("psfFluxErr, nJy", src("psfFluxErr|psFluxErr")),
        ("snr", src("snr")),
        ("reliability", src("reliability")),
        ("prvDiaSources", "prvDiaSources".to_string()),
        ("prvDiaForcedSources", "prvDiaForcedSources".to_string()),
    ];
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
    for (label, path) in &rows {
        t.add_row([label.to_string(), cell(lookup(&alert, path))]);
    }
    let decode = |name: &str| {
        lookup(&alert, name)
            .and_then(Json::as_str)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
    };
    for name in ["cutoutDifference", "cutoutScience", "cutoutTemplate"] {
        t.add_row([
            name.to_string(),
            decode(name).map_or("-".into(), |b| format!("{} bytes", b.len())),
        ]);
    }
    let mut out = stdout();
    line(&mut out, &t.to_string())?;
    std::io::Write::flush(&mut out)?;
    if let Some(path) = &a.png {
        write_picture(&alert, path)?;
        eprintln!("alertctl: wrote {}", path.display());
    }
    Ok(())
}

/// A cutout of an alert's JSON view (with `--cutouts base64`), decoded.
pub fn cutout(alert: &Json, name: &str) -> Option<Vec<u8>> {
    lookup(alert, name)
        .and_then(Json::as_str)
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
}

/// Draw an alert (its JSON view, cutouts in base64) as `show --png` does: the three
/// stamps and the light curve from its history.
pub fn write_picture(alert: &Json, path: &std::path::Path) -> CliResult {
    let src = |f: &str| format!("diaSource.{}", f.replace('|', "|diaSource."));
    let decode = |name: &str| cutout(alert, name);
    let stamps: Vec<(&str, Option<fits::Image>)> = [
        ("DIFFERENCE", "cutoutDifference"),
        ("SCIENCE", "cutoutScience"),
        ("TEMPLATE", "cutoutTemplate"),
    ]
    .into_iter()
    .map(|(label, field)| (label, decode(field).and_then(|b| fits::read_image(&b).ok())))
    .collect();
    let mut curve: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    let mut sources: Vec<&Json> = lookup(alert, "prvDiaSources")
        .and_then(Json::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    sources.extend(
        lookup(alert, "prvDiaForcedSources")
            .and_then(Json::as_array)
            .into_iter()
            .flatten(),
    );
    if let Some(s) = lookup(alert, "diaSource") {
        sources.push(s);
    }
    for s in sources {
        let (Some(mjd), Some(flux)) = (
            num(s, "midpointMjdTai|midPointTai"),
            num(s, "psfFlux|psFlux"),
        ) else {
            continue;
        };
        let band = lookup(s, "band|filterName")
            .and_then(Json::as_str)
            .unwrap_or("?")
            .to_string();
        curve.entry(band).or_default().push(Point {
            mjd,
            flux,
            err: num(s, "psfFluxErr|psFluxErr").unwrap_or(0.0),
        });
    }
    let title = format!(
        "DIASOURCE {}  VISIT {}  BAND {}  SNR {}",
        cell(lookup(alert, "diaSourceId|alertId")),
        cell(lookup(alert, &src("visit|ccdVisitId"))),
        cell(lookup(alert, &src("band|filterName"))),
        num(alert, &src("snr")).map_or("-".into(), |v| format!("{v:.1}"))
    );
    let png = alert_picture(&title, &stamps, &curve)
        .png()
        .map_err(|e| CliError::failure(format!("cannot encode the PNG: {e}")))?;
    std::fs::write(path, png)?;
    Ok(())
}
