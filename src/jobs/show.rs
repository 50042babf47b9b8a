//! Show: one alert, from a topic partition and offset or a visit file's record, as its
//! JSON view with the cutouts' bytes; its summary rows; its FITS cutouts.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use serde_json::Value as Json;

use super::{connect, Report};
use crate::error::Error;
use crate::formats::avro::view::{to_json, CutoutPolicy};
use crate::formats::packet::file::VisitReader;
use crate::render::table::{cell, lookup};
use crate::transport::connect::{SchemaSources, Target};
use crate::transport::kafka::consume::{Start, Tail};
use crate::transport::kafka::offsets::OffsetSpec;

/// Where the alert is.
#[derive(Debug, Clone)]
pub enum At {
    /// `TOPIC@PARTITION:OFFSET` on a cluster.
    Record {
        /// `TOPIC@PARTITION:OFFSET`.
        at: String,
        /// Where the cluster is.
        target: Target,
    },
    /// A visit file's record (0-based).
    File {
        /// The file.
        path: PathBuf,
        /// The record.
        index: usize,
    },
}

/// The alert's JSON view with its cutouts in base64.
pub fn fetch(at: &At, schemas: &SchemaSources, report: &mut dyn Report) -> Result<Json, Error> {
    match at {
        At::File { path, index } => {
            let mut decoder = schemas.decoder(None);
            for item in VisitReader::open(path, &mut decoder)? {
                let alert = item?;
                if alert.index == *index {
                    return Ok(to_json(&alert.value, CutoutPolicy::Keep));
                }
            }
            Err(Error::failure(format!(
                "{} has no alert {index}",
                path.display()
            )))
        }
        At::Record { at, target } => {
            let bad = || {
                Error::usage(format!(
                    "`{at}` is not TOPIC@PARTITION:OFFSET (e.g. lsst-2024-05-01@2:1041)"
                ))
            };
            let (topic, rest) = at.rsplit_once('@').ok_or_else(bad)?;
            let (p, o) = rest.split_once(':').ok_or_else(bad)?;
            let (partition, offset): (i32, i64) =
                (p.parse().map_err(|_| bad())?, o.parse().map_err(|_| bad())?);
            let conn = connect(target, report)?;
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
                        let (_, v) = schemas
                            .decoder(None)
                            .decode(&r.payload.unwrap_or_default())?;
                        return Ok(to_json(&v, CutoutPolicy::Keep));
                    }
                    if r.partition == partition && r.offset > offset {
                        break;
                    }
                }
            }
            Err(Error::failure(format!(
                "no record at {topic} partition {partition} offset {offset}"
            )))
        }
    }
}

/// A cutout's bytes, from a view with cutouts in base64.
pub fn cutout(alert: &Json, name: &str) -> Option<Vec<u8>> {
    lookup(alert, name)
        .and_then(Json::as_str)
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
}

/// The summary of an alert: label and value, for any schema version's field names.
pub fn summary(alert: &Json) -> Vec<(String, String)> {
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
    let mut out: Vec<(String, String)> = rows
        .iter()
        .map(|(label, path)| (label.to_string(), cell(lookup(alert, path))))
        .collect();
    for name in ["cutoutDifference", "cutoutScience", "cutoutTemplate"] {
        out.push((
            name.to_string(),
            cutout(alert, name).map_or("-".into(), |b| format!("{} bytes", b.len())),
        ));
    }
    out
}

/// Write an alert's three cutouts as `DIR/ID-{science,template,difference}.fits`.
pub fn write_fits(alert: &Json, id: i64, dir: &std::path::Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir)?;
    for (name, field) in [
        ("science", "cutoutScience"),
        ("template", "cutoutTemplate"),
        ("difference", "cutoutDifference"),
    ] {
        if let Some(bytes) = cutout(alert, field) {
            std::fs::write(dir.join(format!("{id}-{name}.fits")), bytes)?;
        }
    }
    Ok(())
}

/// Write an alert's picture (cutouts and light curve) as a PNG.
pub fn write_picture(alert: &Json, path: &std::path::Path) -> Result<(), Error> {
    let png = crate::render::picture::alert_png(alert).map_err(Error::failure)?;
    std::fs::write(path, png)?;
    Ok(())
}
