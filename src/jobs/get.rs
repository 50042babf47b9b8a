//! Get: alerts by id, from an archive (a directory, S3, or Rubin's archive service over
//! HTTP) or by reading a topic (a night's window).

use std::collections::BTreeSet;

use apache_avro::types::Value;

use super::{read_whole, Report};
use crate::error::Error;
use crate::formats::avro::AlertSchema;
use crate::formats::packet::{self, Decoder};
use crate::jobs::archive::{alert_id, gunzip, id_from_bytes, schema_key, Archive};
use crate::transport::connect::{SchemaSources, Target};

/// Where to look.
#[derive(Debug, Clone)]
pub enum From {
    /// An archive: a directory, `s3://bucket/prefix`, or an archive service's URL.
    Archive(String),
    /// A topic (or regex), or a night's window, on a cluster.
    Topic {
        /// The topic or regex.
        from: Option<String>,
        /// A night.
        night: Option<chrono::NaiveDate>,
    },
}

/// The alerts found, in the order found, by id; ids not found are left out.
pub fn run(
    ids: &[i64],
    from: &From,
    schemas: &SchemaSources,
    target: &Target,
    report: &mut dyn Report,
) -> Result<Vec<(i64, Value)>, Error> {
    match from {
        From::Archive(loc) if loc.starts_with("http://") || loc.starts_with("https://") => {
            from_http(ids, loc, schemas.decoder(None), target)
        }
        From::Archive(loc) => from_archive(ids, loc),
        From::Topic { from, night } => {
            if from.is_none() && night.is_none() {
                return Err(Error::usage("give --archive DIR|s3://... or --from TOPIC"));
            }
            from_topic(ids, from.as_deref(), *night, schemas, target, report)
        }
    }
}

/// From an archive's HTTP service: GET BASE/api/alerts?ID=id (Rubin's), with a bearer
/// token from ALERTCTL_ARCHIVE_TOKEN when set. The body may be an Avro container file
/// (the service's default), a gzip-compressed wire packet, or a wire packet.
fn from_http(
    ids: &[i64],
    base: &str,
    mut decoder: Decoder,
    target: &Target,
) -> Result<Vec<(i64, Value)>, Error> {
    let agent = ureq::AgentBuilder::new().timeout(target.timeout).build();
    let token = std::env::var("ALERTCTL_ARCHIVE_TOKEN").ok();
    let mut out = Vec::new();
    for &id in ids {
        let url = format!("{}/api/alerts?ID={id}", base.trim_end_matches('/'));
        let mut req = agent.get(&url);
        if let Some(t) = &token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        let resp = match req.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(404, _)) => continue,
            Err(ureq::Error::Status(code, _)) => {
                return Err(Error::failure(format!(
                    "{url}: HTTP {code}{}",
                    if code == 401 || code == 403 {
                        " (set ALERTCTL_ARCHIVE_TOKEN)"
                    } else {
                        ""
                    }
                )))
            }
            Err(e) => return Err(Error::failure(format!("{url}: {e}"))),
        };
        let mut body = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(resp.into_reader(), 64 << 20),
            &mut body,
        )?;
        if body.starts_with(&[0x1f, 0x8b]) {
            body = gunzip(&body).map_err(|e| Error::failure(format!("{url}: not gzip: {e}")))?;
        }
        let value = if body.starts_with(b"Obj\x01") {
            let mut reader = crate::formats::packet::file::PacketReader::from_bytes(&url, body)
                .map_err(|e| Error::failure(format!("{url}: not an Avro container: {e}")))?;
            let schema = reader
                .container_schema()
                .cloned()
                .expect("a container file has its schema");
            let rec = reader
                .next()
                .ok_or_else(|| Error::failure(format!("{url}: an empty Avro container")))??;
            let (sid, b) = packet::split(&rec.packet)?;
            decoder.decode_body(sid, &schema, b)?
        } else {
            decoder.decode(&body)?.1
        };
        out.push((id, value));
    }
    Ok(out)
}

fn from_archive(ids: &[i64], location: &str) -> Result<Vec<(i64, Value)>, Error> {
    let archive = Archive::open(location)?;
    let mut decoder = Decoder::new(crate::formats::avro::SchemaStore::new(Vec::new()), None);
    let mut out = Vec::new();
    for &id in ids {
        let Some(packet) = archive.get_alert(id)? else {
            continue;
        };
        let (sid, _) = packet::split(&packet)?;
        let text = archive.get_schema(sid)?.ok_or_else(|| {
            Error::failure(format!(
                "{location}: alert {id} uses schema {sid}, and {} is missing",
                schema_key(sid)
            ))
        })?;
        let schema = AlertSchema::from_json_str(&text, std::path::Path::new(&schema_key(sid)))?;
        decoder.insert_schema(sid, schema);
        out.push((id, decoder.decode(&packet)?.1));
    }
    Ok(out)
}

fn from_topic(
    ids: &[i64],
    from: Option<&str>,
    night: Option<chrono::NaiveDate>,
    schemas: &SchemaSources,
    target: &Target,
    report: &mut dyn Report,
) -> Result<Vec<(i64, Value)>, Error> {
    let (_, _, mut tail) = read_whole(
        target,
        from,
        night,
        None,
        "give --archive DIR|s3://... or --from TOPIC",
        report,
    )?;
    let wanted: BTreeSet<i64> = ids.iter().copied().collect();
    let mut decoder = schemas.decoder(None);
    let mut out = Vec::new();
    tail.read_to_end(|rec| {
        if out.len() == wanted.len() {
            return Ok(());
        }
        let Some(p) = rec.payload.as_deref() else {
            return Ok(());
        };
        // The id from the bytes (as the archive finds it), so that only the alerts
        // asked for are decoded; an alert whose bytes do not give it is decoded to
        // find it, as before.
        let (id, decoded) = match id_from_bytes(&mut decoder, p) {
            Some((id, _)) => (Some(id), None),
            None => match decoder.decode(p) {
                Ok((_, value)) => (alert_id(&value), Some(value)),
                Err(_) => (None, None),
            },
        };
        let Some(id) = id.filter(|i| wanted.contains(i) && !out.iter().any(|(f, _)| f == i)) else {
            return Ok(());
        };
        let value = match decoded {
            Some(v) => Some(v),
            None => decoder.decode(p).ok().map(|(_, v)| v),
        };
        // Kept only when the decoded alert has that id too (it always has: the
        // differential tests hold the two readings together).
        if let Some(value) = value.filter(|v| alert_id(v) == Some(id)) {
            out.push((id, value));
        }
        Ok(())
    })?;
    Ok(out)
}
