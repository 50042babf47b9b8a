//! `alertctl get`: alerts by id, from an archive or a topic.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::{line, reading, stdout, CliError, CliResult, KafkaArgs, SchemaDirs};
use crate::archive::{alert_id, Archive};
use crate::kafka::admin::Admin;
use crate::kafka::consume::{Start, Tail};
use crate::kafka::offsets::OffsetSpec;
use apache_avro::types::Value;

use crate::packet::{self, to_json, CutoutPolicy};
use crate::schema::AlertSchema;

/// Fetch alerts by id (diaSourceId) from an archive or a topic.
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
    /// The archive: a directory, s3://bucket/prefix, or the base URL of an archive
    /// service that serves BASE/api/alerts?ID= (Rubin's).
    #[arg(
        long,
        value_name = "DIR|s3://BUCKET/PREFIX|URL",
        conflicts_with = "from"
    )]
    pub archive: Option<String>,
    /// Search a topic instead (read to its end, or a night's window).
    #[arg(long, value_name = "TOPIC|REGEX")]
    pub from: Option<String>,
    /// With --from: a night (its topic, or its window).
    #[arg(long, value_name = "NIGHT", value_parser = super::values::night)]
    pub night: Option<chrono::NaiveDate>,
    /// How the cutouts appear in the JSON.
    #[arg(long, value_enum, default_value = "size")]
    pub cutouts: CutoutPolicy,
    /// Write each alert's three cutouts here as ID-science.fits, ID-template.fits, ID-difference.fits.
    #[arg(long, value_name = "DIR")]
    pub fits_dir: Option<PathBuf>,
    /// Draw the alert as show does (one id): cutouts and light curve.
    #[arg(long, value_name = "FILE.png")]
    pub png: Option<PathBuf>,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl get`.
pub fn exec(a: Args) -> CliResult {
    if a.png.is_some() && a.ids.len() > 1 {
        return Err(CliError::usage("--png draws one alert: give one id"));
    }
    let found: Vec<(i64, Value)> = match (&a.archive, &a.from, a.night) {
        (Some(loc), _, _) => from_archive(&a, loc)?,
        (None, from, night) if from.is_some() || night.is_some() => from_topic(&a)?,
        _ => {
            return Err(CliError::usage(
                "give --archive DIR|s3://... or --from TOPIC",
            ))
        }
    };
    let mut out = stdout();
    for (id, value) in &found {
        // The view as tail prints it; the cutouts' bytes only when they are written.
        line(&mut out, &to_json(value, a.cutouts).to_string())?;
        if a.fits_dir.is_none() && a.png.is_none() {
            continue;
        }
        let full = to_json(value, CutoutPolicy::Base64);
        if let Some(dir) = &a.fits_dir {
            std::fs::create_dir_all(dir)?;
            for (name, field) in [
                ("science", "cutoutScience"),
                ("template", "cutoutTemplate"),
                ("difference", "cutoutDifference"),
            ] {
                if let Some(bytes) = super::show::cutout(&full, field) {
                    std::fs::write(dir.join(format!("{id}-{name}.fits")), bytes)?;
                }
            }
        }
        if let Some(png) = &a.png {
            super::show::write_picture(&full, png)?;
        }
    }
    std::io::Write::flush(&mut out)?;
    let missing: Vec<String> = a
        .ids
        .iter()
        .filter(|i| !found.iter().any(|(f, _)| f == *i))
        .map(i64::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(CliError::failure(format!(
            "not found: {}",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// From an archive's HTTP service: GET BASE/api/alerts?ID=id (Rubin's), with a bearer
/// token from ALERTCTL_ARCHIVE_TOKEN when set. The body may be an Avro container file
/// (the service's default), a gzip-compressed wire packet, or a wire packet (decoded
/// with the schema store).
fn from_http(a: &Args, base: &str) -> Result<Vec<(i64, Value)>, CliError> {
    let agent = ureq::AgentBuilder::new().timeout(a.kafka.timeout).build();
    let token = std::env::var("ALERTCTL_ARCHIVE_TOKEN").ok();
    let mut store = a.dirs.store(a.kafka.profile.as_deref());
    let mut out = Vec::new();
    for &id in &a.ids {
        let url = format!("{}/api/alerts?ID={id}", base.trim_end_matches('/'));
        let mut req = agent.get(&url);
        if let Some(t) = &token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        let resp = match req.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(404, _)) => continue,
            Err(ureq::Error::Status(code, _)) => {
                return Err(CliError::failure(format!(
                    "{url}: HTTP {code}{}",
                    if code == 401 || code == 403 {
                        " (set ALERTCTL_ARCHIVE_TOKEN)"
                    } else {
                        ""
                    }
                )))
            }
            Err(e) => return Err(CliError::failure(format!("{url}: {e}"))),
        };
        let mut body = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(resp.into_reader(), 64 << 20),
            &mut body,
        )?;
        if body.starts_with(&[0x1f, 0x8b]) {
            body = crate::archive::gunzip(&body)
                .map_err(|e| CliError::failure(format!("{url}: not gzip: {e}")))?;
        }
        let value = if body.starts_with(b"Obj\x01") {
            let mut reader = apache_avro::Reader::new(&body[..])
                .map_err(|e| CliError::failure(format!("{url}: not an Avro container: {e}")))?;
            reader
                .next()
                .ok_or_else(|| CliError::failure(format!("{url}: an empty Avro container")))?
                .map_err(|e| CliError::failure(format!("{url}: {e}")))?
        } else {
            let (sid, body) = packet::split(&body)?;
            let schema = store.get(sid)?;
            packet::decode_body(sid, &schema, None, body)?
        };
        out.push((id, value));
    }
    Ok(out)
}

fn from_archive(a: &Args, location: &str) -> Result<Vec<(i64, Value)>, CliError> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return from_http(a, location);
    }
    let archive = Archive::open(location)?;
    let mut out = Vec::new();
    for &id in &a.ids {
        let Some(packet) = archive.get_alert(id)? else {
            continue;
        };
        let (sid, body) = packet::split(&packet)?;
        let text = archive.get_schema(sid)?.ok_or_else(|| {
            CliError::failure(format!(
                "{location}: alert {id} uses schema {sid}, and {} is missing",
                crate::archive::schema_key(sid)
            ))
        })?;
        let schema = AlertSchema::from_json_str(
            &text,
            std::path::Path::new(&crate::archive::schema_key(sid)),
        )?;
        let value = packet::decode_body(sid, &schema, None, body)?;
        out.push((id, value));
    }
    Ok(out)
}

fn from_topic(a: &Args) -> Result<Vec<(i64, Value)>, CliError> {
    let conn = a.kafka.connection()?;
    let r = reading(a.from.as_deref(), a.night, None, &Admin::connect(&conn)?)?.expect("checked");
    let topics = r.topics.clone();
    let mut tail = Tail::open(
        &conn,
        &topics,
        None,
        &Start {
            offset: r.offset(None, OffsetSpec::Beginning)?,
            group: None,
        },
    )?;
    let wanted: BTreeSet<i64> = a.ids.iter().copied().collect();
    let mut decoder = packet::Decoder::new(a.dirs.store(a.kafka.profile.as_deref()), None);
    let mut out = Vec::new();
    tail.read_to_end(|rec| {
        if out.len() == wanted.len() {
            return Ok(());
        }
        if let Some(p) = rec.payload.as_deref() {
            if let Ok((_, value)) = decoder.decode(p) {
                if let Some(id) = alert_id(&value).filter(|i| wanted.contains(i)) {
                    if !out.iter().any(|(f, _)| *f == id) {
                        out.push((id, value));
                    }
                }
            }
        }
        Ok(())
    })?;
    Ok(out)
}
